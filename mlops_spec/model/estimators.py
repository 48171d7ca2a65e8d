"""The scikit-learn estimators a spec may name, checked without importing scikit-learn.

``estimators.json`` maps each public import path to its kind (classifier or regressor) and
constructor parameters. It is generated from the installed scikit-learn by
``python -m mlops_spec.model.estimators`` and a test keeps it in sync.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any, cast

TABLE = Path(__file__).with_name("estimators.json")

KIND_FOR_TASK = {
    "binary_classification": "classifier",
    "multiclass_classification": "classifier",
    "regression": "regressor",
}


@cache
def estimators() -> dict[str, dict[str, Any]]:
    data: dict[str, dict[str, Any]] = json.loads(TABLE.read_text(encoding="utf-8"))
    return data


def generate() -> dict[str, dict[str, Any]]:
    """Build the table from the installed scikit-learn (needs scikit-learn)."""
    import importlib
    import inspect

    from sklearn.utils import all_estimators  # type: ignore[import-untyped]

    table: dict[str, dict[str, Any]] = {}
    for kind in ("classifier", "regressor"):
        for name, cls in all_estimators(type_filter=kind):
            module = ".".join(cls.__module__.split(".")[:2])
            if getattr(importlib.import_module(module), name, None) is not cls:
                continue
            estimator = cast(type, cls)
            params = inspect.signature(estimator).parameters.values()
            if any(p.default is inspect.Parameter.empty
                   and p.kind is p.POSITIONAL_OR_KEYWORD for p in params):
                continue  # meta-estimators that need other estimators as arguments
            names = sorted(p.name for p in params
                           if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY))
            table[f"{module}.{name}"] = {"kind": kind, "params": names}
    return dict(sorted(table.items()))


def render_table(table: dict[str, dict[str, Any]]) -> str:
    return json.dumps(table, indent=1, sort_keys=True) + "\n"


if __name__ == "__main__":
    TABLE.write_text(render_table(generate()), encoding="utf-8")
    print(f"wrote {TABLE}")
