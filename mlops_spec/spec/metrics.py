"""Evaluation metrics the builtin runner computes, per task, and which way is better."""

from __future__ import annotations

from typing import Literal, NamedTuple, get_args

Task = Literal["binary_classification", "multiclass_classification", "regression"]
TASKS: tuple[str, ...] = get_args(Task)

MetricName = Literal[
    "roc_auc", "average_precision", "accuracy", "balanced_accuracy", "f1", "precision",
    "recall", "log_loss", "brier_score",
    "f1_macro", "f1_weighted", "precision_macro", "recall_macro", "roc_auc_ovr",
    "r2", "mae", "mse", "rmse", "mape", "median_ae",
]


class Metric(NamedTuple):
    name: str
    tasks: frozenset[str]
    higher_is_better: bool


_BINARY = frozenset({"binary_classification"})
_MULTI = frozenset({"multiclass_classification"})
_CLASSIFICATION = _BINARY | _MULTI
_REGRESSION = frozenset({"regression"})

METRICS: dict[str, Metric] = {m.name: m for m in (
    Metric("roc_auc", _BINARY, True),
    Metric("average_precision", _BINARY, True),
    Metric("f1", _BINARY, True),
    Metric("precision", _BINARY, True),
    Metric("recall", _BINARY, True),
    Metric("brier_score", _BINARY, False),
    Metric("accuracy", _CLASSIFICATION, True),
    Metric("balanced_accuracy", _CLASSIFICATION, True),
    Metric("log_loss", _CLASSIFICATION, False),
    Metric("f1_macro", _MULTI, True),
    Metric("f1_weighted", _MULTI, True),
    Metric("precision_macro", _MULTI, True),
    Metric("recall_macro", _MULTI, True),
    Metric("roc_auc_ovr", _MULTI, True),
    Metric("r2", _REGRESSION, True),
    Metric("mae", _REGRESSION, False),
    Metric("mse", _REGRESSION, False),
    Metric("rmse", _REGRESSION, False),
    Metric("mape", _REGRESSION, False),
    Metric("median_ae", _REGRESSION, False),
)}

assert set(METRICS) == set(get_args(MetricName)), "METRICS and MetricName must agree"


def metrics_for(task: str) -> list[str]:
    return [name for name, metric in METRICS.items() if task in metric.tasks]
