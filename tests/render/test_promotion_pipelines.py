"""The rendered promotion: GitHub's ``promote`` job and Jenkins' *Promote* stage (Argo CD
delivery). Their conditions (evaluated for each outcome of decide/train/upload), what they
pass through the environment, and their scripts run under bash and POSIX sh against a
recording ``mlops-spec`` whose argv the real argument parser must accept. (The walk-through
in tests/bot runs the same step against the loopback GitHub.)"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from variants import dump, variant

from mlops_spec.main import build_parser
from mlops_spec.render.engine import context_for, render
from mlops_spec.spec.validate import validate_text

try:  # tests/ as a package, or on sys.path (pytest's default import mode)
    from tests import groovy_parser as gp
except ImportError:  # pragma: no cover
    import groovy_parser as gp  # type: ignore[no-redef]

DEPLOY = ".github/workflows/mlops-credit-risk-deploy.yml"
RECORDER = """#!/bin/sh
# Each call: its arguments, NUL-separated, one call a line.
for a in "$@"; do printf '%s\\0' "$a" >> "$MLOPS_LOG.argv"; done
printf '\\n' >> "$MLOPS_LOG.argv"
"""
FAKE_PYTHON = """#!/bin/sh
# `python -m venv DIR` makes DIR/bin with a silent pip and the recording mlops-spec.
if [ "$1" = -m ] && [ "$2" = venv ]; then
    mkdir -p "$3/bin"
    printf '#!/bin/sh\\nexit 0\\n' > "$3/bin/python"
    cp "$MLOPS_RECORDER" "$3/bin/mlops-spec"
    chmod +x "$3/bin/python" "$3/bin/mlops-spec"
