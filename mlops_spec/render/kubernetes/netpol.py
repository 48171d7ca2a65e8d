"""NetworkPolicies: a serving workload admits only its declared callers.

``deployment.callers`` lists who may call the model (a namespace, pod labels, or both);
without it only pods of the model's own namespace may. What must reach the pods on the
callers' behalf is admitted too: in KServe's Knative mode the activator
(``knative-serving``) and the mesh gateways (``istio-system``: Knative routes even
cluster-local requests through ``knative-local-gateway``), and ``istio-system`` for an
exposed model in Standard mode; KServe policies restrict peers, not ports (requests enter
through the queue-proxy port in Knative mode). Behind a gateway the source is the gateway,
so restricting callers there takes an Istio AuthorizationPolicy (docs/kubernetes.md). On
plain Kubernetes the Argo Rollouts controller (``argo-rollouts``) is admitted for its smoke
analysis. Batch pods take no traffic: their policy admits nothing.
"""

from __future__ import annotations

from typing import Any

from mlops_spec.render.kubernetes import common as c
from mlops_spec.spec.sections import Spec

NAMESPACE_LABEL = "kubernetes.io/metadata.name"
KNATIVE_NAMESPACE = "knative-serving"
GATEWAY_NAMESPACE = "istio-system"
"""Where KServe's default networking layer (Istio) runs its ingress and local gateways."""
ARGO_ROLLOUTS_NAMESPACE = "argo-rollouts"


def _namespace(name: str) -> dict[str, Any]:
    return {"namespaceSelector": {"matchLabels": {NAMESPACE_LABEL: name}}}


def callers(spec: Spec) -> list[dict[str, Any]]:
    """NetworkPolicy peers for ``deployment.callers`` (default: the own namespace)."""
    if not spec.deployment.callers:
        return [{"podSelector": {}}]
    peers = []
    for caller in spec.deployment.callers:
        peer: dict[str, Any] = {}
        if caller.namespace is not None:
            peer.update(_namespace(caller.namespace))
        peer["podSelector"] = {"matchLabels": dict(caller.pod_labels)} if caller.pod_labels \
            else {}
        peers.append(peer)
    return peers


def _policy(spec: Spec, component: str, ingress: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": c.metadata(spec, spec.name, component),
        "spec": {
            "podSelector": {"matchLabels": c.selector(spec, component)},
            "policyTypes": ["Ingress"],
            "ingress": ingress,
        },
    }


def kserve_policy(spec: Spec, component: str, mode: str) -> dict[str, Any]:
    """KServe's pods are reached on ports its runtime and Knative choose: admit peers."""
    peers = callers(spec)
    if mode == "Knative":
        peers.append(_namespace(KNATIVE_NAMESPACE))
    if mode == "Knative" or spec.deployment.expose:
        peers.append(_namespace(GATEWAY_NAMESPACE))
    return _policy(spec, component, [{"from": peers}])


def workload_policy(spec: Spec, component: str, *, rollouts: bool) -> dict[str, Any]:
    ports = [{"protocol": "TCP", "port": port} for port in (c.HTTP_PORT, c.GRPC_PORT)]
    rules: list[dict[str, Any]] = [{"from": callers(spec), "ports": ports}]
    if rollouts:
        rules.append({"from": [_namespace(ARGO_ROLLOUTS_NAMESPACE)],
                      "ports": [{"protocol": "TCP", "port": c.HTTP_PORT}]})
    return _policy(spec, component, rules)


def deny_ingress(spec: Spec, component: str) -> dict[str, Any]:
    return _policy(spec, component, [])
