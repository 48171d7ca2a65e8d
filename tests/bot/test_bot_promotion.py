"""`mlops-spec promotion-pr` against the loopback GitHub, from a git checkout of the example."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from bot_support import REPO_NAME, loopback_github, tree
from github_server import GitHubState
from helpers import REPO

from mlops_spec.main import main as mlops_main

V1 = "1111111111111111111111111111111111111111"
V2 = "2222222222222222222222222222222222222222"
STAGING = "mlops/promote/credit-risk/staging"
PRODUCTION = "mlops/promote/credit-risk/production"


@pytest.fixture
def github(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[GitHubState]:
    yield from loopback_github(monkeypatch, tmp_path)



@pytest.fixture
def checkout(github: GitHubState, tmp_path: Path) -> Path:
    """A git checkout of the example as main, and the same files as main on GitHub."""
    root = tmp_path / "checkout"
    shutil.copytree(REPO / "example-repo", root)
    subprocess.run(["git", "init", "-q", "-b", "main", str(root)], check=True)
    github.repo(REPO_NAME).branches["main"] = github.commit(REPO_NAME, None, tree(root))
    return root


def promote(root: Path, environment: str, version: str) -> int:
    return mlops_main(["promotion-pr", str(root / "mlops.yaml"), "--environment", environment,
                       "--version", version, "--base", "main"])


def promotion_pulls(github: GitHubState) -> list[object]:
    return [p for p in github.repo(REPO_NAME).pulls.values()
            if p.head_ref.startswith("mlops/promote/") and p.state == "open"]


def merge(github: GitHubState, root: Path, branch: str) -> None:
    """Merge the promotion branch: its files become main's, on GitHub and in the checkout."""
    repo = github.repo(REPO_NAME)
    files = repo.trees[repo.branches[branch]]
    repo.branches["main"] = repo.branches[branch]
    for pull in repo.pulls.values():
        if pull.head_ref == branch:
            pull.state = "closed"
    for path, data in files.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_bytes(data)


def test_one_pull_request_per_environment_updated_not_duplicated(
        github: GitHubState, checkout: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = github.repo(REPO_NAME)
    main_files = repo.trees[repo.branches["main"]]
    assert promote(checkout, "staging", V1) == 0
    pulls = promotion_pulls(github)
    assert len(pulls) == 1
    pull = pulls[0]
    assert pull.head_ref == STAGING and pull.base_ref == "main"  # type: ignore[attr-defined]
    head = repo.trees[repo.branches[STAGING]]
    spec = head["mlops.yaml"].decode()
    assert f'{{name: staging, namespace: ml-staging, auto_deploy: true, model_version: "{V1}"}}' \
        in spec
    # only that value changed: every other line (comments included) is main's
    before = main_files["mlops.yaml"].decode().splitlines()
    after = spec.splitlines()
    assert len(before) == len(after)
    assert [i for i, (a, b) in enumerate(zip(before, after, strict=True)) if a != b] == [
        before.index("    - {name: staging, namespace: ml-staging, auto_deploy: true}")]
    changed = sorted(p for p in head if head[p] != main_files.get(p))
    assert "mlops.yaml" in changed and len(changed) > 1
    assert any(V1.encode() in head[p] for p in changed if p.startswith("deploy/"))
    assert not any(V1.encode() in head[p] for p in changed if "production" in p)
    # the re-rendered files are exactly what `render` writes for the new spec
    (checkout / "mlops.yaml").write_bytes(head["mlops.yaml"])
    assert mlops_main(["render", str(checkout / "mlops.yaml"), "-q"]) == 0
    assert tree(checkout) == head
    subprocess.run(["git", "-C", str(checkout), "checkout", "-q", "--", "."], check=False)
    (checkout / "mlops.yaml").write_bytes(main_files["mlops.yaml"])
    assert mlops_main(["render", str(checkout / "mlops.yaml"), "-q"]) == 0
    assert tree(checkout) == main_files

    assert promote(checkout, "staging", V2) == 0
    pulls = promotion_pulls(github)
    assert len(pulls) == 1 and pulls[0].number == pull.number  # type: ignore[attr-defined]
    assert f'model_version: "{V2}"'.encode() in repo.trees[repo.branches[STAGING]]["mlops.yaml"]
    assert V2 in pulls[0].title  # type: ignore[attr-defined]
    assert "Updated promotion pull request" in capsys.readouterr().out


def test_production_is_refused_a_version_staging_does_not_pin(
        github: GitHubState, checkout: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert promote(checkout, "production", V1) == 2
    err = capsys.readouterr().err
    assert "B041" in err and "staging pins no version" in err and "promote staging first" in err
    assert promotion_pulls(github) == [] and github.writes() == []

    assert promote(checkout, "staging", V1) == 0
    merge(github, checkout, STAGING)
    assert promote(checkout, "production", V2) == 2  # staging runs V1, not V2
    assert f"staging pins {V1}" in capsys.readouterr().err
    assert promote(checkout, "production", V1) == 0
    pulls = promotion_pulls(github)
    assert [p.head_ref for p in pulls] == [PRODUCTION]  # type: ignore[attr-defined]
    repo = github.repo(REPO_NAME)
    spec = repo.trees[repo.branches[PRODUCTION]]["mlops.yaml"].decode()
    assert spec.count(f'model_version: "{V1}"') == 2
    assert "sme, ml_engineer" in pulls[0].body  # type: ignore[attr-defined]


def test_unknown_environment_and_bad_version(github: GitHubState, checkout: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    assert promote(checkout, "prod", V1) == 2
    assert "B040" in capsys.readouterr().err
    assert promote(checkout, "staging", "not a version!") == 2
    assert "B040" in capsys.readouterr().err
    assert github.writes() == []
