"""The monitoring case study: has it resumed? Prospective alarms for the April and July 2024
attacks on US-led coalition forces, after the lull that began in February 2024.

Setting (documented choices)
----------------------------
* Series: the weekly case-study series (:func:`analysis.casestudy.case_study_series`).
* Contrast: the winter, the weeks from 2023-10-16 to 2024-02-04, whose rate (about ten
  attacks a week) is what a *resumption* would look like. It sets the prior of a new regime's
  rate in the online detector: exponential (Gamma shape 1) with the winter's mean, so
  ``p_changed`` is the probability that a winter-like regime has begun.
* Baselines: the lull weeks 2024-02-05 to 2024-04-14 (the Pentagon's exact tally: no attacks)
  for the April attacks, and the spring weeks 2024-04-29 to 2024-07-14 (no attack in the
  incident list) for the July attacks. Both hold no events, so their rate is 0 and no
  threshold can be calibrated against it (any event is infinitely surprising). The in-control
  rate is stated instead: the posterior mean under Jeffreys' Gamma(0.5, 0) prior, ``0.5 / weeks``
  (a sensitivity table gives the answers with one attack per baseline and with the 95% upper
  bound of a rate with no events in the baseline, ``-log(0.05) / weeks``).
* Detector: Poisson GLR for an increase, threshold calibrated for an in-control ARL of 52
  weeks by seeded simulation (the attained ARL is reported with its Monte-Carlo error: with
  counts this rare the statistic moves in jumps, so the attained ARL is the first one at or
  above the target).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .api import monitor

__all__ = ["monitoring_case_study", "WINTER", "LULL", "SPRING", "JULY_ATTACK"]

WINTER = ("2023-10-16", "2024-02-05")
LULL = ("2024-02-05", "2024-04-15")
SPRING = ("2024-04-29", "2024-07-15")
#: the attack after the Washington talks whose week the resumption probability is read at
JULY_ATTACK = "2024-07-25"


def _week_of(frame: pd.DataFrame, day) -> int:
    d = pd.Timestamp(day)
    hit = np.flatnonzero((frame["start"] <= d) & (frame["end"] > d))
    if not len(hit):
        raise ValueError(f"{d.date()} is not in the monitored weeks")
    return int(hit[0])


def _first_alarm(out: pd.DataFrame, since=None) -> dict:
    rows = out if since is None else out[out["start"] >= pd.Timestamp(since)]
    al = rows[rows["alarm"]]
    if not len(al):
        return {"alarm_week": None, "change_start": None, "count": None, "statistic": None}
    r = al.iloc[0]
    return {"alarm_week": r["start"], "change_start": r["change_start"], "count": float(r["count"]),
            "statistic": float(r["statistic"])}


def monitoring_case_study(series=None, *, arl: float = 52.0, n_sim: int = 1000, seed: int = 2024,
                          change_shape: float = 1.0) -> dict:
    """Alarms and the online probability of a resumption for the case study.

    Parameters
    ----------
    series : CountSeries, optional
        The weekly case-study series (default :func:`analysis.casestudy.case_study_series`).
    arl : float
        Target in-control ARL in weeks.
    n_sim : int
        Simulations per threshold calibration.
    seed : int
        Seed of every calibration.
    change_shape : float
        Gamma shape of a new regime's rate (its mean is the winter rate).

    Returns
    -------
    dict
        ``winter`` (weeks, count, rate), ``runs`` (setting -> monitor frame), ``alarms``
        (one row per setting: baseline, in-control rate, threshold, attained ARL and its
        Monte-Carlo error, first alarm week, estimated change start), ``sensitivity`` (first
        alarms under three stated in-control rates), ``p_resumed`` (P(a winter-like regime
        has begun) in the week of the 2024-07-25 attack, spring baseline),
        ``p_resumed_sensitivity`` (by setting and new-regime prior shape), ``caveats``.
    """
    if series is None:
        import warnings

        from ..casestudy import case_study_series
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            series, _ = case_study_series()
    win = series.window(*WINTER)
    w_count, w_weeks = float(win.counts.sum()), float(win.period_exposure.sum())
    w_rate = w_count / w_weeks
    change = (change_shape, change_shape / w_rate)
    settings = {"April (lull baseline)": LULL, "July (spring baseline)": SPRING}
    runs, rows = {}, []
    for name, base in settings.items():
        out = monitor(series, baseline=base, direction="up", arl=arl, n_sim=n_sim, seed=seed,
                      rate_prior=(0.5, 0.0), change_prior=change)
        runs[name] = out
        cal = out.attrs["calibration"]
        bweeks = series.window(*base)
        fa = _first_alarm(out)
        rows.append({"setting": name, "baseline": f"{base[0]} to {(pd.Timestamp(base[1]) - pd.Timedelta(days=1)).date()}",
                     "baseline_weeks": bweeks.n, "baseline_events": float(bweeks.counts.sum()),
                     "in_control_rate": out.attrs["rate"], "threshold": cal.threshold,
                     "arl_target": cal.target, "arl_attained": cal.arl, "arl_mc_se": cal.arl_se,
                     "first_alarm_week": fa["alarm_week"], "estimated_change": fa["change_start"],
                     "count_in_alarm_week": fa["count"]})
    alarms = pd.DataFrame(rows)

    # sensitivity: the stated in-control rate
    sens = []
    for label, rate_of in (("Jeffreys posterior mean 0.5 / weeks", lambda n: 0.5 / n),
                           ("one attack per baseline, 1 / weeks", lambda n: 1.0 / n),
                           ("95% upper bound, -log(0.05) / weeks", lambda n: -math.log(0.05) / n)):
        rec = {"in_control_rate_rule": label}
        for name, base in settings.items():
            n = series.window(*base).n
            out = monitor(series, baseline=base, arl=arl, n_sim=n_sim, seed=seed, min_rate=rate_of(n),
                          change_prior=change)
            cal = out.attrs["calibration"]
            fa = _first_alarm(out)
            key = name.split(" ")[0]
            rec[f"{key}: rate"] = out.attrs["rate"]
            rec[f"{key}: ARL"] = cal.arl
            rec[f"{key}: first alarm"] = fa["alarm_week"]
        sens.append(rec)
    sensitivity = pd.DataFrame(sens)

    july = runs["July (spring baseline)"]
    i = _week_of(july, JULY_ATTACK)
    p_resumed = float(july["p_changed"].iloc[i])
    ps = []
    for shape in (0.5, 1.0, 2.0):
        rec = {"new_regime_shape": shape}
        for name, base in settings.items():
            out = monitor(series, baseline=base, threshold=np.inf, rate_prior=(0.5, 0.0),
                          change_prior=(shape, shape / w_rate))
            rec[name] = float(out["p_changed"].iloc[_week_of(out, JULY_ATTACK)])
        ps.append(rec)
    p_sens = pd.DataFrame(ps)

    tally_end = pd.Timestamp("2024-04-20")
    caveats = [
        f"The lull baseline's zeros come from the Pentagon's exact tally (no attacks from 2024-02-05 "
        f"to {tally_end.date()}); after {tally_end.date()} the counts come from the bundled incident "
        "list only, which may miss attacks: the spring baseline's zeros mean no attack was reported "
        "in the list, and a missed spring attack would lower the alarms' surprise.",
        f"Both baselines hold no events, so the in-control rate is a stated assumption "
        f"(Jeffreys' prior, {alarms['in_control_rate'].iloc[0]:.3f} and "
        f"{alarms['in_control_rate'].iloc[1]:.3f} attacks a week); the sensitivity table shows the "
        "alarms under two other statements.",
        f"With counts this rare the GLR statistic moves in jumps: the thresholds attain in-control "
        f"ARLs of {alarms['arl_attained'].iloc[0]:.0f} and {alarms['arl_attained'].iloc[1]:.0f} weeks "
        f"(Monte-Carlo error about {alarms['arl_mc_se'].max():.1f}) for the target of {arl:g}; "
        "a lower threshold would alarm on any single attack (ARL about 1 / P(at least one attack)).",
        f"The probability of a resumption depends on what a resumption is: a new regime with a rate "
        f"drawn from an exponential prior with the winter's mean ({w_rate:.1f} attacks a week); the "
        "table by prior shape shows how much.",
        "Weeks are ISO weeks (Monday to Sunday); an attack late in a week raises that whole week.",
    ]
    return {"winter": {"weeks": w_weeks, "count": w_count, "rate": w_rate, "span": WINTER},
            "runs": runs, "alarms": alarms, "sensitivity": sensitivity, "p_resumed": p_resumed,
            "p_resumed_week": july["start"].iloc[i], "p_resumed_sensitivity": p_sens,
            "change_prior": change, "caveats": caveats, "arl": arl, "n_sim": n_sim, "seed": seed}
