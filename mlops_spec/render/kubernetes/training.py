"""Training on Kubernetes: a Job template the CI pipeline submits (``deploy/training``).

The pod runs ``training.image`` twice: an init container trains and evaluates
(``mlops-spec train``, which also runs ``training.command`` for runner: command) into a
scratch volume, then the main container uploads the result (``mlops-spec upload``) to
``<store>/<version>/``. The spec reaches the pod as a ConfigMap written from the validated
spec, so the Job needs nothing from the repository checkout.
"""

from __future__ import annotations

import json
from typing import Any

from mlops_spec.render.kubernetes import common as c
from mlops_spec.spec.sections import Spec

COMPONENT = "training"
SPEC_DIR = "/etc/mlops-spec"
SPEC_FILE = f"{SPEC_DIR}/mlops.yaml"
OUT_DIR = "/work/out"
UPLOAD = {"cpu": "250m", "memory": "512Mi"}


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
               amount: dict[str, str]) -> dict[str, Any]:
    image = spec.training.image
    assert image is not None, "validation requires training.image on kubernetes"
    return {
        "name": name,
        "image": image,
        "command": command,
        "env": [
            {"name": c.VERSION_KEY, "value": c.UNSET_VERSION},
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
    training = spec.training
    amount = training.resources or c.DEFAULT_TRAINING
    train = _container(spec, "train",
                       ["mlops-spec", "train", SPEC_FILE, "--out", OUT_DIR],
                       {"cpu": amount.cpu, "memory": amount.memory})
    upload = _container(spec, "upload",
                        ["mlops-spec", "upload", SPEC_FILE, "--from", OUT_DIR], UPLOAD)
    pod = {
        "metadata": {"labels": c.labels(spec, COMPONENT)},
        "spec": {
            "restartPolicy": "Never",
            "serviceAccountName": service_account_name(spec),
            "automountServiceAccountToken": False,
            "enableServiceLinks": False,
            "securityContext": c.pod_security(),
            "initContainers": [train],
            "containers": [upload],
            "volumes": [
                {"name": "spec", "configMap": {"name": spec_configmap_name(spec)}},
                {"name": "work", "emptyDir": {}},
                {"name": "tmp", "emptyDir": {"sizeLimit": "1Gi"}},
            ],
        },
    }
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": c.metadata(spec, job_name(spec), COMPONENT),
        "spec": {
            "backoffLimit": 0,
            "activeDeadlineSeconds": training.timeout_minutes * 60,
            "ttlSecondsAfterFinished": 24 * 3600,
            "template": pod,
        },
    }
