"""The ``changepoints --events FILE [--window DAYS]`` additions to the CLI JSON."""

from __future__ import annotations

import numpy as np

from .alignment import alignment_test
from .attribution import as_catalogue, attribute_changes

__all__ = ["attach_attribution"]


def attach_attribution(result_dict: dict, series, events_path, window_days: float = 14,
                       seed: int | None = 0, *, draws: int = 9999, null: str = "uniform",
                       min_size: int = 1) -> dict:
    """Add ``"attribution"`` and ``"alignment"`` to a ``changepoints`` CLI result.

    Parameters
    ----------
    result_dict : dict
        The command's JSON object; its ``"changepoints"`` list holds ``{"index", "time"}``
        (0-based first row of each new segment).
    series : CountSeries
        The series the changes were detected in (gives each row's start date).
    events_path : path
        Events CSV/Parquet (``event_id, date, end_date, kind, label, source_url``).
    window_days : float, default 14
    seed : int or None, default 0
    draws : int, default 9999
    null : {"uniform", "shift"}
    min_size : int, default 1
        Minimum segment length of the search: under the uniform null a change can fall
        on rows ``min_size .. n - min_size`` only, at least ``min_size`` rows apart.

    Returns
    -------
    dict
        ``result_dict`` itself, updated in place with
        ``"attribution": [{"index", "time", "nearest_event", "lag_days", "events_within"}]``
        (``lag_days`` = change date minus event date: positive when the change follows
        the event) and ``"alignment": {"p_value", "draws", "mc_se", "statistic", "null",
        "null_mean", "window_days"}``. With no change, the alignment p-value is null and
        draws 0. The uniform null draws the changes among the row starts where the
        search could place them.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> import pandas as pd
    >>> from analysis.series import CountSeries
    >>> s = CountSeries.from_counts([1, 0, 2, 1, 0, 9, 8, 11, 10, 9], start="2024-01-01", freq="W")
    >>> events = Path(tempfile.mkdtemp()) / "events.csv"
    >>> pd.DataFrame({"event_id": ["E1"], "date": ["2024-02-04"], "label": ["synthetic"]}).to_csv(events, index=False)
    >>> out = attach_attribution({"changepoints": [{"index": 5, "time": "2024-W06"}]}, s, events, draws=99, min_size=2)
    >>> out["attribution"]
    [{'index': 5, 'time': '2024-W06', 'nearest_event': 'E1', 'lag_days': 1, 'events_within': ['E1']}]
    >>> out["alignment"]["draws"], out["alignment"]["statistic"]
    (99, 1.0)
    """
    cat = as_catalogue(events_path)
    cps = result_dict.get("changepoints", [])
    idx = [int(c["index"]) for c in cps]
    starts = series.start
    dates = [starts[i] for i in idx]
    table = attribute_changes(dates, cat, window_days=window_days, index=idx)
    attribution = []
    for c, (_, r) in zip(cps, table.iterrows()):
        lag = r["lag_days"]
        attribution.append({
            "index": int(c["index"]), "time": c.get("time"),
            "nearest_event": r["nearest_event"],
            "lag_days": None if lag != lag else (int(lag) if float(lag).is_integer() else float(lag)),
            "events_within": list(r["events_within"]),
        })
    result_dict["attribution"] = attribution
    lo, hi = starts.min(), starts.max()
    in_window = cat.select(start=lo, end=hi)
    if not idx or len(in_window) == 0:
        result_dict["alignment"] = {"p_value": None, "draws": 0, "mc_se": None, "statistic": None,
                                    "null": null, "null_mean": None, "window_days": window_days,
                                    "note": "no change" if not idx else "no event inside the series"}
        return result_dict
    m = max(1, int(min_size))
    cand = starts[m:len(starts) - m + 1]
    regular = len(cand) > 1 and len(set(np.diff(cand.asi8))) == 1
    sep = None
    if null == "uniform" and m > 1 and regular:
        sep = float((cand[1] - cand[0]) / np.timedelta64(1, "D")) * m
    res = alignment_test(dates, in_window.dates, window=(lo, hi), draws=draws, null=null,
                         candidates=cand if null == "uniform" else None, min_separation=sep, seed=seed)
    result_dict["alignment"] = {"p_value": res.p_value, "draws": res.draws, "mc_se": res.mc_se,
                                "statistic": res.statistic, "null": res.null,
                                "null_mean": res.null_mean, "window_days": window_days}
    return result_dict
