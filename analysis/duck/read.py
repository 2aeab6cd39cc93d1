"""Read report files with DuckDB into a canonical table inside a DuckDB connection.

The table ``rep`` has one row per report, in input order (files in the order given,
rows in file order), with the columns the normalisation needs::

    idx (0-based position), file_no, _row (spreadsheet row: header = 1),
    report_id, eid (explicit incident_id or NULL), s, e (inclusive day numbers,
    days since 1970-01-01; NULL when undated), country, location, actor, weapon,
    source, source_url, and every x_* column

The rules are those of :mod:`analysis.io` (see :func:`analysis.io.read_acled`,
:func:`analysis.io.read_ucdp` and :func:`analysis.io.read_reports`): cells are text trimmed
of surrounding white space, blank cells are missing; ACLED ``event_date`` in the same
forms (ISO, ``23 February 2022``, ``23-02-2022``, ``23/02/2022``; month-first files
refused) and ``time_precision`` 1/2/3 giving the day, the 7 days centred on it or its
calendar month; UCDP GED ``date_start``/``date_end`` (``2009-02-20T00:00:00`` accepted)
taken as the interval, ``date_prec`` 1-5; canonical files take
``date``/``date_start``/``date_end``/``date_precision`` (week, month, season, year) as
:func:`analysis.io.reports.date_interval` does. Checks name file, row and column:
required columns, blank or repeated ids, blank countries, unreadable dates, precisions
outside the closed set, ``date_end`` before ``date_start``, negative or fractional counts.

Only the columns the normalisation uses are read and checked (ids, dates, precision,
country, location, weapon, the requested group columns, the fatality columns for
``measure="fatalities"``); the pandas readers also check every other typed column
(coordinates, ``geo_precision``, ``where_prec``...). Bytes that are not UTF-8 and rows
with the wrong number of fields are reported with DuckDB's own message (which names the
line).
"""

from __future__ import annotations

import os

from ..schema import DATE_PRECISIONS, REPORT_COLUMNS, InputError, check_input_file
from ..io._csv import _normalise_names, _read_header, diagnose_csv
from ..io.reports import detect_format

__all__ = ["load_reports", "WHITESPACE"]

#: Characters trimmed from both ends of every cell (Unicode White_Space, as Arrow's
#: ``utf8_trim_whitespace`` does).
WHITESPACE = ("\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004"
              "\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000")
_PARQUET = (".parquet", ".pq", ".parq")
_ACLED_TEXT = {"country": "country", "location": "location", "actor1": "actor",
               "sub_event_type": "weapon", "source": "source", "notes": "notes"}
_ACLED_REQUIRED = ("event_id_cnty", "event_date", "time_precision", "country")
_ACLED_MAPPED = {"event_id_cnty", "event_date", "time_precision", "fatalities", *_ACLED_TEXT}
_CANON_TEXT = ("incident_id", "country", "location", "actor", "weapon", "source", "source_url",
               "notes")
_COUNT_RE = r"^\+?\d{1,18}(\.0*)?$"
_NUM_RE = r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$"


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _trim(expr: str) -> str:
    ws = _lit(WHITESPACE)
    # trim only cells that start or end with white space (a set-trim of every cell is slow)
    return (f"nullif(CASE WHEN contains({ws}, left({expr}, 1)) OR contains({ws}, right({expr}, 1)) "
            f"THEN trim({expr}, {ws}) ELSE {expr} END, '')")


_ROW_CSV = "CAST(row_number() OVER () + 1 AS BIGINT)"
#: the row number of a CSV row while its table is loaded: filled in afterwards from the
#: table's row ids (see :func:`_run_ordered`)
_ROW_STAGED = "CAST(NULL AS BIGINT)"
_ROW_PARQUET = "CAST(file_row_number + 2 AS BIGINT)"
#: ``buffer_size`` of DuckDB's CSV reader (None: its default, 32 MiB); a file is read in
#: parallel in pieces of about this size, so a smaller value splits a small file too
CSV_BUFFER_BYTES: int | None = None


def _read_error(path: str, exc: Exception) -> InputError:
    """The InputError for a file DuckDB could not read, in the pandas reader's words.

    A CSV is diagnosed by the pandas reader's own streamed pass
    (:func:`analysis.io._csv.diagnose_csv`), which raises the same message (file, row,
    column) for bytes that are not UTF-8, a row with the wrong number of fields or a
    quoting error. What only DuckDB refuses (a row longer than its ``max_line_size``) is
    named by the row DuckDB gives, with the engine that reads it.
    """
    import re

    text = str(exc)
    if not path.lower().endswith(_PARQUET):
        diagnose_csv(path, path)  # raises when the row-by-row pass finds the fault
        m = re.search(r"CSV Error on Line: (\d+)", text)
        row = int(m.group(1)) if m else None
        if "Maximum line size" in text:
            size = re.search(r"Actual Size:\s*(\d+)", text)
            what = f" ({int(size.group(1)):,} bytes)" if size else ""
            return InputError(f"the row is longer{what} than the duckdb engine reads (2,000,000 "
                              "bytes a line); use the pandas engine (--engine pandas) for this file",
                              file=path, row=row)
        lines = [ln.strip() for ln in text.splitlines()[1:]
                 if ln.strip() and not ln.startswith(("Original Line", "  ", "Possible"))]
        why = lines[0] if lines else text.splitlines()[0]
        return InputError(f"cannot read the row: {why}", file=path, row=row)
    return InputError(f"cannot read the file as Parquet: {text.splitlines()[0]}", file=path)


