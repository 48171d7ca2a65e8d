"""Specs and helpers shared by the Kubernetes target tests.

``combinations()`` walks every deployment mode x platform x strategy x traffic router x
training platform the spec model's enums allow, and says (independently of the
validator) which ones can work. ``render_case`` writes a spec into a directory and renders
the kubernetes target there; ``kustomize`` builds an overlay with the real kubectl.
"""

from __future__ import annotations

import copy
import itertools
import shutil
import subprocess
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, get_args

import pytest
import yaml

from mlops_spec.render import engine, writer
from mlops_spec.spec.loader import load_text
from mlops_spec.spec.sections import Deployment, Strategy, Training
from mlops_spec.spec.validate import Result, validate_file, validate_text

REPO = Path(__file__).resolve().parents[2]
CRD_SCHEMAS = REPO / "tests" / "fixtures" / "crd-schemas"
"""Vendored upstream CRD schemas (provenance in its README.md)."""
EXAMPLE = REPO / "example-repo" / "mlops.yaml"
PINNED = "0123456789abcdef0123456789abcdef01234567"
DEPLOYED = "fedcba9876543210fedcba9876543210fedcba98"

MODES: tuple[str, ...] = get_args(Deployment.model_fields["mode"].annotation)
PLATFORMS: tuple[str | None, ...] = (
    None, *get_args(get_args(Deployment.model_fields["platform"].annotation)[0]))
STRATEGIES: tuple[str, ...] = get_args(Strategy.model_fields["type"].annotation)
ROUTERS: tuple[str, ...] = get_args(Strategy.model_fields["traffic_router"].annotation)
TRAINING: tuple[str, ...] = get_args(Training.model_fields["platform"].annotation)


@cache
def _example() -> dict[str, Any]:
    data: dict[str, Any] = load_text("mlops.yaml", EXAMPLE.read_text()).data
    return data


def example_data() -> dict[str, Any]:
    return copy.deepcopy(_example())


def dump(data: dict[str, Any]) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


# --- the matrix -------------------------------------------------------------------------


def why_not(mode: str, platform: str | None, kind: str, router: str) -> str | None:
    """The diagnostic code a combination must fail with, or None when it can work.

    Written from the product rules, not from the validator, so the test compares two
    independent statements of them.
    """
    if mode == "embedded" and platform is not None:
        return "M022"  # embedded ships the artifact; no platform
    if mode != "embedded" and platform is None:
        return "M022"  # realtime and batch need a platform
    if mode == "batch" and platform == "kserve":
        return "M011"  # batch is a CronJob, not KServe
    if mode != "realtime" and kind != "rolling":
        return "M030"  # canary weights etc. need live traffic
    if platform == "kserve" and kind in ("blue_green", "shadow"):
        return "M011"  # KServe has no blue/green or shadow
    if kind == "shadow" and router != "istio":
        return "M028"  # mirroring needs a mesh
    if router == "istio" and platform != "kubernetes":
        return "M028"
    return None


def matrix_data(mode: str, platform: str | None, kind: str, router: str,
                training: str) -> dict[str, Any]:
    """The example changed to one combination, with whatever that combination needs."""
    data = example_data()
    deployment = data["deployment"]
    deployment["mode"] = mode
    if platform is None:
        deployment.pop("platform", None)
    else:
        deployment["platform"] = platform
    strategy: dict[str, Any] = {"type": kind}
    if kind == "canary":
        strategy["steps"] = [{"weight": 10, "pause": "15m"}, {"weight": 50}]
    if kind == "shadow":
        strategy["mirror_percent"] = 20
    if router != "none":
        strategy["traffic_router"] = router
    deployment["strategy"] = strategy
    if mode == "batch":
        deployment["batch"] = {"schedule": "30 2 * * *", "input": "s3://acme-ml/to-score/",
                               "output": "s3://acme-ml/scores/", "parallelism": 4}
        deployment["image"] = "ghcr.io/acme/credit-risk-scorer:2.3.1"
    staging, production = deployment["environments"]
    staging["autoscaling"] = {"min_replicas": 1, "max_replicas": 3}
    staging["resources"] = {"cpu": "250m", "memory": "512Mi"}
    production["model_version"] = PINNED
    data["training"]["platform"] = training
    if training == "kubernetes":
        data["training"]["image"] = "ghcr.io/acme/credit-risk-train:1.4.0"
        data["data"]["sources"][0]["uri"] = "s3://acme-data/applications.csv"
    return data


