"""External validators on every overlay of every renderable spec.

For the example, every allowed mode x platform x strategy x router x training platform,
and the extra cases:

* ``kubectl kustomize deploy/<env>`` (and ``deploy/training``) builds;
* built-in kinds pass ``kubernetes-validate --strict`` for the oldest and newest
  Kubernetes versions docs/kubernetes.md claims, with no unknown-kind warnings;
* InferenceService, Rollout and AnalysisTemplate pass the upstream CRD schemas in
  tests/fixtures/crd-schemas (vendored, provenance in its README) with unknown fields
  rejected;
* Istio's VirtualService (no upstream schema is shared) passes a strict schema of the
  fields we write, taken from the Istio networking/v1 reference;
* after the pipeline sets the version, no placeholder is left anywhere.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from kubernetes_cases import (
    CRD_SCHEMAS,
    DEPLOYED,
    REPO,
    kustomize,
    overlays,
    render_case,
    renderable_cases,
    set_version,
)

pytestmark = pytest.mark.slow

KUBERNETES_VERSIONS = ("1.28.0", "1.37.0")
"""Oldest and newest Kubernetes versions docs/kubernetes.md claims (1.37 is the newest
kubernetes-validate 1.37.0 ships)."""

CRDS = {
    ("serving.kserve.io/v1beta1", "InferenceService"):
        "inferenceservice-serving.kserve.io-v1beta1.json",
    ("argoproj.io/v1alpha1", "Rollout"): "rollout-argoproj.io-v1alpha1.json",
    ("argoproj.io/v1alpha1", "AnalysisTemplate"): "analysistemplate-argoproj.io-v1alpha1.json",
}

_STRING = {"type": "string"}
_DESTINATION = {
    "type": "object", "required": ["host"], "additionalProperties": False,
    "properties": {"host": _STRING, "subset": _STRING, "port": {
        "type": "object", "additionalProperties": False,
        "properties": {"number": {"type": "integer", "minimum": 1, "maximum": 65535}}}},
}
VIRTUAL_SERVICE = {
    "type": "object", "required": ["apiVersion", "kind", "metadata", "spec"],
    "additionalProperties": False,
    "properties": {
        "apiVersion": {"const": "networking.istio.io/v1"},
        "kind": {"const": "VirtualService"},
        "metadata": {"type": "object"},
        "spec": {"type": "object", "additionalProperties": False, "properties": {
            "hosts": {"type": "array", "items": _STRING, "minItems": 1},
            "http": {"type": "array", "items": {
                "type": "object", "additionalProperties": False, "properties": {
                    "name": _STRING,
                    # HTTPMatchRequest.port: the route applies to one Service port.
                    "match": {"type": "array", "items": {
                        "type": "object", "additionalProperties": False, "properties": {
                            "port": {"type": "integer", "minimum": 1, "maximum": 65535}}}},
                    "route": {"type": "array", "items": {
                        "type": "object", "additionalProperties": False,
                        "required": ["destination"], "properties": {
                            "destination": _DESTINATION,
                            "weight": {"type": "integer", "minimum": 0, "maximum": 100}}}},
                }}},
        }},
    },
}
"""The fields of Istio's VirtualService (networking.istio.io/v1) that we write, strict."""


def _strict(schema: Any) -> Any:
    """Reject unknown fields like an API server: every object schema that lists
    properties and does not preserve unknown fields gets additionalProperties: false."""
    if isinstance(schema, dict):
        out = {key: _strict(value) for key, value in schema.items()}
        if ("properties" in out and "additionalProperties" not in out
                and not out.get("x-kubernetes-preserve-unknown-fields")):
            out["additionalProperties"] = False
        return out
    if isinstance(schema, list):
        return [_strict(item) for item in schema]
    return schema


@cache
def crd_validator(key: tuple[str, str]) -> jsonschema.Draft7Validator:
    path = CRD_SCHEMAS / CRDS[key]
    if not path.is_file():
        pytest.fail(f"{path} is missing: CRD schemas are vendored in tests/fixtures/crd-schemas")
    return jsonschema.Draft7Validator(_strict(json.loads(path.read_text())))


