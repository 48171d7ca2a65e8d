"""Every storage URI a rendered manifest references is a directory `upload` writes:
``<store>/<version>/serving`` for realtime runtimes (exactly the files they load), the whole
version ``<store>/<version>`` for batch scoring (which runs `mlops-spec score` on it)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import store_support
import yaml
from kubernetes_cases import render_case, renderable_cases
from store_support import train_out, write_spec
from variants import VARIANTS, variant

from mlops_spec.main import main
from mlops_spec.render.kubernetes.common import MODEL_FILE
from mlops_spec.spec.validate import validate_file
from mlops_spec.store.location import store_location

# The loopback servers, shared by the store tests (a conftest.py in this directory
# would shadow tests/conftest.py, which other test modules import by name).
s3 = store_support.s3
s3_endpoint = store_support.s3_endpoint

CASES = {**{f"matrix:{name}": data for name, data in renderable_cases().items()},
         **{f"variant:{name}": variant(name) for name in VARIANTS}}
SERVED = [name for name, data in CASES.items() if data["deployment"].get("platform")]


def strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)


def referenced_uris(model_dir: Path, root: str) -> list[str]:
    """Every string under deploy/ that points into the store."""
    found = []
    for path in sorted((model_dir / "deploy").rglob("*.yaml")):
        for document in yaml.safe_load_all(path.read_text(encoding="utf-8")):
            found += [s for s in strings(document) if s.startswith(root)]
    return found


@pytest.mark.parametrize("name", SERVED)
def test_rendered_storage_uris_are_version_serving_directories(name: str,
                                                               tmp_path: Path) -> None:
    model_dir = render_case(CASES[name], tmp_path)
    spec_file = model_dir / "mlops.yaml"
    spec = validate_file(spec_file).spec
    assert spec is not None
    location = store_location(spec, spec_file)
    uris = referenced_uris(model_dir, location.uri)
    assert uris, f"{name}: no manifest references the store {location.uri}"
    # The placeholder is the version segment the overlays replace; what is left is the
    # version (batch) or its `serving` directory (realtime) as Store.upload lays it out.
    version = location.version_uri("<unset>")
    expected = version if spec.deployment.mode == "batch" else f"{version}/serving"
    for uri in uris:
        assert uri.rstrip("/") == expected, uri


@pytest.mark.slow
def test_the_served_directory_holds_what_upload_wrote(tmp_path: Path,
                                                      s3: Callable[[str], str]) -> None:
    import boto3

    s3("acme-models")
    data = variant("example")
    assert data["model"]["artifact"]["store"] == "s3://acme-models/credit-risk"
    model_dir = render_case(data, tmp_path / "rendered")
    [uri] = set(referenced_uris(model_dir, "s3://acme-models/credit-risk"))
    spec_file = write_spec(tmp_path / "repo", data)
    out = train_out(spec_file, tmp_path / "out")
    version = "0f0e0d0c0b0a09080706050403020100ffeeddcc"
    assert main(["upload", str(spec_file), "--from", str(out), "--version", version]) == 0
    served = uri.replace("<unset>", version)
    bucket, _, prefix = served.removeprefix("s3://").partition("/")
    listed = boto3.client("s3").list_objects_v2(Bucket=bucket, Prefix=prefix + "/")
    keys = sorted(o["Key"][len(prefix) + 1:] for o in listed["Contents"])
    assert keys == sorted(p.relative_to(out / "serving").as_posix()
                          for p in (out / "serving").rglob("*") if p.is_file())
    assert MODEL_FILE in keys  # the file the runtime loads