@dataclass(frozen=True)
class Combination:
    mode: str
    platform: str | None
    strategy: str
    router: str
    training: str

    @property
    def id(self) -> str:
        return "-".join(str(part) for part in (self.mode, self.platform, self.strategy,
                                               self.router, self.training))

    @property
    def reason(self) -> str | None:
        return why_not(self.mode, self.platform, self.strategy, self.router)

    def data(self) -> dict[str, Any]:
        return matrix_data(self.mode, self.platform, self.strategy, self.router,
                           self.training)


def combinations() -> list[Combination]:
    return [Combination(*values) for values in
            itertools.product(MODES, PLATFORMS, STRATEGIES, ROUTERS, TRAINING)]


# --- further cases: what the matrix does not vary ---------------------------------------


def _fixed_replicas() -> dict[str, Any]:
    """No deployment-level autoscaling: fixed replicas, and one environment that
    autoscales on its own (its HPA exists only in its overlay)."""
    data = matrix_data("realtime", "kubernetes", "rolling", "none", "ci")
    deployment = data["deployment"]
    deployment.pop("autoscaling")
    deployment["environments"][0] = {"name": "staging", "namespace": "ml-staging",
                                     "auto_deploy": True, "replicas": 2}
    deployment["environments"][1]["autoscaling"] = {"min_replicas": 3, "max_replicas": 12,
                                                    "target_cpu_percent": 60}
    return data


def _kserve_scale_to_zero() -> dict[str, Any]:
    data = matrix_data("realtime", "kserve", "rolling", "none", "ci")
    data["deployment"]["environments"][0]["autoscaling"] = {"min_replicas": 0,
                                                            "max_replicas": 2}
    return data


def _kserve_fixed() -> dict[str, Any]:
    data = matrix_data("realtime", "kserve", "rolling", "none", "ci")
    deployment = data["deployment"]
    deployment.pop("autoscaling")
    deployment.pop("resources")
    for env in deployment["environments"]:
        env.pop("autoscaling", None)
        env["replicas"] = 3
    return data


def _three_environments() -> dict[str, Any]:
    data = matrix_data("realtime", "kubernetes", "blue_green", "none", "kubernetes")
    data["deployment"]["environments"].insert(1, {
        "name": "pre-prod", "namespace": "ml-preprod",
        "resources": {"cpu": "2", "memory": "3Gi"}})
    data["ci"]["secrets"].append("KUBECONFIG_PRE_PROD")
    return data


def _custom_serving_image() -> dict[str, Any]:
    data = matrix_data("realtime", "kubernetes", "canary", "istio", "ci")
    data["deployment"]["image"] = "ghcr.io/acme/mlserver-credit:1.7.1-acme.3"
    return data


def _kserve_store_secret() -> dict[str, Any]:
    """KServe Standard mode reading an S3-compatible store through a referenced Secret,
    exposed outside the cluster, callers by namespace only."""
    data = matrix_data("realtime", "kserve", "rolling", "none", "ci")
    deployment = data["deployment"]
    deployment.pop("identity")
    deployment["store_access"] = {"secret": "model-store", "endpoint": "https://minio:9000",
                                  "region": "eu-west-1"}
    deployment["callers"] = [{"namespace": "web"}, {"pod_labels": {"app": "batch"}}]
    deployment["expose"] = True
    return data


