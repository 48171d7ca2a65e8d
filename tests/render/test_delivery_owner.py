"""One owner of delivery, and pipeline hygiene of the main-branch workflows.

* With both CI providers exactly one rendered pipeline trains on main, uploads and (push
  delivery) deploys; the other only checks changes.
* With Argo CD delivery no pipeline applies anything to a cluster.
* Pull-request jobs get no credential that can write the store or a cluster.
* The deploy workflow trains only when the spec, its data or code change.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
import yaml
from variants import variant

from mlops_spec.render import engine
from mlops_spec.render.outputs import RenderContext
from mlops_spec.spec.validate import validate_text

APPLY = re.compile(r"kubectl apply ")
UPLOAD = re.compile(r"mlops-spec upload ")
TRAIN_ON_MAIN = re.compile(r"mlops-spec train ")


def rendered(data: dict[str, Any], spec_path: str = "mlops.yaml") -> dict[str, str]:
    result = validate_text(spec_path, yaml.safe_dump(data, sort_keys=False))
    errors = [f"{d.code} {d.message}" for d in result.diagnostics if d.is_error]
    assert result.spec is not None and not errors, errors
    model_dir = spec_path.rpartition("/")[0] or "."
    ctx = RenderContext(spec=result.spec, spec_path=spec_path, model_dir=model_dir)
    plan = engine.render(ctx, ["github_actions", "jenkins"])
    return {path: text for path, (text, _target) in plan.files.items()}


def main_branch_jenkins(text: str) -> str:
    """The Jenkinsfile without its change-request stages (before the main-branch group)."""
    start = text.find("stage('Main branch')")
    return text[start:] if start >= 0 else ""


def deploying(files: dict[str, str]) -> dict[str, set[str]]:
    """provider -> what its main-branch pipelines do (train, upload, apply)."""
    github = "\n".join(text for path, text in files.items()
                       if path.startswith(".github/workflows/") and not path.endswith("-pr.yml"))
    jenkins = main_branch_jenkins(files["Jenkinsfile"])
    out = {}
    for provider, text in (("github_actions", github), ("jenkins", jenkins)):
        out[provider] = {what for what, pattern in (
            ("train", TRAIN_ON_MAIN), ("upload", UPLOAD), ("apply", APPLY))
            if pattern.search(text)}
    return out


def push(data: dict[str, Any]) -> dict[str, Any]:
    data["deployment"]["delivery"] = {"mode": "push"}
    return data


@pytest.mark.parametrize("deployer", [None, "github_actions", "jenkins"])
@pytest.mark.parametrize("mode", ["argocd", "push"])
def test_exactly_one_provider_delivers(deployer: str | None, mode: str) -> None:
    data = variant("example")
    assert data["ci"]["providers"] == ["github_actions", "jenkins"]
    if deployer:
        data["ci"]["deployer"] = deployer
    if mode == "push":
        push(data)
    files = rendered(data)
    does = deploying(files)
    owner = deployer or "github_actions"  # default: the first provider
    other = "jenkins" if owner == "github_actions" else "github_actions"
    expected = {"train", "upload"} | ({"apply"} if mode == "push" else set())
    assert does[owner] == expected, does
    assert does[other] == set(), does
    # The other provider still checks every change.
    assert ".github/workflows/mlops-credit-risk-pr.yml" in files
    assert "changeRequest()" in files["Jenkinsfile"]
    # Schedules (monitoring, retraining) run once too.
    scheduled = {"github_actions": ".github/workflows/mlops-credit-risk-monitor.yml" in files,
                 "jenkins": "cron(" in files["Jenkinsfile"]}
    assert scheduled == {owner: True, other: False}


def test_argocd_delivery_never_applies_from_ci() -> None:
    for name in ("example", "kubernetes-canary", "kubernetes-shadow"):
        for deployer in ("github_actions", "jenkins"):
            data = variant(name)
            data["ci"]["deployer"] = deployer
            files = rendered(data)
            assert not any(APPLY.search(text) for text in files.values()), (name, deployer)


def test_deployer_must_be_a_provider() -> None:
    data = variant("example")
    data["ci"]["providers"] = ["github_actions"]
    data["ci"]["deployer"] = "jenkins"
    result = validate_text("mlops.yaml", yaml.safe_dump(data))
    [finding] = [d for d in result.diagnostics if d.code == "M060"]
    assert finding.line is not None and "ci.providers" in (finding.hint or "")


# --- pull-request jobs hold nothing that writes ------------------------------------------------


def test_pull_request_jobs_get_only_read_only_secrets_and_no_oidc() -> None:
    data = push(variant("example"))
    data["ci"]["secrets"] += ["DATA_READONLY"]
    data["ci"]["oidc_role"] = "arn:aws:iam::123456789012:role/mlops-credit-risk"
    files = rendered(data)
    pr = yaml.safe_load(files[".github/workflows/mlops-credit-risk-pr.yml"])
    secrets = set(re.findall(r"secrets\.([A-Z0-9_]+)",
                             files[".github/workflows/mlops-credit-risk-pr.yml"]))
    assert secrets == {"DATA_READONLY", "AWS_ACCESS_KEY_ID_READONLY",
                       "AWS_SECRET_ACCESS_KEY_READONLY"}
    # Under the name the tool reads (conventions.read_only_secrets), in the training step
    # that fetches the champion.
    env = {k: v for job in pr["jobs"].values() for step in job["steps"]
           for k, v in (step.get("env") or {}).items() if "secrets." in str(v)}
    assert env == {"DATA": "${{ secrets.DATA_READONLY }}",
                   "AWS_ACCESS_KEY_ID": "${{ secrets.AWS_ACCESS_KEY_ID_READONLY }}",
                   "AWS_SECRET_ACCESS_KEY": "${{ secrets.AWS_SECRET_ACCESS_KEY_READONLY }}"}
    for job in pr["jobs"].values():
        assert "id-token" not in job["permissions"]
    assert "AWS_ROLE_ARN" not in files[".github/workflows/mlops-credit-risk-pr.yml"]
    # The main branch does get the role, in the jobs reaching the store or the cluster.
    deploy = yaml.safe_load(files[".github/workflows/mlops-credit-risk-deploy.yml"])
    for job_id in ("upload", "deploy-staging", "deploy-production"):
        assert deploy["jobs"][job_id]["permissions"]["id-token"] == "write", job_id
    # Jobs that run the model's code (training) never get the role.
    monitor = yaml.safe_load(files[".github/workflows/mlops-credit-risk-monitor.yml"])
    for job in (deploy["jobs"]["train"], *monitor["jobs"].values()):
        assert "id-token" not in job["permissions"]
        assert "AWS_ROLE_ARN" not in str(job)
    upload_steps = deploy["jobs"]["upload"]["steps"]
    names = [s["name"] for s in upload_steps]
    upload = names.index("Store the artifact")
    assert names[upload - 1] == "Get a GitHub OIDC token for the cloud role"
    assert upload_steps[upload]["env"]["AWS_ROLE_ARN"] == data["ci"]["oidc_role"]
    assert upload_steps[upload]["env"]["AWS_WEB_IDENTITY_TOKEN_FILE"] == (
        "${{ runner.temp }}/mlops-oidc-token")
    assert "AWS_SECRET_ACCESS_KEY" in str(upload_steps[upload]["env"])  # static still works


def test_run_artifacts_expire() -> None:
    data = variant("example")
    data["data"]["sources"][0]["retention_days"] = 3
    files = rendered(data)
    deploy = yaml.safe_load(files[".github/workflows/mlops-credit-risk-deploy.yml"])
    monitor = yaml.safe_load(files[".github/workflows/mlops-credit-risk-monitor.yml"])
    uploads = [step for workflow in (deploy, monitor) for job in workflow["jobs"].values()
               for step in job["steps"] if "upload-artifact" in step.get("uses", "")]
    assert uploads
    for step in uploads:
        assert 1 <= step["with"]["retention-days"] <= 3, step["name"]


# --- build once: what triggers training on main ------------------------------------------------


def github_paths_match(pattern: str, path: str) -> bool:
    """GitHub's ``paths`` glob: ``**`` crosses directories, ``*`` does not."""
    regex = ""
    i = 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            regex += "(?:.*/)?"
            i += 3
        elif pattern.startswith("**", i):
            regex += ".*"
            i += 2
        elif pattern[i] == "*":
            regex += "[^/]*"
            i += 1
        else:
            regex += re.escape(pattern[i])
            i += 1
    return re.fullmatch(regex, path) is not None


