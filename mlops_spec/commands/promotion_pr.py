"""``mlops-spec promotion-pr``: open or update an environment's promotion pull request, or,
with ``--after REF``, the next environment's after a merged promotion."""

from __future__ import annotations

import argparse
from pathlib import Path

from mlops_spec.diagnostics import require


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("spec", type=Path, metavar="SPEC",
                        help="the mlops.yaml, in a checkout of the base branch")
    parser.add_argument("--environment", metavar="NAME",
                        help="the environment to promote (its previous environment must "
                             "already pin the version); with --version")
    parser.add_argument("--version", metavar="VERSION",
                        help="the model version to pin (as `mlops-spec upload` stored it)")
    parser.add_argument("--after", metavar="REF",
                        help="instead of --environment/--version: the commit before this "
                             "push (GitHub: github.event.before); when the push changed an "
                             "environment's pin to V, promote V to the next environment")
    parser.add_argument("--auto-merge", action="store_true",
                        help="when the promoted environment has auto_deploy: true, have "
                             "GitHub merge the pull request once its required checks pass")
    parser.add_argument("--repo", metavar="OWNER/NAME",
                        help="repository (default: $GITHUB_REPOSITORY)")
    parser.add_argument("--base", metavar="BRANCH",
                        help="base branch (default: $GITHUB_REF_NAME, else the default branch)")


def run(args: argparse.Namespace) -> int:
    from mlops_spec.bot.errors import BotError

    if args.after is not None and (args.environment or args.version):
        raise BotError.of("B040", "--after finds the environment and the version itself: "
                                  "it takes no --environment or --version",
                          "pass --after REF alone, or --environment NAME --version V")
    if args.after is None and not (args.environment and args.version):
        raise BotError.of("B040", "promotion-pr needs --environment and --version (or "
                                  "--after REF)",
                          "e.g. --environment staging --version <the uploaded commit>")
    require("github3", "bot", "mlops-spec promotion-pr")
    from mlops_spec.bot.errors import settled
    from mlops_spec.bot.promotion import Options
    from mlops_spec.bot.promotion import run as promotion_pr
    from mlops_spec.bot.promotion_chain import run as chain

    options = Options(spec_file=args.spec, environment=args.environment or "",
                      version=args.version or "", repo=args.repo, base=args.base,
                      auto_merge=args.auto_merge)
    with settled("open the promotion pull request"):
        if args.after is not None:
            return chain(options, args.after)
        return promotion_pr(options)