def _no_rows(path: str):
    """DuckDB read no data row: say so only when the file has none (DuckDB skips blank
    lines, which the pandas reader reports as empty rows)."""
    if not path.lower().endswith(_PARQUET):
        diagnose_csv(path, path, blank_rows=True)
    raise InputError("the file has a header but no data rows", file=path, row=2)


def _renumber(exc: InputError, path: str) -> None:
    """DuckDB skips blank lines when it numbers CSV rows, so a row it names after one is off:
    on the error path only, the streamed diagnosis names the first blank row instead (the
    pandas reader refuses blank rows with the same message), else the error stands."""
    if exc.row is None or path.lower().endswith(_PARQUET):
        return
    diagnose_csv(path, path, blank_rows=True)


def _run_ordered(con, sql: str, path: str, table: str) -> None:
    """Run ``CREATE TEMP TABLE {table} AS ...``, whose ``_row`` is :func:`_row_expr` with
    ``staged=True``, so that ``_row`` numbers the rows of ``path``.

    Parquet carries its row numbers. A CSV is read on every thread with no row number
    (an ordered window, ``row_number() OVER ()``, would need one thread, or buffers of
    many GiB for the blocks that arrive out of order); the connection keeps insertion
    order (``preserve_insertion_order``, set by the engine's connection), so the
    table's rows are in file order and its row ids number them: ``_row`` is set from
    them afterwards.
    """
    con.execute(sql)
    if not path.lower().endswith(_PARQUET):
        con.execute(f"UPDATE {table} SET _row = CAST(rowid + 2 AS BIGINT)")


def _row_expr(path: str, staged: bool = False) -> str:
    """SQL of the spreadsheet row number (header = 1) over the source of :func:`_describe`;
    ``staged``: in a table created by :func:`_run_ordered` (a placeholder for CSV)."""
    if path.lower().endswith(_PARQUET):
        return _ROW_PARQUET
    return _ROW_STAGED if staged else _ROW_CSV


def _describe(con, path: str) -> tuple[str, list[tuple[str, str]], bool]:
    """``FROM`` source, ``(name, type)`` of each column, and whether columns are positional.

    A Parquet source carries ``file_row_number`` (not among the columns listed), so row
    numbers need no ordered window there (see :func:`_row_expr`).
    """
    if path.lower().endswith(_PARQUET):
        src = f"read_parquet({_lit(path)})"
    else:
        # the header gives the names (read as the pandas reader reads it: streamed, never
        # truncated, its faults named the same way); every cell is read as text
        header = _read_header(path, path)
        cols = ", ".join(f"{_lit('c' + str(j))}: 'VARCHAR'" for j in range(len(header)))
        buf = "" if CSV_BUFFER_BYTES is None else (
            f", buffer_size={int(CSV_BUFFER_BYTES)}, max_line_size={int(CSV_BUFFER_BYTES) // 2}")
        src = (f"read_csv({_lit(path)}, header=true, delim=',', quote='\"', escape='\"', "
               f"columns={{{cols}}}, auto_detect=false, null_padding=false, "
               f"strict_mode=true{buf})")
        return src, [(h, "VARCHAR") for h in header], True
    try:
        desc = con.sql(f"DESCRIBE SELECT * FROM {src}").fetchall()
    except Exception as exc:  # duckdb.Error
        raise InputError(f"cannot read the file as Parquet: {str(exc).splitlines()[0]}",
                         file=path) from None
    return f"read_parquet({_lit(path)}, file_row_number=true)", [(d[0], d[1]) for d in desc], False


def _as_text(col: str, dtype: str) -> str:
    """SQL turning a typed Parquet column into the text a spreadsheet would show."""
    c = _q(col)
    t = dtype.upper()
    if t in ("VARCHAR",) or t.startswith("VARCHAR"):
        return c
    if t == "DATE":
        return f"strftime({c}, '%Y-%m-%d')"
    if t.startswith("TIMESTAMP"):
        return (f"CASE WHEN date_trunc('day', {c}) = {c} THEN strftime({c}, '%Y-%m-%d') "
                f"ELSE strftime({c}, '%Y-%m-%dT%H:%M:%S') END")
    if t in ("DOUBLE", "FLOAT", "REAL"):
        return (f"CASE WHEN isfinite({c}) AND floor({c}) = {c} THEN CAST(CAST({c} AS BIGINT) AS VARCHAR) "
                f"ELSE CAST({c} AS VARCHAR) END")
    return f"CAST({c} AS VARCHAR)"


def _first_bad(con, table: str, cond: str) -> int | None:
    got = con.execute(f"SELECT min(_row) FROM {table} WHERE {cond}").fetchall()[0][0]
    return None if got is None else int(got)


def _cell(con, table: str, row: int, col: str):
    return con.execute(f"SELECT {_q(col)} FROM {table} WHERE _row = {row}").fetchall()[0][0]


