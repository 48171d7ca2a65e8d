"""`mlops-spec promotion-pr --after REF` (the next environment after a merged promotion) and
`--auto-merge` (GraphQL enablePullRequestAutoMerge, or a direct merge) against the loopback
GitHub, from a real git checkout of the example whose main follows GitHub's main."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from bot_support import REPO_NAME, TOKEN, git, loopback_github, tree
from github_merges import checks_pass, merge_pull
from github_server import Fault, GitHubState, Pull
from helpers import REPO

from mlops_spec.main import main as mlops_main

V1 = "1111111111111111111111111111111111111111"
STAGING = "mlops/promote/credit-risk/staging"
PRODUCTION = "mlops/promote/credit-risk/production"


@pytest.fixture
def github(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[GitHubState]:
    yield from loopback_github(monkeypatch, tmp_path)




@pytest.fixture
def checkout(github: GitHubState, tmp_path: Path) -> Path:
    """A git checkout of the example as main (one commit), and the same files on GitHub."""
    root = tmp_path / "checkout"
    shutil.copytree(REPO / "example-repo", root)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "base")
    github.repo(REPO_NAME).branches["main"] = github.commit(REPO_NAME, None, tree(root))
    return root


def pull_main(github: GitHubState, root: Path) -> str:
    """The checkout becomes GitHub's main (what the deploy workflow checks out): one commit."""
    repo = github.repo(REPO_NAME)
    remote = repo.trees[repo.branches["main"]]
    for path in set(tree(root)) - set(remote):
        (root / path).unlink()
    for path, data in remote.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_bytes(data)
    git(root, "add", "-A")
    git(root, "commit", "-qm", "pull main")
    return git(root, "rev-parse", "HEAD")


def cli(root: Path, *args: str) -> int:
    return mlops_main(["promotion-pr", str(root / "mlops.yaml"), *args, "--base", "main"])


def the_pull(github: GitHubState, branch: str) -> Pull:
    [pull] = [p for p in github.repo(REPO_NAME).pulls.values()
              if p.head_ref == branch and p.state == "open"]
    return pull


def merged_staging(github: GitHubState, root: Path) -> tuple[str, str]:
    """Staging promoted to V1 and merged; (main before the merge, main after it)."""
    assert cli(root, "--environment", "staging", "--version", V1) == 0
    before = git(root, "rev-parse", "HEAD")
    pull = the_pull(github, STAGING)
    pull.merge_state = "clean"
    merge_pull(github, REPO_NAME, pull)
    return before, pull_main(github, root)


def graphql_calls(github: GitHubState) -> list[object]:
    return [r.body for r in github.requests if r.path == "/graphql"]


