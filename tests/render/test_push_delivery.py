"""Push delivery: the rendered deploy scripts of both CIs, run for real.

The scripts run under bash (as GitHub runs ``run:`` steps) and under POSIX ``sh`` (as the
Jenkins ``sh`` step does) against a recording ``kubectl`` stand-in, which answers like a
cluster would; a second test hands the script to the real kubectl 1.32 with a loopback
API server that refuses connections, so every flag must parse before it fails on the
network.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import cli
from variants import variant, write_repo

try:  # tests/ as a package, or on sys.path (pytest's default import mode)
    from tests import groovy_parser as gp
except ImportError:  # pragma: no cover
    import groovy_parser as gp  # type: ignore[no-redef]

SHA = "fedcba9876543210fedcba9876543210fedcba98"
POD = "credit-risk-7d9f-abcde"

FAKE_KUBECTL = """\
#!{python}
import json, os, sys
args = sys.argv[1:]
with open(os.environ["KUBECTL_LOG"], "a") as log:
    log.write(json.dumps({{"args": args, "applyset": os.environ.get("KUBECTL_APPLYSET")}})
              + "\\n")
fail = os.environ.get("KUBECTL_FAIL", "")
if fail and fail in args:
    sys.stderr.write("error: " + fail + " failed\\n")
    sys.exit(1)
if args[:2] == ["get", "pods"]:
    print(os.environ.get("KUBECTL_PODS", ""))
elif args[:2] == ["get", "--raw"]:
    print('{{"name": "credit-risk", "ready": true}}', end="")
