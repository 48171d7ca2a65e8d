"""The GitOps walk-through, end to end in a temporary git repository seeded from the example,
against the loopback GitHub and moto's S3 server as the model store (the example's kserve
serving refuses a local store, M025): a pull request changes the model -> the gate is
pending naming the roles -> approvals -> success -> merge -> train once, upload one version
-> the staging promotion pull request (the rendered promote job's step: auto-merge, since
staging has auto_deploy) -> its gate passes, GitHub merges it -> the rendered job's
``promotion-pr --after "$BEFORE"`` step opens the production promotion pull request,
pending until each approver role approved -> merged: production's overlay pins the version
that was trained and evaluated, and the chain ends there."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import yaml
from bot_support import REPO_NAME, TOKEN, git, loopback_github
from bot_support import tree as files
from github_merges import checks_pass
from github_server import GitHubState, Pull
from helpers import REPO

from mlops_spec.main import main as mlops_main

sys.path.insert(0, str(Path(__file__).parents[1] / "store"))  # moto's S3 server fixtures
from store_support import s3, s3_endpoint  # noqa: F401 (fixtures)

pytestmark = pytest.mark.slow
pytest.importorskip("sklearn")
CONTEXT = "mlops-spec/credit-risk: main"
BOT = "github-actions[bot]"
WORKFLOW = ".github/workflows/mlops-credit-risk-deploy.yml"
WRAPPER = '#!/bin/sh\nexec "{python}" -m mlops_spec "$@"\n'


@pytest.fixture
def github(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[GitHubState]:
    yield from loopback_github(monkeypatch, tmp_path)




def render_and_commit(root: Path, message: str) -> str:
    assert mlops_main(["render", "mlops.yaml", "-q"]) == 0
    git(root, "add", "-A")
    git(root, "commit", "-qm", message)
    return git(root, "rev-parse", "HEAD")


def gate(root: Path, number: int, capsys: pytest.CaptureFixture[str],
         evidence: Path | None = None) -> dict[str, object]:
    """What the PR check does, in order: approvals, check --base main, publish."""
    out = root.parent / f"gate-{number}"
    out.mkdir(exist_ok=True)
    capsys.readouterr()
    assert mlops_main(["approvals", "--pr", str(number), "--spec", "mlops.yaml", "--base",
                       "main"]) == 0
    (out / "approvals.json").write_text(capsys.readouterr().out, encoding="utf-8")
    argv = ["check", "mlops.yaml", "--base", "main", "--approvals", str(out / "approvals.json"),
            "--report", str(out / "report.json")]
    if evidence is not None:
        argv += ["--evaluation", str(evidence)]
    assert mlops_main(argv) in (0, 1), capsys.readouterr().err
    assert mlops_main(["publish", "--pr", str(number), "--report",
                       str(out / "report.json")]) == 0
    report: dict[str, object] = json.loads((out / "report.json").read_text())
    return report


def status(github: GitHubState, sha: str) -> str:
    found = github.latest_status(REPO_NAME, sha, CONTEXT)
    assert found is not None
    return str(found["state"])


def push_main(github: GitHubState, root: Path) -> None:
    """GitHub's main follows the local main (the repository the bot writes to)."""
    repo = github.repo(REPO_NAME)
    repo.branches["main"] = github.commit(REPO_NAME, None, files(root))


def check_out_promotion(github: GitHubState, root: Path, branch: str) -> str:
    """The promotion pull request's files as a local branch off main; the pull request's
    head becomes that commit (what the PR check sees)."""
    repo = github.repo(REPO_NAME)
    remote = repo.trees[repo.branches[branch]]
    git(root, "switch", "-q", "-c", branch, "main")
    for path in set(files(root)) - set(remote):
        (root / path).unlink()
    for path, data in remote.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_bytes(data)
    git(root, "add", "-A")
    git(root, "commit", "-qm", f"promotion ({branch})")
    head = git(root, "rev-parse", "HEAD")
    for pull in repo.pulls.values():
        if pull.head_ref == branch:
            pull.head_sha = head
    return head


def merge(github: GitHubState, root: Path, branch: str) -> None:
    git(root, "switch", "-q", "main")
    git(root, "merge", "-q", "--no-ff", "-m", f"Merge {branch}", branch)
    for pull in github.repo(REPO_NAME).pulls.values():
        if pull.head_ref == branch:
            pull.state = "closed"
    push_main(github, root)


def promotion_pulls(github: GitHubState) -> list[Pull]:
    return [p for p in github.repo(REPO_NAME).pulls.values()
            if p.head_ref.startswith("mlops/promote/") and p.state == "open"]


