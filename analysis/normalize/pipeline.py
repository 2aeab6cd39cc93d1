"""``normalize``: reports and tallies in, a CountSeries and a complete ledger out.

The steps are the public functions of this package, in order: :func:`dedupe` (reports
-> incidents), :func:`tallies_to_intervals` (tallies -> interval counts),
:func:`bin_incidents` (incidents -> calendar series over the coverage window). The
ledger gathers what each step did to each input row, and the window step adds the
incidents that fall outside the window.
"""

from __future__ import annotations

import os

from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd

from ..series import CountSeries
from .bins import ImputedSeries, MissingMeasureError, _bin, infer_window, parse_window
from .dedupe import dedupe as _dedupe
from .ledger import Ledger
from .tallies import TallyResult, tallies_to_intervals

__all__ = ["NormalizeResult", "normalize", "DEDUPE_MODES", "MEASURES", "resolve_group_names",
           "measure_values"]


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
    links : pandas.DataFrame or None
        With ``dedupe="link"``: the link table (:func:`analysis.normalize.link.link_reports`).
    """

    series: CountSeries | None
    incidents: pd.DataFrame | None
    variants: pd.DataFrame | None
    tallies: TallyResult | None
    ledger: Ledger
    imputations: ImputedSeries | None = None
    window: tuple | None = None
    params: Mapping[str, Any] = field(default_factory=dict)
    links: pd.DataFrame | None = None

    def summary(self) -> dict:
        """A JSON-ready overview: rows in and out, incidents, exclusions by reason, totals
        (with ``measure`` when the series counts fatalities: ``total_count`` is their sum)."""
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
        if self.params.get("measure", "incidents") != "incidents":
            out["measure"] = self.params["measure"]  # total_count is then the fatalities
        if self.links is not None:
            best = self.links[self.links["rank"] == 1]
            linked = int(best["report_id"].nunique())
            n_rep = int(lg.table["reason"].fillna("").str.contains("dedupe='link'", regex=False).sum())
            out["links"] = {"pairs": int(len(self.links)), "reports_linked": linked,
                            "reports_not_linked": n_rep - linked}
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


#: Values of ``dedupe``.
DEDUPE_MODES = ("auto", "off", "reports", "link")
#: Values of ``measure``.
MEASURES = ("incidents", "fatalities")


def measure_values(incidents: pd.DataFrame, measure: str) -> tuple:
    """What each incident adds to the series: ``(value, band)`` in incident order.

    ``incidents``: ``(None, None)`` (each incident adds 1). ``fatalities``: the incident's
    ``fatalities_min`` (for an event-dataset row its own figure: ACLED ``fatalities``, GED
    ``best``; for matched reports the lowest reported, the conservative figure ACLED's
    codebook also records), NaN where no report gives one; ``band`` is ``(low, high)`` from
    the ``x_low``/``x_high`` columns (UCDP GED) when they exist, else None.
    """
    if measure not in MEASURES:
        raise ValueError(f"measure must be one of {', '.join(map(repr, MEASURES))}, got {measure!r}")
    if measure == "incidents":
        return None, None
    if "fatalities_min" not in incidents.columns:
        return np.full(len(incidents), np.nan), None

    def num(c):
        return pd.to_numeric(incidents[c], errors="coerce").to_numpy(float, na_value=np.nan)

    value = num("fatalities_min")
    band = None
    if "x_low" in incidents.columns or "x_high" in incidents.columns:
        band = tuple(num(c) if c in incidents.columns else np.full(len(incidents), np.nan)
                     for c in ("x_low", "x_high"))
    return value, band


def _measure_ledger(ledger: pd.DataFrame, incidents: pd.DataFrame, value, band) -> pd.DataFrame:
    """The ledger with ``fatalities`` (and the band) on the rows counted in the series."""
    ids = incidents["incident_id"].astype("object").to_numpy()
    counted = incidents["counted"].to_numpy(bool)
    cols = {"fatalities": value}
    if band is not None:
        cols["fatalities_low"] = np.where(np.isnan(band[0]), value, band[0])
        cols["fatalities_high"] = np.where(np.isnan(band[1]), value, band[1])
    ledger = ledger.copy()
    on = (ledger["status"] == "counted").to_numpy()
    lab = ledger["incident_id"].astype("object")
    for name, v in cols.items():
        m = pd.Series(np.asarray(v, float)[counted], index=ids[counted])
        got = np.full(len(ledger), np.nan)
        got[on] = lab[on].map(m).to_numpy(float)
        ledger[name] = pd.array(np.where(np.isnan(got), np.nan, got), dtype="Float64")
    return ledger


def _event_label(frame: pd.DataFrame) -> str | None:
    """Name of the exporter's id when ``frame`` is a coded event dataset (ACLED, UCDP GED)."""
    return frame.attrs.get("event_id") if isinstance(frame, pd.DataFrame) else None


