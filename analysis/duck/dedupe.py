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

from ..normalize.dedupe import _candidate_pairs, _components, _explicit_targets
from ..schema import InputError

__all__ = ["dedupe_sql"]

_NO_DATE = "no date: the report gives no date and no explicit incident with a date"


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _match_reason(window_days: int, match_weapon: bool) -> str:
    return ("matched: same place, dates within "
            f"{window_days} day{'s' if window_days != 1 else ''}"
            + (", compatible weapon" if match_weapon else ""))


def _graph(con, window_days: int, match_weapon: bool) -> None:
    """Create ``comp``: (idx, cid, target, also) for rows in multi-row components."""
    # blocks (same country and place key) with two or more reports: grouped on a 64-bit
    # hash first (cheap), then numbered exactly on the few rows that remain
    rows = con.execute("""
        WITH c AS MATERIALIZED (SELECT idx, ckey, lkey, hash(ckey, lkey) AS h, s, e, wmask, eid
                                FROM lk WHERE s IS NOT NULL AND lkey <> ''),
             hb AS (SELECT h FROM c GROUP BY h HAVING count(*) > 1),
             cc AS MATERIALIZED (SELECT c.* FROM c SEMI JOIN hb USING (h)),
             er AS (SELECT eid, dense_rank() OVER (ORDER BY eid) AS erank
                    FROM (SELECT DISTINCT eid FROM cc WHERE eid IS NOT NULL))
        SELECT cc.idx, dense_rank() OVER (ORDER BY cc.h, cc.ckey, cc.lkey) AS blk, cc.s, cc.e,
               cc.wmask, cc.eid IS NOT NULL AS explicit, er.erank
        FROM cc LEFT JOIN er USING (eid)""").fetchnumpy()
    con.execute("CREATE OR REPLACE TEMP TABLE comp (idx BIGINT, cid BIGINT, target BIGINT, also BIGINT)")
    idx = np.asarray(rows["idx"], np.int64)
    m = len(idx)
    if m < 2:
        return
    blk = np.asarray(rows["blk"], np.int64)
    s = np.asarray(rows["s"], np.int64)
    e = np.asarray(rows["e"], np.int64)
    wmask = np.asarray(rows["wmask"], np.int64) if match_weapon else np.zeros(m, np.int64)
    explicit = np.asarray(rows["explicit"], bool)
    erank = np.where(explicit, np.nan_to_num(np.asarray(rows["erank"], float), nan=-1), -1).astype(np.int64)
    pi, pj = _candidate_pairs(blk, s, e, int(window_days))
    ok = ((wmask[pi] & wmask[pj]) != 0) | (wmask[pi] == 0) | (wmask[pj] == 0)
    pi, pj = pi[ok], pj[ok]
    ei, ej = explicit[pi], explicit[pj]
    free = ~ei & ~ej
    comp = _components(m, pi[free], pj[free])
    target = np.full(m, -1, np.int64)
    also = np.zeros(m, np.int64)
    att = ei ^ ej
    if att.any():
        t, n_ids = _explicit_targets(comp, pi[att], pj[att], ei[att], erank)
        tgt = pd.Series(t["id"].to_numpy(), index=t["comp"].to_numpy())
        noid = ~explicit
        hit = noid & np.isin(comp, tgt.index.to_numpy())
        target[hit] = tgt.reindex(comp[hit]).to_numpy()
        also[hit] = n_ids.reindex(comp[hit]).to_numpy()
    # the target explicit id is carried as the position (idx) of one of its rows
    rep_idx = np.full(erank.max() + 2 if m else 1, -1, np.int64)
    rep_idx[erank[explicit]] = idx[explicit]
    target = np.where(target >= 0, rep_idx[np.maximum(target, 0)], -1)
    size = np.bincount(comp, minlength=comp.max() + 1)
    keep = (size[comp] > 1) | (target >= 0)
    frame = pd.DataFrame({"idx": idx[keep], "cid": comp[keep].astype(np.int64),
                          "target": target[keep], "also": also[keep]})
    con.register("_comp_frame", frame)
    con.execute("INSERT INTO comp SELECT * FROM _comp_frame")
    con.unregister("_comp_frame")


def dedupe_sql(con, *, window_days: int = 1, match_weapon: bool = True) -> None:
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
    _graph(con, window_days, match_weapon)
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