fi
"""


def files(data: dict[str, Any], spec_path: str = "mlops.yaml") -> dict[str, str]:
    result = validate_text(spec_path, dump(data))
    assert result.ok and result.spec is not None, result.diagnostics
    root = Path("/repo")
    plan = render(context_for(result.spec, root / spec_path, root))
    return {path: text for path, (text, _target) in plan.files.items()}


def promote_job(data: dict[str, Any]) -> dict[str, Any]:
    job: dict[str, Any] = yaml.safe_load(files(data)[DEPLOY])["jobs"]["promote"]
    return job


def first_step(job: dict[str, Any]) -> dict[str, Any]:
    [step] = [s for s in job["steps"] if "--environment" in s.get("run", "")]
    return step


def after_step(job: dict[str, Any]) -> dict[str, Any]:
    [step] = [s for s in job["steps"] if "--after" in s.get("run", "")]
    return step


# --- GitHub: conditions ----------------------------------------------------------------------


def evaluate(expression: str, results: dict[str, str], ref: str = "refs/heads/main") -> bool:
    """A GitHub expression of the forms the promote job uses, for the results of the job's
    ancestors (``success``, ``skipped``, ``failure``, ``cancelled``): ``failure()`` and
    ``cancelled()`` look at every ancestor job, ``needs.<id>.result`` at one."""
    failed = any(r == "failure" for r in results.values())
    cancelled = any(r == "cancelled" for r in results.values())
    text = expression.removeprefix("${{").removesuffix("}}")
    text = text.replace("!cancelled()", repr(not cancelled))
    text = text.replace("!failure()", repr(not failed))
    text = re.sub(r"needs\.([\w-]+)\.result", lambda m: repr(results[m[1]]), text)
    text = text.replace("github.ref", repr(ref)).replace("&&", " and ").replace("||", " or ")
    assert re.fullmatch(r"[\s'\w/.=()-]*", text.replace("==", "")), text  # nothing unknown
    return bool(eval(text))  # the test's own constants, checked above


@pytest.mark.parametrize(("results", "job_runs", "first_runs"), [
    # a model change: trained and stored -> the first environment, and maybe a chain
    ({"decide": "success", "train": "success", "upload": "success"}, True, True),
    # a merged promotion changes a pin only: nothing trains, the chain still runs
    ({"decide": "success", "train": "skipped", "upload": "skipped"}, True, False),
    # a failed training or upload: nothing at all
    ({"decide": "success", "train": "failure", "upload": "skipped"}, False, False),
    ({"decide": "success", "train": "success", "upload": "failure"}, False, False),
    ({"decide": "failure", "train": "skipped", "upload": "skipped"}, False, False),
    ({"decide": "success", "train": "cancelled", "upload": "skipped"}, False, False),
])
def test_the_promote_job_runs_after_a_push_that_trained_nothing(
        results: dict[str, str], job_runs: bool, first_runs: bool) -> None:
    job = promote_job(variant("example"))
    assert job["needs"] == ["decide", "upload"]
    # GitHub skips a job whose needs were skipped unless its if: has a status function.
    assert "!cancelled()" in job["if"] and "!failure()" in job["if"]
    assert evaluate(job["if"], results) is job_runs  # train is an ancestor, through upload
    assert evaluate(job["if"], results, ref="refs/heads/feature") is False  # main only
    if job_runs:
        assert evaluate(first_step(job)["if"], results) is first_runs
        assert "if" not in after_step(job)  # every push to main: the chain


def test_without_a_remote_store_the_first_promotion_follows_training() -> None:
    from mlops_spec.render import promotion

    result = validate_text("mlops.yaml", dump(variant("example")))
    assert result.spec is not None
    context = promotion.github_context(result.spec, "github.ref == 'refs/heads/main'",
                                       "train")
    assert context["promote_needs"] == ["decide", "train"]
    assert context["first_if"] == "needs.train.result == 'success'"


# --- GitHub: what the job holds and passes --------------------------------------------------


def test_the_promote_job_holds_what_it_needs_only() -> None:
    job = promote_job(variant("example"))
    assert job["permissions"] == {"contents": "write", "pull-requests": "write"}
    [checkout] = [s for s in job["steps"] if "actions/checkout" in s.get("uses", "")]
    assert checkout["with"]["persist-credentials"] is False
    assert checkout["with"]["fetch-depth"] == 0  # --after compares with the push's before
    assert job["concurrency"] == {"group": "mlops-credit-risk-promote",
                                  "cancel-in-progress": False}
    runs = " ".join(s.get("run", "") for s in job["steps"])
    assert "gh " not in runs and "mlops-spec train" not in runs  # no extra tool, no model code
    first, after = first_step(job), after_step(job)
    assert first["env"] == {"GITHUB_TOKEN": "${{ secrets.MLOPS_PR_TOKEN }}",
                            "ENVIRONMENT": "staging"}
    assert after["env"] == {"GITHUB_TOKEN": "${{ secrets.MLOPS_PR_TOKEN }}",
                            "BEFORE": "${{ github.event.before }}"}
    for step in (first, after):
        assert "${{" not in step["run"], "values reach the script through env: only"
        assert step["run"].endswith("--auto-merge")


def test_without_mlops_pr_token_the_workflow_token_opens_them() -> None:
    data = variant("example")
    data["ci"]["secrets"].remove("MLOPS_PR_TOKEN")
    job = promote_job(data)
    assert {first_step(job)["env"]["GITHUB_TOKEN"], after_step(job)["env"]["GITHUB_TOKEN"]} \
        == {"${{ github.token }}"}
    assert validate_text("mlops.yaml", dump(data)).diagnostics[0].code == "M220"


def test_push_delivery_has_no_promote_job() -> None:
    data = variant("example")
    data["deployment"]["delivery"] = {"mode": "push"}
    jobs = yaml.safe_load(files(data)[DEPLOY])["jobs"]
    assert "promote" not in jobs
    assert not any("promotion-pr" in s.get("run", "") for j in jobs.values()
                   for s in j["steps"])


# --- the scripts, run -----------------------------------------------------------------------


def shell(tmp_path: Path, argv: list[str], script: str, env: dict[str, str]
          ) -> list[list[str]]:
    """Run a rendered script with a recording mlops-spec (and a python whose venv holds
    it); the argv of each mlops-spec call."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    recorder = bin_dir / "mlops-spec"
    recorder.write_text(RECORDER)
    (bin_dir / "python3.11").write_text(FAKE_PYTHON)
    for tool in (recorder, bin_dir / "python3.11"):
        tool.chmod(0o755)
    log = tmp_path / "calls"
    log.unlink(missing_ok=True)
    Path(f"{log}.argv").unlink(missing_ok=True)
    done = subprocess.run([*argv, script], cwd=tmp_path, capture_output=True, text=True,
                          check=False, timeout=60,
                          env={"PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
                               "MLOPS_LOG": str(log), "MLOPS_RECORDER": str(recorder), **env})
    assert done.returncode == 0, done.stderr
    raw = Path(f"{log}.argv").read_text() if Path(f"{log}.argv").exists() else ""
    calls = [line.split("\0")[:-1] for line in raw.split("\n") if line]
    for argv_ in calls:  # what the pipeline runs, the real CLI accepts
        build_parser(argv_[0]).parse_args(argv_)
    return calls


