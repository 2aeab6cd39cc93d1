"""Attribution: detected changes beside the listed events.

For each change: the nearest event(s) with the signed lag ``change - event`` in days
(positive = change after the event; see :mod:`analysis.events.catalogue`) and every
event within ``+-window_days``. For each event: the posterior mass of a change within
``+-window_days`` (from a :class:`~analysis.changepoints.BayesianChangepoints` result)
and the Bayes factor of an event-informed prior against the uniform one.

Time resolution: a change in a binned series is dated by the start of the first
interval of its new segment, so for weekly bins a lag is known to about a week.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ._dates import to_days
from .catalogue import EventCatalogue, signed_lags

__all__ = ["as_catalogue", "attribute_changes", "Attribution", "attribution_pairs", "event_posterior",
           "event_bayes_factors", "change_dates_of"]


def as_catalogue(events) -> EventCatalogue:
    """An :class:`EventCatalogue` from a catalogue, a DataFrame or a file path.

    Examples
    --------
    >>> import pandas as pd
    >>> as_catalogue(pd.DataFrame({"event_id": ["E1", "E2"], "date": ["2024-02-04", "2024-03-01"], "label": ["a", "b"]}))
    <EventCatalogue n=2 2024-02-04 to 2024-03-01>
    """
    if isinstance(events, EventCatalogue):
        return events
    if isinstance(events, pd.DataFrame):
        return EventCatalogue(events)
    if isinstance(events, (str, Path)):
        return EventCatalogue.read(events)
    raise TypeError("events must be an EventCatalogue, a DataFrame or a path, "
                    f"not {type(events).__name__}")


def change_dates_of(series, changepoints) -> pd.DatetimeIndex:
    """Dates of changepoint rows (0-based first row of each new segment) of a CountSeries.

    Examples
    --------
    >>> from analysis.series import CountSeries
    >>> s = CountSeries.from_counts([1, 0, 2, 1, 0, 9, 8, 11, 10, 9], start="2024-01-01", freq="W")
    >>> [str(d.date()) for d in change_dates_of(s, [5])]
    ['2024-02-05']
    """
    idx = np.asarray(list(changepoints), dtype=int)
    if len(idx) and (idx.min() < 0 or idx.max() >= series.n):
        raise ValueError(f"changepoints must be row indices in [0, {series.n}); got {idx.tolist()}")
    return pd.DatetimeIndex(series.start[idx])


def _fmt_lag(x: float) -> str:
    return f"{x:+g}"


def attribution_pairs(change_dates, events, window_days: float = 14) -> pd.DataFrame:
    """Long table: one row per (change, event) pair within ``+-window_days``.

    Columns ``change, change_date, event_id, event_date, kind, label, lag_days,
    distance_days`` sorted by change then distance.

    Examples
    --------
    >>> import pandas as pd
    >>> ev = pd.DataFrame({"event_id": ["E1", "E2"], "date": ["2024-02-04", "2024-03-01"], "label": ["a", "b"]})
    >>> attribution_pairs(["2024-02-05"], ev, window_days=30)[["event_id", "lag_days"]].values.tolist()
    [['E1', 1.0], ['E2', -25.0]]
    """
    cat = as_catalogue(events)
    ch = to_days(change_dates, name="change_dates")
    cols = ["change", "change_date", "event_id", "event_date", "kind", "label", "lag_days", "distance_days"]
    if len(ch) == 0 or len(cat) == 0:
        return pd.DataFrame({c: [] for c in cols})
    s, e = cat._days()
    lag = signed_lags(ch, s, e)
    i, j = np.nonzero(np.abs(lag) <= window_days)
    f = cat.frame
    out = pd.DataFrame({
        "change": i,
        "change_date": pd.DatetimeIndex(pd.to_datetime(list(change_dates))).normalize()[i] if len(i) else [],
        "event_id": f["event_id"].to_numpy()[j],
        "event_date": f["date"].to_numpy()[j],
        "kind": f["kind"].to_numpy()[j],
        "label": f["label"].to_numpy()[j],
        "lag_days": lag[i, j],
        "distance_days": np.abs(lag[i, j]),
    })
    out = out.sort_values(["change", "distance_days", "event_date", "event_id"], kind="stable")
    return out.reset_index(drop=True)


class Attribution(pd.DataFrame):
    """The table :func:`attribute_changes` returns: a DataFrame with ``summary()``.

    Derived frames (slices, copies, ``merge``) are plain DataFrames.
    """

    _metadata = ["window_days"]

    @property
    def _constructor(self):
        return pd.DataFrame

    def summary(self) -> Summary:
        """Each change with its nearest event, the lag and the events within the window."""
        from .._format import plural
        from .._summary import Summary

        w = getattr(self, "window_days", None)
        if not len(self):
            return Summary("Attribution: no changes")
        cols = [c for c in ("change_date", "index", "nearest_event", "nearest_date", "lag_days", "n_within")
                if c in self.columns]
        table = pd.DataFrame(self[cols])
        for c in ("change_date", "nearest_date"):
            if c in table:
                table[c] = pd.to_datetime(table[c]).dt.strftime("%Y-%m-%d")
        within = f", events within +-{w:g} days" if w is not None else ""
        return Summary(f"Attribution: {plural(len(self), 'change')}, nearest listed event and lag "
                       f"(change minus event, days){within}", table.reset_index(drop=True))

    def _repr_html_(self) -> str:
        return self.summary()._repr_html_()


def _from_result(result):
    """Change dates and row indices of a Segmentation or BayesResult (its time labels give the dates)."""
    from .._time import period_bounds

    if hasattr(result, "map_changepoints"):       # BayesResult: the MAP changes, labelled by its rows
        cps = list(result.map_changepoints)
        labels = list(getattr(result, "labels", None) or ())
        times = [labels[i] for i in cps] if len(labels) == result.n else list(cps)
    else:
        cps = list(result.changepoints)
        times = list(getattr(result, "times", ()))
    if len(times) != len(cps) or any(isinstance(x, (int, np.integer)) for x in times):
        raise ValueError("the segmentation has no time labels (it was fitted to a plain array); pass the change "
                         "dates, e.g. change_dates_of(series, seg.changepoints)")
    starts = period_bounds([str(x) for x in times])[0] if times else pd.DatetimeIndex([])
    return pd.DatetimeIndex(starts), [int(i) for i in cps]


def attribute_changes(change_dates, events, window_days: float = 14, *, index=None) -> "Attribution":
    """Nearest events and the events within a window, for each detected change.

    Parameters
    ----------
    change_dates : sequence of date-like, Segmentation or BayesResult
        Dates of the changes (for a binned series, the start of the first interval of
        the new segment; see :func:`change_dates_of`), or a changepoint result fitted to a
        dated series: its changes are dated by their time labels and ``index`` is filled.
    events : EventCatalogue, DataFrame or path
    window_days : float, default 14
        Half-width of the window around each change.
    index : sequence of int, optional
        Row index of each change in its series (copied into the ``index`` column).

    Returns
    -------
    Attribution
        A DataFrame with ``summary()``; one row per change: ``change`` (0-based order), ``index``, ``change_date``,
        ``nearest_event`` (event_id; ties: the earlier event, then the smaller id),
        ``nearest_date``, ``nearest_kind``, ``nearest_label``, ``lag_days`` (change
        minus event: positive when the change follows the event), ``distance_days``,
        ``tied_events`` (ids of all events at the same distance), ``n_within`` and
        ``events_within`` (ids within the window, nearest first) and
        ``lags_within`` (their signed lags, same order).

    Examples
    --------
    >>> ev = pd.DataFrame({"event_id": ["A", "B"], "date": ["2024-01-10", "2024-03-01"],
    ...                    "label": ["a", "b"]})
    >>> t = attribute_changes(["2024-01-13", "2024-05-01"], ev, window_days=14)
    >>> t[["nearest_event", "lag_days", "n_within"]].to_dict("records")
    [{'nearest_event': 'A', 'lag_days': 3.0, 'n_within': 1}, {'nearest_event': 'B', 'lag_days': 61.0, 'n_within': 0}]
    >>> print(t.summary().header)
    Attribution: 2 changes, nearest listed event and lag (change minus event, days), events within +-14 days
    """
    if window_days is None or not np.isfinite(window_days) or window_days < 0:
        raise ValueError(f"window_days must be a non-negative number, not {window_days!r}")
    cat = as_catalogue(events)
    if hasattr(change_dates, "changepoints") or hasattr(change_dates, "map_changepoints"):
        change_dates, from_index = _from_result(change_dates)
        index = from_index if index is None else index
    dates = pd.DatetimeIndex(pd.to_datetime(list(change_dates))) if len(change_dates) else pd.DatetimeIndex([])
    ch = to_days(dates, name="change_dates")
    if index is not None and len(index) != len(ch):
        raise ValueError("index must have one entry per change date")
    cols = ["change", "index", "change_date", "nearest_event", "nearest_date", "nearest_kind",
            "nearest_label", "lag_days", "distance_days", "tied_events", "n_within",
            "events_within", "lags_within"]
    if len(ch) == 0:
        return _attribution(pd.DataFrame({c: [] for c in cols}), window_days)
    f = cat.frame
    rows = []
    if len(cat):
        s, e = cat._days()
        lag = signed_lags(ch, s, e)
        dist = np.abs(lag)
        # ordering key: distance, then earlier event first (events before the change), then id
        after = (lag < 0).astype(float)
    for r, d in enumerate(dates):
        row = {"change": r, "index": None if index is None else int(index[r]), "change_date": d}
        if len(cat) == 0:
            row.update(nearest_event=None, nearest_date=pd.NaT, nearest_kind=None, nearest_label=None,
                       lag_days=np.nan, distance_days=np.nan, tied_events=(), n_within=0,
                       events_within=(), lags_within=())
            rows.append(row)
            continue
        order = np.lexsort((f["event_id"].to_numpy(), s, after[r], dist[r]))
        best = order[0]
        tied = [k for k in order if dist[r, k] == dist[r, best]]
        win = [k for k in order if dist[r, k] <= window_days]
        row.update(
            nearest_event=f["event_id"].iloc[best], nearest_date=f["date"].iloc[best],
            nearest_kind=f["kind"].iloc[best], nearest_label=f["label"].iloc[best],
            lag_days=float(lag[r, best]), distance_days=float(dist[r, best]),
            tied_events=tuple(f["event_id"].iloc[k] for k in tied), n_within=len(win),
            events_within=tuple(f["event_id"].iloc[k] for k in win),
            lags_within=tuple(float(lag[r, k]) for k in win),
        )
        rows.append(row)
    return _attribution(pd.DataFrame(rows, columns=cols), window_days)


def _attribution(frame: pd.DataFrame, window_days) -> Attribution:
    out = Attribution(frame)
    out.window_days = float(window_days)
    return out


# ------------------------------------------------------------------ Bayesian side
def _window_mask(series, start, end, window_days) -> np.ndarray:
    """Rows whose interval starts within ``[start - w, end + w]`` (inclusive)."""
    lo = pd.Timestamp(start) - pd.Timedelta(days=window_days)
    hi = pd.Timestamp(end) + pd.Timedelta(days=window_days)
    st = series.start
    return np.asarray((st >= lo) & (st <= hi))


def event_posterior(bayes, series, events, window_days: float = 14) -> pd.DataFrame:
    """Posterior mass of a change within ``+-window_days`` of each event.

    Parameters
    ----------
    bayes : BayesResult
        Fitted :class:`~analysis.changepoints.BayesianChangepoints` result; its
        ``prob_change[i]`` is the posterior probability that a new segment starts at row ``i``.
    series : CountSeries
        The series the posterior was fitted to (gives the row dates).
    events : EventCatalogue, DataFrame or path

    Returns
    -------
    pandas.DataFrame
        Per event: ``event_id, date, end_date, kind, label, rows_in_window,
        expected_changes_within, p_change_within``. ``expected_changes_within`` is
        the sum of ``prob_change`` over the rows whose interval starts in
        ``[date - w, end_date + w]``: the posterior expected number of changes there.
        ``p_any_change_within`` is the posterior probability of at least one change in
        those rows (:meth:`BayesResult.prob_change_between`: one minus the posterior
        mass of the segments covering the window's rows and the row before); it equals
        ``expected_changes_within`` when at most one change fits in the window and is
        smaller otherwise (NaN for a result without segment probabilities).
        ``p_change_within = min(1, expected_changes_within)`` is kept for the outputs
        built on it: an upper bound of ``p_any_change_within``, equal to it only when
        at most one change fits in the window. Prefer ``p_any_change_within``.
        Events whose window holds no row of the series get NaN.

    Examples
    --------
    >>> import pandas as pd
    >>> from analysis.series import CountSeries
    >>> s = CountSeries.from_counts([1, 0, 2, 1, 0, 9, 8, 11, 10, 9], start="2024-01-01", freq="W")
    >>> ev = pd.DataFrame({"event_id": ["E1", "E2"], "date": ["2024-02-04", "2024-03-01"],
    ...                    "label": ["synthetic a", "synthetic b"]})
    >>> from analysis.changepoints import BayesianChangepoints
    >>> post = BayesianChangepoints(p_change=0.05).fit(s)
    >>> event_posterior(post, s, ev)[["event_id", "p_change_within"]].round(3).values.tolist()
    [['E1', 1.0], ['E2', 0.039]]
    """
    cat = as_catalogue(events)
    p = np.asarray(bayes.prob_change, dtype=float)
    if len(p) != series.n:
        raise ValueError(f"bayes.prob_change has {len(p)} values for a series of {series.n} rows")
    p = np.nan_to_num(p, nan=0.0)
    out = cat.frame[["event_id", "date", "end_date", "kind", "label"]].copy()
    exact = getattr(bayes, "segment_probs", None) is not None
    n_rows, mass, prob = [], [], []
    for d, e in zip(cat.dates, cat.end_dates):
        m = _window_mask(series, d, e, window_days)
        rows = np.flatnonzero(m)
        n_rows.append(len(rows))
        mass.append(float(p[m].sum()) if len(rows) else np.nan)
        if not len(rows):
            prob.append(np.nan)
        elif exact:  # the rows starting in the window are contiguous
            prob.append(bayes.prob_change_between(rows[0], rows[-1]))
        else:
            prob.append(np.nan)
    out["rows_in_window"] = n_rows
    out["expected_changes_within"] = mass
    out["p_change_within"] = np.minimum(1.0, np.asarray(mass, float))
    out["p_any_change_within"] = np.asarray(prob, float)
    return out.reset_index(drop=True)


def event_bayes_factors(series, events, *, window_days: float = 14, combined: bool = True,
                        odds: float = 10.0, **bayes_kwargs) -> pd.DataFrame:
    """Bayes factor of an event-informed changepoint prior against the uniform prior.

    For each event inside the series (and, with ``combined``, for all of them at once)
    :class:`~analysis.changepoints.BayesianChangepoints` is fitted twice on the same
    series with the same settings: once with ``event_prior=EventPrior(dates,
    window_days, odds)`` (prior odds of a change multiplied by ``odds`` at every row
    starting within ``window_days`` of the event) and once without.
    ``log_bf = log_evidence(event prior) - log_evidence(uniform prior)``; both evidences
    are proper marginal likelihoods, so ``log_bf > 0`` means the data favour the prior
    that expects a change near the event(s).

    Parameters
    ----------
    series : CountSeries
    events : EventCatalogue, DataFrame or path
    window_days : float, default 14
    combined : bool, default True
        Add a row ``event_id="all"`` for the prior built on every event at once.
    odds : float, default 10
    **bayes_kwargs
        Passed to ``BayesianChangepoints`` (``prior_rate``, ``p_change``, ``min_size``...).

    Returns
    -------
    pandas.DataFrame
        ``event_id`` (``"all"`` for the combined prior), ``date``, ``rows_near`` (rows
        whose prior odds are raised), ``log_evidence_event``, ``log_evidence_uniform``,
        ``log_bf``, ``bf``.

    Examples
    --------
    >>> import pandas as pd
    >>> from analysis.series import CountSeries
    >>> s = CountSeries.from_counts([1, 0, 2, 1, 0, 9, 8, 11, 10, 9], start="2024-01-01", freq="W")
    >>> ev = pd.DataFrame({"event_id": ["E1", "E2"], "date": ["2024-02-04", "2024-03-01"],
    ...                    "label": ["synthetic a", "synthetic b"]})
    >>> event_bayes_factors(s, ev)[["event_id", "bf"]].round(2).values.tolist()
    [['E1', 1.99], ['E2', 0.29], ['all', 0.58]]
    """
    from ..changepoints import BayesianChangepoints, EventPrior

    cat = as_catalogue(events)
    lo, hi = series.start.min(), series.end.max()
    inside = cat.select(start=lo, end=hi - pd.Timedelta(days=1))
    base = BayesianChangepoints(**bayes_kwargs).fit(series)
    l0 = float(base.log_evidence)
    sets = [(eid, [d]) for eid, d in zip(inside.ids, inside.dates)]
    if combined and len(inside) > 1:
        sets.append(("all", list(inside.dates)))
    st = to_days(series.start)
    rows = []
    for eid, dates in sets:
        prior = EventPrior(dates=list(dates), window_days=window_days, odds=odds)
        res = BayesianChangepoints(event_prior=prior, **bayes_kwargs).fit(series)
        l1 = float(res.log_evidence)
        near = np.min(np.abs(st[:, None] - to_days(dates)[None, :]), axis=1) <= window_days
        rows.append({"event_id": eid, "date": dates[0] if len(dates) == 1 else pd.NaT,
                     "rows_near": int(near[1:].sum()),
                     "log_evidence_event": l1, "log_evidence_uniform": l0, "log_bf": l1 - l0,
                     "bf": float(np.exp(np.clip(l1 - l0, -700, 700)))})
    return pd.DataFrame(rows, columns=["event_id", "date", "rows_near", "log_evidence_event",
                                       "log_evidence_uniform", "log_bf", "bf"])