def _as_reports(f) -> pd.DataFrame:
    """A canonical reports frame: a path or a table not yet read (a ``date`` column, no
    ``date_start``/``date_end``) goes through :func:`analysis.io.read_reports`, which checks it
    and names the row of any fault."""
    if isinstance(f, (str, os.PathLike)) or (
            isinstance(f, pd.DataFrame) and not {"date_start", "date_end"} <= set(f.columns)):
        from ..io import read_reports
        return read_reports(f)
    if not isinstance(f, pd.DataFrame):
        raise TypeError(f"reports must be DataFrames or paths, not {type(f).__name__}")
    return f


def refuse_unreviewed(frame: pd.DataFrame, what: str = "reports") -> pd.DataFrame:
    """``frame`` itself, unless it holds rows extracted from text (``x_extraction_rule``) that did
    not pass the review (no ``x_review``, which :func:`analysis.extract.read_review` sets): nothing
    extracted is counted unreviewed.

    Examples
    --------
    >>> import pandas as pd
    >>> ok = refuse_unreviewed(pd.DataFrame({"report_id": ["a"], "x_extraction_rule": ["rule"],
    ...                                      "x_review": ["accepted"]}))
    >>> refuse_unreviewed(pd.DataFrame({"report_id": ["a"], "x_extraction_rule": ["rule"]}))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    analysis.schema.InputError: 1 reports row extracted from text has not passed the review ...
    """
    if "x_extraction_rule" not in frame.columns:
        return frame
    rule = frame["x_extraction_rule"]
    extracted = (rule.notna() & (rule.astype(str).str.strip() != "")).to_numpy()
    reviewed = (frame["x_review"].notna().to_numpy() if "x_review" in frame.columns
                else np.zeros(len(frame), bool))
    bad = extracted & ~reviewed
    if bad.any():
        from ..schema import InputError
        k = int(bad.sum())
        raise InputError(f"{k} {what} {'row' if k == 1 else 'rows'} extracted from text "
                         f"{'has' if k == 1 else 'have'} not passed the review (column x_extraction_rule, no "
                         "x_review): take them through analysis.extract.read_review(review_frame(ex)) after "
                         "marking each, or read_review(..., accept_all=True) to accept them as extracted")
    return frame


