"""The report without the API: the job summary and workflow-command annotations, for fork
pull requests whose token can only read."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from mlops_spec.bot.report import Report
from mlops_spec.diagnostics import Diagnostic, Severity

FORK_NOTE = ("::notice title=mlops-spec publish::this pull request comes from a fork, so "
             "GitHub gives the run a read-only token: the governance report is in the job "
             "summary, not in a pull request comment")


def write(report: Report, *, say_why: bool) -> int:
    """Append each spec's Markdown to GITHUB_STEP_SUMMARY, print annotations; the verdict's
    exit code (0 pass, 1 fail or pending)."""
    from mlops_spec.diagnostics.formatters import FORMATTERS

    if say_why:
        print(FORK_NOTE)
    text = "\n\n".join(spec.markdown for spec in report.specs) + "\n"
    target = os.environ.get("GITHUB_STEP_SUMMARY")
    if target:
        with Path(target).open("a", encoding="utf-8") as handle:
            handle.write(text)
    else:
        sys.stdout.write(text)
    diagnostics = [_diagnostic(spec.path, d) for spec in report.specs for d in spec.diagnostics]
    sys.stdout.write(FORMATTERS["github"](diagnostics, {}))
    for spec in report.specs:
        print(f"mlops-spec/{spec.name}: {spec.verdict}: {spec.summary}")
    return 0 if report.verdict == "pass" else 1


def _diagnostic(path: str, row: dict[str, object]) -> Diagnostic:
    severity = str(row.get("severity") or "error")
    line, column = row.get("line"), row.get("column")
    return Diagnostic(code=str(row.get("code") or "G000"), message=str(row.get("message") or ""),
                      file=str(row.get("file") or path),
                      line=line if isinstance(line, int) else None,
                      column=column if isinstance(column, int) else None,
                      severity=Severity(severity) if severity in Severity._value2member_map_
                      else Severity.ERROR,
                      hint=str(row["hint"]) if row.get("hint") else None)
