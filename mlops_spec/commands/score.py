"""``mlops-spec score``: batch-score a CSV or Parquet file with a trained model.

    mlops-spec score [SPEC] --model DIR --input DATA --output DATA [--shard i/N] [--quiet]

Streams the input in chunks (memory stays flat), applies the spec's PII handling to the
features as training did, and writes the input's columns (PII columns not kept are left
out) with ``prediction`` (and ``probability``) to ``--output`` (.csv or .parquet, written
atomically). ``--shard i/N`` scores the i-th of N contiguous row ranges (0-based), what each
pod of the batch CronJob's Indexed Job runs. Exit 0, or 2 for an input error.
"""

from __future__ import annotations

import argparse
from pathlib import Path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("spec", nargs="?", default=".", metavar="SPEC",
                        help="mlops.yaml, or a directory holding one (default: .)")
    parser.add_argument("--model", required=True, metavar="DIR",
                        help="a directory train wrote (holding model.skops)")
    parser.add_argument("--input", required=True, metavar="DATA",
                        help="rows to score, .csv or .parquet")
    parser.add_argument("--output", required=True, metavar="DATA",
                        help="where scores are written, .csv or .parquet")
    parser.add_argument("--shard", metavar="i/N",
                        help="score only the i-th of N row ranges (0-based)")
    parser.add_argument("--quiet", action="store_true", help="no progress lines on stderr")


def run(args: argparse.Namespace) -> int:
    from mlops_spec.train.batch import parse_shard, score
    from mlops_spec.train.dataset import refuse_remote
    from mlops_spec.train.progress import Progress
    from mlops_spec.train.specfile import load_spec

    for option, value in (("--input", args.input), ("--output", args.output)):
        refuse_remote(value, option, "<command line>")
    shard = parse_shard(args.shard) if args.shard else None
    _, spec = load_spec(Path(args.spec), "score")
    rows = score(spec, Path(args.model), Path(args.input), Path(args.output), shard,
                 Progress(args.quiet))
    part = f" (shard {shard.index}/{shard.count})" if shard else ""
    print(f"scored {rows:,} rows{part} into {args.output}")
    return 0