def _iso_sql(c: str) -> str:
    return (f"CASE WHEN regexp_full_match({c}, '\\d{{4}}-\\d{{2}}-\\d{{2}}') "
            f"THEN try_strptime({c}, '%Y-%m-%d')::DATE END")


_NEEDED = {
    "acled": ("event_id_cnty", "event_date", "time_precision", "country", "location", "actor1",
              "sub_event_type", "source", "fatalities", "latitude", "longitude"),
    "canonical": ("report_id", "incident_id", "date", "date_start", "date_end", "date_precision",
                  "country", "location", "actor", "weapon", "source", "source_url",
                  "projectiles", "fatalities", "injuries"),
}


def _stage_file(con, path: str, file_no: int, fmt: str, extras=()) -> tuple[str, int, list[str], list[str]]:
    """Load one file into ``raw{file_no}`` (trimmed text + _row).

    Only the columns the normalisation reads or validates are kept, plus the extra
    (``x_*``) columns named in ``extras``. Returns ``(format, rows, header names,
    kept names)``.
    """
    check_input_file(path, empty_ok=False)
    src, cols, positional = _describe(con, path)
    names = _normalise_names([c for c, _ in cols], path)
    if fmt == "auto":
        fmt = detect_format(names)
        if fmt is None:
            raise InputError(
                "cannot tell the format from the header: expected 'report_id' (canonical "
                "reports), 'event_id_cnty' (ACLED export) or 'id' and 'date_prec' (UCDP GED "
                "export); pass format='canonical', 'acled' or 'ucdp'", file=path, row=1)
    want = set(_NEEDED[fmt]) | {x for x in extras} | {x[2:] for x in extras if x.startswith("x_")}
    keep = [j for j, n in enumerate(names) if n in want]
    if positional:
        exprs = [f"{_trim(_q('c' + str(j)))} AS {_q(names[j])}" for j in keep]
    else:
        exprs = [f"{_trim(_as_text(cols[j][0], cols[j][1]))} AS {_q(names[j])}" for j in keep]
    if not exprs:
        exprs = ["NULL::VARCHAR AS _none"]
    table = f"raw{file_no}"
    try:
        _run_ordered(con, f"CREATE TEMP TABLE {table} AS SELECT {', '.join(exprs)}, "
                          f"{_row_expr(path, staged=True)} AS _row FROM {src}", path, table)
    except Exception as exc:  # duckdb.Error: malformed CSV, bad bytes
        raise _read_error(path, exc) from None
    n = con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0]
    if n == 0:
        _no_rows(path)
    kept = [names[j] for j in keep]
    if kept:
        empty = " AND ".join(f"{_q(c)} IS NULL" for c in kept)
        i = _first_bad(con, table, empty)
        if i is not None:
            raise InputError("the row is empty (every cell is blank); delete it", file=path, row=i)
    return fmt, n, names, kept


def _require(names, required, path, table):
    missing = [c for c in required if c not in names]
    if missing:
        listed = ", ".join(repr(m) for m in missing)
        have = ", ".join(repr(c) for c in names)
        raise InputError(f"the header lacks the required column{'s' if len(missing) > 1 else ''} "
                         f"{listed} of a {table} table (the header has {have})",
                         file=path, row=1, column=missing[0])


def _check_blank(con, table, col, path):
    i = _first_bad(con, table, f"{_q(col)} IS NULL")
    if i is not None:
        raise InputError(f"the cell is blank but {col!r} is required", file=path, row=i, column=col)


def _check_unique(con, table, col, path, shown=None):
    c = _q(col)
    n_dup = con.execute(f"SELECT count(*) FROM (SELECT {c} FROM {table} WHERE {c} IS NOT NULL "
                        f"GROUP BY {c} HAVING count(*) > 1)").fetchall()[0][0]
    if not n_dup:
        return
    got = con.execute(f"""SELECT min(_row) FROM (
        SELECT _row, row_number() OVER (PARTITION BY {c} ORDER BY _row) AS k
        FROM {table} WHERE {c} IS NOT NULL) WHERE k > 1""").fetchall()[0][0]
    v = _cell(con, table, got, col)
    first = con.execute(f"SELECT min(_row) FROM {table} WHERE {c} = ?", [v]).fetchall()[0][0]
    raise InputError(f"{v!r} appears twice (also in row {first}); {shown or col!r} must be unique",
                     file=path, row=int(got), column=shown or col)


def _check_counts(con, table, col, path):
    i = _first_bad(con, table, f"{_q(col)} IS NOT NULL AND NOT regexp_full_match({_q(col)}, "
                               f"{_lit(_COUNT_RE[1:-1])})")
    if i is not None:
        v = _cell(con, table, i, col)
        try:
            number = float(v.replace(",", ""))
        except ValueError:
            number = None
        if number is not None and number < 0:
            msg = f"{v!r} is negative; counts must be 0 or more"
        elif number is not None and number == number and number != int(number):
            msg = f"{v!r} is not a whole number; counts must be integers such as 3"
        else:
            msg = (f"cannot read {v!r} as a count; write a whole number such as 3, "
                   "or leave the cell blank if it is unknown")
        raise InputError(msg, file=path, row=i, column=col)


