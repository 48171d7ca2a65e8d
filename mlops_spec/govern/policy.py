"""The policy in force for one pull request: the base branch's, tightened by the head's.

The base branch decides what a change needs (its checklist, risk tier, class table and who
holds each role), because the pull request is what is being judged: a PR that deletes a
check or adds its author to a role must not thereby pass. Stricter additions in the PR
apply at once; loosening waits until it is merged (and needs approval as
``governance-weakened``). A spec with no base (new in the PR, unreadable on base, or no
``--base`` given) is held to its own policy plus the strictest floor.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from mlops_spec.govern.classes import RISK_ORDER
from mlops_spec.spec.sections import Owners, Spec

FLOORS: dict[str, tuple[str, ...]] = {
    "low": (),
    "medium": ("pii-lawful-basis", "promotion-thresholds"),
    "high": ("data-provenance", "pii-lawful-basis", "model-card", "promotion-thresholds",
             "monitoring-configured"),
}
"""Checks a risk tier cannot go without, whatever its checklist says."""
COMPARISON_CHECK = "champion-challenger"
"""Required while ``vs_production`` is set on either side (the base's stays in force)."""


class Bound(NamedTuple):
    metric: str
    min: float | None
    max: float | None


class Comparison(NamedTuple):
    metric: str
    max_drop: float


class Policy(NamedTuple):
    checks: dict[str, tuple[str, ...]]
    """Check id -> roles that must attest it (empty for automated checks), in order."""
    floor: str
    owners: Owners
    """Who holds each role: the base's (the head's only when there is no base)."""
    thresholds: list[Bound]
    comparisons: list[Comparison]
    has_base: bool


def _merge_roles(first: tuple[str, ...], second: Sequence[str]) -> tuple[str, ...]:
    return first + tuple(r for r in second if r not in first)


def in_force(base: Spec | None, head: Spec) -> Policy:
    """The checks, bounds and role holders that decide this head."""
    checks: dict[str, tuple[str, ...]] = {}
    for spec in (base, head):
        if spec is None:
            continue
        for item in spec.governance.checklist:
            checks[item.id] = _merge_roles(checks.get(item.id, ()), item.attested_by)
    tier = "high" if base is None else max(base.risk_tier, head.risk_tier,
                                           key=RISK_ORDER.__getitem__)
    for check_id in FLOORS[tier]:
        checks.setdefault(check_id, ())
    comparisons = _comparisons(base, head)
    if comparisons:  # a comparison in force is checked, whatever either checklist says
        checks.setdefault(COMPARISON_CHECK, ())
    return Policy(checks=checks, floor=tier, owners=(base or head).owners,
                  thresholds=_thresholds(base, head), comparisons=comparisons,
                  has_base=base is not None)


def _thresholds(base: Spec | None, head: Spec) -> list[Bound]:
    """Per metric the stricter bound of either side: a bound removed on head stays."""
    sides = [s.model.promotion.thresholds for s in (base, head) if s is not None]
    out = []
    for metric in dict.fromkeys(m for side in sides for m in side):
        lows = [b.min for side in sides if (b := side.get(metric)) and b.min is not None]
        highs = [b.max for side in sides if (b := side.get(metric)) and b.max is not None]
        out.append(Bound(metric, max(lows) if lows else None, min(highs) if highs else None))
    return out


def _comparisons(base: Spec | None, head: Spec) -> list[Comparison]:
    by_metric: dict[str, float] = {}
    for spec in (base, head):
        vs = spec.model.promotion.vs_production if spec is not None else None
        if vs is not None:
            by_metric[vs.metric] = min(by_metric.get(vs.metric, vs.max_drop), vs.max_drop)
    return [Comparison(m, d) for m, d in by_metric.items()]
