"""Specs covering every deployment mode and strategy, derived from the bundled example."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "example-repo" / "mlops.yaml"

Data = dict[str, Any]


def _on_keys(value: Any) -> Any:
    # PyYAML reads the key `on` as the YAML 1.1 boolean; mlops-spec reads it as text.
    if isinstance(value, dict):
        return {("on" if key is True else key): _on_keys(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_on_keys(item) for item in value]
    return value


def example_data() -> Data:
    data: Data = _on_keys(yaml.safe_load(EXAMPLE.read_text(encoding="utf-8")))
    return data


def dump(data: Data) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def _kubernetes(data: Data, strategy: Data) -> None:
    data["deployment"]["platform"] = "kubernetes"
    data["deployment"]["strategy"] = strategy


def _no_cluster(data: Data) -> None:
    data["ci"]["secrets"] = [s for s in data["ci"]["secrets"]
                             if not s.startswith("KUBECONFIG_")]


def kserve_rolling(data: Data) -> None:
    data["deployment"]["strategy"] = {"type": "rolling"}
    del data["monitoring"]
    del data["retrain"]
    data["governance"]["checklist"].remove("monitoring-configured")


def kubernetes_rolling(data: Data) -> None:
    _kubernetes(data, {"type": "rolling"})
    data["deployment"]["delivery"] = {"mode": "push"}  # a realtime model applied from CI
    data["ci"]["oidc_role"] = "arn:aws:iam::123456789012:role/mlops-credit-risk"
    data["retrain"] = {"on": ["drift"]}


def kubernetes_canary(data: Data) -> None:
    _kubernetes(data, {"type": "canary", "steps": [{"weight": 20, "pause": "10m"},
                                                    {"weight": 60}]})


def kubernetes_blue_green(data: Data) -> None:
    _kubernetes(data, {"type": "blue_green"})
    data["retrain"] = {"schedule": "30 2 1 * *"}


def kubernetes_shadow(data: Data) -> None:
    _kubernetes(data, {"type": "shadow", "mirror_percent": 50, "traffic_router": "istio"})
    data["ci"]["secrets"].append("MLOPS_PR_TOKEN")
    # A commit of a github.com repository: its workflows install with mlops-spec's action.
    data["ci"]["install"] = {"git": "https://github.com/acme/mlops-spec",
                             "commit": "0123456789abcdef0123456789abcdef01234567"}


def batch(data: Data) -> None:
    data["deployment"] = {
        "mode": "batch", "platform": "kubernetes",
        "resources": {"cpu": "1", "memory": "2Gi"},
        "environments": [
            {"name": "staging", "namespace": "ml-staging", "auto_deploy": True},
            {"name": "eu-prod", "namespace": "ml-prod", "approvers": ["sme"]},
        ],
        "batch": {"schedule": "0 2 * * *", "input": "s3://acme-ml/credit-risk/to-score/",
                  "output": "s3://acme-ml/credit-risk/scores/", "parallelism": 4},
        "image": "ghcr.io/acme/credit-risk-scorer:2.3.1",
        "delivery": {"mode": "push"},
    }
    data["ci"]["secrets"] = ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "KUBECONFIG_STAGING",
                             "KUBECONFIG_EU_PROD"]
    del data["retrain"]


def embedded(data: Data) -> None:
    data["deployment"] = {
        "mode": "embedded",
        "environments": [{"name": "production", "namespace": "ml-prod",
                          "approvers": ["sme", "ml_engineer"]}],
    }
    _no_cluster(data)
    data["retrain"] = {"schedule": "0 3 * * 1", "on": ["performance"]}


def embedded_minimal(data: Data) -> None:
    """Embedded, no artifact store, no secrets, no monitoring: the smallest spec."""
    embedded(data)
    data["risk_tier"] = "low"
    data["deployment"]["environments"] = [{"name": "production", "namespace": "ml-prod"}]
    data["model"]["artifact"] = {"format": "skops"}
    data["ci"] = {"providers": ["github_actions"], "python": "3.12"}
    del data["monitoring"]
    del data["retrain"]
    data["governance"]["checklist"].remove("monitoring-configured")


def kubernetes_training(data: Data) -> None:
    """Training as a Kubernetes Job submitted by the deploying pipeline (submit-training),
    with remote data and the example's s3:// store and Argo CD delivery."""
    data["data"]["sources"][0]["uri"] = "s3://acme-data/credit-risk/applications.csv"
    data["training"] = {"runner": "builtin", "platform": "kubernetes",
                        "image": "ghcr.io/acme/credit-risk-train:1.4.0",
                        "resources": {"cpu": "2", "memory": "4Gi"}, "timeout_minutes": 45}
    data["ci"]["oidc_role"] = "arn:aws:iam::123456789012:role/mlops-credit-risk"


def kubernetes_training_jenkins(data: Data) -> None:
    """The same, with Jenkins deploying (its Train stage submits) in push mode."""
    kubernetes_training(data)
    data["ci"]["deployer"] = "jenkins"
    data["deployment"]["delivery"] = {"mode": "push"}


GCP_PROVIDER = ("projects/123456789012/locations/global/workloadIdentityPools/github/"
                "providers/github")
AZURE_CLIENT_ID = "11111111-2222-3333-4444-555555555555"
AZURE_TENANT_ID = "66666666-7777-8888-9999-000000000000"


def gcp_oidc(data: Data) -> None:
    """A gs:// store and push deploys (GKE), both through workload identity federation."""
    data["model"]["artifact"]["store"] = "gs://acme-models/credit-risk"
    data["deployment"]["delivery"] = {"mode": "push"}
    data["ci"]["oidc_role"] = {
        "cloud": "gcp", "workload_identity_provider": GCP_PROVIDER,
        "service_account": "mlops-credit-risk@acme-ml.iam.gserviceaccount.com"}


def azure_oidc(data: Data) -> None:
    """An embedded model whose az:// store is written with a federated credential."""
    embedded(data)
    data["model"]["artifact"]["store"] = "az://models/credit-risk"
    data["ci"]["oidc_role"] = {
        "cloud": "azure", "client_id": AZURE_CLIENT_ID, "tenant_id": AZURE_TENANT_ID,
        "subscription_id": "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",
        "storage_account": "acmemodels"}


VARIANTS: dict[str, Callable[[Data], None]] = {
    "example": lambda data: None,
    "kserve-rolling": kserve_rolling,
    "kubernetes-rolling": kubernetes_rolling,
    "kubernetes-canary": kubernetes_canary,
    "kubernetes-blue-green": kubernetes_blue_green,
    "kubernetes-shadow": kubernetes_shadow,
    "batch": batch,
    "embedded": embedded,
    "embedded-minimal": embedded_minimal,
    "kubernetes-training": kubernetes_training,
    "kubernetes-training-jenkins": kubernetes_training_jenkins,
    "gcp-oidc": gcp_oidc,
    "azure-oidc": azure_oidc,
}


def variant(name: str, model: str | None = None) -> Data:
    data = copy.deepcopy(example_data())
    VARIANTS[name](data)
    if model is not None:
        data["name"] = model
    return data


def write_repo(root: Path, specs: dict[str, Data]) -> list[Path]:
    """A git-like work tree (``.git`` marks the root) holding specs at the given paths."""
    (root / ".git").mkdir(parents=True, exist_ok=True)
    paths = []
    for relative, data in specs.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dump(data), encoding="utf-8")
        paths.append(path)
    return paths
