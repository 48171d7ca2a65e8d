"""The scikit-learn estimators a spec may name, checked without importing scikit-learn.

``_estimators.py`` (generated) maps each import path to its kind (classifier or regressor),
constructor parameters and, where scikit-learn declares them (``_parameter_constraints``),
the scalar values each parameter accepts, so ``validate`` can check ``model.params``. It
is generated from the installed scikit-learn by ``python -m mlops_spec.spec.estimators``
and a test keeps it in sync.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import cache
from pathlib import Path
from typing import Any, cast

TABLE = Path(__file__).with_name("_estimators.py")
"""A generated module of nested tuples rather than JSON or dicts: the compiler folds the whole
table into one constant that loading the .pyc unmarshals in C, and the source is a third of
the size of the equivalent dict literal, so even compiling it without a .pyc is cheap.
Entries become dicts only when asked for (one per validated spec)."""

KIND_FOR_TASK = {
    "binary_classification": "classifier",
    "multiclass_classification": "classifier",
    "regression": "regressor",
}


Row = tuple[str, str, tuple[str, ...], tuple[tuple[str, tuple[tuple[Any, ...], ...]], ...]]


class EstimatorTable(Mapping[str, dict[str, Any]]):
    """Import path -> ``{"kind", "params", "types"}``, each entry built when first asked."""

    def __init__(self, rows: tuple[Row, ...]) -> None:
        self._rows = {row[0]: row for row in rows}

    def __getitem__(self, path: str) -> dict[str, Any]:
        _, kind, params, types = self._rows[path]
        return {"kind": kind, "params": list(params),
                "types": {name: [list(alt) for alt in alts] for name, alts in types}}

    def __iter__(self) -> Iterator[str]:
        return iter(self._rows)

    def __len__(self) -> int:
        return len(self._rows)


@cache
def estimators() -> EstimatorTable:
    from mlops_spec.spec._estimators import ROWS

    return EstimatorTable(ROWS)


# --- parameter types --------------------------------------------------------------------
# Each parameter's accepted scalar values, as alternatives any of which may match:
#   ["int", low, high, closed] / ["float", ...] (float: ints too) / ["real", ...] (not int)
#   ["str", [options]] (no options: any string) / ["bool"] / ["null"]
# Values YAML cannot write as one scalar (arrays, callables, estimators) are left out; a
# parameter with no scalar alternative at all is not checked.

Alternative = list[Any]


def _within(value: float, alt: Alternative) -> bool:
    _, low, high, closed = alt
    if low is not None and (value < low or (value == low and closed in ("right", "neither"))):
        return False
    return not (high is not None and (value > high or (
        value == high and closed in ("left", "neither"))))


def _matches(value: Any, alt: Alternative) -> bool:
    kind = alt[0]
    if kind == "null":
        return value is None
    if kind == "bool":
        return isinstance(value, bool)
    if kind == "str":
        return isinstance(value, str) and (not alt[1] or value in alt[1])
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    if kind == "int" and not isinstance(value, int):
        return False
    if kind == "real" and isinstance(value, int):
        return False
    return _within(value, alt)


def _describe(alt: Alternative) -> str:
    kind = alt[0]
    if kind == "null":
        return "null"
    if kind == "bool":
        return "true or false"
    if kind == "str":
        return ("one of " + ", ".join(repr(o) for o in alt[1])) if alt[1] else "a string"
    noun = {"int": "an integer", "float": "a number", "real": "a decimal number"}[kind]
    _, low, high, closed = alt
    if low is not None and high is not None:
        left = "[" if closed in ("left", "both") else "("
        right = "]" if closed in ("right", "both") else ")"
        return f"{noun} in {left}{low:g}, {high:g}{right}"
    if low is not None:
        return f"{noun} {'>=' if closed in ('left', 'both') else '>'} {low:g}"
    if high is not None:
        return f"{noun} {'<=' if closed in ('right', 'both') else '<'} {high:g}"
    return noun


def param_problem(estimator: str, name: str, value: Any) -> str | None:
    """What ``value`` should be when it does not fit the parameter's declared types."""
    entry = estimators().get(estimator)
    alternatives: list[Alternative] | None = (entry or {}).get("types", {}).get(name)
    if not alternatives or any(_matches(value, alt) for alt in alternatives):
        return None
    return " or ".join(_describe(alt) for alt in alternatives)


def _alternatives(constraint: Any) -> list[Alternative]:
    """scikit-learn's constraint as alternatives (needs scikit-learn; generation only)."""
    from numbers import Integral, Real

    from sklearn.utils import _param_validation as pv  # type: ignore[import-untyped]

    def bound(value: Any) -> float | int | None:
        return None if value is None else (int(value) if isinstance(value, Integral)
                                           else float(value))

    if constraint is None:
        return [["null"]]
    if isinstance(constraint, str):
        named: dict[str, list[Alternative]] = {
            "boolean": [["bool"]], "verbose": [["int", 0, None, "left"], ["bool"]],
            "random_state": [["int", 0, 2**32 - 1, "both"], ["null"]],
            "nan": [["float", None, None, "neither"]]}
        return named.get(constraint, [])
    if isinstance(constraint, pv.Interval):
        kind = ("int" if constraint.type is Integral else
                "real" if constraint.type is pv.RealNotInt else "float")
        return [[kind, bound(constraint.left), bound(constraint.right), constraint.closed]]
    if isinstance(constraint, pv.StrOptions):
        return [["str", sorted(constraint.options - constraint.deprecated)]]
    if constraint is str:
        return [["str", []]]
    if constraint is bool:
        return [["bool"]]
    if constraint in (int, Integral):
        return [["int", None, None, "neither"]]
    if constraint in (float, Real):
        return [["float", None, None, "neither"]]
    return []


def _types(estimator: type) -> dict[str, list[Alternative]]:
    declared: dict[str, Any] = getattr(estimator, "_parameter_constraints", {})
    types: dict[str, list[Alternative]] = {}
    for name, constraints in sorted(declared.items()):
        if constraints == "no_validation":
            continue
        alternatives = [alt for c in constraints for alt in _alternatives(c)]
        if alternatives:
            types[name] = alternatives
    return types


def generate() -> dict[str, dict[str, Any]]:
    """Build the table from the installed scikit-learn (needs scikit-learn)."""
    import importlib
    import inspect

    from sklearn.utils import all_estimators

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
            types = {k: v for k, v in _types(estimator).items() if k in names}
            table[f"{module}.{name}"] = {"kind": kind, "params": names, "types": types}
    return dict(sorted(table.items()))


def _frozen(value: Any) -> Any:
    return tuple(_frozen(v) for v in value) if isinstance(value, list) else value


def render_table(table: dict[str, dict[str, Any]]) -> str:
    import pprint

    rows = tuple((path, entry["kind"], tuple(entry["params"]),
                  tuple((name, _frozen(alts)) for name, alts in sorted(entry["types"].items())))
                 for path, entry in sorted(table.items()))
    return ('"""Generated by `python -m mlops_spec.spec.estimators` from the installed '
            'scikit-learn; do not edit."""\n\n'
            f"ROWS = {pprint.pformat(rows, width=100)}\n")


if __name__ == "__main__":
    TABLE.write_text(render_table(generate()), encoding="utf-8")
    print(f"wrote {TABLE}")
