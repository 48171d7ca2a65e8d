"""``mlops-spec train``: fit the spec's pipeline and write the model and its evidence.

    mlops-spec train [SPEC] --out DIR [--champion DIR] [--quiet]

Writes the output layout of docs/training.md into DIR (atomically: a failed run leaves DIR
as it was) and prints the metrics and the promotion decision. Exit codes: 0 trained (the
promotion decision is evidence for ``check``, not an exit code), 2 input error.
"""

from __future__ import annotations

import argparse
from pathlib import Path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("spec", nargs="?", default=".", metavar="SPEC",
                        help="mlops.yaml, or a directory holding one (default: .)")
    parser.add_argument("--out", required=True, metavar="DIR",
                        help="output directory (CI uses .mlops-spec/out)")
    parser.add_argument("--champion", metavar="DIR",
                        help="a previous version's directory (what train wrote); its model "
                             "is evaluated on the same held-out rows for vs_production "
                             "(default: the version production serves, from the store)")
    parser.add_argument("--quiet", action="store_true", help="no progress lines on stderr")


def run(args: argparse.Namespace) -> int:
    from mlops_spec.train.production import champion_dir
    from mlops_spec.train.progress import Progress
    from mlops_spec.train.run import train
    from mlops_spec.train.specfile import load_spec

    spec_file, spec = load_spec(Path(args.spec), "train")
    progress = Progress(args.quiet)
    given = Path(args.champion) if args.champion else None
    with champion_dir(spec, spec_file, given, progress) as champion:
        evaluated = train(spec, spec_file, Path(args.out), champion, progress)
    metrics = ", ".join(f"{k} {v}" for k, v in sorted(evaluated.metrics.items()))
    print(f"trained {spec.name}: {metrics}; promotion {evaluated.decision}; wrote {args.out}")
    return 0
