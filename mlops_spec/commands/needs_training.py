"""``mlops-spec needs-training SPEC --base REF``: does this commit need a training run?

Prints ``train=true|false`` and ``reason=...`` lines (append them to ``$GITHUB_OUTPUT``),
or JSON with ``--format json``. Exit 0 whatever the answer; with ``--exit-code``, 1 when
training is needed (for ``sh(returnStatus: true)`` in Jenkins). 2 on bad input.
See docs/delivery.md ("Build once").
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("spec", type=Path, metavar="SPEC", help="the mlops.yaml")
    parser.add_argument("--base", metavar="REF", required=True,
                        help="the commit the last build was made from (GitHub: "
                             "github.event.before; Jenkins: GIT_PREVIOUS_SUCCESSFUL_COMMIT); "
                             "empty or all zeros: unknown, so train")
    parser.add_argument("--head", metavar="REF", default="HEAD",
                        help="the commit being built (default: HEAD)")
    parser.add_argument("--format", choices=("text", "json"), default="text",
                        help="text: key=value lines (default); json: the decision with "
                             "every changed field and file")
    parser.add_argument("--exit-code", action="store_true",
                        help="exit 1 when training is needed, 0 when not")


def run(args: argparse.Namespace) -> int:
    from mlops_spec.training_need import decide

    decision = decide(args.spec, args.base, args.head)
    if args.format == "json":
        sys.stdout.write(json.dumps(decision._asdict(), indent=2, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(f"train={'true' if decision.train else 'false'}\n"
                         f"reason={decision.reason}\n")
    return 1 if args.exit_code and decision.train else 0
