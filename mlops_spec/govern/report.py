"""The gate's one result object as JSON (BRIEF contract 4, schemas/gate-report.schema.json),
text for terminals and GitHub workflow annotations."""

from __future__ import annotations

import json
from typing import Any

from mlops_spec.diagnostics.formatters import github as github_annotations
from mlops_spec.govern.checks import FAIL
from mlops_spec.govern.classes import Classified
from mlops_spec.govern.gate import SpecResult
from mlops_spec.govern.markdown import spec_markdown

FORMAT = "mlops-spec/gate-report/v1"
ORDER = {"pass": 0, "pending": 1, "fail": 2}


def overall(results: list[SpecResult]) -> str:
    """Worst over specs: fail > pending > pass (no spec changed: pass)."""
    return max((r.verdict for r in results), key=ORDER.__getitem__, default="pass")


def _diagnostic(d: Any) -> dict[str, Any]:
    return {"code": d.code, "severity": d.severity.value, "message": d.message,
            "file": d.file, "line": d.line, "column": d.column, "hint": d.hint}


def _evaluation(result: SpecResult) -> dict[str, Any] | None:
    if result.evaluation is None:
        return None
    e = result.evaluation
    return {"digest": e.spec.digest, "metrics": dict(e.metrics),
            "champion": None if e.champion is None else {
                "version": e.champion.version, "metrics": dict(e.champion.metrics)}}


def change_object(c: Classified) -> dict[str, Any]:
    """One classified change; ``note`` only where applying it takes more than a merge."""
    out = {"class": c.cls, "path": c.change.dotted, "before": c.change.before,
           "after": c.change.after}
    return out if c.note is None else {**out, "note": c.note}


def spec_object(result: SpecResult) -> dict[str, Any]:
    return {
        "name": result.name, "path": result.path, "verdict": result.verdict,
        "summary": result.summary,
        "checks": [{"id": c.id, "status": c.status, "reason": c.reason}
                   for c in result.checks],
        "changes": [change_object(c) for c in result.changes],
        "approvals": [{"role": d.role, "satisfied": d.satisfied, "by": d.by,
                       "members": d.members, "reasons": d.reasons,
                       "changes_requested_by": d.blocked_by, "notes": d.notes}
                      for d in result.approvals],
        "diagnostics": [_diagnostic(d) for d in result.diagnostics],
        "notes": result.notes,
        "evaluation": _evaluation(result),
        "markdown": spec_markdown(result),
    }


def build(results: list[SpecResult], base_ref: str | None, base_sha: str | None,
          head_sha: str | None) -> dict[str, Any]:
    return {"format": FORMAT, "verdict": overall(results),
            "base": {"ref": base_ref, "sha": base_sha}, "head": {"sha": head_sha},
            "specs": [spec_object(r) for r in results]}


def as_json(report: dict[str, Any]) -> str:
    return json.dumps(report, indent=2, ensure_ascii=False, sort_keys=False) + "\n"


def _value(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else value
    return text if len(text) <= 80 else text[:79] + "…"


def as_text(results: list[SpecResult], report: dict[str, Any]) -> str:
    from mlops_spec.diagnostics.formatters import text as text_diagnostics

    out = [f"gate: {report['verdict']}"]
    for r in results:
        out.append(f"\n{r.path} ({r.name}): {r.verdict}")
        for c in r.changes:
            out.append(f"  change  {c.cls:<24} {c.change.dotted}: {_value(c.change.before)} "
                       f"-> {_value(c.change.after)}")
        for check in r.checks:
            out.append(f"  check   {check.status:<15} {check.id}: {check.reason}")
        for d in r.approvals:
            state = ("changes requested by " + ", ".join(d.blocked_by) if d.blocked_by else
                     "approved by " + ", ".join(d.by) if d.satisfied else "pending")
            members = ", ".join(d.members)
            out.append(f"  approve {d.role:<15} {state}; members: {members}; for "
                       f"{', '.join(d.reasons)}")
            out += [f"          {note}" for note in d.notes if not d.satisfied]
        out += [f"  note    {note}" for note in r.notes]
        shown = [d for d in r.diagnostics if d.is_error or r.verdict == FAIL]
        if shown:
            sources = {r.path: r.document} if r.document is not None else {}
            out.append(text_diagnostics(shown, sources).rstrip("\n"))
    return "\n".join(out) + "\n"


def as_github(results: list[SpecResult], report: dict[str, Any]) -> str:
    """Annotations for the findings, then one notice/error line per spec."""
    out = [github_annotations([d for r in results for d in r.diagnostics], {}).rstrip("\n")]
    level = {"pass": "notice", "pending": "warning", "fail": "error"}
    for r in results:
        out.append(f"::{level[r.verdict]} title=mlops-spec gate {r.name}::"
                   + r.summary.replace("%", "%25").replace("\n", " "))
    return "\n".join(line for line in out if line) + "\n"
