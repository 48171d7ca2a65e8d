"""The user-owned extension point: kustomize Components under deploy/custom/.

Users add patches there; `kubectl kustomize` applies them to every overlay (or one) while
`mlops-spec render --check` stays clean and a re-render keeps them.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import cli
from kubernetes_cases import EXAMPLE, kustomize

PULL_SECRET_PATCH = """\
- op: add
  path: /spec/predictor/imagePullSecrets
  value: [{name: acme-registry}]
"""
PRODUCTION_PATCH = """\
apiVersion: serving.kserve.io/v1beta1
kind: InferenceService
metadata:
  name: credit-risk
spec:
  predictor:
    nodeSelector: {acme.io/pool: serving}
"""


def _isvc(overlay: Path) -> dict[str, object]:
    [isvc] = [d for d in kustomize(overlay) if d["kind"] == "InferenceService"]
    return isvc


@pytest.mark.slow
def test_user_patches_apply_and_render_check_stays_clean(tmp_path: Path) -> None:
    shutil.copy(EXAMPLE, tmp_path / "mlops.yaml")
    assert cli("render", tmp_path / "mlops.yaml", "--out", tmp_path).code == 0
    custom = tmp_path / "deploy" / "custom"
    shared = custom / "kustomization.yaml"
    production = custom / "production" / "kustomization.yaml"
    assert shared.read_text().count("kind: Component") == 1

    # Every environment pulls from the team's registry; production runs on its own pool.
    (custom / "pull-secret.yaml").write_text(PULL_SECRET_PATCH, encoding="utf-8")
    shared.write_text(shared.read_text() + "patches:\n  - path: pull-secret.yaml\n"
                      "    target: {kind: InferenceService}\n", encoding="utf-8")
    (custom / "production" / "node-pool.yaml").write_text(PRODUCTION_PATCH, encoding="utf-8")
    production.write_text(production.read_text() + "patches:\n  - path: node-pool.yaml\n",
                          encoding="utf-8")
    user_text = shared.read_text(), production.read_text()

    check = cli("render", tmp_path / "mlops.yaml", "--out", tmp_path, "--check")
    assert check.code == 0, check.out + check.err

    staging, prod = _isvc(tmp_path / "deploy" / "staging"), _isvc(tmp_path / "deploy" /
                                                                  "production")
    for isvc in (staging, prod):
        assert isvc["spec"]["predictor"]["imagePullSecrets"] == [  # type: ignore[index]
            {"name": "acme-registry"}]
    assert "nodeSelector" not in staging["spec"]["predictor"]  # type: ignore[index]
    assert prod["spec"]["predictor"]["nodeSelector"] == {  # type: ignore[index]
        "acme.io/pool": "serving"}
    # The environment's own settings still apply on top (namespace, canary weight).
    assert prod["spec"]["predictor"]["canaryTrafficPercent"] == 10  # type: ignore[index]

    assert cli("render", tmp_path / "mlops.yaml", "--out", tmp_path).code == 0
    assert (shared.read_text(), production.read_text()) == user_text


@pytest.mark.slow
def test_a_deleted_component_comes_back_and_check_says_so(tmp_path: Path) -> None:
    shutil.copy(EXAMPLE, tmp_path / "mlops.yaml")
    assert cli("render", tmp_path / "mlops.yaml", "--out", tmp_path).code == 0
    (tmp_path / "deploy" / "custom" / "staging" / "kustomization.yaml").unlink()
    check = cli("render", tmp_path / "mlops.yaml", "--out", tmp_path, "--check")
    assert check.code == 1
    assert "deploy/custom/staging/kustomization.yaml" in check.out + check.err
    assert cli("render", tmp_path / "mlops.yaml", "--out", tmp_path).code == 0
    kustomize(tmp_path / "deploy" / "staging")