def _check_float(con, table, col, path, limit):
    i = _first_bad(con, table, f"{_q(col)} IS NOT NULL AND NOT regexp_full_match({_q(col)}, "
                               f"{_lit(_NUM_RE[1:-1])})")
    if i is not None:
        raise InputError(f"cannot read {_cell(con, table, i, col)!r} as a number",
                         file=path, row=i, column=col)
    i = _first_bad(con, table, f"abs(CAST({_q(col)} AS DOUBLE)) > {limit}")
    if i is not None:
        raise InputError(f"{_cell(con, table, i, col)!r} is outside [{-limit}, {limit}]",
                         file=path, row=i, column=col)


def _dates(con, table, col, path, extra=()):
    """SQL expression of the day (DATE) of ``col``; raises on the first unreadable cell."""
    c = _q(col)
    expr = _iso_sql(c)
    if extra:
        alts = ", ".join(f"try_strptime({c}, {_lit(f)})::DATE" for f in extra)
        expr = f"coalesce({expr}, CASE WHEN NOT regexp_full_match({c}, '\\d{{4}}-\\d{{2}}-\\d{{2}}') THEN coalesce({alts}) END)"
    i = _first_bad(con, table, f"{c} IS NOT NULL AND ({expr}) IS NULL")
    if i is not None:
        forms = "YYYY-MM-DD (for example 2024-01-28)"
        if extra:
            import pandas as pd
            forms += " or " + " or ".join(pd.Timestamp("2024-01-28").strftime(f) for f in extra)
        raise InputError(f"cannot read {_cell(con, table, i, col)!r} as a date; write it as {forms}",
                         file=path, row=i, column=col)
    return expr


def _interval_sql(anchor: str, prec: str) -> tuple[str, str]:
    """Start and end (DATE) of the period of ``prec`` containing ``anchor``."""
    season0 = (f"(date_trunc('month', {anchor}) - to_months(CAST((month({anchor}) % 12 + 1) % 3 "
               f"AS INTEGER)))::DATE")
    start = (f"CASE {prec} WHEN 'week' THEN date_trunc('week', {anchor})::DATE "
             f"WHEN 'month' THEN date_trunc('month', {anchor})::DATE "
             f"WHEN 'season' THEN {season0} "
             f"WHEN 'year' THEN date_trunc('year', {anchor})::DATE ELSE {anchor} END")
    end = (f"CASE {prec} WHEN 'week' THEN (date_trunc('week', {anchor}) + INTERVAL 6 DAY)::DATE "
           f"WHEN 'month' THEN last_day({anchor}) "
           f"WHEN 'season' THEN (({season0}) + INTERVAL 3 MONTH - INTERVAL 1 DAY)::DATE "
           f"WHEN 'year' THEN (date_trunc('year', {anchor}) + INTERVAL 1 YEAR - INTERVAL 1 DAY)::DATE "
           f"ELSE {anchor} END")
    return start, end


def _day_no(expr: str) -> str:
    return f"CAST(datediff('day', DATE '1970-01-01', {expr}) AS INTEGER)"


def _acled_interval_sql(d: str, p: str) -> tuple[str, str]:
    """Start and end (DATE) of an ACLED event: :func:`analysis.io.acled.acled_interval`
    (the day; the 7 days centred on it; its calendar month)."""
    start = (f"CASE {p} WHEN 'week' THEN ({d} - INTERVAL 3 DAY)::DATE "
             f"WHEN 'month' THEN date_trunc('month', {d})::DATE ELSE {d} END")
    end = (f"CASE {p} WHEN 'week' THEN ({d} + INTERVAL 3 DAY)::DATE "
           f"WHEN 'month' THEN last_day({d}) ELSE {d} END")
    return start, end


def _count_sql(c: str) -> str:
    """A checked count cell (see :func:`_check_counts`) as BIGINT."""
    return f"CAST(regexp_replace({c}, '\\.0*$', '') AS BIGINT)"


