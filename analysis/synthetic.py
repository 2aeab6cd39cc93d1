"""Seeded synthetic data with known truth, for tests, benchmarks and examples.

Every generator takes ``seed`` (or ``rng``), returns ``(data, truth)`` and labels its
output synthetic (``attrs["synthetic"] = True`` on series; a ``synthetic`` column or
``SYN-`` ids on tables), so synthetic numbers can never pass for bundled facts.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .series import CountSeries

__all__ = ["piecewise_poisson", "nb_level_change", "acled_like_reports"]


def _rng(seed=None, rng=None) -> np.random.Generator:
    return rng if rng is not None else np.random.default_rng(seed)


def piecewise_poisson(rates=(2.0, 6.0, 3.0), lengths=(40, 30, 50), *, exposure=None,
                      start="2020-01-01", freq="D", seed=None,
                      rng=None) -> tuple[CountSeries, tuple[int, ...]]:
    """Poisson counts with piecewise-constant rates.

    Parameters
    ----------
    rates : sequence of float
        Rate per unit exposure in each segment.
    lengths : sequence of int
        Rows per segment.
    exposure : array_like, optional
        Exposure per row (default 1); counts are Poisson(rate * exposure).
    seed : int, optional
        Seed for ``numpy.random.default_rng``.

    Returns
    -------
    series : CountSeries
        With ``attrs["synthetic"] = True``.
    changepoints : tuple of int
        0-based index of the first row of each new segment.

    Examples
    --------
    >>> s, cpts = piecewise_poisson((1.0, 5.0), (10, 10), seed=1)
    >>> cpts, s.n, s.attrs["synthetic"]
    ((10,), 20, True)
    """
    if len(rates) != len(lengths):
        raise ValueError("rates and lengths must have the same length")
    g = _rng(seed, rng)
    n = int(sum(lengths))
    lam = np.repeat(np.asarray(rates, float), lengths)
    x = np.ones(n) if exposure is None else np.asarray(exposure, float)
    y = g.poisson(lam * x).astype(float)
    cpts = tuple(int(c) for c in np.cumsum(lengths)[:-1])
    s = CountSeries.from_counts(y, start=start, freq=freq,
                                exposure=None if exposure is None else x,
                                attrs={"synthetic": True, "seed": seed,
                                       "truth": {"rates": list(rates), "changepoints": list(cpts)}})
    return s, cpts


def nb_level_change(n=104, change_at=52, *, base_rate=10.0, rate_ratio=0.5, alpha=0.3,
                    trend=0.0, start="2020-01-06", freq="W", seed=None,
                    rng=None) -> tuple[CountSeries, dict]:
    """Negative binomial (NB2) counts with a level change of known rate ratio.

    ``mean_t = base_rate * exp(trend * t) * rate_ratio ** [t >= change_at]`` and
    ``var_t = mean_t + alpha * mean_t**2``.

    Returns
    -------
    series : CountSeries
    truth : dict
        ``{"rate_ratio", "change_at", "change_date", "alpha"}``.
    """
    g = _rng(seed, rng)
    t = np.arange(n)
    mu = base_rate * np.exp(trend * t) * np.where(t >= change_at, rate_ratio, 1.0)
    if alpha > 0:
        lam = g.gamma(shape=1.0 / alpha, scale=alpha * mu)
    else:
        lam = mu
    y = g.poisson(lam).astype(float)
    s = CountSeries.from_counts(y, start=start, freq=freq,
                                attrs={"synthetic": True, "seed": seed})
    truth = {"rate_ratio": rate_ratio, "change_at": change_at,
             "change_date": s.start[change_at], "alpha": alpha}
    return s.with_attrs(truth=truth), truth


_COUNTRIES = ("Iraq", "Syria", "Jordan", "Yemen", "Lebanon", "Somalia", "Mali", "Nigeria")
_EVENT_TYPES = ("Explosions/Remote violence", "Battles", "Violence against civilians")
_SUB_TYPES = ("Shelling/artillery/missile attack", "Air/drone strike", "Armed clash", "Attack")


def acled_like_reports(n_reports=10_000, *, n_groups=200, start="2021-01-01", days=3 * 365,
                       dup_rate=0.1, imprecise_rate=0.1, seed=None,
                       rng=None) -> tuple[pd.DataFrame, dict]:
    """A synthetic ACLED-shaped export (the columns of an ACLED CSV).

    About ``dup_rate`` of rows are second reports of an earlier row (same country,
    location and weapon, date within a day, different ``source``); about
    ``imprecise_rate`` have ``time_precision`` 2 (week) or 3 (month). Rows are spread
    over ``n_groups`` (country x admin1 x event_type) groups. Ids start with ``SYN``.

    Returns
    -------
    table : pandas.DataFrame
        ACLED columns, plus nothing else.
    truth : dict
        ``{"n_incidents": ..., "n_duplicates": ...}``.
    """
    g = _rng(seed, rng)
    n_dup = int(round(n_reports * dup_rate))
    n_orig = n_reports - n_dup
    grp = g.integers(0, n_groups, n_orig)
    country = np.array(_COUNTRIES)[grp % len(_COUNTRIES)]
    event_type = np.array(_EVENT_TYPES)[(grp // len(_COUNTRIES)) % len(_EVENT_TYPES)]
    admin1 = np.char.add("Region-", (grp % 97).astype(str))
    # locations unique per original so that only true duplicates can match
    loc = np.char.add("Place-", np.arange(n_orig).astype(str))
    day = g.integers(0, days, n_orig)
    prec = np.where(g.random(n_orig) < imprecise_rate, g.choice([2, 3], n_orig), 1)
    sub = np.array(_SUB_TYPES)[g.integers(0, len(_SUB_TYPES), n_orig)]
    fat = g.poisson(0.5, n_orig)
    src = np.array(["Reuters", "AFP", "AP", "Local media"])[g.integers(0, 4, n_orig)]
    idx = np.concatenate([np.arange(n_orig), g.integers(0, n_orig, n_dup)])
    shift = np.concatenate([np.zeros(n_orig, int), g.integers(0, 2, n_dup)])
    shift = np.where(prec[idx] == 1, shift, 0)
    dates = pd.Timestamp(start) + pd.to_timedelta(day[idx] + shift, unit="D")
    table = pd.DataFrame({
        "event_id_cnty": [f"SYN{i}" for i in range(n_reports)],
        "event_date": dates.strftime("%Y-%m-%d"),
        "time_precision": prec[idx],
        "event_type": event_type[idx],
        "sub_event_type": sub[idx],
        "actor1": "Synthetic militia",
        "country": country[idx],
        "admin1": admin1[idx],
        "location": loc[idx],
        "latitude": np.round(30 + (grp[idx] % 10) * 0.1, 4),
        "longitude": np.round(40 + (grp[idx] % 13) * 0.1, 4),
        "fatalities": fat[idx],
        "source": np.concatenate([src, np.array(["Second outlet"] * n_dup)]),
        "notes": "synthetic",
    })
    order = g.permutation(n_reports)
    table = table.iloc[order].reset_index(drop=True)
    return table, {"n_incidents": n_orig, "n_duplicates": n_dup}
