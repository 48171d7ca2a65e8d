"""The pull-request comment for one spec: verdict, checks, approvals, diff, evaluation.

Every value from the spec or the reviews is untrusted: it goes into a code span (handles,
paths, values: no mention, link or HTML can form) or through ``escape``. The body never
exceeds ``LIMIT`` characters whatever the input: the longest tables are cut, with a note,
and ``<details>`` blocks are only ever emitted whole, so they stay balanced.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from mlops_spec.govern.gate import SpecResult

LIMIT = 65_000
"""Under GitHub's 65,536-character comment limit, with room for the bot's marker line."""
FOLD_OVER = 10
"""Tables with more rows than this are folded into <details>."""
CELL = 160

ICONS = {"pass": ":white_check_mark:", "fail": ":x:", "pending": ":hourglass:",
         "not_applicable": ":heavy_minus_sign:"}
_PUNCT = re.compile(r"([\\`*_\[\]|~#!])")


def escape(value: str, limit: int = CELL * 2) -> str:
    """Plain text that renders as itself: no markup, HTML, mention or line break."""
    value = " ".join(value.split())
    if len(value) > limit:
        value = value[:limit - 1] + "…"
    value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    value = _PUNCT.sub(r"\\\1", value)
    return value.replace("@", "@\u2060")  # a word joiner: never a mention


def code(value: Any, limit: int = CELL) -> str:
    """A value as an inline code span that is safe inside a table cell."""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    text = " ".join(text.split())
    if len(text) > limit:
        text = text[:limit - 1] + "…"
    if not text:
        return "` `"
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if longest or text.startswith(" ") else ""
    return f"{fence}{pad}{text.replace('|', chr(92) + '|')}{pad}{fence}"


class Table(NamedTuple):
    title: str
    header: list[str]
    rows: list[list[str]]
    empty: str


def _render_table(table: Table, limit: int | None) -> str:
    rows = table.rows if limit is None else table.rows[:limit]
    if not rows:
        return f"**{table.title}**: {table.empty}\n"
    lines = ["| " + " | ".join(table.header) + " |",
             "|" + " --- |" * len(table.header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    body = "\n".join(lines) + "\n"
    if len(rows) < len(table.rows):
        body += (f"\n*{len(table.rows) - len(rows)} more rows are not shown (the comment "
                 "would exceed GitHub's limit); the JSON report has them all.*\n")
    if len(table.rows) > FOLD_OVER:
        return (f"<details><summary>{table.title} ({len(table.rows)})</summary>\n\n{body}"
                "\n</details>\n")
    return f"**{table.title}**\n\n{body}"


def _tables(r: SpecResult) -> list[Table]:
    checks = Table("Checks", ["", "check", "reason"], [
        [ICONS[c.status], code(c.id), escape(c.reason)] for c in r.checks], "none")
    approvals = Table("Required approvals", ["", "role", "who can approve", "required by"], [
        [ICONS["fail"] if d.blocked_by else ICONS["pass"] if d.satisfied else ICONS["pending"],
         code(d.role),
         (("approved by " + ", ".join(code(b) for b in d.by) + "; ") if d.by else "")
         + (("changes requested by " + ", ".join(code(b) for b in d.blocked_by) + "; ")
            if d.blocked_by else "")
         + (", ".join(code(m) for m in d.members) or "nobody"),
         ", ".join(code(x) for x in d.reasons)] for d in r.approvals], "none needed")
    changes = Table("Semantic diff", ["class", "path", "before", "after"], [
        [code(c.cls), code(c.change.dotted), code(c.change.before), code(c.change.after)]
        for c in r.changes], "no change")
    return [checks, approvals, changes, _evaluation_table(r)]


def _evaluation_table(r: SpecResult) -> Table:
    rows: list[list[str]] = []
    e, policy = r.evaluation, r.policy
    if e is not None and policy is not None:
        champion = e.champion.metrics if e.champion else {}
        for bound in policy.thresholds:
            value = e.metrics.get(bound.metric)
            limits = " ".join(x for x in (f"min {bound.min:g}" if bound.min is not None else "",
                                          f"max {bound.max:g}" if bound.max is not None else "")
                              if x)
            rows.append([code(bound.metric), code(value), escape(limits),
                         code(champion.get(bound.metric, "—"))])
        for comparison in policy.comparisons:
            rows.append([code(comparison.metric), code(e.metrics.get(comparison.metric)),
                         escape(f"max drop {comparison.max_drop:g} vs production"),
                         code(champion.get(comparison.metric, "—"))])
    empty = "no trusted evaluation (see the promotion checks)" if e is None else "no thresholds"
    return Table("Evaluation against thresholds and production",
                 ["metric", "value", "bound in force", "production"], rows, empty)


def spec_markdown(r: SpecResult) -> str:
    """The whole comment body for one spec, at most ``LIMIT`` characters."""
    head = (f"### {ICONS[r.verdict]} mlops-spec gate: **{r.verdict}** for {code(r.name)} "
            f"({code(r.path)})\n\n{escape(r.summary)}\n\n")
    notes = Table("Notes", ["note"], [[escape(n)] for n in r.notes], "none")
    findings = Table("Findings", ["code", "where", "message"], [
        [code(d.code), code(f"{d.file}:{d.line or 0}:{d.column or 0}"),
         escape(d.message) + (f" — {escape(d.hint)}" if d.hint else "")]
        for d in r.diagnostics], "none")
    tables = [*_tables(r), notes, findings]
    limits: list[int | None] = [None] * len(tables)
    while True:
        body = head + "\n".join(_render_table(t, n) for t, n in zip(tables, limits,
                                                                    strict=True))
        if len(body) <= LIMIT:
            return body
        shown = [len(t.rows) if n is None else n for t, n in zip(tables, limits, strict=True)]
        widest = max(range(len(tables)), key=shown.__getitem__)
        if shown[widest] == 0:
            return body  # every table is empty: the head alone is far below LIMIT
        limits[widest] = shown[widest] // 2
