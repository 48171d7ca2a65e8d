"""Save and load the fitted pipeline.

``model.skops`` (the default) is loaded with ``skops.io.load`` and an explicit list of
trusted types: the types the file names are read with ``get_untrusted_types`` and each must
come from scikit-learn or numpy (``ALLOWED_MODULES``), so a tampered artifact cannot make the
loader call ``os.system`` or any other function. ``model.joblib`` (``model.artifact.format:
joblib``) is a pickle: loading it runs whatever it contains, so train warns when it writes
one and loaders refuse it unless the spec asks for joblib.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlops_spec.conventions import SERVING_DIR, serving_files
from mlops_spec.train import TrainError

if TYPE_CHECKING:
    from mlops_spec.spec.sections import Spec

ALLOWED_MODULES = ("sklearn.", "numpy.", "scipy.sparse.")
FILES = {"skops": "model.skops", "joblib": "model.joblib"}


def file_name(fmt: str) -> str:
    return FILES[fmt]


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def save(model: Any, directory: Path, fmt: str) -> Path:
    path = directory / file_name(fmt)
    if fmt == "skops":
        import skops.io as sio

        sio.dump(model, path)
        _make_deterministic(path)
    else:
        import joblib

        print("warning: model.artifact.format is joblib: model.joblib is a pickle, and "
              "loading it runs any code it holds; prefer skops", file=sys.stderr)
        joblib.dump(model, path)
    return path


_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


def _make_deterministic(path: Path) -> None:
    """Rewrite a skops file so equal models give equal bytes.

    skops names array members and ``__id__`` references after ``id()`` of the objects
    (memory addresses) and stamps members with the clock; both are renumbered here in the
    order the schema lists them, with a fixed timestamp. The content is unchanged, so
    ``skops.io.load`` reads the same model.
    """
    import zipfile

    with zipfile.ZipFile(path) as source:
        schema = json.loads(source.read("schema.json"))
        members = {info.filename: source.read(info) for info in source.infolist()}
        compression = source.infolist()[0].compress_type
    numbers: dict[str, str] = {}

    def renumber(old: str) -> str:
        return numbers.setdefault(old, str(len(numbers) + 1))

    def walk(node: Any) -> Any:
        if isinstance(node, list):
            return [walk(item) for item in node]
        if not isinstance(node, dict):
            return node
        out = {}
        for key, value in node.items():
            if key == "__id__" and isinstance(value, int):
                value = int(renumber(str(value)))
            elif (key == "file" and node.get("__loader__") == "NdArrayNode"
                  and isinstance(value, str) and value.endswith(".npy")):
                value = renumber(value.removesuffix(".npy")) + ".npy"
            out[key] = walk(value)
        return out

    renamed = {"schema.json": json.dumps(walk(schema), indent=2).encode()}
    for name, data in members.items():
        if name != "schema.json":
            stem = name.removesuffix(".npy")
            renamed[(numbers.get(stem) or renumber(stem)) + ".npy"] = data
    tmp = path.with_name(path.name + ".tmp")
    with zipfile.ZipFile(tmp, "w", compression=compression) as target:
        for name in sorted(renamed):
            info = zipfile.ZipInfo(name, date_time=_ZIP_EPOCH)
            info.compress_type = compression
            info.external_attr = 0o644 << 16
            target.writestr(info, renamed[name])
    tmp.replace(path)


def save_serving(model: Any, directory: Path, spec: Spec) -> list[Path]:
    """The files the serving runtime loads (``conventions.serving_files``): a joblib pickle
    where the spec serves realtime from a cluster (and opted in to it, M057), else none."""
    import joblib

    written = []
    for name in serving_files(spec):
        path = directory / SERVING_DIR / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if not name.endswith(".joblib"):
            raise ValueError(f"no writer for serving file {name}")
        joblib.dump(model, path)
        written.append(path)
    return written


def untrusted_types(path: Path) -> list[str]:
    import skops.io as sio

    return sorted(sio.get_untrusted_types(file=path))


def trusted(types: list[str]) -> bool:
    return all(name.startswith(ALLOWED_MODULES) for name in types)


def load(directory: Path, fmt: str = "skops") -> Any:
    """Load the model of an output/version directory, safely (see the module docstring)."""
    path = directory / file_name(fmt)
    if not path.is_file():
        other = [f for f in FILES.values() if (directory / f).is_file()]
        hint = (f"it holds {other[0]}; the spec's model.artifact.format must match"
                if other else "pass a directory that `mlops-spec train --out` wrote")
        raise TrainError.single("T011", f"no {path.name} in the model directory",
                                str(directory), hint=hint)
    if fmt == "joblib":
        import joblib

        return joblib.load(path)
    import skops.io as sio

    try:
        types = untrusted_types(path)
    except Exception as exc:  # skops raises many types for a damaged file
        raise TrainError.single("T011", f"cannot read the skops artifact: {exc}",
                                str(path)) from None
    refused = [name for name in types if not name.startswith(ALLOWED_MODULES)]
    if refused:
        raise TrainError.single(
            "T011", f"the artifact names types outside scikit-learn and numpy: "
                    f"{', '.join(refused[:5])}", str(path),
            hint="it was not written by mlops-spec train, or was altered; do not load it")
    return sio.load(path, trusted=types)