def _prepare_dedupe(reports, mode: str):
    """Apply ``dedupe`` to the report frames: returns the frame and each row's id label.

    ``off``: every row without an ``incident_id`` gets its own ``report_id`` as id (no
    matching at all). ``reports``: the ids that an event-dataset reader set are dropped, so
    the rows are matched as news reports (ids a user wrote in a canonical table stay).
    ``auto``: event datasets keep one incident per row, other tables are matched.
    """
    if mode not in DEDUPE_MODES:
        raise ValueError(f"dedupe must be one of {', '.join(map(repr, DEDUPE_MODES))}, got {mode!r}")
    frames = [reports] if isinstance(reports, (pd.DataFrame, str, os.PathLike)) else list(reports)
    out, labels = [], []
    for f in frames:
        f = refuse_unreviewed(_as_reports(f))
        label = _event_label(f)
        n = len(f)
        # rows of coded event datasets: their actor is a coded field, compared in matching
        f = f.assign(_coded=np.full(n, label is not None, bool))
        if mode == "reports" and label is not None:
            f["incident_id"] = pd.array([pd.NA] * n, dtype="str")
            label = None
        elif mode == "off":
            rid = f["report_id"].astype("str")
            iid = f["incident_id"] if "incident_id" in f.columns else pd.Series(pd.NA, index=f.index)
            blank = iid.isna() | (iid.astype("str").str.strip() == "")
            f["incident_id"] = pd.array(np.where(blank.to_numpy(), rid.to_numpy(object),
                                                 iid.astype("object").to_numpy()), dtype="str")
            label = label or "report_id"
        out.append(f)
        labels.append(np.full(n, label, object))
    frame = out[0] if len(out) == 1 else pd.concat(out, ignore_index=True)
    spans = []
    for f in out:
        sp = f.attrs.get("written_span")
        if sp is None and len(f):  # no record of written days: the frame's own intervals
            sp = (pd.to_datetime(f["date_start"]).min(), pd.to_datetime(f["date_end"]).max())
        if sp is not None and pd.notna(sp[0]) and pd.notna(sp[1]):
            spans.append((pd.Timestamp(sp[0]), pd.Timestamp(sp[1])))
    span = (min(x[0] for x in spans), max(x[1] for x in spans)) if spans else None
    return frame, (np.concatenate(labels) if labels else np.empty(0, object)), span


def _clip_to_span(window, span):
    """The inferred window cut to the days the files write (never widened by precision)."""
    lo, hi = window
    if span is None or lo is None or hi is None:
        return lo, hi
    lo2, hi2 = max(lo, span[0]), min(hi, span[1])
    return (lo2, hi2) if lo2 <= hi2 else (lo, hi)


def _missing_measure(dd, labels, index: int, measure: str):
    """The InputError for a counted incident without a figure, naming its first report's cell."""
    from ..schema import InputError

    iid = dd.incidents["incident_id"].iloc[index]
    v = dd.variants
    rows = np.flatnonzero((v["incident_id"].astype("object") == iid).to_numpy())
    i = int(rows[0]) if len(rows) else None
    lab = labels[i] if i is not None and labels is not None and len(labels) > i else None
    column = "best" if lab is not None and str(lab).startswith("UCDP") else "fatalities"
    file = v["_file"].iloc[i] if i is not None and "_file" in v.columns else None
    row = int(v["_row"].iloc[i]) if i is not None and "_row" in v.columns else None
    return InputError(f"incident {iid} is counted but no report of it gives a {measure} figure "
                      f"(the {column!r} cell is blank); write 0 where the source reports none, "
                      "or use measure='incidents'", file=file, row=row, column=column)


def resolve_group_names(groups, columns) -> tuple[str, ...]:
    """Group names as incident columns: a carried-through column may be named without its
    ``x_`` prefix (``admin1`` for ``x_admin1``, ``geo_precision`` for ``x_geo_precision``)."""
    groups = (groups,) if isinstance(groups, str) else tuple(groups)
    cols = set(map(str, columns))
    return tuple(g if g in cols or f"x_{g}" not in cols else f"x_{g}" for g in groups)


def own_event_reasons(table: pd.DataFrame, labels) -> pd.DataFrame:
    """Ledger reason of rows counted as their own event: ``counted as its own event (ACLED event_id_cnty X)``.

    ``labels`` gives, per report row of ``table`` (the reports' ledger rows, in input
    order), the name of the exporter's id, or None where the row was matched as a report.
    """
    labels = np.asarray(labels, object)
    if not len(table) or not any(x is not None for x in labels):
        return table
    has = np.array([x is not None for x in labels], bool)
    m = has & (table["status"] == "counted").to_numpy() & table["reason"].isna().to_numpy()
    if m.any():
        table = table.copy()
        reason = table["reason"].astype("object").to_numpy().copy()
        ids = table["incident_id"].astype("object").to_numpy()
        reason[m] = [f"counted as its own event ({lab} {i})" for lab, i in zip(labels[m], ids[m])]
        table["reason"] = pd.array(reason, dtype=table["reason"].dtype)
    return table


