"""``datasheets/<source>.json``: what was trained on, per source (after PII handling).

Rows, the missing share of each column (as read, before handling), a summary of each
column's distribution (numeric: mean, std, quantiles; labels: distinct count and the ten
most frequent), the Pearson correlation of each numeric or boolean feature with the target
(binary targets as 0/1; categorical features by the correlation ratio), and the PII columns
with their handling. Dropped columns appear only in the PII list; raw values of handled
columns never appear.
"""

from __future__ import annotations

import math
from typing import Any

from mlops_spec.spec.sections import Spec
from mlops_spec.train.dataset import SourceData

FORMAT = "mlops-spec/datasheet/v1"


def _round(value: float) -> float | None:
    return None if math.isnan(value) or math.isinf(value) else round(value, 6)


def _summary(values: Any) -> dict[str, Any]:
    import numpy as np

    if values.dtype.kind == "f":
        finite = values[np.isfinite(values)]
        if finite.size == 0:
            return {"kind": "numeric", "count": 0}
        q = np.quantile(finite, [0.0, 0.25, 0.5, 0.75, 1.0])
        return {"kind": "numeric", "count": int(finite.size),
                "mean": _round(float(finite.mean())), "std": _round(float(finite.std())),
                "min": _round(float(q[0])), "p25": _round(float(q[1])),
                "median": _round(float(q[2])), "p75": _round(float(q[3])),
                "max": _round(float(q[4]))}
    present = [str(v) for v in values if v is not None]
    labels, counts = np.unique(np.array(present, dtype=str), return_counts=True)
    order = sorted(range(len(labels)), key=lambda i: (-counts[i], labels[i]))[:10]
    return {"kind": "labels", "count": len(present), "distinct": len(labels),
            "top": [{"value": str(labels[i]), "count": int(counts[i])} for i in order]}


def _target_numbers(target: Any, task: str) -> Any | None:
    import numpy as np

    if task == "regression":
        return np.asarray(target, dtype=float)
    labels = np.array([str(v) for v in target], dtype=str)
    classes = np.unique(labels)
    if task != "binary_classification" or len(classes) != 2:
        return None
    return (labels == classes[-1]).astype(float)


def correlation(values: Any, target: Any) -> float | None:
    import numpy as np

    if values.dtype.kind == "f":
        keep = np.isfinite(values) & np.isfinite(target)
        if keep.sum() < 3 or values[keep].std() == 0 or target[keep].std() == 0:
            return None
        return _round(float(np.corrcoef(values[keep], target[keep])[0, 1]))
    labels = np.array(["" if v is None else str(v) for v in values], dtype=str)
    total = target.var()
    if total == 0:
        return None
    between = sum((labels == g).mean() * (target[labels == g].mean() - target.mean()) ** 2
                  for g in np.unique(labels))
    return _round(float(math.sqrt(between / total)))  # correlation ratio (eta)


def build(spec: Spec, part: SourceData) -> dict[str, Any]:
    source = part.source
    target_name = spec.features.target
    features = {f.name for f in spec.features.columns if f.source == source.name}
    target = part.columns.get(target_name)
    numbers = _target_numbers(target, spec.model.task) if target is not None else None
    columns = {}
    for name, values in part.columns.items():
        entry: dict[str, Any] = {
            "missing_share": _round(part.missing_before_handling.get(name, 0.0)),
            "role": "target" if name == target_name else
                    "feature" if name in features else "other",
            "summary": _summary(values)}
        if name in features and numbers is not None:
            entry["target_correlation"] = correlation(values, numbers)
        columns[name] = entry
    return {
        "format": FORMAT, "source": source.name, "uri": source.uri,
        "sha256": part.record.sha256, "rows": part.record.rows, "owner": source.owner,
        "evidence": source.evidence, "lawful_basis": source.lawful_basis,
        "retention_days": source.retention_days,
        "pii": [{"column": r.column, "category": r.category, "handling": r.handling}
                for r in source.pii],
        "columns": columns,
    }
