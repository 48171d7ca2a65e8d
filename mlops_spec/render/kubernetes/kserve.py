"""Realtime serving on KServe: one ``InferenceService`` (serving.kserve.io/v1beta1).

The predictor pins the runtime (``runtime: kserve-sklearnserver``, ``runtimeVersion``,
see ``runtimes.py``) instead of letting KServe pick one for the model format: with the
Open Inference Protocol (v2) KServe would otherwise prefer ``kserve-mlserver``, whose
scikit-learn is not the one training installed. It downloads ``storageUri``
(``<store>/<version>/serving/``, ``conventions.serving_files``).

The deployment mode is always written and is the same in every environment (KServe
refuses to change it on an existing InferenceService): ``Knative`` when the spec asks for
what only Knative does anywhere (a canary, or scaling to zero in some environment),
``Standard`` otherwise. ``deployment_mode`` is the pure function the governance gate
compares between two specs.

Only the production overlay (the last environment) carries ``canaryTrafficPercent``; the
``mlops-spec rollout`` command advances it through the spec's steps (``canary.py``).
"""

from __future__ import annotations

from typing import Any

from mlops_spec.render.kubernetes import common as c
from mlops_spec.render.kubernetes import runtimes
from mlops_spec.spec.sections import Environment, Spec

COMPONENT = "predictor"
MODE = "serving.kserve.io/deploymentMode"
AUTOSCALER_CLASS = "serving.kserve.io/autoscalerClass"
KNATIVE_CLASS = "autoscaling.knative.dev/class"
KNATIVE_HPA = "hpa.autoscaling.knative.dev"
VISIBILITY = "networking.kserve.io/visibility"
"""KServe's label for an InferenceService reachable only inside the cluster."""
RUNTIME_ANNOTATION = "mlops-spec/runtime"
SKLEARN_ANNOTATION = "mlops-spec/scikit-learn"


def deployment_mode(spec: Spec, env: Environment | None = None) -> str | None:
    """KServe's ``deploymentMode`` for ``env`` (None: the base), or None off KServe.

    One mode for the whole spec, so promoting through environments never switches stacks;
    a spec change that changes it needs the InferenceService deleted and recreated.
    """
    deployment = spec.deployment
    if deployment.platform != "kserve" or deployment.mode != "realtime":
        return None
    scalings = [deployment.autoscaling, *(e.autoscaling for e in deployment.environments)]
    scale_to_zero = any(s is not None and s.min_replicas == 0 for s in scalings)
    if deployment.strategy.type == "canary" or scale_to_zero:
        return "Knative"
    return "Standard"


MODE_FIELDS: tuple[tuple[str, ...], ...] = (
    ("deployment", "strategy", "type"),
    ("deployment", "autoscaling", "min_replicas"),
    ("deployment", "environments", "*", "autoscaling", "min_replicas"),
)
"""The fields ``deployment_mode`` reads besides platform and mode, as the gate's diff paths
(``*``: any environment): a change at, inside or around one of them can change the mode."""


def mode_changes(before: Spec, after: Spec) -> list[tuple[str, str, str]]:
    """(environment, mode before, mode after) for each environment in both specs whose
    InferenceService must be deleted and recreated: KServe refuses the change in place."""
    changes = []
    old = {env.name: deployment_mode(before, env) for env in before.deployment.environments}
    for env in after.deployment.environments:
        was, now = old.get(env.name), deployment_mode(after, env)
        if was is not None and now is not None and was != now:
            changes.append((env.name, was, now))
    return changes


def _mode(spec: Spec) -> str:
    mode = deployment_mode(spec)
    assert mode is not None
    return mode


def _annotations(spec: Spec, scope: c.Scope) -> dict[str, str]:
    mode = _mode(spec)
    scaling = scope.autoscaling
    pinned = runtimes.KSERVE_SKLEARN
    annotations = {MODE: mode, RUNTIME_ANNOTATION: f"{pinned.name}:{pinned.version}",
                   SKLEARN_ANNOTATION: pinned.sklearn}
    if mode == "Standard":
        annotations[AUTOSCALER_CLASS] = "hpa" if scaling else "none"
    elif scaling is not None and scaling.min_replicas > 0:
        # CPU targets need Knative's HPA class; the default (KPA) scales on concurrency.
        annotations[KNATIVE_CLASS] = KNATIVE_HPA
    return annotations


def _scaling(scope: c.Scope) -> dict[str, Any]:
    scaling = scope.autoscaling
    if scaling is None:
        return {"minReplicas": scope.replicas, "maxReplicas": scope.replicas}
    fields: dict[str, Any] = {"minReplicas": scaling.min_replicas,
                              "maxReplicas": scaling.max_replicas}
    if scaling.min_replicas > 0:
        fields["scaleMetric"] = "cpu"
        fields["scaleTarget"] = scaling.target_cpu_percent
    return fields


def _model(spec: Spec, scope: c.Scope, mode: str) -> dict[str, Any]:
    pinned = runtimes.KSERVE_SKLEARN
    model: dict[str, Any] = {
        "modelFormat": {"name": "sklearn", "version": "1"},
        "runtime": pinned.name,
        "runtimeVersion": pinned.version,
        "protocolVersion": "v2",
        "storageUri": c.serving_uri(spec),
    }
    if runtimes.serves_probabilities(spec):
        # kserve/sklearnserver answers predict_proba instead of predict when this is set.
        model["env"] = [{"name": "PREDICT_PROBA", "value": "true"}]
    model.update({
        "resources": c.resources(scope.resources),
        "readinessProbe": c.readiness_probe(),
        "livenessProbe": c.liveness_probe(after_startup_probe=mode == "Standard"),
        # Container-level only: Knative refuses most pod-level securityContext fields.
        "securityContext": c.container_security(),
    })
    if mode == "Standard":
        # Knative has its own startup handling (the queue-proxy holds traffic until ready).
        model["startupProbe"] = c.startup_probe()
    return model


def inference_service(spec: Spec, scope: c.Scope) -> dict[str, Any]:
    strategy = spec.deployment.strategy
    mode = _mode(spec)
    predictor: dict[str, Any] = {
        # The account's own automountServiceAccountToken: false applies; Knative refuses
        # the pod-level field.
        "serviceAccountName": spec.name,
        "labels": {**c.labels(spec, COMPONENT), **c.identity_labels(spec)},
        **_scaling(scope),
    }
    if strategy.type == "canary" and scope.production:
        predictor["canaryTrafficPercent"] = strategy.steps[0].weight
    if mode == "Standard":
        predictor["deploymentStrategy"] = {
            "type": "RollingUpdate",
            "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0}}
        # Knative refuses topologySpreadConstraints unless its feature flag
        # kubernetes.podspec-topologyspreadconstraints is on (docs/kubernetes.md).
        predictor["topologySpreadConstraints"] = c.topology_spread(spec, COMPONENT)
    predictor["model"] = _model(spec, scope, mode)
    metadata = c.metadata(spec, spec.name, COMPONENT, _annotations(spec, scope))
    if not spec.deployment.expose:
        metadata["labels"][VISIBILITY] = "cluster-local"
    return {
        "apiVersion": "serving.kserve.io/v1beta1",
        "kind": "InferenceService",
        "metadata": metadata,
        "spec": {"predictor": predictor},
    }
