"""Drift decisions on generated scenarios, against a loop-based reference implementation."""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
import pytest
from scipy import stats

from mlops_spec.drift.compare import measure
from mlops_spec.drift.decide import decide_drift, feature_drifted, retrain_trigger
from mlops_spec.drift.plan import plan_features
from mlops_spec.drift.profile import build_profile
from mlops_spec.spec.sections import DRIFT_THRESHOLDS, Drift, Feature, Retrain

FEATURES = [
    Feature(name="income", source="s", type="numeric"),
    Feature(name="age", source="s", type="numeric"),
    Feature(name="score", source="s", type="numeric"),
    Feature(name="balance", source="s", type="numeric"),
    Feature(name="region", source="s", type="categorical"),
    Feature(name="owns_car", source="s", type="boolean"),
]
TYPES = {f.name: f.type for f in FEATURES}
REGIONS = ["north", "south", "east", "west"]


def generate(rows: int, rng: np.random.Generator, scenario: str = "none",
             shift: float = 0.0) -> dict[str, np.ndarray]:
    income = rng.lognormal(10.0, 0.5, rows)
    age = rng.integers(18, 80, rows).astype(np.float64)  # ties
    score = rng.normal(0.0, 1.0, rows)
    balance = rng.normal(100.0, 20.0, rows)
    weights = [0.4, 0.3, 0.2, 0.1]
    cars = 0.3
    if scenario == "shift":  # mean shifts in sd units on three numeric features
        score += shift
        balance += shift * 20.0
        age += np.round(shift * 18.0)
    elif scenario == "scale":
        score *= 1.5
        balance = 100.0 + (balance - 100.0) * 1.5
        income = np.exp(10.0 + (np.log(income) - 10.0) * 1.5)
    elif scenario == "reweight":
        weights = [0.1, 0.2, 0.3, 0.4]
        cars = 0.6
    region = rng.choice(np.array(REGIONS, dtype=object), rows, p=weights)
    owns_car = rng.random(rows) < cars
    if scenario == "nan_inf":
        score[rng.random(rows) < 0.1] = np.nan
        balance[rng.random(rows) < 0.02] = np.inf
        balance[rng.random(rows) < 0.02] = -np.inf
        region[rng.random(rows) < 0.05] = None
    return {"income": income, "age": age, "score": score, "balance": balance,
            "region": region, "owns_car": owns_car}


# --- the reference implementation: loops, definitions, scipy where it is the definition ---


def ref_numeric(values: np.ndarray) -> list[float]:
    return sorted(float(v) for v in values if math.isfinite(v))


def ref_labels(values: np.ndarray, kind: str) -> Counter[str]:
    out: Counter[str] = Counter()
    for v in values:
        if v is None or (isinstance(v, float) and math.isnan(v)):
            continue
        if kind == "boolean":
            out["true" if v in (True, "true") else "false"] += 1
        else:
            out[str(v)] += 1
    return out


def ref_shares_by_bins(ref: list[float], cur: list[float]) -> tuple[list[int], list[int]]:
    edges = sorted(set(np.quantile(np.array(ref), [k / 10 for k in range(1, 10)]).tolist()))

    def counts(values: list[float]) -> list[int]:
        out = [0] * (len(edges) + 1)
        for v in values:
            out[sum(1 for e in edges if v >= e)] += 1
        return out

    return counts(ref), counts(cur)


def ref_psi(r: list[int], c: list[int]) -> float:
    rs = [x / sum(r) or 1e-4 for x in r]
    cs = [x / sum(c) or 1e-4 for x in c]
    return sum((b - a) * math.log(b / a) for a, b in zip(rs, cs, strict=True))


def ref_js(r: list[int], c: list[int]) -> float:
    p = [x / sum(r) for x in r]
    q = [x / sum(c) for x in c]
    total = 0.0
    for a, b in zip(p, q, strict=True):
        m = (a + b) / 2
        total += (a * math.log(a / m) if a else 0.0) + (b * math.log(b / m) if b else 0.0)
    return math.sqrt(total / 2)


def ref_chi2(r: list[int], c: list[int]) -> float:
    cols = [(a, b) for a, b in zip(r, c, strict=True) if a + b]
    if len(cols) < 2:
        return 1.0
    n_r, n_c = sum(a for a, _ in cols), sum(b for _, b in cols)
    total = n_r + n_c
    statistic = 0.0
    for a, b in cols:
        for observed, row in ((a, n_r), (b, n_c)):
            expected = row * (a + b) / total
            statistic += (observed - expected) ** 2 / expected
    return float(stats.chi2.sf(statistic, len(cols) - 1))


def reference_decision(train: dict[str, np.ndarray], current: dict[str, np.ndarray],
                       drift: Drift) -> tuple[dict[str, tuple[str, float, bool]], bool]:
    """Per feature (method, statistic or p-value, drifted) and the dataset decision."""
    out = {}
    for feature in FEATURES:
        name, kind = feature.name, feature.type
        if kind == "numeric":
            r, c = ref_numeric(train[name]), ref_numeric(current[name])
            method = drift.method
            if method == "auto":
                method = "ks" if len(r) <= 1000 else "wasserstein"
            if method == "ks":
                value = float(stats.ks_2samp(r, c).pvalue)
            elif method == "wasserstein":
                value = stats.wasserstein_distance(r, c) / float(np.std(r))
            else:
                rb, cb = ref_shares_by_bins(r, c)
                value = {"psi": ref_psi, "jensen_shannon": ref_js,
                         "chi_square": ref_chi2}[method](rb, cb)
        else:
            rl, cl = ref_labels(train[name], kind), ref_labels(current[name], kind)
            method = {"ks": "chi_square", "wasserstein": "jensen_shannon"}.get(
                drift.method, drift.method)
            if method == "auto":
                method = "chi_square" if sum(rl.values()) <= 1000 else "jensen_shannon"
            labels = sorted(rl) + sorted(set(cl) - set(rl))
            rb, cb = [rl[k] for k in labels], [cl[k] for k in labels]
            value = {"psi": ref_psi, "jensen_shannon": ref_js,
                     "chi_square": ref_chi2}[method](rb, cb)
        threshold = drift.threshold if (drift.threshold is not None
                                        and method == drift.method) else (
            DRIFT_THRESHOLDS[method])
        assert threshold is not None
        drifted = value < threshold if method in ("ks", "chi_square") else value >= threshold
        out[name] = (method, value, drifted)
    share = sum(d for _, _, d in out.values()) / len(out)
    return out, share >= drift.share


