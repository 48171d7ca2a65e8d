"""The serving runtimes, pinned, and the scikit-learn each one carries (ONE table).

A pickled estimator is only supported by the scikit-learn version that wrote it, so the
training pipelines install the runtime's version (``training_requirement``), the trainer
records the version it used in ``lineage.json``, and ``upload`` refuses an artifact whose
version differs (``check_artifact_runtime``). The manifests pin the same runtime by name
and version, so what was trained against is what serves.

Provenance of the versions (read from the upstream repositories at these tags):

* KServe v0.20.0 (newest tag of kserve/kserve; ``python/VERSION`` 0.20.0): the
  ``kserve/sklearnserver`` image is built by ``python/sklearn.Dockerfile`` with
  ``uv sync`` from ``python/sklearnserver/uv.lock``, which locks scikit-learn 1.5.2
  (pyproject: ``scikit-learn~=1.5.1``). The Helm chart tags every KServe image with
  ``kserve.version: v0.20.0``, so ``kserve/sklearnserver:v0.20.0`` and
  ``kserve/storage-initializer:v0.20.0`` are that release's images. (v0.21.0, used before,
  was not a tag of kserve/kserve in its August 2026 snapshot.)
* MLServer 1.7.1 (tag ``1.7.1`` of SeldonIO/MLServer; KServe v0.20.0's own
  ``kserve-mlserver`` runtime uses ``seldonio/mlserver:1.7.1``): its Dockerfile installs
  every runtime with ``--constraint`` exported from the root ``poetry.lock``, which locks
  scikit-learn 1.5.2 (``runtimes/sklearn/pyproject.toml`` asks for ``*``).
"""

from __future__ import annotations

from dataclasses import dataclass

from mlops_spec.spec.sections import Spec


@dataclass(frozen=True)
class Runtime:
    name: str
    """KServe: the ClusterServingRuntime the InferenceService names; else a label."""
    version: str
    """KServe: ``runtimeVersion`` (the image tag); else the release."""
    image: str
    sklearn: str
    """The scikit-learn version installed in ``image``."""


KSERVE_SKLEARN = Runtime(name="kserve-sklearnserver", version="v0.20.0",
                         image="docker.io/kserve/sklearnserver:v0.20.0", sklearn="1.5.2")
MLSERVER_SKLEARN = Runtime(name="mlserver-sklearn", version="1.7.1",
                           image="docker.io/seldonio/mlserver:1.7.1-sklearn", sklearn="1.5.2")

RUNTIMES: dict[str, Runtime] = {"kserve": KSERVE_SKLEARN, "kubernetes": MLSERVER_SKLEARN}
"""Serving platform -> the runtime its manifests pin."""

STORAGE_INITIALIZER_IMAGE = "docker.io/kserve/storage-initializer:v0.20.0"
"""KServe's model downloader of the same release (see the module docstring)."""

PROBABILITY_METRICS = frozenset({"roc_auc", "roc_auc_ovr", "average_precision", "log_loss",
                                 "brier_score"})
"""Metrics computed from predicted probabilities (see spec/metrics.py)."""


def runtime(spec: Spec) -> Runtime | None:
    """The pinned runtime that serves this spec; None for a user image (deployment.image
    on plain Kubernetes, batch scoring) or when nothing serves from a cluster."""
    deployment = spec.deployment
    if deployment.mode != "realtime" or deployment.platform is None:
        return None
    if deployment.platform == "kubernetes" and deployment.image is not None:
        return None
    return RUNTIMES[deployment.platform]


def sklearn_version(spec: Spec) -> str | None:
    """The scikit-learn the model must be trained with; None when nothing constrains it."""
    pinned = runtime(spec)
    if pinned is not None:
        return pinned.sklearn
    if spec.deployment.platform is not None and spec.deployment.image is not None:
        return spec.deployment.sklearn_version
    return None


def training_requirement(spec: Spec) -> str | None:
    """What the pipelines install before ``train``: ``scikit-learn==<version>``."""
    version = sklearn_version(spec)
    return None if version is None else f"scikit-learn=={version}"


def check_artifact_runtime(spec: Spec, lineage_sklearn_version: str | None) -> str | None:
    """Why an artifact trained with ``lineage_sklearn_version`` must not be uploaded for this
    spec, or None when it may."""
    expected = sklearn_version(spec)
    if expected is None:
        return None
    if lineage_sklearn_version is None:
        return (f"the artifact's lineage does not record its scikit-learn version; the "
                f"serving runtime carries scikit-learn {expected}")
    if lineage_sklearn_version != expected:
        return (f"the artifact was trained with scikit-learn {lineage_sklearn_version}, but "
                f"the serving runtime carries scikit-learn {expected}; train with "
                f"`pip install {training_requirement(spec)}`")
    return None


def serves_probabilities(spec: Spec) -> bool:
    """Classifiers whose monitoring or consumers need scores, not labels: both sklearn
    servers return ``predict`` unless told otherwise."""
    if spec.model.task == "regression":
        return False
    metrics = set(spec.model.metrics)
    performance = spec.monitoring.performance if spec.monitoring else None
    if performance is not None:
        metrics.add(performance.metric)
    return bool(metrics & PROBABILITY_METRICS)
