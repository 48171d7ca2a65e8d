"""The jobs that train install the serving runtime's scikit-learn after mlops-spec, so the
artifact `upload` receives records the version the pinned runtime carries (A014)."""

from __future__ import annotations

from pathlib import Path

import yaml
from variants import variant

from mlops_spec.render.install import runtime_pin
from mlops_spec.render.kubernetes.runtimes import KSERVE_SKLEARN, training_requirement
from mlops_spec.spec.sections import Spec

EXAMPLE = Path(__file__).resolve().parents[2] / "example-repo"
PIN = f"scikit-learn=={KSERVE_SKLEARN.sklearn}"


def _spec(data: dict[str, object]) -> Spec:
    return Spec.model_validate(data)


def _steps(workflow: str, job: str) -> list[dict[str, object]]:
    path = EXAMPLE / ".github" / "workflows" / f"mlops-credit-risk-{workflow}.yml"
    steps: list[dict[str, object]] = yaml.safe_load(path.read_text())["jobs"][job]["steps"]
    return steps


def _runs(steps: list[dict[str, object]]) -> list[str]:
    return [str(step.get("run", "")) for step in steps]


def test_the_pin_is_the_runtimes_version_for_model_commands_only() -> None:
    spec = _spec(variant("example"))
    assert runtime_pin(spec, "train") == training_requirement(spec) == PIN
    assert runtime_pin(spec, "upload", "publish") is None
    assert runtime_pin(_spec(variant("embedded-minimal")), "train") is None


def test_github_actions_train_jobs_install_it_before_training() -> None:
    steps = _steps("deploy", "train")
    runs = _runs(steps)
    pinned = next(i for i, s in enumerate(steps)
                  if (s.get("env") or {}).get("MLOPS_SPEC_RUNTIME_PIN") == PIN)  # type: ignore[union-attr]
    installed = next(i for i, r in enumerate(runs) if "$MLOPS_SPEC_REQUIREMENT" in r)
    trained = next(i for i, r in enumerate(runs) if r.startswith("mlops-spec train"))
    assert installed < pinned < trained
    assert runs[pinned] == 'python -m pip install "$MLOPS_SPEC_RUNTIME_PIN"'
    assert not any("RUNTIME_PIN" in r for r in _runs(_steps("deploy", "upload")))
    assert any("RUNTIME_PIN" in r for r in _runs(_steps("pr", "check")))


def test_jenkins_installs_it_in_every_flow_that_trains() -> None:
    text = (EXAMPLE / "Jenkinsfile").read_text()
    assert f"MLOPS_SPEC_RUNTIME_PIN = '{PIN}'" in text
    flows = [f'--quiet "${name}"\n' for name in ("MLOPS_SPEC_PR_REQUIREMENT",
             "MLOPS_SPEC_MAIN_REQUIREMENT", "MLOPS_SPEC_SCHEDULED_REQUIREMENT")]
    present = [first for first in flows if first in text]
    assert present and present[0] == flows[0]  # the example's Jenkins owns the PR flow
    for first in present:
        at = text.index(first) + len(first)
        assert text[at:].lstrip().startswith(
            '.venv/bin/python -m pip install --isolated --quiet "$MLOPS_SPEC_RUNTIME_PIN"')
