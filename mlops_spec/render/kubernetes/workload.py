"""Realtime serving on plain Kubernetes: MLServer pods, their Services, HPA and PDB.

The pod runs MLServer's scikit-learn runtime (Open Inference Protocol, port 8080) on
``model.joblib``, which an init container downloads from the artifact store. The same
pod template serves a Deployment (rolling) and an Argo Rollout (canary, blue_green,
shadow; see ``rollout.py``).
"""

from __future__ import annotations

import json
from typing import Any

from mlops_spec.render.kubernetes import common as c
from mlops_spec.render.kubernetes import runtimes
from mlops_spec.spec.sections import Spec

COMPONENT = "predictor"


def image(spec: Spec) -> str:
    return spec.deployment.image or c.MLSERVER_IMAGE


def mlserver_container(spec: Spec, scope: c.Scope) -> dict[str, Any]:
    env = {
        "MLSERVER_MODEL_NAME": spec.name,
        "MLSERVER_MODEL_IMPLEMENTATION": "mlserver_sklearn.SKLearnModel",
        "MLSERVER_MODEL_URI": f"{c.MODEL_DIR}/{c.MODEL_FILE}",
        "MLSERVER_MODEL_VERSION": c.UNSET_VERSION,
        "MLSERVER_HTTP_PORT": str(c.HTTP_PORT),
        "MLSERVER_GRPC_PORT": str(c.GRPC_PORT),
        "MLSERVER_METRICS_PORT": str(c.METRICS_PORT),
        "MLSERVER_LOAD_MODELS_AT_STARTUP": "true",
    }
    if runtimes.serves_probabilities(spec):
        # mlserver_sklearn answers this output when a request names none (parameters.extra).
        env["MLSERVER_MODEL_EXTRA"] = json.dumps({"predict_fn": "predict_proba"},
                                                 separators=(",", ":"))
    return {
        "name": "mlserver",
        "image": image(spec),
        # Skip the image's conda-activation wrapper: the model needs no extra environment.
        "command": ["mlserver", "start", c.MODEL_DIR],
        # MLServer writes metrics and environment folders under its working directory.
        "workingDir": "/tmp",
        "env": [{"name": name, "value": value} for name, value in env.items()],
        "ports": [
            {"name": "http", "containerPort": c.HTTP_PORT, "protocol": "TCP"},
            {"name": "grpc", "containerPort": c.GRPC_PORT, "protocol": "TCP"},
            {"name": "metrics", "containerPort": c.METRICS_PORT, "protocol": "TCP"},
        ],
        "resources": c.resources(scope.resources),
        "startupProbe": c.startup_probe(),
        "readinessProbe": c.readiness_probe(),
        "livenessProbe": c.liveness_probe(),
        "securityContext": c.container_security(),
        "volumeMounts": [
            {"name": "model", "mountPath": c.MODEL_DIR, "readOnly": True},
            {"name": "tmp", "mountPath": "/tmp"},
        ],
    }


def pod_template(spec: Spec, scope: c.Scope) -> dict[str, Any]:
    return {
        "metadata": {"labels": {**c.labels(spec, COMPONENT), **c.identity_labels(spec)}},
        "spec": {
            "serviceAccountName": spec.name,
            "automountServiceAccountToken": False,
            "enableServiceLinks": False,
            "securityContext": c.pod_security(),
            "topologySpreadConstraints": c.topology_spread(spec, COMPONENT),
            "initContainers": [c.fetch_model_container(spec)],
            "containers": [mlserver_container(spec, scope)],
            "volumes": c.scratch_volumes(),
        },
    }


def workload_spec(spec: Spec, scope: c.Scope, strategy: dict[str, Any]) -> dict[str, Any]:
    """The spec a Deployment and an Argo Rollout share; they differ only in ``strategy``.

    Replicas are left to the HorizontalPodAutoscaler when the environment autoscales.
    """
    body: dict[str, Any] = {}
    if scope.autoscaling is None:
        body["replicas"] = scope.replicas
    body.update({
        "revisionHistoryLimit": 5,
        "selector": {"matchLabels": c.selector(spec, COMPONENT)},
        "strategy": strategy,
        "template": pod_template(spec, scope),
    })
    return body


def deployment(spec: Spec, scope: c.Scope) -> dict[str, Any]:
    body = workload_spec(spec, scope, {"type": "RollingUpdate",
                                       "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0}})
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": c.metadata(spec, spec.name, COMPONENT),
        "spec": body,
    }


def service(spec: Spec, name: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": c.metadata(spec, name, COMPONENT),
        "spec": {
            "type": "ClusterIP",
            "selector": c.selector(spec, COMPONENT),
            "ports": [
                {"name": "http", "port": c.HTTP_PORT, "targetPort": "http",
                 "protocol": "TCP", "appProtocol": "http"},
                {"name": "grpc", "port": c.GRPC_PORT, "targetPort": "grpc",
                 "protocol": "TCP", "appProtocol": "grpc"},
            ],
        },
    }


def hpa(spec: Spec, scope: c.Scope, kind: str) -> dict[str, Any]:
    scaling = scope.autoscaling
    assert scaling is not None
    api = "apps/v1" if kind == "Deployment" else "argoproj.io/v1alpha1"
    return {
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": c.metadata(spec, spec.name, COMPONENT),
        "spec": {
            "scaleTargetRef": {"apiVersion": api, "kind": kind, "name": spec.name},
            "minReplicas": scaling.min_replicas,
            "maxReplicas": scaling.max_replicas,
            "metrics": [{
                "type": "Resource",
                "resource": {"name": "cpu", "target": {
                    "type": "Utilization", "averageUtilization": scaling.target_cpu_percent}},
            }],
        },
    }
