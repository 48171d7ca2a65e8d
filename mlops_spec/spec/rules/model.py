"""The model and its training: metrics for the task, promotion bounds, the estimator and
its parameters, the split, the training runner (M005-M009, M020, M021, M026, M033, M055)."""

from __future__ import annotations

from collections.abc import Iterator

from mlops_spec.diagnostics import Severity
from mlops_spec.spec.metrics import METRICS, metrics_for
from mlops_spec.spec.rules.finding import Finding, Path
from mlops_spec.spec.sections import Spec
from mlops_spec.spec.suggest import did_you_mean


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
