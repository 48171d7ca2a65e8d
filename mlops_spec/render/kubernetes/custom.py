"""The user-owned extension point: kustomize Components every overlay includes.

``deploy/custom/`` (every environment) and ``deploy/custom/<env>/`` (one environment) are
kustomize Components that teams edit: image pull secrets, annotations, sidecars, node
selectors, as ``patches`` (or ``resources``, ``labels``...). mlops-spec owns only the
marked block in their ``kustomization.yaml`` (the lines that make the directory a
Component), never the rest of the file nor any other file there,
so ``render --check`` stays green while users customise. Every overlay lists both
directories under ``components``; kustomize applies them after the overlay's resources
and before its own patches, so the per-environment settings mlops-spec renders (replicas,
resources, namespace, model version) still win.
"""

from __future__ import annotations

SHARED = "custom"
KUSTOMIZATION = "kustomization.yaml"


def component_lines(directory: str) -> tuple[str, ...]:
    """The owned block: a Component kustomize accepts with nothing else in it (it refuses a
    kustomization whose only fields are apiVersion and kind as "empty")."""
    name = directory.replace("/", "-")
    return ("apiVersion: kustomize.config.k8s.io/v1alpha1", "kind: Component",
            f"metadata: {{name: {name}}}")


def environment_dir(env_name: str) -> str:
    return f"{SHARED}/{env_name}"


def component_dirs(env_names: list[str]) -> list[str]:
    """Directories under ``deploy/`` holding a user-owned Component."""
    return [SHARED, *(environment_dir(name) for name in env_names)]