def test_after_the_staging_merge_production_is_next(
        github: GitHubState, checkout: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before, _ = merged_staging(github, checkout)
    capsys.readouterr()
    assert cli(checkout, "--after", before) == 0
    out = capsys.readouterr().out
    assert f"staging now runs {V1}: its next environment is production" in out
    assert "Opened promotion pull request" in out
    production = the_pull(github, PRODUCTION)
    repo = github.repo(REPO_NAME)
    spec = repo.trees[repo.branches[PRODUCTION]]["mlops.yaml"].decode()
    assert spec.count(f'model_version: "{V1}"') == 2  # staging's pin stays, production's added
    assert "sme, ml_engineer" in production.body
    # the same push seen again (a re-run): the same pull request, updated
    assert cli(checkout, "--after", before) == 0
    assert "Updated promotion pull request" in capsys.readouterr().out
    assert [p.number for p in repo.pulls.values()
            if p.head_ref == PRODUCTION] == [production.number]
    assert graphql_calls(github) == []  # no --auto-merge


def test_a_push_that_promoted_nothing_chains_nothing(
        github: GitHubState, checkout: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = git(checkout, "rev-parse", "HEAD")
    (checkout / "README.md").write_text("a change that is no promotion\n")
    git(checkout, "add", "-A")
    git(checkout, "commit", "-qm", "docs")
    github.clear_requests()
    assert cli(checkout, "--after", before, "--auto-merge") == 0
    assert "Nothing to chain: no environment's model_version changed" in capsys.readouterr().out
    assert github.requests == []  # decided from git alone


@pytest.mark.parametrize(("ref", "said"), [
    ("0" * 40, "no previous commit"), ("", "no previous commit"),
    ("3" * 40, "is not in this clone")])
def test_no_previous_commit_chains_nothing(github: GitHubState, checkout: Path, ref: str,
                                           said: str, capsys: pytest.CaptureFixture[str]
                                           ) -> None:
    github.clear_requests()
    assert cli(checkout, "--after", ref) == 0
    assert said in capsys.readouterr().out
    assert github.requests == []


def test_the_last_environment_ends_the_chain(
        github: GitHubState, checkout: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before, _ = merged_staging(github, checkout)
    assert cli(checkout, "--after", before) == 0
    pull = the_pull(github, PRODUCTION)
    pull.merge_state = "clean"
    merge_pull(github, REPO_NAME, pull)
    after_staging = git(checkout, "rev-parse", "HEAD")
    pull_main(github, checkout)
    github.clear_requests()
    capsys.readouterr()
    assert cli(checkout, "--after", after_staging) == 0
    assert f"production, the last environment, now runs {V1}" in capsys.readouterr().out
    assert github.writes() == []


def test_a_spec_new_since_ref_chains_nothing(
        github: GitHubState, checkout: Path, capsys: pytest.CaptureFixture[str]) -> None:
    git(checkout, "rm", "-q", "--cached", "mlops.yaml")
    git(checkout, "commit", "-qm", "no spec yet")
    before = git(checkout, "rev-parse", "HEAD")
    git(checkout, "add", "mlops.yaml")
    git(checkout, "commit", "-qm", "the spec")
    assert cli(checkout, "--after", before) == 0
    assert "the spec is new since" in capsys.readouterr().out


def test_options_are_either_after_or_environment_and_version(
        github: GitHubState, checkout: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli(checkout, "--after", "HEAD", "--environment", "staging") == 2
    assert "B040" in capsys.readouterr().err
    assert cli(checkout, "--environment", "staging") == 2
    assert "needs --environment and --version" in capsys.readouterr().err
    assert github.writes() == []


# --- auto-merge ------------------------------------------------------------------------------


def test_auto_merge_is_enabled_where_auto_deploy_and_github_merges_after_the_checks(
        github: GitHubState, checkout: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli(checkout, "--environment", "staging", "--version", V1, "--auto-merge") == 0
    assert "Auto-merge enabled on #" in capsys.readouterr().out
    pull = the_pull(github, STAGING)
    [call] = graphql_calls(github)
    assert "enablePullRequestAutoMerge" in call["query"]  # type: ignore[index]
    assert "mergeMethod: MERGE" in call["query"]  # type: ignore[index]
    assert call["variables"] == {"pullRequestId": f"PR_{pull.number}"}  # type: ignore[index]
    assert pull.auto_merge is not None and pull.state == "open"  # waits for the gate
    repo = github.repo(REPO_NAME)
    main = repo.branches["main"]
    assert checks_pass(github, REPO_NAME, pull.number)
    assert pull.merged and repo.branches["main"] != main
    assert f'model_version: "{V1}"'.encode() in repo.trees[repo.branches["main"]]["mlops.yaml"]


def test_no_auto_merge_without_auto_deploy(
        github: GitHubState, checkout: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before, _ = merged_staging(github, checkout)
    capsys.readouterr()
    assert cli(checkout, "--after", before, "--auto-merge") == 0
    assert "production has no auto_deploy" in capsys.readouterr().out
    assert graphql_calls(github) == []
    assert the_pull(github, PRODUCTION).auto_merge is None


def test_a_pull_request_mergeable_already_is_merged_directly(
        github: GitHubState, checkout: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli(checkout, "--environment", "staging", "--version", V1) == 0
    pull = the_pull(github, STAGING)
    pull.merge_state = "clean"  # no required check left to wait for
    assert cli(checkout, "--environment", "staging", "--version", V1, "--auto-merge") == 0
    out = capsys.readouterr().out
    assert "is mergeable now (clean): merging it" in out and "Merged #" in out
    [put] = [r for r in github.requests if r.method == "PUT" and r.path.endswith("/merge")]
    assert put.body == {"merge_method": "merge", "sha": pull.head_sha}
    assert pull.merged and pull.auto_merge is None


def test_auto_merge_not_allowed_in_the_repository_is_b220(
        github: GitHubState, checkout: Path, capsys: pytest.CaptureFixture[str]) -> None:
    github.repo(REPO_NAME).allow_auto_merge = False
    assert cli(checkout, "--environment", "staging", "--version", V1, "--auto-merge") == 2
    err = capsys.readouterr().err
    assert "B220" in err and "Auto merge is not allowed" in err
    assert "enable Allow auto-merge in Settings" in err
    assert the_pull(github, STAGING).state == "open"  # the pull request itself is there


@pytest.mark.parametrize(("kind", "said"), [("405", "405: Pull Request is not mergeable"),
                                            ("409", "409: Head branch was modified")])
def test_a_refused_direct_merge_is_b221(github: GitHubState, checkout: Path, kind: str,
                                        said: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli(checkout, "--environment", "staging", "--version", V1) == 0
    pull = the_pull(github, STAGING)
    pull.merge_state = "unstable"
    github.faults.append(Fault("PUT", r"/pulls/\d+/merge$", kind))
    assert cli(checkout, "--environment", "staging", "--version", V1, "--auto-merge") == 2
    err = capsys.readouterr().err
    assert "B221" in err and said in err
    assert not pull.merged


def test_a_conflicted_pull_request_is_b222(
        github: GitHubState, checkout: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli(checkout, "--environment", "staging", "--version", V1) == 0
    the_pull(github, STAGING).merge_state = "dirty"
    assert cli(checkout, "--environment", "staging", "--version", V1, "--auto-merge") == 2
    err = capsys.readouterr().err
    assert "B222" in err and "(dirty)" in err and "resolve the conflict" in err


def test_other_graphql_errors_are_b223_named(
        github: GitHubState, checkout: Path, capsys: pytest.CaptureFixture[str]) -> None:
    github.faults.append(Fault("POST", r"^/graphql$", "graphql-error"))
    assert cli(checkout, "--environment", "staging", "--version", V1, "--auto-merge") == 2
    err = capsys.readouterr().err
    assert "B223" in err and "INTERNAL: Something went wrong" in err
    assert TOKEN not in err


def test_a_token_without_the_permissions_is_b223_naming_them(
        github: GitHubState, checkout: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from mlops_spec.bot import auto_merge
    from mlops_spec.bot.client import Client
    from mlops_spec.bot.errors import BotError

    assert cli(checkout, "--environment", "staging", "--version", V1) == 0
    pull = the_pull(github, STAGING)
    github.add_token("ghs_readOnlyT0ken0000000000000000000000", "reader", {"pull-requests"})
    client = Client(github.base, "ghs_readOnlyT0ken0000000000000000000000")
    body = {"number": pull.number, "node_id": f"PR_{pull.number}",
            "head": {"sha": pull.head_sha}}
    with pytest.raises(BotError) as raised:
        auto_merge.enable(client, REPO_NAME, body)
    [diagnostic] = raised.value.diagnostics
    assert diagnostic.code == "B223" and "FORBIDDEN" in diagnostic.message
    assert diagnostic.hint is not None and "pull-requests: write" in diagnostic.hint
    assert pull.auto_merge is None


def test_graphql_is_retried_and_found_next_to_the_enterprise_rest_api(
        github: GitHubState, checkout: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_API_URL", github.base + "/api/v3")
    github.faults.append(Fault("POST", r"^/graphql$", "502"))
    assert cli(checkout, "--environment", "staging", "--version", V1, "--auto-merge") == 0
    calls = [r for r in github.requests if r.path == "/graphql"]
    assert len(calls) == 2  # the 502, then the retry (enabling auto-merge is idempotent)
    assert github.waits  # type: ignore[attr-defined]
    assert the_pull(github, STAGING).auto_merge is not None
