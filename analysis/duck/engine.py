"""``normalize_duckdb``: report files of any size to a CountSeries and a ledger with DuckDB.

The same rules as :func:`analysis.normalize.normalize` for reports (tallies are small:
use the pandas engine for them), computed by an embedded DuckDB database that spills
to a temporary directory when the data do not fit in memory:

1. read (:mod:`analysis.duck.read`): only the columns used, checked as the readers do;
2. keys (:mod:`analysis.duck.keys`): place keys in SQL, weapon classes on distinct texts;
3. dedupe (:mod:`analysis.duck.dedupe`): candidate pairs and components on compact
   integer arrays with the pandas engine's own functions; labels, statuses and reasons
   in SQL;
4. window and binning: the window rules of :func:`analysis.normalize.normalize` in SQL,
   then the allocation functions of :mod:`analysis.normalize.dates` on the counted
   incidents in ``incident_id`` order (the order the pandas engine sums in).

Both engines give identical series and ledgers; ``tests/test_engines.py`` checks it on
a seeded 200,000-row ACLED-shaped file with duplicates and imprecise dates.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from ..normalize.bins import _check_args, allocate_counts, bin_edges, binned_frame, parse_window
from ..normalize.keys import weapon_label
from ..normalize.ledger import Ledger
from ..normalize.match import MATCH_COLUMNS
from ..normalize.pipeline import DEDUPE_MODES, MEASURES, NormalizeResult, own_event_reasons
from ..schema import LEDGER_COLUMNS, InputError
from ..series import CountSeries
from .dedupe import dedupe_sql
from .keys import add_keys
from .read import WHITESPACE, load_reports

__all__ = ["normalize_duckdb", "normalize_engine", "choose_engine", "AUTO_DUCKDB_BYTES", "ENGINES"]

ENGINES = ("pandas", "duckdb", "auto")
#: ``engine="auto"`` uses DuckDB when the input files hold more than this many bytes
#: (256 MiB: about 2 million ACLED rows as CSV, where the pandas engine's peak memory
#: passes a few GiB).
AUTO_DUCKDB_BYTES = 256 * 2**20
#: DuckDB's memory limit unless ``memory_limit`` says otherwise; beyond it DuckDB spills
#: to its temporary directory. The ledger and the arrays handed to NumPy come on top.
DEFAULT_MEMORY_LIMIT = "2GB"
#: DuckDB's memory limit while the ledger (one row per input row) is handed to pandas.
LEDGER_MEMORY_LIMIT = "1GB"
_INCIDENT_COLS = ("country", "location", "location_key", "weapon", "actor")


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _paths(paths) -> list[str]:
    if isinstance(paths, (str, os.PathLike)):
        return [os.fspath(paths)]
    return [os.fspath(p) for p in paths]


def choose_engine(paths, engine: str = "auto") -> str:
    """``"pandas"`` or ``"duckdb"``: ``auto`` picks DuckDB above :data:`AUTO_DUCKDB_BYTES`.

    Examples
    --------
    >>> from analysis.datasets import data_path
    >>> choose_engine([data_path("synthetic/acled_sample.csv")]), choose_engine([data_path("reports.csv")], "duckdb")
    ('pandas', 'duckdb')
    """
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {', '.join(repr(e) for e in ENGINES)}; got {engine!r}")
    if engine != "auto":
        return engine
    size = sum(os.path.getsize(p) for p in _paths(paths) if os.path.isfile(p))
    return "duckdb" if size > AUTO_DUCKDB_BYTES else "pandas"


def resolve_groups(groups: Sequence[str], columns: Sequence[str]) -> tuple[str, ...]:
    """Group names as incident columns: ``admin1`` becomes ``x_admin1`` when that exists.

    Examples
    --------
    >>> resolve_groups(["admin1", "country"], ["country", "x_admin1"])
    ('x_admin1', 'country')
    """
    groups = (groups,) if isinstance(groups, str) else tuple(groups)
    out = []
    for g in groups:
        if g in columns or g in _INCIDENT_COLS:
            out.append(g)
        elif f"x_{g}" in columns:
            out.append(f"x_{g}")
        else:
            out.append(g)
    return tuple(out)


def normalize_engine(paths, *, engine: str = "auto", input_format: str = "auto", freq: str = "W",
                     groups: Sequence[str] = (), allocate: str = "start", window=None,
                     window_days: int = 1, match_weapon: bool = True, aliases=None,
                     dedupe: str = "auto", measure: str = "incidents", **duck_options) -> tuple:
    """Normalise report files with the chosen engine; return ``(NormalizeResult, engine)``.

    Group names may omit the ``x_`` prefix of carried-through columns (``admin1``).

    Examples
    --------
    >>> from analysis.datasets import data_path
    >>> res, used = normalize_engine([data_path("synthetic/acled_sample.csv")], engine="auto", freq="M")
    >>> used, res.series.total                   # a small file: the pandas engine
    ('pandas', 221.0)
    """
    used = choose_engine(paths, engine) if dedupe != "link" or engine == "duckdb" else "pandas"
    if used == "duckdb":
        res = normalize_duckdb(paths, input_format=input_format, freq=freq, groups=groups,
                               allocate=allocate, window=window, window_days=window_days,
                               match_weapon=match_weapon, aliases=aliases, dedupe=dedupe,
                               measure=measure, **duck_options)
        return res, used
    from ..io import read_reports
    from ..normalize import normalize

    reports = read_reports(_paths(paths) if len(_paths(paths)) > 1 else _paths(paths)[0],
                           format=input_format)
    groups = resolve_groups(groups, reports.columns)
    res = normalize(reports, freq=freq, groups=groups, allocate=allocate, window=window,
                    dedupe=dedupe, window_days=window_days, match_weapon=match_weapon,
                    aliases=aliases, measure=measure)
    return res, used


def _connect(threads, memory_limit, temp_directory):
    import duckdb

    con = duckdb.connect(":memory:")
    con.execute("SET preserve_insertion_order = true")
    con.execute("SET enable_progress_bar = false")  # stdout belongs to the caller (--format json)
    con.execute("SET arrow_large_buffer_size = true")  # large_string: zero-copy into pandas "str"
    con.execute(f"SET temp_directory = {_lit(temp_directory)}")
    if threads is not None:
        con.execute(f"SET threads = {int(threads)}")
    con.execute(f"SET memory_limit = {_lit(str(memory_limit or DEFAULT_MEMORY_LIMIT))}")
    return con


def _group_exprs(groups, x_columns) -> list[str]:
    """SQL for each group value of an incident (from its founding report, as text)."""
    ws = _lit(WHITESPACE)
    exprs = []
    for g in groups:
        if g == "country":
            e = "k.country"
        elif g in ("location", "actor"):
            e = f"trim(k.{g}, {ws})"
        elif g == "location_key":  # keyed is then a table holding lkey
            e = "k.lkey"
        elif g == "weapon":  # filled from the incident's weapon classes afterwards
            e = "NULL::VARCHAR"
        elif g in x_columns:
            e = f"CAST(k.{_q(g)} AS VARCHAR)"
        else:
            avail = sorted(set(_INCIDENT_COLS) | set(x_columns))
            raise InputError(f"group column {g!r} is not an incident column; available: {avail}",
                             column=g)
        exprs.append(f"coalesce(nullif({e}, ''), 'unknown') AS {_q(g)}")
    return exprs


def normalize_duckdb(paths, *, input_format: str = "auto", freq: str = "W",
                     groups: Sequence[str] = (), allocate: str = "start", window=None,
                     window_days: int = 1, match_weapon: bool = True, dedupe: str = "auto",
                     aliases: Mapping[str, str] | None = None, incidents: bool = True,
                     threads: int | None = None, memory_limit: str | None = None,
                     temp_directory: str | None = None, measure: str = "incidents") -> NormalizeResult:
    """Normalise report files (CSV or Parquet, canonical or ACLED) with DuckDB.

    Parameters
    ----------
    paths : str, os.PathLike or list of these
        Report files; rows are numbered per file as a spreadsheet does.
    input_format : {"auto", "canonical", "acled", "ucdp"}
        ``auto`` tells the format from the header.
    freq, groups, allocate, window
        As :func:`analysis.normalize.normalize` (``allocate="impute"`` is refused: use
        the pandas engine, whose seeded draws it would have to replay). Group names may
        omit the ``x_`` prefix (``admin1`` for ``x_admin1``).
    window_days, match_weapon, aliases
        Matching rules of :func:`analysis.normalize.dedupe`.
    dedupe : {"auto", "off", "reports"}, default "auto"
        As :func:`analysis.normalize.normalize`: ACLED and UCDP GED rows are their own
        incidents unless ``"reports"``. ``"link"`` is refused: it runs on the pandas engine.
    measure : {"incidents", "fatalities"}, default "incidents"
        As :func:`analysis.normalize.normalize` (the same series, band and ledger column).
    incidents : bool, default True
        Return the incident table (``incident_id, date_start, date_end, n_reports,
        date_conflict, counted``); False saves memory on very large inputs.
    threads, memory_limit, temp_directory
        DuckDB settings (default: all cores, :data:`DEFAULT_MEMORY_LIMIT`, a fresh
        temporary directory removed afterwards).

    Returns
    -------
    analysis.normalize.NormalizeResult
        ``series`` and ``ledger`` equal to the pandas engine's; ``variants`` and
        ``tallies`` are None; ``incidents`` holds the columns listed above.

    Raises
    ------
    InputError
        Bad data, naming file, row and column (see :mod:`analysis.duck.read`).
    ValueError
        Bad arguments, or ``allocate="impute"``.

    Examples
    --------
    >>> from analysis.datasets import data_path
    >>> res = normalize_duckdb(data_path("synthetic/acled_sample.csv"), freq="M")
    >>> res.series.n, res.series.total
    (13, 221.0)
    """
    _check_args(freq, allocate, 20)
    if dedupe not in DEDUPE_MODES:
        raise ValueError(f"dedupe must be one of {', '.join(map(repr, DEDUPE_MODES))}, got {dedupe!r}")
    if measure not in MEASURES:
        raise ValueError(f"measure must be one of {', '.join(map(repr, MEASURES))}, got {measure!r}")
    if dedupe == "link":
        raise ValueError("dedupe='link' runs on the pandas engine (engine='pandas'): the link table "
                         "holds a row per candidate pair, built in memory")
    if allocate == "impute":
        raise ValueError("allocate='impute' is not available in the duckdb engine (its seeded "
                         "draws are defined on the in-memory table); use engine='pandas', or "
                         "allocate='start' or 'split'")
    groups = (groups,) if isinstance(groups, str) else tuple(groups)
    files = _paths(paths)
    tmp = tempfile.mkdtemp(prefix="incident-trends-duckdb-") if temp_directory is None else temp_directory
    con = _connect(threads, memory_limit, tmp)
    try:
        wanted = tuple(g if g.startswith("x_") or g in _INCIDENT_COLS else f"x_{g}" for g in groups)
        match_x = tuple(c for c in MATCH_COLUMNS if c.startswith("x_") and c not in wanted)
        info = load_reports(con, files, input_format=input_format, extras=wanted + match_x,
                            dedupe=dedupe, measure=measure)
        groups = resolve_groups(groups, info["x_columns"])
        kinfo = add_keys(con, aliases=aliases, match_weapon=match_weapon, keep=groups)
        coded = [k for k, fmt in enumerate(info["formats"]) if fmt in ("acled", "ucdp")]
        dedupe_sql(con, window_days=window_days, match_weapon=match_weapon, coded_files=coded)
        return _finish(con, files, info, kinfo, groups=groups, freq=freq, allocate=allocate,
                       window=window, want_incidents=incidents,
                       params={"freq": freq, "groups": list(groups), "allocate": allocate,
                               "dedupe": dedupe, "window_days": window_days,
                               "match_weapon": match_weapon, "engine": "duckdb", "memory_limit": memory_limit,
                               "measure": measure})
    finally:
        con.close()
        if temp_directory is None:
            shutil.rmtree(tmp, ignore_errors=True)


def _day(ts) -> int:
    return int(np.datetime64(pd.Timestamp(ts).normalize().to_datetime64(), "D").astype(np.int64))


def _finish(con, files, info, kinfo, *, groups, freq, allocate, window, want_incidents, params):
    # incidents, one row per founding report (own-incident reports and multi-report ones)
    gex = _group_exprs(groups, info["x_columns"])
    gsel = (", " + ", ".join(gex)) if gex else ""
    measure = params.get("measure", "incidents")
    fat = measure == "fatalities"
    # the measure: an event's own figure; for matched reports the lowest (as the pandas
    # engine's fatalities_min), the band from the founding row
    vsel = (", CASE WHEN i.incident_id IS NULL THEN CAST(k.fat AS DOUBLE) ELSE mv.fat END AS val, "
            "CAST(k.fat_low AS DOUBLE) AS vlo, CAST(k.fat_high AS DOUBLE) AS vhi") if fat else ""
    vjoin = ("LEFT JOIN (SELECT l2.founder_idx, CAST(min(k2.fat) AS DOUBLE) AS fat FROM lab1 l2 "
             "JOIN keyed k2 USING (idx) WHERE l2.label IS NOT NULL GROUP BY l2.founder_idx) mv "
             "ON mv.founder_idx = k.idx") if fat else ""
    con.execute(f"""CREATE OR REPLACE TEMP TABLE fnd AS
        SELECT k.idx AS founder_idx, coalesce(i.s, k.s) AS s, coalesce(i.e, k.e) AS e,
               coalesce(i.n_reports, 1) AS n_reports, coalesce(i.date_conflict, false) AS date_conflict,
               coalesce(i.wm, k.wmask) AS wm, i.incident_id AS multi_id{gsel}{vsel}
        FROM keyed k LEFT JOIN lab1 l USING (idx) LEFT JOIN inc1 i ON i.founder_idx = k.idx {vjoin}
        WHERE l.idx IS NULL OR l.founder""")
    w_start, w_end = parse_window(window)
    edge_start = w_start is None
    if w_start is None or w_end is None:
        lo, hi = con.execute("SELECT min(s), max(e) FROM fnd").fetchall()[0]
        if lo is None:
            raise ValueError("no coverage window: there are no dated incidents; pass window=(start, end)")
        span = info.get("written_span")  # never wider than the days the files write
        if span is not None and max(lo, span[0]) <= min(hi, span[1]):
            lo, hi = max(lo, span[0]), min(hi, span[1])
        w_start = w_start if w_start is not None else pd.Timestamp(np.datetime64(int(lo), "D"))
        w_end = w_end if w_end is not None else pd.Timestamp(np.datetime64(int(hi), "D"))
    if w_end < w_start:
        raise ValueError(f"window end {w_end.date()} is before its start {w_start.date()}")
    w0, w1 = _day(w_start), _day(w_end) + 1
    counted, clipped = _window_sql(allocate, w0, w1, "f.s", "f.e", edge_start)

    # ---- group codes (combinations over all incidents, sorted as the pandas engine does)
    if "weapon" in groups:
        masks = con.execute("SELECT DISTINCT wm FROM fnd").fetchnumpy()["wm"]
        labels = weapon_label(np.asarray(masks, np.int64), kinfo["weapon_names"])
        con.register("_wlab", pd.DataFrame({"wm": np.asarray(masks, np.int64),
                                            "weapon": labels.astype(str)}))
        con.execute("CREATE OR REPLACE TEMP TABLE fnd AS SELECT f.* EXCLUDE (weapon), "
                    "coalesce(nullif(w.weapon, ''), 'unknown') AS weapon FROM fnd f JOIN _wlab w USING (wm)")
        con.unregister("_wlab")
    gq = ", ".join(_q(g) for g in groups)
    if groups:
        con.execute(f"CREATE OR REPLACE TEMP TABLE combos AS SELECT *, "
                    f"CAST(row_number() OVER (ORDER BY {gq}) - 1 AS BIGINT) AS gcode "
                    f"FROM (SELECT DISTINCT {gq} FROM fnd)")
        combos = con.execute(f"SELECT {gq} FROM combos ORDER BY gcode").df()
        gcol, gjoin = "c.gcode", f"JOIN combos c USING ({gq})"
    else:
        combos, gcol, gjoin = None, "CAST(0 AS BIGINT)", ""
    ng = len(combos) if groups else 1
    vcols = ", f.val, f.vlo, f.vhi, f.founder_idx" if fat else ""
    if allocate == "split" or fat:  # the pandas engine sums in incident_id order
        sel = (f"SELECT f.s, f.e, f.n_reports, {gcol} AS g{vcols} FROM fnd f {gjoin} "
               f"JOIN keyed k ON k.idx = f.founder_idx WHERE {counted} "
               f"ORDER BY coalesce(f.multi_id, k.report_id)")
    else:
        sel = f"SELECT f.s, f.e, f.n_reports, {gcol} AS g FROM fnd f {gjoin} WHERE {counted}"
    arr = con.execute(sel).fetchnumpy()
    value = band = None
    if fat:
        def floats(x):  # DuckDB hands NULLs over as masked values
            return np.ma.filled(np.ma.asarray(x).astype(float), np.nan)

        value = floats(arr["val"])
        miss = np.flatnonzero(np.isnan(value))
        if len(miss):
            raise _missing_fatalities(con, files, info, int(np.asarray(arr["founder_idx"])[miss[0]]))
        lo, hi = floats(arr["vlo"]), floats(arr["vhi"])
        if not (np.isnan(lo).all() and np.isnan(hi).all()):
            band = (np.where(np.isnan(lo), value, lo), np.where(np.isnan(hi), value, hi))
    n_all, n_clipped = con.execute(f"SELECT count(*), count(*) FILTER (WHERE {clipped}) FROM fnd f"
                                   ).fetchall()[0]

    # ---- allocation and binning with the pandas engine's functions
    s = np.asarray(arr["s"], np.int64)
    e = np.asarray(arr["e"], np.int64)
    cs, ce = np.maximum(s, w0), np.minimum(e, w1 - 1)
    cg = np.asarray(arr["g"], np.int64)
    cr = np.asarray(arr["n_reports"], np.int64)
    edges = bin_edges(freq, w0, w1)
    exposure = (np.minimum(edges[1:], w1) - np.maximum(edges[:-1], w0)).astype(float)
    count, nrb, sums = allocate_counts(cs, ce, cg, cr, edges, ng, allocate, value=value, band=band)
    d = binned_frame(edges, exposure, count, nrb, combos=combos, groups=groups)
    if sums is not None:
        d["count_low"], d["count_high"] = sums
    attrs = {"freq": freq, "allocate": allocate, "window": (str(w_start.date()), str(w_end.date())),
             "n_incidents": int(len(s)), "n_clipped": int(n_clipped),
             "n_outside_window": int(n_all - len(s)), "measure": measure}
    series = CountSeries(d, freq=freq, groups=groups, attrs=attrs)
    del arr, s, e, cs, ce, cg, cr
    inc = None
    if want_incidents:
        inc = con.execute(f"""SELECT coalesce(f.multi_id, k.report_id) AS incident_id, f.s, f.e,
                                     f.n_reports, f.date_conflict, {counted} AS counted
                              FROM fnd f JOIN keyed k ON k.idx = f.founder_idx
                              ORDER BY f.s, incident_id""").df()
        inc = pd.DataFrame({
            "incident_id": pd.array(inc["incident_id"].to_numpy(object), dtype="str"),
            "date_start": inc["s"].to_numpy(np.int64).astype("datetime64[D]").astype("datetime64[ns]"),
            "date_end": inc["e"].to_numpy(np.int64).astype("datetime64[D]").astype("datetime64[ns]"),
            "n_reports": inc["n_reports"].to_numpy(np.int64),
            "date_conflict": inc["date_conflict"].to_numpy(bool),
            "counted": inc["counted"].to_numpy(bool),
        })
    # the ledger is as long as the input: make room for it first (DuckDB spills what it
    # still holds; the tables it needs are small apart from the report table)
    if fat:  # what each counted founder adds, for the ledger
        con.execute("CREATE OR REPLACE TEMP TABLE fval AS SELECT founder_idx AS idx, val, "
                    "coalesce(vlo, val) AS vlo, coalesce(vhi, val) AS vhi FROM fnd")
    for t in ("fnd", "combos"):
        con.execute(f"DROP TABLE IF EXISTS {t}")
    if params.get("memory_limit") is None:
        con.execute(f"SET memory_limit = {_lit(LEDGER_MEMORY_LIMIT)}")
    ledger = _ledger(con, files, allocate, w_start, w_end, counted, clipped, edge_start,
                     band=band is not None if fat else None)
    mode = params.get("dedupe", "auto")
    own = {"acled": "ACLED event_id_cnty", "ucdp": "UCDP GED id"}
    names = {f: (own[fmt] if fmt in own and mode != "reports"
                 else "report_id" if mode == "off" else None)
             for f, fmt in zip(files, info["formats"])}
    if any(v is not None for v in names.values()):
        labels = ledger.table["file"].map(names).to_numpy(object)
        ledger = Ledger(own_event_reasons(ledger.table, labels))
    return NormalizeResult(series=series, incidents=inc, variants=None, tallies=None, ledger=ledger,
                           window=(w_start, w_end), params=params)


def _window_sql(allocate: str, w0: int, w1: int, s: str = "s", e: str = "e",
                edge_start: bool = False) -> tuple[str, str]:
    """SQL conditions: the incident is counted; it is counted and clipped to the window
    (:func:`analysis.normalize.dates.in_window`)."""
    if allocate == "start" and edge_start:
        counted = f"({e} >= {w0} AND {s} < {w1})"
        return counted, f"({counted} AND {s} < {w0})"
    if allocate == "start":
        return f"({s} >= {w0} AND {s} < {w1})", "false"
    counted = f"({e} >= {w0} AND {s} < {w1})"
    return counted, f"({counted} AND ({s} < {w0} OR {e} >= {w1}))"


def _in_idx_order(tab):
    """``tab`` sorted by ``idx``: DuckDB's parallel scan returns blocks of consecutive
    ``idx`` out of order, so the blocks are rearranged (zero-copy slices) when they are
    few; otherwise the rows are reordered."""
    import pyarrow as pa

    order = tab.column("idx").to_numpy()
    if len(order) < 2:
        return tab
    down = np.flatnonzero(order[1:] != order[:-1] + 1) + 1
    if not len(down):
        return tab
    starts = np.concatenate(([0], down))
    ends = np.concatenate((down, [len(order)]))
    if len(starts) <= 4096:
        runs = np.argsort(order[starts], kind="stable")
        first, last = order[starts[runs]], order[ends[runs] - 1]
        if np.all(first[1:] > last[:-1]):
            return pa.concat_tables([tab.slice(int(starts[r]), int(ends[r] - starts[r])) for r in runs])
    return tab.take(pa.array(np.argsort(order, kind="stable")))


def _missing_fatalities(con, files, info, idx: int) -> InputError:
    """The pandas engine's error for a counted incident without a figure."""
    fmt_of = dict(enumerate(info["formats"]))
    file_no, row, rid = con.execute(f"SELECT file_no, _row, coalesce(eid, report_id) FROM keyed "
                                    f"WHERE idx = {int(idx)}").fetchall()[0]
    column = "best" if fmt_of.get(int(file_no)) == "ucdp" else "fatalities"
    return InputError(f"incident {rid} is counted but no report of it gives a fatalities figure "
                      f"(the {column!r} cell is blank); write 0 where the source reports none, "
                      "or use measure='incidents'", file=files[int(file_no)], row=int(row), column=column)


