"""Scheduled batch scoring: a CronJob whose Job is Indexed, one pod per shard.

Each pod runs ``mlops-spec score --model /mnt/models --input IN --output OUT --shard
$(JOB_COMPLETION_INDEX)/N`` in ``deployment.image`` (which must contain mlops-spec), on
the whole version directory the init container downloads, so scoring loads the safe
``model.skops`` (never a pickle). Every environment reads and writes its own place
(``batch_input`` / ``batch_output``; by default the output gets ``/<environment>``), so an
unapproved staging model never overwrites production's scores. A run is stopped after
``batch.timeout_minutes`` (``activeDeadlineSeconds``), so ``concurrencyPolicy: Forbid``
can never skip every later run behind a hung one.
"""

from __future__ import annotations

from typing import Any

from mlops_spec.render.kubernetes import common as c
from mlops_spec.spec.sections import Environment, Spec

COMPONENT = "batch-scoring"


def cronjob_name(spec: Spec) -> str:
    return f"{spec.name}-score"


def locations(spec: Spec, env: Environment | None) -> tuple[str, str]:
    """(input, output) of one environment; the base (None) has the spec's own."""
    batch = spec.deployment.batch
    assert batch is not None, "validation requires it with mode: batch"
    if env is None:
        return batch.input, batch.output
    output = env.batch_output or f"{batch.output.rstrip('/')}/{env.name}"
    return env.batch_input or batch.input, output


def command(spec: Spec, scope: c.Scope) -> list[str]:
    """The scorer's command line: ``$(VAR)`` is expanded by the kubelet from the
    container's environment (no shell), and the values come from env vars, so a spec
    value never becomes part of a command."""
    batch = spec.deployment.batch
    assert batch is not None
    return ["mlops-spec", "score", "--model", c.MODEL_DIR, "--input", "$(INPUT_URI)",
            "--output", "$(OUTPUT_URI)", "--shard",
            f"$(JOB_COMPLETION_INDEX)/{batch.parallelism}"]


def cronjob(spec: Spec, scope: c.Scope) -> dict[str, Any]:
    batch = spec.deployment.batch
    image = spec.deployment.image
    assert batch is not None and image is not None, "validation requires both"
    env_obj = next((e for e in spec.deployment.environments if e.name == scope.env_name),
                   None)
    source, target = locations(spec, env_obj)
    env: list[dict[str, Any]] = [
        {"name": c.VERSION_KEY, "value": c.UNSET_VERSION},
        {"name": "INPUT_URI", "value": source},
        {"name": "OUTPUT_URI", "value": target},
        {"name": "HOME", "value": "/tmp"},
        *c.store_env(spec),
    ]
    scorer = {
        "name": "score",
        "image": image,
        "command": command(spec, scope),
        "env": env,
        "resources": c.resources(scope.resources),
        "securityContext": c.container_security(),
        "volumeMounts": [
            {"name": "model", "mountPath": c.MODEL_DIR, "readOnly": True},
            {"name": "tmp", "mountPath": "/tmp"},
        ],
    }
    pod = {
        "metadata": {"labels": {**c.labels(spec, COMPONENT), **c.identity_labels(spec)}},
        "spec": {
            "restartPolicy": "Never",
            "serviceAccountName": spec.name,
            "automountServiceAccountToken": False,
            "enableServiceLinks": False,
            "securityContext": c.pod_security(),
            # The whole version: score loads model.skops and checks its lineage.
            "initContainers": [c.fetch_model_container(spec, c.version_uri(spec))],
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
            "activeDeadlineSeconds": 60 * batch.timeout_minutes,
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
