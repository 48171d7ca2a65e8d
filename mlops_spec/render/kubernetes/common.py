"""What every Kubernetes object shares: pinned images, names, labels, security, resources.

Decisions live here once, so the walker test and the docs can point at one place: the
images and their exact tags, the non-root user, the security context of every container,
and the version placeholder that kustomize replaces per environment.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mlops_spec import conventions
from mlops_spec.render.kubernetes import runtimes
from mlops_spec.spec import scope
from mlops_spec.spec.sections import Autoscaling, Environment, Resources, Spec

# --- pinned images --------------------------------------------------------------------------

MLSERVER_IMAGE = runtimes.MLSERVER_SKLEARN.image
"""MLServer with only its scikit-learn runtime (Open Inference Protocol). MLServer's release
workflow pushes ``seldonio/mlserver:<version>-<runtime>`` for each runtime, and the
``-sklearn`` image is the smallest one that serves scikit-learn models. Runs as UID 1000.
Version and scikit-learn: ``runtimes.py``."""
STORAGE_INITIALIZER_IMAGE = runtimes.STORAGE_INITIALIZER_IMAGE
"""KServe's model downloader (s3, gs, hdfs, https), the same one KServe injects into its
own predictors. Runs as UID 1000 with ``initializer-entrypoint <src_uri> <dest_path>`` as
its entrypoint."""

RUN_AS_USER = 1000
"""The user both images above are built with; user images must run as it too."""

# --- names and ports ------------------------------------------------------------------------

HTTP_PORT = 8080
GRPC_PORT = 8081
METRICS_PORT = 8082
MODEL_DIR = "/mnt/models"
MODEL_FILE = conventions.SERVING_MODEL_FILE
SERVING_PREFIX = conventions.SERVING_DIR
"""Artifacts live at ``<store>/<version>/``; the runtimes read ``<version>/serving/``,
which holds ``conventions.serving_files(spec)``."""

VERSION_KEY = conventions.VERSION_KEY
UNSET_VERSION = conventions.UNSET_VERSION

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
    production: bool = False
    """The last environment (deployment.environments is in promotion order): the only one
    that rolls out progressively (canary steps)."""
    env_name: str | None = None


def base_scope(spec: Spec) -> Scope:
    return Scope(namespace=None, replicas=1,
                 resources=scope.resources(spec, None) or DEFAULT_SERVING,
                 autoscaling=scope.autoscaling(spec, None))


def env_scope(spec: Spec, env: Environment) -> Scope:
    return Scope(namespace=env.namespace, replicas=env.replicas or 1,
                 resources=scope.resources(spec, env) or DEFAULT_SERVING,
                 autoscaling=scope.autoscaling(spec, env),
                 production=env is spec.deployment.environments[-1], env_name=env.name)


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


def version_uri(spec: Spec) -> str:
    """A whole version directory: ``<store>/<version>``."""
    return f"{store_root(spec)}/{UNSET_VERSION}"


def serving_uri(spec: Spec) -> str:
    """The directory the runtimes download: ``<store>/<version>/serving``."""
    return f"{version_uri(spec)}/{SERVING_PREFIX}"


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


def liveness_probe(*, after_startup_probe: bool = True) -> dict[str, Any]:
    """Behind a startupProbe liveness starts at once; without one (Knative) it waits."""
    return http_probe("/v2/health/live", initial_delay=0 if after_startup_probe else 30,
                      failures=5)


def startup_probe() -> dict[str, Any]:
    """Up to 5 minutes to load the model before liveness may restart the server."""
    return http_probe("/v2/health/live", initial_delay=5, period=5, failures=60)


def topology_spread(spec: Spec, component: str) -> list[dict[str, Any]]:
    """Spread replicas over nodes and zones, preferred (never blocks scheduling)."""
    return [{"maxSkew": 1, "topologyKey": key, "whenUnsatisfiable": "ScheduleAnyway",
             "labelSelector": {"matchLabels": selector(spec, component)}}
            for key in ("topology.kubernetes.io/zone", "kubernetes.io/hostname")]


def pdb(spec: Spec, component: str) -> dict[str, Any]:
    """At most one serving pod down at a time for voluntary disruptions (node drains)."""
    return {
        "apiVersion": "policy/v1",
        "kind": "PodDisruptionBudget",
        "metadata": metadata(spec, spec.name, component),
        "spec": {"maxUnavailable": 1,
                 "selector": {"matchLabels": selector(spec, component)}},
    }


IDENTITY_ANNOTATIONS = {
    "aws_role_arn": "eks.amazonaws.com/role-arn",
    "gcp_service_account": "iam.gke.io/gcp-service-account",
    "azure_client_id": "azure.workload.identity/client-id",
}
AZURE_USE_LABEL = "azure.workload.identity/use"
"""Pods carrying this label get Azure's federated token (the webhook ignores others)."""


def service_account(spec: Spec, name: str, component: str, *,
                    identity: bool = True) -> dict[str, Any]:
    """A dedicated account per workload, with no API token: these pods never call the
    Kubernetes API. Storage access comes from workload identity bound to it, or (KServe)
    from the referenced storage Secret listed in ``secrets``."""
    deployment = spec.deployment
    annotations: dict[str, str] = {}
    if identity and deployment.identity is not None:
        for field, key in IDENTITY_ANNOTATIONS.items():
            value = getattr(deployment.identity, field)
            if value is not None:
                annotations[key] = value
    account: dict[str, Any] = {
        "apiVersion": "v1",
        "kind": "ServiceAccount",
        "metadata": metadata(spec, name, component, annotations or None),
        "automountServiceAccountToken": False,
    }
    if identity and deployment.store_access is not None and deployment.platform == "kserve":
        # KServe's storage initializer reads S3 credentials from Secrets on the account.
        account["secrets"] = [{"name": deployment.store_access.secret}]
    return account


def identity_labels(spec: Spec) -> dict[str, str]:
    identity = spec.deployment.identity
    if identity is not None and identity.azure_client_id is not None:
        return {AZURE_USE_LABEL: "true"}
    return {}


def store_env(spec: Spec) -> list[dict[str, Any]]:
    """The storage initializer's S3 settings from ``deployment.store_access`` (it reads
    AWS_ENDPOINT_URL and AWS_DEFAULT_REGION; boto3 the keys): the Secret's keys by
    reference, the endpoint and region as values, never a credential."""
    access = spec.deployment.store_access
    if access is None:
        return []
    env: list[dict[str, Any]] = [
        {"name": key, "valueFrom": {"secretKeyRef": {"name": access.secret, "key": key}}}
        for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")]
    if access.endpoint is not None:
        env.append({"name": "AWS_ENDPOINT_URL", "value": access.endpoint})
    if access.region is not None:
        env.append({"name": "AWS_DEFAULT_REGION", "value": access.region})
    return env


def fetch_model_container(spec: Spec, source: str | None = None) -> dict[str, Any]:
    """The init container that downloads ``source`` (default
    ``<store>/<version>/serving/``) to MODEL_DIR."""
    container: dict[str, Any] = {
        "name": "fetch-model",
        "image": STORAGE_INITIALIZER_IMAGE,
        "args": [source or serving_uri(spec), MODEL_DIR],
    }
    if store_env(spec):
        container["env"] = store_env(spec)
    return {
        **container,
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
