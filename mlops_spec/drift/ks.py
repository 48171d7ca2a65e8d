"""Two-sample Kolmogorov-Smirnov p-values, equal to ``scipy.stats.ks_2samp``.

``ks_2samp(x, y)`` (two-sided, ``method='auto'``) decides like this, and so do we:

* both samples have at most 10,000 values: the exact distribution (Hodges' lattice-path
  counts), for which we call scipy's own helper (``_attempt_exact_2kssamp``), so the
  statistic snapped to the lattice ``round(d * lcm) / lcm`` and the cases where scipy
  gives up on the exact value and falls back to the asymptotic one are scipy's too. The
  samples are at most 10,000 values here, so the cost is negligible;
* otherwise: the asymptotic distribution, ``kstwo.sf(d, round(n1 * n2 / (n1 + n2)))``.
  For ``n = round(...)`` between 10,000 and 1,000,000 and ``2.2 <= n d**2 < 370`` scipy
  evaluates that as ``2 * smirnov(n, d)``, a sum of ``n`` terms in double-double
  arithmetic that takes about a second per feature at a million rows. There we sum the
  same Birnbaum-Tingey series in one vectorised float64 pass (log-space terms; relative
  error about 1e-10, and the p-value is below 0.025 in that region).

The p-value is clipped to [0, 1]. scipy is imported on first use (``scipy.stats`` takes
seconds to import on small machines, and only KS needs it).
"""

from __future__ import annotations

import math
import threading
import warnings
from collections.abc import Callable
from typing import Literal

import numpy as np

from mlops_spec.drift.columns import FloatArray

MAX_EXACT_N = 10_000
"""scipy's ``MAX_AUTO_N``: above this sample size 'auto' uses the asymptotic p-value."""

PValueMethod = Literal["exact", "asymp"]

# scipy's distribution objects are not documented as thread-safe; feature workers share them.
_SCIPY_LOCK = threading.Lock()


def ks_2samp_pvalue(d: float, n1: int, n2: int, *, ref: FloatArray | None = None,
                    cur: FloatArray | None = None) -> tuple[float, float, PValueMethod]:
    """``(statistic, p_value, method)`` for a two-sided test whose raw statistic is ``d``.

    ``ref`` and ``cur`` (the samples) are used only if scipy's exact helper cannot be
    imported (a future scipy), to let ``scipy.stats.ks_2samp`` itself compute the p-value.
    """
    if n1 <= 0 or n2 <= 0:
        raise ValueError("both samples need at least one value")
    if max(n1, n2) <= MAX_EXACT_N:
        d, prob = _exact(n1, n2, d, ref, cur)
        if prob is not None:
            return d, _clip(prob), "exact"
    return d, _clip(_asymptotic(d, n1, n2)), "asymp"


def _clip(p: float) -> float:
    return float(min(max(p, 0.0), 1.0))


def _asymptotic(d: float, n1: int, n2: int) -> float:
    m, n = max(n1, n2), min(n1, n2)
    en = float(np.round(float(m) * float(n) / (float(m) + float(n))))
    if _FAST_SMIRNOV_N[0] < en <= _FAST_SMIRNOV_N[1] and 1.0 < en * d < en - 1.0 and d < 0.5:
        nd2 = en * d * d
        if 2.2 <= nd2 < 370.0:  # where kstwo.sf(d, en) is 2 * smirnov(en, d)
            return 0.0 if 2.0 * nd2 > _MAX_LOG else 2.0 * smirnov_sf(int(en), d)
    from scipy.stats import kstwo

    with _SCIPY_LOCK:
        return float(kstwo.sf(d, en))


_FAST_SMIRNOV_N = (10_000, 1_000_000)
"""Above the lower bound scipy's smirnov gets slow; above the upper one scipy itself
switches to an asymptotic formula, which kstwo.sf then evaluates quickly."""
_MAX_LOG = 708.3964  # exp(-x) underflows past this; scipy's smirnov returns 0 there


