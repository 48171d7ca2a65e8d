"""Training on Kubernetes: a Job template the CI pipeline submits (``deploy/training``).

The pod runs ``training.image`` twice: an init container trains and evaluates
(``mlops-spec train``, which also runs ``training.command`` for runner: command) into a
scratch volume, then the main container uploads the result (``mlops-spec upload``) to
``<store>/<version>/``. The spec reaches the pod as a ConfigMap written from the validated
spec, so the Job needs nothing from the repository checkout.

``submission(spec, run)`` is what ``mlops-spec submit-training`` creates instead: the same
pod under a name of its own per run (a ConfigMap and a Job, labelled with the run), whose
upload container writes ``<store>/_runs/<run>/`` (``upload --run``), not a version: the
pipeline fetches it back and its evaluation, gate and upload steps run unchanged.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from mlops_spec.render.kubernetes import common as c
from mlops_spec.spec.sections import Spec

COMPONENT = "training"
SPEC_DIR = "/etc/mlops-spec"
SPEC_FILE = f"{SPEC_DIR}/mlops.yaml"
OUT_DIR = "/work/out"
UPLOAD = {"cpu": "250m", "memory": "512Mi"}
RUN_LABEL = "mlops-spec.dev/run"
"""The label naming the run on a submitted ConfigMap, Job and its pod."""
FINISHED_TTL_SECONDS = 24 * 3600
"""How long a finished Job (and its pod's logs) stays for inspection."""


def job_name(spec: Spec) -> str:
    return f"{spec.name}-train"


def service_account_name(spec: Spec) -> str:
    return f"{spec.name}-training"


def spec_configmap_name(spec: Spec) -> str:
    return f"{spec.name}-training-spec"


def spec_text(spec: Spec) -> str:
    """The spec as the user wrote it (only the keys they set), as JSON, which is YAML."""
    data = spec.model_dump(mode="json", by_alias=True, exclude_unset=True)
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def spec_configmap(spec: Spec) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": c.metadata(spec, spec_configmap_name(spec), COMPONENT),
        "data": {"mlops.yaml": spec_text(spec)},
    }


def _container(spec: Spec, name: str, command: list[str],
               amount: dict[str, str], version: str = c.UNSET_VERSION) -> dict[str, Any]:
    image = spec.training.image
    assert image is not None, "validation requires training.image on kubernetes"
    return {
        "name": name,
        "image": image,
        "command": command,
        "env": [
            {"name": c.VERSION_KEY, "value": version},
            {"name": "HOME", "value": "/tmp"},
        ],
        "resources": {"requests": dict(amount), "limits": dict(amount)},
        "securityContext": c.container_security(),
        "volumeMounts": [
            {"name": "spec", "mountPath": SPEC_DIR, "readOnly": True},
            {"name": "work", "mountPath": "/work"},
            {"name": "tmp", "mountPath": "/tmp"},
        ],
    }


def job(spec: Spec) -> dict[str, Any]:
    return _job(spec, job_name(spec), spec_configmap_name(spec), c.labels(spec, COMPONENT),
                [], c.UNSET_VERSION)


def _job(spec: Spec, name: str, configmap: str, labels: dict[str, str],
         upload_to: list[str], version: str) -> dict[str, Any]:
    training = spec.training
    amount = training.resources or c.DEFAULT_TRAINING
    train = _container(spec, "train",
                       ["mlops-spec", "train", SPEC_FILE, "--out", OUT_DIR],
                       {"cpu": amount.cpu, "memory": amount.memory}, version)
    upload = _container(spec, "upload",
                        ["mlops-spec", "upload", SPEC_FILE, "--from", OUT_DIR, *upload_to],
                        UPLOAD, version)
    pod = {
        "metadata": {"labels": labels},
        "spec": {
            "restartPolicy": "Never",
            "serviceAccountName": service_account_name(spec),
            "automountServiceAccountToken": False,
            "enableServiceLinks": False,
            "securityContext": c.pod_security(),
            "initContainers": [train],
            "containers": [upload],
            "volumes": [
                {"name": "spec", "configMap": {"name": configmap}},
                {"name": "work", "emptyDir": {}},
                {"name": "tmp", "emptyDir": {"sizeLimit": "1Gi"}},
            ],
        },
    }
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": name, "labels": dict(labels)},
        "spec": {
            "backoffLimit": 0,
            "activeDeadlineSeconds": training.timeout_minutes * 60,
            "ttlSecondsAfterFinished": FINISHED_TTL_SECONDS,
            "template": pod,
        },
    }


@dataclass(frozen=True, slots=True)
class Submission:
    """What ``submit-training`` creates for one run, and where it runs."""

    run: str
    job: str
    configmap: str
    namespace: str
    service_account: str
    objects: dict[str, Any]
    """A ``v1`` List of the ConfigMap and the Job, for ``kubectl create -f -``."""


def namespace(spec: Spec) -> str:
    """Training runs next to the first environment (usually not production)."""
    return spec.deployment.environments[0].namespace


def run_job_name(spec: Spec, run: str) -> str:
    """``<name>-train-<token>``, within the 63 characters a Job name may have (its pods
    carry it as a label): the run's last segment is its random token."""
    suffix = f"-train-{run.rsplit('-', 1)[-1]}"
    return spec.name[:63 - len(suffix)].rstrip("-") + suffix


def submission(spec: Spec, run: str, version: str | None = None) -> Submission:
    """The ConfigMap and Job of one training run: uniquely named, labelled with the run,
    the pod's upload writing ``<store>/_runs/<run>/``. ``version`` (the commit trained)
    becomes the version label and ``MODEL_VERSION``; else the run names itself."""
    name = run_job_name(spec, run)
    configmap = f"{name}-spec"
    labels = {**c.labels(spec, COMPONENT), "app.kubernetes.io/version": version or run,
              RUN_LABEL: run}
    config = spec_configmap(spec)
    config["metadata"] = {"name": configmap, "labels": dict(labels)}
    manifest = _job(spec, name, configmap, labels, ["--run", run], version or run)
    return Submission(
        run=run, job=name, configmap=configmap, namespace=namespace(spec),
        service_account=service_account_name(spec),
        objects={"apiVersion": "v1", "kind": "List", "items": [config, manifest]})
