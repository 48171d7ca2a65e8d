"""Every pod spec in every built overlay is secure and operable by default.

The walker finds each pod spec (Deployment, Rollout, Job, CronJob and the
InferenceService predictor) in the output of ``kubectl kustomize`` and checks each
container, init containers included: non-root with a non-zero UID, no privilege
escalation, all capabilities dropped, RuntimeDefault seccomp, a read-only root with only
emptyDir volumes writable, requests and limits, probes where a server runs, pinned images,
and a dedicated ServiceAccount without an API token. Every object carries the standard
labels and the model version.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from kubernetes_cases import example_data, kustomize, overlays, render_case, renderable_cases

from mlops_spec.render.kubernetes import common
from mlops_spec.render.kubernetes.kustomize import serving_objects

LABELS = ("app.kubernetes.io/name", "app.kubernetes.io/instance",
          "app.kubernetes.io/component", "app.kubernetes.io/version",
          "app.kubernetes.io/part-of", "app.kubernetes.io/managed-by")


@dataclass
class Pod:
    where: str
    spec: dict[str, Any]
    containers: list[dict[str, Any]]
    init_containers: list[dict[str, Any]]
    servers: list[str]
    """Names of the containers that run a server (need probes)."""
    labels: dict[str, str] | None
    image_from_runtime: bool = False


def pods(doc: dict[str, Any]) -> Iterator[Pod]:
    kind, name = doc["kind"], doc["metadata"]["name"]
    where = f"{kind}/{name}"
    if kind in ("Deployment", "Rollout", "Job"):
        template = doc["spec"]["template"]
    elif kind == "CronJob":
        template = doc["spec"]["jobTemplate"]["spec"]["template"]
    elif kind == "InferenceService":
        predictor = doc["spec"]["predictor"]
        yield Pod(where, predictor, [predictor["model"], *predictor.get("containers", [])],
                  predictor.get("initContainers", []), ["model"], predictor.get("labels"),
                  image_from_runtime=True)
        return
    else:
        assert "containers" not in repr(doc), f"{where}: a pod spec the walker does not know"
        return
    spec = template["spec"]
    servers = [container_name(c) for c in spec["containers"]] if kind in ("Deployment",
                                                                   "Rollout") else []
    yield Pod(where, spec, spec["containers"], spec.get("initContainers", []), servers,
              template.get("metadata", {}).get("labels"))


def container_name(container: dict[str, Any]) -> str:
    """The InferenceService's model container has no name of its own."""
    return str(container.get("name", "model"))


def _pinned(image: str) -> bool:
    if "@sha256:" in image:
        return True
    last = image.rsplit("/", 1)[-1]
    return ":" in last and not last.endswith(":latest")


def problems(documents: list[dict[str, Any]]) -> list[str]:
    found: list[str] = []
    accounts = {d["metadata"]["name"]: d for d in documents if d["kind"] == "ServiceAccount"}
    for doc in documents:
        where = f"{doc['kind']}/{doc['metadata']['name']}"
        labels = doc["metadata"].get("labels", {})
        found += [f"{where}: label {key} missing" for key in LABELS if not labels.get(key)]
        for pod in pods(doc):
            found += pod_problems(pod, accounts)
    return found