def _ledger(con, files, allocate, w_start, w_end, counted, clipped, edge_start=False,
            band=None) -> Ledger:
    what = "starts" if allocate == "start" else "lies"
    span = f"{w_start.date()} to {w_end.date()}"
    w0, w1 = _day(w_start), _day(w_end) + 1
    k_in, k_clip = _window_sql(allocate, w0, w1, "k.s", "k.e", edge_start)
    i_in, i_clip = _window_sql(allocate, w0, w1, "i.s", "i.e", edge_start)
    out_reason = f"'outside window: incident ' || label || ' {what} outside {span}'"
    ok = "status0 = 'counted' AND inside"
    fsel = fjoin = ""
    if band is not None:  # measure="fatalities": what each counted row adds to the series
        fsel = f", CASE WHEN {ok} THEN v.val END AS fatalities"
        if band:
            fsel += (f", CASE WHEN {ok} THEN v.vlo END AS fatalities_low"
                     f", CASE WHEN {ok} THEN v.vhi END AS fatalities_high")
        fjoin = " LEFT JOIN fval v ON v.idx = x.idx"
    clip_reason = f"'clipped to window: date interval cut to {span}'"
    # no ORDER BY: with insertion order preserved the scan of ``keyed`` comes in file
    # order; idx is checked below and the rows are reordered only if needed
    tab = con.sql(f"""
        WITH x AS (
          SELECT k.idx, k.file_no, k._row, k.report_id,
                 CASE WHEN l.idx IS NULL THEN k.report_id ELSE l.label END AS label,
                 coalesce(l.status, 'counted') AS status0, l.reason AS reason0,
                 CASE WHEN l.idx IS NULL THEN {k_in} ELSE {i_in} END AS inside,
                 CASE WHEN l.idx IS NULL THEN {k_clip} ELSE {i_clip} END AS clip
          FROM keyed k LEFT JOIN lab1 l USING (idx) LEFT JOIN inc1 i ON i.founder_idx = l.founder_idx)
        SELECT x.idx, file_no, _row AS row, report_id AS record_id,
               CASE WHEN status0 <> 'excluded' AND NOT inside THEN 'excluded' ELSE status0 END AS status,
               label AS incident_id,
               CASE WHEN status0 <> 'excluded' AND NOT inside THEN {out_reason}
                    WHEN status0 = 'counted' AND clip THEN {clip_reason}
                    ELSE reason0 END AS reason{fsel}
        FROM x{fjoin}""").to_arrow_reader(1 << 20)
    import pyarrow as pa
    import pyarrow.compute as pc

    # streamed in batches: DuckDB never holds the whole result beside the Arrow copy
    tab = pa.Table.from_batches(list(tab), schema=tab.schema)

    tab = _in_idx_order(tab)
    n = tab.num_rows
    codes = tab.column("file_no").combine_chunks()
    files_arr = pa.array(list(files), pa.large_string())
    cols = {"file": pd.array(pc.take(files_arr, codes), dtype="str"),
            "row": pd.array(tab.column("row").to_numpy(), dtype="Int64"),
            "table": pd.array(pa.repeat(pa.scalar("reports", pa.large_string()), n), dtype="str")}
    del codes
    for name in ("record_id", "status", "incident_id", "reason"):
        cols[name] = pd.array(tab.column(name), dtype="str")
    extra = [c for c in ("fatalities", "fatalities_low", "fatalities_high") if c in tab.column_names]
    for name in extra:
        cols[name] = pd.array(tab.column(name).to_numpy(), dtype="Float64")
    del tab
    return Ledger(pd.DataFrame(cols, columns=list(LEDGER_COLUMNS) + extra))
