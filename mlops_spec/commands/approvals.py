"""``mlops-spec approvals``: the pull request's reviews as JSON for ``check --approvals``."""

from __future__ import annotations

import argparse
from pathlib import Path

from mlops_spec.diagnostics import require


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--repo", metavar="OWNER/NAME",
                        help="repository (default: $GITHUB_REPOSITORY)")
    parser.add_argument("--pr", type=int, metavar="N",
                        help="pull request number (default: from $GITHUB_EVENT_PATH)")
    parser.add_argument("--spec", type=Path, metavar="SPEC",
                        help="the spec whose owners' teams to resolve (read at --base)")
    parser.add_argument("--base", metavar="REF",
                        help="git ref of the base branch (default: the event's base commit)")


def run(args: argparse.Namespace) -> int:
    require("github3", "bot", "mlops-spec approvals")
    from mlops_spec.bot.approvals import Options
    from mlops_spec.bot.approvals import run as approvals
    from mlops_spec.bot.errors import settled

    with settled("read the approvals"):
        return approvals(Options(repo=args.repo, pr=args.pr, spec=args.spec,
                                 base=args.base))