"""


def render_repo(root: Path, name: str, deployer: str) -> Path:
    data = variant(name)
    data["deployment"]["delivery"] = {"mode": "push"}
    data["ci"]["deployer"] = deployer
    [spec] = write_repo(root, {"mlops.yaml": data})
    run = cli("render", "-q", spec)
    assert run.code == 0, run.err
    return root


def github_step(root: Path, job: str) -> dict[str, Any]:
    workflow = yaml.safe_load(
        (root / ".github/workflows/mlops-credit-risk-deploy.yml").read_text(encoding="utf-8"))
    step: dict[str, Any] = workflow["jobs"][job]["steps"][-1]
    return step


def jenkins_stage(root: Path, title: str) -> tuple[dict[str, str], str]:
    """(literal environment, the push script) of a Jenkins deploy stage."""
    nodes = gp.parse((root / "Jenkinsfile").read_text(encoding="utf-8"))
    [pipeline] = [n for n in nodes if n.name == "pipeline"]
    [stage] = [s for s in pipeline.child("stages").children("stage") if s.string() == title]
    env = {n.name: n.string() for n in stage.child("environment").body
           if n.words()[1:2] != ["credentials"]}
    [script] = [n.string() for n in stage.walk() if n.name == "sh" and "kubectl" in n.string()]
    return env, script


@pytest.fixture
def fake_kubectl(tmp_path: Path) -> Path:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    kubectl = bin_dir / "kubectl"
    kubectl.write_text(FAKE_KUBECTL.format(python=sys.executable), encoding="utf-8")
    kubectl.chmod(0o755)
    return bin_dir


def run(shell: list[str], script: str, cwd: Path, env: dict[str, str],
        bin_dir: Path) -> subprocess.CompletedProcess[str]:
    full = {"PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "HOME": str(cwd),
            "KUBECTL_LOG": str(cwd / "kubectl.log"), **env}
    return subprocess.run([*shell, script], cwd=cwd, env=full, capture_output=True,
                          text=True, timeout=60, check=False)


def calls(cwd: Path) -> list[dict[str, Any]]:
    log = cwd / "kubectl.log"
    if not log.exists():
        return []
    return [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]


GITHUB_BASH = ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c"]
JENKINS_SH = ["sh", "-e", "-c"]


def test_github_deploy_applies_prunes_waits_and_smoke_tests(tmp_path: Path,
                                                            fake_kubectl: Path) -> None:
    root = render_repo(tmp_path / "repo", "kubernetes-rolling", "github_actions")
    step = github_step(root, "deploy-staging")
    env = {k: v for k, v in step["env"].items() if "${{" not in v}
    env.update(KUBECONFIG_DATA="apiVersion: v1\nkind: Config\n", RUNNER_TEMP=str(tmp_path),
               GITHUB_SHA=SHA, KUBECTL_PODS=f"pod/{POD}", MLOPS_TRAINED="true")
    done = run(GITHUB_BASH, step["run"], root, env, fake_kubectl)
    assert done.returncode == 0, done.stderr
    assert f"{SHA} serves in ml-staging (pod pod/{POD})" in done.stdout
    assert (root / "deploy/staging/model-version.env").read_text() == f"MODEL_VERSION={SHA}\n"
    assert not (tmp_path / "kubeconfig").exists(), "the kubeconfig outlives the step"
    made = calls(root)
    assert [c["args"][:2] for c in made] == [
        ["apply", "-k"], ["rollout", "status"], ["get", "pods"], ["wait", f"pod/{POD}"],
        ["get", "--raw"]]
    assert made[0]["args"] == ["apply", "-k", "deploy/staging", "-n", "ml-staging",
                               "--server-side", "--prune", "--applyset=mlops-credit-risk"]
    assert made[0]["applyset"] == "true"
    assert made[1]["args"][2] == "deployment/credit-risk"
    selector = made[2]["args"][made[2]["args"].index("-l") + 1]
    assert selector == ("app.kubernetes.io/name=credit-risk,app.kubernetes.io/component="
                        f"predictor,app.kubernetes.io/version={SHA}")
    assert made[4]["args"][2] == (
        f"/api/v1/namespaces/ml-staging/pods/{POD}:8080/proxy/v2/models/credit-risk/ready")


@pytest.mark.parametrize("failing", ["rollout", "--raw"])
def test_a_failed_readiness_or_smoke_request_fails_the_deploy(
        tmp_path: Path, fake_kubectl: Path, failing: str) -> None:
    root = render_repo(tmp_path / "repo", "kubernetes-rolling", "github_actions")
    step = github_step(root, "deploy-staging")
    env = {k: v for k, v in step["env"].items() if "${{" not in v}
    env.update(KUBECONFIG_DATA="x", RUNNER_TEMP=str(tmp_path), GITHUB_SHA=SHA,
               KUBECTL_PODS=f"pod/{POD}", KUBECTL_FAIL=failing, MLOPS_TRAINED="true")
    done = run(GITHUB_BASH, step["run"], root, env, fake_kubectl)
    assert done.returncode != 0
    assert "serves in" not in done.stdout


def test_no_pod_of_the_new_version_times_out(tmp_path: Path, fake_kubectl: Path) -> None:
    root = render_repo(tmp_path / "repo", "kubernetes-rolling", "github_actions")
    step = github_step(root, "deploy-staging")
    env = {k: v for k, v in step["env"].items() if "${{" not in v}
    env.update(KUBECONFIG_DATA="x", RUNNER_TEMP=str(tmp_path), GITHUB_SHA=SHA,
               MLOPS_WAIT_SECONDS="0", MLOPS_TRAINED="true")
    done = run(GITHUB_BASH, step["run"], root, env, fake_kubectl)
    assert done.returncode == 1
    assert "no running pod with labels" in done.stderr
    assert "get" not in [c["args"][0] for c in calls(root) if "--raw" in c["args"]]


def test_jenkins_runs_the_same_script_under_posix_sh(tmp_path: Path,
                                                     fake_kubectl: Path) -> None:
    root = render_repo(tmp_path / "repo", "example", "jenkins")  # KServe
    pinned = "0123456789abcdef0123456789abcdef01234567"
    data = yaml.safe_load((root / "mlops.yaml").read_text(encoding="utf-8"))
    data["deployment"]["environments"][1]["model_version"] = pinned
    (root / "mlops.yaml").write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    assert cli("render", "-q", root / "mlops.yaml").code == 0
    env, script = jenkins_stage(root, "Deploy production")
    # This build trained nothing (a pin-only change): the pinned version still deploys.
    env.update(GIT_COMMIT=SHA, KUBECTL_PODS=f"pod/{POD}", MLOPS_TRAINED="false")
    done = run(JENKINS_SH, script, root, env, fake_kubectl)
    assert done.returncode == 0, done.stderr
    made = calls(root)
    assert made[0]["args"][:3] == ["apply", "-k", "deploy/production"]
    assert made[1]["args"] == ["wait", "inferenceservice.serving.kserve.io/credit-risk", "-n",
                               "ml-prod", "--for=condition=Ready", "--timeout", "600s"]
    # A pinned environment serves its pinned version, not the commit being built.
    assert any(f"app.kubernetes.io/version={pinned}" in arg for c in made for arg in c["args"])
    assert f"{pinned} serves in ml-prod" in done.stdout


def test_batch_deploys_apply_only(tmp_path: Path, fake_kubectl: Path) -> None:
    root = render_repo(tmp_path / "repo", "batch", "jenkins")
    env, script = jenkins_stage(root, "Deploy staging")
    env.update(GIT_COMMIT=SHA, MLOPS_TRAINED="true")
    done = run(JENKINS_SH, script, root, env, fake_kubectl)
    assert done.returncode == 0, done.stderr
    assert [c["args"][0] for c in calls(root)] == ["apply"]  # a CronJob has no server


@pytest.mark.parametrize("provider", ["github_actions", "jenkins"])
def test_an_unpinned_environment_deploys_nothing_when_nothing_was_trained(
        tmp_path: Path, fake_kubectl: Path, provider: str) -> None:
    """A push that trained no version (needs-training said no) has no new version for an
    environment without a pin: the step says so and succeeds, and kubectl never runs."""
    root = render_repo(tmp_path / "repo", "kubernetes-rolling", provider)
    if provider == "github_actions":
        step = github_step(root, "deploy-staging")
        env = {k: v for k, v in step["env"].items() if "${{" not in v}
        env.update(KUBECONFIG_DATA="x", RUNNER_TEMP=str(tmp_path), GITHUB_SHA=SHA,
                   MLOPS_TRAINED="false")
        shell, script = GITHUB_BASH, step["run"]
    else:
        env, script = jenkins_stage(root, "Deploy staging")
        env.update(GIT_COMMIT=SHA, MLOPS_TRAINED="false")
        shell = JENKINS_SH
    done = run(shell, script, root, env, fake_kubectl)
    assert done.returncode == 0, done.stderr
    assert "nothing to deploy to staging: no version pinned or trained" in done.stdout
    assert calls(root) == []
    assert (root / "deploy/staging/model-version.env").read_text().endswith(
        "\nMODEL_VERSION=<unset>\n")


@pytest.mark.slow
def test_real_kubectl_accepts_every_flag(tmp_path: Path) -> None:
    kubectl = shutil.which("kubectl")
    assert kubectl, "kubectl is not on PATH"
    root = render_repo(tmp_path / "repo", "kubernetes-rolling", "github_actions")
    step = github_step(root, "deploy-staging")
    env = {k: v for k, v in step["env"].items() if "${{" not in v}
    kubeconfig = yaml.safe_dump({
        "apiVersion": "v1", "kind": "Config", "current-context": "refused",
        "clusters": [{"name": "loopback", "cluster": {
            "server": "https://127.0.0.1:1", "insecure-skip-tls-verify": True}}],
        "users": [{"name": "nobody", "user": {"token": "x"}}],
        "contexts": [{"name": "refused", "context": {"cluster": "loopback",
                                                     "user": "nobody"}}]})
    env.update(KUBECONFIG_DATA=kubeconfig, RUNNER_TEMP=str(tmp_path), GITHUB_SHA=SHA,
               KUBECTL_LOG=str(tmp_path / "unused"), MLOPS_TRAINED="true")
    done = subprocess.run([*GITHUB_BASH, step["run"]], cwd=root, capture_output=True,
                          text=True, timeout=120, check=False,
                          env={"PATH": os.environ["PATH"], "HOME": str(tmp_path), **env})
    assert done.returncode != 0
    assert "unknown flag" not in done.stderr and "requires" not in done.stderr, done.stderr
    assert "127.0.0.1:1" in done.stderr and "refused" in done.stderr, done.stderr
