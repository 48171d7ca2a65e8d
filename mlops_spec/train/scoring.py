"""The declared metrics on a held-out set, and the promotion reading of them.

Values are rounded to 6 decimals so the evaluation file is stable across platforms whose
last floating-point bits differ. For binary tasks the positive class is the last of the
sorted labels (1 of 0/1, ``yes`` of no/yes); probabilities come from ``predict_proba``
(or ``decision_function``) for the ranking metrics.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mlops_spec.evaluation import Champion, ThresholdResult, VsProductionResult
from mlops_spec.spec.metrics import METRICS
from mlops_spec.spec.sections import Spec

DECIMALS = 6


@dataclass
class Predictions:
    labels: Any
    scores: Any | None  # positive-class scores (binary) or class probabilities (multiclass)
    classes: Any | None


def predict(model: Any, x: Any, task: str) -> Predictions:
    labels = model.predict(x)
    if task == "regression":
        return Predictions(labels, None, None)
    classes = getattr(model, "classes_", None)
    scores = None
    if hasattr(model, "predict_proba"):
        scores = model.predict_proba(x)
        if task == "binary_classification":
            scores = scores[:, 1]
    elif hasattr(model, "decision_function"):
        scores = model.decision_function(x)
    return Predictions(labels, scores, classes)


def _metric(name: str, y: Any, p: Predictions) -> float:
    import numpy as np
    from sklearn import metrics as m  # type: ignore[import-untyped]

    positive = p.classes[-1] if p.classes is not None else 1
    binary = {"pos_label": positive, "zero_division": 0}
    needs_scores = {"roc_auc", "average_precision", "brier_score", "log_loss", "roc_auc_ovr"}
    if name in needs_scores and p.scores is None:
        return float("nan")
    table: dict[str, Any] = {
        "roc_auc": lambda: m.roc_auc_score(y, p.scores),
        "average_precision": lambda: m.average_precision_score(y, p.scores, pos_label=positive),
        "f1": lambda: m.f1_score(y, p.labels, **binary),
        "precision": lambda: m.precision_score(y, p.labels, **binary),
        "recall": lambda: m.recall_score(y, p.labels, **binary),
        "brier_score": lambda: m.brier_score_loss(y, p.scores, pos_label=positive),
        "accuracy": lambda: m.accuracy_score(y, p.labels),
        "balanced_accuracy": lambda: m.balanced_accuracy_score(y, p.labels),
        "log_loss": lambda: m.log_loss(y, p.scores, labels=p.classes),
        "f1_macro": lambda: m.f1_score(y, p.labels, average="macro", zero_division=0),
        "f1_weighted": lambda: m.f1_score(y, p.labels, average="weighted", zero_division=0),
        "precision_macro": lambda: m.precision_score(y, p.labels, average="macro",
                                                     zero_division=0),
        "recall_macro": lambda: m.recall_score(y, p.labels, average="macro", zero_division=0),
        "roc_auc_ovr": lambda: m.roc_auc_score(y, p.scores, multi_class="ovr",
                                               labels=p.classes),
        "r2": lambda: m.r2_score(y, p.labels),
        "mae": lambda: m.mean_absolute_error(y, p.labels),
        "mse": lambda: m.mean_squared_error(y, p.labels),
        "rmse": lambda: float(np.sqrt(m.mean_squared_error(y, p.labels))),
        "mape": lambda: m.mean_absolute_percentage_error(y, p.labels),
        "median_ae": lambda: m.median_absolute_error(y, p.labels),
    }
    try:
        return float(table[name]())
    except ValueError:  # e.g. one class in the held-out set: the metric is undefined
        return float("nan")


def compute(names: list[str], y: Any, predictions: Predictions) -> dict[str, float]:
    """Each metric, rounded; an undefined one (NaN) is left out and shows as missing."""
    import math

    values = {name: round(_metric(name, y, predictions), DECIMALS) for name in names}
    return {name: value for name, value in values.items() if not math.isnan(value)}


def thresholds(spec: Spec, metrics: dict[str, float]) -> list[ThresholdResult]:
    results = []
    for name, bound in sorted(spec.model.promotion.thresholds.items()):
        value = metrics.get(name)
        passed = value is not None and (bound.min is None or value >= bound.min) and (
            bound.max is None or value <= bound.max)
        results.append(ThresholdResult(metric=name, min=bound.min, max=bound.max,
                                       value=value, passed=passed))
    return results


def vs_production(spec: Spec, metrics: dict[str, float],
                  champion: Champion | None) -> VsProductionResult | None:
    rule = spec.model.promotion.vs_production
    if rule is None or champion is None:
        return None
    challenger = metrics.get(rule.metric)
    reference = champion.metrics.get(rule.metric)
    if challenger is None or reference is None:
        return None
    higher = METRICS[rule.metric].higher_is_better
    drop = round(reference - challenger if higher else challenger - reference, DECIMALS)
    return VsProductionResult(metric=rule.metric, max_drop=rule.max_drop,
                              challenger=challenger, champion=reference, drop=drop,
                              passed=drop <= rule.max_drop)