def pod_problems(pod: Pod, accounts: dict[str, dict[str, Any]]) -> list[str]:
    out: list[str] = []
    spec = pod.spec

    def bad(text: str) -> None:
        out.append(f"{pod.where}: {text}")

    if pod.labels is None or any(not pod.labels.get(key) for key in LABELS):
        bad("pod template lacks the standard labels and version")
    account = spec.get("serviceAccountName")
    if not account or account == "default":
        bad("no dedicated ServiceAccount")
    elif account not in accounts:
        bad(f"ServiceAccount {account} is not part of the output")
    elif spec.get("automountServiceAccountToken") is not False and not (
            spec.get("automountServiceAccountToken") is None
            and accounts[account].get("automountServiceAccountToken") is False):
        bad("the API token is mounted")
    pod_security = spec.get("securityContext", {})
    volumes = {v["name"]: v for v in spec.get("volumes", [])}
    for container in [*pod.init_containers, *pod.containers]:
        name = container_name(container)
        context = {**pod_security, **container.get("securityContext", {})}
        checks = {
            "runAsNonRoot": context.get("runAsNonRoot") is True,
            "non-zero runAsUser": isinstance(context.get("runAsUser"), int)
            and context["runAsUser"] > 0,
            "allowPrivilegeEscalation false": context.get("allowPrivilegeEscalation") is False,
            "capabilities drop ALL": "ALL" in context.get("capabilities", {}).get("drop", []),
            "seccompProfile RuntimeDefault":
                context.get("seccompProfile", {}).get("type") == "RuntimeDefault",
            "readOnlyRootFilesystem": context.get("readOnlyRootFilesystem") is True,
            "not privileged": context.get("privileged") is not True,
        }
        out += [f"{pod.where} {name}: {check}" for check, ok in checks.items() if not ok]
        resources = container.get("resources", {})
        for part in ("requests", "limits"):
            for amount in ("cpu", "memory"):
                if not resources.get(part, {}).get(amount):
                    bad(f"{name}: no {part}.{amount}")
        image = container.get("image")
        if image is None:
            if not (pod.image_from_runtime and name == "model"):
                bad(f"{name}: no image")
        elif not _pinned(image):
            bad(f"{name}: image {image} is not pinned")
        for mount in container.get("volumeMounts", []):
            if mount.get("readOnly"):
                continue
            volume = volumes.get(mount["name"])
            if volume is None or "emptyDir" not in volume:
                bad(f"{name}: writable mount {mount['mountPath']} is not an emptyDir")
        if name in pod.servers:
            for probe in ("readinessProbe", "livenessProbe"):
                if probe not in container:
                    bad(f"{name}: no {probe}")
    if not pod.containers:
        bad("no containers")
    return out


CASES = sorted(renderable_cases())


@pytest.mark.slow
@pytest.mark.parametrize("name", CASES)
def test_every_pod_spec_in_every_overlay(name: str, tmp_path: Path) -> None:
    model_dir = render_case(renderable_cases()[name], tmp_path)
    checked = 0
    for overlay in overlays(model_dir):
        documents = kustomize(overlay)
        assert not problems(documents), "\n".join(problems(documents))
        checked += sum(1 for doc in documents for _ in pods(doc))
    assert checked, "no pod spec found"


def _container(objects: list[dict[str, Any]], where: str, name: str) -> dict[str, Any]:
    return next(c for doc in objects for pod in pods(doc) if pod.where == where
                for c in pod.containers if container_name(c) == name)


def _pod_spec(objects: list[dict[str, Any]], where: str) -> dict[str, Any]:
    return next(pod.spec for doc in objects for pod in pods(doc) if pod.where == where)


def test_the_walker_catches_what_it_checks() -> None:
    """Each check fails on an object that breaks it (the walker is not vacuous)."""
    from kubernetes_cases import matrix_data, validated

    for data in (example_data(), matrix_data("realtime", "kubernetes", "canary", "none", "ci"),
                 matrix_data("batch", "kubernetes", "rolling", "none", "kubernetes")):
        spec = validated(data).spec
        assert spec is not None
        clean = serving_objects(spec, common.base_scope(spec))
        assert problems(clean) == []
        for pod in [p for doc in clean for p in pods(doc)]:
            for name in map(container_name, pod.containers):
                for field in ("readOnlyRootFilesystem", "allowPrivilegeEscalation",
                              "runAsNonRoot", "seccompProfile", "capabilities", "runAsUser"):
                    broken = copy.deepcopy(clean)
                    _container(broken, pod.where, name)["securityContext"].pop(field)
                    _pod_spec(broken, pod.where).get("securityContext", {}).pop(field, None)
                    assert problems(broken), (pod.where, name, field)
                broken = copy.deepcopy(clean)
                target = _container(broken, pod.where, name)
                del target["resources"]["limits"]
                assert any("no limits" in p for p in problems(broken))
                if "image" in target:
                    target["image"] = target["image"].rsplit(":", 1)[0] + ":latest"
                    assert any("not pinned" in p for p in problems(broken))
            for server in pod.servers:
                broken = copy.deepcopy(clean)
                del _container(broken, pod.where, server)["readinessProbe"]
                assert any("readinessProbe" in p for p in problems(broken))
            broken = copy.deepcopy(clean)
            _pod_spec(broken, pod.where)["automountServiceAccountToken"] = True
            assert any("API token" in p for p in problems(broken))
            if "automountServiceAccountToken" not in pod.spec:
                broken = copy.deepcopy(clean)
                for doc in broken:
                    if doc["kind"] == "ServiceAccount":
                        doc["automountServiceAccountToken"] = True
                assert any("API token" in p for p in problems(broken))
