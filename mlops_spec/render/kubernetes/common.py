"""What every Kubernetes object shares: pinned images, names, labels, security, resources.

Decisions live here once, so the walker test and the docs can point at one place: the
images and their exact tags, the non-root user, the security context of every container,
and the version placeholder that kustomize replaces per environment.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mlops_spec.spec import scope
from mlops_spec.spec.sections import Autoscaling, Environment, Resources, Spec

# --- pinned images --------------------------------------------------------------------------

MLSERVER_IMAGE = "docker.io/seldonio/mlserver:1.7.1-sklearn"
"""MLServer with only its scikit-learn runtime (Open Inference Protocol). 1.7.1 is the
newest MLServer release (PyPI mlserver and mlserver-sklearn 1.7.1); MLServer's release
workflow pushes ``seldonio/mlserver:<version>-<runtime>`` for each runtime, and the
``-sklearn`` image is the smallest one that serves scikit-learn models. Runs as UID 1000."""
STORAGE_INITIALIZER_IMAGE = "docker.io/kserve/storage-initializer:v0.21.0"
"""KServe's model downloader (s3, gs, hdfs, https), the same one KServe injects into its
own predictors; v0.21.0 is the newest KServe release (PyPI kserve 0.21.0). Runs as UID 1000
with ``initializer-entrypoint <src_uri> <dest_path>`` as its entrypoint."""

RUN_AS_USER = 1000
"""The user both images above are built with; user images must run as it too."""

# --- names and ports ------------------------------------------------------------------------

HTTP_PORT = 8080
GRPC_PORT = 8081
METRICS_PORT = 8082
MODEL_DIR = "/mnt/models"
MODEL_FILE = "model.joblib"
SERVING_PREFIX = "serving"
"""Artifacts live at ``<store>/<version>/``; the runtimes read ``<version>/serving/``,
which holds only ``model.joblib``."""

VERSION_KEY = "MODEL_VERSION"
UNSET_VERSION = "<unset>"
"""Placeholder the overlays replace. Not a valid label value on purpose: applying an
overlay whose version was never set fails at the API server instead of serving nothing."""

DEFAULT_SERVING = Resources(cpu="1", memory="2Gi")
"""KServe's own runtime defaults (kserve-sklearnserver and kserve-mlserver)."""
DEFAULT_TRAINING = Resources(cpu="1", memory="2Gi")
INIT_REQUESTS = {"cpu": "100m", "memory": "100Mi"}
INIT_LIMITS = {"cpu": "1", "memory": "1Gi"}
"""KServe's defaults for its storage-initializer container."""


def version_configmap(spec: Spec) -> str:
    return f"{spec.name}-model-version"


# --- per-environment settings ---------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """The settings one environment (or the base, with no environment) renders with."""

    namespace: str | None
    """The environment's namespace; None for deploy/base (the deployment-level settings)."""
    replicas: int
    resources: Resources
    autoscaling: Autoscaling | None


def base_scope(spec: Spec) -> Scope:
    return Scope(namespace=None, replicas=1,
                 resources=scope.resources(spec, None) or DEFAULT_SERVING,
                 autoscaling=scope.autoscaling(spec, None))


def env_scope(spec: Spec, env: Environment) -> Scope:
    return Scope(namespace=env.namespace, replicas=env.replicas or 1,
                 resources=scope.resources(spec, env) or DEFAULT_SERVING,
                 autoscaling=scope.autoscaling(spec, env))


# --- labels ---------------------------------------------------------------------------------


def selector(spec: Spec, component: str) -> dict[str, str]:
    """Labels that select a workload's pods: stable across versions (selectors are
    immutable on Deployments)."""
    return {
        "app.kubernetes.io/name": spec.name,
        "app.kubernetes.io/instance": spec.name,
        "app.kubernetes.io/component": component,
    }


def labels(spec: Spec, component: str) -> dict[str, str]:
    return {
        **selector(spec, component),
        "app.kubernetes.io/version": UNSET_VERSION,
        "app.kubernetes.io/part-of": spec.name,
        "app.kubernetes.io/managed-by": "mlops-spec",
    }