def _canonical_select(con, table, header, names, path, measure="incidents") -> tuple[str, str]:
    allowed = [c.name for c in REPORT_COLUMNS]
    _require(header, ("report_id", "country"), path, "reports")
    unknown = [c for c in header if c not in allowed and not c.startswith("x_")]
    if unknown:
        raise InputError(f"unknown column {unknown[0]!r} in a reports table; allowed columns are "
                         f"{', '.join(repr(a) for a in allowed)}; prefix extra columns with 'x_' "
                         "to carry them through", file=path, row=1, column=unknown[0])
    if "date" not in names and "date_start" not in names:
        raise InputError("the header needs a 'date' column, or 'date_start' and 'date_end' "
                         "columns (leave cells blank where a report has no date)",
                         file=path, row=1, column="date")
    if "date_end" in names and "date_start" not in names and "date" not in names:
        raise InputError("'date_end' needs a 'date_start' (or 'date') column beside it",
                         file=path, row=1, column="date_start")
    _check_blank(con, table, "report_id", path)
    _check_unique(con, table, "report_id", path)
    _check_blank(con, table, "country", path)
    date = _dates(con, table, "date", path) if "date" in names else "NULL::DATE"
    d0 = _dates(con, table, "date_start", path) if "date_start" in names else "NULL::DATE"
    d1 = _dates(con, table, "date_end", path) if "date_end" in names else "NULL::DATE"
    if "date_precision" in names:
        ok = ", ".join(_lit(p) for p in DATE_PRECISIONS)
        i = _first_bad(con, table, f"date_precision IS NOT NULL AND lower(date_precision) NOT IN ({ok})")
        if i is not None:
            raise InputError(f"{_cell(con, table, i, 'date_precision')!r} is not an allowed value; "
                             f"use one of {', '.join(repr(p) for p in DATE_PRECISIONS)}",
                             file=path, row=i, column="date_precision")
        prec = "lower(date_precision)"
    else:
        prec = "NULL::VARCHAR"
    for c in ("projectiles", "fatalities", "injuries"):
        if c in names:
            _check_counts(con, table, c, path)
    stage = f"SELECT *, {date} AS dd, {d0} AS d0, {d1} AS d1, {prec} AS p0 FROM {table}"
    i = _first_bad(con, f"({stage})", "d1 IS NOT NULL AND d0 IS NULL AND dd IS NULL")
    if i is not None:
        raise InputError("date_end is given but date_start (and date) are blank", file=path,
                         row=i, column="date_start")
    # precision: given; else inferred from an explicit range; else day for a single date
    n_days = "(datediff('day', d0, d1) + 1)"
    inferred = (f"CASE WHEN {n_days} <= 1 THEN 'day' WHEN {n_days} <= 7 THEN 'week' "
                f"WHEN {n_days} <= 31 THEN 'month' WHEN {n_days} <= 92 THEN 'season' ELSE 'year' END")
    p = (f"CASE WHEN p0 IS NOT NULL THEN p0 WHEN d0 IS NOT NULL AND d1 IS NOT NULL THEN {inferred} "
         f"WHEN coalesce(dd, d0) IS NOT NULL THEN 'day' END")
    stage2 = f"SELECT *, coalesce(dd, d0) AS anchor, {p} AS p FROM ({stage})"
    ps, pe = _interval_sql("anchor", "p")
    stage3 = f"SELECT *, coalesce(d0, {ps}) AS lo, coalesce(d1, {pe}) AS hi FROM ({stage2})"
    col = "date_end" if "date_end" in names else "date_start"
    i = _first_bad(con, f"({stage3})", "hi < lo")
    if i is not None:
        raise InputError("date_end is before date_start", file=path, row=i, column=col)
    i = _first_bad(con, f"({stage3})", "dd IS NOT NULL AND d0 IS NOT NULL AND d1 IS NOT NULL "
                                       "AND (dd < d0 OR dd > d1)")
    if i is not None:
        raise InputError("date is outside the range given by date_start and date_end",
                         file=path, row=i, column="date")
    t = {c: (_q(c) if c in names else "NULL::VARCHAR") for c in _CANON_TEXT}
    extras = [f"{_q(c)}" for c in names if c.startswith("x_")]
    fat = (_count_sql("fatalities") if measure == "fatalities" and "fatalities" in names
           else "NULL::BIGINT")
    extras += [f"{fat} AS fat", "NULL::BIGINT AS fat_low", "NULL::BIGINT AS fat_high"]
    cols = (f"_row, report_id, {t['incident_id']} AS eid, {_day_no('lo')} AS s, {_day_no('hi')} AS e, "
            f"{t['country']} AS country, {t['location']} AS location, {t['actor']} AS actor, "
            f"{t['weapon']} AS weapon, {t['source']} AS source, {t['source_url']} AS source_url")
    return f"SELECT {cols}{''.join(', ' + x for x in extras)} FROM ({stage3})", "canonical"


def _source(con, path):
    """``(FROM source, header names, raw-cell SQL for a name, trimmed-cell SQL for a name)``."""
    src, cols, positional = _describe(con, path)
    header = _normalise_names([c for c, _ in cols], path)
    pos = {n: j for j, n in enumerate(header)}

    def raw(name):
        if name not in pos:
            return "NULL::VARCHAR"
        j = pos[name]
        return _q(f"c{j}") if positional else _as_text(cols[j][0], cols[j][1])

    def text(name):
        return _trim(raw(name)) if name in pos else "NULL::VARCHAR"

    return src, header, pos, raw, text


def _x_select(extras, pos, text, mapped) -> list[str]:
    """SQL of the requested ``x_*`` group columns (trimmed text)."""
    out = []
    for name in extras:
        base = name[2:] if name.startswith("x_") and name not in pos else name
        if base in pos and base not in mapped:
            col = name if name.startswith("x_") else f"x_{name}"
            out.append((col, f"{text(base)} AS {_q(col)}"))
    return out


def _stage(con, sql, path, table):
    try:
        _run_ordered(con, sql, path, table)
    except Exception as exc:  # duckdb.Error: malformed CSV, bad bytes
        raise _read_error(path, exc) from None