def _batch_identities() -> dict[str, Any]:
    """Batch with per-environment locations, Azure and GKE identity and a digest image."""
    data = matrix_data("batch", "kubernetes", "rolling", "none", "ci")
    deployment = data["deployment"]
    deployment["image"] = "ghcr.io/acme/score@sha256:" + "0" * 64
    deployment["sklearn_version"] = "1.5.2"
    deployment["identity"] = {
        "gcp_service_account": "credit-risk@acme-ml.iam.gserviceaccount.com",
        "azure_client_id": "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"}
    deployment["batch"]["timeout_minutes"] = 30
    deployment["environments"][-1]["batch_output"] = "s3://acme-prod/scores/"
    deployment["environments"][-1]["batch_input"] = "s3://acme-prod/to-score/"
    return data


EXTRA_CASES = {
    "example": example_data,
    "fixed-replicas": _fixed_replicas,
    "kserve-scale-to-zero": _kserve_scale_to_zero,
    "kserve-fixed-replicas": _kserve_fixed,
    "three-environments": _three_environments,
    "custom-serving-image": _custom_serving_image,
    "kserve-store-secret": _kserve_store_secret,
    "batch-identities": _batch_identities,
}


def renderable_cases() -> dict[str, dict[str, Any]]:
    """Every spec the target renders: the allowed matrix (except embedded models trained
    on CI, which have nothing for a cluster) and the extra cases."""
    cases = {combo.id: combo.data() for combo in combinations()
             if combo.reason is None and (combo.platform or combo.training == "kubernetes")}
    cases.update({name: build() for name, build in EXTRA_CASES.items()})
    return cases


# --- rendering ----------------------------------------------------------------------------


def validated(data: dict[str, Any]) -> Result:
    result = validate_text("mlops.yaml", dump(data))
    errors = [f"{d.code} {d.message}" for d in result.diagnostics if d.is_error]
    assert result.spec is not None and not errors, errors
    return result


def render_case(data: dict[str, Any], root: Path, spec_path: str = "mlops.yaml") -> Path:
    """Write the spec at ``root/spec_path``, render the kubernetes target into ``root``,
    return the spec's directory."""
    spec_file = root / spec_path
    spec_file.parent.mkdir(parents=True, exist_ok=True)
    spec_file.write_text(dump(data), encoding="utf-8")
    result = validate_file(spec_file)
    assert result.spec is not None and result.ok, [str(d) for d in result.diagnostics]
    ctx = engine.context_for(result.spec, spec_file, root)
    writer.apply(root, engine.render(ctx, ["kubernetes"]))
    return spec_file.parent


def overlays(model_dir: Path) -> list[Path]:
    """Every kustomization directory under deploy/ that is meant to be built."""
    deploy = model_dir / "deploy"
    if not deploy.is_dir():
        return []
    # base is built through the overlays; custom holds the user's kustomize Components.
    return sorted(p for p in deploy.iterdir()
                  if p.name not in ("base", "custom") and (p / "kustomization.yaml").is_file())


def kubectl() -> str:
    path = shutil.which("kubectl")
    if path is None:
        pytest.fail("kubectl is not on PATH: the kustomize tests build every overlay with "
                    "`kubectl kustomize` (kustomize v5); install kubectl")
    return path


def kustomize(directory: Path) -> list[dict[str, Any]]:
    run = subprocess.run([kubectl(), "kustomize", str(directory)], capture_output=True,
                         text=True, check=False)
    assert run.returncode == 0, f"kubectl kustomize {directory} failed:\n{run.stderr}"
    return [doc for doc in yaml.safe_load_all(run.stdout) if doc]


def set_version(overlay: Path, version: str) -> None:
    """What the deploying pipeline does before `kubectl apply -k` (unpinned overlays)."""
    file = overlay / "model-version.env"
    if file.exists():
        file.write_text(f"MODEL_VERSION={version}\n", encoding="utf-8")
