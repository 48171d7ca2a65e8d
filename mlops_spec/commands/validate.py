"""``mlops-spec validate [PATH ...]``: report every problem in every spec, with its place."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from mlops_spec.diagnostics import Diagnostic
from mlops_spec.spec.validate import Result, discover, validate_file


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="*", default=["."], metavar="PATH",
                        help="spec files, or directories searched for mlops.yaml "
                             "(default: the current directory)")
    parser.add_argument("--format", choices=("text", "json", "github", "markdown"),
                        default="text", help="output format (default: text)")
    parser.add_argument("-q", "--quiet", action="store_true",
                        help="print findings only, no summary line")


Item = tuple[str, Path | None]
"""A spec to validate: (the name to show, its path); no path for a directory without one."""


def expand(paths: list[str]) -> list[Item]:
    """The spec files named by ``paths``: files as given, directories searched."""
    items: list[Item] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = list(discover(path))
            if not found:
                items.append((raw, None))
            items += [(str(p), p) for p in found]
        else:
            items.append((raw, path))
    return items


def validate_item(item: Item) -> Result:
    raw, path = item
    if path is None:
        return Result(file=raw, unreadable=True, diagnostics=[Diagnostic(
            code="L001", message="no mlops.yaml found in this directory", file=raw,
            hint="pass the spec file itself, or a directory that contains one")])
    return validate_file(path, raw)


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


PARALLEL_MIN_SPECS = 40
"""Validating at least this many specs uses every core; fewer are not worth the workers."""


def _in_chunks(items: list[Item], output_format: str) -> list[Report]:
    if len(items) < PARALLEL_MIN_SPECS:
        return [report(items, output_format)]  # before importing multiprocessing: startup
    import multiprocessing
    import os

    workers = min(os.cpu_count() or 1, len(items) // (PARALLEL_MIN_SPECS // 2))
    if workers < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return [report(items, output_format)]
    from concurrent.futures import ProcessPoolExecutor

    size = -(-len(items) // workers)
    chunks = [items[i:i + size] for i in range(0, len(items), size)]
    # Forked workers inherit the loaded models and validator: no second cold start.
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=len(chunks), mp_context=context) as pool:
        return list(pool.map(report, chunks, [output_format] * len(chunks)))


def run(args: argparse.Namespace) -> int:
    items = expand(args.paths)
    reports = _in_chunks(items, args.format)
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