def _acled_onepass(con, path: str, file_no: int, extras, measure: str = "incidents") -> tuple[str, int]:
    """Read an ACLED file in one pass into ``part{file_no}``; check it; return (table, rows).

    Only the columns the normalisation uses are read and checked: ids, dates, precision,
    country, location, sub_event_type, the requested ``x_*`` group columns and, for
    ``measure="fatalities"``, ``fatalities``.
    """
    from ..io.acled import _FORMS, _MONTH_FIRST, ACLED_DATE_FORMATS

    src, header, pos, raw, text = _source(con, path)
    _require(header, _ACLED_REQUIRED, path, "ACLED")
    fat = measure == "fatalities" and "fatalities" in pos
    dt = raw("event_date")
    iso = "'\\d{4}-\\d{2}-\\d{2}'"
    dtrim = _trim("t.draw")
    alts = ", ".join(f"try_strptime({dtrim}, {_lit(f)})::DATE" for f in ACLED_DATE_FORMATS)
    mf = _lit(_MONTH_FIRST)
    x_sel = _x_select(extras, pos, text, _ACLED_MAPPED - {"sub_event_type", "actor1"})
    table = f"part{file_no}"
    fat_cols = (", CASE WHEN fat_txt IS NOT NULL AND NOT regexp_full_match(fat_txt, "
                f"{_lit(_COUNT_RE[1:-1])}) THEN true ELSE false END AS bad_fat, "
                f"CASE WHEN regexp_full_match(fat_txt, {_lit(_COUNT_RE[1:-1])}) THEN "
                f"{_count_sql('fat_txt')} END AS fat") if fat else ", NULL::BIGINT AS fat"
    sql = f"""CREATE TEMP TABLE {table} AS
      SELECT _row, report_id, NULL::VARCHAR AS eid, d, p,
             country, location, actor, weapon, NULL::VARCHAR AS source,
             NULL::VARCHAR AS source_url {''.join(', ' + _q(c) for c, _ in x_sel)}{fat_cols},
             NULL::BIGINT AS fat_low, NULL::BIGINT AS fat_high,
             (d IS NULL AND {_trim('draw')} IS NOT NULL) AS bad_date,
             (d IS NULL AND {_trim('draw')} IS NULL) AS no_date,
             (regexp_full_match({_trim('draw')}, {mf}) AND
              TRY_CAST(regexp_extract({_trim("draw")}, {mf}, 2) AS INTEGER) > 12) AS month_first,
             (tp IS NULL) AS no_prec, (tp NOT IN ('1', '2', '3')) AS bad_prec
      FROM (
        SELECT t.*, CASE WHEN regexp_full_match(t.draw, {iso}) THEN try_strptime(t.draw, '%Y-%m-%d')::DATE
                         WHEN regexp_full_match({dtrim}, {iso}) THEN try_strptime({dtrim}, '%Y-%m-%d')::DATE
                         WHEN regexp_full_match({dtrim}, {mf}) AND
                              TRY_CAST(regexp_extract({dtrim}, {mf}, 2) AS INTEGER) > 12 THEN NULL
                         ELSE coalesce({alts}) END AS d,
               CASE t.tp WHEN '2' THEN 'week' WHEN '3' THEN 'month' ELSE 'day' END AS p
        FROM (
          SELECT {_row_expr(path, staged=True)} AS _row,
                 {text('event_id_cnty')} AS report_id, {dt} AS draw,
                 CASE WHEN {raw('time_precision')} IN ('1', '2', '3') THEN {raw('time_precision')}
                      ELSE lower({text('time_precision')}) END AS tp, {text('country')} AS country,
                 {raw('location')} AS location, {text('actor1')} AS actor, {raw('sub_event_type')} AS weapon
                 {''.join(', ' + x for _, x in x_sel)}{', ' + text('fatalities') + ' AS fat_txt' if fat else ''}
          FROM {src}) AS t)"""
    _stage(con, sql, path, table)
    checks = con.execute(f"""SELECT count(*),
        min(_row) FILTER (WHERE report_id IS NULL), min(_row) FILTER (WHERE country IS NULL),
        min(_row) FILTER (WHERE no_date), min(_row) FILTER (WHERE month_first),
        min(_row) FILTER (WHERE bad_date), min(_row) FILTER (WHERE no_prec),
        min(_row) FILTER (WHERE bad_prec) FROM {table}""").fetchall()[0]
    n = int(checks[0])
    if n == 0:
        _no_rows(path)

    def cell(row, name):
        got = con.execute(f"SELECT v FROM (SELECT {_row_expr(path)} AS r, {raw(name)} AS v "
                          f"FROM {src}) WHERE r = {int(row)}").fetchall()
        return got[0][0] if got else None

    for row, col in zip(checks[1:4], ("event_id_cnty", "country", "event_date")):
        if row is not None:
            raise InputError(f"the cell is blank but {col!r} is required", file=path, row=row,
                             column=col)
    if checks[4] is not None:
        v = cell(checks[4], "event_date").strip()
        import re
        month = int(re.match(_MONTH_FIRST, v).group(2))
        raise InputError(f"{v!r} is month-first (there is no month {month}); ACLED writes "
                         f"event_date as {_FORMS}. The file's numeric dates cannot be read "
                         "day-first: re-export it, or convert the column to YYYY-MM-DD",
                         file=path, row=checks[4], column="event_date")
    if checks[5] is not None:
        raise InputError(f"cannot read {cell(checks[5], 'event_date').strip()!r} as a date; write it as "
                         f"{_FORMS}", file=path, row=checks[5], column="event_date")
    if checks[6] is not None:
        raise InputError("the cell is blank but 'time_precision' is required", file=path,
                         row=checks[6], column="time_precision")
    if checks[7] is not None:
        raise InputError(f"{cell(checks[7], 'time_precision').strip()!r} is not an allowed value; "
                         "use one of 1 (day), 2 (week), 3 (month)", file=path, row=checks[7],
                         column="time_precision")
    _check_unique(con, table, "report_id", path, shown="event_id_cnty")
    if fat:
        i = _first_bad(con, table, "bad_fat")
        if i is not None:
            _check_counts(con, f"(SELECT _row, {raw('fatalities')} AS fatalities FROM "
                               f"(SELECT {_row_expr(path)} AS _row, * FROM {src}))", "fatalities", path)
    return table, n


