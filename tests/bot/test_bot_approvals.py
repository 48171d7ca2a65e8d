"""`mlops-spec approvals` against the loopback GitHub: contract-3 JSON from real reviews."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from bot_support import HEAD, REPO_NAME, TOKEN, loopback_github
from github_server import GitHubState
from helpers import example_text

from mlops_spec.main import main as mlops_main


@pytest.fixture
def github(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[GitHubState]:
    yield from loopback_github(monkeypatch, tmp_path)


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True,
                          text=True).stdout.strip()


@pytest.fixture
def checkout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "checkout"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    (root / "mlops.yaml").write_text(example_text(), encoding="utf-8")
    git(root, "add", "mlops.yaml")
    git(root, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "base")
    monkeypatch.chdir(root)
    return root


def approvals(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = mlops_main(["approvals", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_reviews_all_pages_oldest_first_with_teams(github: GitHubState, checkout: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    for index in range(120):
        github.add_review(REPO_NAME, 7, f"reader{index}", "COMMENTED", HEAD)
    github.add_review(REPO_NAME, 7, "sam", "CHANGES_REQUESTED", "d" * 40)
    github.add_review(REPO_NAME, 7, "sam", "APPROVED", HEAD)
    github.add_review(REPO_NAME, 7, "priya", "APPROVED", HEAD)
    github.teams[("acme", "ml-platform")] = {"priya"}
    code, out, err = approvals(capsys, "--spec", "mlops.yaml", "--base", "main")
    assert code == 0, err
    document = json.loads(out)
    assert document["author"] == "alice" and document["head_sha"] == HEAD
    reviews = document["reviews"]
    assert len(reviews) == 123
    assert reviews[-3:] == [
        {"login": "sam", "state": "CHANGES_REQUESTED", "commit_id": "d" * 40, "teams": []},
        {"login": "sam", "state": "APPROVED", "commit_id": HEAD, "teams": []},
        {"login": "priya", "state": "APPROVED", "commit_id": HEAD,
         "teams": ["acme/ml-platform"]}]
    pages = [r for r in github.requests if r.path.endswith("/reviews")]
    assert len(pages) == 2
    asked = {r.path for r in github.requests if "/teams/" in r.path}
    assert "/orgs/acme/teams/credit-analysts/memberships/priya" in asked
    assert TOKEN not in out + err


def test_teams_come_from_the_base_spec(github: GitHubState, checkout: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    (checkout / "mlops.yaml").write_text(example_text().replace(
        'architect: ["@ari"]', 'architect: ["@ari", "@acme/pr-authors"]'))
    github.teams[("acme", "pr-authors")] = {"sam"}
    github.add_review(REPO_NAME, 7, "sam", "APPROVED", HEAD)
    code, out, _ = approvals(capsys, "--spec", "mlops.yaml", "--base", "main")
    assert code == 0
    assert json.loads(out)["reviews"][0]["teams"] == []
    assert not any("pr-authors" in r.path for r in github.requests)


def test_without_members_permission_teams_are_unresolved(
        github: GitHubState, checkout: Path, capsys: pytest.CaptureFixture[str]) -> None:
    github.add_token(TOKEN, "github-actions[bot]", {"pull-requests"})
    github.teams[("acme", "ml-platform")] = {"priya"}
    github.add_review(REPO_NAME, 7, "priya", "APPROVED", HEAD)
    code, out, err = approvals(capsys, "--spec", "mlops.yaml", "--base", "main")
    assert code == 0
    assert json.loads(out)["reviews"][0]["teams"] == []
    assert "B012" in err and "members: read" in err


def test_unknown_base_is_an_error(github: GitHubState, checkout: Path,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = approvals(capsys, "--spec", "mlops.yaml", "--base", "no-such-ref")
    assert code == 2 and "G002" in err and "no-such-ref" in err
    assert github.requests == []


def test_missing_pull_request_names_the_permission(
        github: GitHubState, checkout: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = approvals(capsys, "--pr", "99")
    assert code == 2 and "B004" in err and "pull-requests: read" in err


def test_a_deleted_reviewer_is_skipped(github: GitHubState, checkout: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    github.add_review(REPO_NAME, 7, "sam", "APPROVED", HEAD)
    github.add_review(REPO_NAME, 7, "gone", "APPROVED", HEAD)
    import github_shapes

    original = github_shapes.review

    def without_user(*args: object) -> dict[str, object]:
        body = original(*args)  # type: ignore[arg-type]
        return body | {"user": None} if body["user"]["login"] == "gone" else body

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(github_shapes, "review", without_user)
        code, out, err = approvals(capsys)
    assert code == 0, err
    assert [r["login"] for r in json.loads(out)["reviews"]] == ["sam"]
