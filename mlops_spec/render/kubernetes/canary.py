"""The canary step plan for KServe, which knows one percentage, not steps.

The production overlay applies the new version at the first step's weight
(``canaryTrafficPercent``); ``mlops-spec rollout`` then walks this plan: at each step it
sets the percentage, waits until the new revision is ready, watches it for the step's
pause, and checks again; after the last step it sends 100%. Any failed check sets the
percentage to 0 (all traffic back on the previous revision, which KServe keeps) and fails.
A step without a pause stops the walk there: a person continues it with ``--from-step``.
Earlier environments take the new version at once (no ``canaryTrafficPercent``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from mlops_spec.render.kubernetes import kserve
from mlops_spec.spec.sections import Spec

_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600}


@dataclass(frozen=True)
class Step:
    percent: int
    """canaryTrafficPercent for the new revision during this step (100: promoted)."""
    pause_seconds: int | None
    """How long to watch before the next step; None: stop and wait for a person."""


def seconds(duration: str) -> int:
    """A spec Duration (``15m``, ``30s``, ``2h``) in seconds."""
    return int(duration[:-1]) * _UNIT_SECONDS[duration[-1]]


def uses_steps(spec: Spec) -> bool:
    return (kserve.deployment_mode(spec) is not None
            and spec.deployment.strategy.type == "canary")


def plan(spec: Spec) -> list[Step]:
    """Every step production walks, ending with the promotion to 100%."""
    if not uses_steps(spec):
        return [Step(100, 0)]
    steps = [Step(s.weight, None if s.pause is None else seconds(s.pause))
             for s in spec.deployment.strategy.steps if s.weight < 100]
    return [*steps, Step(100, 0)]


def traffic_patch(percent: int) -> str:
    """The merge patch that sets the new revision's share."""
    return json.dumps({"spec": {"predictor": {"canaryTrafficPercent": percent}}},
                      separators=(",", ":"))
