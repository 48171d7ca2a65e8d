"""``mlops-spec publish``: post the gate report on the pull request (docs/github-actions.md)."""

from __future__ import annotations

import argparse
from pathlib import Path

from mlops_spec.diagnostics import require


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--report", required=True, type=Path, metavar="FILE",
                        help="the JSON report of `mlops-spec check --report`")
    parser.add_argument("--repo", metavar="OWNER/NAME",
                        help="repository (default: $GITHUB_REPOSITORY)")
    parser.add_argument("--pr", type=int, metavar="N",
                        help="pull request number (default: from $GITHUB_EVENT_PATH)")
    parser.add_argument("--summary", action="store_true",
                        help="no API calls: write the report to the job summary and "
                             "annotations and exit with the gate's verdict (fork pull "
                             "requests, read-only token)")


def run(args: argparse.Namespace) -> int:
    if not args.summary:
        require("github3", "bot", "mlops-spec publish")
    from mlops_spec.bot.errors import settled
    from mlops_spec.bot.publish import Options
    from mlops_spec.bot.publish import run as publish

    with settled("publish the gate report"):
        return publish(Options(report=args.report, repo=args.repo, pr=args.pr,
                               summary=args.summary))