@pytest.mark.parametrize("spec_path", ["mlops.yaml", "models/credit/mlops.yaml"])
def test_training_on_main_follows_the_spec_its_data_and_code(spec_path: str) -> None:
    files = rendered(variant("example"), spec_path)
    deploy = yaml.safe_load(files[".github/workflows/mlops-credit-risk-deploy.yml"])
    paths = deploy[True]["push"]["paths"]  # PyYAML reads the key `on` as true
    prefix = spec_path.rpartition("/")[0]

    def at(path: str) -> str:
        return f"{prefix}/{path}" if prefix else path

    def triggers(path: str) -> bool:
        return any(github_paths_match(pattern, path) for pattern in paths)

    for path in ("mlops.yaml", "data/applications.csv", "train.py", "src/features.py",
                 "requirements.txt"):
        assert triggers(at(path)), path
    assert triggers(".github/workflows/mlops-credit-risk-deploy.yml")
    for path in ("README.md", "docs/model.md", "deploy/staging/kustomization.yaml",
                 "argocd/applicationset.yaml", ".github/workflows/mlops-credit-risk-pr.yml"):
        assert not triggers(at(path)), path
    assert not triggers("README.md")
    # Dispatched by hand, it still runs on main only; training waits for the decision.
    assert deploy["jobs"]["decide"]["if"] == "github.ref == 'refs/heads/main'"
    assert deploy["jobs"]["train"]["needs"] == "decide"
    assert deploy["jobs"]["train"]["if"] == ("github.ref == 'refs/heads/main' && "
                                             "needs.decide.outputs.train == 'true'")


def test_a_pending_production_approval_blocks_nothing_else() -> None:
    files = rendered(push(variant("example")))
    deploy = yaml.safe_load(files[".github/workflows/mlops-credit-risk-deploy.yml"])
    monitor = yaml.safe_load(files[".github/workflows/mlops-credit-risk-monitor.yml"])
    assert "concurrency" not in deploy
    groups = {job_id: job["concurrency"]["group"] for job_id, job in deploy["jobs"].items()}
    # The decision's group is its commit's: a newer push never cancels it while it waits.
    assert groups.pop("decide") == (
        "${{ format('{0}-{1}', 'mlops-credit-risk-decide', github.sha) }}")
    assert groups == {"train": "mlops-credit-risk-train",
                      "upload": "mlops-credit-risk-upload",
                      "deploy-staging": "mlops-credit-risk-deploy-staging",
                      "deploy-production": "mlops-credit-risk-deploy-production"}
    assert monitor["concurrency"]["group"] == "mlops-credit-risk-monitor"
    assert monitor["concurrency"]["group"] not in groups.values()
