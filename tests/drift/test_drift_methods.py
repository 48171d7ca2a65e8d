"""Drift statistics against scipy and against loop-based definitions."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import special, stats
from scipy.spatial.distance import jensenshannon

from mlops_spec.drift import columns, ks, methods


def _samples(kind: str, n_ref: int, n_cur: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    ref = rng.normal(0.0, 1.0, n_ref)
    if kind == "none":
        cur = rng.normal(0.0, 1.0, n_cur)
    elif kind.startswith("shift"):
        cur = rng.normal(float(kind[5:]), 1.0, n_cur)
    elif kind == "scale":
        cur = rng.normal(0.0, 1.3, n_cur)
    elif kind == "ties":  # integer-valued: many equal values across both samples
        ref = rng.integers(0, 15, n_ref).astype(float)
        cur = rng.integers(0, 16, n_cur).astype(float)
    elif kind == "nan_inf":
        cur = rng.normal(0.1, 1.0, n_cur)
        cur[rng.random(n_cur) < 0.05] = np.nan
        cur[rng.random(n_cur) < 0.01] = np.inf
        cur[rng.random(n_cur) < 0.01] = -np.inf
        ref[rng.random(n_ref) < 0.02] = np.nan
    else:
        raise AssertionError(kind)
    return ref, cur


def _ks(ref: np.ndarray, cur: np.ndarray) -> tuple[float, float, str]:
    ref_sorted, _ = columns.numeric(ref, "ref")
    cur_sorted, _ = columns.numeric(cur, "cur")
    d, _ = methods.ks_and_wasserstein(ref_sorted, cur_sorted)
    return ks.ks_2samp_pvalue(d, ref_sorted.size, cur_sorted.size, ref=ref_sorted,
                              cur=cur_sorted)


def _assert_matches_scipy(ref: np.ndarray, cur: np.ndarray) -> str:
    statistic, p_value, how = _ks(ref, cur)
    expected = stats.ks_2samp(ref[np.isfinite(ref)], cur[np.isfinite(cur)])
    assert abs(statistic - expected.statistic) <= 1e-9
    assert abs(p_value - expected.pvalue) <= 1e-9
    assert p_value == pytest.approx(expected.pvalue, rel=1e-9, abs=1e-300)
    return how


SCENARIOS = ["none", "shift0.05", "shift0.1", "shift0.2", "shift0.5", "scale", "ties",
             "nan_inf"]


@pytest.mark.parametrize("kind", SCENARIOS)
@pytest.mark.parametrize(("n_ref", "n_cur"), [(500, 500), (500, 800), (1000, 333),
                                              (5000, 5000), (9999, 4000), (10000, 10000),
                                              (10001, 3000), (50000, 20000),
                                              (200000, 200000)])
def test_ks_statistic_and_p_value_equal_scipy(kind: str, n_ref: int, n_cur: int) -> None:
    ref, cur = _samples(kind, n_ref, n_cur, seed=n_ref + n_cur)
    _assert_matches_scipy(ref, cur)


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["none", "shift0.05", "scale", "nan_inf"])
def test_ks_equals_scipy_at_a_million_rows(kind: str) -> None:
    ref, cur = _samples(kind, 1_000_000, 1_000_000, seed=7)
    assert _assert_matches_scipy(ref, cur) == "asymp"


def test_ks_uses_the_exact_distribution_where_scipy_does() -> None:
    ref, cur = _samples("shift0.2", 3000, 2000, seed=1)
    assert _assert_matches_scipy(ref, cur) == "exact"
    ref, cur = _samples("shift0.2", 3000, 3000, seed=2)  # equal sizes: the closed form
    assert _assert_matches_scipy(ref, cur) == "exact"
    ref, cur = _samples("shift0.2", 10001, 2000, seed=3)
    assert _assert_matches_scipy(ref, cur) == "asymp"


def test_ks_exact_without_scipys_helper_falls_back_to_ks_2samp(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ks, "_exact_helper", lambda: None)
    ref, cur = _samples("shift0.1", 1200, 900, seed=4)
    assert _assert_matches_scipy(ref, cur) == "exact"


@pytest.mark.filterwarnings("ignore:ks_2samp. Exact calculation unsuccessful")
def test_ks_follows_scipy_where_its_exact_computation_gives_up() -> None:
    # D = h/n on equal sizes; h = 1 is where scipy's exact sum can exceed 1 by rounding
    # and scipy falls back to the asymptotic p-value: we must do the same.
    for n in (1, 2, 7, 50, 499, 2000, 10000):
        for h in sorted({1, max(1, n // 50), max(1, n // 7), max(1, n // 2), n}):
            ref = np.arange(n, dtype=np.float64)
            cur = ref + h - 0.5
            expected = stats.ks_2samp(ref, cur)
            statistic, prob, _ = _ks(ref, cur)
            assert statistic == expected.statistic
            assert abs(prob - expected.pvalue) <= 1e-12, (n, h)


@pytest.mark.parametrize("n", [10_001, 31_337, 200_000, 1_000_000])
@pytest.mark.parametrize("nd2", [2.2, 3.0, 8.0, 40.0, 150.0, 360.0])
def test_fast_smirnov_equals_scipy(n: int, nd2: float) -> None:
    x = (nd2 / n) ** 0.5
    expected = special.smirnov(n, x)
    assert ks.smirnov_sf(n, x) == pytest.approx(expected, rel=1e-11, abs=1e-300)


def test_wasserstein_equals_scipy() -> None:
    for kind in SCENARIOS:
        ref, cur = _samples(kind, 3000, 1700, seed=11)
        ref, cur = ref[np.isfinite(ref)], cur[np.isfinite(cur)]
        _, distance = methods.ks_and_wasserstein(np.sort(ref), np.sort(cur))
        assert distance == pytest.approx(stats.wasserstein_distance(ref, cur), rel=1e-12)


def test_merge_slices_do_not_change_results(monkeypatch: pytest.MonkeyPatch) -> None:
    ref, cur = _samples("ties", 2000, 1500, seed=5)
    whole = methods.ks_and_wasserstein(np.sort(ref), np.sort(cur))
    for chunk in (1, 2, 3, 64):
        monkeypatch.setattr(methods, "MERGE_CHUNK", chunk)
        d, distance = methods.ks_and_wasserstein(np.sort(ref), np.sort(cur))
        assert d == whole[0]
        assert distance == pytest.approx(whole[1], rel=1e-12)


def _psi_by_loop(ref: list[float], cur: list[float], edges: list[float]) -> float:
    def shares(values: list[float]) -> list[float]:
        counts = [0] * (len(edges) + 1)
        for value in values:
            counts[sum(1 for edge in edges if value >= edge)] += 1
        return [c / len(values) if c else methods.PSI_EPSILON for c in counts]

    total = 0.0
    for r, c in zip(shares(ref), shares(cur), strict=True):
        total += (c - r) * np.log(c / r)
    return total


def test_psi_numeric_bins_are_reference_quantiles() -> None:
    ref, cur = _samples("shift0.2", 2000, 1500, seed=8)
    ref_sorted, cur_sorted = np.sort(ref), np.sort(cur)
    edges = methods.quantile_edges(ref_sorted)
    assert list(edges) == list(np.quantile(ref, np.arange(1, 10) / 10))
    counts = methods.bin_counts(ref_sorted, edges)
    assert counts.sum() == ref.size and len(counts) == 10
    assert max(counts) - min(counts) <= 1  # deciles
    value = methods.psi(counts, methods.bin_counts(cur_sorted, edges))
    assert value == pytest.approx(_psi_by_loop(list(ref), list(cur), list(edges)), rel=1e-12)


def test_psi_replaces_empty_bins_by_epsilon() -> None:
    ref = np.array([10, 10, 0], dtype=np.int64)
    cur = np.array([0, 10, 10], dtype=np.int64)
    expected = ((1e-4 - 0.5) * np.log(1e-4 / 0.5) + (0.5 - 1e-4) * np.log(0.5 / 1e-4))
    assert methods.psi(ref, cur) == pytest.approx(expected, rel=1e-12)


def test_jensen_shannon_and_chi_square_equal_scipy() -> None:
    rng = np.random.default_rng(9)
    for _ in range(20):
        k = int(rng.integers(2, 8))
        ref = rng.integers(0, 200, k).astype(np.int64)
        cur = rng.integers(0, 200, k).astype(np.int64)
        cur[rng.integers(0, k)] = 0  # a label absent from current data
        assert methods.jensen_shannon(ref, cur) == pytest.approx(jensenshannon(ref, cur),
                                                                 rel=1e-12)
        statistic, p_value = methods.chi_square(ref, cur)
        expected = stats.chi2_contingency(np.vstack((ref, cur)), correction=False)
        assert statistic == pytest.approx(expected.statistic, rel=1e-12)
        assert p_value == pytest.approx(expected.pvalue, rel=1e-9)


def test_chi_square_without_two_labels_has_nothing_to_test() -> None:
    assert methods.chi_square(np.array([5, 0]), np.array([7, 0])) == (0.0, 1.0)


def test_missing_and_infinite_values_are_counted_not_used() -> None:
    values = np.array([1.0, np.nan, np.inf, -np.inf, 3.0, np.nan, 2.0])
    finite, counts = columns.numeric(values, "x")
    assert finite.tolist() == [1.0, 2.0, 3.0]
    assert counts == columns.Counts(rows=7, valid=3, missing=2, pos_inf=1, neg_inf=1)
    labels, counts = columns.categories(np.array(["a", None, "b", np.nan, "a"],
                                                 dtype=object), "c")
    assert labels == {"a": 2, "b": 1}
    assert counts.missing == 2


def test_type_mismatch_names_the_column() -> None:
    with pytest.raises(columns.ColumnError, match="'income' is numeric but holds text"):
        columns.numeric(np.array(["1", "x"]), "income")
    with pytest.raises(columns.ColumnError, match="'owns_car' is boolean but holds 'maybe'"):
        columns.categories(np.array(["yes", "maybe"], dtype=object), "owns_car", "boolean")
