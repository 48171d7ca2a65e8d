"""Argo CD delivery: an AppProject and an ApplicationSet that sync each environment's overlay.

Rendered under ``<model dir>/argocd/`` when the spec serves from a cluster with
``deployment.delivery.mode: argocd`` (the default). See docs/delivery.md.

* ``appproject.yaml``: the model's AppProject. Source repositories: the spec's repository
  only; destinations: the spec's environment namespaces on ``argocd.server`` only; no
  cluster-scoped resources.
* ``applicationset.yaml``: one ApplicationSet whose git *files* generator reads
  ``argocd/environments/*.json`` from the tracked branch, giving one Application per file,
  each syncing ``<model dir>/deploy/<env>`` with automated sync, prune and self-heal.
* ``environments/<env>.json``: written only for an environment whose ``model_version`` is
  pinned in the spec. An unpinned overlay still carries the version placeholder, so it gets
  no file, hence no Application, and nothing syncs it. The promotion that pins a version
  (a reviewed pull request re-rendering the spec) adds the file, and the ApplicationSet
  picks it up from git: the ApplicationSet itself never changes on a promotion.
* ``kustomization.yaml``: ``kubectl apply -k <model dir>/argocd`` installs the two objects
  once (the bootstrap; see docs/delivery.md).

The ApplicationSet never deletes an Application (``applicationsSync: create-update``, and
``preserveResourcesOnDeletion``): removing a pin must not take production down.
"""

from __future__ import annotations

import json
from typing import Any

from mlops_spec.render.kubernetes.yamlout import dump
from mlops_spec.render.outputs import OutputFile, RenderContext, TargetOutput
from mlops_spec.spec.sections import Environment, Spec

API_VERSION = "argoproj.io/v1alpha1"
DIRECTORY = "argocd"
ENVIRONMENTS = "environments"
SYNC_OPTIONS = ["CreateNamespace=false", "PruneLast=true"]
"""Namespaces are the platform team's (the project may not create them); prune after the
new objects are healthy."""
RETRY = {"limit": 5, "backoff": {"duration": "30s", "factor": 2, "maxDuration": "10m"}}


def applies(spec: Spec) -> bool:
    return (spec.deployment.platform is not None
            and spec.deployment.delivery.mode == "argocd")


def project_name(spec: Spec) -> str:
    return spec.deployment.delivery.argocd.project or spec.name


def application_name(spec: Spec, env: Environment) -> str:
    return f"{spec.name}-{env.name}"


def synced_environments(spec: Spec) -> list[Environment]:
    """Environments Argo CD syncs: those whose model version the spec pins."""
    return [env for env in spec.deployment.environments if env.model_version is not None]


def _repository(spec: Spec) -> str:
    repository = spec.deployment.delivery.repository
    assert repository is not None, "validation (M059) requires a repository with argocd"
    return repository


def _labels(spec: Spec) -> dict[str, str]:
    return {"app.kubernetes.io/name": spec.name, "app.kubernetes.io/part-of": spec.name,
            "app.kubernetes.io/managed-by": "mlops-spec"}


def _metadata(spec: Spec, name: str) -> dict[str, Any]:
    return {"name": name, "namespace": spec.deployment.delivery.argocd.namespace,
            "labels": _labels(spec)}


def app_project(spec: Spec) -> dict[str, Any]:
    server = spec.deployment.delivery.argocd.server
    namespaces = list(dict.fromkeys(e.namespace for e in spec.deployment.environments))
    return {
        "apiVersion": API_VERSION,
        "kind": "AppProject",
        "metadata": _metadata(spec, project_name(spec)),
        "spec": {
            "description": f"mlops-spec model {spec.name}: its environments only",
            "sourceRepos": [_repository(spec)],
            "destinations": [{"server": server, "namespace": ns} for ns in namespaces],
            # Nothing cluster-wide: the overlays hold namespaced objects only.
            "clusterResourceWhitelist": [],
        },
    }


def application_template(spec: Spec) -> dict[str, Any]:
    """The Application each environment file instantiates (Go template fields in braces)."""
    delivery = spec.deployment.delivery
    return {
        "metadata": {"name": "{{.application}}",
                     "labels": {**_labels(spec), "mlops-spec/environment": "{{.environment}}"}},
        "spec": {
            "project": project_name(spec),
            "source": {"repoURL": _repository(spec), "targetRevision": delivery.revision,
                       "path": "{{.overlay}}"},
            "destination": {"server": delivery.argocd.server, "namespace": "{{.namespace}}"},
            "syncPolicy": {
                "automated": {"enabled": True, "prune": True, "selfHeal": True},
                "syncOptions": list(SYNC_OPTIONS),
                "retry": RETRY,
            },
        },
    }


def application_set(ctx: RenderContext) -> dict[str, Any]:
    spec = ctx.spec
    delivery = spec.deployment.delivery
    return {
        "apiVersion": API_VERSION,
        "kind": "ApplicationSet",
        "metadata": _metadata(spec, spec.name),
        "spec": {
            "goTemplate": True,
            "goTemplateOptions": ["missingkey=error"],
            "generators": [{"git": {
                "repoURL": _repository(spec),
                "revision": delivery.revision,
                "files": [{"path": ctx.in_model_dir(f"{DIRECTORY}/{ENVIRONMENTS}/*.json")}],
            }}],
            "syncPolicy": {"applicationsSync": "create-update",
                           "preserveResourcesOnDeletion": True},
            "template": application_template(spec),
        },
    }


def environment_parameters(ctx: RenderContext, env: Environment) -> dict[str, str]:
    """What one environment file gives the template (keys avoid the generator's own
    ``path`` parameter)."""
    return {
        "application": application_name(ctx.spec, env),
        "environment": env.name,
        "namespace": env.namespace,
        "overlay": ctx.in_model_dir(f"deploy/{env.name}"),
        "modelVersion": env.model_version or "",
    }


def render(ctx: RenderContext) -> TargetOutput:
    spec = ctx.spec
    directory = ctx.in_model_dir(DIRECTORY)
    files = [
        OutputFile(f"{directory}/kustomization.yaml", dump({
            "apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomization",
            "resources": ["appproject.yaml", "applicationset.yaml"]})),
        OutputFile(f"{directory}/appproject.yaml", dump(app_project(spec))),
        OutputFile(f"{directory}/applicationset.yaml", dump(application_set(ctx))),
    ]
    for env in synced_environments(spec):
        text = json.dumps(environment_parameters(ctx, env), indent=2) + "\n"
        files.append(OutputFile(f"{directory}/{ENVIRONMENTS}/{env.name}.json", text,
                                comment=None))
    return TargetOutput(files=files)
