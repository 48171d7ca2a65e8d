"""``mlops-spec submit-training``: train in the cluster and bring the outputs back.

    mlops-spec submit-training [SPEC] --out DIR [--version V] [--timeout S] [--quiet]

For ``training.platform: kubernetes``: creates a uniquely named training Job (and the
ConfigMap holding the spec) in the first environment's namespace with ``kubectl``, waits
for it (at most ``training.timeout_minutes`` plus a start margin, or ``--timeout``), then
fetches what its pod uploaded to ``<store>/_runs/<run>/`` into DIR, verified: the layout
``train --out`` writes, so evaluate, check and upload work on it unchanged. Exit 0 trained;
2 kubectl or cluster access missing, the Job failed (its logs are printed) or timed out
(it is deleted), the outputs are not in the store. See docs/training.md.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from mlops_spec.commands._spec import add_spec_argument, load_valid_spec
from mlops_spec.render.kubernetes.common import UNSET_VERSION, VERSION_KEY


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_spec_argument(parser)
    parser.add_argument("--out", required=True, metavar="DIR",
                        help="a new or empty directory for the outputs (CI uses "
                             ".mlops-spec/out)")
    parser.add_argument("--version", metavar="V",
                        help=f"the version being trained (default: ${VERSION_KEY} when set), "
                             "the Job's version label and the start of its run id")
    parser.add_argument("--timeout", type=_seconds, metavar="S",
                        help="wait at most S seconds (default and upper bound: "
                             "training.timeout_minutes plus the start margin)")
    parser.add_argument("--quiet", action="store_true", help="no progress lines on stderr")


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not 0 < value <= 7 * 24 * 3600:
        raise argparse.ArgumentTypeError("the timeout is more than 0 and at most a week")
    return value


def run(args: argparse.Namespace) -> int:
    from mlops_spec import evaluation
    from mlops_spec.store.versions import check_version
    from mlops_spec.train import TrainError
    from mlops_spec.train.cluster import submit

    version = args.version or os.environ.get(VERSION_KEY, "")
    version = check_version(version, "--version" if args.version else VERSION_KEY) if (
        version and version != UNSET_VERSION) else None
    spec_file, spec = load_valid_spec(Path(args.spec), "submitting training", code="T015")
    if spec.training.platform != "kubernetes":
        raise TrainError.single(
            "T247", "training.platform is not kubernetes: nothing to submit", str(spec_file),
            hint="run `mlops-spec train`, or set training.platform: kubernetes")
    out = Path(args.out)
    trained = submit(spec, spec_file, out, version, args.timeout, say=not args.quiet)
    record = evaluation.read(out / evaluation.FILENAME)
    metrics = ", ".join(f"{k} {v}" for k, v in sorted(record.metrics.items()))
    print(f"trained {spec.name} in the cluster (job/{trained.job} in {trained.namespace}, "
          f"run {trained.run}, {trained.seconds:.0f}s): {metrics}; promotion "
          f"{record.decision}; fetched {trained.files} files into {out}")
    return 0
