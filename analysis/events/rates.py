"""Exact Poisson rates, rate ratios and the conditional test of two rates.

Used to read a count series before and after a date without a model:

* rate of a period: ``count / exposure`` with the exact (Garwood) interval from the
  gamma quantiles ``[G^{-1}(a/2; k), G^{-1}(1-a/2; k+1)] / exposure``, which for an
  integer ``k`` is the usual chi-square form and extends continuously to fractional
  counts (series where tallies were spread over bins);
* ratio of two rates: conditional on the total ``N = k1 + k2``, ``k2 ~ Binomial(N, pi)``
  with ``pi = r E2 / (E1 + r E2)``; the Clopper-Pearson interval of ``pi`` maps to an
  exact interval for ``r`` (Ederer-Mantel), and ``scipy.stats.binomtest`` gives the
  exact test of ``r = 1``. Fractional counts are rounded for the exact test (the
  rounding is reported).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

__all__ = ["poisson_rate", "rate_ratio_exact", "period_rates"]


def poisson_rate(count: float, exposure: float, *, level: float = 0.95, per: float = 1.0) -> dict:
    """Rate ``count / exposure * per`` with its exact (Garwood) interval.

    Examples
    --------
    >>> r = poisson_rate(10, 5.0)
    >>> round(r["rate"], 3), round(r["ci_low"], 3), round(r["ci_high"], 3)
    (2.0, 0.959, 3.678)
    """
    if exposure <= 0:
        raise ValueError(f"exposure must be positive, not {exposure}")
    if count < 0:
        raise ValueError(f"count must be >= 0, not {count}")
    from ..changepoints.intervals import gamma_quantile

    a = 1 - level
    lo = 0.0 if count <= 0 else float(gamma_quantile(a / 2, count)[()])
    hi = float(gamma_quantile(1 - a / 2, count + 1)[()])
    f = per / exposure
    return {"count": float(count), "exposure": float(exposure), "rate": float(count * f),
            "ci_low": float(lo * f), "ci_high": float(hi * f)}


def rate_ratio_exact(count1: float, exposure1: float, count2: float, exposure2: float, *,
                     level: float = 0.95, alternative: str = "two-sided") -> dict:
    """Exact conditional comparison of period 2's rate with period 1's.

    Returns
    -------
    dict
        ``rate_ratio`` (period 2 over period 1), ``ci_low``, ``ci_high``, ``p_value``
        (exact binomial test of equal rates; ``alternative`` "greater" tests a rise in
        period 2), ``k1``, ``k2`` (the integer counts used), ``expected_share`` (period
        2's share of the exposure) and ``rounded`` (True when fractional counts were
        rounded for the exact computation).

    Examples
    --------
    >>> r = rate_ratio_exact(2, 13.0, 5, 9.0, alternative="greater")
    >>> round(r["rate_ratio"], 3), round(r["p_value"], 4)
    (3.611, 0.1053)
    """
    if alternative not in ("two-sided", "greater", "less"):
        raise ValueError(f"alternative must be two-sided, greater or less, not {alternative!r}")
    if exposure1 <= 0 or exposure2 <= 0:
        raise ValueError("exposures must be positive")
    k1, k2 = int(round(count1)), int(round(count2))
    rounded = bool(k1 != count1 or k2 != count2)
    n = k1 + k2
    share = exposure2 / (exposure1 + exposure2)
    odds = exposure1 / exposure2
    rr = np.inf if k1 == 0 and k2 > 0 else (np.nan if n == 0 else (k2 / exposure2) / (k1 / exposure1))
    if n == 0:
        return {"rate_ratio": np.nan, "ci_low": 0.0, "ci_high": np.inf, "p_value": 1.0, "k1": 0, "k2": 0,
                "expected_share": share, "rounded": rounded}
    test = stats.binomtest(k2, n, share, alternative=alternative)
    ci = stats.binomtest(k2, n, share).proportion_ci(confidence_level=level, method="exact")
    to_rr = lambda p: np.inf if p >= 1 else p / (1 - p) * odds  # noqa: E731
    return {"rate_ratio": float(rr), "ci_low": float(to_rr(ci.low)), "ci_high": float(to_rr(ci.high)),
            "p_value": float(test.pvalue), "k1": k1, "k2": k2, "expected_share": float(share),
            "rounded": rounded}


def period_rates(series, periods: dict, *, level: float = 0.95, per_days: float = 7.0) -> pd.DataFrame:
    """Exact rates (per ``per_days`` days) over named periods of a CountSeries.

    Parameters
    ----------
    series : CountSeries
    periods : dict
        ``name -> (start, end)``: rows whose interval lies within ``[start, end)``.

    Returns
    -------
    pandas.DataFrame
        ``period, start, end, rows, count, exposure_days, rate, ci_low, ci_high``
        (rate per ``per_days`` days).
    """
    out = []
    for name, (start, end) in periods.items():
        sub = series.window(start, end)
        if sub.n == 0:
            raise ValueError(f"period {name!r} ({start} to {end}) holds no whole row of the series")
        cnt, expo = float(np.nansum(sub.counts)), float(np.sum(sub.exposure))
        r = poisson_rate(cnt, expo / per_days, level=level)
        out.append({"period": name, "start": sub.start.min(), "end": sub.end.max(), "rows": sub.n,
                    "count": cnt, "exposure_days": expo, "rate": r["rate"], "ci_low": r["ci_low"],
                    "ci_high": r["ci_high"]})
    return pd.DataFrame(out)
