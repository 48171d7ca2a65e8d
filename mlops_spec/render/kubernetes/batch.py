"""Scheduled batch scoring: a CronJob whose Job is Indexed, one pod per shard.

Each pod gets the model at ``$MODEL_PATH`` (downloaded by the init container), the shard it
scores as ``$SHARD_INDEX`` (Kubernetes also sets ``$JOB_COMPLETION_INDEX``) out of
``$SHARD_COUNT``, and where to read and write as ``$INPUT_URI`` and ``$OUTPUT_URI``. The
scoring program is the user's image (``deployment.image``).
"""

from __future__ import annotations

from typing import Any

from mlops_spec.render.kubernetes import common as c
from mlops_spec.spec.sections import Spec

COMPONENT = "batch-scoring"


def cronjob_name(spec: Spec) -> str:
    return f"{spec.name}-score"


def cronjob(spec: Spec, scope: c.Scope) -> dict[str, Any]:
    batch = spec.deployment.batch
    image = spec.deployment.image
    assert batch is not None and image is not None, "validation requires both"
    env: list[dict[str, Any]] = [
        {"name": "MODEL_PATH", "value": f"{c.MODEL_DIR}/{c.MODEL_FILE}"},
        {"name": c.VERSION_KEY, "value": c.UNSET_VERSION},
        {"name": "INPUT_URI", "value": batch.input},
        {"name": "OUTPUT_URI", "value": batch.output},
        {"name": "SHARD_COUNT", "value": str(batch.parallelism)},
        {"name": "SHARD_INDEX", "valueFrom": {"fieldRef": {
            "fieldPath": "metadata.annotations['batch.kubernetes.io/job-completion-index']"}}},
        {"name": "HOME", "value": "/tmp"},
    ]
    scorer = {
        "name": "score",
        "image": image,
        "env": env,
        "resources": c.resources(scope.resources),
        "securityContext": c.container_security(),
        "volumeMounts": [
            {"name": "model", "mountPath": c.MODEL_DIR, "readOnly": True},
            {"name": "tmp", "mountPath": "/tmp"},
        ],
    }
    pod = {
        "metadata": {"labels": c.labels(spec, COMPONENT)},
        "spec": {
            "restartPolicy": "Never",
            "serviceAccountName": spec.name,
            "automountServiceAccountToken": False,
            "enableServiceLinks": False,
            "securityContext": c.pod_security(),
            "initContainers": [c.fetch_model_container(spec)],
            "containers": [scorer],
            "volumes": c.scratch_volumes(),
        },
    }
    job = {
        "metadata": {"labels": c.labels(spec, COMPONENT)},
        "spec": {
            "completionMode": "Indexed",
            "completions": batch.parallelism,
            "parallelism": batch.parallelism,
            # Retries are per run: a failed run is retried by the next schedule.
            "backoffLimit": 2 * batch.parallelism,
            "template": pod,
        },
    }
    return {
        "apiVersion": "batch/v1",
        "kind": "CronJob",
        "metadata": c.metadata(spec, cronjob_name(spec), COMPONENT),
        "spec": {
            "schedule": batch.schedule,
            "timeZone": "Etc/UTC",
            "concurrencyPolicy": "Forbid",
            "startingDeadlineSeconds": 3600,
            "successfulJobsHistoryLimit": 3,
            "failedJobsHistoryLimit": 3,
            "jobTemplate": job,
        },
    }
