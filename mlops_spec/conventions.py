"""Names the generated pipelines agree on, derived from the spec (no extra fields needed).

CI secrets are listed by name in ``ci.secrets``; these functions say which listed name
plays which part, so GitHub Actions and Jenkins read the same secrets.
"""

from __future__ import annotations

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
"""The subdirectory of an output/version directory the serving runtimes download."""


def serving_files() -> dict[str, str]:
    """What ``train`` writes under ``serving/``: relative path -> serialisation.

    Today the runtimes (KServe's scikit-learn server, MLServer's sklearn runtime) load a
    joblib pickle, ``serving/model.joblib`` (render/kubernetes/common.py MODEL_FILE). That
    file is pickle: it is made from the same fitted pipeline as the safe ``model.skops``,
    and only the serving runtime, in its own pod, loads it. Change the format here only.
    """
    return {f"{SERVING_DIR}/model.joblib": "joblib"}
