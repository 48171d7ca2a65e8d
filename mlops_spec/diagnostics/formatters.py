"""Diagnostics as text, JSON, GitHub workflow annotations or Markdown."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from mlops_spec.diagnostics import Diagnostic
from mlops_spec.spec.loader import LoadedDocument

Sources = dict[str, LoadedDocument]


def _where(d: Diagnostic) -> str:
    if not d.file:  # a finding about the invocation, not about a file
        return "mlops-spec"
    if d.line is None:
        return d.file
    return f"{d.file}:{d.line}:{d.column or 1}"


def text(diagnostics: Sequence[Diagnostic], sources: Sources) -> str:
    """``path:line:col: error[CODE]: message`` with the source line, a caret and the hint."""
    out: list[str] = []
    for d in diagnostics:
        out.append(f"{_where(d)}: {d.severity.value}[{d.code}]: {d.message}")
        doc = sources.get(d.file)
        if doc is not None and d.line is not None:
            source = doc.line_text(d.line).replace("\t", " ")
            if source.strip():
                col = max(1, d.column or 1)
                width = max(1, (d.end_column or col + 1) - col)
                width = min(width, max(1, len(source) - col + 1))
                gutter = " " * len(str(d.line))
                out.append(f" {d.line} | {source}")
                out.append(f" {gutter} | {' ' * (col - 1)}{'^' * width}")
        if d.hint:
            out.append(f"  hint: {d.hint}")
    return "\n".join(out) + ("\n" if out else "")


def diagnostic_row(d: Diagnostic) -> dict[str, object]:
    """One diagnostic as a JSON object (the documented fields)."""
    return {"file": d.file, "line": d.line, "column": d.column, "severity": d.severity.value,
            "code": d.code, "message": d.message, "hint": d.hint, "path": d.dotted_path or None}


def json_format(diagnostics: Sequence[Diagnostic], sources: Sources) -> str:
    import json

    return json.dumps([diagnostic_row(d) for d in diagnostics], indent=2) + "\n"


def _escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(value: str) -> str:
    return _escape_data(value).replace(":", "%3A").replace(",", "%2C")


def github(diagnostics: Sequence[Diagnostic], sources: Sources) -> str:
    """GitHub workflow commands: annotations shown inline on the pull request's diff."""
    command = {"error": "error", "warning": "warning", "note": "notice"}
    out = []
    for d in diagnostics:
        props = [f"file={_escape_property(d.file)}"]
        if d.line is not None:
            props.append(f"line={d.line}")
            if d.column is not None:
                props.append(f"col={d.column}")
        props.append(f"title={_escape_property(f'mlops-spec {d.code}')}")
        message = d.message + (f"\n{d.hint}" if d.hint else "")
        out.append(f"::{command[d.severity.value]} {','.join(props)}::{_escape_data(message)}")
    return "\n".join(out) + ("\n" if out else "")


def _md_cell(value: str) -> str:
    return (value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace("|", "\\|").replace("\n", " ").replace("`", "'"))


def markdown(diagnostics: Sequence[Diagnostic], sources: Sources) -> str:
    """A table for PR comments and job summaries; user text is escaped, never markup."""
    if not diagnostics:
        return "No findings.\n"
    rows = ["| | where | code | message |", "| --- | --- | --- | --- |"]
    icons = {"error": ":x:", "warning": ":warning:", "note": ":information_source:"}
    for d in diagnostics:
        message = _md_cell(d.message) + (f"<br>*{_md_cell(d.hint)}*" if d.hint else "")
        rows.append(f"| {icons[d.severity.value]} | `{_md_cell(_where(d))}` | {d.code} | "
                    f"{message} |")
    return "\n".join(rows) + "\n"


FORMATTERS: dict[str, Callable[[Sequence[Diagnostic], Sources], str]] = {
    "text": text,
    "json": json_format,
    "github": github,
    "markdown": markdown,
}