def kubernetes_validate() -> str:
    beside = Path(sys.executable).with_name("kubernetes-validate")
    found = str(beside) if beside.is_file() else shutil.which("kubernetes-validate")
    if found is None:
        pytest.fail("kubernetes-validate is not installed: `make setup` installs the test "
                    "extra (pip install kubernetes-validate)")
    return found


@cache
def rendered(name: str, root: Path) -> Path:
    return render_case(renderable_cases()[name], root / name)


@pytest.fixture(scope="module")
def out_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("k8s")


CASES = sorted(renderable_cases())


def _builds(model_dir: Path, version: str | None = None) -> dict[str, list[dict[str, Any]]]:
    builds = {}
    for overlay in overlays(model_dir):
        if version is not None:
            set_version(overlay, version)
        builds[overlay.name] = kustomize(overlay)
    return builds


@pytest.mark.parametrize("name", CASES)
def test_every_overlay_builds_and_validates(name: str, out_dir: Path,
                                            tmp_path: Path) -> None:
    model_dir = rendered(name, out_dir)
    builds = _builds(model_dir)
    assert builds, "nothing to build"
    builtin: list[dict[str, Any]] = []
    crd_problems: list[str] = []
    for overlay, documents in builds.items():
        for doc in documents:
            key = (doc["apiVersion"], doc["kind"])
            if key in CRDS:
                crd_problems += [f"{overlay} {doc['kind']} {'.'.join(map(str, e.path))}: "
                                 f"{e.message}" for e in crd_validator(key).iter_errors(doc)]
            elif doc["apiVersion"].startswith("networking.istio.io/"):
                crd_problems += [f"{overlay} VirtualService: {e.message}" for e in
                                 jsonschema.Draft7Validator(VIRTUAL_SERVICE).iter_errors(doc)]
            else:
                builtin.append(doc)
    assert not crd_problems, "\n".join(crd_problems)
    manifest = tmp_path / "builtin.yaml"
    manifest.write_text(yaml.safe_dump_all(builtin), encoding="utf-8")
    command = [kubernetes_validate(), "--strict", "--quiet"]
    for version in KUBERNETES_VERSIONS:
        command += ["-k", version]
    run = subprocess.run([*command, str(manifest)], capture_output=True, text=True,
                         check=False)
    report = run.stdout + run.stderr
    assert run.returncode == 0 and not report.strip(), report


@pytest.mark.parametrize("name", CASES)
def test_the_version_reaches_every_field(name: str, tmp_path: Path) -> None:
    data = renderable_cases()[name]
    pinned = {env["name"]: env.get("model_version")
              for env in data["deployment"]["environments"]}
    model_dir = render_case(data, tmp_path)
    for overlay, documents in _builds(model_dir, DEPLOYED).items():
        version = pinned.get(overlay) or DEPLOYED
        text = yaml.safe_dump_all(documents)
        assert "<unset>" not in text, f"{overlay} still has the placeholder"
        for doc in documents:
            labels = doc["metadata"]["labels"]
            assert labels["app.kubernetes.io/version"] == version, (overlay, doc["kind"])
        for uri in re.findall(r"(?:s3|gs|https|hdfs)://\S+/serving", text):
            assert uri.endswith(f"/{version}/serving"), uri


def test_overlays_build_as_rendered(out_dir: Path) -> None:
    """Straight after render (nothing set), every overlay builds; unpinned ones carry the
    placeholder, which the API server refuses as a label value."""
    model_dir = rendered("example", out_dir)
    for overlay, documents in _builds(model_dir).items():
        versions = {d["metadata"]["labels"]["app.kubernetes.io/version"] for d in documents}
        assert versions == {"<unset>"}, overlay


def test_docs_claim_the_versions_validated() -> None:
    docs = (REPO / "docs" / "kubernetes.md").read_text()
    for version in KUBERNETES_VERSIONS:
        assert version.rsplit(".", 1)[0] in docs
