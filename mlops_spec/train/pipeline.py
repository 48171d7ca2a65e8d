"""The scikit-learn ``Pipeline`` a spec declares: preprocessing, selection, estimator.

Preprocessing is one ``ColumnTransformer`` selecting the features by name, one branch per
(type, transform), in the spec's order:

* numeric: median imputation, then ``log`` (``numpy.log1p``, values must be >= 0),
  ``standard``, ``minmax``, ``robust`` or nothing;
* categorical: missing values become the category ``"__missing__"``, then ``one_hot``
  (unknown categories at scoring time encode as all zeros) or ``ordinal`` (unknown -> -1);
  ``none`` is ordinal too, since estimators need numbers;
* boolean: 1/0 (read by ``dataset``), most-frequent imputation.

The estimator is imported only from the allow-list of ``spec/estimators.py`` (never an
arbitrary module); ``random_state`` is set to ``model.split.seed`` when the estimator takes
one and the spec does not set it, so runs repeat exactly.
"""

from __future__ import annotations

import importlib
import inspect
from typing import Any

from mlops_spec.spec.estimators import estimators
from mlops_spec.spec.sections import Feature, Spec
from mlops_spec.train import TrainError

MISSING_CATEGORY = "__missing__"

SCORERS = {
    "roc_auc": "roc_auc", "average_precision": "average_precision", "accuracy": "accuracy",
    "balanced_accuracy": "balanced_accuracy", "f1": "f1", "precision": "precision",
    "recall": "recall", "log_loss": "neg_log_loss", "brier_score": "neg_brier_score",
    "f1_macro": "f1_macro", "f1_weighted": "f1_weighted",
    "precision_macro": "precision_macro", "recall_macro": "recall_macro",
    "roc_auc_ovr": "roc_auc_ovr", "r2": "r2", "mae": "neg_mean_absolute_error",
    "mse": "neg_mean_squared_error", "rmse": "neg_root_mean_squared_error",
    "mape": "neg_mean_absolute_percentage_error", "median_ae": "neg_median_absolute_error",
}
"""Our metric names -> scikit-learn scorer names (losses are negated: higher is better)."""


def estimator_class(path: str, file: str) -> type:
    """The class at ``path``, imported only when the allow-list names it."""
    if path not in estimators():
        raise TrainError.single("T009", f"{path!r} is not in the estimator allow-list",
                                file, hint="pick an estimator from docs/reference.md")
    module, _, name = path.rpartition(".")
    cls: type = getattr(importlib.import_module(module), name)
    return cls


def estimator(spec: Spec, file: str) -> Any:
    cls = estimator_class(spec.model.estimator, file)
    params: dict[str, Any] = dict(spec.model.params)
    accepted = inspect.signature(cls).parameters
    unknown = [p for p in params if p not in accepted]
    if unknown:
        raise TrainError.single("T009", f"{spec.model.estimator} takes no parameter "
                                f"{unknown[0]!r}", file,
                                hint="check model.params against the estimator's documentation")
    if "random_state" in accepted and "random_state" not in params:
        params["random_state"] = spec.model.split.seed
    return cls(**params)


def _branch(kind: str, transform: str) -> Any:
    from sklearn.impute import SimpleImputer  # type: ignore[import-untyped]
    from sklearn.pipeline import Pipeline  # type: ignore[import-untyped]
    from sklearn.preprocessing import (  # type: ignore[import-untyped]
        FunctionTransformer,
        MinMaxScaler,
        OneHotEncoder,
        OrdinalEncoder,
        RobustScaler,
        StandardScaler,
    )

    if kind == "numeric":
        import numpy as np

        steps: list[tuple[str, Any]] = [("impute", SimpleImputer(strategy="median"))]
        scalers: dict[str, Any] = {
            "log": FunctionTransformer(np.log1p, feature_names_out="one-to-one"),
            "standard": StandardScaler(), "minmax": MinMaxScaler(), "robust": RobustScaler()}
        if transform in scalers:
            steps.append((transform, scalers[transform]))
        return Pipeline(steps)
    if kind == "boolean":
        return SimpleImputer(strategy="most_frequent")
    impute = ("impute", SimpleImputer(strategy="constant", fill_value=MISSING_CATEGORY))
    if transform == "one_hot":
        encoder = OneHotEncoder(handle_unknown="ignore", sparse_output=False)
    else:
        encoder = OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1)
    return Pipeline([impute, ("encode", encoder)])


def preprocessor(features: list[Feature]) -> Any:
    from sklearn.compose import ColumnTransformer  # type: ignore[import-untyped]

    groups: dict[tuple[str, str], list[str]] = {}
    for feature in features:
        transform = feature.transform if feature.type != "boolean" else "none"
        groups.setdefault((feature.type, transform), []).append(feature.name)
    branches = [(f"{kind}_{transform}", _branch(kind, transform), names)
                for (kind, transform), names in groups.items()]
    return ColumnTransformer(branches, remainder="drop", verbose_feature_names_out=False)


def selector(spec: Spec, file: str) -> Any | None:
    selection = spec.model.selection
    if selection is None:
        return None
    if selection.method == "k_best":
        from sklearn.feature_selection import (  # type: ignore[import-untyped]
            SelectKBest,
            f_classif,
            f_regression,
        )

        score = f_regression if spec.model.task == "regression" else f_classif
        return SelectKBest(score, k=selection.k)
    from sklearn.feature_selection import SelectFromModel

    return SelectFromModel(estimator(spec, file), threshold=selection.threshold or "mean")


def build(spec: Spec, file: str) -> Any:
    from sklearn.pipeline import Pipeline

    steps: list[tuple[str, Any]] = [("preprocess", preprocessor(list(spec.features.columns)))]
    if (select := selector(spec, file)) is not None:
        steps.append(("select", select))
    steps.append(("model", estimator(spec, file)))
    return Pipeline(steps)


def search(spec: Spec, pipeline: Any, file: str) -> Any | None:
    """A GridSearchCV/RandomizedSearchCV around ``pipeline``, or None without model.search."""
    config = spec.model.search
    if config is None:
        return None
    from sklearn.model_selection import (  # type: ignore[import-untyped]
        GridSearchCV,
        KFold,
        RandomizedSearchCV,
        StratifiedKFold,
    )

    accepted = inspect.signature(estimator_class(spec.model.estimator, file)).parameters
    for name in config.grid:
        if name not in accepted:
            raise TrainError.single("T009", f"model.search.grid names {name!r}, which "
                                    f"{spec.model.estimator} does not take", file,
                                    hint="list parameters of the estimator only")
    grid = {f"model__{name}": list(values) for name, values in config.grid.items()}
    seed = spec.model.split.seed
    folds_class = KFold if spec.model.task == "regression" else StratifiedKFold
    folds = folds_class(n_splits=config.folds, shuffle=True, random_state=seed)
    scoring = SCORERS[config.scoring or spec.model.metrics[0]]
    if config.method == "grid":
        return GridSearchCV(pipeline, grid, cv=folds, scoring=scoring, refit=True)
    return RandomizedSearchCV(pipeline, grid, n_iter=config.n_iter, cv=folds,
                              scoring=scoring, refit=True, random_state=seed)
