"""Load a CSV, Parquet file or DataFrame as a table of strings, ready for validation.

Everything is read as text first (no value is coerced by a guess), with cells trimmed
of surrounding whitespace and blank cells as empty strings. The converters in
:mod:`analysis.io._convert` then turn one column at a time into its canonical type,
so every error can point at the exact cell.

Row numbers follow a spreadsheet: the header is row 1 and table row ``i`` (0-based)
is row ``i + 2``. A quoted cell that spans several lines is one row, as a spreadsheet
shows it. Blank lines are kept as rows (and then rejected as empty rows), so row
numbers never shift.

The fast path is Arrow's multithreaded CSV reader. Only when it fails (bytes that are
not UTF-8, a row with the wrong number of fields) does a row-by-row pass run, to name
the row and column of the first fault; it streams the file (no whole-file string), and
the header is read the same way, so a header of any width is read whole.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..schema import InputError, check_input_file

__all__ = ["RawTable", "load_table", "first_true", "diagnose_csv", "PARQUET_SUFFIXES"]

PARQUET_SUFFIXES = (".parquet", ".pq", ".parq")
_SPREADSHEET_SUFFIXES = (".xlsx", ".xls", ".xlsm", ".ods")
#: Arrow type of every text column: pandas' ``str`` dtype wraps it without a copy.
TEXT = pa.large_string()
_BLOCK_SIZE = 1 << 24  # bytes per block of the multithreaded CSV reader


@dataclass(frozen=True)
class RawTable:
    """A table of trimmed strings read from ``file``; column names are lower-cased."""

    file: str
    table: pa.Table
    kind: str  # "csv", "parquet" or "frame"

    @property
    def columns(self) -> list[str]:
        return list(self.table.column_names)

    @property
    def n_rows(self) -> int:
        return self.table.num_rows

    def column(self, name: str) -> pa.ChunkedArray:
        return self.table.column(name)


def first_true(mask) -> int:
    """0-based index of the first true value of a boolean Arrow array, or -1."""
    if isinstance(mask, (pa.Array, pa.ChunkedArray)):
        mask = pc.fill_null(mask, False)
        if not pc.any(mask).as_py():
            return -1
        return int(pc.index(mask, True).as_py())
    mask = np.asarray(mask, dtype=bool)
    return int(np.argmax(mask)) if mask.any() else -1


# ----------------------------------------------------------------------------- entry
def load_table(source, *, name: str | None = None) -> RawTable:
    """Read ``source`` (a path to CSV or Parquet, or a DataFrame) as trimmed strings.

    Parameters
    ----------
    source : str, os.PathLike or pandas.DataFrame
        Parquet when the suffix is ``.parquet``/``.pq``/``.parq``, CSV otherwise
        (compressed CSV too: ``.csv.gz``, ``.csv.bz2``, ``.csv.zst``). A DataFrame's
        ``_file``/``_row`` columns, if any, are dropped; its rows are numbered afresh.
    name : str, optional
        What messages call the source (default: the path as given, or ``<DataFrame>``).

    Raises
    ------
    InputError
        Missing or empty file, no data rows, bytes that are not UTF-8, a row with
        the wrong number of fields, a blank or repeated column name, an empty row.
    """
    if isinstance(source, pd.DataFrame):
        file = name or "<DataFrame>"
        table = _strings_from_arrow(_arrow_from_frame(source, file), file)
        kind = "frame"
    else:
        if not isinstance(source, (str, os.PathLike)):
            raise TypeError(f"`path` must be a file path or a DataFrame; got {type(source).__name__}")
        path = os.fspath(source)
        file = name or path
        check_input_file(path, file=file)
        if path.lower().endswith(_SPREADSHEET_SUFFIXES):
            raise InputError("spreadsheet workbooks are not read; export the sheet as CSV "
                             "(UTF-8) or Parquet", file=file)
        if path.lower().endswith(PARQUET_SUFFIXES):
            table = _read_parquet(path, file)
            kind = "parquet"
        else:
            table = _read_csv(path, file)
            kind = "csv"
    if table.num_rows == 0:
        raise InputError("the file has a header but no data rows", file=file, row=2)
    _check_empty_rows(table, file)
    return RawTable(file=file, table=table, kind=kind)


# ------------------------------------------------------------------------------- CSV
def _read_csv(path: str, file: str) -> pa.Table:
    import pyarrow.csv as pcsv

    if os.path.getsize(path) == 0:
        raise InputError("the file is empty (0 bytes); expected a header row and data rows",
                         file=file, row=1)
    raw_names = _read_header(path, file)
    names = _normalise_names(raw_names, file)
    read = pcsv.ReadOptions(column_names=names, skip_rows=1, use_threads=True,
                            block_size=_BLOCK_SIZE)
    parse = pcsv.ParseOptions(newlines_in_values=True, ignore_empty_lines=False)
    convert = pcsv.ConvertOptions(column_types={n: TEXT for n in names},
                                  strings_can_be_null=False, quoted_strings_can_be_null=False,
                                  check_utf8=True)
    try:
        table = pcsv.read_csv(path, read_options=read, parse_options=parse,
                              convert_options=convert)
    except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
        _diagnose_csv(path, file, raw_names)
        raise InputError(f"cannot parse the file as CSV: {exc}", file=file) from None
    trimmed = _trim(table)
    del table
    return trimmed


def _open(path: str):
    """Binary stream of the file, decompressed when the suffix says so (.gz, .bz2, .zst)."""
    return pa.input_stream(path, compression="detect")


def _text(path: str):
    """The file as a stream of text (UTF-8, BOM dropped, undecodable bytes kept as
    surrogates so that a message can show them), read in buffered blocks: nothing
    holds the whole file."""
    return io.TextIOWrapper(_open(path), encoding="utf-8-sig", errors="surrogateescape",
                            newline="")


class _FieldLimit:
    """Lift the csv module's 128 KiB field limit while a diagnosis runs (a long cell is
    data, not a fault), and put the old limit back afterwards."""

    def __enter__(self):
        self.old = csv.field_size_limit()
        csv.field_size_limit(2**31 - 1)

    def __exit__(self, *exc):
        csv.field_size_limit(self.old)


def _read_header(path: str, file: str) -> list[str]:
    """The header record, however long (read as a stream up to the first newline outside
    quotes, never cut at a fixed number of bytes)."""
    with _open(path) as fh:
        head = fh.read(4)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise InputError("the file is UTF-16 text; save it as UTF-8 (for example 'CSV UTF-8' "
                         "in a spreadsheet)", file=file, row=1)
    with _text(path) as fh, _FieldLimit():
        try:
            record = next(csv.reader(fh), None)
        except csv.Error as exc:
            raise InputError(f"cannot read the header row: {exc}", file=file, row=1) from None
    if record is None or not any(c.strip() for c in record):
        raise InputError("the file has no header row (the first row is blank)", file=file, row=1)
    for j, cell in enumerate(record):
        if _has_surrogates(cell):
            raise InputError(_encoding_message(cell), file=file, row=1, column=f"#{j + 1}")
    if len(record) == 1:
        for sep, what in ((";", "';'"), ("\t", "tabs"), ("|", "'|'")):
            if sep in record[0]:
                raise InputError(
                    f"the header is one column {record[0].strip()!r}: the file seems separated by "
                    f"{what}, not commas; save it comma-separated (for example 'CSV UTF-8' in a "
                    "spreadsheet)", file=file, row=1)
    return record


def _normalise_names(raw: list[str], file: str) -> list[str]:
    names = [c.strip().lower() for c in raw]
    seen: dict[str, int] = {}
    for j, n in enumerate(names):
        if n == "":
            raise InputError(f"column {j + 1} of the header has no name; name it or delete it",
                             file=file, row=1, column=f"#{j + 1}")
        if n in seen:
            raise InputError(f"column name {n!r} appears twice in the header "
                             f"(columns {seen[n] + 1} and {j + 1})", file=file, row=1, column=n)
        seen[n] = j
    return names


def _trim(table: pa.Table) -> pa.Table:
    """Strip surrounding whitespace from every cell, one column at a time.

    The input table is released column by column, so at most one extra column is
    held in memory at once.
    """
    names = table.column_names
    cols = [table.column(i) for i in range(table.num_columns)]
    del table
    for i, col in enumerate(cols):
        cols[i] = None
        cols[i] = pc.utf8_trim_whitespace(col)
        del col
    return pa.table(cols, names=names)


def _has_surrogates(text: str) -> bool:
    return any("\udc80" <= ch <= "\udcff" for ch in text)


def _encoding_message(cell: str) -> str:
    raw = cell.encode("utf-8", errors="surrogateescape")
    shown = raw.decode("utf-8", errors="backslashreplace")
    return (f"the cell holds bytes that are not UTF-8 ({shown!r}); "
            "save the file as UTF-8 (for example 'CSV UTF-8' in a spreadsheet)")


def diagnose_csv(path: str, file: str | None = None, header: list[str] | None = None, *,
                 blank_rows: bool = False) -> None:
    """Row-by-row pass that raises an InputError naming the first faulty row, if any.

    The file is streamed (a buffered text reader feeding :mod:`csv`): memory stays
    within a few MiB beyond the longest row, whatever the file's size. Faults found:
    bytes that are not UTF-8 (row and column), a row whose number of fields differs
    from the header's (row), a quoting error (row). Returns None when every row parses
    (the caller then reports the parser's own message). With ``blank_rows`` an empty row
    is a fault too (as :func:`load_table` reports it), for readers that skip them.
    """
    file = path if file is None else file
    names = [c.strip() for c in (header if header is not None else _read_header(path, file))]
    row = 1
    with _text(path) as fh, _FieldLimit():
        reader = csv.reader(fh)
        try:
            next(reader, None)  # the header
            for row, record in enumerate(reader, start=2):
                for j, cell in enumerate(record):
                    if _has_surrogates(cell):
                        col = names[j] if j < len(names) else f"#{j + 1}"
                        raise InputError(_encoding_message(cell), file=file, row=row, column=col)
                if blank_rows and not any(c.strip() for c in record):
                    raise InputError("the row is empty (every cell is blank); delete it",
                                     file=file, row=row)
                if len(record) != len(names) and any(c.strip() for c in record):
                    raise InputError(
                        f"the row has {len(record)} fields but the header has {len(names)}; "
                        "check for an unquoted comma or a missing cell",
                        file=file, row=row)
        except csv.Error as exc:
            raise InputError(f"cannot parse the row: {exc}", file=file, row=row + 1) from None


_diagnose_csv = diagnose_csv


# --------------------------------------------------------------------------- Parquet
def _read_parquet(path: str, file: str) -> pa.Table:
    import pyarrow.parquet as pq

    if os.path.getsize(path) == 0:
        raise InputError("the file is empty (0 bytes)", file=file, row=1)
    try:
        table = pq.read_table(path)
    except (pa.ArrowException, OSError) as exc:
        raise InputError(f"cannot read the file as Parquet: {exc}", file=file) from None
    return _strings_from_arrow(table, file)


def _arrow_from_frame(frame: pd.DataFrame, file: str) -> pa.Table:
    # a frame that came out of a reader: its provenance columns are not data
    frame = frame.drop(columns=[c for c in ("_file", "_row") if c in frame.columns])
    frame = frame.reset_index(drop=True)
    cols, names = [], []
    for name in frame.columns:
        s = frame[name]
        try:
            arr = pa.array(s, from_pandas=True)
        except (pa.ArrowException, TypeError, ValueError):
            arr = pa.array([None if pd.isna(v) else str(v) for v in s.to_numpy(object)],
                           type=TEXT)
        cols.append(arr)
        names.append(str(name))
    return pa.table(cols, names=names)


def _strings_from_arrow(table: pa.Table, file: str) -> pa.Table:
    names = _normalise_names([str(n) for n in table.column_names], file)
    cols = [_as_strings(table.column(i)) for i in range(table.num_columns)]
    return _trim(pa.table(cols, names=names))


def _as_strings(col: pa.ChunkedArray) -> pa.ChunkedArray:
    t = col.type
    if pa.types.is_dictionary(t):
        col = col.cast(t.value_type)
        t = col.type
    if pa.types.is_string(t) or pa.types.is_large_string(t):
        out = col.cast(TEXT)
    elif pa.types.is_timestamp(t) or pa.types.is_date(t):
        if pa.types.is_timestamp(t):
            if t.tz is not None:
                col = col.cast(pa.timestamp(t.unit))
            midnight = pc.equal(pc.floor_temporal(col, unit="day"), col)
            out = pc.if_else(pc.fill_null(midnight, True),
                             pc.strftime(col, format="%Y-%m-%d"),
                             pc.strftime(col, format="%Y-%m-%dT%H:%M:%S"))
        else:
            out = pc.strftime(col, format="%Y-%m-%d")
    elif pa.types.is_floating(t):
        finite = pc.fill_null(pc.is_finite(col), True)
        integral = pc.fill_null(pc.equal(pc.floor(col), col), True)
        if pc.all(pc.and_(finite, integral)).as_py():
            out = col.cast(pa.int64()).cast(TEXT)
        else:
            out = col.cast(TEXT)
    elif pa.types.is_null(t):
        out = pa.chunked_array([pa.array([""] * len(col), type=TEXT)])
    else:
        try:
            out = col.cast(TEXT)
        except (pa.ArrowNotImplementedError, pa.ArrowInvalid):
            out = pa.chunked_array([pa.array([None if v is None else str(v) for v in col.to_pylist()],
                                             type=TEXT)])
    return pc.fill_null(out.cast(TEXT), "")


# ----------------------------------------------------------------------------- rows
def _check_empty_rows(table: pa.Table, file: str) -> None:
    blank = None
    for i in range(table.num_columns):
        b = pc.equal(table.column(i), "")
        blank = b if blank is None else pc.and_(blank, b)
    i = first_true(blank)
    if i >= 0:
        raise InputError("the row is empty (every cell is blank); delete it",
                         file=file, row=i + 2)
