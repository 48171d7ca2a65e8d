"""What ``upload`` accepts: the directory ``train --out`` wrote, for THIS spec.

BRIEF contract 2 names the set; the checks here are the ones that keep a wrong or stale
directory out of the store: the evaluation is bound to the spec being uploaded (its
digest and name), the model artifact is the one the evaluation describes (same file,
format and sha256), and a spec served on a cluster brings the files its runtime loads.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from mlops_spec import evaluation
from mlops_spec.diagnostics import UserError
from mlops_spec.render.kubernetes.common import MODEL_FILE, SERVING_PREFIX
from mlops_spec.spec.sections import Spec
from mlops_spec.store.errors import StoreError
from mlops_spec.store.manifest import file_digest

EXPECTED = ("model-card.md", "model-card.json", "lineage.json", "reference.profile.npz")
"""Files of the set that ``upload`` does not need but ``train`` writes: warned about."""


def _refuse(message: str, where: Path, hint: str) -> UserError:
    return StoreError.single("A004", message, str(where), hint=hint)


def check_artifact_set(spec: Spec, from_dir: Path) -> evaluation.Evaluation:
    """The directory's evaluation, once the directory is fit to become a version."""
    if not from_dir.is_dir():
        raise _refuse("no such directory", from_dir,
                      "pass the directory `mlops-spec train SPEC --out DIR` wrote")
    record = evaluation.read(from_dir / evaluation.FILENAME)
    retrain = "run `mlops-spec train` with this spec and upload its --out directory"
    eval_file = from_dir / evaluation.FILENAME
    if record.model != spec.name:
        raise _refuse(f"the evaluation is of model {record.model!r}, not {spec.name!r}",
                      eval_file, retrain)
    if record.spec.digest != evaluation.spec_digest(spec):
        raise _refuse("the evaluation was made with another version of the spec (its "
                      "spec digest differs)", eval_file, retrain)
    artifact = from_dir / record.artifact.file
    if record.artifact.format != spec.model.artifact.format:
        raise _refuse(f"the artifact is {record.artifact.format}, the spec asks for "
                      f"{spec.model.artifact.format}", eval_file, retrain)
    if not artifact.is_file():
        raise _refuse(f"the model artifact {record.artifact.file} is missing", from_dir,
                      retrain)
    if file_digest(artifact)[0] != record.artifact.sha256:
        raise _refuse(f"{record.artifact.file} is not the artifact the evaluation "
                      "describes (sha256 differs)", artifact, retrain)
    served = from_dir / SERVING_PREFIX / MODEL_FILE
    if spec.deployment.platform is not None and not served.is_file():
        raise _refuse(f"{SERVING_PREFIX}/{MODEL_FILE} is missing: the "
                      f"{spec.deployment.platform} manifests serve it", from_dir, retrain)
    for name in EXPECTED:
        if not (from_dir / name).exists():
            print(f"warning: {from_dir / name} is missing (train writes it)", file=sys.stderr)
    return record


def trained_sklearn(from_dir: Path) -> str | None:
    """The scikit-learn version ``lineage.json`` records (``packages``), or None."""
    try:
        lineage = json.loads((from_dir / "lineage.json").read_text(encoding="utf-8"))
        version = lineage["packages"]["scikit-learn"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return version if isinstance(version, str) else None


def check_runtime(spec: Spec, from_dir: Path, allow_mismatch: bool) -> None:
    """Refuse (A014) an artifact trained with another scikit-learn than the runtime that
    serves it: a pickled estimator is supported only by the version that wrote it. A local
    store is never served by a cluster, and ``--allow-sklearn-mismatch`` is the explicit
    opt-out: both only warn."""
    from mlops_spec.render.kubernetes.runtimes import check_artifact_runtime, training_requirement
    from mlops_spec.spec.types import is_remote_store

    why = check_artifact_runtime(spec, trained_sklearn(from_dir))
    if why is None:
        return
    store = spec.model.artifact.store
    if allow_mismatch or store is None or not is_remote_store(store):
        reason = "--allow-sklearn-mismatch" if allow_mismatch else "the store is local"
        print(f"warning: A014 {why} (uploaded anyway: {reason})", file=sys.stderr)
        return
    raise StoreError.single(
        "A014", why, str(from_dir / "lineage.json"),
        hint=f"train where `pip install {training_requirement(spec)}` ran (the generated "
             "pipelines do), then upload that directory")