def promote_step(root: Path, option: str, before: str = "") -> str:
    """Run a step of the rendered promote job as GitHub would: its script under bash, its
    env: (the secret MLOPS_PR_TOKEN is the loopback token, github.event.before the
    previous main), this checkout's mlops-spec on the PATH. Its output."""
    workflow = yaml.safe_load((root / WORKFLOW).read_text(encoding="utf-8"))
    [step] = [s for s in workflow["jobs"]["promote"]["steps"] if option in s.get("run", "")]
    known = {"${{ secrets.MLOPS_PR_TOKEN }}": TOKEN, "${{ github.event.before }}": before}
    env = {}
    for name, value in step["env"].items():
        assert "${{" not in value or value in known, value
        env[name] = known.get(value, value)
    tools = root.parent / "tools"
    tools.mkdir(exist_ok=True)
    (tools / "mlops-spec").write_text(WRAPPER.format(python=sys.executable))
    (tools / "mlops-spec").chmod(0o755)
    done = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c",
                           step["run"]], cwd=root, capture_output=True, text=True, timeout=300,
                          check=False, env={**os.environ, **env, "SPEC": workflow["env"]["SPEC"],
                                            "GITHUB_SHA": git(root, "rev-parse", "HEAD"),
                                            "PATH": f"{tools}{os.pathsep}{os.environ['PATH']}"})
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def stored(root: Path) -> list[str]:
    from mlops_spec.spec.validate import validate_file
    from mlops_spec.store import open_store

    spec = validate_file(root / "mlops.yaml").spec
    assert spec is not None
    return sorted(open_store(spec, root / "mlops.yaml").versions())


