"""What the rendered Kubernetes manifests (deploy/) can do, settings they would ignore,
and what the cluster loads and writes (M050-M054, M057, M058, M240, M241)."""

from __future__ import annotations

from collections.abc import Iterator

from mlops_spec.conventions import is_remote
from mlops_spec.diagnostics import Severity
from mlops_spec.spec import scope
from mlops_spec.spec.rules.finding import Finding, Path
from mlops_spec.spec.sections import Spec
from mlops_spec.spec.types import is_remote_store

STORAGE_INITIALIZER_SCHEMES = ("s3", "gs", "hdfs", "https")
"""URI schemes the storage initializer that fetches served models can read."""


RESERVED_OVERLAYS = ("base", "training", "custom")
"""Directories under deploy/ that are not environments."""


def kubernetes_manifests_possible(spec: Spec) -> Iterator[Finding]:
    deployment = spec.deployment
    serving = deployment.platform is not None
    training = spec.training.platform == "kubernetes"
    store = spec.model.artifact.store
    if serving and store is not None and is_remote_store(store):
        scheme = store.split("://", 1)[0]
        if scheme not in STORAGE_INITIALIZER_SCHEMES:
            hint = {"gcs": "write the same location as gs://...",
                    "az": "write Azure Blob Storage as https://<account>.blob.core.windows.net"
                          "/<container>/<path>",
                    "abfs": "write Azure Blob Storage as https://<account>.blob.core.windows"
                            ".net/<container>/<path>",
                    "abfss": "write Azure Blob Storage as https://<account>.blob.core."
                             "windows.net/<container>/<path>"}.get(
                scheme, "use an s3://, gs://, hdfs:// or https:// location")
            yield Finding("M050", f"the serving pods fetch the model with KServe's storage "
                          f"initializer, which cannot read {scheme}:// URIs",
                          ("model", "artifact", "store"), hint)
    if deployment.mode == "batch" and deployment.platform == "kubernetes" and (
            deployment.image is None):
        yield Finding("M051", "batch scoring runs your scoring image on each shard; "
                      "deployment.image is not set", ("deployment", "mode"),
                      "set deployment.image to an image with mlops-spec installed (each "
                      "shard runs `mlops-spec score`; see docs/kubernetes.md)")
    if training and spec.training.runner == "builtin":
        for i, source in enumerate(spec.data.sources):
            if not is_remote(source.uri):
                yield Finding("M052", f"data source {source.name!r} is a repository path, "
                              "which a Kubernetes training Job cannot read",
                              ("data", "sources", i, "uri"),
                              "use a remote URI (s3://, gs://, ...) or training.platform: ci")
    if serving or training:
        for i, env in enumerate(deployment.environments):
            if env.name in RESERVED_OVERLAYS:
                yield Finding("M053", f"environment name {env.name!r} is taken by "
                              f"deploy/{env.name}, which is not an environment overlay",
                              ("deployment", "environments", i, "name"),
                              "rename the environment, e.g. " + env.name + "-env")


