"""Reports -> incidents: merge the reports that describe one incident.

Two dated reports are *candidates* for one incident when

* their countries are equal (case-insensitive) and their place keys are equal and
  non-empty (:func:`analysis.normalize.keys.location_key`);
* their date intervals ``[date_start, date_end]`` lie within ``window_days`` days of
  each other (the gap between the intervals, 0 when they overlap);
* their weapons are compatible (:func:`analysis.normalize.keys.compatible`; skipped
  with ``match_weapon=False``).

Incidents are the connected components of the candidate graph, with explicit ids on
top: reports that share an explicit ``incident_id`` always form one incident; reports
with different explicit ids never merge; a component of reports without an id that
matches reports of explicit incidents joins the one it has most candidate pairs with
(ties: the smallest id). An incident's id is its explicit id or, without one, the
smallest ``report_id`` among its reports. The result depends only on the set of rows,
never on their order.

Candidate pairs come from one sort by (country, place key, date_start) and a scan of
neighbours at growing lags that stops, for every row, at the first neighbour beyond
the window. The work is proportional to the number of rows plus the number of
candidate pairs (no all-pairs comparison).

An incident keeps every report as a *variant*. Its date interval is the intersection
of its reports' intervals when they overlap (the most precise statement), otherwise
their hull (``date_conflict`` is then True). Numeric details are kept as ranges
(``projectiles_min``/``projectiles_max`` etc.), never averaged. Text fields
(location, actor, source_url, extra columns) come from the *founding* report: the
dated report with the smallest ``report_id``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

import numpy as np
import pandas as pd

from ..schema import InputError
from .keys import location_key, weapon_classes, weapon_label
from .ledger import ledger_frame

__all__ = ["DedupeResult", "dedupe", "incidents_to_reports", "NUMERIC_DETAILS"]

#: Report columns kept as [min, max] ranges on the incident.
NUMERIC_DETAILS = ("projectiles", "fatalities", "injuries")
_I64_MIN = np.iinfo(np.int64).min
_I64_MAX = np.iinfo(np.int64).max


@dataclass(frozen=True)
class DedupeResult:
    """Incidents, the reports behind them, and the ledger rows of the reports.

    Attributes
    ----------
    incidents : pandas.DataFrame
        One row per incident: ``incident_id, date_start, date_end, country, location,
        location_key, weapon, actor, projectiles_min, projectiles_max,
        fatalities_min, fatalities_max, injuries_min, injuries_max, n_reports,
        report_ids, sources, source_url, date_conflict`` and the founder's extra
        columns. Sorted by ``date_start, incident_id``.
    variants : pandas.DataFrame
        The input reports in input order with the assigned ``incident_id`` (the input
        value is kept as ``incident_id_input``), ``location_key``, ``weapon_class``
        and ``status`` (counted, merged, excluded).
    ledger : pandas.DataFrame
        Ledger rows (:mod:`analysis.normalize.ledger`) of the reports.
    params : dict
        The matching settings.
    """

    incidents: pd.DataFrame
    variants: pd.DataFrame
    ledger: pd.DataFrame
    params: Mapping = field(default_factory=dict)

    @property
    def n_incidents(self) -> int:
        return len(self.incidents)

    @property
    def n_merged(self) -> int:
        return int((self.variants["status"] == "merged").sum())


def _col(df: pd.DataFrame, name: str, n: int) -> pd.Series:
    if name in df.columns:
        return df[name]
    return pd.Series([pd.NA] * n, index=df.index, dtype="object")


def _day_numbers(x: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    d = pd.to_datetime(x).astype("datetime64[ns]")
    na = d.isna().to_numpy()
    days = d.to_numpy().astype("datetime64[D]").astype(np.int64)
    return np.where(na, 0, days), na


def _text(x: pd.Series) -> np.ndarray:
    """Object array of stripped strings with missing/blank as None."""
    v = x.astype("str").str.strip()
    arr = v.to_numpy(dtype=object, na_value=None)
    arr[arr == ""] = None
    return arr


def _candidate_pairs(block: np.ndarray, s: np.ndarray, e: np.ndarray, window: int):
    """Index pairs (i, j), i before j in (block, s) order, within ``window`` days."""
    m = len(block)
    if m < 2:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    order = np.lexsort((e, s, block))
    b, ss, ee = block[order], s[order], e[order]
    pi, pj = [], []
    active = np.arange(m - 1)
    lag = 1
    while active.size:
        active = active[active < m - lag]
        j = active + lag
        near = (b[j] == b[active]) & (ss[j] - ee[active] <= window)
        active, j = active[near], j[near]
        pi.append(order[active])
        pj.append(order[j])
        lag += 1
    return np.concatenate(pi), np.concatenate(pj)


def _components(n: int, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    g = coo_matrix((np.ones(len(i), np.int8), (i, j)), shape=(n, n))
    return connected_components(g, directed=False)[1]


def dedupe(reports: pd.DataFrame, *, window_days: int = 1, match_weapon: bool = True,
           aliases: Mapping[str, str] | None = None) -> DedupeResult:
    """Merge reports of one incident (see the module notes for the rules).

    Parameters
    ----------
    reports : pandas.DataFrame
        Canonical reports (:func:`analysis.io.read_reports`): at least ``report_id``,
        ``date_start``, ``date_end`` and ``country``; ``incident_id``, ``location``,
        ``weapon``, ``actor``, ``source``, numeric details and ``x_*`` columns are used
        when present.
    window_days : int, default 1
        Largest gap in days between two reports' date intervals for them to match.
    match_weapon : bool, default True
        Require compatible weapons.
    aliases : mapping, optional
        Extra place-name equivalences for :func:`location_key`.

    Returns
    -------
    DedupeResult

    Raises
    ------
    InputError
        Missing columns, or duplicate ``report_id``.

    Examples
    --------
    >>> import pandas as pd
    >>> r = pd.DataFrame({"report_id": ["a", "b"], "country": ["Iraq", "Iraq"],
    ...                   "location": ["Ain al-Asad", "Al-Asad air base"],
    ...                   "date_start": pd.to_datetime(["2024-07-25", "2024-07-26"]),
    ...                   "date_end": pd.to_datetime(["2024-07-25", "2024-07-26"]),
    ...                   "weapon": ["rocket", "drone and rockets"]})
    >>> dedupe(r).incidents[["incident_id", "n_reports", "weapon"]].values.tolist()
    [['a', 2, 'drone+rocket']]
    """
    if not isinstance(window_days, (int, np.integer)) or isinstance(window_days, bool) or window_days < 0:
        raise ValueError(f"window_days must be a non-negative integer, not {window_days!r}")
    missing = [c for c in ("report_id", "date_start", "date_end", "country") if c not in reports.columns]
    if missing:
        raise InputError(f"the reports lack columns {missing}; pass a canonical reports frame "
                         "(analysis.io.read_reports)")
    df = reports.reset_index(drop=True)
    n = len(df)
    rid = _text(df["report_id"])
    if any(v is None for v in rid):
        i = int(np.flatnonzero([v is None for v in rid])[0])
        raise InputError("empty report_id", file=_at(df, "_file", i), row=_at(df, "_row", i),
                         column="report_id")
    dup = pd.Series(rid).duplicated(keep="first").to_numpy()
    if dup.any():
        i = int(np.flatnonzero(dup)[0])
        raise InputError(f"duplicate report_id {rid[i]!r}", file=_at(df, "_file", i),
                         row=_at(df, "_row", i), column="report_id")
    s, s_na = _day_numbers(df["date_start"])
    e, e_na = _day_numbers(df["date_end"])
    e = np.where(e_na & ~s_na, s, e)
    s = np.where(s_na & ~e_na, e, s)
    dated = ~(s_na & e_na)
    eid = _text(_col(df, "incident_id", n))
    explicit = np.array([v is not None for v in eid], bool)
    country = _col(df, "country", n).astype("str").str.strip().str.lower().fillna("")
    lkey = location_key(_col(df, "location", n), aliases=aliases)
    wmask, wnames = weapon_classes(_col(df, "weapon", n))
    if not match_weapon:
        wmask_match = np.zeros(n, np.int64)
    else:
        wmask_match = wmask

    # ---- candidate pairs among dated rows with a place key
    cand = np.flatnonzero(dated & (lkey.to_numpy(object) != ""))
    c_codes, _ = pd.factorize(country.to_numpy(object)[cand])
    l_codes, l_uniq = pd.factorize(lkey.to_numpy(object)[cand])
    block = c_codes.astype(np.int64) * max(len(l_uniq), 1) + l_codes
    pi, pj = _candidate_pairs(block, s[cand], e[cand], int(window_days))
    pi, pj = cand[pi], cand[pj]
    ok = ((wmask_match[pi] & wmask_match[pj]) != 0) | (wmask_match[pi] == 0) | (wmask_match[pj] == 0)
    pi, pj = pi[ok], pj[ok]
    ei, ej = explicit[pi], explicit[pj]
    free = ~ei & ~ej
    comp = _components(n, pi[free], pj[free])

    # ---- ranks of report ids (deterministic labels independent of row order)
    rank = np.empty(n, np.int64)
    rank[np.argsort(np.asarray(rid, dtype=str), kind="stable")] = np.arange(n)
    sorted_rid = np.asarray(rid, dtype=object)[np.argsort(rank)]

    label = np.empty(n, dtype=object)
    # components of rows without explicit id: smallest report id
    comp_min = np.full(comp.max() + 1 if n else 0, _I64_MAX, np.int64)
    noid = ~explicit & dated
    np.minimum.at(comp_min, comp[noid], rank[noid])
    label[noid] = sorted_rid[comp_min[comp[noid]]]
    label[explicit] = eid[explicit]
    reason = np.full(n, "matched: same place, dates within "
                     f"{window_days} day{'s' if window_days != 1 else ''}"
                     + (", compatible weapon" if match_weapon else ""), dtype=object)
    # attach free components to explicit incidents
    att = ei ^ ej
    if att.any():
        a_free = np.where(ei[att], pj[att], pi[att])
        a_id = np.where(ei[att], pi[att], pj[att])
        t = pd.DataFrame({"comp": comp[a_free], "id": eid[a_id].astype(str)})
        t = t.groupby(["comp", "id"], sort=False).size().rename("k").reset_index()
        t = t.sort_values(["comp", "k", "id"], ascending=[True, False, True], kind="stable")
        n_ids = t.groupby("comp").size()
        t = t.drop_duplicates("comp")
        target = dict(zip(t["comp"].to_numpy(), t["id"].to_numpy()))
        also = {c: k for c, k in n_ids.items() if k > 1}
        rows = np.flatnonzero(noid & np.isin(comp, t["comp"].to_numpy()))
        for r in rows:
            c = comp[r]
            label[r] = target[c]
            if c in also:
                reason[r] = (f"matched: joined explicit incident {target[c]} "
                             f"(also matched {also[c] - 1} other explicit incident(s))")

    # undated rows: merge into an explicit incident that has a dated report, else exclude
    dated_labels = set(label[dated & explicit].tolist()) | set(label[noid].tolist())
    undated = ~dated
    und_ok = undated & explicit & np.array([v in dated_labels for v in label], bool)
    excluded = undated & ~und_ok
    label[excluded] = None

    # ---- aggregate incidents over counted/merged rows
    member = ~excluded
    idx = np.flatnonzero(member)
    lab_codes, lab_uniq = pd.factorize(label[idx])
    order = np.lexsort((rank[idx], ~dated[idx], lab_codes))
    rows = idx[order]
    codes = lab_codes[order]
    starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]]) if len(rows) else np.empty(0, int)
    sizes = np.diff(np.r_[starts, len(rows)])
    founder = rows[starts]

    status = np.full(n, "merged", dtype=object)
    status[founder] = "counted"
    status[excluded] = "excluded"
    reason[founder] = None
    reason[excluded] = "no date: the report gives no date and no explicit incident with a date"
    same_id = member & explicit & (status == "merged")
    reason[same_id] = "same incident_id"
    reason[member & ~dated & (status == "merged")] = "same incident_id (report has no date)"

    d_s = np.where(dated[rows], s[rows], _I64_MIN)
    d_e = np.where(dated[rows], e[rows], _I64_MAX)
    max_s = np.maximum.reduceat(d_s, starts) if len(rows) else d_s
    min_e = np.minimum.reduceat(d_e, starts) if len(rows) else d_e
    min_s = np.minimum.reduceat(np.where(dated[rows], s[rows], _I64_MAX), starts) if len(rows) else d_s
    max_e = np.maximum.reduceat(np.where(dated[rows], e[rows], _I64_MIN), starts) if len(rows) else d_e
    overlap = max_s <= min_e
    inc_s = np.where(overlap, max_s, min_s)
    inc_e = np.where(overlap, min_e, max_e)
    wm = np.bitwise_or.reduceat(wmask[rows], starts) if len(rows) else wmask[rows]

    inc = pd.DataFrame({
        "incident_id": pd.array(lab_uniq[codes[starts]] if len(rows) else [], dtype="str"),
        "date_start": inc_s.astype("datetime64[D]").astype("datetime64[ns]"),
        "date_end": inc_e.astype("datetime64[D]").astype("datetime64[ns]"),
        "country": df["country"].to_numpy()[founder],
        "location": _col(df, "location", n).to_numpy()[founder],
        "location_key": lkey.to_numpy(object)[founder],
        "weapon": weapon_label(wm, wnames),
        "actor": _col(df, "actor", n).to_numpy()[founder],
    })
    for c in NUMERIC_DETAILS:
        v = pd.to_numeric(_col(df, c, n), errors="coerce").to_numpy(float, na_value=np.nan)[rows]
        with np.errstate(invalid="ignore"):
            lo = np.fmin.reduceat(v, starts) if len(rows) else v
            hi = np.fmax.reduceat(v, starts) if len(rows) else v
        inc[f"{c}_min"] = pd.array(np.where(np.isnan(lo), None, lo), dtype="Int64")
        inc[f"{c}_max"] = pd.array(np.where(np.isnan(hi), None, hi), dtype="Int64")
    inc["n_reports"] = sizes.astype(np.int64)
    src = _text(_col(df, "source", n))
    inc["report_ids"] = _join_segments(np.asarray(rid, dtype=object)[rows], starts, sizes, unique=False)
    inc["sources"] = _join_segments(src[rows], starts, sizes, unique=True)
    inc["source_url"] = _col(df, "source_url", n).to_numpy()[founder]
    inc["date_conflict"] = ~overlap
    extra = [c for c in df.columns if c.startswith("x_")]
    for c in extra:
        inc[c] = df[c].to_numpy()[founder]
    inc = inc.sort_values(["date_start", "incident_id"], kind="stable").reset_index(drop=True)

    variants = df.copy()
    if "incident_id" in variants.columns:
        variants = variants.rename(columns={"incident_id": "incident_id_input"})
    variants.insert(1, "incident_id", pd.array(label, dtype="str"))
    variants["location_key"] = lkey.to_numpy(object)
    variants["weapon_class"] = weapon_label(wmask, wnames)
    variants["status"] = status
    ledger = ledger_frame(file=_col(df, "_file", n), row=_col(df, "_row", n), table="reports",
                          record_id=np.asarray(rid, dtype=object), status=status,
                          incident_id=label, reason=reason, n=n)
    params = {"window_days": int(window_days), "match_weapon": bool(match_weapon),
              "aliases": dict(aliases or {})}
    return DedupeResult(incidents=inc, variants=variants, ledger=ledger, params=params)


def _at(df: pd.DataFrame, col: str, i: int):
    if col not in df.columns:
        return None if col == "_file" else i + 2
    v = df[col].iloc[i]
    return None if pd.isna(v) else (int(v) if col == "_row" else str(v))


def _join_segments(values: np.ndarray, starts: np.ndarray, sizes: np.ndarray, *, unique: bool) -> np.ndarray:
    """``"; "``-joined values per segment (singletons without a Python loop)."""
    out = np.asarray(values[starts], dtype=object).copy() if len(starts) else np.empty(0, object)
    for k in np.flatnonzero(sizes > 1):
        seg = [v for v in values[starts[k]:starts[k] + sizes[k]] if v is not None and v == v]
        if unique:
            seg = sorted(set(map(str, seg)))
        out[k] = "; ".join(map(str, seg)) if seg else None
    return out


def incidents_to_reports(incidents: pd.DataFrame) -> pd.DataFrame:
    """A canonical reports frame with one report per incident, carrying its id.

    Feeding it back to :func:`dedupe` returns the same incidents (explicit ids never
    merge with each other): normalisation is idempotent.
    """
    n = len(incidents)
    out = pd.DataFrame({
        "report_id": incidents["incident_id"].astype("str").to_numpy(),
        "incident_id": incidents["incident_id"].astype("str").to_numpy(),
        "date_start": incidents["date_start"].to_numpy(),
        "date_end": incidents["date_end"].to_numpy(),
        "date_precision": np.where((incidents["date_end"] == incidents["date_start"]).to_numpy(),
                                   "day", "range") if n else [],
        "country": incidents["country"].to_numpy(),
        "location": incidents["location"].to_numpy(),
        "actor": incidents["actor"].to_numpy() if "actor" in incidents else None,
        "weapon": incidents["weapon"].to_numpy(),
        "source": incidents["sources"].to_numpy() if "sources" in incidents else None,
        "source_url": incidents["source_url"].to_numpy() if "source_url" in incidents else None,
    })
    for c in NUMERIC_DETAILS:
        if f"{c}_min" in incidents:
            out[c] = incidents[f"{c}_min"].to_numpy()
    for c in incidents.columns:
        if c.startswith("x_"):
            out[c] = incidents[c].to_numpy()
    return out
