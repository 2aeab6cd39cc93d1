"""Link reports to coded events (``dedupe="link"``): which report describes which event.

A coded event dataset (ACLED, UCDP GED) is already one event per row. Reports from
other sources (a canonical report collection: news reports, a curated table) can be
*linked* to those events, to see which events the reports confirm and which reports
describe events the dataset lacks, without letting the matching change any count.

A report and a coded event are a *candidate link* under the pairwise rules of
:func:`analysis.normalize.dedupe`: same country (case-insensitive), same non-empty place
key, neither place country- or region-level, date intervals within ``window_days``,
compatible weapons (unless ``match_weapon=False``), and agreeing event type, violence
type and second actor where both give them (an actor written in a news report is free
text and is not compared). Each report's candidates are ranked: smallest gap in days,
then a weapon class in common before an unknown weapon, then the closest start date,
then the event id; rank 1 is the link.
"""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from .keys import _key_codes, compatible, weapon_classes, weapon_label
from .ledger import ledger_frame
from .match import (ADMIN1_COLUMNS, EVENT_TYPE_COLUMNS, GEO_PRECISION_COLUMNS, SECOND_ACTOR_COLUMNS,
                    VIOLENCE_COLUMNS, WHERE_PREC_COLUMNS, attribute_codes, attributes_compatible,
                    coarse_places, find_column)

__all__ = ["LINK_COLUMNS", "link_reports"]

#: Columns of the link table, in order: one row per candidate (report, coded event) pair.
LINK_COLUMNS = ("report_id", "report_file", "report_row", "event_id", "event_source", "event_file",
                "event_row", "rank", "n_candidates", "gap_days", "country", "place_key",
                "report_location", "event_location", "report_date_start", "report_date_end",
                "event_date_start", "event_date_end", "report_weapon", "event_weapon", "weapon_match")

NOT_COUNTED = "not counted, dedupe='link' counts the coded events only"


def _opt(df: pd.DataFrame, names, n: int) -> pd.Series:
    c = find_column(df.columns, names) if isinstance(names, tuple) else (names if names in df.columns else None)
    if c is None:
        return pd.Series([None] * n, dtype="object")
    return df[c].reset_index(drop=True).astype("object")


