"""Reports -> incidents: merge the reports that describe one incident.

Two dated reports are a *candidate pair* when

* their countries are equal (case-insensitive) and their place keys are equal and
  non-empty (:func:`analysis.normalize.keys.location_key`), and neither place is
  country- or region-level (UCDP ``where_prec`` >= 4, ACLED ``geo_precision`` 3, or a
  location equal to the country or ``admin1`` name: such rows never match on place
  alone);
* their date intervals ``[date_start, date_end]`` lie within ``window_days`` days of
  each other (the gap between the intervals, 0 when they overlap);
* where the columns exist, they agree on event type (ACLED ``event_type``), violence
  type (UCDP ``type_of_violence``) and actors (the second actor, ACLED ``actor2`` or
  UCDP ``side_b``, and, between rows of coded event datasets, ``actor``); a missing
  value agrees with anything (:mod:`analysis.normalize.match`).

Incidents are formed by *complete linkage*: every pair of reports of one incident is a
candidate pair and weapon-compatible (:func:`analysis.normalize.keys.compatible`, or a
third report of the incident shares a class with each, as "a drone and rockets" does
for "rockets" and "a drone"; skipped with ``match_weapon=False``). Matching never
chains: reports on three successive days with ``window_days=1`` give two incidents,
not one spanning two days, and a report of unknown weapon does not join a drone report
and a rocket report into one. So the reports of an incident (without explicit id) lie
within ``window_days`` between the latest start and the earliest end.

The rule, exactly (:func:`analysis.normalize.match.complete_linkage`): reports without
an explicit ``incident_id`` are taken by ``(date_start, date_end, more weapon classes
first, report_id)``; each joins the incident, among the explicit ones (reports sharing
an ``incident_id``, compared per place) and those already formed, whose every report
at its place it matches, preferring the one with most reports, then an explicit one,
then the smallest id or the earliest formed; otherwise it starts an incident. Reports
that share an explicit ``incident_id`` always form one incident; different explicit
ids never merge. An incident's id is its explicit id or, without one, the smallest
``report_id`` among its reports. The result depends only on the set of rows, never on
their order; the DuckDB engine (:mod:`analysis.duck.dedupe`) gives the same incidents.

Ambiguous cases are kept but named in a :class:`~analysis.schema.DataWarning`: groups
of reports that match in a chain but not all pairwise (so that the split can be
checked, or fixed with explicit ids or another ``window_days``), and explicit
``incident_id`` values shared by reports in different countries.

Candidate pairs come from one sort by (country, place key, date_start) and a scan of
neighbours at growing lags that stops, for every row, at the first neighbour beyond
the window. The work is proportional to the number of rows plus the number of
candidate pairs (no all-pairs comparison); groups that are not cliques at once are
resolved by a loop over their rows.

An incident keeps every report as a *variant*. Its date interval is the intersection
of its reports' intervals when they overlap (the most precise statement), otherwise
their hull (``date_conflict`` is then True). Numeric details are kept as ranges
(``projectiles_min``/``projectiles_max`` etc.), never averaged. Text fields
(location, actor, source_url, extra columns) come from the *founding* report: the
dated report with the smallest ``report_id``.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Mapping

import numpy as np
import pandas as pd

from ..schema import DataWarning, InputError
from .keys import _key_codes, compatible, weapon_classes, weapon_label
from .ledger import ledger_frame
from .match import (ADMIN1_COLUMNS, EVENT_TYPE_COLUMNS, GEO_PRECISION_COLUMNS, SECOND_ACTOR_COLUMNS,
                    VIOLENCE_COLUMNS, WHERE_PREC_COLUMNS, attribute_codes, attributes_compatible,
                    coarse_places, complete_linkage, find_column, match_order, split_components)

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
        One row per input report, in input order: ``report_id``, the assigned
        ``incident_id`` (missing when excluded), ``incident_id_input`` (the input
        value), ``location_key``, ``weapon_class``, ``status`` (counted, merged,
        excluded) and ``_file``/``_row``. Join it to the reports on ``report_id`` for
        the other columns.
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
        Missing columns, a blank or duplicate ``report_id`` (naming both rows).
    ValueError
        ``window_days`` not a non-negative integer.

    Warns
    -----
    DataWarning
        Groups of reports that match in a chain but not all pairwise (split into
        incidents whose reports all match), and explicit ``incident_id`` values shared
        by reports in different countries.

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
    import pyarrow as pa
    import pyarrow.compute as pc

    df = reports.reset_index(drop=True)
    n = len(df)
    rid_s = df["report_id"].astype("str").str.strip()
    blank = (rid_s.isna() | (rid_s == "")).to_numpy(bool)
    if blank.any():
        i = int(np.flatnonzero(blank)[0])
        raise InputError("empty report_id", file=_at(df, "_file", i), row=_at(df, "_row", i),
                         column="report_id")
    dup = rid_s.duplicated(keep="first").to_numpy(bool)
    if dup.any():
        i = int(np.flatnonzero(dup)[0])
        first = int(np.flatnonzero((rid_s == rid_s.iloc[i]).to_numpy(bool))[0])
        where = " ".join(str(x) for x in (_at(df, "_file", first), "row", _at(df, "_row", first))
                         if x is not None)
        raise InputError(f"duplicate report_id {rid_s.iloc[i]!r} (also in {where}); report_id must "
                         "be unique across all report files", file=_at(df, "_file", i),
                         row=_at(df, "_row", i), column="report_id")
    rid_a = _arrow_strings(rid_s)
    s, s_na = _day_numbers(df["date_start"])
    e, e_na = _day_numbers(df["date_end"])
    e = np.where(e_na & ~s_na, s, e)
    s = np.where(s_na & ~e_na, e, s)
    dated = ~(s_na & e_na)
    eid_s = _col(df, "incident_id", n).astype("str").str.strip()
    explicit = (eid_s.notna() & (eid_s != "")).to_numpy(bool)
    e_code, e_uniq = pd.factorize(eid_s.where(explicit, None), sort=True)
    e_uniq = np.asarray(e_uniq, dtype=object)
    cc, cu = pd.factorize(_col(df, "country", n))
    c2, _ = pd.factorize(pd.Series(np.asarray(cu, dtype=object), dtype="str").str.strip().str.lower())
    ccode = np.where(cc >= 0, c2[np.maximum(cc, 0)] if len(c2) else 0, -1).astype(np.int64)
    kcode, kuniq = _key_codes(_col(df, "location", n), aliases=aliases)
    empty_key = int(np.flatnonzero(kuniq == "")[0])
    wmask, wnames = weapon_classes(_col(df, "weapon", n))
    wmask_match = wmask if match_weapon else np.zeros(n, np.int64)

    # ---- candidate pairs among dated rows with a country and a place key that is not coarse
    attrs, coarse = _match_inputs(df, n, kuniq[kcode])
    cand = np.flatnonzero(dated & (kcode != empty_key) & (ccode >= 0) & ~coarse)
    block = ccode[cand] * len(kuniq) + kcode[cand]
    li, lj = _candidate_pairs(block, s[cand], e[cand], int(window_days))
    ok = attributes_compatible([a[cand] for a in attrs], li, lj)
    li, lj = li[ok], lj[ok]
    wc = wmask_match[cand]

    # ---- labels as integer keys: k < n -> the report id of rank k; k >= n -> explicit id k - n
    order_rid = pc.sort_indices(rid_a).to_numpy()
    rank = np.empty(n, np.int64)
    rank[order_rid] = np.arange(n)
    lrank = match_order(s[cand], e[cand], wc, rank[cand])
    lcode = np.where(explicit[cand], e_code[cand], -1)
    clique, target, n_qual = complete_linkage(len(cand), li, lj, block, lrank, lcode, wc)
    off = 2 * len(cand) + 2  # clique numbers are below 2 * len(cand) + 1
    comp = np.arange(off, off + n, dtype=np.int64)  # rows that cannot match: incidents of their own
    comp[cand] = np.where(clique >= 0, clique, comp[cand])
    label = np.full(n, -1, np.int64)
    noid = ~explicit & dated
    comp_min = np.full(off + n, np.iinfo(np.int64).max, np.int64)
    np.minimum.at(comp_min, comp[noid], rank[noid])
    label[noid] = comp_min[comp[noid]]
    label[explicit] = n + e_code[explicit]
    reason = np.full(n, _match_reason(int(window_days), bool(match_weapon)), dtype=object)
    # a report without an id that matched every report of an explicit incident joins it
    att = cand[target >= 0]
    label[att] = n + target[target >= 0]
    for r, q in zip(att[n_qual[target >= 0] > 1].tolist(), n_qual[(target >= 0) & (n_qual > 1)].tolist()):
        reason[r] = (f"matched: joined explicit incident {e_uniq[label[r] - n]} "
                     f"(also matched {q - 1} other explicit incident(s))")

    # undated rows: merge into an explicit incident that has a dated report, else exclude
    has_dated = np.zeros(n + len(e_uniq), bool)
    has_dated[label[dated]] = True
    excluded = ~dated & ~(explicit & has_dated[np.maximum(label, 0)])
    label[excluded] = -1

    # ---- aggregate incidents over counted and merged rows
    idx = np.flatnonzero(~excluded)
    order = np.lexsort((rank[idx], ~dated[idx], label[idx]))
    rows = idx[order]
    lab = label[rows]
    starts = np.flatnonzero(np.r_[True, lab[1:] != lab[:-1]]) if len(rows) else np.empty(0, np.int64)
    sizes = np.diff(np.r_[starts, len(rows)])
    founder = rows[starts]

    status = np.full(n, "merged", dtype=object)
    status[founder] = "counted"
    status[excluded] = "excluded"
    reason[founder] = None
    reason[excluded] = "no date: the report gives no date and no explicit incident with a date"
    reason[~excluded & explicit & (status == "merged")] = "same incident_id"
    reason[~excluded & ~dated & (status == "merged")] = "same incident_id (report has no date)"

    def reduce(fn, values):
        return fn.reduceat(values, starts) if len(rows) else values[:0]

    ds, de = dated[rows], rows
    max_s = reduce(np.maximum, np.where(ds, s[de], _I64_MIN))
    min_e = reduce(np.minimum, np.where(ds, e[de], _I64_MAX))
    min_s = reduce(np.minimum, np.where(ds, s[de], _I64_MAX))
    max_e = reduce(np.maximum, np.where(ds, e[de], _I64_MIN))
    overlap = max_s <= min_e
    inc_s = np.where(overlap, max_s, min_s)
    inc_e = np.where(overlap, min_e, max_e)
    wm = reduce(np.bitwise_or, wmask[rows])
    direct = compatible(wc[li], wc[lj])
    _warn_split(cand, li[direct], lj[direct], explicit, label, rid_s, window=int(window_days))
    _warn_explicit_across_countries(lab=lab, starts=starts, sizes=sizes, rows=rows, n=n, ccode=ccode,
                                    countries=_col(df, "country", n), e_uniq=e_uniq)

    # label strings: report ids in sorted order, then the explicit ids
    names = pa.concat_arrays([rid_a.take(pa.array(order_rid)), pa.array(e_uniq.tolist(), type=pa.string())])
    row_label = names.take(pa.array(np.maximum(label, 0))).to_numpy(zero_copy_only=False).astype(object)
    row_label[label < 0] = None
    inc_ids = names.take(pa.array(lab[starts])) if len(rows) else pa.array([], type=pa.string())

    def founder_col(c, text=True):
        col = _take(_col(df, c, n), founder)
        return col.astype("str") if text else col

    inc = pd.DataFrame({
        "incident_id": _str_series(inc_ids),
        "date_start": inc_s.astype("datetime64[D]").astype("datetime64[ns]"),
        "date_end": inc_e.astype("datetime64[D]").astype("datetime64[ns]"),
        "country": founder_col("country"),
        "location": founder_col("location"),
        "location_key": pd.Series(kuniq[kcode[founder]], dtype="str"),
        "weapon": pd.Series(weapon_label(wm, wnames), dtype="str"),
        "actor": founder_col("actor"),
    })
    for c in NUMERIC_DETAILS:
        v = pd.to_numeric(_col(df, c, n), errors="coerce").to_numpy(float, na_value=np.nan)[rows]
        with np.errstate(invalid="ignore"):
            lo = reduce(np.fmin, v)
            hi = reduce(np.fmax, v)
        inc[f"{c}_min"] = _int_array(lo)
        inc[f"{c}_max"] = _int_array(hi)
    inc["n_reports"] = sizes.astype(np.int64)
    inc["report_ids"] = _join_segments(rid_s, rows, starts, sizes, unique=False)
    inc["sources"] = _join_segments(_col(df, "source", n).astype("str"), rows, starts, sizes, unique=True)
    inc["source_url"] = founder_col("source_url")
    inc["date_conflict"] = ~overlap
    for c in df.columns:
        if c.startswith("x_"):
            inc[c] = founder_col(c, text=False)
    sort_keys = pa.table({"d": pa.array(inc_s), "i": inc_ids})
    inc = inc.take(pc.sort_indices(sort_keys, sort_keys=[("d", "ascending"), ("i", "ascending")]).to_numpy())
    inc = inc.reset_index(drop=True)

    variants = pd.DataFrame({"report_id": rid_s.reset_index(drop=True),
                             "incident_id": pd.Series(row_label, dtype="str")})
    if "incident_id" in df.columns:
        variants["incident_id_input"] = df["incident_id"].reset_index(drop=True)
    variants["location_key"] = pd.Series(pa.array(kuniq.tolist(), type=pa.string()).take(pa.array(kcode)),
                                         dtype="str")
    masks_u, inv = np.unique(wmask, return_inverse=True)
    variants["weapon_class"] = pd.Categorical.from_codes(inv.reshape(-1), weapon_label(masks_u, wnames))
    variants["status"] = pd.Categorical(status, categories=["counted", "merged", "excluded"])
    for c in ("_file", "_row"):
        if c in df.columns:
            variants[c] = df[c].reset_index(drop=True)
    ledger = ledger_frame(file=_col(df, "_file", n), row=_col(df, "_row", n), table="reports",
                          record_id=rid_s, status=status, incident_id=row_label, reason=reason, n=n)
    params = {"window_days": int(window_days), "match_weapon": bool(match_weapon),
              "aliases": dict(aliases or {})}
    return DedupeResult(incidents=inc, variants=variants, ledger=ledger, params=params)


def _match_reason(window_days: int, match_weapon: bool) -> str:
    return ("matched: same place, dates within "
            f"{window_days} day{'s' if window_days != 1 else ''}"
            + (", compatible weapon" if match_weapon else ""))


def _match_inputs(df: pd.DataFrame, n: int, keys: np.ndarray):
    """Attribute codes compared between candidate reports, and the coarse-place mask
    (:mod:`analysis.normalize.match`)."""
    attrs = []
    for names in (EVENT_TYPE_COLUMNS, VIOLENCE_COLUMNS, SECOND_ACTOR_COLUMNS):
        c = find_column(df.columns, names)
        if c is not None:
            attrs.append(attribute_codes(df[c]))
    if "actor" in df.columns:
        coded = (df["_coded"].fillna(False).to_numpy(bool) if "_coded" in df.columns
                 else np.full(n, df.attrs.get("event_id") is not None, bool))
        if coded.any():
            attrs.append(np.where(coded, attribute_codes(df["actor"]), -1))
    def opt(names):
        c = find_column(df.columns, names)
        return None if c is None else df[c]
    coarse = coarse_places(keys, _col(df, "country", n), admin1=opt(ADMIN1_COLUMNS),
                           where_prec=opt(WHERE_PREC_COLUMNS), geo_precision=opt(GEO_PRECISION_COLUMNS))
    return attrs, coarse


def _warn_split(cand, li, lj, explicit, label, rid, *, window: int, shown: int = 3) -> None:
    """DataWarning naming the groups of reports that match in a chain but not all pairwise.

    Such a group is split into incidents whose reports all match (complete linkage); the
    split depends on the rule's order (dates first), so the warning names it for a check.
    Pairs of two explicit reports are left out: distinct ids are distinct on the user's word.
    """
    both = explicit[cand[li]] & explicit[cand[lj]]
    li, lj = li[~both], lj[~both]
    groups = split_components(len(cand), li, lj, label[cand])
    if not groups:
        return
    lab_s = pd.Series(label)
    ex = []
    for g in groups[:shown]:
        rows = cand[g]
        parts = {}
        for r in rows.tolist():
            parts.setdefault(int(lab_s.iloc[r]), []).append(str(rid.iloc[r]))
        ex.append(" | ".join("; ".join(sorted(v)) for v in sorted(parts.values(), key=min)))
    k = len(groups)
    warnings.warn(
        f"{k} group{'s' if k > 1 else ''} of reports match{'' if k > 1 else 'es'} in a chain but not all "
        f"pairwise (dates more than {window} day{'s' if window != 1 else ''} apart, or incompatible "
        f"weapons or attributes), and {'were' if k > 1 else 'was'} split into incidents whose reports "
        f"all match: {'; '.join('[' + x + ']' for x in ex)}"
        f"{f'; and {k - shown} more' if k > shown else ''}. Check them, change window_days, or give the "
        "reports explicit incident_id values", DataWarning, stacklevel=3)


def _warn_explicit_across_countries(*, lab, starts, sizes, rows, n, ccode, countries, e_uniq,
                                    shown: int = 3) -> None:
    """DataWarning naming explicit ``incident_id`` values shared by reports in several countries."""
    if not len(starts):
        return
    head = lab[starts]
    expl = head >= n
    if expl.any():
        c = ccode[rows]
        has = c >= 0
        cmin = np.minimum.reduceat(np.where(has, c, np.iinfo(np.int64).max), starts)
        cmax = np.maximum.reduceat(np.where(has, c, -1), starts)
        bad = np.flatnonzero(expl & (cmax > cmin) & (cmin >= 0))
        if len(bad):
            cn = countries.astype("str").str.strip()
            ex = "; ".join(
                f"incident_id {str(e_uniq[head[g] - n])!r} is shared by reports in "
                + ", ".join(sorted(set(cn.iloc[rows[starts[g]:starts[g] + sizes[g]]].dropna().tolist())))
                for g in bad[:shown].tolist())
            more = f"; and {len(bad) - shown} more" if len(bad) > shown else ""
            warnings.warn(f"{ex}{more}: reports with one explicit "
                          "incident_id are always one incident, counted in its first report's "
                          "country; check the ids", DataWarning, stacklevel=3)


def _take(x: pd.Series, idx: np.ndarray) -> pd.Series:
    """``x.take(idx)`` with a fresh index; Arrow-backed strings are combined first (a
    take across many chunks is an order of magnitude slower)."""
    if x.dtype == "str" and hasattr(x.array, "__arrow_array__"):
        import pyarrow as pa
        arr = pa.array(x.array)
        if isinstance(arr, pa.ChunkedArray):
            arr = arr.combine_chunks()
        return pd.Series(arr.take(pa.array(np.asarray(idx, dtype=np.int64))), dtype="str")
    return x.take(idx).reset_index(drop=True)


def _int_array(v: np.ndarray):
    """Nullable Int64 array from floats with NaN (no per-element Python objects)."""
    miss = np.isnan(v)
    return pd.arrays.IntegerArray(np.where(miss, 0, v).astype(np.int64), miss)


def _arrow_strings(x: pd.Series):
    import pyarrow as pa
    arr = pa.array(x.array) if hasattr(x.array, "__arrow_array__") else pa.array(x.to_numpy(object))
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    return arr.cast(pa.string())


def _str_series(arr) -> pd.Series:
    return pd.Series(arr, dtype="str")


def _at(df: pd.DataFrame, col: str, i: int):
    if col not in df.columns:
        return None if col == "_file" else i + 2
    v = df[col].iloc[i]
    return None if pd.isna(v) else (int(v) if col == "_row" else str(v))


def _join_segments(values: pd.Series, rows: np.ndarray, starts: np.ndarray, sizes: np.ndarray, *,
                   unique: bool) -> pd.Series:
    """``"; "``-joined values of ``values[rows]`` per segment (singletons without a Python loop)."""
    out = _take(values, rows[starts]).astype("object")
    multi = np.flatnonzero(sizes > 1)
    if len(multi):
        lens = sizes[multi]
        pick = np.repeat(starts[multi], lens) + (np.arange(lens.sum()) - np.repeat(np.cumsum(lens) - lens, lens))
        vals = _take(values, rows[pick]).tolist()
        pos = 0
        joined = []
        for k in lens.tolist():
            seg = [v for v in vals[pos:pos + k] if isinstance(v, str)]
            pos += k
            if unique:
                seg = sorted(set(seg))
            joined.append("; ".join(seg) if seg else None)
        out.iloc[multi] = joined
    return out.astype("str")


def incidents_to_reports(incidents: pd.DataFrame) -> pd.DataFrame:
    """A canonical reports frame with one report per incident, carrying its id.

    ``date_precision`` follows the length of the incident's interval (as
    :func:`analysis.io.read_reports` infers it for an explicit range), so the frame can
    be written with :func:`analysis.io.write_reports` and read back.

    Feeding it back to :func:`dedupe` returns the same incidents (explicit ids never
    merge with each other): normalisation is idempotent.

    Examples
    --------
    >>> from analysis.normalize import normalize
    >>> from analysis.synthetic import toy_tables
    >>> reports, tallies = toy_tables()      # synthetic: two reports, one counter
    >>> res = normalize(reports, tallies, freq="W")
    >>> incidents_to_reports(res.incidents)[["report_id", "incident_id"]].values.tolist()
    [['r1', 'r1'], ['r2', 'r2']]
    """
    n = len(incidents)

    def text(c, src=None):
        src = src or c
        if src not in incidents:
            return pd.Series([None] * n, dtype="str")
        return pd.Series(incidents[src].to_numpy(object), dtype="str")

    from ..io._dates import infer_precision

    d0 = pd.to_datetime(incidents["date_start"]).to_numpy().astype("datetime64[D]")
    d1 = pd.to_datetime(incidents["date_end"]).to_numpy().astype("datetime64[D]")
    out = pd.DataFrame({
        "report_id": text("incident_id"),
        "incident_id": text("incident_id"),
        "date_start": pd.to_datetime(incidents["date_start"]).astype("datetime64[ns]").to_numpy(),
        "date_end": pd.to_datetime(incidents["date_end"]).astype("datetime64[ns]").to_numpy(),
        "date_precision": pd.Series(infer_precision(d0, d1), dtype="str"),
        "country": text("country"),
        "location": text("location"),
        "actor": text("actor"),
        "weapon": text("weapon"),
        "source": text("source", "sources"),
        "source_url": text("source_url"),
    })
    for c in NUMERIC_DETAILS:
        if f"{c}_min" in incidents:
            out[c] = incidents[f"{c}_min"].to_numpy()
    for c in incidents.columns:
        if c.startswith("x_"):
            out[c] = incidents[c].to_numpy()
    return out
