"""Push delivery (``deployment.delivery.mode: push``): what a CI deploy step applies and
waits for, the same for GitHub Actions and Jenkins.

Both targets run one constant script, ``templates/shared/push_deploy.sh.j2``, which reads
the variables below: ``kubectl apply --prune`` on an ApplySet (one per model and
environment), readiness of the serving objects, then a smoke request to the model server
of a pod of the new version (through the API server's pod proxy) before the next
environment starts. Argo CD delivery (the default) renders none of this: git is the only
writer, and the pipelines never apply (see docs/delivery.md).
"""

from __future__ import annotations

from mlops_spec.render.kubernetes import common
from mlops_spec.render.kubernetes.kustomize import serving_objects
from mlops_spec.spec.sections import Environment, Spec

WAIT_SECONDS = 600
"""How long readiness and the first pod of the new version may take."""
_READY_KINDS = {"InferenceService": "inferenceservice.serving.kserve.io",
                "Deployment": "deployment"}
"""Kinds with a readiness that kubectl can wait for (rollout status for Deployments)."""
_POD_KINDS = ("InferenceService", "Deployment", "Rollout")


def ci_deploys(spec: Spec) -> bool:
    """Whether the deploying CI provider applies overlays itself (push mode)."""
    return spec.deployment.platform is not None and spec.deployment.delivery.mode == "push"


def applyset(spec: Spec) -> str:
    """The ApplySet parent: a Secret named after the model in the environment's namespace."""
    return f"mlops-{spec.name}"


def variables(spec: Spec, env: Environment, overlay: str) -> dict[str, str]:
    """The environment the push script reads (values are constants of the spec)."""
    objects = serving_objects(spec, common.env_scope(spec, env))
    ready = [f"{_READY_KINDS[o['kind']]}/{o['metadata']['name']}" for o in objects
             if o["kind"] in _READY_KINDS]
    # The component label of the serving pods (realtime only: batch has no server).
    component = next((o["metadata"]["labels"]["app.kubernetes.io/component"]
                      for o in objects if o["kind"] in _POD_KINDS), "")
    if spec.deployment.mode != "realtime":
        component = ""
    return {
        "MLOPS_MODEL": spec.name,
        "MLOPS_DEPLOY_DIR": overlay,
        "MLOPS_ENVIRONMENT": env.name,
        "MLOPS_NAMESPACE": env.namespace,
        "MLOPS_APPLYSET": applyset(spec),
        "MLOPS_PINNED_VERSION": env.model_version or "",
        "MLOPS_READY": " ".join(ready),
        "MLOPS_SMOKE_COMPONENT": component,
        "MLOPS_SMOKE_PORT": str(common.HTTP_PORT),
        "MLOPS_SMOKE_PATH": f"/v2/models/{spec.name}/ready",
        "MLOPS_WAIT_SECONDS": str(WAIT_SECONDS),
    }
