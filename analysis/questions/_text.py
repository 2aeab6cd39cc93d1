"""Number formats of the question sentences (one place, so every sentence reads alike)."""

from __future__ import annotations

import pandas as pd

UNITS = {"D": "day", "W": "week", "M": "month", "Q": "quarter", "Y": "year"}
#: Days per period, for rates "per week", "per month" (a mean month for M).
PER_DAYS = {"D": 1.0, "W": 7.0, "M": 365.25 / 12, "Q": 365.25 / 4, "Y": 365.25}


def unit_of(series) -> str:
    return UNITS.get(series.freq, "period")


def per_days_of(series) -> float:
    """Days in one period of the series (the mean exposure per row when irregular)."""
    if series.freq in PER_DAYS:
        return PER_DAYS[series.freq]
    return float(series.exposure.mean()) if series.n else 1.0


def ci(lo, hi, nd: int = 2) -> str:
    return f"{lo:.{nd}f} to {hi:.{nd}f}"


def p(value: float) -> str:
    return f"{value:.2g}" if value >= 1e-4 else f"{value:.1e}"


def short(label: str, n: int = 70) -> str:
    label = str(label)
    if len(label) <= n:
        return label
    cut = label[:n].rsplit(" ", 1)[0]
    return cut.rstrip(",;:-") + "..."


def last_day(end) -> pd.Timestamp:
    """Inclusive last day of an exclusive end."""
    return pd.Timestamp(end) - pd.Timedelta(days=1)
