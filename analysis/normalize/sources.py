"""A count series from two sources: tally intervals where they reach, incidents elsewhere.

An incident list gathered from news reports is often far from complete in the busiest
months, while an official counter (a ministry's or a military's cumulative tallies)
gives totals there but no timing and stops at some date. :func:`tallies_and_incidents`
builds one series from both, with the rule and the switch dates stated:

1. Reports become incidents (:func:`analysis.normalize.normalize`, daily) and tallies
   become interval ranges per counter (:func:`analysis.normalize.tallies_to_intervals`).
2. One chain of cumulative statements (a ``source``, a ``region`` and the ``since``
   they count from) becomes a point path (:func:`tally_point_path`): each statement's
   figure by the ``bounds`` rule, kept inside the range the chain's other statements
   allow and made non-decreasing. Each interval's count is spread uniformly over its
   days (the incident list is too thin there to time them).
3. Later exact intervals of the same counter (chains counted from a later ``since``)
   fill the days the main chain does not reach.
4. The cumulative spread path is rounded to whole events per day (interval totals are
   whole, so each interval keeps its total; count costs and exact tests need integers).
5. Every other day takes the deduplicated incident count; days are binned into the
   series' periods (ISO weeks Monday to Sunday, calendar months, or days).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..series import CountSeries

__all__ = ["BOUNDS", "CombinedSeries", "tally_point_path", "tallies_and_incidents"]

#: Rules for the figure a bounded statement contributes (see :func:`tally_point_path`).
BOUNDS = ("lower", "stated", "upper")
_FREQ = {"D": ("D", "day"), "W": ("W-SUN", "week"), "M": ("M", "month")}


def _chain_mask(frame: pd.DataFrame, source: str, region: str, since=None) -> pd.Series:
    m = (frame["source"] == source) & (frame["region"].astype(str).str.lower() == region.lower())
    if since is not None:
        m &= pd.to_datetime(frame["since"]) == pd.Timestamp(since)
    return m


def _default_since(cumulative: pd.DataFrame, source: str, region: str) -> pd.Timestamp:
    """The chain of ``source``/``region`` with the most resolved statements (earliest on ties)."""
    c = cumulative.loc[_chain_mask(cumulative, source, region)]
    if not len(c):
        raise ValueError(f"no cumulative tallies of source {source!r}, region {region!r}")
    n = pd.to_datetime(c["since"]).value_counts()
    best = n[n == n.max()].index.min()
    return pd.Timestamp(best)


def tally_point_path(tallies_result, tallies: pd.DataFrame, *, source: str, region: str = "all",
                     since=None, bounds: str = "stated") -> pd.DataFrame:
    """One cumulative count per tally date: the point path through a chain's statements.

    Each resolved cumulative statement of the chain (after conflicts, stale figures and
    monotone tightening, :func:`analysis.normalize.tallies_to_intervals`) contributes a
    figure, clipped into the chain's tightened range ``[lower, upper]`` for that day and
    made non-decreasing; counts between successive dates are the differences.

    Parameters
    ----------
    tallies_result : TallyResult
        ``NormalizeResult.tallies``.
    tallies : pandas.DataFrame
        The canonical tallies the result was made from (for the stated figures).
    source, region : str
        The counter and the region of the chain.
    since : date-like, optional
        The date the chain counts from; default: the chain of ``source``/``region``
        with the most resolved statements.
    bounds : {"lower", "stated", "upper"}
        ``stated``: N for ``exact``, ``at_least``, ``about`` and ``at_most``, N + 1 for
        ``more_than``; ``lower``: the lower end of each tightened range (the smallest
        counts the statements allow); ``upper``: the upper end, where the statements
        set one (an open-ended range keeps the stated figure).

    Returns
    -------
    pandas.DataFrame
        ``as_of, tally_id, bound, stated, lower, upper, point, interval_start,
        interval_end`` (``interval_end`` exclusive) and ``count`` (events in the
        interval).

    Raises
    ------
    ValueError
        An unknown ``bounds`` rule, or no statement in the chain.

    Examples
    --------
    >>> from analysis.normalize import normalize
    >>> from analysis.synthetic import toy_tables
    >>> reports, tallies = toy_tables()      # synthetic: two reports, one counter
    >>> res = normalize(reports, tallies, freq="W")
    >>> path = tally_point_path(res.tallies, tallies, source="ministry")
    >>> path[["tally_id", "stated", "lower", "upper", "point"]].values.tolist()   # 'more than 9' -> 10
    [['t1', 3.0, 3.0, 3.0, 3.0], ['t2', 9.0, 10.0, 14.0, 10.0], ['t3', 14.0, 14.0, 14.0, 14.0]]
    """
    if bounds not in BOUNDS:
        raise ValueError(f"bounds must be one of {', '.join(BOUNDS)}, not {bounds!r}")
    cum = tallies_result.cumulative
    since = pd.Timestamp(since) if since is not None else _default_since(cum, source, region)
    c = cum.loc[_chain_mask(cum, source, region, since)].sort_values("as_of").reset_index(drop=True)
    if not len(c):
        raise ValueError(f"no tallies of {source!r}, region {region!r}, since {since.date()}")
    t = tallies.drop_duplicates("tally_id").set_index("tally_id")
    stated = t.loc[c["tally_id"], "count"].astype(float).to_numpy()
    bound = t.loc[c["tally_id"], "bound"].astype(str).to_numpy()
    nominal = stated + (bound == "more_than")
    lo = c["lower"].to_numpy(float)
    hi = c["upper"].to_numpy(float)
    stated_pt = np.clip(nominal, lo, hi)
    if bounds == "stated":
        pick = stated_pt
    elif bounds == "lower":
        pick = lo
    else:
        pick = np.where(np.isfinite(hi), hi, stated_pt)
    point = np.maximum.accumulate(pick)
    as_of = pd.DatetimeIndex(pd.to_datetime(c["as_of"]))
    starts = pd.DatetimeIndex([since]).append(as_of[:-1] + pd.Timedelta(days=1))
    return pd.DataFrame({"as_of": as_of, "tally_id": c["tally_id"].to_numpy(), "bound": bound,
                         "stated": stated, "lower": lo, "upper": hi, "point": point,
                         "interval_start": starts, "interval_end": as_of + pd.Timedelta(days=1),
                         "count": np.diff(np.r_[0.0, point])})


@dataclass(frozen=True)
class CombinedSeries:
    """A series built from tallies where they reach and incidents elsewhere.

    Attributes
    ----------
    series : CountSeries
        The binned series, with a ``tally_days`` column (days of each period whose count
        comes from the tallies) and ``attrs["source_of_counts"]``.
    daily : pandas.DataFrame
        ``day, count, source`` (``"tallies"`` or ``"incidents"``), ``incidents`` (the
        deduplicated incident count of that day) and ``n_reports``.
    tally_path : pandas.DataFrame
        :func:`tally_point_path` of the main chain.
    tally_span : (Timestamp, Timestamp)
        First and last day counted from the tallies (inclusive).
    switch_dates : tuple of Timestamp
        Days on which the source of the counts changes (the first day of the new source).
    rule : str
        The rule, in one sentence, with the counter and the dates.
    notes : tuple of str
        What the reader should know about the counts (generated, numbers included).
    normalized : NormalizeResult
        The daily normalisation of the reports and tallies.
    settings : dict
        ``source, region, since, bounds, freq, window``.
    """

    series: CountSeries
    daily: pd.DataFrame
    tally_path: pd.DataFrame
    tally_span: tuple
    switch_dates: tuple
    rule: str
    notes: tuple
    normalized: object = field(repr=False)
    settings: dict = field(default_factory=dict)

    def tallies_only(self) -> CountSeries:
        """The periods whose every day is counted from the tallies (the longest such run).

        Raises
        ------
        ValueError
            No period of the window lies wholly inside the tallies' reach.
        """
        d = self.series.data
        full = (d["tally_days"].to_numpy() == d["exposure"].to_numpy())
        best, run = (0, 0), None
        for i, f in enumerate(list(full) + [False]):
            if f and run is None:
                run = i
            elif not f and run is not None:
                if i - run > best[1] - best[0]:
                    best = (run, i)
                run = None
        if best == (0, 0):
            raise ValueError("no whole period of the window is counted from the tallies")
        sub = d.iloc[best[0]:best[1]]
        attrs = dict(self.series.attrs, source_of_counts=(
            f"{self.settings.get('source')} tallies only, {sub['start'].iloc[0].date()} to "
            f"{(sub['end'].iloc[-1] - pd.Timedelta(days=1)).date()} (spread uniformly within tally intervals)"))
        return CountSeries(sub.reset_index(drop=True), freq=self.series.freq, attrs=attrs)

    @property
    def incidents_in_tally_span(self) -> float:
        """Deduplicated incidents of the list on the days the tallies count."""
        d = self.daily
        return float(d.loc[d["source"] == "tallies", "incidents"].sum())

    def to_dict(self) -> dict:
        """JSON-ready summary: rule, switch dates, tally span and notes."""
        return {"rule": self.rule, "switch_dates": [str(d.date()) for d in self.switch_dates],
                "tally_span": [str(d.date()) for d in self.tally_span], "notes": list(self.notes),
                "tally_total": float(self.tally_path["point"].iloc[-1]),
                "incidents_in_tally_span": self.incidents_in_tally_span,
                "settings": {k: (str(v) if not isinstance(v, (int, float, list)) else v)
                             for k, v in self.settings.items()}}


def _period_frame(days: pd.DatetimeIndex, freq: str) -> pd.PeriodIndex:
    if freq not in _FREQ:
        raise ValueError(f"freq must be one of {', '.join(_FREQ)} for tallies+incidents, not {freq!r}")
    return days.to_period(_FREQ[freq][0])


def _check_window(w0: pd.Timestamp, w1: pd.Timestamp, freq: str) -> None:
    p0 = pd.Period(w0, _FREQ[freq][0])
    p1 = pd.Period(w1, _FREQ[freq][0])
    if p0.start_time != w0 or p1.start_time != w1 or w1 <= w0:
        raise ValueError(f"window {w0.date()} to {w1.date()} must start and end on {_FREQ[freq][1]} "
                         f"boundaries (end exclusive), e.g. Mondays for ISO weeks")


def tallies_and_incidents(reports, tallies, *, source: str, window, freq: str = "W",
                          region: str = "all", since=None, bounds: str = "stated",
                          aliases: Mapping[str, str] | None = None, name: str | None = None,
                          noun: str = "events", dedupe: str = "auto") -> CombinedSeries:
    """Series of counts from ``source``'s tallies where they reach, incidents elsewhere.

    Parameters
    ----------
    reports, tallies : pandas.DataFrame
        Canonical reports and tallies (:mod:`analysis.io` readers).
    source : str
        The counter whose cumulative tallies give the counts where they reach.
    window : (start, end)
        Whole periods, end exclusive (Mondays for weekly series, first days of months
        for monthly ones).
    freq : {"W", "M", "D"}, default "W"
    region, since, bounds
        The chain and the bounds rule (:func:`tally_point_path`).
    aliases : mapping, optional
        Place-name aliases for matching reports (:func:`analysis.normalize.dedupe`).
    dedupe : {"auto", "off", "reports", "link"}
        How the reports are matched into incidents (:func:`analysis.normalize.normalize`).
    name : str, optional
        ``attrs["name"]`` of the series.
    noun : str
        What is counted, for the notes ("attacks").

    Returns
    -------
    CombinedSeries

    Raises
    ------
    ValueError
        A window not on period boundaries, an unknown ``freq`` or ``bounds``, or no
        chain of ``source``/``region``.

    Examples
    --------
    >>> from analysis.io import read_reports, read_tallies
    >>> reports = read_reports(pd.DataFrame({"report_id": ["r1", "r2"], "date": ["2024-01-20", "2024-01-24"],
    ...                                      "country": "X", "location": ["a", "b"], "source": "news"}))
    >>> tallies = read_tallies(pd.DataFrame({"tally_id": ["t1", "t2"], "since": "2024-01-01",
    ...                                      "as_of": ["2024-01-07", "2024-01-14"], "count": [14, 21],
    ...                                      "bound": "exact", "region": "all", "source": "ministry"}))
    >>> c = tallies_and_incidents(reports, tallies, source="ministry",
    ...                           window=("2024-01-01", "2024-01-29"))
    >>> c.series.counts.tolist(), [str(d.date()) for d in c.switch_dates]
    ([14.0, 7.0, 1.0, 1.0], ['2024-01-15'])
    """
    from .pipeline import normalize

    if bounds not in BOUNDS:
        raise ValueError(f"bounds must be one of {', '.join(BOUNDS)}, not {bounds!r}")
    w0, w1 = pd.Timestamp(window[0]), pd.Timestamp(window[1])
    _period_frame(pd.DatetimeIndex([w0]), freq)
    _check_window(w0, w1, freq)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        norm = normalize(reports=reports, tallies=tallies, freq="D",
                         window=(w0, w1 - pd.Timedelta(days=1)), allocate="start", aliases=aliases,
                         dedupe=dedupe)
    days = pd.date_range(w0, w1 - pd.Timedelta(days=1), freq="D")
    if reports is None or not len(reports):   # tallies alone: no incident on any day
        inc, nrep = pd.Series(0.0, index=days), pd.Series(0, index=days)
    else:
        idx = pd.DatetimeIndex(norm.series.start)
        inc = pd.Series(norm.series.counts, index=idx).reindex(days, fill_value=0.0)
        nrep = pd.Series(norm.series.data["n_reports"].to_numpy(), index=idx).reindex(days, fill_value=0)

    path = tally_point_path(norm.tallies, tallies, source=source, region=region, since=since,
                            bounds=bounds)
    since = path["interval_start"].iloc[0]
    chain = CountSeries(pd.DataFrame({"start": path["interval_start"], "end": path["interval_end"],
                                      "count": path["count"]}), freq=None)
    from .reconcile import spread_tallies
    spread = spread_tallies(chain, None)
    tally = pd.Series(np.nan, index=days)
    sp = pd.Series(spread.counts, index=pd.DatetimeIndex(spread.start))
    sp = sp[(sp.index >= w0) & (sp.index < w1)]
    tally.loc[sp.index] = sp.to_numpy()
    # later exact intervals of the same counter fill the days the chain does not reach
    iv = norm.tallies.intervals
    later = iv[_chain_mask(iv, source, region) & (pd.to_datetime(iv["since"]) > since)
               & iv["count"].notna()]
    for _, r in later.iterrows():
        d = pd.date_range(r["start"], pd.Timestamp(r["end"]) - pd.Timedelta(days=1), freq="D")
        d = d[(d >= w0) & (d < w1)]
        free = d[tally.loc[d].isna().to_numpy()]
        if len(free):
            tally.loc[free] = float(r["count"]) / float(r["exposure"])
    from_tally = tally.notna()
    if not from_tally.any():
        raise ValueError(f"the tallies of {source!r} ({region}) reach no day of the window "
                         f"{w0.date()} to {w1.date()}")
    cum = np.round(np.cumsum(tally.fillna(0.0).to_numpy()) + 1e-9)
    tally_int = pd.Series(np.diff(np.r_[0.0, cum]), index=days)
    daily = tally_int.where(from_tally, inc)
    periods = _period_frame(days, freq)
    ft = from_tally.to_numpy()
    frame = pd.DataFrame({"p": periods, "count": daily.to_numpy(float), "tally_days": ft.astype(int),
                          "n_reports": np.where(ft, 0, nrep.to_numpy()), "exposure": 1.0})
    g = frame.groupby("p", sort=True)
    agg = g.agg(count=("count", "sum"), exposure=("exposure", "sum"), n_reports=("n_reports", "sum"),
                tally_days=("tally_days", "sum"))
    starts = agg.index.to_timestamp(how="start")
    ends = (agg.index + 1).to_timestamp(how="start")
    out = pd.DataFrame({"start": starts, "end": ends, "count": agg["count"].to_numpy(),
                        "exposure": agg["exposure"].to_numpy(float),
                        "n_reports": agg["n_reports"].to_numpy(), "tally_days": agg["tally_days"].to_numpy()})
    tdays = days[ft]
    span = (tdays.min(), tdays.max())
    change = np.flatnonzero(np.diff(ft.astype(int)) != 0) + 1
    switches = tuple(days[change])
    src_text = (f"{source} tallies {span[0].date()} to {span[1].date()} (spread uniformly within "
                "tally intervals); incident list elsewhere")
    attrs = {"name": name or f"{noun} per {_FREQ[freq][1]}", "source_of_counts": src_text,
             "window": [str(w0.date()), str((w1 - pd.Timedelta(days=1)).date())]}
    series = CountSeries(out, freq=freq, attrs=attrs)
    in_span = float(inc.loc[(inc.index >= path["interval_start"].min())
                            & (inc.index < path["interval_end"].max())].sum())
    rule_of = {"stated": "at their stated figure ('more than N' as N + 1)",
               "lower": "at the lowest count the statements allow",
               "upper": "at the highest count the statements allow (the stated figure where they "
                        "set no upper limit)"}[bounds]
    rule = (f"Where the {source} tallies ({region}, counted from {since.date()}) cover a day, their "
            f"count is used, spread uniformly over the days between successive tallies and rounded to "
            f"whole {noun} per day; the deduplicated incident list gives every other day.")
    notes = (
        f"Counts from {span[0].date()} to {span[1].date()} come from the {source}'s cumulative tallies "
        f"({len(path)} resolved statements, {path['point'].iloc[-1]:g} {noun} by "
        f"{path['as_of'].iloc[-1].date()}), spread uniformly over the days of each interval between "
        f"successive tallies (rounded to whole {noun} per day); the incident list holds only "
        f"{in_span:g} {noun} in the same period.",
        f"Bounded tallies enter {rule_of}, kept inside the range the other statements allow and "
        "made non-decreasing.",
        f"After {span[1].date()} the deduplicated incident list is the only source (the list may be "
        "incomplete).",
    )
    dframe = pd.DataFrame({"day": days, "count": daily.to_numpy(float),
                           "source": np.where(ft, "tallies", "incidents"),
                           "incidents": inc.to_numpy(float), "n_reports": nrep.to_numpy()})
    settings = {"source": source, "region": region, "since": str(since.date()), "bounds": bounds,
                "freq": freq, "window": [str(w0.date()), str(w1.date())]}
    return CombinedSeries(series=series, daily=dframe, tally_path=path, tally_span=span,
                          switch_dates=switches, rule=rule, notes=notes, normalized=norm,
                          settings=settings)
