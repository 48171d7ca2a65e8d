"""The kustomize layout: ``deploy/base``, one overlay per environment, ``deploy/training``.

The base holds the objects built with the deployment-level settings. Each overlay is
computed, not hand-written: the objects are built again with that environment's settings
and the overlay holds exactly the difference (RFC 6902 patches on fields that differ,
whole objects the base does not have), plus the namespace and the model version. So
``kubectl kustomize deploy/<env>`` gives the environment's objects, and environments can
only differ where the spec lets them.

The model version is not known when rendering. Objects carry a placeholder wherever the
version goes (labels, ``storageUri``, download arguments, environment variables); each
overlay generates a local ConfigMap holding the version and kustomize ``replacements``
copy it into every such field. An environment that pins ``model_version`` in the spec
gets it as a literal; otherwise the overlay reads ``model-version.env``, which the
deploying pipeline overwrites with the commit it trained before ``kubectl apply -k``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from mlops_spec import conventions
from mlops_spec.render.kubernetes import batch, custom, kserve, netpol, rollout, training, workload
from mlops_spec.render.kubernetes import common as c
from mlops_spec.render.kubernetes.yamlout import dump, dump_all
from mlops_spec.spec.sections import Environment, Spec

KUSTOMIZATION = {"apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomization"}
VERSION_FILE = conventions.VERSION_FILE
LOCAL_CONFIG = {"config.kubernetes.io/local-config": "true"}

FILE_FOR_KIND = {
    "ServiceAccount": "serviceaccount.yaml",
    "ConfigMap": "configmap.yaml",
    "InferenceService": "inferenceservice.yaml",
    "Deployment": "deployment.yaml",
    "Rollout": "rollout.yaml",
    "AnalysisTemplate": "analysistemplate.yaml",
    "Service": "service.yaml",
    "HorizontalPodAutoscaler": "hpa.yaml",
    "PodDisruptionBudget": "pdb.yaml",
    "VirtualService": "virtualservice.yaml",
    "CronJob": "cronjob.yaml",
    "NetworkPolicy": "networkpolicy.yaml",
    "Job": "job.yaml",
}


# --- objects --------------------------------------------------------------------------------


def serving_objects(spec: Spec, scope: c.Scope) -> list[dict[str, Any]]:
    """Everything ``kubectl apply -k deploy/<env>`` creates, for one scope."""
    deployment = spec.deployment
    if deployment.platform == "kserve":
        mode = kserve.deployment_mode(spec)
        assert mode is not None
        return [c.service_account(spec, spec.name, kserve.COMPONENT),
                kserve.inference_service(spec, scope),
                c.pdb(spec, kserve.COMPONENT),
                netpol.kserve_policy(spec, kserve.COMPONENT, mode)]
    if deployment.platform != "kubernetes":
        return []
    if deployment.mode == "batch":
        return [c.service_account(spec, spec.name, batch.COMPONENT),
                batch.cronjob(spec, scope),
                netpol.deny_ingress(spec, batch.COMPONENT)]
    objects = [c.service_account(spec, spec.name, workload.COMPONENT)]
    if deployment.strategy.type == "rolling":
        kind = "Deployment"
        objects.append(workload.deployment(spec, scope))
        services = [spec.name]
    else:
        kind = "Rollout"
        objects += [rollout.rollout(spec, scope), rollout.analysis_template(spec)]
        services = [spec.name, *rollout.extra_services(spec)]
    objects += [workload.service(spec, name) for name in services]
    if scope.autoscaling is not None:
        objects.append(workload.hpa(spec, scope, kind))
    objects.append(c.pdb(spec, workload.COMPONENT))
    if rollout.uses_istio(spec):
        objects.append(rollout.virtual_service(spec))
    objects.append(netpol.workload_policy(spec, workload.COMPONENT, rollouts=kind == "Rollout"))
    return objects


def training_objects(spec: Spec) -> list[dict[str, Any]]:
    return [c.service_account(spec, training.service_account_name(spec), training.COMPONENT,
                              identity=False),
            training.spec_configmap(spec), training.job(spec)]


def _key(obj: dict[str, Any]) -> tuple[str, str, str]:
    return (obj["apiVersion"], obj["kind"], obj["metadata"]["name"])


def group_files(objects: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """One file per kind, objects in build order."""
    files: dict[str, list[dict[str, Any]]] = {}
    for obj in objects:
        files.setdefault(FILE_FOR_KIND[obj["kind"]], []).append(obj)
    return files


# --- JSON patches ---------------------------------------------------------------------------


def _pointer(path: tuple[str | int, ...]) -> str:
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in path)


def json_patch(before: Any, after: Any, path: tuple[str | int, ...] = ()) -> list[dict[str, Any]]:
    """RFC 6902 operations turning ``before`` into ``after`` (lists of another length are
    replaced whole)."""
    if isinstance(before, dict) and isinstance(after, dict):
        ops: list[dict[str, Any]] = []
        for key in before:
            if key not in after:
                ops.append({"op": "remove", "path": _pointer((*path, key))})
            else:
                ops += json_patch(before[key], after[key], (*path, key))
        for key in after:
            if key not in before:
                ops.append({"op": "add", "path": _pointer((*path, key)), "value": after[key]})
        return ops
    if isinstance(before, list) and isinstance(after, list) and len(before) == len(after):
        return [op for i, (old, new) in enumerate(zip(before, after, strict=True))
                for op in json_patch(old, new, (*path, i))]
    if before == after and type(before) is type(after):
        return []
    return [{"op": "replace", "path": _pointer(path), "value": after}]


def _target(obj: dict[str, Any]) -> dict[str, str]:
    group, _, version = obj["apiVersion"].rpartition("/")
    target = {"group": group} if group else {}
    target.update({"version": version, "kind": obj["kind"], "name": obj["metadata"]["name"]})
    return target


# --- version replacements -------------------------------------------------------------------

_PLAIN_SEGMENT = re.compile(r"^[A-Za-z0-9_-]+$")


def _field_path(path: list[str]) -> str:
    return ".".join(path)


def _segment(key: str) -> str:
    return key if _PLAIN_SEGMENT.match(key) else f"[{key}]"


def _occurrences(value: Any, path: list[str]) -> Iterator[tuple[str, int | None]]:
    """Field paths (kustomize syntax) holding the placeholder, with the index of the
    ``/``-separated segment when it is only part of the value."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _occurrences(item, [*path, _segment(key)])
    elif isinstance(value, list):
        names = [item.get("name") for item in value if isinstance(item, dict)]
        for i, item in enumerate(value):
            name = item.get("name") if isinstance(item, dict) else None
            unique = isinstance(name, str) and names.count(name) == 1 and (
                _PLAIN_SEGMENT.match(name))
            yield from _occurrences(item, [*path, f"[name={name}]" if unique else str(i)])
    elif isinstance(value, str) and c.UNSET_VERSION in value:
        if value == c.UNSET_VERSION:
            yield _field_path(path), None
            return
        parts = value.split("/")
        if value.count(c.UNSET_VERSION) != parts.count(c.UNSET_VERSION):
            raise AssertionError(f"version placeholder inside a path segment: {value!r}")
        for index, part in enumerate(parts):
            if part == c.UNSET_VERSION:
                yield _field_path(path), index


