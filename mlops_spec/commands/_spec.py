"""The SPEC argument of the model-lifecycle commands: a file, or a directory holding one.

The spec must be valid before anything is trained, monitored, stored or fetched: its
diagnostics are printed as ``validate`` prints them and the command exits 2.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from mlops_spec.diagnostics import Diagnostic, InputError
from mlops_spec.spec.sections import Spec


def add_spec_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("spec", nargs="?", default=".", metavar="SPEC",
                        help="mlops.yaml, or a directory holding one (default: .)")


def load_valid_spec(target: Path, doing: str, code: str = "A009") -> tuple[Path, Spec]:
    """The spec file and its model; ``code`` is the command family's (A009, D006)."""
    from mlops_spec.spec.validate import discover, validate_file

    path = target
    if target.is_dir():
        found = list(discover(target))
        if len(found) != 1:
            problem = "no mlops.yaml" if not found else f"{len(found)} specs"
            raise InputError([Diagnostic(code=code, message=f"{problem} in this directory",
                                         file=str(target), hint="pass the spec file")])
        path = found[0]
    result = validate_file(path)
    if result.spec is None or not result.ok:
        from mlops_spec.diagnostics.formatters import FORMATTERS

        sources = {result.file: result.document} if result.document else {}
        sys.stderr.write(FORMATTERS["text"](result.diagnostics, sources))
        raise InputError([Diagnostic(code=code, message="the spec is not valid",
                                     file=result.file,
                                     hint=f"fix it (mlops-spec validate) before {doing}")])
    return path, result.spec
