"""Which features are watched, and with which method and threshold each is tested.

Rules (documented in docs/drift.md):

* ``method: auto`` picks per feature from its type and the size of its reference: numeric
  features get ``ks`` up to ``AUTO_SMALL_REFERENCE`` valid reference values and
  ``wasserstein`` above (with a million rows KS calls a 0.005 standard-deviation shift
  significant, which is not worth a retrain); categorical and boolean features get
  ``chi_square`` up to that size and ``jensen_shannon`` above.
* ``ks`` and ``wasserstein`` need ordered values: on a categorical or boolean feature they
  are replaced by ``chi_square`` and ``jensen_shannon`` respectively.
* The spec's ``threshold`` applies to features tested with the method the spec names;
  every other feature (auto-chosen or replaced method) uses that method's default from
  ``DRIFT_THRESHOLDS``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from mlops_spec.diagnostics import Diagnostic, InputError
from mlops_spec.drift.columns import ColumnType
from mlops_spec.drift.profile import Profile
from mlops_spec.spec.sections import DRIFT_THRESHOLDS, Drift, Feature

AUTO_SMALL_REFERENCE = 1000
"""Largest reference (valid values) for which ``auto`` uses a test (KS, chi-square)
rather than a distance (Wasserstein, Jensen-Shannon)."""

P_VALUE_METHODS = frozenset({"ks", "chi_square"})
"""Methods whose threshold is a p-value: drift when p < threshold. For the others the
threshold is a distance: drift when statistic >= threshold."""

_ORDERED_ONLY = {"ks": "chi_square", "wasserstein": "jensen_shannon"}


@dataclass(frozen=True, slots=True)
class PlannedFeature:
    name: str
    type: ColumnType
    method: str
    threshold: float


def choose_method(configured: str, kind: ColumnType, reference_valid: int) -> str:
    if configured == "auto":
        small = reference_valid <= AUTO_SMALL_REFERENCE
        if kind == "numeric":
            return "ks" if small else "wasserstein"
        return "chi_square" if small else "jensen_shannon"
    if kind != "numeric":
        return _ORDERED_ONLY.get(configured, configured)
    return configured


def threshold_for(configured: str, threshold: float | None, used: str) -> float:
    if threshold is not None and used == configured:
        return threshold
    default = DRIFT_THRESHOLDS[used]
    assert default is not None
    return default


def plan_features(features: Sequence[Feature], drift: Drift,
                  profile: Profile) -> list[PlannedFeature]:
    """The watched features in spec order, checked against the profile."""
    by_name = {feature.name: feature for feature in features}
    names = list(by_name) if drift.features == "all" else list(drift.features)
    planned: list[PlannedFeature] = []
    for name in names:
        feature = by_name.get(name)
        if feature is None:  # `mlops-spec validate` reports this as M015
            raise ValueError(f"drift watches {name!r}, which is not a feature")
        column = profile.columns.get(name)
        where = str(profile.path) if profile.path is not None else "<reference profile>"
        if column is None:
            raise InputError([Diagnostic(
                code="D005", message=f"the reference profile has no feature {name!r}",
                file=where, hint="the spec gained a feature since the profile was built: "
                                 "rebuild the profile from the training data")])
        if column.type != feature.type:
            raise InputError([Diagnostic(
                code="D005", message=f"feature {name!r} is {feature.type} in the spec but "
                                     f"{column.type} in the reference profile",
                file=where, hint="the feature's type changed: rebuild the profile")])
        method = choose_method(drift.method, feature.type, column.counts.valid)
        planned.append(PlannedFeature(
            name=name, type=feature.type, method=method,
            threshold=threshold_for(drift.method, drift.threshold, method)))
    return planned
