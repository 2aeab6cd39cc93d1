"""Tallies -> interval counts with bounds, conflicts and checks.

A tally states a count of incidents from ``since`` to ``as_of`` (both inclusive),
possibly as a bound. Statements of one *counter* (``source``), one ``region`` and one
``since`` form a cumulative *chain*; chains never mix: different counters are different
series and a different ``since`` starts a new chain.

Steps
-----
1. Rows without ``as_of`` (or ``count``) are excluded with that reason.
2. Each statement becomes a cumulative range ``[lower, upper]``:
   ``exact`` N -> [N, N]; ``at_least`` N -> [N, inf); ``more_than`` N -> [N+1, inf);
   ``at_most`` N -> [0, N]; ``about`` N -> [floor((1-b)N), ceil((1+b)N)] with the band
   ``b = about_band`` (default 0.1: "about 78" -> [70, 86]).
3. Statements of one chain and one ``as_of``: exact repeats merge (ledger: merged).
   Consistent statements (their ranges intersect) combine into the intersection
   ("at least 140" and "140" -> 140). Inconsistent ones are a *conflict*, resolved by
   ``rule``: ``"latest"`` keeps the statement that comes last in the input (file name, then
   row); ``"preferred"`` keeps the one whose outlet (or source) comes first in
   ``preferred_sources`` (falling back to latest); ``"bounds"`` keeps both as the hull
   of their ranges. Other statements consistent with the kept one are combined with it.
4. Across dates a cumulative count cannot fall. A statement whose upper bound lies
   below the lower bound of a statement for an earlier day is *stale* (an older figure
   repeated, e.g. 66 on 2023-11-27 after 73 on 2023-11-23). Under ``"latest"`` and
   ``"preferred"`` it is excluded ("superseded stale tally"); under ``"bounds"`` both
   are kept as bounds: the earlier range is widened down to the stale figure and the
   stale figure becomes a lower bound.
5. Monotone tightening: each day's lower bound is the largest lower bound stated up to
   that day, each upper bound the smallest stated from that day on.
6. Successive cumulative ranges ``[L1, U1]`` at ``t1`` and ``[L2, U2]`` at ``t2`` give
   the interval ``[t1 + 1, t2]`` with ``count = L2 - L1`` when both are exact, else
   ``count`` NaN with ``lower = max(0, L2 - U1)`` and ``upper = U2 - L1``. The first
   interval starts at ``since`` (cumulative 0 before it). Exposure is the interval's
   length in days.
7. Parts and total: for every counter, ``since`` and ``as_of`` where a total region
   (``all``) and parts (``Iraq``, ``Syria``, ...) are known, the sum of the parts'
   ranges is compared with the total's range (:attr:`TallyResult.checks`). Where a part
   the counter states on other dates is missing on that date, the parts can only be
   found to exceed the total; otherwise the status is ``incomplete_parts``, not a
   shortfall.

Counters and regions are matched ignoring case and spacing ("Pentagon" and "pentagon ",
"Iraq" and "IRAQ" are one), taking the spelling of their first row; ``all`` and
``total`` (any case) are the whole area and are reported as ``all``.

8. Counters against each other: statements of one counter that another counter's
   chain contradicts (read as a count of the same attacks) are listed in
   :attr:`TallyResult.disagreements` (see :func:`counter_disagreements`); the series
   themselves are never merged or corrected.

Every conflict is listed in :attr:`TallyResult.conflicts` with the rule that resolved
it; every input row appears in the ledger.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from ..schema import BOUNDS, InputError
from ..series import CountSeries
from .ledger import ledger_frame

__all__ = ["TallyResult", "tallies_to_intervals", "bound_range", "counter_disagreements", "TALLY_RULES",
           "TOTAL_REGIONS"]

TALLY_RULES = ("latest", "preferred", "bounds")
#: Region names (case-insensitive) that mean "the whole area".
TOTAL_REGIONS = ("all", "total")
_INF = math.inf


def bound_range(count, bound: str, about_band: float = 0.1) -> tuple[float, float]:
    """Cumulative range ``(lower, upper)`` of a bounded statement.

    Examples
    --------
    >>> bound_range(175, "more_than"), bound_range(78, "about")
    ((176.0, inf), (70.0, 86.0))
    """
    c = float(count)
    if bound == "exact":
        return c, c
    if bound == "at_least":
        return c, _INF
    if bound == "more_than":
        return c + 1, _INF
    if bound == "at_most":
        return 0.0, c
    if bound == "about":
        return float(math.floor((1 - about_band) * c + 1e-9)), float(math.ceil((1 + about_band) * c - 1e-9))
    raise ValueError(f"bound must be one of {BOUNDS}, not {bound!r}")


def _fmt(lo: float, hi: float) -> str:
    if lo == hi:
        return f"{lo:g}"
    return f"[{lo:g}, {'inf' if math.isinf(hi) else f'{hi:g}'}]"


@dataclass(frozen=True)
class TallyResult:
    """Interval counts from tallies, with conflicts, checks and ledger rows.

    Attributes
    ----------
    series : dict of str to CountSeries
        One irregular CountSeries per counter (``source``), with groups
        ``("region", "since")``.
    intervals : pandas.DataFrame
        All intervals in one long table (``source, region, since, start, end, count,
        lower, upper, exposure, n_reports, tally_ids``); ``end`` exclusive.
    cumulative : pandas.DataFrame
        The resolved cumulative ranges per chain and ``as_of`` (``source, region,
        since, as_of, lower, upper, tally_id, tally_ids``), after tightening.
    conflicts : pandas.DataFrame
        ``source, region, since, as_of, kind (same_date | stale), tally_ids, values,
        rule, kept, excluded, resolution``.
    checks : pandas.DataFrame
        Parts vs total: ``source, since, as_of, regions, parts_lower, parts_upper,
        total_lower, total_upper, status`` (``equal``, ``consistent``,
        ``parts_exceed_total``, ``parts_below_total``, ``incomplete_parts`` when a part
        the counter states on other dates is missing on that date).
    ledger : pandas.DataFrame
        Ledger rows of the tallies.
    disagreements : pandas.DataFrame
        Counters that contradict each other (see :func:`counter_disagreements`): one row
        per resolved statement that another counter's chain, read as a count of the same
        attacks, cannot hold. The series stay separate; this table reports the conflict.
    """

    series: Mapping[str, CountSeries]
    intervals: pd.DataFrame
    cumulative: pd.DataFrame
    conflicts: pd.DataFrame
    checks: pd.DataFrame
    ledger: pd.DataFrame
    params: Mapping = field(default_factory=dict)
    disagreements: pd.DataFrame = field(default_factory=lambda: counter_disagreements(None))

    @property
    def sources(self) -> list[str]:
        return sorted(self.series)

    def get(self, source: str, region: str = "all", since=None) -> CountSeries:
        """The interval series of one counter and region (one ``since`` chain).

        With ``since=None`` the chain is the one that covers the most days.
        """
        if source not in self.series:
            raise KeyError(f"no tallies from source {source!r}; sources are {self.sources}")
        d = self.intervals
        d = d[(d["source"] == source) & (d["region"].str.lower() == str(region).lower())]
        if not len(d):
            raise KeyError(f"source {source!r} has no region {region!r}")
        if since is None:
            span = d.groupby("since")["exposure"].sum()
            since = span.idxmax()
        since = str(pd.Timestamp(since).date())
        d = d[d["since"] == since]
        return CountSeries(d.drop(columns=["source", "region", "since"]), freq=None,
                           attrs={"source": source, "region": region, "since": since, "kind": "tally"})

    def panel(self) -> CountSeries:
        """Every chain as one CountSeries with groups ``(source, region, since)``."""
        return CountSeries(self.intervals.copy(), freq=None, groups=("source", "region", "since"),
                           attrs={"kind": "tally", "rule": self.params.get("rule")})


def _prepare(tallies: pd.DataFrame, about_band: float) -> pd.DataFrame:
    missing = [c for c in ("since", "as_of", "count") if c not in tallies.columns]
    if missing:
        raise InputError(f"the tallies lack columns {missing}; pass a canonical tallies frame "
                         "(analysis.io.read_tallies)")
    t = tallies.reset_index(drop=True).copy()
    n = len(t)
    row = t["_row"] if "_row" in t.columns else pd.Series(np.arange(n) + 2)
    file = t["_file"] if "_file" in t.columns else pd.Series([pd.NA] * n, dtype="object")
    t["_file_"] = file.astype("str").fillna("").to_numpy()
    t["_row_"] = pd.to_numeric(row, errors="coerce").fillna(-1).astype(np.int64).to_numpy()
    if "tally_id" in t.columns:
        tid = t["tally_id"].astype("str").str.strip()
        tid = tid.where(tid.notna() & (tid != ""), None)
    else:
        tid = pd.Series([None] * n, dtype="object")
    several = t["_file_"].nunique() > 1
    fallback = pd.Series([f"{f} row {r}" if several else f"row{r}" for f, r in zip(t["_file_"], t["_row_"])],
                         dtype="object")
    dup = tid.notna() & tid.duplicated(keep="first")
    if dup.any():
        j = int(np.flatnonzero(dup.to_numpy())[0])
        i = int(np.flatnonzero((tid == tid.iloc[j]).to_numpy(bool))[0])
        where = " ".join(x for x in (t["_file_"].iloc[i], f"row {t['_row_'].iloc[i]}") if x)
        raise InputError(f"duplicate tally_id {tid.iloc[j]!r} (also in {where}); tally_id must be unique "
                         "across all tally files", file=t["_file_"].iloc[j] or None,
                         row=int(t["_row_"].iloc[j]), column="tally_id")
    t["_id"] = tid.astype("object").where(tid.notna(), fallback).astype(str).to_numpy()

    def text(col, default):
        if col not in t.columns:
            return pd.Series([default] * n, dtype="object")
        v = t[col].astype("str").str.strip()
        return v.where(v.notna() & (v != ""), default).astype("object")

    t["_source"] = text("source", "unknown").to_numpy()
    t["_region"] = text("region", "all").to_numpy()
    t["_outlet"] = text("outlet", "").to_numpy()
    t["_bound"] = text("bound", "exact").str.lower().to_numpy()
    bad = ~t["_bound"].isin(BOUNDS)
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(f"bound {t['_bound'].iloc[i]!r} is not one of {BOUNDS}",
                         file=t["_file_"].iloc[i] or None, row=int(t["_row_"].iloc[i]), column="bound")
    t["_since"] = pd.to_datetime(t["since"]).astype("datetime64[ns]")
    t["_asof"] = pd.to_datetime(t["as_of"]).astype("datetime64[ns]")
    cnt = pd.to_numeric(t["count"], errors="coerce").astype(float)
    t["_count"] = cnt.to_numpy()
    bnd = t["_bound"].to_numpy(object)
    c = cnt.to_numpy(float)
    b = about_band
    lo = np.select([bnd == "exact", bnd == "at_least", bnd == "more_than", bnd == "at_most", bnd == "about"],
                   [c, c, c + 1, 0 * c, np.floor((1 - b) * c + 1e-9)], np.nan)
    hi = np.select([bnd == "exact", bnd == "at_least", bnd == "more_than", bnd == "at_most", bnd == "about"],
                   [c, np.inf + 0 * c, np.inf + 0 * c, c, np.ceil((1 + b) * c - 1e-9)], np.nan)
    t["_lo"], t["_hi"] = lo, hi
    order = np.lexsort((np.arange(n), t["_row_"].to_numpy(), t["_file_"].to_numpy(str)))
    pos = np.empty(n, np.int64)
    pos[order] = np.arange(n)
    t["_pos"] = pos
    t["_source"] = _one_spelling(t["_source"].to_numpy(object), order)
    reg = _one_spelling(t["_region"].to_numpy(object), order)
    t["_region"] = np.where(pd.Series(reg).str.casefold().isin(TOTAL_REGIONS).to_numpy(), "all", reg)
    return t


def _one_spelling(values: np.ndarray, order: np.ndarray) -> np.ndarray:
    """Names equal up to case and spacing take one spelling: the first in input order.

    "Pentagon", "pentagon " and "PENTAGON" are one counter; "All" and "all" one region.
    """
    key = pd.Series(values, dtype="str").str.split().str.join(" ").str.casefold()
    first = pd.Series(values[order], index=key.to_numpy()[order], dtype="str").str.split().str.join(" ")
    first = first[~first.index.duplicated(keep="first")]
    return first.reindex(key.to_numpy()).to_numpy(object)


def _preference(outlet: str, source: str, preferred: Sequence[str]) -> int:
    for k, p in enumerate(preferred):
        p = str(p).lower()
        if p and (p in outlet.lower() or p == source.lower()):
            return k
    return len(preferred)


def tallies_to_intervals(tallies: pd.DataFrame, *, rule: str = "latest",
                         preferred_sources: Sequence[str] = (), about_band: float = 0.1) -> TallyResult:
    """Turn cumulative tallies into interval counts (see the module notes).

    Parameters
    ----------
    tallies : pandas.DataFrame
        Canonical tallies (:func:`analysis.io.read_tallies`): ``since``, ``as_of``,
        ``count`` and optionally ``tally_id``, ``bound``, ``region``, ``source``,
        ``outlet``, ``_file``, ``_row``.
    rule : {"latest", "preferred", "bounds"}, default "latest"
        How conflicting statements are resolved.
    preferred_sources : sequence of str
        For ``rule="preferred"``: outlets (case-insensitive substrings) or sources in
        order of preference.
    about_band : float, default 0.1
        Relative half-width of the range of an ``about`` statement.

    Returns
    -------
    TallyResult

    Raises
    ------
    InputError
        Missing ``since``/``as_of``/``count`` columns, a ``bound`` outside the allowed values
        (naming file, row and column).
    ValueError
        A bad ``rule`` or ``about_band``.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"tally_id": ["a", "b"], "since": pd.to_datetime(["2023-10-17"] * 2),
    ...                   "as_of": pd.to_datetime(["2023-10-24", "2023-10-30"]),
    ...                   "count": [13, 23], "source": "Pentagon"})
    >>> tallies_to_intervals(t).intervals[["start", "count", "exposure"]].values.tolist()
    [[Timestamp('2023-10-17 00:00:00'), 13.0, 8.0], [Timestamp('2023-10-25 00:00:00'), 10.0, 6.0]]
    """
    if rule not in TALLY_RULES:
        raise ValueError(f"rule must be one of {TALLY_RULES}, not {rule!r}")
    if not (0 <= about_band < 1):
        raise ValueError(f"about_band must be in [0, 1), not {about_band!r}")
    preferred = tuple(preferred_sources or ())
    t = _prepare(tallies, about_band)
    n = len(t)
    # plain arrays: the per-chain logic below is sequential and the tables are small
    ids = t["_id"].tolist()
    lo0 = t["_lo"].tolist()
    hi0 = t["_hi"].tolist()
    pos = t["_pos"].tolist()
    src_a = t["_source"].tolist()
    reg_a = t["_region"].tolist()
    outlet = t["_outlet"].tolist()
    since_a = list(t["_since"])
    asof_a = list(t["_asof"])
    status = ["counted"] * n
    reason: list = [None] * n
    target: list = list(ids)

    for i in range(n):
        why = None
        if pd.isna(asof_a[i]):
            why = "no as_of date: the statement gives no date"
        elif pd.isna(since_a[i]):
            why = "no since date: the statement gives no start"
        elif math.isnan(lo0[i]):
            why = "no count: the statement gives no number"
        elif asof_a[i] < since_a[i]:
            why = "as_of before since"
        if why:
            status[i], reason[i], target[i] = "excluded", why, None

    chains: dict = {}
    for i in range(n):
        if status[i] == "counted":
            chains.setdefault((src_a[i], reg_a[i], since_a[i]), {}).setdefault(asof_a[i], []).append(i)

    cum_rows, conflicts, iv_rows = [], [], []
    for (src, reg, since) in sorted(chains):
        day_obs = []
        for asof in sorted(chains[(src, reg, since)]):
            grp = sorted(chains[(src, reg, since)][asof], key=lambda i: pos[i])
            seen, uniq = {}, []
            for i in grp:  # exact repeats merge into the first statement
                k = (lo0[i], hi0[i])
                if k in seen:
                    status[i], target[i] = "merged", ids[seen[k]]
                    reason[i] = f"duplicate statement of {target[i]}"
                else:
                    seen[k] = i
                    uniq.append(i)
            L = max(lo0[i] for i in uniq)
            U = min(hi0[i] for i in uniq)
            if L <= U:
                founder = uniq[0]
                for i in uniq[1:]:
                    status[i], target[i] = "merged", ids[founder]
                    reason[i] = f"consistent statement combined with {target[i]}: ranges intersected"
            else:
                values = "; ".join(f"{ids[i]}: {_fmt(lo0[i], hi0[i])}" for i in uniq)
                if rule == "bounds":
                    founder = uniq[0]
                    L = min(lo0[i] for i in uniq)
                    U = max(hi0[i] for i in uniq)
                    for i in uniq[1:]:
                        status[i], target[i] = "merged", ids[founder]
                        reason[i] = f"conflicting statement kept as bounds with {target[i]}"
                    kept, dropped = [ids[i] for i in uniq], []
                    resolution = f"kept as bounds {_fmt(L, U)}"
                else:
                    if rule == "preferred" and preferred:
                        founder = min((_preference(outlet[i], src, preferred), -pos[i], i) for i in uniq)[2]
                    else:
                        founder = uniq[-1]
                    L, U = lo0[founder], hi0[founder]
                    kept, dropped = [ids[founder]], []
                    for i in sorted(uniq, key=lambda i: -pos[i]):
                        if i == founder:
                            continue
                        if max(L, lo0[i]) <= min(U, hi0[i]):
                            L, U = max(L, lo0[i]), min(U, hi0[i])
                            kept.append(ids[i])
                            status[i], target[i] = "merged", ids[founder]
                            reason[i] = f"consistent statement combined with {target[i]}: ranges intersected"
                        else:
                            dropped.append(ids[i])
                            status[i], target[i] = "excluded", None
                            reason[i] = (f"conflicting tally: {ids[i]} disagrees with {ids[founder]} for "
                                         f"the same day; rule {rule} kept {ids[founder]}")
                    resolution = f"rule {rule} kept {ids[founder]} ({_fmt(L, U)})"
                conflicts.append({
                    "source": src, "region": reg, "since": since, "as_of": asof, "kind": "same_date",
                    "tally_ids": "; ".join(ids[i] for i in uniq), "values": values, "rule": rule,
                    "kept": "; ".join(kept), "excluded": "; ".join(dropped), "resolution": resolution})
            day_obs.append({"as_of": asof, "lo": float(L), "hi": float(U), "founder": founder,
                            "members": [i for i in grp if status[i] != "excluded"]})
        # stale statements across dates: a cumulative count cannot fall
        kept_obs = []
        for ob in day_obs:
            earlier = [k for k in kept_obs if k["lo"] > ob["hi"]]
            if not earlier:
                kept_obs.append(ob)
                continue
            fid = ids[ob["founder"]]
            e_ids = [ids[k["founder"]] for k in earlier]
            e_desc = "; ".join(f"{ids[k['founder']]} {_fmt(k['lo'], k['hi'])} on {k['as_of'].date()}"
                               for k in earlier)
            if rule == "bounds":
                for k in earlier:
                    k["lo"] = min(k["lo"], ob["lo"])
                ob["hi"] = _INF
                kept_obs.append(ob)
                resolution = (f"kept as bounds: earlier lower bounds lowered to {ob['lo']:g}, "
                              f"{fid} taken as a lower bound")
                excluded = ""
            else:
                for i in ob["members"]:
                    status[i], target[i] = "excluded", None
                    reason[i] = (f"superseded stale tally: {_fmt(ob['lo'], ob['hi'])} on "
                                 f"{ob['as_of'].date()} is below {e_desc}")
                resolution = f"{fid} treated as a stale repeat of an older figure and excluded"
                excluded = "; ".join(ids[i] for i in ob["members"])
            conflicts.append({
                "source": src, "region": reg, "since": since, "as_of": ob["as_of"], "kind": "stale",
                "tally_ids": "; ".join(e_ids + [fid]),
                "values": e_desc + f"; {fid} {_fmt(ob['lo'], ob['hi'])} on {ob['as_of'].date()}",
                "rule": rule, "kept": "; ".join(e_ids + ([fid] if rule == "bounds" else [])),
                "excluded": excluded, "resolution": resolution})
        # monotone tightening, then intervals between successive cumulative ranges
        los = np.maximum.accumulate(np.array([o["lo"] for o in kept_obs]))
        his = np.minimum.accumulate(np.array([o["hi"] for o in kept_obs])[::-1])[::-1]
        prev_day, pl, pu = since - pd.Timedelta(days=1), 0.0, 0.0
        for o, L, U in zip(kept_obs, los.tolist(), his.tolist()):
            members = sorted(o["members"], key=lambda i: pos[i])
            tid, tids = ids[o["founder"]], "; ".join(ids[i] for i in members)
            cum_rows.append((src, reg, since, o["as_of"], L, U, tid, tids, len(members)))
            start, end = prev_day + pd.Timedelta(days=1), o["as_of"] + pd.Timedelta(days=1)
            if L == U and pl == pu:
                count, ilo, ihi = L - pl, np.nan, np.nan
            else:
                count, ilo, ihi = np.nan, max(0.0, L - pu), U - pl
            iv_rows.append((src, reg, str(since.date()), start, end, count, float((end - start).days),
                            ilo, ihi, len(members), tid, tids))
            prev_day, pl, pu = o["as_of"], L, U

    cum = pd.DataFrame(cum_rows, columns=["source", "region", "since", "as_of", "lower", "upper",
                                          "tally_id", "tally_ids", "n_statements"])
    intervals = pd.DataFrame(iv_rows, columns=["source", "region", "since", "start", "end", "count", "exposure",
                                               "lower", "upper", "n_reports", "tally_id", "tally_ids"])
    for c in ("start", "end"):
        intervals[c] = pd.to_datetime(intervals[c]).astype("datetime64[ns]")
    for c in ("since", "as_of"):
        cum[c] = pd.to_datetime(cum[c]).astype("datetime64[ns]")
    series = {}
    for src in sorted(set(intervals["source"])):
        d = intervals[intervals["source"] == src]
        series[src] = CountSeries(d.drop(columns=["source"]).reset_index(drop=True), freq=None,
                                  groups=("region", "since"), attrs={"source": src, "kind": "tally", "rule": rule})
    conf = pd.DataFrame(conflicts, columns=["source", "region", "since", "as_of", "kind", "tally_ids",
                                            "values", "rule", "kept", "excluded", "resolution"])
    checks = _parts_checks(cum_rows)
    files = t["_file_"].tolist()
    rows = t["_row_"].tolist()
    ledger = ledger_frame(file=[f or None for f in files], row=[r if r >= 0 else None for r in rows],
                          table="tallies", record_id=ids, status=status, incident_id=target, reason=reason, n=n)
    return TallyResult(series=series, intervals=intervals, cumulative=cum, conflicts=conf,
                       checks=checks, ledger=ledger,
                       params={"rule": rule, "preferred_sources": preferred, "about_band": about_band},
                       disagreements=counter_disagreements(cum))


DISAGREEMENT_COLUMNS = ("source", "region", "since", "as_of", "tally_id", "lower", "upper", "other_source",
                        "other_since", "other_lower", "other_upper", "kind")


def counter_disagreements(cumulative: pd.DataFrame | None) -> pd.DataFrame:
    """Statements of one counter that another counter's tallies contradict.

    Different counters are different series and are never merged. This table says where
    they cannot both be counting the same attacks: for each resolved cumulative statement
    ``[lower, upper]`` of a counter (``since`` to ``as_of``) and each chain of another
    counter in the same region, the other chain's range on ``as_of`` is
    ``[other_lower, other_upper]`` (its largest lower bound stated up to that day, 0 before
    its first statement; its smallest upper bound stated from that day on, inf after its
    last). A count from an earlier (or the same) ``since`` cannot be smaller, and one from
    a later (or the same) ``since`` cannot be larger, so

    * ``kind="above"``: ``lower > other_upper`` and ``since >= other_since``;
    * ``kind="below"``: ``upper < other_lower`` and ``since <= other_since``.

    Parameters
    ----------
    cumulative : pandas.DataFrame or None
        :attr:`TallyResult.cumulative`.

    Returns
    -------
    pandas.DataFrame
        Columns ``source, region, since, as_of, tally_id, lower, upper, other_source,
        other_since, other_lower, other_upper, kind``; sorted by region, as_of, source.

    Examples
    --------
    >>> from analysis.normalize import normalize
    >>> from analysis.synthetic import toy_tables
    >>> reports, tallies = toy_tables()      # synthetic: two reports, one counter
    >>> res = normalize(reports, tallies, freq="W")
    >>> counter_disagreements(res.tallies.cumulative).empty      # one counter: nothing to contradict
    True
    """
    rows = []
    if cumulative is not None and len(cumulative):
        cum = cumulative.sort_values(["source", "region", "since", "as_of"], kind="stable")
        chains: dict = {}  # region -> [(source, since, as_of days, lowers, uppers)]
        for (src, reg, since), g in cum.groupby(["source", "region", "since"], sort=True):
            chains.setdefault(reg, []).append((src, since, g["as_of"].to_numpy(),
                                               g["lower"].to_numpy(float), g["upper"].to_numpy(float)))
        for r in cum.itertuples(index=False):
            for src, since, days, los, his in chains[r.region]:
                if src == r.source or r.as_of < since:
                    continue
                before = days <= np.datetime64(r.as_of)
                after = days >= np.datetime64(r.as_of)
                olo = float(los[before].max()) if before.any() else 0.0
                ohi = float(his[after].min()) if after.any() else _INF
                kind = None
                if r.since >= since and r.lower > ohi:
                    kind = "above"
                elif r.since <= since and r.upper < olo:
                    kind = "below"
                if kind:
                    rows.append((r.source, r.region, r.since, r.as_of, r.tally_id, r.lower, r.upper, src,
                                 since, olo, ohi, kind))
    out = pd.DataFrame(rows, columns=list(DISAGREEMENT_COLUMNS))
    for c in ("since", "as_of", "other_since"):
        out[c] = pd.to_datetime(out[c]).astype("datetime64[ns]")
    for c in ("lower", "upper", "other_lower", "other_upper"):
        out[c] = out[c].astype(float)
    return out.sort_values(["region", "as_of", "source", "other_source"], kind="stable").reset_index(drop=True)


def _parts_checks(cum_rows) -> pd.DataFrame:
    cols = ["source", "since", "as_of", "regions", "parts_lower", "parts_upper", "total_lower",
            "total_upper", "status"]
    groups: dict = {}
    known: dict = {}  # part regions each counter and since ever states
    for src, reg, since, asof, L, U, *_ in cum_rows:
        groups.setdefault((src, since, asof), []).append((reg, L, U))
        if reg.lower() not in TOTAL_REGIONS:
            known.setdefault((src, since), set()).add(reg)
    rows = []
    for (src, since, asof) in sorted(groups):
        g = groups[(src, since, asof)]
        tot = [x for x in g if x[0].lower() in TOTAL_REGIONS]
        parts = [x for x in g if x[0].lower() not in TOTAL_REGIONS]
        if not tot or not parts:
            continue
        tl, tu = tot[0][1], tot[0][2]
        pl, pu = sum(x[1] for x in parts), sum(x[2] for x in parts)
        missing = known[(src, since)] - {x[0] for x in parts}
        if pl > tu:
            st = "parts_exceed_total"
        elif missing:
            st = "incomplete_parts"  # an unstated part could make up the difference
        elif pu < tl:
            st = "parts_below_total"
        elif pl == pu == tl == tu:
            st = "equal"
        else:
            st = "consistent"
        rows.append((src, since, asof, "+".join(sorted(x[0] for x in parts)), pl, pu, tl, tu, st))
    out = pd.DataFrame(rows, columns=cols)
    for c in ("since", "as_of"):
        out[c] = pd.to_datetime(out[c]).astype("datetime64[ns]")
    return out
