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
   ``rule``: ``"latest"`` keeps the statement that comes last in the input (file, then
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
   ranges is compared with the total's range (:attr:`TallyResult.checks`).

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

__all__ = ["TallyResult", "tallies_to_intervals", "bound_range", "TALLY_RULES", "TOTAL_REGIONS"]

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
        ``parts_exceed_total``, ``parts_below_total``).
    ledger : pandas.DataFrame
        Ledger rows of the tallies.
    """

    series: Mapping[str, CountSeries]
    intervals: pd.DataFrame
    cumulative: pd.DataFrame
    conflicts: pd.DataFrame
    checks: pd.DataFrame
    ledger: pd.DataFrame
    params: Mapping = field(default_factory=dict)

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
    fallback = pd.Series([f"row{r}" for r in t["_row_"]], dtype="object")
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
    lo = np.full(n, np.nan)
    hi = np.full(n, np.nan)
    for i in np.flatnonzero(cnt.notna().to_numpy()):
        lo[i], hi[i] = bound_range(cnt.iloc[i], t["_bound"].iloc[i], about_band)
    t["_lo"], t["_hi"] = lo, hi
    order = np.lexsort((np.arange(n), t["_row_"].to_numpy(), t["_file_"].to_numpy(str)))
    pos = np.empty(n, np.int64)
    pos[order] = np.arange(n)
    t["_pos"] = pos
    return t


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
    status = np.full(n, "counted", dtype=object)
    reason = np.full(n, None, dtype=object)
    target = t["_id"].to_numpy(object).copy()

    no_asof = t["_asof"].isna().to_numpy()
    no_since = t["_since"].isna().to_numpy() & ~no_asof
    no_count = np.isnan(t["_lo"].to_numpy()) & ~no_asof & ~no_since
    before = ~no_asof & ~no_since & (t["_asof"] < t["_since"]).to_numpy()
    for m, why in ((no_asof, "no as_of date: the statement gives no date"),
                   (no_since, "no since date: the statement gives no start"),
                   (no_count, "no count: the statement gives no number"),
                   (before, "as_of before since")):
        status[m] = "excluded"
        reason[m] = why
        target[m] = None

    obs_rows = []  # one dict per resolved (chain, as_of) observation
    conflicts = []
    ok = np.flatnonzero(status == "counted")
    t_ok = t.iloc[ok]
    for (src, reg, since), chain in t_ok.groupby(["_source", "_region", "_since"], sort=True):
        day_obs = []
        for asof, grp in chain.groupby("_asof", sort=True):
            grp = grp.sort_values("_pos")
            idx = grp.index.to_numpy()
            lo = grp["_lo"].to_numpy()
            hi = grp["_hi"].to_numpy()
            # exact repeats merge into the first statement
            key = list(zip(lo, hi))
            seen = {}
            uniq = []
            for i, k in zip(idx, key):
                if k in seen:
                    status[i] = "merged"
                    target[i] = t.at[seen[k], "_id"]
                    reason[i] = f"duplicate statement of {target[i]}"
                else:
                    seen[k] = i
                    uniq.append(i)
            L = max(t.at[i, "_lo"] for i in uniq)
            U = min(t.at[i, "_hi"] for i in uniq)
            if L <= U:
                founder = uniq[0]
                for i in uniq[1:]:
                    status[i], target[i] = "merged", t.at[founder, "_id"]
                    reason[i] = f"consistent statement combined with {target[i]}: ranges intersected"
                members = uniq
            else:
                values = "; ".join(f"{t.at[i, '_id']}: {_fmt(t.at[i, '_lo'], t.at[i, '_hi'])}" for i in uniq)
                if rule == "bounds":
                    founder = uniq[0]
                    L = min(t.at[i, "_lo"] for i in uniq)
                    U = max(t.at[i, "_hi"] for i in uniq)
                    for i in uniq[1:]:
                        status[i], target[i] = "merged", t.at[founder, "_id"]
                        reason[i] = f"conflicting statement kept as bounds with {target[i]}"
                    members = uniq
                    kept, dropped = [t.at[i, "_id"] for i in uniq], []
                    resolution = f"kept as bounds {_fmt(L, U)}"
                else:
                    if rule == "preferred" and preferred:
                        prefs = [(_preference(t.at[i, "_outlet"], src, preferred), -t.at[i, "_pos"], i)
                                 for i in uniq]
                        founder = min(prefs)[2]
                    else:
                        founder = uniq[-1]
                    L, U = t.at[founder, "_lo"], t.at[founder, "_hi"]
                    members = [founder]
                    dropped = []
                    for i in sorted(uniq, key=lambda i: -t.at[i, "_pos"]):
                        if i == founder:
                            continue
                        lo_i, hi_i = t.at[i, "_lo"], t.at[i, "_hi"]
                        if max(L, lo_i) <= min(U, hi_i):
                            L, U = max(L, lo_i), min(U, hi_i)
                            members.append(i)
                            status[i], target[i] = "merged", t.at[founder, "_id"]
                            reason[i] = f"consistent statement combined with {target[i]}: ranges intersected"
                        else:
                            dropped.append(i)
                            status[i], target[i] = "excluded", None
                            reason[i] = (f"conflicting tally: {t.at[i, '_id']} disagrees with "
                                         f"{t.at[founder, '_id']} for the same day; rule {rule} kept "
                                         f"{t.at[founder, '_id']}")
                    kept = [t.at[i, "_id"] for i in members]
                    dropped = [t.at[i, "_id"] for i in dropped]
                    resolution = f"rule {rule} kept {t.at[founder, '_id']} ({_fmt(L, U)})"
                conflicts.append({
                    "source": src, "region": reg, "since": since, "as_of": asof, "kind": "same_date",
                    "tally_ids": "; ".join(t.at[i, "_id"] for i in uniq), "values": values,
                    "rule": rule, "kept": "; ".join(kept), "excluded": "; ".join(dropped),
                    "resolution": resolution})
            day_obs.append({"as_of": asof, "lo": float(L), "hi": float(U), "founder": founder,
                            "members": [i for i in idx if status[i] != "excluded"]})
        # stale statements across dates
        kept_obs = []
        for ob in day_obs:
            earlier = [k for k in kept_obs if k["lo"] > ob["hi"]]
            if not earlier:
                kept_obs.append(ob)
                continue
            fid = t.at[ob["founder"], "_id"]
            e_ids = [t.at[k["founder"], "_id"] for k in earlier]
            e_desc = "; ".join(f"{t.at[k['founder'], '_id']} {_fmt(k['lo'], k['hi'])} on "
                               f"{k['as_of'].date()}" for k in earlier)
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
                excluded = "; ".join(t.at[i, "_id"] for i in ob["members"])
            conflicts.append({
                "source": src, "region": reg, "since": since, "as_of": ob["as_of"], "kind": "stale",
                "tally_ids": "; ".join(e_ids + [fid]),
                "values": e_desc + f"; {fid} {_fmt(ob['lo'], ob['hi'])} on {ob['as_of'].date()}",
                "rule": rule, "kept": "; ".join(e_ids + ([fid] if rule == "bounds" else [])),
                "excluded": excluded, "resolution": resolution})
        # monotone tightening
        los = np.maximum.accumulate(np.array([o["lo"] for o in kept_obs]))
        his = np.minimum.accumulate(np.array([o["hi"] for o in kept_obs])[::-1])[::-1]
        for o, lo_, hi_ in zip(kept_obs, los, his):
            ids = [t.at[i, "_id"] for i in sorted(o["members"], key=lambda i: t.at[i, "_pos"])]
            obs_rows.append({"source": src, "region": reg, "since": since, "as_of": o["as_of"],
                             "lower": float(lo_), "upper": float(hi_), "tally_id": t.at[o["founder"], "_id"],
                             "tally_ids": "; ".join(ids), "n_statements": len(o["members"])})
        for o in kept_obs:
            for i in o["members"]:
                if status[i] == "counted" and i != o["founder"]:
                    status[i], target[i] = "merged", t.at[o["founder"], "_id"]

    cum = pd.DataFrame(obs_rows, columns=["source", "region", "since", "as_of", "lower", "upper",
                                          "tally_id", "tally_ids", "n_statements"])
    intervals = _intervals(cum)
    series = {}
    for src, d in intervals.groupby("source", sort=True):
        series[src] = CountSeries(d.drop(columns=["source"]).reset_index(drop=True), freq=None,
                                  groups=("region", "since"), attrs={"source": src, "kind": "tally",
                                                                     "rule": rule})
    conf = pd.DataFrame(conflicts, columns=["source", "region", "since", "as_of", "kind", "tally_ids",
                                            "values", "rule", "kept", "excluded", "resolution"])
    checks = _parts_checks(cum)
    ledger = ledger_frame(file=t["_file_"].where(t["_file_"] != "", None).astype("object"),
                          row=t["_row_"].where(t["_row_"] >= 0, None).astype("object"),
                          table="tallies", record_id=t["_id"].to_numpy(object), status=status,
                          incident_id=target, reason=reason, n=n)
    return TallyResult(series=series, intervals=intervals, cumulative=cum, conflicts=conf,
                       checks=checks, ledger=ledger,
                       params={"rule": rule, "preferred_sources": preferred, "about_band": about_band})


def _intervals(cum: pd.DataFrame) -> pd.DataFrame:
    cols = ["source", "region", "since", "start", "end", "count", "exposure", "lower", "upper",
            "n_reports", "tally_id", "tally_ids"]
    rows = []
    for (src, reg, since), ch in cum.groupby(["source", "region", "since"], sort=True):
        ch = ch.sort_values("as_of")
        prev_day = since - pd.Timedelta(days=1)
        pl, pu = 0.0, 0.0
        for r in ch.itertuples(index=False):
            L, U = r.lower, r.upper
            start = prev_day + pd.Timedelta(days=1)
            end = r.as_of + pd.Timedelta(days=1)
            if L == U and pl == pu:
                count, lo, hi = L - pl, np.nan, np.nan
            else:
                count, lo, hi = np.nan, max(0.0, L - pu), U - pl
            rows.append({"source": src, "region": reg, "since": str(since.date()), "start": start, "end": end,
                         "count": count, "exposure": float((end - start).days), "lower": lo, "upper": hi,
                         "n_reports": r.n_statements, "tally_id": r.tally_id, "tally_ids": r.tally_ids})
            prev_day, pl, pu = r.as_of, L, U
    out = pd.DataFrame(rows, columns=cols)
    if len(out):
        out["start"] = pd.to_datetime(out["start"]).astype("datetime64[ns]")
        out["end"] = pd.to_datetime(out["end"]).astype("datetime64[ns]")
    return out


def _parts_checks(cum: pd.DataFrame) -> pd.DataFrame:
    cols = ["source", "since", "as_of", "regions", "parts_lower", "parts_upper", "total_lower",
            "total_upper", "status"]
    rows = []
    is_total = cum["region"].str.lower().isin(TOTAL_REGIONS)
    for (src, since, asof), g in cum.groupby(["source", "since", "as_of"], sort=True):
        tot = g[is_total.loc[g.index]]
        parts = g[~is_total.loc[g.index]]
        if not len(tot) or not len(parts):
            continue
        tl, tu = float(tot["lower"].iloc[0]), float(tot["upper"].iloc[0])
        pl, pu = float(parts["lower"].sum()), float(parts["upper"].sum())
        if pl > tu:
            st = "parts_exceed_total"
        elif pu < tl:
            st = "parts_below_total"
        elif pl == pu == tl == tu:
            st = "equal"
        else:
            st = "consistent"
        rows.append({"source": src, "since": since, "as_of": asof,
                     "regions": "+".join(sorted(parts["region"])), "parts_lower": pl, "parts_upper": pu,
                     "total_lower": tl, "total_upper": tu, "status": st})
    return pd.DataFrame(rows, columns=cols)