def metadata(spec: Spec, name: str, component: str,
             annotations: dict[str, str] | None = None) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name, "labels": labels(spec, component)}
    if annotations:
        meta["annotations"] = annotations
    return meta


# --- artifact location ----------------------------------------------------------------------


def store_root(spec: Spec) -> str:
    store = spec.model.artifact.store
    assert store is not None, "validation requires a store when a platform serves"
    return store.rstrip("/")


def serving_uri(spec: Spec) -> str:
    """The directory the runtimes download: ``<store>/<version>/serving``."""
    return f"{store_root(spec)}/{UNSET_VERSION}/{SERVING_PREFIX}"


# --- security and resources -----------------------------------------------------------------

RUNTIME_DEFAULT = {"type": "RuntimeDefault"}


def pod_security() -> dict[str, Any]:
    return {
        "runAsNonRoot": True,
        "runAsUser": RUN_AS_USER,
        "runAsGroup": RUN_AS_USER,
        "fsGroup": RUN_AS_USER,
        "seccompProfile": dict(RUNTIME_DEFAULT),
    }


def container_security() -> dict[str, Any]:
    """The full restricted profile on each container, so it holds even where the pod-level
    context is not allowed (Knative) or is overridden."""
    return {
        "runAsNonRoot": True,
        "runAsUser": RUN_AS_USER,
        "runAsGroup": RUN_AS_USER,
        "allowPrivilegeEscalation": False,
        "readOnlyRootFilesystem": True,
        "capabilities": {"drop": ["ALL"]},
        "seccompProfile": dict(RUNTIME_DEFAULT),
    }


def resources(spec_resources: Resources) -> dict[str, Any]:
    """Requests equal to limits: the spec's numbers are what the pod gets (Guaranteed)."""
    amount = {"cpu": spec_resources.cpu, "memory": spec_resources.memory}
    return {"requests": dict(amount), "limits": dict(amount)}


def init_resources() -> dict[str, Any]:
    return {"requests": dict(INIT_REQUESTS), "limits": dict(INIT_LIMITS)}


def http_probe(path: str, *, initial_delay: int, period: int = 10,
               failures: int = 3) -> dict[str, Any]:
    return {
        "httpGet": {"path": path, "port": HTTP_PORT},
        "initialDelaySeconds": initial_delay,
        "periodSeconds": period,
        "timeoutSeconds": 5,
        "failureThreshold": failures,
    }


def readiness_probe() -> dict[str, Any]:
    return http_probe("/v2/health/ready", initial_delay=5)


def liveness_probe() -> dict[str, Any]:
    return http_probe("/v2/health/live", initial_delay=30, failures=5)


def service_account(spec: Spec, name: str, component: str) -> dict[str, Any]:
    """A dedicated account per workload, with no API token: these pods never call the
    Kubernetes API. Storage credentials come from workload identity bound to it."""
    return {
        "apiVersion": "v1",
        "kind": "ServiceAccount",
        "metadata": metadata(spec, name, component),
        "automountServiceAccountToken": False,
    }


def fetch_model_container(spec: Spec) -> dict[str, Any]:
    """The init container that downloads ``<store>/<version>/serving/`` to MODEL_DIR."""
    return {
        "name": "fetch-model",
        "image": STORAGE_INITIALIZER_IMAGE,
        "args": [serving_uri(spec), MODEL_DIR],
        "resources": init_resources(),
        "securityContext": container_security(),
        "volumeMounts": [
            {"name": "model", "mountPath": MODEL_DIR},
            {"name": "tmp", "mountPath": "/tmp"},
        ],
    }


def scratch_volumes() -> list[dict[str, Any]]:
    """Writable paths under a read-only root: the model and /tmp."""
    return [
        {"name": "model", "emptyDir": {}},
        {"name": "tmp", "emptyDir": {"sizeLimit": "1Gi"}},
    ]