def test_gitops_walkthrough(github: GitHubState, s3: Callable[[str], str],  # noqa: F811
                            tmp_path: Path,
                            monkeypatch: pytest.MonkeyPatch,
                            capsys: pytest.CaptureFixture[str]) -> None:
    bucket = s3("walkthrough-models")  # a bucket of its own: the S3 server is shared
    root = tmp_path / "work"
    shutil.copytree(REPO / "example-repo", root)
    spec_path = root / "mlops.yaml"
    spec_path.write_text(spec_path.read_text().replace(
        '"s3://acme-models/credit-risk"', f'"{bucket}/credit-risk"'), encoding="utf-8")
    git(root, "init", "-q", "-b", "main")
    monkeypatch.chdir(root)
    monkeypatch.delenv("GITHUB_EVENT_PATH")  # pull requests are read from the API
    render_and_commit(root, "base")
    push_main(github, root)
    github.teams[("acme", "credit-analysts")] = {"priya"}
    github.teams[("acme", "ml-platform")] = {"mel"}

    # 1. A pull request changes the model: pending, naming the roles, one comment.
    git(root, "switch", "-q", "-c", "feature")
    spec_path.write_text(spec_path.read_text().replace(
        "params: {max_iter: 200, learning_rate: 0.05}",
        "params: {max_iter: 150, learning_rate: 0.05}"), encoding="utf-8")
    head = render_and_commit(root, "tune the model")
    pull = github.repo(REPO_NAME).pulls[7]
    pull.head_sha, pull.head_ref = head, "feature"
    out = tmp_path / "pr-train"
    assert mlops_main(["train", "mlops.yaml", "--out", str(out)]) == 0
    report = gate(root, 7, capsys, out / "evaluation.json")
    assert report["verdict"] == "pending" and status(github, head) == "pending"
    comments = [c for c in github.comments(REPO_NAME, 7) if c["user"]["login"] == BOT]
    assert len(comments) == 1
    description = str(github.latest_status(REPO_NAME, head, CONTEXT)["description"])  # type: ignore[index]
    roles = [a["role"] for spec in report["specs"] for a in spec["approvals"]  # type: ignore[attr-defined]
             if not a["satisfied"]]
    assert roles and all(role in str(comments[0]["body"]) for role in roles)
    assert any(role in description for role in roles), description

    # 2. The required people approve: success; the comment is edited, not duplicated.
    for login in ("sam", "priya", "ari", "mel", "dana"):
        github.add_review(REPO_NAME, 7, login, "APPROVED", head)
    report = gate(root, 7, capsys, out / "evaluation.json")
    assert report["verdict"] == "pass", report
    assert status(github, head) == "success"
    assert len([c for c in github.comments(REPO_NAME, 7) if c["user"]["login"] == BOT]) == 1

    # 3. Merge; main trains once and uploads one version (the merge commit).
    git(root, "switch", "-q", "main")
    git(root, "merge", "-q", "--no-ff", "-m", "Merge feature", "feature")
    pull.state = "closed"
    push_main(github, root)
    version = git(root, "rev-parse", "HEAD")
    trained = tmp_path / "main-train"
    assert mlops_main(["train", "mlops.yaml", "--out", str(trained)]) == 0
    monkeypatch.setenv("MODEL_VERSION", version)
    # This environment's scikit-learn is not the runtime's (the pipelines install that one).
    assert mlops_main(["upload", "mlops.yaml", "--from", str(trained),
                       "--allow-sklearn-mismatch"]) == 0
    assert stored(root) == [version]
    evaluated = json.loads((trained / "evaluation.json").read_text())
    fetched = tmp_path / "fetched"
    assert mlops_main(["fetch", "mlops.yaml", "--version", version, "--to",
                       str(fetched)]) == 0
    assert json.loads((fetched / "evaluation.json").read_text()) == evaluated

    # 4. The promote job's first step: the staging promotion pull request, set to merge
    #    itself (staging has auto_deploy: true) once its gate passes.
    out = promote_step(root, "--environment")
    assert "Auto-merge enabled on #" in out, out
    assert [p.head_ref for p in promotion_pulls(github)] == ["mlops/promote/credit-risk/staging"]
    staging = promotion_pulls(github)[0]
    assert staging.auto_merge is not None and staging.state == "open"
    head = check_out_promotion(github, root, staging.head_ref)
    report = gate(root, staging.number, capsys)
    assert report["verdict"] == "pending" and status(github, head) == "pending"
    assert not staging.merged  # auto-merge waits for the required check
    # a deployment change (ml_engineer) and the policy's attested checks (sme, architect)
    for login in ("mel", "priya", "ari"):
        github.add_review(REPO_NAME, staging.number, login, "APPROVED", head)
    report = gate(root, staging.number, capsys)
    assert report["verdict"] == "pass", report
    assert status(github, head) == "success"
    assert checks_pass(github, REPO_NAME, staging.number)  # GitHub's auto-merge
    assert staging.merged
    merge(github, root, staging.head_ref)
    pinned = [p for p, d in files(root).items() if version.encode() in d]
    assert "mlops.yaml" in pinned and any(p.startswith("deploy/staging/") for p in pinned)
    assert not any(p.startswith("deploy/production/") for p in pinned)

    # 5. The merge's push: nothing to train (only a pin changed), so no first promotion;
    #    the promote job's --after step opens production's promotion pull request.
    capsys.readouterr()
    assert mlops_main(["needs-training", "mlops.yaml", "--base", version]) == 0
    assert "train=false" in capsys.readouterr().out
    out = promote_step(root, "--after", before=version)
    assert f"staging now runs {version}: its next environment is production" in out, out
    assert "production has no auto_deploy" in out
    production = promotion_pulls(github)[0]
    assert production.head_ref == "mlops/promote/credit-risk/production"
    assert production.auto_merge is None  # production merges by hand, once approved
    assert re.search(r"each of: sme, ml_engineer", production.body)
    head = check_out_promotion(github, root, production.head_ref)
    report = gate(root, production.number, capsys)
    assert report["verdict"] == "pending" and status(github, head) == "pending"
    changes = report["specs"][0]["changes"]  # type: ignore[index]
    assert [c["class"] for c in changes] == ["deployment-production"]
    # the example's policy attests security-review (architect) on every change
    github.add_review(REPO_NAME, production.number, "ari", "APPROVED", head)
    github.add_review(REPO_NAME, production.number, "priya", "APPROVED", head)  # sme
    report = gate(root, production.number, capsys)
    assert report["verdict"] == "pending", report
    assert status(github, head) == "pending"
    waiting = [a["role"] for a in report["specs"][0]["approvals"]  # type: ignore[index]
               if not a["satisfied"]]
    assert waiting == ["ml_engineer"]
    assert "ml_engineer" in str(github.latest_status(REPO_NAME, head, CONTEXT))
    github.add_review(REPO_NAME, production.number, "mel", "APPROVED", head)  # ml_engineer
    report = gate(root, production.number, capsys)
    assert report["verdict"] == "pass", report
    assert status(github, head) == "success"

    # 6. Merged: production's overlay pins the version that was trained and evaluated.
    staged = git(root, "rev-parse", "main")  # main before the production merge
    merge(github, root, production.head_ref)
    assert "production, the last environment, now runs" in promote_step(root, "--after",
                                                                         before=staged)
    assert len(promotion_pulls(github)) == 0
    on_main = files(root)
    assert any(p.startswith("deploy/production/") and version.encode() in d
               for p, d in on_main.items())
    assert mlops_main(["render", "mlops.yaml", "--check", "-q"]) == 0
    assert stored(root) == [version]  # promotions trained and stored nothing new
