"""Bars: the champion an evaluation compared with must be the version production serves by
the base branch (its pin, else its overlay's model-version.env), read from git, not from the
evidence; and a comparison in force is checked whatever the checklists say."""

from __future__ import annotations

from pathlib import Path

import pytest
from gate_helpers import MEMBERS, GateRepo, spec_of, status
from helpers import example_text, mutate

SERVED = "a" * 40
OTHER = "c" * 40
PRODUCTION = "    - {name: production, namespace: ml-prod, approvers: [sme, ml_engineer]}"
OVERLAY = "models/credit/deploy/production/model-version.env"


def pinned(version: str) -> str:
    return mutate(example_text(), (PRODUCTION, PRODUCTION[:-1] + f", model_version: {version}}}"))


def codes(spec: dict[str, object]) -> set[str]:
    return {d["code"] for d in spec["diagnostics"]}  # type: ignore[attr-defined]


def reason(spec: dict[str, object], check_id: str) -> str:
    return str(next(c["reason"] for c in spec["checks"]  # type: ignore[attr-defined]
                    if c["id"] == check_id))


def retrained(repo: GateRepo) -> Path:
    """A change of what the model is trained from, committed, approved by every role."""
    repo.edit(("max_iter: 200", "max_iter: 300"))
    head = repo.commit("retrain")
    return repo.approvals(*[(login, "APPROVED", head) for login in MEMBERS.values()])


@pytest.fixture
def repo(tmp_path: Path) -> GateRepo:
    return GateRepo(tmp_path / "repo", pinned(SERVED))


def test_no_champion_while_production_serves_is_pending(repo: GateRepo) -> None:
    approvals = retrained(repo)
    code, report = repo.check("--approvals", approvals, "--evaluation", repo.evaluation())
    spec = spec_of(report)
    assert code == 1 and spec["verdict"] == "pending"
    assert status(spec, "champion-challenger") == "pending"
    assert reason(spec, "champion-challenger") == (
        f"no champion comparison while production serves {SERVED}")
    assert "G270" in codes(spec)


def test_a_champion_other_than_production_is_pending(repo: GateRepo) -> None:
    approvals = retrained(repo)
    forged = repo.evaluation(champion={"roc_auc": 0.5, "f1": 0.3}, champion_version=OTHER)
    code, report = repo.check("--approvals", approvals, "--evaluation", forged)
    spec = spec_of(report)
    assert code == 1 and status(spec, "champion-challenger") == "pending"
    assert "G271" in codes(spec) and OTHER in reason(spec, "champion-challenger")


def test_the_champion_production_serves_decides(repo: GateRepo) -> None:
    approvals = retrained(repo)
    fair = repo.evaluation(champion={"roc_auc": 0.865, "f1": 0.6}, champion_version=SERVED)
    code, report = repo.check("--approvals", approvals, "--evaluation", fair)
    spec = spec_of(report)
    assert code == 0 and spec["verdict"] == "pass", spec["summary"]
    assert not codes(spec) & {"G270", "G271"}
    worse = repo.evaluation(champion={"roc_auc": 0.95, "f1": 0.6}, champion_version=SERVED)
    code, report = repo.check("--approvals", approvals, "--evaluation", worse)
    assert code == 1 and status(spec_of(report), "champion-challenger") == "fail"


def test_the_heads_pin_does_not_move_the_expected_champion(repo: GateRepo) -> None:
    """Re-pinning production in the PR to match a forged champion changes nothing: the base
    says what production serves."""
    repo.edit(("max_iter: 200", "max_iter: 300"), (f"model_version: {SERVED}",
                                                   f"model_version: {OTHER}"))
    head = repo.commit("re-pin")
    approvals = repo.approvals(*[(login, "APPROVED", head) for login in MEMBERS.values()])
    forged = repo.evaluation(champion={"roc_auc": 0.5, "f1": 0.3}, champion_version=OTHER)
    code, report = repo.check("--approvals", approvals, "--evaluation", forged)
    spec = spec_of(report)
    assert code == 1 and "G271" in codes(spec)


def test_the_comparison_in_force_is_required_whatever_the_checklist(repo: GateRepo) -> None:
    """The example's checklist omits champion-challenger; a PR removing vs_production still
    has the base's comparison in force."""
    repo.edit(("max_iter: 200", "max_iter: 300"),
              ("    vs_production: {metric: roc_auc, max_drop: 0.01}\n", ""))
    head = repo.commit("no comparison")
    approvals = repo.approvals(*[(login, "APPROVED", head) for login in MEMBERS.values()])
    code, report = repo.check("--approvals", approvals, "--evaluation", repo.evaluation())
    spec = spec_of(report)
    assert code == 1 and status(spec, "champion-challenger") == "pending"
    assert "G270" in codes(spec)


def test_the_overlay_file_records_it_without_a_pin(tmp_path: Path) -> None:
    repo = GateRepo(tmp_path / "repo")
    repo.git("checkout", "-q", "main")
    repo.write(f"# written by the deploy job\nMODEL_VERSION={SERVED}\n", OVERLAY)
    repo.commit("deployed")
    repo.git("checkout", "-q", "-B", "pr")
    approvals = retrained(repo)
    code, report = repo.check("--approvals", approvals, "--evaluation", repo.evaluation())
    assert code == 1 and "G270" in codes(spec_of(report))
    # The PR rewriting the overlay is not what production serves either.
    repo.write("MODEL_VERSION=<unset>\n", OVERLAY)
    head = repo.commit("unset")
    approvals = repo.approvals(*[(login, "APPROVED", head) for login in MEMBERS.values()])
    code, report = repo.check("--approvals", approvals, "--evaluation", repo.evaluation())
    assert code == 1 and "G270" in codes(spec_of(report))


def test_production_serving_nothing_needs_no_champion(tmp_path: Path) -> None:
    repo = GateRepo(tmp_path / "repo")  # the example's overlay says <unset>, no pin
    approvals = retrained(repo)
    code, report = repo.check("--approvals", approvals, "--evaluation", repo.evaluation())
    spec = spec_of(report)
    assert code == 0, spec["summary"]
    assert status(spec, "champion-challenger") == "pass"


def test_a_malformed_overlay_on_the_base_exits_2(tmp_path: Path) -> None:
    repo = GateRepo(tmp_path / "repo")
    repo.git("checkout", "-q", "main")
    repo.write("MODEL_VERSION=$(curl evil)\n", OVERLAY)
    repo.commit("broken")
    repo.git("checkout", "-q", "-B", "pr")
    repo.edit(("max_iter: 200", "max_iter: 300"))
    code, _, err = repo.run("check", "--base", "main")
    assert code == 2 and "G006" in err and "model-version.env" in err
