"""Split as declared, search hyperparameters if asked, fit the pipeline.

Fitting runs on one thread unless ``MLOPS_SPEC_THREADS`` says otherwise: the results of
multi-threaded estimators (histogram sums in gradient boosting) may depend on the thread
count, and a laptop must reproduce what CI computed; on a shared CI runner one thread is
also faster than OpenMP threads spinning for a busy core.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from mlops_spec.spec.sections import Spec
from mlops_spec.train import TrainError, pipeline
from mlops_spec.train.progress import Progress


@dataclass
class Split:
    x_train: Any
    x_test: Any
    y_train: Any
    y_test: Any


@dataclass
class Fitted:
    model: Any
    search: dict[str, Any] | None = None
    selected: list[str] | None = None
    encoded: list[str] = field(default_factory=list)


def split(spec: Spec, x: Any, y: Any, file: str) -> Split:
    from sklearn.model_selection import train_test_split  # type: ignore[import-untyped]

    config = spec.model.split
    stratify = y if config.stratify and spec.model.task != "regression" else None
    try:
        parts = train_test_split(x, y, test_size=config.test_size, random_state=config.seed,
                                 stratify=stratify)
    except ValueError as exc:
        raise TrainError.single("T003", f"cannot split the data as declared: {exc}", file,
                                hint="each class needs at least two rows to stratify; add "
                                     "data or set model.split.stratify: false") from None
    return Split(*parts)


def threads() -> int:
    raw = os.environ.get("MLOPS_SPEC_THREADS", "")
    return int(raw) if raw.isdigit() and int(raw) > 0 else 1


def fit(spec: Spec, data: Split, file: str, progress: Progress) -> Fitted:
    from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

    with threadpool_limits(limits=threads()):
        return _fit(spec, data, file, progress)


def _fit(spec: Spec, data: Split, file: str, progress: Progress) -> Fitted:
    model = pipeline.build(spec, file)
    searcher = pipeline.search(spec, model, file)
    try:
        if searcher is None:
            progress.step(f"fitting {spec.model.estimator} on {len(data.y_train):,} rows")
            model.fit(data.x_train, data.y_train)
            found = None
        else:
            assert spec.model.search is not None
            progress.step(f"searching hyperparameters ({spec.model.search.method}, "
                          f"{spec.model.search.folds} folds)")
            searcher.fit(data.x_train, data.y_train)
            model = searcher.best_estimator_
            found = _search_results(searcher)
    except (ValueError, TypeError) as exc:
        raise TrainError.single("T009", f"fitting {spec.model.estimator} failed: {exc}", file,
                                hint="check model.params, model.selection and model.search "
                                     "against the estimator") from None
    encoded = [str(n) for n in model.named_steps["preprocess"].get_feature_names_out()]
    selected = None
    if "select" in model.named_steps:
        mask = model.named_steps["select"].get_support()
        selected = [name for name, keep in zip(encoded, mask, strict=True) if keep]
    return Fitted(model=model, search=found, selected=selected, encoded=encoded)


def _search_results(searcher: Any) -> dict[str, Any]:
    results = searcher.cv_results_
    order = sorted(range(len(results["params"])), key=lambda i: results["rank_test_score"][i])
    candidates = [{
        "params": {k.removeprefix("model__"): v for k, v in results["params"][i].items()},
        "mean_score": round(float(results["mean_test_score"][i]), 6),
        "std_score": round(float(results["std_test_score"][i]), 6),
        "rank": int(results["rank_test_score"][i]),
    } for i in order[:20]]
    best = {k.removeprefix("model__"): v for k, v in searcher.best_params_.items()}
    return {"scoring": str(searcher.scoring), "best_params": best,
            "best_score": round(float(searcher.best_score_), 6),
            "candidates_tried": len(results["params"]), "top": candidates}
