"""``mlops-spec check [SPEC ...] --base REF``: the governance gate (docs/governance.md).

Reads the base branch's policy with git, the head from the working tree, the reviews from
``--approvals`` and the trainer's ``--evaluation``; decides pass / fail / pending per spec.
Exit 0 when every spec passes, 1 when one fails or is pending, 2 on unusable input.

``check SPEC --promotion --evaluation FILE`` gates only the trained model against the
spec's promotion rules (what main runs after training, before storing the version).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from mlops_spec.govern.checks import PASS

if TYPE_CHECKING:
    from mlops_spec.govern.approvals import Approvals
    from mlops_spec.govern.gate import SpecResult

FORMATS = ("text", "json", "markdown", "github")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("specs", nargs="*", metavar="SPEC",
                        help="spec files or directories (default: with --base, every spec "
                             "that differs from the base; without, the current directory)")
    parser.add_argument("--base", metavar="REF",
                        help="the pull request's base (branch, tag or commit): its policy "
                             "and owners are in force; omitted, the spec is gated as new")
    parser.add_argument("--approvals", metavar="FILE", type=Path,
                        help="the reviews, as `mlops-spec approvals` writes them; omitted, "
                             "every required approval is pending")
    parser.add_argument("--evaluation", metavar="FILE", type=Path,
                        help="the trainer's evaluation.json for this head")
    parser.add_argument("--promotion", action="store_true",
                        help="only the promotion rules (model.promotion: thresholds, "
                             "vs_production) against --evaluation, for the version main "
                             "trained; no base, no approvals")
    parser.add_argument("--report", metavar="FILE", type=Path,
                        help="also write the JSON report here (atomically)")
    parser.add_argument("--format", choices=FORMATS, default="text",
                        help="output format (default: text)")


def read_approvals(path: Path | None) -> Approvals | None:
    from mlops_spec.govern.approvals import ApprovalsError, parse

    if path is None:
        return None
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ApprovalsError.single("G004", f"cannot read the approvals file: "
                                    f"{exc.strerror}", str(path),
                                    hint="pass the file `mlops-spec approvals` wrote") from None
    return parse(raw, str(path))


def write_atomically(path: Path, text: str) -> None:
    directory = path.parent if str(path.parent) else Path()
    directory.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        Path(tmp).replace(path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _promotion(args: argparse.Namespace) -> list[SpecResult]:
    from mlops_spec import evaluation as evaluation_file
    from mlops_spec.commands._spec import load_valid_spec
    from mlops_spec.diagnostics import Diagnostic, InputError
    from mlops_spec.govern.promotion_gate import gate_promotion

    problem = ("it needs --evaluation (the evaluation.json train wrote)"
               if args.evaluation is None else
               "it gates one trained model alone: no --base, no --approvals"
               if args.base or args.approvals else
               "it gates one spec" if len(args.specs) > 1 else None)
    if problem:
        raise InputError([Diagnostic("G280", f"check --promotion: {problem}", "<command line>",
                                     hint="mlops-spec check SPEC --promotion --evaluation "
                                          "OUT/evaluation.json")])
    from mlops_spec.store.champion import resolve

    path, spec = load_valid_spec(Path(args.specs[0] if args.specs else "."),
                                 "gating its promotion", code="G280")
    evaluation = evaluation_file.read(args.evaluation)
    # What the merged commit says production serves: the champion training must have
    # compared with (G270/G271 when it did not reach the store or compared with another).
    return [gate_promotion(str(path), path.read_text(encoding="utf-8"), evaluation,
                           str(args.evaluation), resolve(spec, path))]


def run(args: argparse.Namespace) -> int:
    from mlops_spec import evaluation as evaluation_file
    from mlops_spec.gate_inputs import collect
    from mlops_spec.govern import report
    from mlops_spec.govern.gate import gate_spec

    if args.promotion:
        results, base_sha, head_sha = _promotion(args), None, None
    else:
        approvals = read_approvals(args.approvals)
        evaluation = evaluation_file.read(args.evaluation) if args.evaluation else None
        inputs = collect(list(args.specs), args.base, approvals, Path.cwd())
        only = len(inputs.items) == 1
        results = [gate_spec(item, approvals, evaluation,
                             str(args.evaluation) if args.evaluation else None, only)
                   for item in inputs.items]
        base_sha, head_sha = inputs.base_sha, inputs.head_sha
    data = report.build(results, args.base, base_sha, head_sha)
    if args.report:
        write_atomically(args.report, report.as_json(data))
    if args.format == "json":
        out = report.as_json(data)
    elif args.format == "markdown":
        out = "\n".join(spec["markdown"] for spec in data["specs"]) or "No spec changed.\n"
    elif args.format == "github":
        out = report.as_github(results, data)
    else:
        out = report.as_text(results, data)
    sys.stdout.write(out)
    return 0 if data["verdict"] == PASS else 1
