"""The GitHub Actions target: which workflows a spec gets and how they are secured."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import FIXTURES, cli
from variants import VARIANTS, dump, variant

from mlops_spec import __version__
from mlops_spec.render.engine import context_for, render
from mlops_spec.render.install import action_reference
from mlops_spec.render.pins import PINS
from mlops_spec.render.targets import github_actions
from mlops_spec.spec.sections import Spec
from mlops_spec.spec.validate import validate_text

PURPOSES = {
    "example": {"pr", "deploy", "monitor"},
    "kserve-rolling": {"pr", "deploy"},
    "kubernetes-rolling": {"pr", "deploy", "monitor"},
    "kubernetes-canary": {"pr", "deploy", "monitor"},
    "kubernetes-blue-green": {"pr", "deploy", "monitor"},
    "kubernetes-shadow": {"pr", "deploy", "monitor"},
    "batch": {"pr", "deploy", "monitor"},
    "embedded": {"pr", "deploy", "monitor", "release"},
    "embedded-minimal": {"pr", "deploy", "release"},
    "kubernetes-training": {"pr", "deploy", "monitor"},
    "kubernetes-training-jenkins": {"pr"},  # Jenkins deploys: GitHub only checks
    "gcp-oidc": {"pr", "deploy", "monitor"},
    "azure-oidc": {"pr", "deploy", "monitor", "release"},
}
ALLOWED_TRIGGERS = {"pull_request", "pull_request_review", "push", "schedule",
                    "workflow_dispatch"}
SHA_USES = re.compile(r"^(?P<action>[\w.-]+/[\w.-]+)@(?P<sha>[0-9a-f]{40})$")


def spec_of(data: dict[str, Any]) -> Spec:
    result = validate_text("mlops.yaml", dump(data))
    assert result.ok and result.spec is not None, result.diagnostics
    return result.spec


def workflows(data: dict[str, Any], spec_path: str = "mlops.yaml") -> dict[str, str]:
    """purpose -> workflow text, rendered in memory."""
    spec = spec_of(data)
    root = Path("/repo")
    ctx = context_for(spec, root / spec_path, root)
    plan = render(ctx, ["github_actions"])
    prefix = f".github/workflows/mlops-{spec.name}-"
    out = {}
    for path, (text, target) in plan.files.items():
        assert target == "github_actions"
        assert path.startswith(prefix) and path.endswith(".yml"), path
        out[path[len(prefix):-len(".yml")]] = text
    return out


def parsed(text: str) -> dict[Any, Any]:
    data: dict[Any, Any] = yaml.safe_load(text)
    # PyYAML reads the key `on` as YAML 1.1 true; GitHub reads it as "on".
    if True in data:
        data["on"] = data.pop(True)
    return data


def steps(job: dict[str, Any]) -> list[dict[str, Any]]:
    return list(job["steps"])


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_each_spec_gets_the_workflows_it_asks_for(name: str) -> None:
    assert set(workflows(variant(name))) == PURPOSES[name]


def test_no_workflows_without_the_github_actions_provider() -> None:
    data = variant("example")
    data["ci"]["providers"] = ["jenkins"]
    assert not github_actions.applies(spec_of(data))


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_secure_by_default(name: str) -> None:
    data = variant(name)
    secrets = set(data["ci"].get("secrets", []))
    install = spec_of(data).ci.install
    # ci.install a github.com commit: mlops-spec's own action, pinned by that commit.
    own_action = action_reference(install)
    for purpose, text in workflows(data).items():
        workflow = parsed(text)
        where = f"{name}/{purpose}"
        assert workflow["permissions"] == {}, where
        assert set(workflow["on"]) <= ALLOWED_TRIGGERS, where
        assert "pull_request_target" not in text and "workflow_run" not in text, where
        # One concurrency group per workflow, or per job (deploy: training and each
        # environment apart, so a pending approval blocks nothing else).
        groups = [job["concurrency"]["group"] for job in workflow["jobs"].values()
                  if "concurrency" in job]
        if "concurrency" in workflow:
            assert workflow["concurrency"]["group"], where
        else:
            assert len(set(groups)) == len(workflow["jobs"]), where
        for job_id, job in workflow["jobs"].items():
            at = f"{where}:{job_id}"
            if "workflow_dispatch" in workflow["on"] and "needs" not in job:
                assert "github.ref == 'refs/heads/main'" in job["if"], at
            assert isinstance(job["timeout-minutes"], int), at
            assert isinstance(job["permissions"], dict) and job["permissions"], at
            assert set(job["permissions"].values()) <= {"read", "write"}, at
            for step in steps(job):
                if "uses" in step:
                    match = SHA_USES.match(step["uses"])
                    assert match, f"{at}: {step['uses']} is not pinned to a full SHA"
                    if step["uses"] == own_action:
                        assert match["sha"] == install.commit, at
                    else:
                        assert PINS[match["action"]].sha == match["sha"], at
                if step.get("uses", "").startswith("actions/checkout@"):
                    assert step["with"]["persist-credentials"] is False, at
                if "run" in step:
                    assert "${{" not in step["run"], f"{at}: expression in a run script"
        # Every `uses:` line carries the tag of its pin as a comment.
        for line in text.splitlines():
            uses = re.match(r"^ *(?:- )?uses: (.*)$", line)
            if uses and uses[1] == f'"{own_action}"':
                continue  # the commit of ci.install: no release tag to name
            if uses:
                action, _, sha_tag = uses[1].partition("@")
                assert sha_tag == f"{PINS[action].sha} # {PINS[action].tag}", line
        # Secrets are named, never rendered, and only those the spec lists.
        for secret in re.findall(r"\$\{\{ *secrets\.([A-Za-z0-9_]+) *\}\}", text):
            assert secret in secrets, f"{where}: secret {secret} is not in ci.secrets"
        assert "toJSON(secrets)" not in text and "secrets: inherit" not in text


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_jobs_that_run_user_code_hold_no_write_token(name: str) -> None:
    for purpose, text in workflows(variant(name)).items():
        for job_id, job in parsed(text)["jobs"].items():
            runs = " ".join(step.get("run", "") for step in steps(job))
            # Training runs the model's code (estimators, a training command); the gate
            # (`check`) only reads the spec, git and the evaluation, so it may hold a token.
            if "mlops-spec train" in runs:
                assert "write" not in job["permissions"].values(), f"{purpose}:{job_id}"
                assert "environment" not in job, f"{purpose}:{job_id}"


def test_generated_header_and_install_pin() -> None:
    texts = workflows(variant("example"))
    for text in texts.values():
        assert text.startswith("# Generated by mlops-spec from mlops.yaml. Do not edit")
        for job in parsed(text)["jobs"].values():
            for step in steps(job):
                if step.get("name") == "Install mlops-spec":
                    assert step["env"]["MLOPS_SPEC_REQUIREMENT"].endswith(f"=={__version__}")
                    assert step["run"] == 'python -m pip install "$MLOPS_SPEC_REQUIREMENT"'


def test_pr_check_gates_and_reports() -> None:
    pr = parsed(workflows(variant("example"))["pr"])
    # Reviews re-run the gate (the status follows approvals) without retraining.
    assert pr["on"] == {"pull_request": None,
                        "pull_request_review": {"types": ["submitted", "dismissed"]}}
    check, gate_job = pr["jobs"]["check"], pr["jobs"]["gate"]
    assert list(pr["jobs"]) == ["check", "gate"]
    # The job that trains (and may run the model's code) holds no token that can write.
    assert check["permissions"] == {"contents": "read", "actions": "read"}
    assert gate_job["permissions"] == {"contents": "read", "pull-requests": "write",
                                       "statuses": "write", "checks": "write"}
    assert gate_job["needs"] == "check"
    assert gate_job["if"] == "!cancelled() && needs.check.outputs.evaluated == 'true'"
    runs = [step.get("run", "") for step in steps(check)]
    assert 'mlops-spec validate "$SPEC" --format github' in runs
    assert 'mlops-spec render "$SPEC" --check' in runs
    assert 'mlops-spec train "$SPEC" --out .mlops-spec/out' in runs
    assert not any("mlops-spec check" in run or "mlops-spec publish" in run for run in runs)
    keep = next(step for step in steps(check) if step.get("id") == "keep")
    assert keep["with"]["path"] == ".mlops-spec/out/evaluation.json"  # the evaluation only
    assert check["outputs"]["evaluated"] == "${{ steps.keep.outcome == 'success' }}"
    train = next(step for step in steps(check) if step.get("name") == "Train and evaluate")
    assert train["if"] == "steps.restore.outcome != 'success'"
    restore = next(step for step in steps(check) if step.get("id") == "restore")
    assert restore["with"]["run-id"] == "${{ steps.evidence.outputs.run_id }}"
    assert restore["with"]["name"] == keep["with"]["name"]
    assert restore["continue-on-error"] is True
    assert steps(check)[0]["with"]["fetch-depth"] == 0
    # The gate job runs no code from the pull request: nothing but mlops-spec and the
    # pinned actions, on the checked-out spec and the evaluation the check job kept.
    gate_runs = [step["run"] for step in steps(gate_job) if "run" in step]
    assert all(run.startswith(("mlops-spec ", "python -m pip install")) for run in gate_runs)
    assert steps(gate_job)[0]["with"]["fetch-depth"] == 0  # the base's policy, from git
    fetch = next(s for s in steps(gate_job) if "download-artifact" in s.get("uses", ""))
    assert fetch["with"] == {"name": keep["with"]["name"],
                             "path": "${{ runner.temp }}/evidence"}
    gate = next(step for step in steps(gate_job) if step.get("id") == "gate")
    assert gate["env"]["BASE_REF"] == "${{ github.event.pull_request.base.sha }}"
    assert gate["run"].startswith('mlops-spec check "$SPEC" --base "$BASE_REF"')
    assert '--evaluation "$RUNNER_TEMP/evidence/evaluation.json"' in gate["run"]
    assert '--approvals "$RUNNER_TEMP/approvals.json"' in gate["run"]
    assert ('mlops-spec approvals --spec "$SPEC" --base "$BASE_REF" > '
            '"$RUNNER_TEMP/approvals.json"') in gate_runs
    # A fork PR (read-only token) gets the report in the job summary; the gate still
    # decides the job's outcome because reporting never masks the gate step's failure.
    same_repo = "github.event.pull_request.head.repo.full_name == github.repository"
    summary = next(s for s in steps(gate_job) if "--summary" in s.get("run", ""))
    assert f"!({same_repo})" in summary["if"]
    publish = next(s for s in steps(gate_job) if s.get("name") == "Report on the pull request")
    assert publish["if"].endswith(f"&& {same_repo}")
    assert "continue-on-error" not in gate
    assert pr["env"]["SPEC"] == "mlops.yaml"


def test_pr_check_in_a_monorepo_passes_fast_for_other_models() -> None:
    pr = parsed(workflows(variant("example"), "models/credit/mlops.yaml")["pr"])
    check = pr["jobs"]["check"]
    changes = next(step for step in steps(check) if step.get("id") == "changes")
    assert changes["env"]["MODEL_DIR"] == "models/credit"
    assert changes["env"]["WORKFLOWS"] == ":(glob).github/workflows/mlops-credit-risk-*"
    for step in steps(check)[2:]:
        if step.get("id") not in ("restore", "keep"):
            # (the restore step follows the evidence step, skipped for other models)
            assert step["if"].startswith("steps.changes.outputs.relevant == 'true'"), (
                step["name"])
    assert "paths" not in str(pr["on"])  # the required check always reports


def test_deploy_goes_through_environments_in_order() -> None:
    data = variant("batch")
    deploy = parsed(workflows(data)["deploy"])
    assert deploy["on"]["push"]["branches"] == ["main"]
    jobs = deploy["jobs"]
    assert list(jobs) == ["decide", "train", "upload", "deploy-staging", "deploy-eu-prod"]
    assert jobs["train"]["needs"] == "decide"
    assert jobs["upload"]["needs"] == "train"
    # A deploy reads the decision (no training: only a pinned version deploys) and runs
    # after a skipped training, never after a failed job.
    assert jobs["deploy-staging"]["needs"] == ["decide", "upload"]
    assert jobs["deploy-eu-prod"]["needs"] == ["decide", "deploy-staging"]
    for job in ("deploy-staging", "deploy-eu-prod"):
        assert jobs[job]["if"] == "!cancelled() && !failure() && github.ref == 'refs/heads/main'"
        assert steps(jobs[job])[-1]["env"]["MLOPS_TRAINED"] == (
            "${{ needs.decide.outputs.train }}")
    for env, secret in (("staging", "KUBECONFIG_STAGING"), ("eu-prod", "KUBECONFIG_EU_PROD")):
        job = jobs[f"deploy-{env}"]
        assert job["environment"] == {"name": env}
        assert job["permissions"] == {"contents": "read"}
        apply = steps(job)[-1]
        assert apply["env"]["KUBECONFIG_DATA"] == f"${{{{ secrets.{secret} }}}}"
        assert apply["env"]["MLOPS_DEPLOY_DIR"] == f"deploy/{env}"
        assert ('kubectl apply -k "$dir" -n "$ns" --server-side --prune '
                '--applyset="$MLOPS_APPLYSET"') in apply["run"]
        assert apply["env"]["MLOPS_APPLYSET"] == "mlops-credit-risk"
        assert job["concurrency"] == {"group": f"mlops-credit-risk-deploy-{env}",
                                      "cancel-in-progress": False}
    assert jobs["train"]["permissions"] == {"contents": "read"}
    text = workflows(data)["deploy"]
    assert "# GitHub environment eu-prod: protect it with required reviewers (sme):" in text
    assert "#   @acme/credit-analysts" in text
    assert "CronJob with\n# deployment.batch.schedule" in text
    assert "AWS_SECRET_ACCESS_KEY" in str(steps(jobs["upload"]))
    assert not any("mlops-spec upload" in s.get("run", "") for s in steps(jobs["train"]))
    assert "AWS_SECRET_ACCESS_KEY" not in str(jobs["deploy-staging"])


def test_deploy_of_a_model_in_a_subdirectory() -> None:
    deploy = parsed(workflows(variant("kubernetes-rolling"),
                              "models/credit/mlops.yaml")["deploy"])
    # Built from the spec, its data and code only: a README edit trains nothing.
    assert deploy["on"]["push"]["paths"] == [
        "models/credit/mlops.yaml", "models/credit/data/applications.csv",
        "models/credit/**/*.py", "models/credit/**/requirements*.txt",
        ".github/workflows/mlops-credit-risk-deploy.yml"]
    assert steps(deploy["jobs"]["deploy-production"])[-1]["env"]["MLOPS_DEPLOY_DIR"] == (
        "models/credit/deploy/production")


def test_embedded_models_are_released_not_deployed() -> None:
    texts = workflows(variant("embedded"))
    deploy = parsed(texts["deploy"])
    assert list(deploy["jobs"]) == ["decide", "train", "upload"]
    assert any("mlops-spec upload" in s.get("run", "") for s in
               steps(deploy["jobs"]["upload"]))
    release = parsed(texts["release"])
    assert release["on"] == {"push": {"tags": ["credit-risk/v*"]}}
    assert release["jobs"]["build"]["permissions"] == {"contents": "read"}
    publish = release["jobs"]["release"]
    assert publish["permissions"] == {"contents": "write"}
    assert publish["environment"] == {"name": "production"}
    assert 'gh release create "$GITHUB_REF_NAME" --verify-tag' in steps(publish)[-1]["run"]
    # No artifact store: nothing to upload, the run keeps the files.
    minimal = parsed(workflows(variant("embedded-minimal"))["deploy"])
    assert not any("mlops-spec upload" in s.get("run", "") for s in
                   steps(minimal["jobs"]["train"]))
    assert "env" not in steps(minimal["jobs"]["train"])[-2]  # no secrets listed


def test_monitor_and_retrain() -> None:
    monitor = parsed(workflows(variant("example"))["monitor"])
    assert monitor["on"]["schedule"] == [{"cron": "0 6 * * *"}, {"cron": "0 3 * * 1"}]
    jobs = monitor["jobs"]
    assert list(jobs) == ["monitor", "retrain", "pull-request"]
    assert jobs["monitor"]["if"] == ("github.ref == 'refs/heads/main' && ("
                                     "github.event_name == 'workflow_dispatch' || "
                                     "github.event.schedule == '0 6 * * *')")
    drift = steps(jobs["monitor"])[-1]
    assert drift["env"]["CURRENT_DATA"] == "s3://acme-ml/credit-risk/scored/"
    # The reference is the profile of production's version: the monitor trains nothing.
    assert 'mlops-spec drift "$SPEC" --champion --current "$CURRENT_DATA"' in drift["run"]
    assert not any("mlops-spec train" in s.get("run", "") for s in steps(jobs["monitor"]))
    [install] = [s for s in steps(jobs["monitor"]) if "MLOPS_SPEC_REQUIREMENT" in s.get("env", {})]
    assert install["env"]["MLOPS_SPEC_REQUIREMENT"] == f"mlops-spec[drift,s3]=={__version__}"
    assert jobs["monitor"]["outputs"]["fired"] == "${{ steps.monitor.outputs.fired }}"
    assert jobs["retrain"]["needs"] == "monitor"
    assert jobs["retrain"]["if"] == (
        "!cancelled() && github.ref == 'refs/heads/main' && ("
        "needs.monitor.outputs.fired == 'true' || "
        "github.event.schedule == '0 3 * * 1' || "
        "(github.event_name == 'workflow_dispatch' && inputs.retrain))")
    assert jobs["retrain"]["permissions"] == {"contents": "read"}
    pull = jobs["pull-request"]
    assert pull["permissions"] == {"contents": "write", "pull-requests": "write"}
    script = steps(pull)[-1]
    assert script["env"]["GITHUB_TOKEN"] == "${{ secrets.MLOPS_PR_TOKEN }}"  # listed (M220)
    assert script["env"]["RECORD"] == "retrain/evaluation.json"
    assert script["env"]["TRIGGER"] == "${{ needs.retrain.outputs.trigger }}"
    assert script["run"].startswith('mlops-spec retrain-pr --model "$MODEL_NAME"')
    assert "--workflow-token" not in script["run"]
    assert not any("actions/checkout" in step.get("uses", "") for step in steps(pull))
    # Without MLOPS_PR_TOKEN: the workflow's own token, and the command says so.
    data = variant("example")
    data["ci"]["secrets"].remove("MLOPS_PR_TOKEN")
    script = steps(parsed(workflows(data)["monitor"])["jobs"]["pull-request"])[-1]
    assert script["env"]["GITHUB_TOKEN"] == "${{ github.token }}"
    assert script["run"].endswith("--workflow-token")  # says GitHub starts no checks


def test_monitor_variants() -> None:
    # Retrain on a schedule only: no dependency on the monitor job.
    jobs = parsed(workflows(variant("kubernetes-blue-green"))["monitor"])["jobs"]
    assert "needs" not in jobs["retrain"]
    assert jobs["retrain"]["if"].startswith(
        "github.ref == 'refs/heads/main' && (github.event.schedule == '30 2 1 * *'")
    # A token for retrain PRs, so their checks run.
    shadow = parsed(workflows(variant("kubernetes-shadow"))["monitor"])
    last = steps(shadow["jobs"]["pull-request"])[-1]
    assert last["env"]["GITHUB_TOKEN"] == "${{ secrets.MLOPS_PR_TOKEN }}"
    assert "--workflow-token" not in last["run"]
    # Monitoring without retraining: drift fails the run (an alert), no retrain jobs.
    batch = parsed(workflows(variant("batch"))["monitor"])
    assert list(batch["jobs"]) == ["monitor"]
    assert steps(batch["jobs"]["monitor"])[-1]["run"].startswith("mlops-spec drift")
    assert batch["on"]["workflow_dispatch"] is None


def test_the_monitor_holds_read_only_store_secrets_only() -> None:
    data = variant("example")
    data["ci"]["secrets"] = ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
                             "AWS_ACCESS_KEY_ID_READONLY", "AWS_SECRET_ACCESS_KEY_READONLY",
                             "KUBECONFIG_READONLY", "MLOPS_PR_TOKEN"]
    data["ci"]["oidc_role"] = "arn:aws:iam::123456789012:role/mlops-credit-risk"
    text = workflows(data)["monitor"]
    monitor = parsed(text)["jobs"]["monitor"]
    assert monitor["permissions"] == {"contents": "read"}
    env = {k: v for step in steps(monitor) for k, v in step.get("env", {}).items()}
    # Each read-only secret under the name the store backends read; no writing credential,
    # no kubeconfig, no token, no OIDC role.
    assert {k: v for k, v in env.items() if "secrets." in str(v)} == {
        "AWS_ACCESS_KEY_ID": "${{ secrets.AWS_ACCESS_KEY_ID_READONLY }}",
        "AWS_SECRET_ACCESS_KEY": "${{ secrets.AWS_SECRET_ACCESS_KEY_READONLY }}"}
    assert "AWS_ROLE_ARN" not in env
    # The retrain job trains, and reads data with the main branch's secrets, as before.
    retrain = parsed(text)["jobs"]["retrain"]
    assert any("mlops-spec train" in s.get("run", "") for s in steps(retrain))
    [train] = [s for s in steps(retrain) if "mlops-spec train" in s.get("run", "")]
    assert train["env"]["AWS_ACCESS_KEY_ID"] == "${{ secrets.AWS_ACCESS_KEY_ID }}"


def test_same_cron_twice_is_one_schedule() -> None:
    data = variant("example")
    data["retrain"]["schedule"] = data["monitoring"]["schedule"]
    monitor = parsed(workflows(data)["monitor"])
    assert monitor["on"]["schedule"] == [{"cron": "0 6 * * *"}]


def test_pins_come_from_the_vendored_reference() -> None:
    reference = (FIXTURES / "action-pins.md").read_text(encoding="utf-8")
    rows = {m["action"]: (m["tag"], m["sha"]) for m in re.finditer(
        r"^\| (?P<action>[\w.-]+/[\w.-]+) \| (?P<tag>v[\d.]+) \| (?P<sha>[0-9a-f]{40}) \|",
        reference, re.MULTILINE)}
    for action, pin in PINS.items():
        assert rows[action] == (pin.tag, pin.sha), action


def test_kubeconfig_secret_must_be_listed() -> None:
    data = variant("example")
    data["ci"]["secrets"] = ["MODEL_STORE_CREDENTIALS", "KUBECONFIG_STAGING"]
    # Argo CD delivery needs no kubeconfig in CI.
    assert "M040" not in [d.code for d in validate_text("mlops.yaml", dump(data)).diagnostics]
    data["deployment"]["delivery"] = {"mode": "push"}
    result = validate_text("mlops.yaml", dump(data))
    [finding] = [d for d in result.diagnostics if d.code == "M040"]
    assert "'production'" in finding.message and "KUBECONFIG_PRODUCTION" in finding.message
    assert finding.hint == "add KUBECONFIG_PRODUCTION to ci.secrets (and create the secret " \
                           "in your CI)"
    assert finding.line is not None
    # Embedded models deploy nowhere: no kubeconfig needed.
    assert validate_text("mlops.yaml", dump(variant("embedded-minimal"))).ok


def test_render_command_writes_workflows(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "mlops.yaml").write_text(dump(variant("example")), encoding="utf-8")
    run = cli("render", tmp_path / "mlops.yaml", "--target", "github_actions")
    assert run.code == 0, run.err
    names = sorted(p.name for p in (tmp_path / ".github" / "workflows").iterdir())
    assert names == ["mlops-credit-risk-deploy.yml", "mlops-credit-risk-monitor.yml",
                     "mlops-credit-risk-pr.yml"]
    assert not (tmp_path / ".github" / "CODEOWNERS").exists()
