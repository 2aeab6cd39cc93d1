"""What the data cover and do not cover, computed from the data and printed next to the numbers.

:func:`coverage_caveats` reads a count series (and, when it was built from tallies and
incidents, the day-by-day source of its counts) and states:

* the days whose counts rest on tallies only, with how many incidents the list holds
  there against the tallies' count;
* tally intervals that state no events at all (a counter's "no attacks since ...");
* the days after the tallies end, where the incident list is the only source;
* runs of at least ``min_gap`` periods where no source reports anything: zeros of
  these sources, not confirmed quiet;
* the last reported event, and how many periods of the window follow it;
* the bin width (a change is dated by the first day of its period);
* fractional counts, when tally counts were spread over days.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from . import _text as tx

__all__ = ["CoverageResult", "coverage_caveats"]


@dataclass(frozen=True)
class CoverageResult:
    """Coverage caveats (sentences) and the facts they state (JSON-ready).

    Attributes
    ----------
    caveats : tuple of str
    facts : dict
        ``tally_span``, ``incidents_in_tally_span``, ``tally_total``, ``zero_intervals``,
        ``gaps`` (``[start, end]`` inclusive days), ``last_event``, ``periods_after_last``.
    """

    caveats: tuple
    facts: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {"caveats": list(self.caveats), "facts": self.facts}


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """``(first, last)`` index of each run of True."""
    out, i, n = [], 0, len(mask)
    while i < n:
        if mask[i]:
            j = i
            while j + 1 < n and mask[j + 1]:
                j += 1
            out.append((i, j))
            i = j + 1
        else:
            i += 1
    return out


def coverage_caveats(series, *, incidents: pd.DataFrame | None = None, combined=None,
                     tally_intervals: pd.DataFrame | None = None, noun: str = "events",
                     min_gap: int = 4, min_zero_days: int = 7) -> CoverageResult:
    """Caveats computed from the data.

    Parameters
    ----------
    series : CountSeries
        The analysed series (``n_reports`` per row).
    incidents : pandas.DataFrame, optional
        Deduplicated incidents (``NormalizeResult.incidents``; those ``counted``).
    combined : CombinedSeries, optional
        When the series was built from tallies and incidents: the source of each day.
    tally_intervals : pandas.DataFrame, optional
        ``TallyResult.intervals``: exact intervals with no events of at least
        ``min_zero_days`` days are stated.
    noun : str
        What is counted ("attacks").
    min_gap : int
        Shortest run of periods without any report or tally that is stated.

    Returns
    -------
    CoverageResult

    Examples
    --------
    >>> from analysis.series import CountSeries
    >>> st = pd.date_range("2024-01-01", periods=8, freq="7D")
    >>> s = CountSeries(pd.DataFrame({"start": st, "end": st + pd.Timedelta(days=7),
    ...                               "count": [2, 1, 0, 0, 0, 0, 1, 0],
    ...                               "n_reports": [2, 1, 0, 0, 0, 0, 1, 0]}), freq="W")
    >>> coverage_caveats(s, min_gap=3).facts["gaps"]
    [['2024-01-15', '2024-02-11']]
    """
    unit = tx.unit_of(series)
    caveats, facts = [], {}
    st, en = series.start, series.end
    w_last = tx.last_day(en.max())
    covered = np.zeros(series.n, bool)
    if combined is not None:
        d = combined.daily
        t0, t1 = combined.tally_span
        src = combined.settings.get("source", "tally")
        facts.update(tally_span=[str(t0.date()), str(t1.date())],
                     incidents_in_tally_span=combined.incidents_in_tally_span,
                     tally_total=float(d.loc[d["source"] == "tallies", "count"].sum()))
        caveats.append(f"From {t0.date()} to {t1.date()} the counts rest on the {src}'s tallies only "
                       f"({facts['tally_total']:g} {noun}); the incident list holds "
                       f"{facts['incidents_in_tally_span']:g} {noun} on those days.")
        covered = np.asarray(series.data.get("tally_days", pd.Series(0, index=series.data.index)) > 0)
    if tally_intervals is not None and len(tally_intervals):
        iv = tally_intervals
        if combined is not None:
            iv = iv[iv["source"] == combined.settings.get("source")]
        z = iv[(iv["count"] == 0) & ((pd.to_datetime(iv["end"]) - pd.to_datetime(iv["start"])).dt.days
                                     >= min_zero_days)]
        z = z[(pd.to_datetime(z["end"]) > st.min()) & (pd.to_datetime(z["start"]) < en.max())]
        zero = [[str(pd.Timestamp(r["start"]).date()), str(tx.last_day(r["end"]).date()), str(r["source"])]
                for _, r in z.drop_duplicates(["source", "start", "end"]).iterrows()]
        facts["zero_intervals"] = zero
        for a, b, s in zero:
            caveats.append(f"From {a} to {b} the {s}'s tallies state that no {noun} took place.")
    if combined is not None and combined.tally_span[1] < w_last:
        caveats.append(f"After {combined.tally_span[1].date()} the {noun} are known only from individual "
                       "reports in the incident list, which may be incomplete.")
    nrep = np.asarray(series.data["n_reports"] if "n_reports" in series.data else np.zeros(series.n))
    silent = (nrep == 0) & ~covered
    gaps = [(st[a], tx.last_day(en[b]), b - a + 1) for a, b in _runs(silent) if b - a + 1 >= min_gap]
    facts["gaps"] = [[str(a.date()), str(b.date())] for a, b, _ in gaps]
    for a, b, k in gaps:
        caveats.append(f"No source reports anything from {a.date()} to {b.date()} ({k} {unit}s): "
                       "zeros of these sources, not confirmed quiet.")
    if incidents is not None and len(incidents):
        inc = incidents[incidents["counted"]] if "counted" in incidents.columns else incidents
        if len(inc):
            last = pd.to_datetime(inc["date_end"]).max()
            after = int((st > last).sum())
            facts.update(last_event=str(last.date()), periods_after_last=after)
            caveats.append(f"The last reported incident is on {last.date()}; the window ends on "
                           f"{w_last.date()}, so the {after} {unit}{'' if after == 1 else 's'} after it "
                           "are zeros of these sources, not confirmed quiet." if after else
                           f"The last reported incident is on {last.date()}.")
    if series.freq in ("W", "M", "Q", "Y"):
        cap = unit.capitalize()
        caveats.append(f"{cap}ly bins: a change is dated by the first day of its {unit}, so lags to events "
                       f"are known to about a {unit}.")
    frac = series.counts - np.round(series.counts)
    if np.any(np.abs(frac) > 1e-9):
        caveats.append(f"Some {unit}ly counts are fractional (tally counts spread over days); the exact "
                       "tests round the period totals to whole counts.")
    return CoverageResult(caveats=tuple(caveats), facts=facts)
