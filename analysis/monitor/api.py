"""``monitor``: GLR alarms and the online probability of a change on a CountSeries."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .arl import calibrate_threshold
from .bocpd import bocpd_poisson
from .glr import glr_path


def monitor(series, *, baseline, direction: str = "up", arl: float = 52.0,
            threshold: float | None = None, M: int | None = None,
            expected_run_length: float | None = None, k: int = 4, n_sim: int = 1000,
            seed: int = 0) -> pd.DataFrame:
    """Monitor the periods after a baseline for a change in the rate.

    The in-control rate is the baseline's events per full period (count over summed
    ``period_exposure``, the units rule); each monitored period's in-control mean is that
    rate times its ``period_exposure``, so partly observed periods expect fewer events and
    unobserved ones none. The Poisson GLR threshold is ``threshold`` or, when None,
    calibrated for in-control ARL ``arl`` by ``n_sim`` seeded simulations.

    The BOCPD column ``p_changed`` is the probability that the rate now differs from the
    baseline's: the baseline regime's rate has the Gamma(0.5 + S, E) posterior of the
    baseline's S events in E periods; a new regime's rate has a vaguer Gamma prior, shape
    0.1 and the same mean (so even a baseline without events leaves room for a change); hazard ``1 / expected_run_length`` (default ``arl``).

    Returns
    -------
    pandas.DataFrame
        One row per monitored period: ``start, end, count, expected, statistic,
        threshold, alarm, change_start`` (start of the estimated change period at each
        alarm), ``p_changed`` and ``p_run_lt_k``; ``attrs`` hold ``rate``, ``rate_unit``,
        ``calibration`` (or None) and ``k``.

    Examples
    --------
    >>> from analysis.series import CountSeries
    >>> s = CountSeries.from_counts([2, 1, 3, 2, 2, 1, 2, 3, 9, 8, 10], start="2024-01-01", freq="W")
    >>> out = monitor(s, baseline=("2024-01-01", "2024-02-26"), threshold=5.0)
    >>> out["alarm"].tolist(), str(out["change_start"].iloc[0].date())
    ([True, True, True], '2024-02-26')
    """
    b0, b1 = (pd.Timestamp(v) for v in baseline)
    base = series.window(b0, b1)
    if base.n == 0:
        raise ValueError(f"the baseline {b0.date()}..{b1.date()} holds no whole period of the series")
    mon = series.window(b1, None)
    if mon.n == 0:
        raise ValueError(f"the series ends by {b1.date()}: no period after the baseline to monitor "
                         "(the series is no longer than its baseline)")
    S, E = float(base.counts.sum()), float(base.period_exposure.sum())
    if E <= 0:
        raise ValueError("the baseline periods have no exposure: no in-control rate")
    rate = S / E
    mu0 = rate * mon.period_exposure
    cal = None
    if threshold is None:
        if S == 0:
            raise ValueError(f"the baseline {b0.date()}..{b1.date()} has no events: its rate is 0, "
                             "every event would alarm; give a threshold or a longer baseline")
        cal = calibrate_threshold(mu0, arl, direction=direction, M=M, n_sim=n_sim, seed=seed)
        threshold = cal.threshold
    stat, alarm, change, _ = glr_path(mon.counts, mu0, direction=direction, threshold=threshold, M=M)
    erl = float(expected_run_length or arl)
    mean = (S + 0.5) / E
    bo = bocpd_poisson(mon.counts, mon.period_exposure, expected_run_length=erl,
                       prior=(0.1, 0.1 / mean), baseline=(0.5 + S, E), ks=(k,))
    starts = mon.start
    out = pd.DataFrame({
        "start": starts, "end": mon.end, "count": mon.counts, "expected": mu0,
        "statistic": stat, "threshold": float(threshold), "alarm": alarm,
        "change_start": [starts[c] if a else pd.NaT for a, c in zip(alarm, change)],
        "p_changed": bo["p_changed"], "p_run_lt_k": bo["p_short"][k]})
    out.attrs.update(rate=rate, rate_unit=series.rate_unit, calibration=cal, k=k)
    return out
