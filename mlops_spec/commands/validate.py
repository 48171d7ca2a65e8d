"""``mlops-spec validate [PATH ...]``: report every problem in every spec, with its place."""

from __future__ import annotations

import argparse
import sys

from mlops_spec.spec.validate import Item, expand, validate_item


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="*", default=["."], metavar="PATH",
                        help="spec files, or directories searched for mlops.yaml "
                             "(default: the current directory)")
    parser.add_argument("--format", choices=("text", "json", "github", "markdown"),
                        default="text", help="output format (default: text)")
    parser.add_argument("-q", "--quiet", action="store_true",
                        help="print findings only, no summary line")


class Report:
    """What the output needs from a run of specs (small enough to send between processes)."""

    def __init__(self, exit_code: int = 0, errors: int = 0, warnings: int = 0,
                 valid: int = 0) -> None:
        self.text = ""
        self.files: list[dict[str, object]] = []
        self.rows: list[dict[str, object]] = []
        self.exit_code = exit_code
        self.errors = errors
        self.warnings = warnings
        self.valid = valid


def report(items: list[Item], output_format: str) -> Report:
    """Validate ``items`` and format their findings (runs in a worker for big monorepos)."""
    from mlops_spec.diagnostics.formatters import FORMATTERS, diagnostic_row

    results = [validate_item(item) for item in items]
    diagnostics = [d for r in results for d in r.diagnostics]
    out = Report(exit_code=max((r.exit_code for r in results), default=0),
                 errors=sum(d.is_error for d in diagnostics),
                 warnings=sum(not d.is_error for d in diagnostics),
                 valid=sum(r.ok for r in results))
    if output_format == "json":
        out.files = [{"file": r.file, "valid": r.ok,
                      "errors": sum(d.is_error for d in r.diagnostics),
                      "warnings": sum(not d.is_error for d in r.diagnostics)}
                     for r in results]
        out.rows = [diagnostic_row(d) for d in diagnostics]
    else:
        sources = {r.file: r.document for r in results if r.document is not None}
        out.text = FORMATTERS[output_format](diagnostics, sources)
    return out


def run(args: argparse.Namespace) -> int:
    items = expand(args.paths)
    from mlops_spec.parallel import in_chunks

    reports = in_chunks(report, items, args.format)
    if args.format == "json":
        import json

        payload = {"files": [f for r in reports for f in r.files],
                   "diagnostics": [row for r in reports for row in r.rows]}
        sys.stdout.write(json.dumps(payload, indent=2) + "\n")
    else:
        sys.stdout.write("".join(r.text for r in reports))
        if args.format == "text" and not args.quiet:
            _summary(reports, len(items))
    return max((r.exit_code for r in reports), default=0)


def _summary(reports: list[Report], total: int) -> None:
    errors = sum(r.errors for r in reports)
    warnings = sum(r.warnings for r in reports)
    valid = sum(r.valid for r in reports)
    noun = "spec" if total == 1 else "specs"
    parts = [f"{valid} of {total} {noun} valid"]
    if errors:
        parts.append(f"{errors} error{'s' * (errors != 1)}")
    if warnings:
        parts.append(f"{warnings} warning{'s' * (warnings != 1)}")
    stream = sys.stdout if errors == 0 else sys.stderr
    print(", ".join(parts), file=stream)