_UCDP_REQUIRED = ("id", "date_start", "date_end", "date_prec", "country")
_UCDP_MAPPED = {"id", "date_start", "date_end", "date_prec", "best", "country",
                "where_coordinates", "source_article"}
_MIDNIGHT_SQL = "'^(\\d{4}-\\d{2}-\\d{2})[ T]00:00(:00(\\.0+)?)?$'"


def _ucdp_onepass(con, path: str, file_no: int, extras, measure: str = "incidents") -> tuple[str, int]:
    """Read a UCDP GED export into ``part{file_no}`` (as :func:`analysis.io.read_ucdp` does:
    ``id``, ``date_start``/``date_end`` taken as the interval, ``date_prec`` 1-5, ``best``
    with ``low``/``high`` for ``measure="fatalities"``); check it; return (table, rows)."""
    src, header, pos, raw, text = _source(con, path)
    _require(header, _UCDP_REQUIRED, path, "UCDP GED")
    fat = measure == "fatalities"
    x_sel = _x_select(extras, pos, text, _UCDP_MAPPED)
    table = f"stage{file_no}"
    cols = ["id", "date_start", "date_end", "date_prec", "country", "where_coordinates", "side_a",
            "source_article"] + (["best", "low", "high"] if fat else [])
    sel = ", ".join(f"{text(c)} AS {_q(c)}" for c in cols)
    _stage(con, f"CREATE TEMP TABLE {table} AS SELECT {_row_expr(path, staged=True)} AS _row, {sel}"
                f"{''.join(', ' + x for _, x in x_sel)} FROM {src}", path, table)
    n = con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0]
    if n == 0:
        _no_rows(path)
    for c in ("id", "country", "date_start", "date_end", "date_prec"):
        _check_blank(con, table, c, path)
    _check_unique(con, table, "id", path)
    day = {}
    for c in ("date_start", "date_end"):
        v = f"regexp_replace({_q(c)}, {_MIDNIGHT_SQL}, '\\1')"
        expr = (f"CASE WHEN regexp_full_match({v}, '\\d{{4}}-\\d{{2}}-\\d{{2}}') "
                f"THEN try_strptime({v}, '%Y-%m-%d')::DATE END")
        i = _first_bad(con, table, f"({expr}) IS NULL")
        if i is not None:
            raise InputError(f"cannot read {_cell(con, table, i, c)!r} as a date; write it as "
                             "YYYY-MM-DD (for example 2024-01-28)", file=path, row=i, column=c)
        day[c] = expr
    i = _first_bad(con, table, "regexp_replace(date_prec, '\\.0*$', '') NOT IN ('1', '2', '3', '4', '5')")
    if i is not None:
        raise InputError(f"{_cell(con, table, i, 'date_prec')!r} is not an allowed value; use one of "
                         "1 (day), 2 (week), 3 (week), 4 (month), 5 (year)", file=path, row=i,
                         column="date_prec")
    i = _first_bad(con, table, f"({day['date_end']}) < ({day['date_start']})")
    if i is not None:
        a, b = con.execute(f"SELECT {day['date_start']}, {day['date_end']} FROM {table} "
                           f"WHERE _row = {i}").fetchall()[0]
        raise InputError(f"date_end {b} is before date_start {a}", file=path, row=i, column="date_end")
    fsel = "NULL::BIGINT AS fat, NULL::BIGINT AS fat_low, NULL::BIGINT AS fat_high"
    if fat:
        parts = []
        for c, out in (("best", "fat"), ("low", "fat_low"), ("high", "fat_high")):
            if c in pos:
                _check_counts(con, table, c, path)
                parts.append(f"{_count_sql(_q(c))} AS {out}")
            else:
                parts.append(f"NULL::BIGINT AS {out}")
        fsel = ", ".join(parts)
    part = f"part{file_no}"
    con.execute(f"""CREATE TEMP TABLE {part} AS SELECT _row, id AS report_id, NULL::VARCHAR AS eid,
        {_day_no(day['date_start'])} AS s, {_day_no(day['date_end'])} AS e, country,
        where_coordinates AS location, side_a AS actor, NULL::VARCHAR AS weapon,
        source_article AS source, NULL::VARCHAR AS source_url
        {''.join(', ' + _q(c) for c, _ in x_sel)}, {fsel} FROM {table}""")
    con.execute(f"DROP TABLE {table}")
    return part, n