def kubernetes_settings_used(spec: Spec) -> Iterator[Finding]:
    """Settings the chosen platform would silently ignore: say so instead."""
    deployment = spec.deployment
    strategy = deployment.strategy
    if deployment.platform == "kserve" and deployment.image is not None:
        yield Finding("M054", "KServe takes the serving image from its ServingRuntime; "
                      "deployment.image is not used", ("deployment", "image"),
                      "remove deployment.image, or use platform: kubernetes",
                      Severity.WARNING)
    if deployment.platform == "kubernetes" and strategy.traffic_router == "istio" and (
            strategy.type in ("rolling", "blue_green")):
        live = deployment.mode == "realtime"
        yield Finding("M054", "traffic_router istio shifts traffic for canary and shadow; "
                      + (f"strategy {strategy.type}" if live else f"mode {deployment.mode}")
                      + " does not use it", ("deployment", "strategy", "traffic_router"),
                      "remove traffic_router" + (", or use type: canary" if live else ""),
                      Severity.WARNING)
    if deployment.sklearn_version is not None and deployment.image is None:
        yield Finding("M054", "the pinned serving runtime carries its own scikit-learn; "
                      "sklearn_version is only used with deployment.image",
                      ("deployment", "sklearn_version"),
                      "remove sklearn_version, or set the image that carries it",
                      Severity.WARNING)
    if deployment.expose and deployment.platform != "kserve":
        yield Finding("M054", "expose makes a KServe model reachable from outside the "
                      "cluster; other platforms render no route", ("deployment", "expose"),
                      "remove expose, and route to the Service with your own ingress "
                      "(a deploy/custom patch)", Severity.WARNING)
    reported: set[Path] = set()
    for i, env in enumerate(deployment.environments):
        if env.model_version is not None and deployment.platform is None:
            yield Finding("M054", f"mode {deployment.mode} serves nothing from a cluster; "
                          "model_version is not used",
                          ("deployment", "environments", i, "model_version"),
                          "remove model_version", Severity.WARNING)
        scaling = scope.autoscaling(spec, env)
        if env.replicas is not None and scaling is not None:
            yield Finding("M054", f"environment {env.name!r} autoscales, so replicas is not "
                          "used", ("deployment", "environments", i, "replicas"),
                          "remove replicas, or the autoscaling that applies here",
                          Severity.WARNING)
        if (deployment.platform == "kserve" and scaling is not None
                and scaling.min_replicas == 0
                and "target_cpu_percent" in scaling.model_fields_set):
            path: Path = (("deployment", "environments", i, "autoscaling",
                           "target_cpu_percent") if env.autoscaling
                          else ("deployment", "autoscaling", "target_cpu_percent"))
            if path in reported:
                continue
            reported.add(path)
            yield Finding("M054", "scaling to zero on KServe follows request concurrency; "
                          "target_cpu_percent is not used", path,
                          "remove target_cpu_percent, or set min_replicas: 1",
                          Severity.WARNING)


def cluster_serving_explicit(spec: Spec) -> Iterator[Finding]:
    """What the cluster loads and where it writes must be the spec's explicit choice."""
    deployment = spec.deployment
    if deployment.mode == "realtime" and deployment.platform is not None and (
            not deployment.allow_pickle_serving):
        yield Finding("M057", f"the {deployment.platform} serving runtime loads only a "
                      "pickle-based model.joblib, and loading a pickle runs code",
                      ("deployment", "platform"),
                      "set deployment.allow_pickle_serving: true once only the main-branch "
                      "pipeline can write the artifact store (docs/kubernetes.md), or use "
                      "mode: batch, which scores the safe skops artifact")
    if deployment.mode == "batch" and deployment.batch is not None:
        seen: dict[str, str] = {}
        base = deployment.batch.output.rstrip("/")
        for i, env in enumerate(deployment.environments):
            output = (env.batch_output or f"{base}/{env.name}").rstrip("/")
            if output in seen:
                yield Finding("M058", f"environments {seen[output]!r} and {env.name!r} both "
                              f"write batch scores to {output}",
                              ("deployment", "environments", i, "batch_output"),
                              "give each environment its own batch_output")
            seen[output] = env.name


WRITABLE_STORE_SCHEMES = ("s3", "gs", "gcs", "az", "abfs", "abfss")
"""Store schemes ``mlops-spec upload`` writes (the store's backends, docs/store.md)."""


def cluster_training_hands_back(spec: Spec) -> Iterator[Finding]:
    """A training Job hands its outputs back through the store: one its pod can write."""
    if spec.training.platform != "kubernetes":
        return
    store = spec.model.artifact.store
    hint = f"set model.artifact.store to an object store, e.g. s3://acme-models/{spec.name}"
    if store is None or not is_remote_store(store):
        where = "the default store (.mlops-spec/store beside the spec)" if store is None \
            else f"{store!r}, a local directory,"
        yield Finding("M240", f"training on kubernetes writes its outputs to the store from "
                      f"the pod; {where} is not reachable from the cluster",
                      ("model", "artifact", *(("store",) if store else ())), hint)
        return
    scheme = store.split("://", 1)[0]
    if scheme not in WRITABLE_STORE_SCHEMES:
        yield Finding("M241", f"training on kubernetes uploads its outputs with `mlops-spec "
                      f"upload`, which does not write {scheme}:// stores",
                      ("model", "artifact", "store"),
                      "use an s3://, gs:// or az:// store, or training.platform: ci")