def replacements(spec: Spec, objects: list[dict[str, Any]]) -> list[dict[str, Any]]:
    targets: list[dict[str, Any]] = []
    for obj in objects:
        whole: list[str] = []
        parts: dict[int, list[str]] = {}
        for path, index in _occurrences(obj, []):
            if index is None:
                whole.append(path)
            else:
                parts.setdefault(index, []).append(path)
        select = {"kind": obj["kind"], "name": obj["metadata"]["name"]}
        if whole:
            targets.append({"select": dict(select), "fieldPaths": whole})
        for index, paths in sorted(parts.items()):
            targets.append({"select": dict(select), "fieldPaths": paths,
                            "options": {"delimiter": "/", "index": index}})
    return [{
        "source": {"kind": "ConfigMap", "name": c.version_configmap(spec),
                   "fieldPath": f"data.{c.VERSION_KEY}"},
        "targets": targets,
    }]


def version_generator(spec: Spec, pinned: str | None) -> list[dict[str, Any]]:
    generator: dict[str, Any] = {"name": c.version_configmap(spec)}
    if pinned is None:
        generator["envs"] = [VERSION_FILE]
    else:
        generator["literals"] = [f"{c.VERSION_KEY}={pinned}"]
    generator["options"] = {"disableNameSuffixHash": True, "annotations": dict(LOCAL_CONFIG)}
    return [generator]


