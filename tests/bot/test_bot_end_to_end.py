"""End to end in a temporary git repository, with the gate (`mlops-spec check`) and the
bot against the loopback GitHub: a pull request changes the model class -> the status is
pending naming the roles -> the reviewers approve -> the review event re-runs approvals,
check and publish -> success; a further push to the spec -> pending again."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from bot_support import REPO_NAME, git, loopback_github
from github_server import GitHubState
from helpers import example_text

from mlops_spec.main import main as mlops_main


@pytest.fixture
def github(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[GitHubState]:
    yield from loopback_github(monkeypatch, tmp_path)

pytest.importorskip("mlops_spec.commands.check",
                    reason="the gate's `mlops-spec check` (issue 11) is not on this branch yet")

CONTEXT = "mlops-spec/credit-risk: main"
BASE_TEXT = example_text().replace("    vs_production: {metric: roc_auc, max_drop: 0.01}\n", "")



def commit_spec(root: Path, text: str, message: str) -> str:
    (root / "mlops.yaml").write_text(text, encoding="utf-8")
    git(root, "add", "mlops.yaml")
    git(root, "commit", "-qm", message)
    return git(root, "rev-parse", "HEAD")


def evaluation_for(root: Path, out: Path) -> Path:
    """Passing evidence bound to the head spec's digest (what `train` would write)."""
    from mlops_spec import evaluation
    from mlops_spec.spec.validate import validate_file

    spec = validate_file(root / "mlops.yaml").spec
    assert spec is not None
    record = evaluation.Evaluation.model_validate({
        "format": evaluation.FORMAT, "model": spec.name,
        "spec": {"path": "mlops.yaml", "digest": evaluation.spec_digest(spec)},
        "data": [{"source": "applications", "uri": "data/applications.csv", "sha256": None,
                  "rows": 1000}],
        "task": spec.model.task, "estimator": spec.model.estimator,
        "rows": {"train": 800, "test": 200},
        "metrics": {"roc_auc": 0.9, "f1": 0.7, "precision": 0.7, "recall": 0.7},
        "thresholds": [{"metric": "roc_auc", "min": 0.8, "max": None, "value": 0.9,
                        "passed": True},
                       {"metric": "f1", "min": 0.55, "max": None, "value": 0.7,
                        "passed": True}],
        "champion": None, "vs_production": None, "decision": "pass",
        "artifact": {"file": "model.skops", "format": "skops", "sha256": "0" * 64},
        "tool": {"name": "mlops-spec", "version": "test"}})
    out.mkdir(parents=True, exist_ok=True)
    return evaluation.write(record, out)


def gate_and_publish(root: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, object]:
    """What the workflow's steps do, in order: approvals, check, publish."""
    out = root / ".mlops-spec" / "out"
    evidence = evaluation_for(root, out)
    capsys.readouterr()
    assert mlops_main(["approvals", "--spec", "mlops.yaml", "--base", "main"]) == 0
    approvals = out / "approvals.json"
    approvals.write_text(capsys.readouterr().out, encoding="utf-8")
    code = mlops_main(["check", "mlops.yaml", "--base", "main", "--evaluation", str(evidence),
                       "--approvals", str(approvals), "--report", str(out / "report.json")])
    assert code in (0, 1), capsys.readouterr().err
    assert mlops_main(["publish", "--report", str(out / "report.json")]) == 0
    report: dict[str, object] = json.loads((out / "report.json").read_text())
    return report


def test_status_follows_reviews_and_pushes(github: GitHubState, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "work"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    commit_spec(root, BASE_TEXT, "base")
    git(root, "switch", "-q", "-c", "feature")
    head = commit_spec(root, BASE_TEXT.replace(
        "sklearn.ensemble.HistGradientBoostingClassifier",
        "sklearn.ensemble.RandomForestClassifier").replace(
        "params: {max_iter: 200, learning_rate: 0.05}", "params: {n_estimators: 300}"),
        "change the model class")
    monkeypatch.chdir(root)
    monkeypatch.delenv("GITHUB_EVENT_PATH")  # the PR is read from the API: its head moves
    monkeypatch.setenv("CHANGE_ID", "7")
    pull = github.repo(REPO_NAME).pulls[7]
    pull.head_sha = head

    report = gate_and_publish(root, capsys)
    assert report["verdict"] == "pending"
    status = github.latest_status(REPO_NAME, head, CONTEXT)
    assert status is not None and status["state"] == "pending"
    comment = github.comments(REPO_NAME, 7)[-1]["body"]
    for role in ("data_scientist", "sme", "architect"):
        assert role in str(comment), role

    # The required people approve (sme through its team); the review event re-runs.
    github.teams[("acme", "credit-analysts")] = {"priya"}
    for login in ("sam", "priya", "ari"):
        github.add_review(REPO_NAME, 7, login, "APPROVED", head)
    report = gate_and_publish(root, capsys)
    assert report["verdict"] == "pass", report
    status = github.latest_status(REPO_NAME, head, CONTEXT)
    assert status is not None and status["state"] == "success"

    # A push that changes the spec invalidates the approvals.
    head = commit_spec(root, (root / "mlops.yaml").read_text().replace(
        "n_estimators: 300", "n_estimators: 500"), "more trees")
    pull.head_sha = head
    report = gate_and_publish(root, capsys)
    assert report["verdict"] == "pending"
    status = github.latest_status(REPO_NAME, head, CONTEXT)
    assert status is not None and status["state"] == "pending"
    assert len([c for c in github.comments(REPO_NAME, 7)
                if c["user"]["login"] == "github-actions[bot]"]) == 1
