"""Drift statistics, vectorised with numpy: whole-array operations, no per-row Python.

Numeric methods take the reference and current finite values, each sorted ascending.

* ``ks``: two-sample Kolmogorov-Smirnov statistic ``max |F_ref - F_cur|`` over every value
  of both samples, identical to ``scipy.stats.ks_2samp``; its p-value is in ``ks.py``.
* ``wasserstein``: the exact Wasserstein-1 distance ``integral |F_ref - F_cur| dx`` (what
  ``scipy.stats.wasserstein_distance`` computes) divided by the reference standard
  deviation, so the threshold reads in standard deviations.
* ``psi``, ``jensen_shannon``, ``chi_square`` on numbers: over ``NUMERIC_BINS`` bins whose
  edges are the reference quantiles.

Categorical methods take counts per label, aligned over the union of both label sets.

Both exact methods come from one merge of the two sorted samples, ``O(n)`` after the sort:
a stable argsort of the concatenation (which merges two sorted runs) tells for each merged
position whether it came from the reference, and a cumulative sum of that flag gives both
empirical CDFs at every value.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from mlops_spec.drift.columns import FloatArray

IntArray = npt.NDArray[np.int64]

NUMERIC_BINS = 10
"""Bins for PSI, Jensen-Shannon and chi-square on numeric features: reference deciles."""

PSI_EPSILON = 1e-4
"""Share substituted for an empty bin in PSI (whose log ratio is otherwise infinite)."""


MERGE_CHUNK = 1 << 15
"""Merged positions handled per step: the per-position work runs on cache-sized slices
instead of allocating (and page-faulting) a dozen arrays as long as both samples."""


def ks_and_wasserstein(ref: FloatArray, cur: FloatArray, *,
                       wasserstein: bool = True) -> tuple[float, float]:
    """``(ks, wasserstein)`` of two sorted, finite, non-empty samples, in one merge.

    With ``wasserstein=False`` the distance is not summed (returned as NaN), which saves
    a third of the per-position work when only KS is wanted.

    KS is ``max |F_ref - F_cur|`` over every value of both samples, computed as scipy does
    (``searchsorted(x, values, 'right') / n`` per sample, the negative side winning only
    when strictly larger), so it is bit-for-bit ``scipy.stats.ks_2samp``'s statistic.
    Wasserstein-1 is ``sum |F_ref - F_cur| * gap`` over consecutive merged values, what
    ``scipy.stats.wasserstein_distance`` sums (in another order, so equal to ~1e-15).
    """
    n_ref, n_cur = int(ref.size), int(cur.size)
    both = np.concatenate((ref, cur))
    # A stable sort of two sorted runs is a linear-time merge (timsort); stability puts a
    # reference value before an equal current one.
    order = np.argsort(both, kind="stable")
    total = both.size
    largest, smallest, distance = -np.inf, np.inf, 0.0
    ref_before = 0
    for start in range(0, total, MERGE_CHUNK):
        stop = min(start + MERGE_CHUNK, total)
        index = order[start:stop + 1]  # one past the slice, to see the next value
        values = both[index]
        # Reference values <= values[k]. Exact at the last position of a run of equal
        # values; inside a run it is lower, so only run ends are read for KS, and
        # Wasserstein multiplies by the gap to the next value, zero inside a run.
        ref_le = np.cumsum(index[:stop - start] < n_ref) + ref_before
        ref_before = int(ref_le[-1])
        cur_le = np.arange(start + 1, stop + 1) - ref_le
        gaps = values[1:] - values[:-1]
        ends = gaps != 0
        if stop == total:
            ends = np.append(ends, True)  # the largest value ends its run
        if ends.all():  # no ties in this slice (the usual case): skip the gathers
            diffs = ref_le / n_ref - cur_le / n_cur
        else:
            diffs = ref_le[ends] / n_ref - cur_le[ends] / n_cur
        if diffs.size:  # a slice inside one long run of equal values has no run end
            largest = max(largest, float(diffs.max()))
            smallest = min(smallest, float(diffs.min()))
        if wasserstein:
            k = gaps.size  # the last merged value has no gap
            distance += float(np.sum(np.abs(ref_le[:k] / n_ref - cur_le[:k] / n_cur) * gaps))
    negative = min(max(-smallest, 0.0), 1.0)
    return (negative if negative > largest else largest), (
        distance if wasserstein else float("nan"))


def normalised(distance: float, ref_std: float) -> float:
    """Wasserstein-1 in reference standard deviations; a constant reference gives 0 when
    current is the same constant and infinity otherwise."""
    if ref_std > 0:
        return distance / ref_std
    return 0.0 if distance == 0 else float("inf")


def quantile_edges(ref: FloatArray, bins: int = NUMERIC_BINS) -> FloatArray:
    """Inner bin edges: the reference quantiles 1/bins .. (bins-1)/bins (numpy's linear
    interpolation), duplicates removed, so a heavy value does not create empty bins."""
    edges: FloatArray = np.unique(np.quantile(ref, np.arange(1, bins) / bins))
    return edges


def bin_counts(sorted_values: FloatArray, edges: FloatArray) -> IntArray:
    """Counts in ``(-inf, e1), [e1, e2), ..., [ek, inf)`` of a sorted sample."""
    below = np.searchsorted(sorted_values, edges, side="left")
    bounds = np.concatenate(([0], below, [sorted_values.size])).astype(np.int64)
    counts: IntArray = np.diff(bounds)
    return counts


def psi(ref_counts: IntArray, cur_counts: IntArray,
        epsilon: float = PSI_EPSILON) -> float:
    """Population stability index ``sum (c - r) * ln(c / r)`` over bin shares, an empty
    bin's share replaced by ``epsilon``."""
    ref_share = _shares(ref_counts)
    cur_share = _shares(cur_counts)
    ref_share[ref_share == 0] = epsilon
    cur_share[cur_share == 0] = epsilon
    return float(np.sum((cur_share - ref_share) * np.log(cur_share / ref_share)))


