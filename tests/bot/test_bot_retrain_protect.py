"""`mlops-spec retrain-pr` and `mlops-spec protect` against the loopback GitHub."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from bot_support import REPO_NAME, loopback_github
from github_server import Fault, GitHubState
from helpers import example_text, mutate

from mlops_spec.main import main as mlops_main


@pytest.fixture
def github(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[GitHubState]:
    yield from loopback_github(monkeypatch, tmp_path)

RECORD = "retrain/evaluation.json"


@pytest.fixture
def main_branch(github: GitHubState) -> str:
    sha = github.commit(REPO_NAME, None, {"mlops.yaml": b"name: credit-risk\n"})
    github.repo(REPO_NAME).branches["main"] = sha
    return sha


def evaluation(tmp_path: Path, auc: float) -> Path:
    path = tmp_path / f"evaluation-{auc}.json"
    path.write_text(json.dumps({"model": "credit-risk", "metrics": {"roc_auc": auc}}))
    return path


def retrain(path: Path, trigger: str = "monitoring") -> int:
    return mlops_main(["retrain-pr", "--model", "credit-risk", "--evaluation", str(path),
                       "--record", RECORD, "--trigger", trigger, "--base", "main",
                       "--workflow-token"])


def test_one_open_retrain_pull_request_per_model(github: GitHubState, main_branch: str,
                                                 tmp_path: Path) -> None:
    repo = github.repo(REPO_NAME)
    assert retrain(evaluation(tmp_path, 0.81)) == 0
    opened = [p for p in repo.pulls.values() if p.head_ref.startswith("mlops/retrain/")]
    assert len(opened) == 1
    pull = opened[0]
    assert pull.head_ref == "mlops/retrain/credit-risk/monitoring" and pull.base_ref == "main"
    assert '"roc_auc": 0.81' in pull.body and "close and reopen" in pull.body
    files = repo.trees[repo.branches[pull.head_ref]]
    assert json.loads(files[RECORD])["metrics"]["roc_auc"] == 0.81
    assert files["mlops.yaml"] == b"name: credit-risk\n"  # based on main

    assert retrain(evaluation(tmp_path, 0.83), trigger="schedule") == 0
    opened = [p for p in repo.pulls.values() if p.head_ref.startswith("mlops/retrain/")]
    assert len(opened) == 1 and opened[0].number == pull.number  # updated, not duplicated
    assert '"roc_auc": 0.83' in opened[0].body and "schedule" in opened[0].title
    head = repo.trees[repo.branches[pull.head_ref]]
    assert json.loads(head[RECORD])["metrics"]["roc_auc"] == 0.83


def test_no_pull_request_when_the_evaluation_is_unchanged(github: GitHubState,
                                                          main_branch: str,
                                                          tmp_path: Path) -> None:
    path = evaluation(tmp_path, 0.8)
    repo = github.repo(REPO_NAME)
    repo.branches["main"] = github.commit(REPO_NAME, main_branch, {RECORD: path.read_bytes()})
    assert retrain(path) == 0
    assert repo.pulls.keys() == {7}
    assert github.writes() == []


def test_retrain_without_contents_permission_names_it(github: GitHubState, main_branch: str,
                                                      tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    github.add_token("ghs_readonly", "github-actions[bot]", {"pull-requests"})
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("GITHUB_TOKEN", "ghs_readonly")
        assert retrain(evaluation(tmp_path, 0.9)) == 2
    err = capsys.readouterr().err
    assert "contents: write" in err and "ghs_readonly" not in err


@pytest.fixture
def spec_dir(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    (root / "mlops.yaml").write_text(example_text(), encoding="utf-8")
    return root


def test_protect_is_idempotent(github: GitHubState, spec_dir: Path,
                               capsys: pytest.CaptureFixture[str]) -> None:
    args = ["protect", str(spec_dir), "--repo", REPO_NAME]
    assert mlops_main(args) == 0
    repo = github.repo(REPO_NAME)
    (ruleset,) = repo.rulesets.values()
    rules = {rule["type"]: rule.get("parameters") for rule in ruleset["rules"]}
    assert rules["required_status_checks"]["required_status_checks"] == [
        {"context": "mlops-spec/credit-risk: main"}]
    assert rules["pull_request"]["require_code_owner_review"] is True
    assert ruleset["conditions"]["ref_name"]["include"] == ["refs/heads/main"]
    assert set(repo.environments) == {"staging", "production"}
    assert all(env["deployment_branch_policy"]["custom_branch_policies"]
               for env in repo.environments.values())
    assert [p["name"] for p in repo.branch_policies["production"]] == ["main"]
    capsys.readouterr()
    github.clear_requests()
    assert mlops_main(args) == 0
    assert github.writes() == []
    assert "already protected" in capsys.readouterr().out
    # Somebody loosens the ruleset: protect puts it back.
    ruleset["rules"] = [{"type": "deletion"}]
    assert mlops_main(args) == 0
    assert [w.method for w in github.writes()] == ["PUT"]
    assert len(repo.rulesets) == 1


def test_protect_dry_run_changes_nothing(github: GitHubState, spec_dir: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    assert mlops_main(["protect", str(spec_dir), "--repo", REPO_NAME, "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "would POST /repos/acme/models/rulesets" in out
    assert "would PUT /repos/acme/models/environments/production" in out
    assert github.writes() == [] and github.repo(REPO_NAME).rulesets == {}


def test_protect_needs_an_admin_token(github: GitHubState, spec_dir: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    github.add_token("ghs_x", "github-actions[bot]", {"pull-requests"})
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("GITHUB_TOKEN", "ghs_x")
        assert mlops_main(["protect", str(spec_dir), "--repo", REPO_NAME]) == 2
    assert "administration: write" in capsys.readouterr().err


def test_contents_are_base64_through_the_api(github: GitHubState, main_branch: str,
                                             tmp_path: Path) -> None:
    assert retrain(evaluation(tmp_path, 0.7)) == 0
    put = next(r for r in github.requests if r.method == "PUT")
    assert json.loads(base64.b64decode(put.body["content"]))["metrics"]["roc_auc"] == 0.7


def test_retrain_pull_request_that_landed_before_a_502_is_not_opened_twice(
        github: GitHubState, main_branch: str, tmp_path: Path) -> None:
    github.faults.append(Fault("POST", r"/pulls$", "502-after"))
    github.faults.append(Fault("POST", r"/git/refs$", "timeout-after", stall=1.0))
    assert retrain(evaluation(tmp_path, 0.85)) == 0
    opened = [p for p in github.repo(REPO_NAME).pulls.values()
              if p.head_ref.startswith("mlops/retrain/")]
    assert len(opened) == 1


def test_classic_branch_protection_is_idempotent(github: GitHubState, spec_dir: Path) -> None:
    args = ["protect", str(spec_dir), "--repo", REPO_NAME, "--classic"]
    assert mlops_main(args) == 0
    protection = github.repo(REPO_NAME).protection["main"]
    assert protection["required_status_checks"]["contexts"] == ["mlops-spec/credit-risk: main"]
    assert protection["required_pull_request_reviews"]["require_code_owner_reviews"] is True
    assert github.repo(REPO_NAME).rulesets == {}
    github.clear_requests()
    assert mlops_main(args) == 0
    assert github.writes() == []


# --- required reviewers of push-mode environments -----------------------------------------

PUSH = ("    mode: argocd\n    repository: https://github.com/acme/credit-risk.git\n",
        "    mode: push\n")
"""The example in push delivery: GitHub's deploy job applies, its environment approves."""


