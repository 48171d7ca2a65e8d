"""``mlops-spec retrain-pr``: open or update the model's retrain pull request."""

from __future__ import annotations

import argparse
from pathlib import Path

from mlops_spec.diagnostics import require


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", required=True, help="the spec's name")
    parser.add_argument("--evaluation", required=True, type=Path, metavar="FILE",
                        help="the retrained model's evaluation.json")
    parser.add_argument("--record", required=True, metavar="PATH",
                        help="where the evaluation is committed (repository-relative)")
    parser.add_argument("--trigger", default="manual",
                        help="what started the retrain (monitoring, schedule, ...): names "
                             "the branch")
    parser.add_argument("--repo", metavar="OWNER/NAME",
                        help="repository (default: $GITHUB_REPOSITORY)")
    parser.add_argument("--base", metavar="BRANCH",
                        help="base branch (default: $GITHUB_REF_NAME, else the default branch)")
    parser.add_argument("--workflow-token", action="store_true",
                        help="the token is GITHUB_TOKEN: say in the pull request that GitHub "
                             "starts no checks for it")


def run(args: argparse.Namespace) -> int:
    require("github3", "bot", "mlops-spec retrain-pr")
    from mlops_spec.bot.errors import settled
    from mlops_spec.bot.retrain import Options
    from mlops_spec.bot.retrain import run as retrain_pr

    with settled("open the retrain pull request"):
        return retrain_pr(Options(model=args.model, evaluation=args.evaluation,
                                  record=args.record, trigger=args.trigger, repo=args.repo,
                                  base=args.base, workflow_token=args.workflow_token))
