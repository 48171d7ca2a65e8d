"""The Jenkins *Promote* stage (Argo CD delivery, Jenkins deploying): the same two
``promotion-pr`` commands as the GitHub ``promote`` job (``render/promotion.py``), on a
fresh agent and a clean checkout (no model code ran in its workspace). The first
environment's pull request only after a build that trained (``MLOPS_TRAINED``, set by the
*Decide whether to train* stage) and so uploaded; ``--after`` the last successful build's
commit on every build of main."""

from __future__ import annotations

from dataclasses import dataclass

from mlops_spec.conventions import GITHUB_TOKEN_SECRET
from mlops_spec.render import promotion
from mlops_spec.render.install import job_requirement
from mlops_spec.spec.sections import Spec

REQUIREMENT_VARIABLE = "MLOPS_SPEC_PROMOTE_REQUIREMENT"


@dataclass(frozen=True, slots=True)
class Promote:
    first: str
    """The first environment: the one a freshly trained version is proposed to."""
    credential: str
    """The Jenkins credential (a GitHub token) that opens the pull requests."""
    requirement: str
    minutes: int = promotion.PROMOTE_MINUTES


def promote(spec: Spec, owner: bool) -> Promote | None:
    """The stage, where this Jenkinsfile owns delivery and versions are promoted by pull
    request; else None."""
    if not owner or not promotion.by_pull_request(spec):
        return None
    return Promote(first=spec.deployment.environments[0].name,
                   credential=GITHUB_TOKEN_SECRET,
                   requirement=job_requirement(spec, "promotion-pr"))
