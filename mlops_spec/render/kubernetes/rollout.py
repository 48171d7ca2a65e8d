"""Progressive delivery on plain Kubernetes with Argo Rollouts (and Istio where asked).

* canary: ``setWeight`` / ``pause`` per spec step, with a smoke analysis after the first
  weight; traffic is split by replica count, or exactly by Istio with traffic_router istio.
* blue_green: active and preview Services; the smoke analysis gates promotion.
* shadow: Istio mirrors ``mirror_percent`` of requests to the new version (its answers are
  dropped) until someone promotes the Rollout.

The smoke analysis asks the new pods, through their own Service, for the metadata of the
model *at the version being rolled out*; it fails when the model did not load or the pods
serve another version.
"""

from __future__ import annotations

from typing import Any

from mlops_spec.render.kubernetes import common as c
from mlops_spec.render.kubernetes.workload import COMPONENT, workload_spec
from mlops_spec.spec.sections import Spec

MIRROR_ROUTE = "mirror"
PRIMARY_ROUTE = "primary"
GRPC_ROUTE = "grpc"


def canary_service(spec: Spec) -> str:
    return f"{spec.name}-canary"


def preview_service(spec: Spec) -> str:
    return f"{spec.name}-preview"


def analysis_template_name(spec: Spec) -> str:
    return f"{spec.name}-smoke"


def uses_istio(spec: Spec) -> bool:
    strategy = spec.deployment.strategy
    return strategy.traffic_router == "istio" and strategy.type in ("canary", "shadow")


def new_version_service(spec: Spec) -> str:
    kind = spec.deployment.strategy.type
    return preview_service(spec) if kind == "blue_green" else canary_service(spec)


def extra_services(spec: Spec) -> list[str]:
    """Services besides the stable one (named after the model)."""
    return [new_version_service(spec)]


def _analysis(spec: Spec, scope: c.Scope) -> dict[str, Any]:
    host = new_version_service(spec)
    if scope.namespace is not None:
        # The analysis runs in the Argo Rollouts controller, in another namespace.
        host = f"{host}.{scope.namespace}.svc"
    url = (f"http://{host}:{c.HTTP_PORT}/v2/models/{spec.name}/versions/"
           f"{c.UNSET_VERSION}")
    return {"templates": [{"templateName": analysis_template_name(spec)}],
            "args": [{"name": "url", "value": url}]}


def _canary_steps(spec: Spec, scope: c.Scope) -> list[dict[str, Any]]:
    """Production walks every step; earlier environments only check the new version with
    the smoke analysis at the first weight, then promote without pausing."""
    spec_steps = spec.deployment.strategy.steps
    if not scope.production:
        return [{"setWeight": spec_steps[0].weight}, {"analysis": _analysis(spec, scope)}]
    steps: list[dict[str, Any]] = []
    for i, step in enumerate(spec_steps):
        steps.append({"setWeight": step.weight})
        if i == 0:
            steps.append({"analysis": _analysis(spec, scope)})
        steps.append({"pause": {"duration": step.pause} if step.pause else {}})
    return steps


def _shadow_steps(spec: Spec, scope: c.Scope) -> list[dict[str, Any]]:
    percent = spec.deployment.strategy.mirror_percent
    assert percent is not None
    return [
        # The new version gets no user traffic; size it for the mirrored share.
        {"setCanaryScale": {"weight": percent}},
        {"setMirrorRoute": {"name": MIRROR_ROUTE, "percentage": percent,
                            "match": [{"path": {"prefix": "/"}}]}},
        {"analysis": _analysis(spec, scope)},
        # Compare the shadow's behaviour, then promote: `kubectl argo rollouts promote`.
        {"pause": {}},
        {"setMirrorRoute": {"name": MIRROR_ROUTE}},
    ]


def _strategy(spec: Spec, scope: c.Scope) -> dict[str, Any]:
    kind = spec.deployment.strategy.type
    if kind == "blue_green":
        return {"blueGreen": {
            "activeService": spec.name,
            "previewService": preview_service(spec),
            "prePromotionAnalysis": _analysis(spec, scope),
            "autoPromotionEnabled": True,
            "scaleDownDelaySeconds": 30,
        }}
    canary: dict[str, Any] = {
        "stableService": spec.name,
        "canaryService": canary_service(spec),
    }
    if uses_istio(spec):
        routing: dict[str, Any] = {
            "istio": {"virtualService": {"name": spec.name,
                                         "routes": [PRIMARY_ROUTE, GRPC_ROUTE]}}}
        if kind == "shadow":
            routing["managedRoutes"] = [{"name": MIRROR_ROUTE}]
        canary["trafficRouting"] = routing
    else:
        canary["maxSurge"] = 1
        canary["maxUnavailable"] = 0
    canary["steps"] = (_shadow_steps(spec, scope) if kind == "shadow"
                       else _canary_steps(spec, scope))
    return {"canary": canary}


def rollout(spec: Spec, scope: c.Scope) -> dict[str, Any]:
    body = workload_spec(spec, scope, _strategy(spec, scope))
    return {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Rollout",
        "metadata": c.metadata(spec, spec.name, COMPONENT),
        "spec": body,
    }


def analysis_template(spec: Spec) -> dict[str, Any]:
    return {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "AnalysisTemplate",
        "metadata": c.metadata(spec, analysis_template_name(spec), COMPONENT),
        "spec": {
            "args": [{"name": "url"}],
            "metrics": [{
                "name": "model-loaded",
                "interval": "10s",
                "count": 3,
                "failureLimit": 0,
                # The Open Inference Protocol's model metadata names the model it serves.
                "successCondition": f"result == '{spec.name}'",
                "provider": {"web": {
                    "url": "{{args.url}}",
                    "jsonPath": "{$.name}",
                    "timeoutSeconds": 10,
                }},
            }],
        },
    }


def virtual_service(spec: Spec) -> dict[str, Any]:
    """In-mesh routing Argo Rollouts edits: weights of the HTTP and gRPC routes (each on its
    own port, so gRPC never lands on the HTTP port), and the mirror route."""
    def route(name: str, port: int) -> dict[str, Any]:
        def destination(host: str, weight: int) -> dict[str, Any]:
            return {"destination": {"host": host, "port": {"number": port}},
                    "weight": weight}
        return {"name": name, "match": [{"port": port}],
                "route": [destination(spec.name, 100), destination(canary_service(spec), 0)]}

    return {
        "apiVersion": "networking.istio.io/v1",
        "kind": "VirtualService",
        "metadata": c.metadata(spec, spec.name, COMPONENT),
        "spec": {
            "hosts": [spec.name],
            "http": [route(PRIMARY_ROUTE, c.HTTP_PORT), route(GRPC_ROUTE, c.GRPC_PORT)],
        },
    }
