"""Realtime serving on KServe: one ``InferenceService`` (serving.kserve.io/v1beta1).

The predictor asks for the scikit-learn model format with the Open Inference Protocol
(v2); KServe picks its scikit-learn runtime and downloads ``storageUri``
(``<store>/<version>/serving/``, which holds ``model.joblib``).

The deployment mode is always written, never left to the cluster's default:

* ``Knative`` when the spec asks for what only Knative does: a canary
  (``canaryTrafficPercent``; KServe ignores it in Standard mode) or scaling to zero.
* ``Standard`` (a Deployment and an HPA managed by KServe) otherwise.

A cluster without Knative then rejects a canary instead of silently rolling it out at
once. The mode names are those of KServe 0.16 and later.
"""

from __future__ import annotations

import json
from typing import Any

from mlops_spec.render.kubernetes import common as c
from mlops_spec.spec.sections import Spec

COMPONENT = "predictor"
MODE = "serving.kserve.io/deploymentMode"
AUTOSCALER_CLASS = "serving.kserve.io/autoscalerClass"
KNATIVE_CLASS = "autoscaling.knative.dev/class"
KNATIVE_HPA = "hpa.autoscaling.knative.dev"
CANARY_STEPS = "mlops-spec/canary-steps"
"""The spec's canary steps, for the pipeline that raises canaryTrafficPercent step by step
(KServe itself only knows one percentage)."""


def deployment_mode(spec: Spec, scope: c.Scope) -> str:
    scale_to_zero = scope.autoscaling is not None and scope.autoscaling.min_replicas == 0
    if spec.deployment.strategy.type == "canary" or scale_to_zero:
        return "Knative"
    return "Standard"


def _annotations(spec: Spec, scope: c.Scope) -> dict[str, str]:
    mode = deployment_mode(spec, scope)
    scaling = scope.autoscaling
    annotations = {MODE: mode}
    if mode == "Standard":
        annotations[AUTOSCALER_CLASS] = "hpa" if scaling else "none"
    elif scaling is not None and scaling.min_replicas > 0:
        # CPU targets need Knative's HPA class; the default (KPA) scales on concurrency.
        annotations[KNATIVE_CLASS] = KNATIVE_HPA
    strategy = spec.deployment.strategy
    if strategy.type == "canary":
        steps = [{"weight": s.weight, "pause": s.pause} for s in strategy.steps]
        annotations[CANARY_STEPS] = json.dumps(steps, separators=(",", ":"))
    return annotations


def _scaling(spec: Spec, scope: c.Scope) -> dict[str, Any]:
    scaling = scope.autoscaling
    if scaling is None:
        return {"minReplicas": scope.replicas, "maxReplicas": scope.replicas}
    fields: dict[str, Any] = {"minReplicas": scaling.min_replicas,
                              "maxReplicas": scaling.max_replicas}
    if scaling.min_replicas > 0:
        fields["scaleMetric"] = "cpu"
        fields["scaleTarget"] = scaling.target_cpu_percent
    return fields


def inference_service(spec: Spec, scope: c.Scope) -> dict[str, Any]:
    strategy = spec.deployment.strategy
    predictor: dict[str, Any] = {
        # The account's own automountServiceAccountToken: false applies; Knative refuses
        # the pod-level field.
        "serviceAccountName": spec.name,
        "labels": c.labels(spec, COMPONENT),
        **_scaling(spec, scope),
    }
    if strategy.type == "canary":
        predictor["canaryTrafficPercent"] = strategy.steps[0].weight
    if deployment_mode(spec, scope) == "Standard":
        predictor["deploymentStrategy"] = {
            "type": "RollingUpdate",
            "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0}}
    predictor["model"] = {
        "modelFormat": {"name": "sklearn", "version": "1"},
        "protocolVersion": "v2",
        "storageUri": c.serving_uri(spec),
        "resources": c.resources(scope.resources),
        "readinessProbe": c.readiness_probe(),
        "livenessProbe": c.liveness_probe(),
        # Container-level only: Knative refuses most pod-level securityContext fields.
        "securityContext": c.container_security(),
    }
    return {
        "apiVersion": "serving.kserve.io/v1beta1",
        "kind": "InferenceService",
        "metadata": c.metadata(spec, spec.name, COMPONENT, _annotations(spec, scope)),
        "spec": {"predictor": predictor},
    }
