"""Incidents and tallies side by side: coverage, and tally totals spread by incident timing.

Tallies give totals over intervals but no timing inside them; incident lists give
timing but miss incidents. :func:`coverage` says, per tally interval, what share of
the tallied incidents the incident list holds. :func:`spread_tallies` spreads each
interval's tally over its days in proportion to the incidents' timing (uniformly
where the interval holds no incident), conserving every interval's total.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..series import CountSeries
from .bins import bin_incidents
from .tallies import TOTAL_REGIONS

__all__ = ["coverage", "spread_tallies", "daily_incidents"]


def daily_incidents(incidents: pd.DataFrame, start, end, *, allocate: str = "split",
                    region: str | None = None, region_column: str = "country") -> np.ndarray:
    """Incidents per day over ``[start, end)`` (``end`` exclusive).

    ``allocate`` is ``"start"`` or ``"split"``; ``region`` (unless a total region such as
    ``"all"``) keeps the incidents whose ``region_column`` equals it (case-insensitive).

    Examples
    --------
    >>> import pandas as pd
    >>> from analysis.normalize import normalize
    >>> from analysis.synthetic import toy_tables
    >>> reports, tallies = toy_tables()      # synthetic: two reports, one counter
    >>> res = normalize(reports, tallies, freq="W")
    >>> daily_incidents(res.incidents, pd.Timestamp("2024-01-19"), pd.Timestamp("2024-01-26")).tolist()
    [0.0, 1.0, 0.0, 0.0, 0.0, 1.0, 0.0]
    """
    start, end = pd.Timestamp(start), pd.Timestamp(end)
    ndays = int((end - start).days)
    if incidents is None or not len(incidents) or ndays <= 0:
        return np.zeros(max(ndays, 0))
    inc = incidents
    if region is not None and str(region).lower() not in TOTAL_REGIONS and region_column in inc.columns:
        inc = inc[inc[region_column].astype("str").str.lower() == str(region).lower()]
    if allocate not in ("start", "split"):
        raise ValueError(f"allocate must be 'start' or 'split', not {allocate!r}")
    if not len(inc):
        return np.zeros(ndays)
    s = bin_incidents(inc, freq="D", allocate=allocate,
                      window=(start, end - pd.Timedelta(days=1)))
    return s.counts


def _chains(tallies):
    if isinstance(tallies, CountSeries):
        yield from tallies.iter_groups()
    else:
        raise TypeError("tallies must be a CountSeries (TallyResult.get(...) or .panel())")


def coverage(incidents: pd.DataFrame, tallies: CountSeries, *, allocate: str = "start",
             region_column: str = "country") -> pd.DataFrame:
    """Incident-based counts against tallies over the same intervals.

    Parameters
    ----------
    incidents : pandas.DataFrame
        Incidents (:func:`analysis.normalize.dedupe`).
    tallies : CountSeries
        Tally intervals, e.g. ``TallyResult.get("Pentagon")`` or ``TallyResult.panel()``
        (a ``region`` group selects incidents by ``region_column``).
    allocate : {"start", "split"}
        Placement of incidents with imprecise dates.

    Returns
    -------
    pandas.DataFrame
        Per tally interval (and group): ``start, end, tally_count, tally_lower,
        tally_upper, incident_count, coverage, coverage_low, coverage_high``.
        ``coverage = incident_count / tally_count``; for bounded tallies the range is
        ``incident_count / upper`` to ``incident_count / lower``.

    Examples
    --------
    >>> from analysis.normalize import normalize
    >>> from analysis.synthetic import toy_tables
    >>> reports, tallies = toy_tables()      # synthetic: two reports, one counter
    >>> res = normalize(reports, tallies, freq="W")
    >>> cov = coverage(res.incidents, res.tallies.panel())
    >>> cov[["start", "tally_count", "incident_count"]].head(1).astype(str).values.tolist()
    [['2024-01-01', '3.0', '0.0']]
    """
    out = []
    for key, sub in _chains(tallies):
        group = dict(zip(tallies.groups, key))
        region = group.get("region")
        d = sub.data
        lo0, hi0 = d["start"].min(), d["end"].max()
        daily = daily_incidents(incidents, lo0, hi0, allocate=allocate, region=region,
                                region_column=region_column)
        csum = np.r_[0.0, np.cumsum(daily)]
        a = (d["start"] - lo0).dt.days.to_numpy()
        b = (d["end"] - lo0).dt.days.to_numpy()
        k = csum[b] - csum[a]
        tc = d["count"].to_numpy(float)
        tl = np.where(np.isnan(tc), d["lower"].to_numpy(float), tc)
        tu = np.where(np.isnan(tc), d["upper"].to_numpy(float), tc)
        with np.errstate(divide="ignore", invalid="ignore"):
            cov = k / tc
            c_low = np.where(np.isinf(tu), 0.0, k / tu)
            c_high = k / tl
        frame = pd.DataFrame({"start": d["start"].to_numpy(), "end": d["end"].to_numpy(),
                              "tally_count": tc, "tally_lower": tl, "tally_upper": tu,
                              "incident_count": k, "coverage": cov, "coverage_low": c_low,
                              "coverage_high": c_high})
        for g, v in group.items():
            frame[g] = v
        out.append(frame)
    if not out:
        return pd.DataFrame(columns=["start", "end", "tally_count", "tally_lower", "tally_upper",
                                     "incident_count", "coverage", "coverage_low", "coverage_high"])
    return pd.concat(out, ignore_index=True)


def spread_tallies(tallies: CountSeries, incidents: pd.DataFrame | None = None, *,
                   allocate: str = "split", region_column: str = "country") -> CountSeries:
    """Spread each tally interval's total over its days, following incident timing.

    Parameters
    ----------
    tallies : CountSeries
        Tally intervals (one chain, or a panel with ``region``/``since`` groups).
    incidents : pandas.DataFrame, optional
        Incidents giving the timing; without them (or where an interval holds none)
        the total is spread uniformly over the interval's days.
    allocate : {"start", "split"}
        Placement of incidents with imprecise dates when computing the timing.

    Returns
    -------
    CountSeries
        Daily series (``freq="D"``) with the tally groups. Within each interval the
        daily counts sum to the interval's count; bounded intervals spread their lower
        and upper bounds with the same weights (count NaN).

    Examples
    --------
    >>> s = CountSeries(pd.DataFrame({"start": ["2024-01-01"], "end": ["2024-01-05"], "count": [8.0]}))
    >>> spread_tallies(s).counts.tolist()
    [2.0, 2.0, 2.0, 2.0]
    """
    parts = []
    for key, sub in _chains(tallies):
        group = dict(zip(tallies.groups, key))
        d = sub.data.reset_index(drop=True)
        lo0, hi0 = d["start"].min(), d["end"].max()
        daily = daily_incidents(incidents, lo0, hi0, allocate=allocate, region=group.get("region"),
                                region_column=region_column)
        a = (d["start"] - lo0).dt.days.to_numpy()
        b = (d["end"] - lo0).dt.days.to_numpy()
        lens = b - a
        item = np.repeat(np.arange(len(d)), lens)
        first = np.repeat(np.cumsum(lens) - lens, lens)
        day = np.repeat(a, lens) + (np.arange(len(item)) - first)
        wt = daily[day]
        tot = np.bincount(item, weights=wt, minlength=len(d))
        uniform = tot[item] <= 0
        w = np.where(uniform, 1.0 / lens[item], wt / np.where(tot[item] > 0, tot[item], 1.0))
        # exact conservation: the last day of each interval takes the remainder
        last = np.cumsum(lens) - 1
        w[last] += 1.0 - np.bincount(item, weights=w, minlength=len(d))
        cnt = d["count"].to_numpy(float)[item]
        lo = d["lower"].to_numpy(float)[item]
        hi = d["upper"].to_numpy(float)[item]
        with np.errstate(invalid="ignore"):
            hi_s = np.where(w > 0, hi * w, 0.0)
        frame = pd.DataFrame({
            "start": lo0 + pd.to_timedelta(day, unit="D"),
            "end": lo0 + pd.to_timedelta(day + 1, unit="D"),
            "count": cnt * w,
            "exposure": 1.0,
            "lower": np.where(np.isnan(cnt), lo * w, np.nan),
            "upper": np.where(np.isnan(cnt), hi_s, np.nan),
            "n_reports": 0,
        })
        for g, v in group.items():
            frame[g] = v
        parts.append(frame)
    data = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(
        columns=["start", "end", "count"])
    return CountSeries(data, freq="D", groups=tuple(tallies.groups),
                       attrs=dict(tallies.attrs, spread="incident timing" if incidents is not None
                                  else "uniform"))