def ours(train: dict[str, np.ndarray], current: dict[str, np.ndarray], drift: Drift,
         jobs: int = 2):  # type: ignore[no-untyped-def]
    profile = build_profile(train, TYPES)
    planned = plan_features(FEATURES, drift, profile)
    return decide_drift(measure(profile, current, planned, jobs=jobs), planned, drift.share)


SCENARIOS = [("none", 0.0), ("shift", 0.05), ("shift", 0.1), ("shift", 0.25),
             ("shift", 0.5), ("scale", 0.0), ("reweight", 0.0), ("nan_inf", 0.0)]
METHODS = ["auto", "psi", "ks", "wasserstein", "jensen_shannon", "chi_square"]


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize(("scenario", "shift"), SCENARIOS)
@pytest.mark.parametrize("rows", [500, 2000, 20000])
def test_decisions_match_the_reference_implementation(method: str, scenario: str,
                                                      shift: float, rows: int) -> None:
    rng = np.random.default_rng(rows + int(shift * 100) + len(scenario))
    train = generate(rows, rng)
    current = generate(max(rows // 2, 300), rng, scenario, shift)
    drift = Drift(method=method, share=0.5)
    expected, detected = reference_decision(train, current, drift)
    decision = ours(train, current, drift)
    for feature in decision.features:
        m = feature.measurement
        method_used, value, drifted = expected[m.name]
        assert m.method == method_used, m.name
        got = m.p_value if method_used in ("ks", "chi_square") else m.statistic
        assert got == pytest.approx(value, rel=1e-9, abs=1e-9), m.name
        assert feature.drifted == drifted, m.name
    assert decision.detected == detected


@pytest.mark.parametrize("rows", [1000, 5000])
def test_user_threshold_applies_to_the_named_method_only(rows: int) -> None:
    rng = np.random.default_rng(3)
    train, current = generate(rows, rng), generate(rows, rng, "shift", 0.1)
    drift = Drift(method="ks", threshold=0.5, share=0.5)
    expected, detected = reference_decision(train, current, drift)
    decision = ours(train, current, drift)
    assert {f.measurement.name: f.drifted for f in decision.features} == {
        k: v[2] for k, v in expected.items()}
    thresholds = {f.measurement.name: f.threshold for f in decision.features}
    assert thresholds["score"] == 0.5  # ks, as named
    assert thresholds["region"] == 0.05  # chi_square stands in for ks: its default
    assert decision.detected == detected


def test_shifts_of_half_a_standard_deviation_trigger() -> None:
    rng = np.random.default_rng(5)
    train, current = generate(5000, rng), generate(5000, rng, "shift", 0.5)
    decision = ours(train, current, Drift(method="ks"))
    assert decision.detected
    assert {f.measurement.name for f in decision.features if f.drifted} >= {
        "score", "balance", "age"}


@pytest.mark.parametrize("method", ["auto", "ks", "psi", "wasserstein"])
def test_no_drift_triggers_in_at_most_five_percent_of_seeds(method: str) -> None:
    seeds = 60
    fired = 0
    for seed in range(seeds):
        rng = np.random.default_rng(1000 + seed)
        train, current = generate(2000, rng), generate(800, rng)
        fired += ours(train, current, Drift(method=method, share=0.5), jobs=1).detected
    assert fired <= 0.05 * seeds


@pytest.mark.slow
@pytest.mark.parametrize("method", ["ks", "wasserstein"])
def test_decisions_match_at_a_million_reference_rows(method: str) -> None:
    rng = np.random.default_rng(11)
    train = generate(1_000_000, rng)
    current = generate(200_000, rng, "shift", 0.05)
    drift = Drift(method=method)
    expected, detected = reference_decision(train, current, drift)
    decision = ours(train, current, drift)
    for feature in decision.features:
        m = feature.measurement
        _, value, drifted = expected[m.name]
        got = m.p_value if m.method in ("ks", "chi_square") else m.statistic
        assert got == pytest.approx(value, rel=1e-9, abs=1e-9), m.name
        assert feature.drifted == drifted, m.name
    assert decision.detected == detected


def test_a_feature_without_current_values_counts_as_drifted() -> None:
    assert feature_drifted("ks", None, None, 0.05)
    assert feature_drifted("psi", None, None, 0.2)
    assert not feature_drifted("ks", 0.01, 0.3, 0.05)
    assert feature_drifted("psi", 0.2, None, 0.2)  # at the threshold is drift


def test_retrain_trigger_follows_retrain_on() -> None:
    rng = np.random.default_rng(2)
    detected = ours(generate(3000, rng), generate(3000, rng, "shift", 0.5), Drift())
    assert detected.detected
    assert retrain_trigger(Retrain(on=["drift"]), detected, None).fired
    assert not retrain_trigger(Retrain(on=["performance"]), detected, None).fired
    assert retrain_trigger(None, detected, None).fired  # no retrain section: every check
