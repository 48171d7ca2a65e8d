"""One column, normalised for drift: finite numbers sorted, or categories counted.

Missing values and infinities are counted here and never reach a statistic: a numeric
column keeps only its finite values, a categorical one only its present labels. Everything
is whole-array numpy work; no Python loop runs per row.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

ColumnType = Literal["numeric", "categorical", "boolean"]
COLUMN_TYPES: tuple[ColumnType, ...] = ("numeric", "categorical", "boolean")

FloatArray = npt.NDArray[np.float64]

# Boolean features are compared as the two labels "false" and "true", whatever the file
# used to spell them (compared case-insensitively).
TRUE_LABELS = frozenset({"true", "t", "yes", "y", "1", "1.0"})
FALSE_LABELS = frozenset({"false", "f", "no", "n", "0", "0.0"})


_NONE = np.array(None, dtype=object)


def missing(values: npt.NDArray[Any]) -> npt.NDArray[np.bool_]:
    """Where values are missing: NaN in float arrays, ``None`` or NaN in object arrays."""
    if values.dtype.kind == "f":
        nan: npt.NDArray[np.bool_] = np.isnan(values)
        return nan
    if values.dtype.kind != "O":
        return np.zeros(values.shape, dtype=bool)
    # ``x != x`` is true exactly for NaN.
    mask: npt.NDArray[np.bool_] = np.equal(values, _NONE) | (values != values)
    return mask


class ColumnError(ValueError):
    """A column cannot be used as its declared type; ``column`` names it."""

    def __init__(self, column: str, message: str) -> None:
        super().__init__(f"column {column!r} {message}")
        self.column = column
        self.detail = message


@dataclass(frozen=True, slots=True)
class Counts:
    """Row counts of one column. ``valid`` rows are the ones the statistics use."""

    rows: int
    valid: int
    missing: int
    pos_inf: int = 0
    neg_inf: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def numeric(values: npt.ArrayLike, column: str) -> tuple[FloatArray, Counts]:
    """The finite values sorted ascending (a new array), and the counts.

    Accepts integer and floating arrays; anything else is a type change (``ColumnError``).
    """
    x = np.asarray(values)
    if x.ndim != 1:
        raise ColumnError(column, f"must be one-dimensional, got shape {x.shape}")
    if x.dtype.kind not in "iuf":
        raise ColumnError(column, f"is numeric but holds {_kind_name(x.dtype)} values")
    x = x.astype(np.float64, copy=False)
    rows = int(x.size)
    finite = x[np.isfinite(x)]  # a copy, so sorting in place leaves the caller's data alone
    finite.sort()
    valid = int(finite.size)
    if valid == rows:
        return finite, Counts(rows=rows, valid=valid, missing=0)
    missing = int(np.count_nonzero(np.isnan(x)))
    pos_inf = int(np.count_nonzero(np.isposinf(x)))
    return finite, Counts(rows=rows, valid=valid, missing=missing, pos_inf=pos_inf,
                          neg_inf=rows - valid - missing - pos_inf)


def categories(values: npt.ArrayLike, column: str,
               kind: ColumnType = "categorical") -> tuple[dict[str, int], Counts]:
    """Count each label; ``None`` and NaN are missing.

    Labels are strings: booleans become ``"true"``/``"false"``, integers their decimal text.
    For ``kind="boolean"`` every label must be one of the boolean spellings above.
    """
    x = np.asarray(values)
    if x.ndim != 1:
        raise ColumnError(column, f"must be one-dimensional, got shape {x.shape}")
    rows = int(x.size)
    if x.dtype.kind == "b":
        labels: npt.NDArray[np.str_] = np.where(x, "true", "false")
    elif x.dtype.kind in "iuUS" or x.dtype.kind == "T":
        labels = x.astype(np.str_)
    elif x.dtype.kind in "fO":
        labels = x[~missing(x)].astype(np.str_)
    else:
        raise ColumnError(column, f"is {kind} but holds {_kind_name(x.dtype)} values")
    unique, counts = np.unique(labels, return_counts=True)
    found = dict(zip(unique.tolist(), (int(c) for c in counts), strict=True))
    valid = int(labels.size)
    if kind == "boolean":
        found = _as_booleans(found, column)
    return found, Counts(rows=rows, valid=valid, missing=rows - valid)


def _as_booleans(found: dict[str, int], column: str) -> dict[str, int]:
    out: dict[str, int] = {}
    for label, count in found.items():
        token = label.strip().lower()
        if token in TRUE_LABELS:
            key = "true"
        elif token in FALSE_LABELS:
            key = "false"
        else:
            raise ColumnError(column, f"is boolean but holds {label!r}; use true/false, "
                                      "yes/no or 1/0")
        out[key] = out.get(key, 0) + count
    return dict(sorted(out.items()))


def _kind_name(dtype: np.dtype[Any]) -> str:
    return {"b": "boolean", "O": "text or mixed", "U": "text", "S": "bytes", "T": "text",
            "M": "datetime", "m": "timedelta", "c": "complex"}.get(dtype.kind, str(dtype))
