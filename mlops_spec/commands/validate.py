"""``mlops-spec validate [PATH ...]``: report every problem in every spec, with its place."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from mlops_spec.diagnostics import Diagnostic
from mlops_spec.validate import Result, discover, validate_file


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


def collect(paths: list[str]) -> list[Result]:
    return [validate_item(item) for item in expand(paths)]


def run(args: argparse.Namespace) -> int:
    from mlops_spec.formatters import FORMATTERS

    results = collect(args.paths)
    diagnostics = [d for r in results for d in r.diagnostics]
    sources = {r.file: r.document for r in results if r.document is not None}
    if args.format == "json":
        import json

        payload = {
            "files": [{"file": r.file, "valid": r.ok,
                       "errors": sum(d.is_error for d in r.diagnostics),
                       "warnings": sum(not d.is_error for d in r.diagnostics)}
                      for r in results],
            "diagnostics": json.loads(FORMATTERS["json"](diagnostics, sources)),
        }
        sys.stdout.write(json.dumps(payload, indent=2) + "\n")
    else:
        sys.stdout.write(FORMATTERS[args.format](diagnostics, sources))
        if args.format == "text" and not args.quiet:
            _summary(results)
    return max((r.exit_code for r in results), default=0)


def _summary(results: list[Result]) -> None:
    errors = sum(d.is_error for r in results for d in r.diagnostics)
    warnings = sum(not d.is_error for r in results for d in r.diagnostics)
    valid = sum(r.ok for r in results)
    noun = "spec" if len(results) == 1 else "specs"
    parts = [f"{valid} of {len(results)} {noun} valid"]
    if errors:
        parts.append(f"{errors} error{'s' * (errors != 1)}")
    if warnings:
        parts.append(f"{warnings} warning{'s' * (warnings != 1)}")
    stream = sys.stdout if errors == 0 else sys.stderr
    print(", ".join(parts), file=stream)
