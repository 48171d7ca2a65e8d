"""The table of render targets. Adding one is a module here plus one row below.

A target module exposes ``applies(spec) -> bool`` (whether the spec asks for it) and
``render(ctx) -> TargetOutput`` (a pure function of the typed spec and its place).
"""

from __future__ import annotations

import importlib
from types import ModuleType

# target name -> (module, one-line description)
TARGETS: dict[str, tuple[str, str]] = {
    "codeowners": ("mlops_spec.render.targets.codeowners",
                   "CODEOWNERS block: owner roles for the spec, data, code and pipelines"),
    "kubernetes": ("mlops_spec.render.targets.kubernetes",
                   "Kubernetes manifests: kustomize base and per-environment overlays under "
                   "deploy/"),
    "argocd": ("mlops_spec.render.targets.argocd",
               "Argo CD: an AppProject and an ApplicationSet syncing each pinned "
               "environment's overlay from git"),
    "jenkins": ("mlops_spec.render.targets.jenkins",
                "Declarative Jenkinsfile: change-request checks, train and deploy on main, "
                "schedules"),
    "github_actions": ("mlops_spec.render.targets.github_actions",
                       "GitHub Actions: PR check, train and deploy, monitor and retrain, "
                       "release"),
}


def load(name: str) -> ModuleType:
    return importlib.import_module(TARGETS[name][0])