def smirnov_sf(n: int, x: float) -> float:
    """P(D+_n >= x), the one-sided Smirnov survival function, for ``1 < n x < n - 1``.

    Birnbaum-Tingey: ``x * sum_{j=0}^{J} C(n, j) (1 - x - j/n)**(n-j) (x + j/n)**(j-1)``
    with ``J = n - floor(n x) - 1``. Every term is positive; they are evaluated in log
    space and summed relative to the largest. The terms vary smoothly over thousands of
    indices and vanish at both ends, so for large ``n`` a sum over every ``stride``-th
    term, times ``stride``, equals the full sum to far below double precision (the
    trapezoid rule is spectrally accurate here). That shortcut is taken only when it is
    self-confirming: strides ``s`` and ``2 s`` must agree to ``1e-13``; else every term is
    summed.
    """
    last = n - int(np.floor(n * x)) - 1
    for stride in (_SMIRNOV_STRIDE, 1):
        if stride > 1 and last < 256 * stride:
            continue
        terms = _smirnov_log_terms(n, x, np.arange(0, last + 1, stride, dtype=np.float64))
        top = float(terms.max())
        scaled = np.exp(terms - top)
        total = float(np.sum(scaled))
        if stride == 1:
            return float(x * np.exp(top) * total)
        coarse = 2.0 * float(np.sum(scaled[::2]))
        if abs(total - coarse) <= 1e-13 * total:
            return float(x * np.exp(top) * total * stride)
    raise AssertionError("unreachable: the stride-1 pass returns")  # pragma: no cover


_SMIRNOV_STRIDE = 16


def _smirnov_log_terms(n: int, x: float, j: FloatArray) -> FloatArray:
    """log of term ``j`` of the Birnbaum-Tingey sum, written without cancellation.

    With ``p = j/n`` and Stirling's formula with remainder ``delta``, for ``0 < j < n``::

        log term = n (1-p) log1p(-x/(1-p)) + n p log1p(x/p) - log(x + p)
                   + log(n / (2 pi j (n-j)))/2 + delta(n) - delta(j) - delta(n-j)

    Every piece is of the size of the result (at most a few hundred), so the terms carry
    ~1e-14 relative error, where ``gammaln`` differences of values near ``n log n``
    would carry ~1e-9. The ``j = 0`` term is ``(1-x)**n / x``.
    """
    out = np.empty(j.size, dtype=np.float64)
    out[j == 0] = n * np.log1p(-x) - np.log(x)
    k = j[j > 0]
    p = k / n
    q = 1.0 - p
    with np.errstate(divide="ignore", invalid="ignore"):
        tail = np.where(q > x, q * np.log1p(-x / np.maximum(q, x)), -np.inf)
    log_terms = n * (tail + p * np.log1p(x / p)) - np.log(x + p)
    log_terms += 0.5 * np.log(n / (2.0 * np.pi * k * (n - k)))
    log_terms += _stirling_delta(np.array([float(n)]))[0]
    log_terms -= _stirling_delta(k) + _stirling_delta(n - k)
    out[j > 0] = log_terms
    return out


def _stirling_delta(m: FloatArray) -> FloatArray:
    """``lgamma(m + 1) - (m log m - m + log(2 pi m) / 2)`` for ``m >= 1``."""
    from scipy.special import gammaln

    inv = 1.0 / m
    inv2 = inv * inv
    delta: FloatArray = inv * (1 / 12 - inv2 * (1 / 360 - inv2 * (1 / 1260 - inv2 / 1680)))
    small = m < 16  # the series is accurate to ~1e-16 from m = 16 on
    if small.any():
        ms = m[small]
        delta[small] = gammaln(ms + 1.0) - (ms * np.log(ms) - ms + 0.5 * np.log(2 * np.pi * ms))
    return delta


def _exact(n1: int, n2: int, d: float, ref: FloatArray | None,
           cur: FloatArray | None) -> tuple[float, float | None]:
    """``(snapped d, exact p-value)``, p None where scipy falls back to asymptotics."""
    helper = _exact_helper()
    if helper is None:  # a future scipy moved it: let ks_2samp itself decide
        if ref is None or cur is None:
            raise RuntimeError("scipy's exact KS helper is unavailable; pass the samples")
        from scipy.stats import ks_2samp

        with _SCIPY_LOCK, warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            result = ks_2samp(ref, cur, method="auto")
        return float(result.statistic), float(result.pvalue)
    success, snapped, prob = helper(n1, n2, math.gcd(n1, n2), d, "two-sided")
    return float(snapped), float(prob) if success else None


_ExactHelper = Callable[[int, int, int, float, str], tuple[bool, float, float]]


def _exact_helper() -> _ExactHelper | None:
    try:
        from scipy.stats._stats_py import _attempt_exact_2kssamp
    except ImportError:
        return None
    helper: _ExactHelper = _attempt_exact_2kssamp
    return helper
