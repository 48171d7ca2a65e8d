"""upload refuses an artifact trained with another scikit-learn than the serving runtime
(A014), warns where no cluster serves the store, and accepts the runtime's own version."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from store_support import write_spec
from variants import variant

from mlops_spec.render.kubernetes.runtimes import KSERVE_SKLEARN
from mlops_spec.spec.sections import Spec
from mlops_spec.spec.validate import validate_file
from mlops_spec.store.artifacts import check_runtime
from mlops_spec.store.errors import StoreError


def _example(tmp_path: Path) -> Spec:
    spec = validate_file(write_spec(tmp_path / "repo", variant("example"))).spec
    assert spec is not None and spec.deployment.platform == "kserve"
    return spec


def _trained_with(out: Path, version: str | None) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    packages = {} if version is None else {"scikit-learn": version}
    (out / "lineage.json").write_text(json.dumps({"packages": packages}), encoding="utf-8")
    return out


def test_the_runtimes_version_is_accepted(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    check_runtime(_example(tmp_path), _trained_with(tmp_path / "out", KSERVE_SKLEARN.sklearn),
                  allow_mismatch=False)
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize("version", ["1.9.0", None])
def test_another_version_is_refused_for_a_remote_store(tmp_path: Path,
                                                       version: str | None) -> None:
    out = _trained_with(tmp_path / "out", version)
    with pytest.raises(StoreError) as raised:
        check_runtime(_example(tmp_path), out, allow_mismatch=False)
    [diagnostic] = raised.value.diagnostics
    assert diagnostic.code == "A014" and diagnostic.file == str(out / "lineage.json")
    assert KSERVE_SKLEARN.sklearn in diagnostic.message
    assert diagnostic.hint and f"scikit-learn=={KSERVE_SKLEARN.sklearn}" in diagnostic.hint


def test_a_local_store_or_the_opt_out_only_warns(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    spec = _example(tmp_path)
    out = _trained_with(tmp_path / "out", "1.9.0")
    check_runtime(spec, out, allow_mismatch=True)
    assert "warning: A014" in capsys.readouterr().err
    artifact = spec.model.artifact.model_copy(update={"store": ".mlops-spec/store"})
    local = spec.model_copy(update={"model": spec.model.model_copy(
        update={"artifact": artifact})})
    check_runtime(local, out, allow_mismatch=False)  # a laptop store no cluster serves
    assert "the store is local" in capsys.readouterr().err