def version_file() -> str:
    return (f"# The deploying pipeline replaces {c.UNSET_VERSION} with the version it deploys "
            "(the commit it trained at).\n"
            f"{c.VERSION_KEY}={c.UNSET_VERSION}\n")


# --- layout ---------------------------------------------------------------------------------


@dataclass
class Layout:
    """Files under ``deploy/``: relative path -> content (YAML or env text)."""

    files: dict[str, str] = field(default_factory=dict)

    def add_objects(self, directory: str, objects: list[dict[str, Any]]) -> list[str]:
        names = []
        for name, group in group_files(objects).items():
            self.files[f"{directory}/{name}"] = dump_all(group)
            names.append(name)
        return names


def _overlay(layout: Layout, spec: Spec, env: Environment,
             base: list[dict[str, Any]]) -> None:
    directory = env.name
    objects = serving_objects(spec, c.env_scope(spec, env))
    by_key = {_key(obj): obj for obj in objects}
    missing = [key for key in map(_key, base) if key not in by_key]
    assert not missing, f"environment {env.name} lacks base objects {missing}"
    base_keys = {_key(obj) for obj in base}
    extra = [obj for obj in objects if _key(obj) not in base_keys]
    patches: list[dict[str, Any]] = []
    for obj in base:
        ops = json_patch(obj, by_key[_key(obj)])
        if not ops:
            continue
        name = f"patch-{obj['kind'].lower()}-{obj['metadata']['name']}.yaml"
        layout.files[f"{directory}/{name}"] = dump(ops)
        patches.append({"path": name, "target": _target(obj)})
    kustomization: dict[str, Any] = {
        **KUSTOMIZATION,
        "namespace": env.namespace,
        "resources": ["../base", *layout.add_objects(directory, extra)],
        # User-owned (custom.py): applied before this environment's own differences.
        "components": [f"../{custom.SHARED}", f"../{custom.environment_dir(env.name)}"],
    }
    if patches:
        kustomization["patches"] = patches
    kustomization["configMapGenerator"] = version_generator(spec, env.model_version)
    kustomization["replacements"] = replacements(spec, objects)
    layout.files[f"{directory}/kustomization.yaml"] = dump(kustomization)
    if env.model_version is None:
        layout.files[f"{directory}/{VERSION_FILE}"] = version_file()


def _training(layout: Layout, spec: Spec) -> None:
    objects = training_objects(spec)
    kustomization = {
        **KUSTOMIZATION,
        # Training runs next to the first environment (usually not production).
        "namespace": spec.deployment.environments[0].namespace,
        "resources": layout.add_objects("training", objects),
        "configMapGenerator": version_generator(spec, None),
        "replacements": replacements(spec, objects),
    }
    layout.files["training/kustomization.yaml"] = dump(kustomization)
    layout.files[f"training/{VERSION_FILE}"] = version_file()


def layout(spec: Spec) -> Layout:
    """Every file under ``deploy/``, keyed by its path relative to ``deploy/``."""
    result = Layout()
    base = serving_objects(spec, c.base_scope(spec))
    if base:
        resources = result.add_objects("base", base)
        result.files["base/kustomization.yaml"] = dump({**KUSTOMIZATION,
                                                        "resources": resources})
        for env in spec.deployment.environments:
            _overlay(result, spec, env, base)
    if spec.training.platform == "kubernetes":
        _training(result, spec)
    return result
