"""``mlops-spec evaluate``: re-evaluate a trained model, optionally against a champion.

    mlops-spec evaluate [SPEC] --model DIR [--data PATH] [--champion DIR] --out DIR

Without ``--data`` the spec's sources are split as declared and the held-out rows are
used (the same rows train used); ``--data`` evaluates on every row of one file holding all
the columns. Writes ``evaluation.json`` into ``--out``. Exit 0, or 2 for an input error.
"""

from __future__ import annotations

import argparse
from pathlib import Path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("spec", nargs="?", default=".", metavar="SPEC",
                        help="mlops.yaml, or a directory holding one (default: .)")
    parser.add_argument("--model", required=True, metavar="DIR",
                        help="a directory train wrote (holding model.skops)")
    parser.add_argument("--data", metavar="PATH",
                        help="evaluate on all rows of this .csv/.parquet file (or s3://, gs://, "
                             "az:// URI) instead")
    parser.add_argument("--champion", metavar="DIR",
                        help="the production version's directory, compared by "
                             "model.promotion.vs_production (default: the version "
                             "production serves, from the store)")
    parser.add_argument("--out", required=True, metavar="DIR",
                        help="where evaluation.json is written")
    parser.add_argument("--quiet", action="store_true", help="no progress lines on stderr")


def run(args: argparse.Namespace) -> int:
    from mlops_spec.train.dataset import is_remote
    from mlops_spec.train.production import champion_dir
    from mlops_spec.train.progress import Progress
    from mlops_spec.train.run import evaluate
    from mlops_spec.train.specfile import load_spec

    data: Path | str | None = None
    if args.data:  # a URI stays a string: Path would fold s3://b into s3:/b
        data = args.data if is_remote(args.data) else Path(args.data)
    spec_file, spec = load_spec(Path(args.spec), "evaluate")
    progress = Progress(args.quiet)
    given = Path(args.champion) if args.champion else None
    with champion_dir(spec, spec_file, given, progress) as champion:
        evaluated = evaluate(spec, spec_file, Path(args.model), data, champion,
                             Path(args.out), progress)
    metrics = ", ".join(f"{k} {v}" for k, v in sorted(evaluated.metrics.items()))
    print(f"evaluated {spec.name}: {metrics}; promotion {evaluated.decision}")
    return 0