def push_spec(root: Path, *edits: tuple[str, str]) -> Path:
    root.mkdir()
    (root / "mlops.yaml").write_text(mutate(example_text(), PUSH, *edits), encoding="utf-8")
    return root


def required_reviewers(env: dict[str, Any]) -> set[tuple[str, int]]:
    return {(r["type"], r["reviewer"]["id"]) for rule in env["protection_rules"]
            if rule["type"] == "required_reviewers" for r in rule["reviewers"]}


def test_push_environments_require_their_approvers(github: GitHubState, tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    # production: approvers [sme, ml_engineer] -> @acme/credit-analysts, and @mo by login
    github.teams[("acme", "credit-analysts")] = {"carol"}
    github.user("mo")
    root = push_spec(tmp_path / "repo", ('ml_engineer: ["@acme/ml-platform"]',
                                         'ml_engineer: ["@mo"]'))
    args = ["protect", str(root), "--repo", REPO_NAME]
    assert mlops_main(args) == 0
    repo = github.repo(REPO_NAME)
    assert required_reviewers(repo.environments["production"]) == {
        ("Team", github.team_ids[("acme", "credit-analysts")]), ("User", github.users["mo"])}
    assert required_reviewers(repo.environments["staging"]) == set()  # no approvers
    assert repo.environments["production"]["deployment_branch_policy"][
        "custom_branch_policies"] is True
    capsys.readouterr()
    github.clear_requests()
    assert mlops_main(args) == 0
    assert github.writes() == []  # idempotent
    # Somebody removes the reviewers: protect puts them back, in the one environment.
    repo.environments["production"]["protection_rules"] = []
    assert mlops_main(args) == 0
    (write,) = github.writes()
    assert write.method == "PUT" and write.path.endswith("/environments/production")
    assert required_reviewers(repo.environments["production"]) != set()


def test_a_role_holder_that_does_not_exist_is_b270(github: GitHubState, tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    github.teams[("acme", "credit-analysts")] = {"carol"}  # acme/ml-platform does not exist
    root = push_spec(tmp_path / "repo")
    assert mlops_main(["protect", str(root), "--repo", REPO_NAME]) == 2
    err = capsys.readouterr().err
    assert "B270" in err and "@acme/ml-platform" in err and "production" in err
    assert github.writes() == []
    # A user login nobody has, likewise.
    github.teams[("acme", "ml-platform")] = {"mo"}
    other = push_spec(tmp_path / "other", ('sme: ["@acme/credit-analysts"]',
                                           'sme: ["@nobody-here"]'))
    assert mlops_main(["protect", str(other), "--repo", REPO_NAME]) == 2
    assert "B270" in capsys.readouterr().err and github.writes() == []


def test_more_than_six_reviewers_is_b271(github: GitHubState, tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    logins = [f"reviewer{i}" for i in range(7)]
    for login in logins:
        github.user(login)
    github.teams[("acme", "ml-platform")] = {"mo"}
    root = push_spec(tmp_path / "repo", ('sme: ["@acme/credit-analysts"]',
                                         "sme: [" + ", ".join(f'"@{u}"' for u in logins)
                                         + "]"))
    assert mlops_main(["protect", str(root), "--repo", REPO_NAME]) == 2
    err = capsys.readouterr().err
    assert "B271" in err and "8 required reviewers" in err and github.writes() == []


def test_argocd_environments_get_no_reviewers(github: GitHubState, spec_dir: Path) -> None:
    """Argo CD delivery approves by promotion pull request: the environments only get the
    branch policy (the example)."""
    assert mlops_main(["protect", str(spec_dir), "--repo", REPO_NAME]) == 0
    puts = [w for w in github.writes() if w.path.endswith(("/production", "/staging"))]
    assert puts and all("reviewers" not in (w.body or {}) for w in puts)
