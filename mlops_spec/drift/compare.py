"""Measure every watched feature: current data against the reference profile.

Each feature is one task: normalise the current column (count missing values and
infinities, sort the finite values), read the feature's reference values from the profile,
compute the planned statistic. Tasks run in a thread pool: the heavy steps (sort, merge,
cumulative sums) are numpy calls that release the GIL, so features are measured in
parallel, and each worker holds only one reference column at a time.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace

import numpy.typing as npt

from mlops_spec.drift import columns, methods
from mlops_spec.drift.columns import ColumnType, Counts
from mlops_spec.drift.ks import ks_2samp_pvalue
from mlops_spec.drift.plan import PlannedFeature
from mlops_spec.drift.profile import Profile


@dataclass(frozen=True, slots=True)
class Measurement:
    """The statistic of one feature, before any decision."""

    name: str
    type: ColumnType
    method: str
    statistic: float | None
    """None when the current data has no valid value for the feature."""
    p_value: float | None
    """For ks and chi_square."""
    p_value_method: str | None
    """ks: ``exact`` or ``asymp`` (as scipy.stats.ks_2samp chose); chi_square: ``chi2``."""
    reference: Counts
    current: Counts
    reference_mean: float | None = None
    current_mean: float | None = None
    new_labels: tuple[str, ...] = ()
    """Categorical labels seen in current data but never in the reference."""


def default_jobs() -> int:
    """Worker threads: the CPUs this process may use, at most 4 (memory grows per worker)."""
    return max(1, min(4, len(os.sched_getaffinity(0))))


def measure(profile: Profile, current: Mapping[str, npt.ArrayLike],
            planned: Sequence[PlannedFeature], *, jobs: int | None = None) -> list[Measurement]:
    """One ``Measurement`` per planned feature, in plan order.

    ``current`` maps feature names to 1-D arrays (float for numeric features; strings,
    objects with ``None`` for missing, integers or booleans for the others). Raises
    ``ColumnError`` when a column does not fit its type.
    """
    for feature in planned:
        if feature.name not in current:
            raise columns.ColumnError(feature.name, "is missing from the current data")
    workers = max(1, min(jobs or default_jobs(), len(planned)))

    def task(feature: PlannedFeature) -> Measurement:
        values = current[feature.name]
        if feature.type == "numeric":
            return _numeric(profile, feature, values)
        return _categorical(profile, feature, values)

    if workers == 1:
        return [task(feature) for feature in planned]
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="drift") as pool:
        return list(pool.map(task, planned))


def _numeric(profile: Profile, feature: PlannedFeature, values: npt.ArrayLike) -> Measurement:
    cur, cur_counts = columns.numeric(values, feature.name)
    reference = profile.columns[feature.name]
    assert reference.summary is not None
    base = Measurement(name=feature.name, type=feature.type, method=feature.method,
                       statistic=None, p_value=None, p_value_method=None,
                       reference=reference.counts, current=cur_counts,
                       reference_mean=reference.summary.mean,
                       current_mean=float(cur.mean()) if cur.size else None)
    if cur.size == 0:
        return base
    ref = profile.values(feature.name)
    method = feature.method
    if method in ("ks", "wasserstein"):
        d, distance = methods.ks_and_wasserstein(ref, cur,
                                                 wasserstein=method == "wasserstein")
        if method == "wasserstein":
            return _with(base, methods.normalised(distance, reference.summary.std))
        statistic, p_value, how = ks_2samp_pvalue(d, ref.size, cur.size, ref=ref, cur=cur)
        return _with(base, statistic, p_value, how)
    edges = methods.quantile_edges(ref)
    return _binned(base, methods.bin_counts(ref, edges), methods.bin_counts(cur, edges))


def _categorical(profile: Profile, feature: PlannedFeature,
                 values: npt.ArrayLike) -> Measurement:
    found, cur_counts = columns.categories(values, feature.name, feature.type)
    reference = profile.columns[feature.name]
    assert reference.categories is not None
    new = tuple(sorted(set(found) - set(reference.categories)))
    base = Measurement(name=feature.name, type=feature.type, method=feature.method,
                       statistic=None, p_value=None, p_value_method=None,
                       reference=reference.counts, current=cur_counts, new_labels=new)
    if cur_counts.valid == 0:
        return base
    _, ref_counts, counts = methods.align(dict(reference.categories), found)
    return _binned(base, ref_counts, counts)


def _binned(base: Measurement, ref_counts: methods.IntArray,
            cur_counts: methods.IntArray) -> Measurement:
    if base.method == "psi":
        return _with(base, methods.psi(ref_counts, cur_counts))
    if base.method == "jensen_shannon":
        return _with(base, methods.jensen_shannon(ref_counts, cur_counts))
    if base.method == "chi_square":
        statistic, p_value = methods.chi_square(ref_counts, cur_counts)
        return _with(base, statistic, p_value, "chi2")
    raise ValueError(f"method {base.method!r} does not apply to {base.type} feature "
                     f"{base.name!r}")


def _with(base: Measurement, statistic: float, p_value: float | None = None,
          how: str | None = None) -> Measurement:
    return replace(base, statistic=statistic, p_value=p_value, p_value_method=how)