def jensen_shannon(ref_counts: IntArray, cur_counts: IntArray) -> float:
    """Jensen-Shannon distance (natural log, as ``scipy.spatial.distance.jensenshannon``):
    the square root of the mean KL divergence of each share vector from their average; it
    lies in ``[0, sqrt(ln 2)]``, about ``[0, 0.833]``."""
    p = _shares(ref_counts)
    q = _shares(cur_counts)
    m = (p + q) / 2.0
    divergence = (_kl(p, m) + _kl(q, m)) / 2.0
    return float(np.sqrt(max(divergence, 0.0)))


def chi_square(ref_counts: IntArray, cur_counts: IntArray) -> tuple[float, float]:
    """Pearson's chi-square test of homogeneity on the 2 x k table (reference, current) by
    category, without continuity correction: ``(statistic, p_value)``.

    Both rows are treated as samples, so a small reference does not overstate evidence,
    and a label new in current data is handled like any other. Labels absent from both
    rows are dropped; with fewer than two labels left there is nothing to test (p = 1).
    """
    table = np.vstack((ref_counts, cur_counts)).astype(np.float64)
    table = table[:, table.sum(axis=0) > 0]
    if table.shape[1] < 2:
        return 0.0, 1.0
    expected = table.sum(axis=1, keepdims=True) * table.sum(axis=0, keepdims=True)
    expected /= table.sum()
    statistic = float(np.sum((table - expected) ** 2 / expected))
    from scipy.special import chdtrc

    return statistic, float(chdtrc(table.shape[1] - 1, statistic))


def align(ref: dict[str, int], cur: dict[str, int]) -> tuple[list[str], IntArray, IntArray]:
    """Counts of both samples over the union of labels (reference labels first, sorted)."""
    labels = sorted(ref) + sorted(set(cur) - set(ref))
    ref_counts = np.array([ref.get(label, 0) for label in labels], dtype=np.int64)
    cur_counts = np.array([cur.get(label, 0) for label in labels], dtype=np.int64)
    return labels, ref_counts, cur_counts


def _shares(counts: IntArray) -> FloatArray:
    total = counts.sum()
    shares: FloatArray = counts / total if total > 0 else np.zeros(counts.size)
    return shares


def _kl(p: FloatArray, m: FloatArray) -> float:
    # 0 * log(0 / m) is 0; m > 0 wherever p > 0.
    present = p > 0
    return float(np.sum(p[present] * np.log(p[present] / m[present])))
