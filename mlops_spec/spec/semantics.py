"""Meaning-level checks across sections of a spec that already has the right shape.

Each rule is a small function registered in ``RULES`` with its own diagnostic code. A rule
receives the typed spec and yields findings located by their data path; the validator turns
paths into file, line and column. Adding a rule is one function plus one table row.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from typing import NamedTuple

from mlops_spec.conventions import is_remote, kubeconfig_secret
from mlops_spec.diagnostics import Severity
from mlops_spec.spec import scope
from mlops_spec.spec.checklist import BUILTIN_CHECKS
from mlops_spec.spec.metrics import METRICS, metrics_for
from mlops_spec.spec.sections import (
    CATEGORICAL_TRANSFORMS,
    NUMERIC_TRANSFORMS,
    ROLES,
    Autoscaling,
    Resources,
    Spec,
)
from mlops_spec.spec.suggest import did_you_mean
from mlops_spec.spec.types import is_remote_store, quantity_value

Path = tuple[str | int, ...]


class Finding(NamedTuple):
    """One rule's finding, located by its data path (a named tuple: cheap to define, which
    matters on every start of `validate`)."""

    code: str
    message: str
    path: Path
    hint: str | None = None
    severity: Severity = Severity.ERROR
    at_key: bool = False
    """Point at the mapping key (for findings about a key of a free-form map)."""


Rule = Callable[[Spec], Iterator[Finding]]


def _duplicates(names: list[str]) -> set[str]:
    return {name for name, count in Counter(names).items() if count > 1}


def sources_and_features_unique(spec: Spec) -> Iterator[Finding]:
    dup_sources = _duplicates([s.name for s in spec.data.sources])
    for i, source in enumerate(spec.data.sources):
        if source.name in dup_sources:
            yield Finding("M018", f"data source name {source.name!r} is used twice",
                          ("data", "sources", i, "name"), "give each source its own name")
    dup_features = _duplicates([f.name for f in spec.features.columns])
    for i, feature in enumerate(spec.features.columns):
        if feature.name in dup_features:
            yield Finding("M018", f"feature {feature.name!r} is listed twice",
                          ("features", "columns", i, "name"), "list each feature once")


def feature_sources_exist(spec: Spec) -> Iterator[Finding]:
    names = [s.name for s in spec.data.sources]
    for i, feature in enumerate(spec.features.columns):
        if feature.source not in names:
            yield Finding("M001", f"feature {feature.name!r} comes from unknown source "
                          f"{feature.source!r}", ("features", "columns", i, "source"),
                          did_you_mean(feature.source, names)
                          or f"defined sources: {', '.join(names)}")
    target_source = spec.features.target_source
    if target_source is not None and target_source not in names:
        yield Finding("M001", f"target source {target_source!r} is not a data source",
                      ("features", "target_source"),
                      did_you_mean(target_source, names) or f"defined: {', '.join(names)}")


def sources_joined(spec: Spec) -> Iterator[Finding]:
    known = {s.name for s in spec.data.sources}
    used = {f.source for f in spec.features.columns} & known
    if len(used) > 1 and not spec.data.join_on:
        yield Finding("M027", f"features come from {len(used)} sources "
                      f"({', '.join(sorted(used))}) but data.join_on is not set",
                      ("data",), "name the key columns that join the sources in data.join_on")


def target_not_a_feature(spec: Spec) -> Iterator[Finding]:
    for i, feature in enumerate(spec.features.columns):
        if feature.name == spec.features.target:
            yield Finding("M002", f"the target {feature.name!r} is also a feature",
                          ("features", "columns", i, "name"),
                          "remove it from features.columns: a model must not see its label")


def transforms_suit_types(spec: Spec) -> Iterator[Finding]:
    for i, feature in enumerate(spec.features.columns):
        allowed = {"numeric": NUMERIC_TRANSFORMS, "categorical": CATEGORICAL_TRANSFORMS,
                   "boolean": frozenset({"none"})}[feature.type]
        if feature.transform not in allowed:
            yield Finding("M019", f"transform {feature.transform!r} does not apply to a "
                          f"{feature.type} feature", ("features", "columns", i, "transform"),
                          f"use one of: {', '.join(sorted(allowed))}")


def pii_not_used_when_dropped(spec: Spec) -> Iterator[Finding]:
    dropped = {(s.name, p.column) for s in spec.data.sources for p in s.pii
               if p.handling == "drop"}
    for i, feature in enumerate(spec.features.columns):
        if (feature.source, feature.name) in dropped:
            yield Finding("M023", f"feature {feature.name!r} is PII marked handling: drop "
                          f"in source {feature.source!r}", ("features", "columns", i, "name"),
                          "remove the feature, or change the column's PII handling")


def _defined_roles(spec: Spec) -> list[str]:
    return spec.owners.roles()


def roles_defined(spec: Spec) -> Iterator[Finding]:
    defined = _defined_roles(spec)

    def missing(role: str, path: Path, what: str) -> Finding:
        return Finding("M003", f"{what} role {role!r} has no members under owners", path,
                       f"add owners.{role} with at least one @user or @org/team")

    for e, env in enumerate(spec.deployment.environments):
        for a, role in enumerate(env.approvers):
            if role not in defined:
                yield missing(role, ("deployment", "environments", e, "approvers", a),
                              "approver")
    for c, check in enumerate(spec.governance.checklist):
        for a, role in enumerate(check.attested_by):
            if role not in defined:
                yield missing(role, ("governance", "checklist", c, "attested_by", a),
                              "attesting")


def source_owner_listed(spec: Spec) -> Iterator[Finding]:
    listed = {handle.lower() for role in ROLES for handle in spec.owners.handles(role)}
    for i, source in enumerate(spec.data.sources):
        if source.owner.lower() not in listed:
            yield Finding("M004", f"source owner {source.owner} is not listed under owners",
                          ("data", "sources", i, "owner"),
                          did_you_mean(source.owner, sorted(listed))
                          or "add them to the owners role they belong to")


def metrics_suit_task(spec: Spec) -> Iterator[Finding]:
    task = spec.model.task
    valid = metrics_for(task)

    def check(metric: str, path: Path) -> Iterator[Finding]:
        if metric not in valid:
            yield Finding("M005", f"metric {metric!r} does not apply to {task}", path,
                          f"metrics for {task}: {', '.join(valid)}")

    for i, metric in enumerate(spec.model.metrics):
        yield from check(metric, ("model", "metrics", i))
    computed = set(spec.model.metrics)
    promotion = spec.model.promotion
    for metric in promotion.thresholds:
        path: Path = ("model", "promotion", "thresholds", metric)
        bad = list(check(metric, path))
        yield from bad
        if not bad and metric not in computed:
            yield Finding("M006", f"promotion threshold on {metric!r}, which is not in "
                          "model.metrics", path, f"add {metric} to model.metrics",
                          at_key=True)
    if promotion.vs_production is not None:
        metric = promotion.vs_production.metric
        path = ("model", "promotion", "vs_production", "metric")
        bad = list(check(metric, path))
        yield from bad
        if not bad and metric not in computed:
            yield Finding("M006", f"vs_production compares {metric!r}, which is not in "
                          "model.metrics", path, f"add {metric} to model.metrics")
    if spec.monitoring and spec.monitoring.performance:
        yield from check(spec.monitoring.performance.metric,
                         ("monitoring", "performance", "metric"))


def bounds_point_the_right_way(spec: Spec) -> Iterator[Finding]:
    for metric, bound in spec.model.promotion.thresholds.items():
        info = METRICS[metric]
        if info.higher_is_better and bound.min is None:
            yield Finding("M033", f"{metric} is better when higher, but only a max is set",
                          ("model", "promotion", "thresholds", metric),
                          "a promotion gate usually sets min for this metric",
                          Severity.WARNING, at_key=True)
        if not info.higher_is_better and bound.max is None:
            yield Finding("M033", f"{metric} is better when lower, but only a min is set",
                          ("model", "promotion", "thresholds", metric),
                          "a promotion gate usually sets max for this metric",
                          Severity.WARNING, at_key=True)


def estimator_fits_task(spec: Spec) -> Iterator[Finding]:
    from mlops_spec.spec.estimators import KIND_FOR_TASK, estimators

    table = estimators()
    path = spec.model.estimator
    entry = table.get(path)
    if entry is None:
        short = {name.rsplit(".", 1)[1]: name for name in table}
        guess = short.get(path.rsplit(".", 1)[1])
        hint = (f"did you mean {guess!r}?" if guess else did_you_mean(path, table)) or (
            "name a scikit-learn classifier or regressor by its public import path")
        yield Finding("M007", f"{path!r} is not a scikit-learn estimator this tool can "
                      "train", ("model", "estimator"), hint)
        return
    wanted = KIND_FOR_TASK[spec.model.task]
    if entry["kind"] != wanted:
        yield Finding("M008", f"{path.rsplit('.', 1)[1]} is a {entry['kind']}, but the task "
                      f"{spec.model.task} needs a {wanted}", ("model", "estimator"),
                      "pick an estimator of the right kind, or change model.task")
    from mlops_spec.spec.estimators import param_problem

    for name, value in spec.model.params.items():
        if name not in entry["params"]:
            yield Finding("M009", f"{path.rsplit('.', 1)[1]} has no parameter {name!r}",
                          ("model", "params", name),
                          did_you_mean(name, entry["params"])
                          or f"its parameters: {', '.join(entry['params'])}", at_key=True)
        elif (expected := param_problem(path, name, value)) is not None:
            shown = "null" if value is None else repr(value)
            yield Finding("M055", f"{path.rsplit('.', 1)[1]} parameter {name!r} must be "
                          f"{expected}, not {shown}", ("model", "params", name),
                          f"write {name} as {expected} (scikit-learn's own constraint)")


def drift_threshold_used(spec: Spec) -> Iterator[Finding]:
    drift = spec.monitoring.drift if spec.monitoring else None
    if drift is not None and drift.method == "auto" and drift.threshold is not None:
        yield Finding("M056", "drift.threshold has no effect with method auto: each feature "
                      "uses the default threshold of the method auto picks for it",
                      ("monitoring", "drift", "threshold"),
                      "name a method (psi, ks, wasserstein, jensen_shannon, chi_square) to "
                      "use this threshold, or remove it", Severity.WARNING)


def split_suits_task(spec: Spec) -> Iterator[Finding]:
    if spec.model.split.stratify and spec.model.task == "regression":
        yield Finding("M020", "stratify applies to classification, not regression",
                      ("model", "split", "stratify"), "set stratify: false")


def training_runner_consistent(spec: Spec) -> Iterator[Finding]:
    training = spec.training
    if training.runner == "command" and not training.command:
        yield Finding("M021", "runner: command needs training.command",
                      ("training", "runner"), "add command: [python, train.py]")
    if training.runner == "builtin" and training.command:
        yield Finding("M021", "training.command is set but runner is builtin",
                      ("training", "command"), "set runner: command, or remove command")
    if training.platform == "kubernetes" and not training.image:
        yield Finding("M026", "training on kubernetes needs training.image",
                      ("training", "platform"),
                      "name an image with a tag or digest, e.g. ghcr.io/acme/train:1.4.0")


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
    dup_names = _duplicates([e.name for e in envs])
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


def high_risk_production_approved(spec: Spec) -> Iterator[Finding]:
    if spec.risk_tier != "high":
        return
    index = len(spec.deployment.environments) - 1
    production = spec.deployment.environments[index]
    if not production.approvers:
        yield Finding("M017", f"risk_tier high: production environment {production.name!r} "
                      "needs approvers", ("deployment", "environments", index),
                      "add approvers: [sme, ml_engineer] (roles under owners)")
    elif production.auto_deploy:
        yield Finding("M017", "risk_tier high: production must not auto_deploy",
                      ("deployment", "environments", index, "auto_deploy"),
                      "remove auto_deploy from production")


def drift_features_exist(spec: Spec) -> Iterator[Finding]:
    if not spec.monitoring or not spec.monitoring.drift:
        return
    watched = spec.monitoring.drift.features
    if watched == "all":
        return
    names = [f.name for f in spec.features.columns]
    for i, name in enumerate(watched):
        if name not in names:
            yield Finding("M015", f"drift watches {name!r}, which is not a feature",
                          ("monitoring", "drift", "features", i),
                          did_you_mean(name, names) or f"features: {', '.join(names)}")


def retrain_triggers_configured(spec: Spec) -> Iterator[Finding]:
    if not spec.retrain:
        return
    monitoring = spec.monitoring
    for i, trigger in enumerate(spec.retrain.on):
        configured = monitoring is not None and getattr(monitoring, trigger) is not None
        if not configured:
            yield Finding("M016", f"retrain on {trigger}, but monitoring.{trigger} is not "
                          "configured", ("retrain", "on", i),
                          f"add monitoring.{trigger}, or remove the trigger")
    if not spec.retrain.on and spec.retrain.schedule is None:
        yield Finding("M016", "retrain has neither triggers nor a schedule", ("retrain",),
                      "add on: [drift] or a schedule, or remove the retrain section")


def checklist_known(spec: Spec) -> Iterator[Finding]:
    checklist = spec.governance.checklist
    dup = _duplicates([c.id for c in checklist])
    for i, check in enumerate(checklist):
        if check.id in dup:
            yield Finding("M024", f"check {check.id!r} is listed twice",
                          ("governance", "checklist", i), "list each check once")
        if check.id not in BUILTIN_CHECKS and not check.attested_by:
            yield Finding("M024", f"{check.id!r} is not a built-in check",
                          ("governance", "checklist", i),
                          did_you_mean(check.id, BUILTIN_CHECKS)
                          or "built-in checks: " + ", ".join(BUILTIN_CHECKS)
                          + "; other checks need attested_by: [role]")


def ci_providers_unique(spec: Spec) -> Iterator[Finding]:
    for provider in _duplicates(list(spec.ci.providers)):
        yield Finding("M035", f"CI provider {provider} is listed twice",
                      ("ci", "providers"), "list each provider once")


# --- Kubernetes manifests (deploy/) -----------------------------------------------------

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


def kubeconfig_secrets_listed(spec: Spec) -> Iterator[Finding]:
    """GitHub-hosted deploy jobs read each environment's kubeconfig from a named secret.

    (Jenkins may instead use the agent's own cluster credentials, so it is not required
    there.)
    """
    if (spec.deployment.platform is None or spec.deployer != "github_actions"
            or spec.deployment.delivery.mode != "push"):
        return
    for i, env in enumerate(spec.deployment.environments):
        name = kubeconfig_secret(env.name)
        if name not in spec.ci.secrets:
            yield Finding("M040", f"environment {env.name!r} is deployed with the kubeconfig "
                          f"in the CI secret {name}, which ci.secrets does not list",
                          ("deployment", "environments", i, "name"),
                          f"add {name} to ci.secrets (and create the secret in your CI)")


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


RULES: tuple[Rule, ...] = (
    sources_and_features_unique,
    feature_sources_exist,
    sources_joined,
    target_not_a_feature,
    transforms_suit_types,
    pii_not_used_when_dropped,
    roles_defined,
    source_owner_listed,
    metrics_suit_task,
    bounds_point_the_right_way,
    estimator_fits_task,
    split_suits_task,
    training_runner_consistent,
    platform_matches_mode,
    strategy_possible,
    autoscaling_bounds,
    resources_sane,
    environments_unique,
    serving_needs_store,
    high_risk_production_approved,
    drift_features_exist,
    drift_threshold_used,
    retrain_triggers_configured,
    checklist_known,
    ci_providers_unique,
    kubernetes_manifests_possible,
    kubernetes_settings_used,
    cluster_serving_explicit,
    kubeconfig_secrets_listed,
    delivery_complete,
)


def check(spec: Spec) -> list[Finding]:
    """Every finding of every rule, in rule order."""
    return [finding for rule in RULES for finding in rule(spec)]
