"""``normalize``: reports and tallies in, a CountSeries and a complete ledger out.

The steps are the public functions of this package, in order: :func:`dedupe` (reports
-> incidents), :func:`tallies_to_intervals` (tallies -> interval counts),
:func:`bin_incidents` (incidents -> calendar series over the coverage window). The
ledger gathers what each step did to each input row, and the window step adds the
incidents that fall outside the window.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd

from ..series import CountSeries
from .bins import ImputedSeries, _bin, infer_window, parse_window
from .dedupe import dedupe
from .ledger import Ledger
from .tallies import TallyResult, tallies_to_intervals

__all__ = ["NormalizeResult", "normalize"]


@dataclass(frozen=True)
class NormalizeResult:
    """What :func:`normalize` returns.

    Attributes
    ----------
    series : CountSeries
        The incident series (with ``allocate="impute"``: the panel of all imputations,
        group ``imputation`` first). Without reports: the tally panel (groups
        ``source, region, since``).
    incidents : pandas.DataFrame or None
        Deduplicated incidents, with a boolean ``counted`` column (inside the window).
    variants : pandas.DataFrame or None
        Every report with its incident and status.
    tallies : TallyResult or None
    ledger : Ledger
    imputations : ImputedSeries or None
        The ``M`` series of ``allocate="impute"``.
    window : tuple of Timestamp
        Coverage window used, inclusive days.
    params : dict
        The settings.
    """

    series: CountSeries | None
    incidents: pd.DataFrame | None
    variants: pd.DataFrame | None
    tallies: TallyResult | None
    ledger: Ledger
    imputations: ImputedSeries | None = None
    window: tuple | None = None
    params: Mapping[str, Any] = field(default_factory=dict)

    def summary(self) -> dict:
        """A JSON-ready overview: rows in and out, incidents, exclusions by reason, totals."""
        lg = self.ledger
        rows_in = {t: int((lg.table["table"] == t).sum()) for t in ("reports", "tallies")}
        out = {
            "rows_in": rows_in,
            "rows_out": int(len(self.series.data)) if self.series is not None else 0,
            "incidents": int(self.incidents["counted"].sum()) if self.incidents is not None else 0,
            "incidents_outside_window": (int((~self.incidents["counted"]).sum())
                                         if self.incidents is not None else 0),
            "merged": lg.counts("reports")["merged"],
            "excluded": {t: lg.excluded_by_reason(t) for t in ("reports", "tallies")},
            "total_count": (float(np.nansum(self.series.counts)) / max(1, len(self.imputations or [1]))
                            if self.series is not None and self.incidents is not None else None),
            "freq": self.params.get("freq"),
            "allocate": self.params.get("allocate"),
            "window": ([str(w.date()) if w is not None else None for w in self.window]
                       if self.window else None),
        }
        if self.tallies is not None:
            tr = self.tallies
            out["tallies"] = {
                "sources": tr.sources,
                "intervals": int(len(tr.intervals)),
                "conflicts": int(len(tr.conflicts)),
                "disagreements": int(len(tr.disagreements)),
                "checks": {str(k): int(v) for k, v in tr.checks["status"].value_counts().sort_index().items()},
                "counted": lg.counts("tallies")["counted"],
                "merged": lg.counts("tallies")["merged"],
            }
        return out


def _concat(frames):
    if frames is None:
        return None
    if isinstance(frames, pd.DataFrame):
        return frames
    frames = list(frames)
    if not frames:
        return None
    return pd.concat(frames, ignore_index=True)


def normalize(reports=None, tallies=None, *, freq: str = "W", groups: Sequence[str] = (),
              allocate: str = "start", window=None, window_days: int = 1, match_weapon: bool = True,
              aliases: Mapping[str, str] | None = None, n_imputations: int = 20, seed=None,
              rule: str = "latest", preferred_sources: Sequence[str] = (), about_band: float = 0.1,
              progress=None) -> NormalizeResult:
    """Reports and/or tallies to a count series with a full ledger.

    Parameters
    ----------
    reports : DataFrame or list of DataFrame, optional
        Canonical reports (:func:`analysis.io.read_reports`).
    tallies : DataFrame or list of DataFrame, optional
        Canonical tallies (:func:`analysis.io.read_tallies`).
    freq, groups, allocate, window, n_imputations, seed, progress
        Binning (:func:`analysis.normalize.bin_incidents`). The window, when not given,
        spans the incidents and the dated tallies. Without reports these do not apply:
        the tally intervals keep their own dates (groups ``source, region, since``).
    window_days, match_weapon, aliases
        Matching (:func:`analysis.normalize.dedupe`).
    rule, preferred_sources, about_band
        Tally conflicts and bounds (:func:`analysis.normalize.tallies_to_intervals`).

    Returns
    -------
    NormalizeResult

    Raises
    ------
    InputError
        Reports or tallies that lack canonical columns, a repeated ``report_id`` (naming
        both rows), a tally ``bound`` outside the allowed values, a missing group column.
    ValueError
        Neither reports nor tallies; a bad ``freq``, ``allocate``, ``window``, ``rule``,
        ``window_days``, ``n_imputations`` or ``about_band``; no coverage window (no
        dated incident and no ``window``).

    Warns
    -----
    DataWarning
        Incidents whose reports do not all match each other pairwise, explicit
        ``incident_id`` values shared across countries (see :func:`dedupe`).

    See Also
    --------
    dedupe, bin_incidents, tallies_to_intervals, analysis.io.read_reports, analysis.io.read_tallies

    Examples
    --------
    >>> import pandas as pd
    >>> r = pd.DataFrame({"report_id": ["a", "b", "c"], "country": "Iraq",
    ...                   "location": ["Erbil", "Erbil air base", "Baghdad"],
    ...                   "date_start": pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-09"])})
    >>> r["date_end"] = r["date_start"]
    >>> res = normalize(r, freq="W")
    >>> res.series.counts.tolist(), res.ledger.counts()["merged"]
    ([1.0, 1.0], 1)
    """
    reports = _concat(reports)
    tallies = _concat(tallies)
    if reports is None and tallies is None:
        raise ValueError("normalize needs reports, tallies or both")
    params = {"freq": freq, "groups": list(groups if not isinstance(groups, str) else [groups]),
              "allocate": allocate, "window_days": window_days, "match_weapon": match_weapon,
              "n_imputations": n_imputations if allocate == "impute" else None, "seed": seed,
              "rule": rule, "preferred_sources": list(preferred_sources), "about_band": about_band}
    tres = None
    if tallies is not None:
        tres = tallies_to_intervals(tallies, rule=rule, preferred_sources=preferred_sources,
                                    about_band=about_band)
    if reports is None:
        lg = Ledger.concat(tres.ledger)
        panel = tres.panel() if len(tres.intervals) else None
        w = infer_window(None, tallies)
        return NormalizeResult(series=panel, incidents=None, variants=None, tallies=tres, ledger=lg,
                               window=w, params=params)

    dd = dedupe(reports, window_days=window_days, match_weapon=match_weapon, aliases=aliases)
    w_start, w_end = parse_window(window)
    inferred = infer_window(dd.incidents, tallies)
    binned = _bin(dd.incidents, freq=freq, allocate=allocate, window=(w_start, w_end), groups=groups,
                  n_imputations=n_imputations, seed=seed, progress=progress, default_window=inferred)
    incidents = dd.incidents.copy()
    incidents["counted"] = binned.counted
    ledger_r = dd.ledger.copy()
    out_ids = set(incidents.loc[~binned.counted, "incident_id"].tolist())
    clip_ids = set(incidents.loc[binned.clipped, "incident_id"].tolist())
    lab = ledger_r["incident_id"].astype("object")
    w0, w1 = binned.window
    if out_ids:
        m = lab.isin(out_ids).to_numpy() & (ledger_r["status"] != "excluded").to_numpy()
        what = "starts" if allocate == "start" else "lies"
        ledger_r.loc[m, "reason"] = [f"outside window: incident {x} {what} outside {w0.date()} to {w1.date()}"
                                     for x in lab[m]]
        ledger_r.loc[m, "status"] = "excluded"
    if clip_ids:
        m = lab.isin(clip_ids).to_numpy() & (ledger_r["status"] == "counted").to_numpy()
        ledger_r.loc[m, "reason"] = f"clipped to window: date interval cut to {w0.date()} to {w1.date()}"
    variants = dd.variants.copy()
    variants["status"] = pd.Categorical(ledger_r["status"].to_numpy(object), categories=["counted", "merged", "excluded"])
    lg = Ledger.concat(ledger_r, tres.ledger if tres is not None else None)
    imputations = binned.result if isinstance(binned.result, ImputedSeries) else None
    series = imputations.panel() if imputations is not None else binned.result
    return NormalizeResult(series=series, incidents=incidents, variants=variants, tallies=tres, ledger=lg,
                           imputations=imputations, window=binned.window, params=params)