def normalize(reports=None, tallies=None, *, freq: str = "W", groups: Sequence[str] = (),
              allocate: str = "start", window=None, dedupe: str = "auto", window_days: int = 1,
              match_weapon: bool = True,
              aliases: Mapping[str, str] | None = None, n_imputations: int = 20, seed=None,
              rule: str = "latest", preferred_sources: Sequence[str] = (), about_band: float = 0.1,
              progress=None, measure: str = "incidents") -> NormalizeResult:
    """Reports and/or tallies to a count series with a full ledger.

    Parameters
    ----------
    reports : DataFrame or list of DataFrame, optional
        Canonical reports (:func:`analysis.io.read_reports`).
    tallies : DataFrame or list of DataFrame, optional
        Canonical tallies (:func:`analysis.io.read_tallies`).
    freq, groups, allocate, window, n_imputations, seed, progress
        Binning (:func:`analysis.normalize.bin_incidents`). The window, when not given,
        spans the incidents and the dated tallies. Group names may leave out the ``x_`` of a
        carried-through column (``admin1``, ``geo_precision``). Without reports these do not apply:
        the tally intervals keep their own dates (groups ``source, region, since``).
    dedupe : {"auto", "off", "reports", "link"}, default "auto"
        Whether rows are matched into incidents. Coded event datasets (ACLED and UCDP
        GED, as :func:`analysis.io.read_reports` reads them) are already one event per
        row: with ``auto`` each row is its own incident, its id the exporter's id
        (ledger: "counted as its own event (ACLED event_id_cnty X)"), and report
        collections (canonical tables) are matched. ``off`` matches nothing (a row
        without ``incident_id`` is its own incident); ``reports`` matches every row as a
        news report, including event-dataset rows. ``link`` counts the coded event
        datasets exactly as ``auto`` does on them alone and links every row of the
        report collections to the coded event it matches best
        (:func:`analysis.normalize.link.link_reports`): the link table is ``links``, and
        the reports enter the ledger as excluded (not counted), with the event they
        were linked to as ``incident_id``. It needs at least one table of each kind.
    window_days, match_weapon, aliases
        Matching (:func:`analysis.normalize.dedupe`).
    measure : {"incidents", "fatalities"}, default "incidents"
        What the series counts. ``incidents``: each counted incident adds 1.
        ``fatalities``: it adds its fatalities (ACLED ``fatalities``, UCDP GED ``best``; for
        matched reports the lowest figure reported, see :func:`measure_values`), under the
        same allocation rule (``split`` spreads them over the bins as it spreads the
        incident). Where the source gives a range (GED ``low``/``high``) the series has
        ``count_low``/``count_high``, the same sums of the low and high estimates (an
        incident without a range adds its value to both). The ledger gains a
        ``fatalities`` column (and the range), and conservation holds for it: the sum of
        the series equals the sum over the counted rows. A counted incident with no figure
        is an error naming its row (write 0 where the source reports none).
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
        Groups of reports that match in a chain but not all pairwise (split by complete
        linkage), explicit ``incident_id`` values shared across countries (see :func:`dedupe`).

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
    if dedupe == "link":
        return _normalize_link(reports, tallies, freq=freq, groups=groups, allocate=allocate, window=window,
                               window_days=window_days, match_weapon=match_weapon, aliases=aliases,
                               n_imputations=n_imputations, seed=seed, rule=rule,
                               preferred_sources=preferred_sources, about_band=about_band, progress=progress,
                               measure=measure)
    labels = span = None
    if reports is not None and not (isinstance(reports, (list, tuple)) and not reports):
        reports, labels, span = _prepare_dedupe(reports, dedupe)
    else:
        reports = None
    tallies = _concat(tallies)
    if reports is None and tallies is None:
        raise ValueError("normalize needs reports, tallies or both")
    if measure not in MEASURES:
        raise ValueError(f"measure must be one of {', '.join(map(repr, MEASURES))}, got {measure!r}")
    if measure != "incidents" and reports is None:
        raise ValueError(f"measure={measure!r} needs reports (tallies count incidents)")
    params = {"freq": freq, "groups": list(groups if not isinstance(groups, str) else [groups]),
              "allocate": allocate, "dedupe": dedupe, "window_days": window_days, "match_weapon": match_weapon,
              "n_imputations": n_imputations if allocate == "impute" else None, "seed": seed,
              "rule": rule, "preferred_sources": list(preferred_sources), "about_band": about_band,
              "measure": measure}
    tres = None
    if tallies is not None:
        for f in ([tallies] if isinstance(tallies, pd.DataFrame) else list(tallies)):
            if isinstance(f, pd.DataFrame):
                refuse_unreviewed(f, "tallies")
        tres = tallies_to_intervals(tallies, rule=rule, preferred_sources=preferred_sources,
                                    about_band=about_band)
    if reports is None:
        lg = Ledger.concat(tres.ledger)
        panel = tres.panel() if len(tres.intervals) else None
        w = infer_window(None, tallies)
        return NormalizeResult(series=panel, incidents=None, variants=None, tallies=tres, ledger=lg,
                               window=w, params=params)

    dd = _dedupe(reports, window_days=window_days, match_weapon=match_weapon, aliases=aliases)
    groups = resolve_group_names(groups, dd.incidents.columns)
    params["groups"] = list(groups)
    w_start, w_end = parse_window(window)
    inferred = _clip_to_span(infer_window(dd.incidents), span)
    if tallies is not None:
        t0, t1 = infer_window(None, tallies)
        inferred = (min((x for x in (inferred[0], t0) if x is not None), default=None),
                    max((x for x in (inferred[1], t1) if x is not None), default=None))
    value, band = measure_values(dd.incidents, measure)
    try:
        binned = _bin(dd.incidents, freq=freq, allocate=allocate, window=(w_start, w_end), groups=groups,
                      n_imputations=n_imputations, seed=seed, progress=progress, default_window=inferred,
                      value=value, band=band, measure=measure)
    except MissingMeasureError as exc:
        raise _missing_measure(dd, labels, exc.index, measure) from None
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
    ledger_r = own_event_reasons(ledger_r, labels)
    if value is not None:
        ledger_r = _measure_ledger(ledger_r, incidents, value, band)
    lg = Ledger.concat(ledger_r, tres.ledger if tres is not None else None)
    imputations = binned.result if isinstance(binned.result, ImputedSeries) else None
    series = imputations.panel() if imputations is not None else binned.result
    return NormalizeResult(series=series, incidents=incidents, variants=variants, tallies=tres, ledger=lg,
                           imputations=imputations, window=binned.window, params=params)


def _normalize_link(reports, tallies, **kw) -> NormalizeResult:
    """``dedupe="link"``: the coded events counted as ``auto`` counts them, the reports linked."""
    from dataclasses import replace

    from .link import link_reports

    frames = ([] if reports is None else [reports] if isinstance(reports, pd.DataFrame) else list(reports))
    events = [f for f in frames if _event_label(f) is not None]
    others = [f for f in frames if _event_label(f) is None]
    if not events or not others:
        lack = ("a coded event dataset (an ACLED or UCDP GED export)" if not events
                else "a report collection (a canonical reports table)")
        raise ValueError(f"dedupe='link' needs a coded event dataset and a report collection to link to "
                         f"it; the input has no {lack}. Give both, or use dedupe='auto'")
    res = normalize(events, tallies, dedupe="auto", **kw)
    links, lg_rep = link_reports(events, others, window_days=kw["window_days"],
                                 match_weapon=kw["match_weapon"], aliases=kw["aliases"])
    t = res.ledger.table
    ev_rows = t[t["table"] == "reports"]
    parts, a, b = [], 0, 0
    for f in frames:  # ledger rows in the order the tables were given
        if _event_label(f) is not None:
            parts.append(ev_rows.iloc[a:a + len(f)])
            a += len(f)
        else:
            parts.append(lg_rep.iloc[b:b + len(f)])
            b += len(f)
    ledger = Ledger.concat(*parts, t[t["table"] != "reports"])
    return replace(res, ledger=ledger, links=links, params={**res.params, "dedupe": "link"})
