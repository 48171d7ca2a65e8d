"""Issue 16: a change that moves KServe's deploymentMode needs the InferenceService deleted
and recreated (KServe refuses it in place); the gate says so on the change, in the notes,
in the Markdown and in `diff`, and says nothing for a change that keeps the mode."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
from gate_helpers import GateRepo, spec_of
from helpers import REPO, example_text, mutate

CANARY = "    type: canary\n    steps: [{weight: 10, pause: 15m}, {weight: 50, pause: 30m}]\n"
ROLLING = "    type: rolling\n"
STAGING = "    - {name: staging, namespace: ml-staging, auto_deploy: true}\n"
DEV_TO_ZERO = ("    - {name: dev, namespace: ml-dev, "
               "autoscaling: {min_replicas: 0, max_replicas: 2}}\n")
RECREATE = "needs the InferenceService deleted and recreated in staging, production"


def _noted(spec: dict[str, Any]) -> dict[str, str]:
    return {c["path"]: c["note"] for c in spec["changes"] if "note" in c}


def test_canary_to_rolling_needs_a_recreate_everywhere(tmp_path: Path) -> None:
    repo = GateRepo(tmp_path / "repo")  # the example: a canary, so Knative
    repo.edit((CANARY, ROLLING))
    repo.commit()
    _, report = repo.check()
    jsonschema.Draft202012Validator(json.loads(
        (REPO / "schemas" / "gate-report.schema.json").read_text())).validate(report)
    spec = spec_of(report)
    noted = _noted(spec)
    assert list(noted) == ["deployment.strategy.type"], spec["changes"]  # not the steps
    assert "KServe deploymentMode Knative -> Standard" in noted["deployment.strategy.type"]
    assert RECREATE in noted["deployment.strategy.type"]
    assert [n for n in spec["notes"] if RECREATE in n] == [noted["deployment.strategy.type"]]
    assert RECREATE in spec["markdown"]
    code, out, _ = repo.run("diff", "--base", "main")
    assert code == 0 and out.count(RECREATE) == 1, out
    assert f"{repo.path}: note: KServe deploymentMode Knative -> Standard: " in out
    code, out, _ = repo.run("diff", "--base", "main", "--format", "json")
    rows = json.loads(out)["changes"]
    assert [r["path"] for r in rows if "note" in r] == ["deployment.strategy.type"]


def test_an_environment_scaling_to_zero_moves_the_others(tmp_path: Path) -> None:
    repo = GateRepo(tmp_path / "repo", mutate(example_text(), (CANARY, ROLLING)))  # Standard
    repo.edit((STAGING, STAGING + DEV_TO_ZERO))
    _, report = repo.check()
    spec = spec_of(report)
    noted = _noted(spec)
    # the new environment is the cause (the list's new order is not); dev is created fresh
    assert list(noted) == ["deployment.environments[dev]"], spec["changes"]
    assert "Standard -> Knative" in noted["deployment.environments[dev]"]
    assert RECREATE + " (" in noted["deployment.environments[dev]"]


def test_a_change_that_keeps_the_mode_needs_no_recreate(tmp_path: Path) -> None:
    repo = GateRepo(tmp_path / "repo")
    repo.edit(("min_replicas: 2", "min_replicas: 3"), (CANARY, CANARY.replace("50", "60")))
    _, report = repo.check()
    spec = spec_of(report)
    assert len(spec["changes"]) == 2 and _noted(spec) == {}
    assert not any("recreated" in n for n in spec["notes"])
    assert "recreated" not in spec["markdown"]


def test_removing_the_environment_that_scaled_to_zero_moves_the_rest_back(
        tmp_path: Path) -> None:
    knative = mutate(example_text(), (CANARY, ROLLING), (STAGING, STAGING + DEV_TO_ZERO))
    repo = GateRepo(tmp_path / "repo", knative)
    repo.edit((DEV_TO_ZERO, ""))
    _, report = repo.check()
    noted = _noted(spec_of(report))
    assert list(noted) == ["deployment.environments[dev]"]
    assert "Knative -> Standard" in noted["deployment.environments[dev]"]
    assert RECREATE + " (" in noted["deployment.environments[dev]"]