def link_reports(events: Sequence[pd.DataFrame], reports: Sequence[pd.DataFrame], *, window_days: int = 1,
                 match_weapon: bool = True, aliases: Mapping[str, str] | None = None,
                 event_labels: Sequence[str] | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Link the rows of report collections to the rows of coded event datasets.

    Parameters
    ----------
    events : list of pandas.DataFrame
        Coded event datasets (:func:`analysis.io.read_reports` on ACLED or UCDP GED
        exports): ``incident_id`` holds each row's event id.
    reports : list of pandas.DataFrame
        Canonical report collections.
    window_days, match_weapon, aliases
        Matching rules (:func:`analysis.normalize.dedupe`).
    event_labels : list of str, optional
        Name of each event dataset's id (default: its ``attrs["event_id"]``).

    Returns
    -------
    links : pandas.DataFrame
        Columns :data:`LINK_COLUMNS`, one row per candidate pair, sorted by report (input
        order) then ``rank``; ``weapon_match`` is ``"same class"``, ``"unknown"`` (one
        side names no weapon) or ``"not compared"``.
    ledger : pandas.DataFrame
        Ledger rows of the reports, in input order: all ``excluded`` (the link changes no
        count), ``incident_id`` the linked event's id, the reason saying whether and
        why the report was linked.

    Examples
    --------
    >>> import pandas as pd
    >>> day = pd.to_datetime(["2024-01-28"] * 2)
    >>> ev = pd.DataFrame({"report_id": ["JOR1"], "incident_id": ["JOR1"], "country": ["Jordan"],
    ...                    "location": ["Tower 22"], "date_start": day[:1], "date_end": day[:1]})
    >>> rp = pd.DataFrame({"report_id": ["a", "b"], "country": ["Jordan", "Jordan"],
    ...                    "location": ["Tower 22 (Rukban)", "Amman"], "date_start": day, "date_end": day})
    >>> links, lg = link_reports([ev], [rp], event_labels=["ACLED event_id_cnty"])
    >>> links[["report_id", "event_id", "gap_days", "place_key"]].values.tolist()
    [['a', 'JOR1', 0, 'tower 22']]
    >>> lg["status"].tolist(), lg["incident_id"].iloc[0], lg["reason"].iloc[1][:10]
    (['excluded', 'excluded'], 'JOR1', 'not linked')
    """
    from .dedupe import _candidate_pairs, _day_numbers

    if not isinstance(window_days, (int, np.integer)) or isinstance(window_days, bool) or window_days < 0:
        raise ValueError(f"window_days must be a non-negative integer, not {window_days!r}")
    labels = list(event_labels) if event_labels is not None else [f.attrs.get("event_id") or "event id"
                                                                   for f in events]
    ev = pd.concat([f.assign(_src=lab) for f, lab in zip(events, labels)], ignore_index=True)
    rp = pd.concat(list(reports), ignore_index=True)
    ne, nr = len(ev), len(rp)
    both = pd.concat([ev, rp], ignore_index=True)
    n = ne + nr
    is_ev = np.r_[np.ones(ne, bool), np.zeros(nr, bool)]
    s, s_na = _day_numbers(both["date_start"])
    e, e_na = _day_numbers(both["date_end"])
    e = np.where(e_na & ~s_na, s, e)
    s = np.where(s_na & ~e_na, e, s)
    dated = ~(s_na & e_na)
    country = _opt(both, "country", n)
    ccode, _ = pd.factorize(country.astype("str").str.strip().str.lower())
    kcode, kuniq = _key_codes(_opt(both, "location", n), aliases=aliases)
    keys = kuniq[kcode]
    coarse = coarse_places(keys, country, admin1=_opt(both, ADMIN1_COLUMNS, n),
                           where_prec=(_opt(both, WHERE_PREC_COLUMNS, n)
                                       if find_column(both.columns, WHERE_PREC_COLUMNS) else None),
                           geo_precision=(_opt(both, GEO_PRECISION_COLUMNS, n)
                                          if find_column(both.columns, GEO_PRECISION_COLUMNS) else None))
    wmask, wnames = weapon_classes(_opt(both, "weapon", n))
    wm = wmask if match_weapon else np.zeros(n, np.int64)
    cand = np.flatnonzero(dated & (keys != "") & (ccode >= 0) & ~coarse)
    block = ccode[cand] * len(kuniq) + kcode[cand]
    li, lj = _candidate_pairs(block, s[cand], e[cand], int(window_days))
    pi, pj = cand[li], cand[lj]
    cross = is_ev[pi] != is_ev[pj]
    pi, pj = pi[cross], pj[cross]
    # report side first
    r_i = np.where(is_ev[pi], pj, pi)
    e_i = np.where(is_ev[pi], pi, pj)
    ok = compatible(wm[r_i], wm[e_i])
    attrs = [attribute_codes(both[c]) for c in (find_column(both.columns, x) for x in
                                               (EVENT_TYPE_COLUMNS, VIOLENCE_COLUMNS, SECOND_ACTOR_COLUMNS))
             if c is not None]
    ok &= attributes_compatible(attrs, r_i, e_i)
    r_i, e_i = r_i[ok], e_i[ok]
    gap = np.maximum(0, np.maximum(s[e_i] - e[r_i], s[r_i] - e[e_i]))
    shared = (wm[r_i] & wm[e_i]) != 0
    eid = both["incident_id"].astype("str").to_numpy(object)[e_i]
    pairs = pd.DataFrame({"r": r_i, "e": e_i, "gap": gap, "unk": ~shared,
                          "dstart": np.abs(s[e_i] - s[r_i]), "eid": pd.Series(eid, dtype="str")})
    pairs = pairs.sort_values(["r", "gap", "unk", "dstart", "eid"], kind="stable").reset_index(drop=True)
    pairs["rank"] = pairs.groupby("r").cumcount() + 1
    pairs["n"] = pairs.groupby("r")["r"].transform("size")
    r, ee = pairs["r"].to_numpy(np.int64), pairs["e"].to_numpy(np.int64)

    def col(name, idx):
        return _opt(both, name, n).to_numpy(object)[idx]

    def day(x, idx):
        return pd.Series(x[idx].astype("datetime64[D]").astype("datetime64[ns]"))

    labels_w = weapon_label(wmask, wnames)
    links = pd.DataFrame({
        "report_id": pd.Series(col("report_id", r), dtype="str"),
        "report_file": pd.Series(col("_file", r), dtype="str"),
        "report_row": pd.array(pd.to_numeric(pd.Series(col("_row", r)), errors="coerce"), dtype="Int64"),
        "event_id": pairs["eid"],
        "event_source": pd.Series(col("_src", ee), dtype="str"),
        "event_file": pd.Series(col("_file", ee), dtype="str"),
        "event_row": pd.array(pd.to_numeric(pd.Series(col("_row", ee)), errors="coerce"), dtype="Int64"),
        "rank": pairs["rank"].astype(np.int64),
        "n_candidates": pairs["n"].astype(np.int64),
        "gap_days": pairs["gap"].astype(np.int64),
        "country": pd.Series(col("country", ee), dtype="str"),
        "place_key": pd.Series(keys[ee], dtype="str"),
        "report_location": pd.Series(col("location", r), dtype="str"),
        "event_location": pd.Series(col("location", ee), dtype="str"),
        "report_date_start": day(s, r), "report_date_end": day(e, r),
        "event_date_start": day(s, ee), "event_date_end": day(e, ee),
        "report_weapon": pd.Series(labels_w[r], dtype="str"),
        "event_weapon": pd.Series(labels_w[ee], dtype="str"),
        "weapon_match": pd.Series(np.where(not match_weapon, "not compared",
                                           np.where(pairs["unk"].to_numpy(bool), "unknown", "same class")),
                                  dtype="str"),
    }, columns=list(LINK_COLUMNS))

    # ledger of the reports: excluded from the count, linked or not
    best = pairs[pairs["rank"] == 1]
    linked_to = np.full(nr, None, dtype=object)
    linked_to[best["r"].to_numpy(np.int64) - ne] = best["eid"].to_numpy(object)
    src = np.full(nr, None, dtype=object)
    src[best["r"].to_numpy(np.int64) - ne] = both["_src"].to_numpy(object)[best["e"].to_numpy(np.int64)]
    kinds = pd.Series(np.asarray(labels, object)).tolist()
    how = (f"same country and place, dates within {window_days} day{'s' if window_days != 1 else ''}"
           + (", compatible weapon" if match_weapon else ""))
    reason = np.empty(nr, dtype=object)
    for k in range(nr):
        if linked_to[k] is not None:
            reason[k] = f"linked to a coded event: {src[k]} {linked_to[k]} ({how}); {NOT_COUNTED}"
        elif not dated[ne + k]:
            reason[k] = f"not linked: the report gives no date; {NOT_COUNTED}"
        else:
            reason[k] = (f"not linked: no coded event ({', '.join(dict.fromkeys(kinds))}) matches ({how}); "
                         f"{NOT_COUNTED}")
    ledger = ledger_frame(file=_opt(rp, "_file", nr), row=_opt(rp, "_row", nr), table="reports",
                          record_id=rp["report_id"].astype("str").str.strip(), status="excluded",
                          incident_id=linked_to, reason=reason, n=nr)
    return links, ledger
