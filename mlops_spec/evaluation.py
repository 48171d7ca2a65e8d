"""``evaluation.json``: the evidence ``train`` writes and the gate reads (docs/evaluation.md).

One reader and one writer for both sides, so the trainer and the gate cannot drift apart.
The file is deterministic (sorted keys, no clock) and bound to one spec by its digest.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from mlops_spec.diagnostics import Diagnostic, InputError

if TYPE_CHECKING:
    from mlops_spec.spec.sections import Spec

FORMAT = "mlops-spec/evaluation/v1"
FILENAME = "evaluation.json"


def canonical_spec_json(spec: Spec) -> bytes:
    """The spec's meaning as bytes: defaults applied, aliases used, keys sorted."""
    data = spec.model_dump(mode="json", by_alias=True)
    return json.dumps(data, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False).encode()


def spec_digest(spec: Spec) -> str:
    """``sha256:<hex>`` of the canonical spec: what evidence is bound to."""
    return "sha256:" + hashlib.sha256(canonical_spec_json(spec)).hexdigest()


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


Digest = Annotated[str, Field(pattern=r"^sha256:[0-9a-f]{64}$")]
Hex = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
Count = Annotated[int, Field(ge=0)]


class SpecRef(_Record):
    path: str
    digest: Digest


class DataRecord(_Record):
    source: str
    uri: str
    sha256: Hex | None
    rows: Count


class Rows(_Record):
    train: Count
    test: Count


class ThresholdResult(_Record):
    metric: str
    min: float | None
    max: float | None
    value: float | None
    passed: bool


class Champion(_Record):
    version: str
    metrics: dict[str, float]


class VsProductionResult(_Record):
    metric: str
    max_drop: float
    challenger: float
    champion: float
    drop: float
    passed: bool


class ArtifactRecord(_Record):
    file: str
    format: Literal["skops", "joblib"]
    sha256: Hex


class Tool(_Record):
    name: str
    version: str


class Evaluation(_Record):
    """The whole file; field meanings are in docs/evaluation.md."""

    format: Literal["mlops-spec/evaluation/v1"]
    model: str
    spec: SpecRef
    data: list[DataRecord]
    task: str
    estimator: str
    rows: Rows
    metrics: dict[str, float]
    thresholds: list[ThresholdResult]
    champion: Champion | None
    vs_production: VsProductionResult | None
    decision: Literal["pass", "fail"]
    artifact: ArtifactRecord
    tool: Tool


def dumps(evaluation: Evaluation) -> str:
    """Deterministic text: sorted keys, two-space indent, a final newline."""
    return json.dumps(evaluation.model_dump(mode="json"), sort_keys=True, indent=2,
                      ensure_ascii=False) + "\n"


def write(evaluation: Evaluation, directory: Path) -> Path:
    """Write ``evaluation.json`` into ``directory`` atomically; returns its path."""
    target = directory / FILENAME
    fd, tmp = tempfile.mkstemp(prefix=f".{FILENAME}.", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(dumps(evaluation))
        Path(tmp).replace(target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def _error(file: str, message: str, hint: str | None = None) -> InputError:
    return InputError([Diagnostic(code="E001", message=message, file=file, hint=hint)])


def read(path: Path) -> Evaluation:
    """Read and check an evaluation file; a clear ``InputError`` (exit 2) otherwise."""
    file = str(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise _error(file, "evaluation file not found",
                     "run `mlops-spec train SPEC --out DIR` first, or pass its evaluation.json"
                     ) from None
    except OSError as exc:
        raise _error(file, f"cannot read the evaluation file: {exc.strerror}") from None
    if len(raw) > 16 * 1024 * 1024:
        raise _error(file, "the evaluation file is larger than 16 MiB; it is not one "
                     "mlops-spec wrote")
    try:
        data: Any = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _error(file, f"not valid JSON: {exc}") from None
    if isinstance(data, dict) and data.get("format") != FORMAT:
        raise _error(file, f"unknown evaluation format {data.get('format')!r}",
                     f"this mlops-spec reads {FORMAT!r}; re-run `mlops-spec train` with it")
    try:
        return Evaluation.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "(top level)"
        raise _error(file, f"malformed evaluation file: {where}: {first['msg']}",
                     "it must be the evaluation.json that `mlops-spec train` wrote "
                     "(docs/evaluation.md)") from None