HOSTILE = "$(touch pwned) `id` ; 'x\" \\"


def test_the_github_steps_pass_their_values_verbatim(tmp_path: Path) -> None:
    job = promote_job(variant("example"))
    bash = ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c"]
    first = first_step(job)
    assert shell(tmp_path, bash, first["run"], {
        "SPEC": "mlops.yaml", "ENVIRONMENT": "staging", "GITHUB_SHA": "a" * 40}) == [
        ["promotion-pr", "mlops.yaml", "--environment", "staging", "--version", "a" * 40,
         "--auto-merge"]]
    # BEFORE comes from the event payload: read as data, never as shell
    assert shell(tmp_path, bash, after_step(job)["run"], {
        "SPEC": "mlops.yaml", "BEFORE": HOSTILE}) == [
        ["promotion-pr", "mlops.yaml", "--after", HOSTILE, "--auto-merge"]]
    assert not (tmp_path / "pwned").exists()


def jenkins_promote(data: dict[str, Any]) -> gp.Node:
    data["ci"]["deployer"] = "jenkins"
    text = files(data)["Jenkinsfile"]
    [pipeline] = [n for n in gp.parse(text) if n.name == "pipeline"]
    found = [s for s in pipeline.child("stages").children("stage") if s.string() == "Promote"]
    assert len(found) == 1, "one top-level Promote stage (a fresh agent)"
    return found[0]


def test_the_jenkins_promote_stage(tmp_path: Path) -> None:
    stage = jenkins_promote(variant("example"))
    words = [w for node in stage.child("when").walk() for w in (node.name, *node.words())]
    assert "branch" in words and "main" in words and "TimerTrigger" in words
    assert stage.has("agent")
    options = [n.name for n in stage.child("options").body]
    assert "skipDefaultCheckout" in options and "timeout" in options
    environment = {n.name: n for n in stage.child("environment").body}
    assert environment["GITHUB_TOKEN"].words()[:2] == ["=", "credentials"]
    assert environment["GITHUB_TOKEN"].string() == "GITHUB_TOKEN"
    assert environment["MLOPS_FIRST_ENVIRONMENT"].string() == "staging"
    steps = [n.name for n in stage.child("steps").body]
    assert steps[:2] == ["deleteDir", "checkout"]  # no workspace left by model code
    [script] = [n.string() for n in stage.walk() if n.name == "sh"]
    env = {"MLOPS_SPEC": "mlops.yaml", "MLOPS_PYTHON": "3.11", "GIT_COMMIT": "c" * 40,
           "MLOPS_FIRST_ENVIRONMENT": "staging", "GIT_PREVIOUS_SUCCESSFUL_COMMIT": HOSTILE,
           "MLOPS_SPEC_PROMOTE_REQUIREMENT": "mlops-spec[bot]"}
    after = ["promotion-pr", "mlops.yaml", "--after", HOSTILE, "--auto-merge"]
    trained = shell(tmp_path, ["sh", "-e", "-c"], script, {**env, "MLOPS_TRAINED": "true"})
    assert trained == [["promotion-pr", "mlops.yaml", "--environment", "staging",
                        "--version", "c" * 40, "--auto-merge"], after]
    # a merged promotion trains nothing (the decide stage set MLOPS_TRAINED=false)
    assert shell(tmp_path, ["sh", "-e", "-c"], script, {**env, "MLOPS_TRAINED": "false"}) \
        == [after]
    assert shell(tmp_path, ["sh", "-e", "-c"], script, env) == [after]  # unset: untrained
    assert not (tmp_path / "pwned").exists()


def test_jenkins_promotes_only_when_it_deploys_with_argo_cd() -> None:
    data = variant("example")  # GitHub Actions deploys
    assert "stage('Promote')" not in files(data)["Jenkinsfile"]
    data = variant("example")
    data["ci"]["deployer"] = "jenkins"
    data["deployment"]["delivery"] = {"mode": "push"}
    assert "stage('Promote')" not in files(data)["Jenkinsfile"]
    data = variant("example")
    data["ci"]["deployer"] = "jenkins"
    rendered = files(data)
    assert DEPLOY not in rendered  # only the deployer promotes
    lines = [shlex.split(line) for line in re.findall(r"mlops-spec (promotion-pr[^\n]*)",
                                                       rendered["Jenkinsfile"])]
    assert len(lines) == 2
