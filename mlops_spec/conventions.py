"""What the generated pipelines (GitHub Actions and Jenkins) and the commands agree on.

Names, paths, branch and time budgets are derived from the spec (no extra fields needed).
CI secrets are listed by name in ``ci.secrets``; the functions below say which listed name
plays which part, so both CI targets read the same secrets the same way.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mlops_spec.spec.sections import Spec

MAIN_BRANCH = "main"
"""The branch that trains, uploads and deploys (pull requests target it)."""

OUT_DIR = ".mlops-spec/out"
"""Where ``mlops-spec train`` writes its outputs in CI (evaluation, artifact, report)."""
PROFILE_FILE = "reference.profile.npz"
"""The drift reference profile ``train`` writes next to the artifact, and so the name it
has in every stored version (``drift --champion`` reads it from there; docs/drift.md)."""
REFERENCE_PROFILE = f"{OUT_DIR}/{PROFILE_FILE}"
GATE_REPORT = f"{OUT_DIR}/report.json"
"""The gate report ``check --report`` writes and ``publish --report`` reads."""

# Time budgets, in minutes, of the generated jobs and stages (both CI targets).
SETUP_MINUTES = 15
"""Checkout, install and validation, added to ``training.timeout_minutes``."""
STEP_MINUTES = 10
"""A short step: render check, gate, evaluation, posting the report."""
UPLOAD_MINUTES = 30
DEPLOY_MINUTES = 30
DRIFT_MINUTES = 30
CLUSTER_START_MINUTES = 10
"""What ``submit-training`` waits for a training Job beyond ``training.timeout_minutes``:
a node, the image pull, the hand-back to the store (its ``--timeout`` can only shorten it)."""
APPROVAL_HOURS = 72
"""How long a deployment waits for its approvers (covers a weekend) before it is aborted."""

PR_TOKEN_SECRET = "MLOPS_PR_TOKEN"
"""Optional token that opens retrain pull requests. GitHub starts no workflow for a pull
request opened with the job's own ``GITHUB_TOKEN``, so without it the PR check of a retrain
pull request runs only once someone pushes to it or closes and reopens it."""
GITHUB_TOKEN_SECRET = "GITHUB_TOKEN"
"""The token that posts the report (built into GitHub Actions; a Jenkins credential)."""
GITHUB_READ_TOKEN_SECRET = "GITHUB_TOKEN_READONLY"
"""Jenkins: a token that may only read the pull request's reviews and the owners' teams, for
``mlops-spec approvals`` on change requests (bound as ``GITHUB_TOKEN`` for that one call)."""
SHARED_KUBECONFIG = "KUBECONFIG"
"""A kubeconfig for every environment without its own ``KUBECONFIG_<ENV>``."""


def kubeconfig_secret(environment: str) -> str:
    """The secret holding the kubeconfig of an environment: ``KUBECONFIG_<NAME>``."""
    return "KUBECONFIG_" + environment.upper().replace("-", "_")


def kubeconfig_for(secrets: list[str], environment: str) -> str | None:
    """The listed secret deploying to ``environment``: its own ``KUBECONFIG_<ENV>``, else the
    shared ``KUBECONFIG``, else none (the agent's own cluster access)."""
    for name in (kubeconfig_secret(environment), SHARED_KUBECONFIG):
        if name in secrets:
            return name
    return None


def is_kubeconfig(secret: str) -> bool:
    return secret == SHARED_KUBECONFIG or secret.startswith("KUBECONFIG_")


def store_secrets(secrets: list[str]) -> list[str]:
    """The listed secrets for data and artifact-store access: all but kubeconfigs and the
    tokens. They reach training, upload and monitoring steps as environment variables of the
    same name."""
    tokens = {PR_TOKEN_SECRET, GITHUB_TOKEN_SECRET, GITHUB_READ_TOKEN_SECRET}
    return [name for name in secrets if not is_kubeconfig(name) and name not in tokens]


READ_ONLY_SUFFIX = "_READONLY"
"""Secrets named ``<NAME>_READONLY`` hold read-only credentials: the only ones pull-request
jobs and the monitor receive."""


def read_only_secrets(secrets: list[str]) -> list[tuple[str, str]]:
    """(variable, secret) for the jobs that read the store and data and may write nothing
    (pull-request jobs of both CI targets, which fetch the champion and train the PR's code,
    and the monitor): each listed store secret ``<NAME>_READONLY`` as the variable
    ``<NAME>``, the one the store backends read (``AWS_ACCESS_KEY_ID_READONLY`` fills
    ``AWS_ACCESS_KEY_ID``); no other secret. The one place that decides it."""
    return [(name.removesuffix(READ_ONLY_SUFFIX), name) for name in store_secrets(secrets)
            if name.endswith(READ_ONLY_SUFFIX) and len(name) > len(READ_ONLY_SUFFIX)]


VERSION_FILE = "model-version.env"
"""The overlay file, ``deploy/<env>/model-version.env`` beside the spec, holding the version
an environment without a ``model_version`` pin serves (``spec.served`` reads it)."""
VERSION_KEY = "MODEL_VERSION"
UNSET_VERSION = "<unset>"
"""Placeholder the overlays replace. Not a valid label value on purpose: applying an
overlay whose version was never set fails at the API server instead of serving nothing."""


REMOTE_SCHEME = "://"


def is_remote(uri: str | None) -> bool:
    """Whether a spec location is a remote URI (``s3://...``), not a repository path."""
    return uri is not None and REMOTE_SCHEME in uri


def training_inputs(spec: Spec, spec_path: str, model_dir: str) -> list[str]:
    """What a model version is built from, as globs from the repository root (``**`` any
    depth, ``*`` within a name: the same in a GitHub ``paths:`` filter and a git
    ``:(glob)`` pathspec): the spec, its repository data sources, and the Python code and
    requirements files under the model directory. A README or an overlay is none of them.
    The deploy workflow's ``paths:`` and ``mlops-spec needs-training`` both read this."""

    def inside(relative: str) -> str:
        return relative if model_dir == "." else f"{model_dir}/{relative}"

    paths = [spec_path]
    for source in spec.data.sources:
        if not is_remote(source.uri):
            uri = inside(source.uri)
            paths.append(f"{uri}**" if uri.endswith("/") else uri)
    paths += [inside("**/*.py"), inside("**/requirements*.txt")]
    return list(dict.fromkeys(paths))


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
    must opt in with ``deployment.allow_pickle_serving: true`` (M057). Batch scoring runs
    ``mlops-spec score`` on the version directory and loads the safe ``model.skops``, and
    embedded models serve nothing: no ``serving/`` then.
    """
    deployment = spec.deployment
    if deployment.mode == "realtime" and deployment.platform is not None:
        return (SERVING_MODEL_FILE,)
    return ()
