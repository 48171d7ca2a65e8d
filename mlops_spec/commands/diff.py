"""``mlops-spec diff --base REF [SPEC ...]``: what changed in meaning, and its change class.

The spec at REF is read with git (never from the working tree) and compared with the
working tree field by field, defaults applied (docs/governance.md). Exit 0 (the diff is a
report, not a decision; ``check`` decides), 1 when a head spec is invalid, 2 on bad input.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("specs", nargs="*", metavar="SPEC",
                        help="spec files or directories (default: every spec that differs "
                             "from the base)")
    parser.add_argument("--base", metavar="REF", required=True,
                        help="the branch, tag or commit to compare with")
    parser.add_argument("--format", choices=("text", "json"), default="text",
                        help="output format (default: text)")


def _value(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 100 else text[:99] + "…"


def run(args: argparse.Namespace) -> int:
    from mlops_spec.diagnostics.formatters import text as text_diagnostics
    from mlops_spec.gate_inputs import collect
    from mlops_spec.govern.gate import semantic_changes
    from mlops_spec.govern.report import change_object

    inputs = collect(list(args.specs), args.base, None, Path.cwd())
    rows: list[dict[str, Any]] = []
    lines: list[str] = []
    code = 0
    for item in inputs.items:
        changes, diagnostics = semantic_changes(item)
        if diagnostics:
            code = 1
            lines.append(text_diagnostics(diagnostics, {}).rstrip("\n"))
        for c in changes:
            rows.append({"spec": item.path, **change_object(c)})
            lines.append(f"{item.path}: {c.cls:<24} {c.change.dotted}: "
                         f"{_value(c.change.before)} -> {_value(c.change.after)}")
        for note in dict.fromkeys(c.note for c in changes if c.note is not None):
            lines.append(f"{item.path}: note: {note}")
        if not changes and not diagnostics:
            lines.append(f"{item.path}: no change in meaning")
    if args.format == "json":
        sys.stdout.write(json.dumps({"base": {"ref": args.base, "sha": inputs.base_sha},
                                     "changes": rows}, indent=2, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write("\n".join(lines) + ("\n" if lines else "no spec changed\n"))
    return code
