"""Facts about the clouds `ci.oidc_role` can federate with: identifier formats, the
audience GitHub's OIDC token is requested for, and which store scheme lives on which cloud.

One table read by the meaning rules (M260-M266) and by the GitHub Actions renderer, so
the format a rule accepts and the value a workflow sends cannot drift apart.
"""

from __future__ import annotations

import re
from typing import Literal, NamedTuple

from mlops_spec.spec.types import AWS_ROLE_ARN

Cloud = Literal["aws", "gcp", "azure"]


class IdFormat(NamedTuple):
    """An identifier's pattern, named for messages, with an example for hints."""

    pattern: re.Pattern[str]
    what: str
    example: str


GUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"

FORMATS: dict[str, IdFormat] = {
    "role_arn": IdFormat(re.compile(AWS_ROLE_ARN), "an IAM role ARN",
                         "arn:aws:iam::123456789012:role/mlops-credit-risk"),
    "workload_identity_provider": IdFormat(
        re.compile(r"^projects/[0-9]{1,20}/locations/[a-z0-9-]{1,63}/workloadIdentityPools/"
                   r"[a-z0-9-]{4,32}/providers/[a-z0-9-]{4,32}$"),
        "a workload identity provider's resource name (with the project number, not its id)",
        "projects/123456789012/locations/global/workloadIdentityPools/github/providers/github"),
    "service_account": IdFormat(
        re.compile(r"^[a-z0-9][a-z0-9-]{0,29}@[a-z0-9][a-z0-9.:-]*\.gserviceaccount\.com$"),
        "a service account email",
        "mlops-credit-risk@acme-ml.iam.gserviceaccount.com"),
    "client_id": IdFormat(re.compile(f"^{GUID}$"), "a GUID (the application's client id)",
                          "00000000-0000-0000-0000-000000000000"),
    "tenant_id": IdFormat(re.compile(f"^{GUID}$"), "a GUID (the directory's tenant id)",
                          "00000000-0000-0000-0000-000000000000"),
    "subscription_id": IdFormat(re.compile(f"^{GUID}$"), "a GUID (the subscription id)",
                                "00000000-0000-0000-0000-000000000000"),
    "storage_account": IdFormat(re.compile(r"^[a-z0-9]{3,24}$"),
                                "a storage account name (3-24 lowercase letters and digits)",
                                "acmemodels"),
}
"""Every cloud-specific field of ci.oidc_role and the format it must have."""

REQUIRED: dict[Cloud, tuple[str, ...]] = {
    "aws": ("role_arn",),
    "gcp": ("workload_identity_provider",),
    "azure": ("client_id", "tenant_id"),
}
OPTIONAL: dict[Cloud, tuple[str, ...]] = {
    "aws": (),
    "gcp": ("service_account",),
    "azure": ("subscription_id", "storage_account"),
}

STORE_CLOUDS: dict[str, Cloud] = {
    "s3": "aws", "gs": "gcp", "gcs": "gcp", "az": "azure", "abfs": "azure", "abfss": "azure",
}
"""The cloud whose credentials each remote store scheme reads (hdfs, https: none)."""

AWS_AUDIENCE = "sts.amazonaws.com"
AZURE_AUDIENCE = "api://AzureADTokenExchange"
GCP_STS_URL = "https://sts.googleapis.com/v1/token"
GCP_IMPERSONATION_URL = ("https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/"
                         "{account}:generateAccessToken")


def fields_of(cloud: Cloud) -> tuple[str, ...]:
    return REQUIRED[cloud] + OPTIONAL[cloud]


def gcp_audience(provider: str) -> str:
    """A provider with no allowed audiences accepts its full resource name (the default
    GCP documents), which is also the credential configuration's ``audience``."""
    return f"//iam.googleapis.com/{provider}"


def token_audience(cloud: Cloud, provider: str | None = None) -> str:
    """The audience the GitHub OIDC token is requested for."""
    if cloud == "gcp":
        assert provider is not None, "validated: gcp needs workload_identity_provider"
        return gcp_audience(provider)
    return AWS_AUDIENCE if cloud == "aws" else AZURE_AUDIENCE


def store_cloud(store: str | None) -> Cloud | None:
    """The cloud an artifact store URI lives on, or None (local, hdfs, https)."""
    if store is None or "://" not in store:
        return None
    return STORE_CLOUDS.get(store.split("://", 1)[0])
