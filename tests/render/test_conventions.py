"""One source of truth for what both CI targets agree on (mlops_spec.conventions)."""

from __future__ import annotations

import re

import yaml
from variants import dump, variant

from mlops_spec import conventions
from mlops_spec.render import engine
from mlops_spec.render.outputs import RenderContext
from mlops_spec.spec.validate import validate_text


def test_secret_roles() -> None:
    listed = ["DATA_READER", "KUBECONFIG", "KUBECONFIG_EU_PROD", "MLOPS_PR_TOKEN",
              "GITHUB_TOKEN", "MODEL_STORE_CREDENTIALS"]
    assert conventions.store_secrets(listed) == ["DATA_READER", "MODEL_STORE_CREDENTIALS"]
    assert conventions.kubeconfig_for(listed, "eu-prod") == "KUBECONFIG_EU_PROD"
    assert conventions.kubeconfig_for(listed, "staging") == "KUBECONFIG"
    assert conventions.kubeconfig_for(["DATA_READER"], "staging") is None


def test_read_only_secrets_fill_the_variables_the_backends_read() -> None:
    listed = ["AWS_ACCESS_KEY_ID", "AWS_ACCESS_KEY_ID_READONLY", "DATA_READONLY",
              "KUBECONFIG_READONLY", "MLOPS_PR_TOKEN", "READONLY", "GITHUB_TOKEN_READONLY"]
    assert conventions.read_only_secrets(listed) == [
        ("AWS_ACCESS_KEY_ID", "AWS_ACCESS_KEY_ID_READONLY"), ("DATA", "DATA_READONLY")]
    assert conventions.read_only_secrets(["AWS_ACCESS_KEY_ID"]) == []
    # The Jenkins review-reading token is no store secret: never in training's environment.
    assert conventions.store_secrets(["GITHUB_TOKEN_READONLY"]) == []


def test_is_remote() -> None:
    assert conventions.is_remote("s3://bucket/prefix/")
    assert not conventions.is_remote("data/train.csv")
    assert not conventions.is_remote(None)


def _files(name: str, deployer: str | None = None) -> dict[str, str]:
    data = variant(name)
    if deployer is not None:
        data["ci"]["deployer"] = deployer
    result = validate_text("mlops.yaml", dump(data))
    assert result.spec is not None and result.ok
    ctx = RenderContext(spec=result.spec, spec_path="mlops.yaml", model_dir=".")
    return {path: text for path, (text, _) in engine.render(ctx, engine.default_targets(
        result.spec)).files.items()}


def test_both_targets_bind_the_same_store_secrets() -> None:
    """The retrain PR token opens pull requests from GitHub's monitor workflow only: no
    Jenkins stage and no training step gets it, in either target (each rendered as the
    one deployer, since only the deployer trains on main)."""
    files = _files("kubernetes-shadow", deployer="github_actions")
    jenkinsfile = _files("kubernetes-shadow", deployer="jenkins")["Jenkinsfile"]
    jenkins = set(re.findall(r"(\w+) = credentials\('(\w+)'\)", jenkinsfile))
    bound = {credential for variable, credential in jenkins if variable != "KUBECONFIG"}
    expected = set(conventions.store_secrets(list(variant("kubernetes-shadow")["ci"]
                                                  ["secrets"])))
    assert bound - {conventions.GITHUB_TOKEN_SECRET} == expected
    deploy = yaml.safe_load(files[".github/workflows/mlops-credit-risk-deploy.yml"])
    train_env = {key for step in deploy["jobs"]["train"]["steps"]
                 for key in (step.get("env") or {})}
    assert expected <= train_env and conventions.PR_TOKEN_SECRET not in train_env
