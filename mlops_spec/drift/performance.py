"""The spec's performance metric on labelled current data (scikit-learn's definitions).

The current data holds the label (the spec's ``features.target``) and the model's output
in a prediction column:

* regression: the predicted value;
* binary classification: the score (probability) of the positive class. Label metrics
  (accuracy, f1, precision, recall, balanced_accuracy) use ``score >= 0.5``; a column of
  0/1 labels works too. The label must be 0/1 or true/false (1 and true are positive);
* multiclass classification: the predicted label. Metrics that need per-class
  probabilities (``roc_auc_ovr``, ``log_loss``) cannot be computed from it.

Rows where the label or the prediction is missing (or not finite) are left out.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt

from mlops_spec.drift.columns import (
    FALSE_LABELS,
    TRUE_LABELS,
    ColumnError,
    ColumnType,
    missing,
)

LABEL_METRICS = frozenset({"accuracy", "balanced_accuracy", "f1", "precision", "recall",
                           "f1_macro", "f1_weighted", "precision_macro", "recall_macro"})
NEEDS_PROBABILITIES = frozenset({"roc_auc_ovr", "log_loss"})


def column_types(task: str) -> tuple[ColumnType, ColumnType]:
    """How to read (label, prediction) for ``task``."""
    if task == "regression":
        return "numeric", "numeric"
    if task == "binary_classification":
        return "categorical", "numeric"
    return "categorical", "categorical"


def compute(metric: str, task: str, labels: npt.NDArray[Any], predictions: npt.NDArray[Any],
            *, label_column: str, prediction_column: str) -> tuple[float | None, int, str | None]:
    """``(value, rows used, reason)``; value None with a reason when it is undefined.

    Raises ``ColumnError`` when the columns cannot hold what the metric needs.
    """
    if task == "multiclass_classification" and metric in NEEDS_PROBABILITIES:
        raise ColumnError(prediction_column, f"holds predicted labels; {metric} needs "
                                             "per-class probabilities")
    y, p = _prepare(task, labels, predictions, label_column, prediction_column)
    rows = int(y.size)
    if rows == 0:
        return None, 0, "no row has both a label and a prediction"
    if task == "binary_classification" and metric in LABEL_METRICS:
        p = (p >= 0.5).astype(np.int64)
    import warnings

    from sklearn.exceptions import UndefinedMetricWarning  # type: ignore[import-untyped]

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", UndefinedMetricWarning)
            value = float(_METRICS[metric]()(y, p))
    except (ValueError, UndefinedMetricWarning) as exc:
        return None, rows, str(exc)
    if not np.isfinite(value):
        return None, rows, f"{metric} is not finite on this data"
    return value, rows, None


def _prepare(task: str, labels: npt.NDArray[Any], predictions: npt.NDArray[Any],
             label_column: str, prediction_column: str
             ) -> tuple[npt.NDArray[Any], npt.NDArray[Any]]:
    if task == "regression":
        y = np.asarray(labels, dtype=np.float64)
        p = np.asarray(predictions, dtype=np.float64)
        keep = np.isfinite(y) & np.isfinite(p)
        return y[keep], p[keep]
    present = ~missing(labels)
    if task == "binary_classification":
        p = np.asarray(predictions, dtype=np.float64)
        keep = present & np.isfinite(p)
        return _binary(labels[keep], label_column), p[keep]
    keep = present & ~missing(predictions)
    return labels[keep].astype(np.str_), predictions[keep].astype(np.str_)


def _binary(labels: npt.NDArray[Any], column: str) -> npt.NDArray[np.int64]:
    text = np.char.lower(np.char.strip(labels.astype(np.str_)))
    unknown = sorted(set(np.unique(text).tolist()) - TRUE_LABELS - FALSE_LABELS)
    if unknown:
        raise ColumnError(column, f"is the binary target but holds {unknown[0]!r}; use 0/1 "
                                  "or true/false")
    return np.isin(text, list(TRUE_LABELS)).astype(np.int64)


def _sklearn(name: str, **kwargs: Any) -> Callable[[], Callable[..., float]]:
    def load() -> Callable[..., float]:
        from functools import partial

        from sklearn import metrics  # type: ignore[import-untyped]

        return partial(getattr(metrics, name), **kwargs)

    return load


_METRICS: dict[str, Callable[[], Callable[..., float]]] = {
    "roc_auc": _sklearn("roc_auc_score"),
    "average_precision": _sklearn("average_precision_score"),
    "accuracy": _sklearn("accuracy_score"),
    "balanced_accuracy": _sklearn("balanced_accuracy_score"),
    "f1": _sklearn("f1_score", zero_division=0),
    "precision": _sklearn("precision_score", zero_division=0),
    "recall": _sklearn("recall_score", zero_division=0),
    "log_loss": _sklearn("log_loss", labels=[0, 1]),
    "brier_score": _sklearn("brier_score_loss"),
    "f1_macro": _sklearn("f1_score", average="macro", zero_division=0),
    "f1_weighted": _sklearn("f1_score", average="weighted", zero_division=0),
    "precision_macro": _sklearn("precision_score", average="macro", zero_division=0),
    "recall_macro": _sklearn("recall_score", average="macro", zero_division=0),
    "r2": _sklearn("r2_score"),
    "mae": _sklearn("mean_absolute_error"),
    "mse": _sklearn("mean_squared_error"),
    "rmse": _sklearn("root_mean_squared_error"),
    "mape": _sklearn("mean_absolute_percentage_error"),
    "median_ae": _sklearn("median_absolute_error"),
}