def load_reports(con, paths, *, input_format: str = "auto", extras=(), dedupe: str = "auto",
                 measure: str = "incidents") -> dict:
    """Create table ``rep`` (see the module notes) from ``paths``; return facts about it.

    With ``measure="fatalities"`` ``rep`` also has ``fat``, ``fat_low`` and ``fat_high``
    (BIGINT: ACLED ``fatalities``, GED ``best``/``low``/``high``, canonical ``fatalities``).

    Returns
    -------
    dict
        ``files`` (names in order), ``n`` (rows), ``formats``, ``columns`` of ``rep``.
    """
    if input_format not in ("auto", "canonical", "acled", "ucdp"):
        raise ValueError(f"input_format must be one of 'auto', 'canonical', 'acled', 'ucdp'; "
                         f"got {input_format!r}")
    paths = [os.fspath(p) for p in ([paths] if isinstance(paths, (str, os.PathLike)) else paths)]
    if not paths:
        raise ValueError("paths must name at least one file")
    formats, parts, offset = [], [], 0
    tables = []
    for k, path in enumerate(paths):
        fmt = _format_of(con, path, input_format)
        try:
            if fmt == "acled":
                table, n = _acled_onepass(con, path, k, extras, measure)
            elif fmt == "ucdp":
                table, n = _ucdp_onepass(con, path, k, extras, measure)
            else:
                fmt, n, header, names = _stage_file(con, path, k, fmt, extras)
                sel, _ = _canonical_select(con, f"raw{k}", header, names, path, measure)
                table = f"part{k}"
                con.execute(f"CREATE TEMP TABLE {table} AS {sel}")
                con.execute(f"DROP TABLE raw{k}")
        except InputError as exc:
            _renumber(exc, path)
            raise
        tables.append((k, table, n))
        formats.append(fmt)
    all_x: list[str] = []
    colsets = {}
    for k, table, n in tables:
        colsets[k] = [d[0] for d in con.sql(f"DESCRIBE {table}").fetchall()]
        all_x += [c for c in colsets[k] if c.startswith("x_") and c not in all_x]
    spans = []
    for k, table, n in tables:
        xs = ", ".join((_q(c) if c in colsets[k] else f"NULL::VARCHAR AS {_q(c)}") for c in all_x)
        # coded event datasets (ACLED, UCDP GED) are one incident per row unless
        # dedupe="reports"; dedupe="off" makes every row without an explicit id its own incident
        own = dedupe == "off" or (dedupe == "auto" and formats[k] in ("acled", "ucdp"))
        eid = "coalesce(eid, report_id) AS eid" if own else "eid"
        if "d" in colsets[k]:  # ACLED parts store the day and precision; the interval is cheap
            ps, pe = _acled_interval_sql("d", "p")
            se = f"{_day_no(ps)} AS s, {_day_no(pe)} AS e"
        else:
            se = "s, e"
        fats = ("fat, fat_low, fat_high" if "fat" in colsets[k]
                else "NULL::BIGINT AS fat, NULL::BIGINT AS fat_low, NULL::BIGINT AS fat_high")
        # days the file writes: ACLED's event_date (never the week or month it widens to),
        # GED's own date_start and date_end
        span_sql = (f"SELECT {_day_no('min(d)')}, {_day_no('max(d)')} FROM {table}" if "d" in colsets[k]
                    else f"SELECT min(s), max(e) FROM {table}")
        lo, hi = con.execute(span_sql).fetchall()[0]
        if lo is not None and hi is not None:
            spans.append((int(lo), int(hi)))
        parts.append(f"SELECT CAST(_row - 2 + {offset} AS BIGINT) AS idx, CAST({k} AS INTEGER) AS file_no, "
                     f"_row, report_id, {eid}, {se}, country, location, actor, weapon, source, source_url, "
                     f"{fats}{', ' + xs if xs else ''} FROM {table}")
        offset += n
    con.execute("CREATE TEMP VIEW rep AS " + " UNION ALL ".join(parts))
    if len(paths) > 1:
        dup = con.execute("""SELECT report_id, min(idx) AS a, max(idx) AS b FROM rep
                         GROUP BY report_id HAVING count(*) > 1 ORDER BY b LIMIT 1""").fetchall()
        if dup:
            dup = dup[0]
            fa, ra = con.execute(f"SELECT file_no, _row FROM rep WHERE idx = {dup[1]}").fetchall()[0]
            fb, rb = con.execute(f"SELECT file_no, _row FROM rep WHERE idx = {dup[2]}").fetchall()[0]
            raise InputError(f"{dup[0]!r} appears twice: also in {paths[fa]} row {ra}; "
                             "report_id must be unique across files", file=paths[fb], row=rb,
                             column="report_id")
    span = (min(a for a, _ in spans), max(b for _, b in spans)) if spans else None
    return {"files": paths, "n": offset, "formats": formats, "x_columns": all_x, "written_span": span}


def _format_of(con, path: str, fmt: str) -> str:
    if not os.path.exists(path):
        raise InputError("no such file", file=path)
    if os.path.isdir(path):
        raise InputError("is a directory, not a file", file=path)
    if os.path.getsize(path) == 0:
        raise InputError("the file is empty (0 bytes); expected a header row and data rows",
                         file=path, row=1)
    if fmt != "auto":
        return fmt
    _, cols, _ = _describe(con, path)
    got = detect_format(_normalise_names([c for c, _ in cols], path))
    if got is None:
        _stage_file(con, path, -1, "auto")  # raises the reader's message
    return got
