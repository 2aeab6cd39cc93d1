"""Has it resumed? Prospective alarms and the probability of a resumption after a lull.

:func:`resumption` answers the question for one series with dates the caller states:

* a **contrast** period, whose rate is what a *resumption* would look like: it sets the
  prior of a new regime's rate in the online detector (Gamma with the contrast's mean and a
  stated shape, exponential by default), so ``p_changed`` is the probability that a regime
  like the contrast has begun;
* one or more **baselines** (quiet periods), each monitored from its end with the Poisson GLR
  for an increase, its threshold calibrated for an in-control ARL by seeded simulation;
* a day ``at`` whose period the resumption probability is read in.

A baseline without events has rate 0, against which no threshold can be calibrated (any event
is infinitely surprising). Its in-control rate is then *stated*: by default the posterior mean
under Jeffreys' Gamma(0.5, 0) prior, ``0.5 / periods``; the sensitivity table repeats the
alarms with one event per baseline (``1 / periods``) and with the one-sided 95% upper bound of
a rate with no events (``-log(0.05) / periods``). With counts this rare the statistic moves in
jumps, so the attained ARL (reported with its Monte-Carlo error) is the first one at or above
the target.

Examples
--------
>>> import numpy as np
>>> from analysis.series import CountSeries
>>> y = np.r_[np.full(8, 9), np.zeros(10), [2, 1], np.zeros(6), [1, 2, 0]]  # synthetic
>>> s = CountSeries.from_counts(y, start="2023-01-02", freq="W")
>>> r = resumption(s, contrast=("2023-01-02", "2023-02-27"),
...                baselines={"after the lull": ("2023-02-27", "2023-05-08")},
...                at="2023-07-12", n_sim=200, seed=1)
>>> str(r["alarms"]["first_alarm_week"].iloc[0].date()), round(r["p_resumed"]["after the lull"], 2)
('2023-05-08', 0.22)
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .api import monitor

__all__ = ["resumption", "RATE_RULES"]

#: Stated in-control rates for a baseline of ``n`` periods: name -> rate (per period).
RATE_RULES = {
    "Jeffreys posterior mean 0.5 / periods": lambda n: 0.5 / n,
    "one event per baseline, 1 / periods": lambda n: 1.0 / n,
    "95% upper bound, -log(0.05) / periods": lambda n: -math.log(0.05) / n,
}


def _period_of(frame: pd.DataFrame, day) -> int:
    d = pd.Timestamp(day)
    hit = np.flatnonzero((frame["start"] <= d) & (frame["end"] > d))
    if not len(hit):
        raise ValueError(f"{d.date()} is not in the monitored periods "
                         f"({frame['start'].iloc[0].date()} to {frame['end'].iloc[-1].date()})")
    return int(hit[0])


def _first_alarm(out: pd.DataFrame) -> dict:
    al = out[out["alarm"]]
    if not len(al):
        return {"first_alarm_week": pd.NaT, "estimated_change": pd.NaT, "count_in_alarm_week": np.nan}
    r = al.iloc[0]
    return {"first_alarm_week": r["start"], "estimated_change": r["change_start"],
            "count_in_alarm_week": float(r["count"])}


def resumption(series, *, contrast, baselines: dict, at, arl: float = 52.0, n_sim: int = 1000,
               seed: int = 0, change_shape: float = 1.0, shapes=(0.5, 1.0, 2.0),
               noun: str = "events", unit: str = "period") -> dict:
    """Alarms after quiet baselines and the probability that a contrast-like regime has begun.

    Parameters
    ----------
    series : CountSeries
        A regular series (rates per full period).
    contrast : (start, end)
        The period a resumption would resemble (end exclusive, whole periods).
    baselines : dict
        Name -> (start, end): each a quiet period, monitored from its end. Baselines with
        events use their own rate; without events, the Jeffreys rate (see the module notes).
    at : date
        The day whose period the resumption probability is read in (in every setting).
    arl : float
        Target in-control ARL in periods.
    n_sim, seed : int
        Simulations per calibration and their seed.
    change_shape : float
        Gamma shape of a new regime's rate (mean: the contrast's rate).
    shapes : sequence of float
        Shapes of the sensitivity table of the resumption probability.
    noun, unit : str
        What is counted and the period's name, for the notes ("attacks", "week").

    Returns
    -------
    dict
        ``contrast`` (periods, count, rate), ``runs`` (name -> :func:`monitor` frame),
        ``alarms`` (one row per baseline: baseline, periods, events, in-control rate, threshold,
        target and attained ARL with its Monte-Carlo error, first alarm, estimated change,
        count in the alarm period), ``sensitivity`` (one row per :data:`RATE_RULES` entry:
        rate, attained ARL and first alarm per baseline), ``p_resumed`` (name -> probability
        in the period of ``at``), ``p_resumed_period`` (its start), ``p_resumed_sensitivity``
        (by new-regime shape and baseline), ``change_prior``, ``notes`` (the stated choices,
        with their numbers).

    Raises
    ------
    ValueError
        An empty contrast, a contrast without events, ``at`` outside a monitored range, or an
        error of :func:`monitor`.

    Examples
    --------
    >>> from analysis.synthetic import piecewise_poisson
    >>> s, _ = piecewise_poisson((6.0, 0.2, 0.2), (12, 12, 6), freq="W", seed=3)   # busy, then a lull
    >>> r = resumption(s, contrast=(s.start[0], s.start[12]), baselines={"lull": (s.start[12], s.start[24])},
    ...                at=s.start[26], n_sim=200, seed=1)
    >>> r["contrast"]["count"], round(r["p_resumed"]["lull"], 3)
    (82.0, 0.005)
    """
    con = series.window(*contrast)
    c_count, c_n = float(con.counts.sum()), float(con.period_exposure.sum())
    if c_n <= 0 or c_count <= 0:
        raise ValueError(f"the contrast {contrast} holds {c_n:g} periods and {c_count:g} events: a "
                         "resumption needs a contrast with events to resemble")
    c_rate = c_count / c_n
    change = (float(change_shape), float(change_shape) / c_rate)
    runs, rows, p_res = {}, [], {}
    for name, base in baselines.items():
        b = series.window(*base)
        kw = {"rate_prior": (0.5, 0.0)} if b.n and b.counts.sum() == 0 else {}
        out = monitor(series, baseline=base, direction="up", arl=arl, n_sim=n_sim, seed=seed,
                      change_prior=change, **kw)
        runs[name] = out
        cal = out.attrs["calibration"]
        rows.append({"setting": name,
                     "baseline": f"{pd.Timestamp(base[0]).date()} to "
                                 f"{(pd.Timestamp(base[1]) - pd.Timedelta(days=1)).date()}",
                     "baseline_weeks": b.n, "baseline_events": float(b.counts.sum()),
                     "in_control_rate": out.attrs["rate"], "threshold": cal.threshold,
                     "arl_target": cal.target, "arl_attained": cal.arl, "arl_mc_se": cal.arl_se,
                     **_first_alarm(out)})
        i = _period_of(out, at)
        p_res[name] = float(out["p_changed"].iloc[i])
        at_start = out["start"].iloc[i]
    alarms = pd.DataFrame(rows)

    sens = []
    for label, rule in RATE_RULES.items():
        rec = {"in_control_rate_rule": label}
        for name, base in baselines.items():
            n = series.window(*base).n
            out = monitor(series, baseline=base, arl=arl, n_sim=n_sim, seed=seed, min_rate=rule(n),
                          change_prior=change)
            rec[f"{name}: rate"] = out.attrs["rate"]
            rec[f"{name}: ARL"] = out.attrs["calibration"].arl
            rec[f"{name}: first alarm"] = _first_alarm(out)["first_alarm_week"]
        sens.append(rec)

    ps = []
    for shape in shapes:
        rec = {"new_regime_shape": float(shape)}
        for name, base in baselines.items():
            b = series.window(*base)
            kw = {"rate_prior": (0.5, 0.0)} if b.n and b.counts.sum() == 0 else {}
            out = monitor(series, baseline=base, threshold=np.inf, change_prior=(shape, shape / c_rate), **kw)
            rec[name] = float(out["p_changed"].iloc[_period_of(out, at)])
        ps.append(rec)

    p = f"{unit}s"
    notes = [
        f"contrast {pd.Timestamp(contrast[0]).date()} to "
        f"{(pd.Timestamp(contrast[1]) - pd.Timedelta(days=1)).date()}: {c_count:g} {noun} in "
        f"{c_n:g} {p}, {c_rate:.2f} per {unit}; a new regime's rate ~ Gamma({change[0]:g}, "
        f"{change[1]:.4g}), mean the contrast's rate",
    ]
    for r in alarms.itertuples(index=False):
        stated = (f" (no {noun}: stated as Jeffreys' posterior mean 0.5 / {p})"
                  if r.baseline_events == 0 else "")
        notes.append(f"{r.setting}: in-control rate {r.in_control_rate:.3f} per {unit}{stated}; "
                     f"threshold {r.threshold:.4f} attains an in-control ARL of {r.arl_attained:.0f} "
                     f"+/- {r.arl_mc_se:.1f} {p} for the target {r.arl_target:g}")
    return {"contrast": {"periods": c_n, "count": c_count, "rate": c_rate}, "runs": runs,
            "alarms": alarms, "sensitivity": pd.DataFrame(sens), "p_resumed": p_res,
            "p_resumed_period": at_start, "p_resumed_sensitivity": pd.DataFrame(ps),
            "change_prior": change, "notes": notes, "arl": arl, "n_sim": n_sim, "seed": seed}
