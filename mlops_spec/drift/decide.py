"""Decisions: per feature, for the dataset, for performance, and the retrain trigger.

Pure functions of measurements and the spec; no I/O, no numpy.

* A feature drifts when its p-value is below the threshold (``ks``, ``chi_square``) or its
  statistic is at or above it (``psi``, ``wasserstein``, ``jensen_shannon``). A feature
  without any valid current value counts as drifted: it can no longer be trusted.
* The dataset drifts when ``drifted / watched >= drift.share``.
* Performance has decayed when the metric is below ``min`` or above ``max``.
* The retrain trigger fires for a finding that ``retrain.on`` lists; a spec without a
  ``retrain`` section triggers on every configured check.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from mlops_spec.drift.compare import Measurement
from mlops_spec.drift.plan import P_VALUE_METHODS, PlannedFeature
from mlops_spec.spec.sections import Retrain


@dataclass(frozen=True, slots=True)
class FeatureDecision:
    measurement: Measurement
    threshold: float
    drifted: bool


@dataclass(frozen=True, slots=True)
class DriftDecision:
    features: tuple[FeatureDecision, ...]
    share: float
    """The spec's ``drift.share``: the share of drifted features that means dataset drift."""

    @property
    def watched(self) -> int:
        return len(self.features)

    @property
    def drifted(self) -> int:
        return sum(feature.drifted for feature in self.features)

    @property
    def share_drifted(self) -> float:
        return self.drifted / self.watched if self.watched else 0.0

    @property
    def detected(self) -> bool:
        return self.watched > 0 and self.share_drifted >= self.share


@dataclass(frozen=True, slots=True)
class PerformanceDecision:
    metric: str
    value: float | None
    """None when it could not be computed (see ``status``)."""
    min: float | None
    max: float | None
    rows: int
    status: str
    """``ok``, ``decayed``, ``skipped`` (no labels or predictions) or ``undefined``."""
    reason: str | None = None

    @property
    def decayed(self) -> bool:
        return self.status == "decayed"


@dataclass(frozen=True, slots=True)
class Trigger:
    on: tuple[str, ...]
    """Findings that trigger a retrain."""
    drift: bool
    performance: bool

    @property
    def fired(self) -> bool:
        return self.drift or self.performance


def feature_drifted(method: str, statistic: float | None, p_value: float | None,
                    threshold: float) -> bool:
    if statistic is None:
        return True
    if method in P_VALUE_METHODS:
        return p_value is not None and p_value < threshold
    return statistic >= threshold


def decide_drift(measurements: Sequence[Measurement], planned: Sequence[PlannedFeature],
                 share: float) -> DriftDecision:
    thresholds = {feature.name: feature.threshold for feature in planned}
    return DriftDecision(share=share, features=tuple(
        FeatureDecision(measurement=m, threshold=thresholds[m.name],
                        drifted=feature_drifted(m.method, m.statistic, m.p_value,
                                                thresholds[m.name]))
        for m in measurements))


def performance_status(value: float, minimum: float | None, maximum: float | None) -> str:
    below = minimum is not None and value < minimum
    above = maximum is not None and value > maximum
    return "decayed" if below or above else "ok"


def retrain_trigger(retrain: Retrain | None, drift: DriftDecision | None,
                    performance: PerformanceDecision | None) -> Trigger:
    on = tuple(retrain.on) if retrain is not None else ("drift", "performance")
    return Trigger(on=on,
                   drift="drift" in on and drift is not None and drift.detected,
                   performance="performance" in on and performance is not None
                   and performance.decayed)
