"""Names the generated pipelines agree on, derived from the spec (no extra fields needed).

CI secrets are listed by name in ``ci.secrets``; these functions say which listed name
plays which part, so GitHub Actions and Jenkins read the same secrets.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mlops_spec.spec.sections import Spec

OUT_DIR = ".mlops-spec/out"
"""Where ``mlops-spec train`` writes its outputs in CI (evaluation, artifact, report)."""
REFERENCE_PROFILE = f"{OUT_DIR}/reference.profile.npz"
"""The drift reference profile ``train`` stores next to the artifact (see docs/drift.md)."""

PR_TOKEN_SECRET = "MLOPS_PR_TOKEN"
"""Optional token that opens retrain pull requests. GitHub starts no workflow for a pull
request opened with the job's own ``GITHUB_TOKEN``, so without it the PR check of a retrain
pull request runs only once someone pushes to it or closes and reopens it."""


def kubeconfig_secret(environment: str) -> str:
    """The secret holding the kubeconfig of an environment: ``KUBECONFIG_<NAME>``."""
    return "KUBECONFIG_" + environment.upper().replace("-", "_")


def role_secrets(secrets: list[str], environments: list[str]) -> tuple[list[str], list[str]]:
    """(kubeconfig secrets, other secrets) of ``ci.secrets``; others reach training,
    upload and monitoring steps as environment variables of the same name."""
    kubeconfigs = {kubeconfig_secret(name) for name in environments}
    special = kubeconfigs | {PR_TOKEN_SECRET}
    return ([s for s in secrets if s in kubeconfigs], [s for s in secrets if s not in special])


SERVING_DIR = "serving"
"""Directory of a version (``<store>/<version>/serving/``) holding exactly what the realtime
runtimes download and load."""
SERVING_MODEL_FILE = "model.joblib"


def serving_files(spec: Spec) -> tuple[str, ...]:
    """The files ``train`` writes under ``serving/`` for this spec (the one place that
    decides; the manifests load exactly these).

    Realtime serving from a cluster (``deployment.platform`` kserve or kubernetes): a joblib
    pickle of the fitted estimator, ``model.joblib``, because both runtimes (KServe's
    sklearnserver, MLServer's scikit-learn runtime) load only joblib/pickle files; the spec
    must opt in with ``deployment.allow_pickle_serving: true`` (M055). Batch scoring runs
    ``mlops-spec score`` on the version directory and loads the safe ``model.skops``, and
    embedded models serve nothing: no ``serving/`` then.
    """
    deployment = spec.deployment
    if deployment.mode == "realtime" and deployment.platform is not None:
        return (SERVING_MODEL_FILE,)
    return ()
