"""The drift report as a terminal table or as the JSON document described in docs/drift.md."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any

from mlops_spec.drift.decide import DriftDecision, FeatureDecision, PerformanceDecision, Trigger
from mlops_spec.drift.plan import P_VALUE_METHODS

REPORT_VERSION = 1


@dataclass(frozen=True)
class Report:
    spec: str
    model: str
    reference_file: str
    reference_rows: int
    current_file: str
    current_rows: int
    method: str
    drift: DriftDecision
    performance: PerformanceDecision | None
    trigger: Trigger
    warnings: tuple[str, ...] = field(default=())

    @property
    def exit_code(self) -> int:
        return 1 if self.trigger.fired else 0


def _number(value: float | None) -> float | None:
    """JSON has no infinity or NaN: those become null (see the feature's ``note``)."""
    return value if value is not None and math.isfinite(value) else None


def _note(feature: FeatureDecision) -> str | None:
    m = feature.measurement
    if m.statistic is None:
        return "no valid value in the current data"
    if not math.isfinite(m.statistic):
        return "the reference is constant and the current data differs"
    return None


def to_json(report: Report) -> str:
    features = []
    for feature in report.drift.features:
        m = feature.measurement
        reference: dict[str, Any] = m.reference.as_dict()
        current: dict[str, Any] = m.current.as_dict()
        if m.type == "numeric":
            reference["mean"] = _number(m.reference_mean)
            current["mean"] = _number(m.current_mean)
        features.append({
            "name": m.name, "type": m.type, "method": m.method,
            "statistic": _number(m.statistic), "p_value": _number(m.p_value),
            "p_value_method": m.p_value_method, "threshold": feature.threshold,
            "drifted": feature.drifted, "note": _note(feature),
            "reference": reference, "current": current, "new_labels": list(m.new_labels),
        })
    performance = None
    if report.performance is not None:
        p = report.performance
        performance = {"metric": p.metric, "value": _number(p.value), "min": p.min,
                       "max": p.max, "rows": p.rows, "status": p.status,
                       "decayed": p.decayed, "reason": p.reason}
    document = {
        "version": REPORT_VERSION,
        "spec": report.spec,
        "model": report.model,
        "reference": {"file": report.reference_file, "rows": report.reference_rows},
        "current": {"file": report.current_file, "rows": report.current_rows},
        "drift": {
            "method": report.method, "share": report.drift.share,
            "watched": report.drift.watched, "drifted": report.drift.drifted,
            "share_drifted": report.drift.share_drifted,
            "detected": report.drift.detected, "features": features,
        },
        "performance": performance,
        "retrain": {"on": list(report.trigger.on), "drift": report.trigger.drift,
                    "performance": report.trigger.performance,
                    "triggered": report.trigger.fired},
        "warnings": list(report.warnings),
        "exit_code": report.exit_code,
    }
    return json.dumps(document, indent=2, allow_nan=False) + "\n"


def _fmt(value: float | None, digits: int = 4) -> str:
    if value is None:
        return "-"
    if math.isinf(value):
        return "inf"
    if value != 0 and abs(value) < 10 ** -digits:
        return f"{value:.{max(digits - 2, 1)}e}"
    if abs(value) >= 10 ** digits:
        # Large values (an mae of 12,031) read as numbers, not 1.203e+04.
        return f"{value:,.0f}" if abs(value) < 1e15 else f"{value:.{digits}g}"
    return f"{value:.{digits}g}"


def _rule(feature: FeatureDecision) -> str:
    sign = "p <" if feature.measurement.method in P_VALUE_METHODS else ">="
    return f"{sign} {feature.threshold:g}"


def _percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "-"


def to_text(report: Report) -> str:
    drift = report.drift
    lines = [
        f"drift: {report.model} ({report.spec})",
        f"reference: {report.reference_file} ({report.reference_rows:,} rows)   "
        f"current: {report.current_file} ({report.current_rows:,} rows)",
        "",
    ]
    header = ("feature", "type", "method", "statistic", "p-value", "drift if", "missing",
              "mean ref -> cur", "drift")
    rows = [header]
    for feature in drift.features:
        m = feature.measurement
        invalid = m.current.rows - m.current.valid
        means = (f"{_fmt(m.reference_mean, 5)} -> {_fmt(m.current_mean, 5)}"
                 if m.type == "numeric" else "")
        rows.append((m.name, m.type, m.method, _fmt(m.statistic), _fmt(m.p_value, 3),
                     _rule(feature), _percent(invalid, m.current.rows), means,
                     "DRIFT" if feature.drifted else "no"))
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    numeric_columns = {3, 4, 6}
    for row in rows:
        cells = [cell.rjust(widths[i]) if i in numeric_columns else cell.ljust(widths[i])
                 for i, cell in enumerate(row)]
        lines.append("  ".join(cells).rstrip())
    for feature in drift.features:
        m = feature.measurement
        note = _note(feature)
        if note:
            lines.append(f"  {m.name}: {note}")
        if m.new_labels:
            shown = ", ".join(repr(label) for label in m.new_labels[:5])
            more = f" and {len(m.new_labels) - 5} more" if len(m.new_labels) > 5 else ""
            lines.append(f"  {m.name}: labels not in the reference: {shown}{more}")
    lines.append("")
    verdict = "dataset drift" if drift.detected else "no dataset drift"
    lines.append(f"dataset: {drift.drifted} of {drift.watched} features drifted "
                 f"({_percent(drift.drifted, drift.watched)}); drift at "
                 f"{drift.share:.0%} -> {verdict}")
    if report.performance is not None:
        p = report.performance
        bounds = ", ".join(part for part in (
            f"min {_fmt(p.min)}" if p.min is not None else "",
            f"max {_fmt(p.max)}" if p.max is not None else "") if part)
        if p.value is None:
            lines.append(f"performance: {p.metric} {p.status}: {p.reason}")
        else:
            lines.append(f"performance: {p.metric} {_fmt(p.value)} on {p.rows:,} labelled "
                         f"rows ({bounds}) -> {p.status}")
    trigger = report.trigger
    on = ", ".join(trigger.on) or "nothing"
    fired = [name for name, hit in (("drift", trigger.drift),
                                    ("performance", trigger.performance)) if hit]
    lines.append(f"retrain: {'TRIGGERED by ' + ' and '.join(fired) if fired else 'no'} "
                 f"(retrain on: {on}; exit {report.exit_code})")
    return "\n".join(lines) + "\n"
