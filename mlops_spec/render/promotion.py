"""Promotion by pull request in the deploying pipeline (Argo CD delivery): what the GitHub
``promote`` job and the Jenkins *Promote* stage run, decided once for both.

Two commands, each with ``--auto-merge`` (the command enables auto-merge only where the
environment has ``auto_deploy: true``):

* after a build that trained and stored a version: the **first** environment's promotion
  pull request, ``promotion-pr --environment <first> --version <this commit>``;
* after every push to main, trained or not: ``promotion-pr --after <previous commit>``,
  which opens the **next** environment's pull request when the push merged a promotion
  (a merge of a promotion pull request changes a pin only, so nothing trains then).

The job runs no model code; its token opens pull requests: on GitHub ``MLOPS_PR_TOKEN``
when ``ci.secrets`` lists it (GitHub starts no workflow for a pull request opened with the
workflow's own ``GITHUB_TOKEN``, M220), else that token; on Jenkins the ``GITHUB_TOKEN``
credential that publishes the gate report (not the workflow's token: its pull requests
start checks).
"""

from __future__ import annotations

from typing import Any

from mlops_spec.conventions import PR_TOKEN_SECRET, STEP_MINUTES
from mlops_spec.render import push
from mlops_spec.render.escaping import Escaped, github_secret, literal
from mlops_spec.spec.sections import Spec

PROMOTE_MINUTES = 2 * STEP_MINUTES
"""Install, then at most two pull requests written through the API."""


def by_pull_request(spec: Spec) -> bool:
    """Whether versions reach environments by promotion pull request (Argo CD delivery)."""
    return spec.deployment.platform is not None and not push.ci_deploys(spec)


def github_context(spec: Spec, main_only: str, upstream: str) -> dict[str, Any]:
    """The deploy workflow's ``promote`` job: after ``upstream`` (``upload``, or ``train``
    without a remote store) and ``decide``, also when they were skipped (a pin-only push):
    never after a failure or a cancellation, on main only."""
    return {
        "first": spec.deployment.environments[0],
        "promote_group": f"mlops-{spec.name}-promote",
        "promote_needs": ["decide", upstream],
        "promote_if": literal(f"!cancelled() && !failure() && {main_only}"),
        # The first environment gets this commit only when it was stored just now.
        "first_if": literal(f"needs.{upstream}.result == 'success'"),
        "token": pull_request_token(spec),
    }


def pull_request_token(spec: Spec) -> Escaped:
    """MLOPS_PR_TOKEN when declared, else the job's own token: GitHub starts no checks on a
    pull request the job's own token opens, so only with it does the gate run on the bot's
    pull requests (promotion and retrain) unattended."""
    return (github_secret(PR_TOKEN_SECRET) if PR_TOKEN_SECRET in spec.ci.secrets
            else literal("${{ github.token }}"))
