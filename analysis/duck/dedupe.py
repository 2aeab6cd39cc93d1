"""Dedupe for the DuckDB engine: the rules of :func:`analysis.normalize.dedupe`, exactly.

Strings stay in DuckDB; only compact integer columns of the rows that can match at all
(dated rows with a place key whose (country, place) block holds two or more reports)
come out to NumPy, where the candidate pairs and connected components are found by the
very functions the pandas engine uses. Labels (smallest ``report_id`` of a component,
or the explicit ``incident_id``), founders, statuses, reasons and the incident table
are then computed in SQL with the same ordering rules (DuckDB compares text by code
point, as NumPy does).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..normalize.dedupe import _candidate_pairs
from ..normalize.match import (ADMIN1_COLUMNS, EVENT_TYPE_COLUMNS, GEO_PRECISION_COLUMNS,
                               SECOND_ACTOR_COLUMNS, VIOLENCE_COLUMNS, WHERE_PREC_COLUMNS,
                               attribute_codes, attributes_compatible, coarse_places,
                               complete_linkage, find_column, match_order)
from ..schema import InputError

__all__ = ["dedupe_sql"]

_NO_DATE = "no date: the report gives no date and no explicit incident with a date"


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _match_reason(window_days: int, match_weapon: bool) -> str:
    return ("matched: same place, dates within "
            f"{window_days} day{'s' if window_days != 1 else ''}"
            + (", compatible weapon" if match_weapon else ""))


def _rep_columns(con) -> list[str]:
    return [d[0] for d in con.sql("DESCRIBE rep").fetchall()]


def _graph(con, window_days: int, match_weapon: bool, coded_files=()) -> None:
    """Create ``comp``: (idx, cid, target, also) for rows in multi-row incidents or
    attached to explicit ones (:func:`analysis.normalize.match.complete_linkage`)."""
    cols = _rep_columns(con)
    attr_cols = [c for c in (find_column(cols, EVENT_TYPE_COLUMNS), find_column(cols, VIOLENCE_COLUMNS),
                             find_column(cols, SECOND_ACTOR_COLUMNS)) if c is not None]
    coarse_cols = {k: find_column(cols, names) for k, names in
                   (("admin1", ADMIN1_COLUMNS), ("where_prec", WHERE_PREC_COLUMNS),
                    ("geo_precision", GEO_PRECISION_COLUMNS))}
    coded = (f"r.file_no IN ({', '.join(str(int(k)) for k in coded_files)})" if coded_files else "false")
    extra = "".join(f", CAST(r.{_q(c)} AS VARCHAR) AS {_q('a_' + c)}" for c in attr_cols)
    extra += "".join(f", CAST(r.{_q(c)} AS VARCHAR) AS {_q('c_' + k)}" for k, c in coarse_cols.items() if c)
    # blocks (same country and place key) with two or more reports: grouped on a 64-bit
    # hash first (cheap), then numbered exactly on the few rows that remain
    rows = con.execute(f"""
        WITH c AS MATERIALIZED (SELECT idx, ckey, lkey, hash(ckey, lkey) AS h, s, e, wmask, eid
                                FROM lk WHERE s IS NOT NULL AND lkey <> ''),
             hb AS (SELECT h FROM c GROUP BY h HAVING count(*) > 1),
             cc AS MATERIALIZED (SELECT c.* FROM c SEMI JOIN hb USING (h)),
             er AS (SELECT eid, dense_rank() OVER (ORDER BY eid) AS erank
                    FROM (SELECT DISTINCT eid FROM cc WHERE eid IS NOT NULL))
        SELECT cc.idx, dense_rank() OVER (ORDER BY cc.h, cc.ckey, cc.lkey) AS blk, cc.s, cc.e,
               cc.wmask, cc.eid IS NOT NULL AS explicit, er.erank, cc.lkey, r.country,
               dense_rank() OVER (ORDER BY r.report_id) AS rrank, r.actor AS a_actor, {coded} AS coded{extra}
        FROM cc LEFT JOIN er USING (eid) JOIN rep r USING (idx)""").df()
    con.execute("CREATE OR REPLACE TEMP TABLE comp (idx BIGINT, cid BIGINT, target BIGINT, also BIGINT)")
    # coarse places (country or region level) never match on place alone
    coarse = coarse_places(rows["lkey"].to_numpy(object), rows["country"].to_numpy(object),
                           **{k: rows[f"c_{k}"].to_numpy(object) for k, c in coarse_cols.items() if c})
    rows = rows[~coarse].reset_index(drop=True)
    idx = rows["idx"].to_numpy(np.int64)
    m = len(idx)
    if m < 2:
        return
    blk = rows["blk"].to_numpy(np.int64)
    s = rows["s"].to_numpy(np.int64)
    e = rows["e"].to_numpy(np.int64)
    wmask = rows["wmask"].to_numpy(np.int64) if match_weapon else np.zeros(m, np.int64)
    explicit = rows["explicit"].to_numpy(bool)
    erank = np.where(explicit, rows["erank"].fillna(-1).to_numpy(float), -1).astype(np.int64)
    attrs = [attribute_codes(rows[f"a_{c}"]) for c in attr_cols]
    is_coded = rows["coded"].to_numpy(bool)
    if is_coded.any():
        attrs.append(np.where(is_coded, attribute_codes(rows["a_actor"]), -1))
    pi, pj = _candidate_pairs(blk, s, e, int(window_days))
    ok = attributes_compatible(attrs, pi, pj)
    pi, pj = pi[ok], pj[ok]
    rank = match_order(s, e, wmask, rows["rrank"].to_numpy(np.int64))
    comp, target, n_qual = complete_linkage(m, pi, pj, blk, rank, np.where(explicit, erank, -1), wmask)
    # the target explicit id is carried as the position (idx) of one of its rows
    rep_idx = np.full(erank.max() + 2 if m else 1, -1, np.int64)
    rep_idx[erank[explicit]] = idx[explicit]
    target = np.where(target >= 0, rep_idx[np.maximum(target, 0)], -1)
    free = ~explicit
    size = np.bincount(np.where(free, comp, 0), weights=free.astype(float),
                       minlength=int(comp.max()) + 1 if m else 1)
    keep = free & ((size[np.maximum(comp, 0)] > 1) | (target >= 0))
    frame = pd.DataFrame({"idx": idx[keep], "cid": comp[keep].astype(np.int64),
                          "target": target[keep], "also": n_qual[keep]})
    con.register("_comp_frame", frame)
    con.execute("INSERT INTO comp SELECT * FROM _comp_frame")
    con.unregister("_comp_frame")


def dedupe_sql(con, *, window_days: int = 1, match_weapon: bool = True, coded_files=()) -> None:
    """Create ``rest``, ``lab1`` and ``inc1``: the reports that are not incidents of their own.

    A dated report without explicit id, in no multi-report component, whose id is no
    other row's label, is an incident of its own: counted, founder, labelled with its
    ``report_id`` (most rows of a large file). ``rest`` lists the other rows (idx);
    ``lab1`` gives each of them: idx, label (NULL when excluded), dated, s, e, founder,
    founder_idx, status, reason; ``inc1`` their incidents: incident_id, s, e (inclusive
    day numbers), n_reports, founder_idx, date_conflict, wm (OR of weapon masks).
    """
    if not isinstance(window_days, (int, np.integer)) or isinstance(window_days, bool) or window_days < 0:
        raise ValueError(f"window_days must be a non-negative integer, not {window_days!r}")
    _graph(con, window_days, match_weapon, coded_files)
    reason = _match_reason(int(window_days), bool(match_weapon))
    # Fast path: a dated report without explicit id, outside every multi-row component,
    # whose report_id is no other row's label, is an incident of its own (the founder).
    con.execute("""CREATE OR REPLACE TEMP TABLE cmin AS
        SELECT c.cid, min(k.report_id) AS m FROM comp c JOIN keyed k USING (idx) GROUP BY c.cid""")
    con.execute("""CREATE OR REPLACE TEMP TABLE used AS
        SELECT DISTINCT lbl FROM (SELECT eid AS lbl FROM keyed WHERE eid IS NOT NULL
                                  UNION ALL SELECT m FROM cmin)""")
    con.execute("""CREATE OR REPLACE TEMP TABLE rest AS
        SELECT k.idx FROM keyed k LEFT JOIN comp c USING (idx)
        WHERE c.idx IS NOT NULL OR k.eid IS NOT NULL OR k.s IS NULL
           OR k.report_id IN (SELECT lbl FROM used)""")
    # labels of the other rows: explicit id; else attached explicit id; else the component's
    # smallest report_id
    con.execute(f"""CREATE OR REPLACE TEMP TABLE lab0 AS
        WITH k AS (SELECT k.idx, k.report_id, k.eid, k.s, k.e, k.s IS NOT NULL AS dated,
                          c.cid, c.target, c.also
                   FROM rest r JOIN keyed k USING (idx) LEFT JOIN comp c USING (idx))
        SELECT k.idx, k.report_id, k.eid, k.s, k.e, k.dated, k.also,
               CASE WHEN k.eid IS NOT NULL THEN k.eid
                    WHEN NOT k.dated THEN NULL
                    WHEN k.target >= 0 THEN t.eid
                    WHEN k.cid IS NOT NULL THEN cm.m
                    ELSE k.report_id END AS label0,
               k.target >= 0 AND k.also > 1 AS multi
        FROM k LEFT JOIN (SELECT idx, eid FROM keyed WHERE eid IS NOT NULL) t ON k.target = t.idx
               LEFT JOIN cmin cm ON cm.cid = k.cid""")
    # undated rows: merged into an explicit incident that has a dated report, else excluded
    con.execute(f"""CREATE OR REPLACE TEMP TABLE lab1 AS
        WITH dl AS (SELECT DISTINCT label0 FROM lab0 WHERE dated AND label0 IS NOT NULL),
             l AS (SELECT l.*, CASE WHEN l.dated OR dl.label0 IS NOT NULL THEN l.label0 END AS label
                   FROM lab0 l LEFT JOIN dl ON NOT l.dated AND l.eid = dl.label0),
             f AS (SELECT *, row_number() OVER (PARTITION BY label ORDER BY (NOT dated), report_id) = 1
                             AND label IS NOT NULL AS founder FROM l),
             fi AS (SELECT label, idx AS founder_idx FROM f WHERE founder)
        SELECT f.idx, f.label, f.dated, f.s, f.e, f.founder, fi.founder_idx,
               CASE WHEN f.label IS NULL THEN 'excluded' WHEN f.founder THEN 'counted' ELSE 'merged' END AS status,
               CASE WHEN f.label IS NULL THEN {_lit(_NO_DATE)}
                    WHEN f.founder THEN NULL
                    WHEN NOT f.dated THEN 'same incident_id (report has no date)'
                    WHEN f.eid IS NOT NULL THEN 'same incident_id'
                    WHEN f.multi THEN 'matched: joined explicit incident ' || f.label || ' (also matched '
                                    || CAST(f.also - 1 AS VARCHAR) || ' other explicit incident(s))'
                    ELSE {_lit(reason)} END AS reason
        FROM f LEFT JOIN fi USING (label)""")
    con.execute("""CREATE OR REPLACE TEMP TABLE inc1 AS
        SELECT incident_id,
               CASE WHEN max_s <= min_e THEN max_s ELSE min_s END AS s,
               CASE WHEN max_s <= min_e THEN min_e ELSE max_e END AS e,
               n_reports, founder_idx, max_s > min_e AS date_conflict, wm FROM (
            SELECT l.label AS incident_id, max(l.s) AS max_s, min(l.e) AS min_e, min(l.s) AS min_s,
                   max(l.e) AS max_e, count(*) AS n_reports, max(l.founder_idx) AS founder_idx,
                   bit_or(k.wmask) AS wm
            FROM lab1 l JOIN keyed k USING (idx) WHERE l.label IS NOT NULL GROUP BY l.label)""")
    for t in ("comp", "cmin", "used", "lab0"):
        con.execute(f"DROP TABLE {t}")
    bad = con.execute("SELECT count(*) FROM inc1 WHERE s IS NULL").fetchall()[0][0]
    if bad:  # pragma: no cover - every label has a dated report by construction
        raise InputError("internal: an incident without a dated report")
