"""The environment of GitHub OIDC federation, per cloud (docs/delivery.md, OIDC).

Two lists for the workflow templates: what the step fetching GitHub's OIDC token reads
(the audience, where to write the token and, for GCP, the credential configuration), and
what the steps using the cloud read: the variables each cloud's SDKs take a federated
token from. Spec values enter only as escaped YAML scalars of ``env:`` entries; the
scripts that read them are constants of ``templates/github_actions/steps/oidc.yml.j2``.
"""

from __future__ import annotations

from mlops_spec.render.escaping import Escaped, github_yaml, literal
from mlops_spec.spec import oidc
from mlops_spec.spec.sections import OidcRole

Env = list[tuple[str, Escaped]]

TOKEN_FILE = "${{ runner.temp }}/mlops-oidc-token"
GCP_CREDENTIALS_FILE = "${{ runner.temp }}/mlops-gcp-credentials.json"


def fetch_env(role: OidcRole) -> Env:
    """What the token step reads: the audience the cloud expects in the token."""
    audience = oidc.token_audience(role.cloud, role.workload_identity_provider)
    env: Env = [("AUDIENCE", github_yaml(audience)), ("TOKEN_FILE", literal(TOKEN_FILE))]
    if role.cloud == "gcp":
        env += [("CREDENTIALS_FILE", literal(GCP_CREDENTIALS_FILE)),
                ("STS_URL", literal(oidc.GCP_STS_URL))]
        if role.service_account is not None:
            url = oidc.GCP_IMPERSONATION_URL.format(account=role.service_account)
            env.append(("IMPERSONATION_URL", github_yaml(url)))
    return env


def cloud_env(role: OidcRole) -> Env:
    """What the SDKs read: botocore (s3fs, aws eks get-token), google-auth (gcsfs,
    gcloud, gke-gcloud-auth-plugin), azure-identity (adlfs, az, kubelogin)."""
    if role.cloud == "aws":
        assert role.role_arn is not None, "validated (M260)"
        return [("AWS_ROLE_ARN", github_yaml(role.role_arn)),
                ("AWS_WEB_IDENTITY_TOKEN_FILE", literal(TOKEN_FILE))]
    if role.cloud == "gcp":
        return [("GOOGLE_APPLICATION_CREDENTIALS", literal(GCP_CREDENTIALS_FILE)),
                ("CLOUDSDK_AUTH_CREDENTIAL_FILE_OVERRIDE", literal(GCP_CREDENTIALS_FILE))]
    assert role.client_id is not None and role.tenant_id is not None, "validated (M260)"
    env: Env = [("AZURE_CLIENT_ID", github_yaml(role.client_id)),
                ("AZURE_TENANT_ID", github_yaml(role.tenant_id)),
                ("AZURE_FEDERATED_TOKEN_FILE", literal(TOKEN_FILE))]
    if role.subscription_id is not None:
        env.append(("AZURE_SUBSCRIPTION_ID", github_yaml(role.subscription_id)))
    if role.storage_account is not None:
        env.append(("AZURE_STORAGE_ACCOUNT_NAME", github_yaml(role.storage_account)))
    # adlfs is anonymous unless told otherwise; then it asks DefaultAzureCredential,
    # which reads the three variables above (WorkloadIdentityCredential).
    env.append(("AZURE_STORAGE_ANON", github_yaml("false")))
    return env
