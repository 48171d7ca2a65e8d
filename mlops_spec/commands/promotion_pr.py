"""``mlops-spec promotion-pr``: open or update an environment's promotion pull request."""

from __future__ import annotations

import argparse
from pathlib import Path

from mlops_spec.diagnostics import require


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("spec", type=Path, metavar="SPEC",
                        help="the mlops.yaml, in a checkout of the base branch")
    parser.add_argument("--environment", required=True, metavar="NAME",
                        help="the environment to promote (its previous environment must "
                             "already pin the version)")
    parser.add_argument("--version", required=True, metavar="VERSION",
                        help="the model version to pin (as `mlops-spec upload` stored it)")
    parser.add_argument("--repo", metavar="OWNER/NAME",
                        help="repository (default: $GITHUB_REPOSITORY)")
    parser.add_argument("--base", metavar="BRANCH",
                        help="base branch (default: $GITHUB_REF_NAME, else the default branch)")


def run(args: argparse.Namespace) -> int:
    require("github3", "bot", "mlops-spec promotion-pr")
    from mlops_spec.bot.errors import settled
    from mlops_spec.bot.promotion import Options
    from mlops_spec.bot.promotion import run as promotion_pr

    with settled("open the promotion pull request"):
        return promotion_pr(Options(spec_file=args.spec, environment=args.environment,
                                    version=args.version, repo=args.repo, base=args.base))
