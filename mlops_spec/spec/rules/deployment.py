"""Deployment: platform for the mode, strategy, scaling, resources, environments, the
store serving reads, delivery (M010-M014, M022, M025, M028, M030, M034, M059, M060)."""

from __future__ import annotations

from collections.abc import Iterator

from mlops_spec.spec import scope
from mlops_spec.spec.rules.finding import Finding, Path, duplicates
from mlops_spec.spec.sections import Autoscaling, Resources, Spec
from mlops_spec.spec.types import is_remote_store, quantity_value


def platform_matches_mode(spec: Spec) -> Iterator[Finding]:
    deployment = spec.deployment
    if deployment.mode in ("realtime", "batch") and deployment.platform is None:
        yield Finding("M022", f"mode {deployment.mode} needs a platform",
                      ("deployment", "mode"), "add platform: kserve or platform: kubernetes")
    if deployment.mode == "embedded" and deployment.platform is not None:
        yield Finding("M022", "mode embedded ships the artifact; it has no platform",
                      ("deployment", "platform"), "remove deployment.platform")
    if deployment.mode == "batch" and deployment.batch is None:
        yield Finding("M014", "mode batch needs a batch section (schedule, input, output)",
                      ("deployment", "mode"), "add deployment.batch with a schedule")
    if deployment.mode != "batch" and deployment.batch is not None:
        yield Finding("M014", f"deployment.batch is set but mode is {deployment.mode}",
                      ("deployment", "batch"), "set mode: batch, or remove batch")
    if deployment.mode == "batch" and deployment.platform == "kserve":
        yield Finding("M011", "batch scoring runs as a Kubernetes CronJob, not on KServe",
                      ("deployment", "platform"), "use platform: kubernetes for batch")


def strategy_possible(spec: Spec) -> Iterator[Finding]:
    deployment = spec.deployment
    strategy = deployment.strategy
    kind = strategy.type
    if deployment.mode != "realtime" and kind != "rolling":
        yield Finding("M030", f"strategy {kind} needs live traffic; mode {deployment.mode} "
                      "has none", ("deployment", "strategy", "type"),
                      "use strategy type rolling (or omit strategy)")
        return
    if kind == "canary" and not strategy.steps:
        yield Finding("M010", "a canary needs steps", ("deployment", "strategy"),
                      "add steps: [{weight: 10, pause: 15m}, {weight: 50, pause: 30m}]")
    if kind != "canary" and strategy.steps:
        yield Finding("M010", f"steps only apply to canary, not {kind}",
                      ("deployment", "strategy", "steps"), "remove steps or use type: canary")
    previous = 0
    for i, step in enumerate(strategy.steps):
        if step.weight <= previous:
            yield Finding("M010", f"canary weight {step.weight} does not rise above "
                          f"{previous}", ("deployment", "strategy", "steps", i, "weight"),
                          "weights must rise strictly, within 1..100")
        previous = max(previous, step.weight)
    if deployment.platform == "kserve" and kind in ("blue_green", "shadow"):
        yield Finding("M011", f"KServe does not support {kind} rollouts",
                      ("deployment", "strategy", "type"),
                      "use rolling or canary on KServe, or platform: kubernetes")
    if kind == "shadow" and deployment.platform == "kubernetes" and (
            strategy.traffic_router != "istio"):
        yield Finding("M028", "shadow traffic needs a mesh that mirrors requests",
                      ("deployment", "strategy", "type"),
                      "set traffic_router: istio, or use canary")
    if strategy.mirror_percent is not None and kind != "shadow":
        yield Finding("M028", "mirror_percent only applies to shadow",
                      ("deployment", "strategy", "mirror_percent"), "remove it")
    if kind == "shadow" and strategy.mirror_percent is None:
        yield Finding("M028", "shadow needs mirror_percent",
                      ("deployment", "strategy"), "add mirror_percent: 100 (or less)")
    if strategy.traffic_router == "istio" and deployment.platform != "kubernetes":
        yield Finding("M028", "traffic_router applies to platform kubernetes",
                      ("deployment", "strategy", "traffic_router"), "remove it")


def autoscaling_bounds(spec: Spec) -> Iterator[Finding]:
    scopes: list[tuple[Path, Autoscaling | None]] = scope.declared(spec, "autoscaling")
    for path, scaling in scopes:
        if scaling is None:
            continue
        low, high = scaling.min_replicas, scaling.max_replicas
        if low > high:
            yield Finding("M012", f"autoscaling min_replicas {low} is above max_replicas "
                          f"{high}", (*path, "min_replicas"), "make min_replicas <= max")
        if low == 0 and spec.deployment.platform != "kserve":
            yield Finding("M025", "scaling to zero needs KServe", (*path, "min_replicas"),
                          "set min_replicas: 1 or more")


def resources_sane(spec: Spec) -> Iterator[Finding]:
    scopes: list[tuple[Path, Resources | None]] = [
        *scope.declared(spec, "resources"), (("training", "resources"), spec.training.resources)]
    for path, resources in scopes:
        if resources is None:
            continue
        if quantity_value(resources.memory) < 2**20:
            yield Finding("M034", f"memory {resources.memory} is under 1 MiB",
                          (*path, "memory"), "memory needs a suffix, e.g. 512Mi or 1Gi")
        if quantity_value(resources.cpu) <= 0:
            yield Finding("M034", "cpu must be above zero", (*path, "cpu"), "e.g. 500m")


def environments_unique(spec: Spec) -> Iterator[Finding]:
    envs = spec.deployment.environments
    dup_names = duplicates([e.name for e in envs])
    for i, env in enumerate(envs):
        if env.name in dup_names:
            yield Finding("M013", f"environment {env.name!r} is defined twice",
                          ("deployment", "environments", i, "name"),
                          "give each environment its own name")


def serving_needs_store(spec: Spec) -> Iterator[Finding]:
    platform = spec.deployment.platform
    store = spec.model.artifact.store
    if platform is None or (store is not None and is_remote_store(store)):
        return
    hint = "set model.artifact.store, e.g. s3://acme-models/" + spec.name
    if store is None:
        yield Finding("M025", f"serving on {platform} needs a remote artifact store; the "
                      "default store is .mlops-spec/store beside the spec, a directory the "
                      "cluster cannot read", ("model", "artifact"), hint)
    else:
        yield Finding("M025", f"serving on {platform} needs a remote artifact store; "
                      f"{store!r} is a local directory, and pods on a cluster cannot read a "
                      "path on the machine that uploaded it", ("model", "artifact", "store"),
                      hint)


def delivery_complete(spec: Spec) -> Iterator[Finding]:
    """Argo CD needs the repository it syncs from; the deployer is one of the providers."""
    deployment = spec.deployment
    delivery = deployment.delivery
    if deployment.platform is not None and delivery.mode == "argocd" and (
            delivery.repository is None):
        set_fields = deployment.model_fields_set
        path: Path = ("deployment", "delivery") if "delivery" in set_fields else (
            "deployment",)
        yield Finding("M059", "Argo CD delivery (the default) syncs the overlays from git, "
                      "but deployment.delivery.repository is not set", path,
                      "add delivery: {repository: https://github.com/<org>/<repo>.git} "
                      "under deployment, or delivery: {mode: push} to apply from CI")
    deployer = spec.ci.deployer
    if deployer is not None and deployer not in spec.ci.providers:
        yield Finding("M060", f"ci.deployer {deployer} is not one of ci.providers",
                      ("ci", "deployer"),
                      f"add {deployer} to ci.providers, or remove ci.deployer")
