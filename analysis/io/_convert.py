"""Column converters: text cells -> canonical types, with the exact cell of any fault.

Each converter checks a whole column at once (Arrow compute kernels). When a check
finds a bad cell, the index of the first one is looked up and an
:class:`~analysis.schema.InputError` names the file, the spreadsheet row (header = 1)
and the column, quotes the value and says what would be accepted.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .._validation import format_choices
from ..schema import InputError
from ._csv import RawTable, first_true

__all__ = [
    "check_columns", "require_nonblank", "blank", "to_str", "to_dates", "to_counts",
    "to_enum", "to_float", "to_codes", "to_unix_time", "check_unique", "check_order",
    "extra_columns", "fail",
]

_ISO_DATE = r"^\d{4}-\d{2}-\d{2}$"
_MIDNIGHT = r"^(\d{4}-\d{2}-\d{2})[ T]00:00(:00(\.0+)?)?$"
_COUNT = r"^\+?\d{1,18}(\.0*)?$"


def fail(raw: RawTable, index: int, column: str | None, message: str):
    """Raise the InputError for table row ``index`` (0-based) of ``raw``."""
    raise InputError(message, file=raw.file, row=None if index is None else index + 2, column=column)


def _cell(raw: RawTable, column: str, index: int) -> str:
    return raw.column(column)[index].as_py()


def blank(raw: RawTable, column: str) -> pa.ChunkedArray:
    """Boolean array: the cell is blank."""
    return pc.equal(raw.column(column), "")


# --------------------------------------------------------------------------- columns
def check_columns(raw: RawTable, *, required: Sequence[str], allowed: Sequence[str] | None,
                  table: str, allow_extra: bool = True) -> None:
    """Missing required columns, and (when ``allowed`` is given) unknown columns.

    Columns named ``x_*`` are always allowed when ``allow_extra``: they are carried through.
    """
    missing = [c for c in required if c not in raw.columns]
    if missing:
        raise InputError(
            f"the header lacks the required column{'s' if len(missing) > 1 else ''} "
            f"{format_choices(missing)} of {table} "
            f"(the header has {format_choices(raw.columns)})",
            file=raw.file, row=1, column=missing[0])
    if allowed is None:
        return
    unknown = [c for c in raw.columns
               if c not in allowed and not (allow_extra and c.startswith("x_"))]
    if unknown:
        extra = "; prefix extra columns with 'x_' to carry them through" if allow_extra else ""
        raise InputError(
            f"unknown column {unknown[0]!r} in {table}; allowed columns are "
            f"{format_choices(allowed)}{extra}",
            file=raw.file, row=1, column=unknown[0])


def extra_columns(raw: RawTable) -> list[str]:
    """The ``x_*`` columns, in file order."""
    return [c for c in raw.columns if c.startswith("x_")]


def require_nonblank(raw: RawTable, column: str, *, why: str = "") -> None:
    """Every cell of ``column`` must be filled in."""
    i = first_true(blank(raw, column))
    if i >= 0:
        fail(raw, i, column, f"the cell is blank but {column!r} is required{why}")


# ---------------------------------------------------------------------------- values
def blank_as_null(col: pa.ChunkedArray) -> pa.ChunkedArray:
    """Blank cells become missing, sharing the text buffers (only a validity bitmap is built)."""
    chunks = []
    for chunk in col.chunks:
        keep = pc.not_equal(chunk, "")
        if chunk.null_count == 0 and chunk.offset == 0 and keep.offset == 0:
            bufs = chunk.buffers()
            chunks.append(pa.Array.from_buffers(chunk.type, len(chunk),
                                                [keep.buffers()[1], bufs[1], bufs[2]]))
        else:
            chunks.append(pc.if_else(keep, chunk, pa.scalar(None, chunk.type)))
    return pa.chunked_array(chunks, type=col.type)


def to_str(raw: RawTable, column: str) -> pd.Series:
    """Text column as pandas ``str`` dtype; blank cells become missing."""
    return text_series(blank_as_null(raw.column(column)), column)


def text_series(col: pa.ChunkedArray, name: str | None = None) -> pd.Series:
    """An Arrow text column as a pandas ``str`` Series (no copy for large_string)."""
    return pd.Series(col.to_pandas(), name=name).astype("str")


def _as_nullable(col: pa.ChunkedArray) -> pa.ChunkedArray:
    return pc.if_else(pc.equal(col, ""), pa.scalar(None, col.type), col)


def to_dates(raw: RawTable, column: str, *, required: bool = False, midnight_ok: bool = False,
             extra_formats: Sequence[str] = (), forms: str | None = None) -> np.ndarray:
    """Parse ``YYYY-MM-DD`` cells into ``datetime64[D]`` (NaT where blank).

    Parameters
    ----------
    midnight_ok : bool
        Also accept ``YYYY-MM-DD 00:00:00`` (database exports such as UCDP GED).
    extra_formats : sequence of str
        Further ``strftime`` formats tried, strictly, on cells that are not ISO dates
        (ACLED exports write ``15 January 2024``).
    forms : str, optional
        How the error message describes the accepted forms (default: ISO, then an
        example of each of ``extra_formats``).
    """
    col = raw.column(column)
    if required:
        require_nonblank(raw, column)
    if midnight_ok:
        col = pc.replace_substring_regex(col, pattern=_MIDNIGHT, replacement=r"\1")
    is_blank = pc.equal(col, "")
    out, ok = _iso_days(col)
    bad = pc.and_(pc.invert(is_blank), pc.invert(ok))
    if extra_formats and pc.any(bad).as_py():
        idx = np.flatnonzero(np.asarray(bad.to_numpy(zero_copy_only=False), bool))
        text = pd.Series(pc.take(col, pa.array(idx)).to_pylist(), dtype=object)
        got = pd.Series(pd.NaT, index=text.index, dtype="datetime64[s]")
        for fmt in extra_formats:
            todo = got.isna()
            if not todo.any():
                break
            got[todo] = pd.to_datetime(text[todo], format=fmt, errors="coerce")
        fixed = got.notna().to_numpy()
        out[idx[fixed]] = got[fixed].to_numpy().astype("datetime64[D]")
        still = np.zeros(len(col), bool)
        still[idx[~fixed]] = True
        bad = pa.array(still)
    i = first_true(bad)
    if i >= 0:
        value = _cell(raw, column, i)
        if forms is None:
            forms = "YYYY-MM-DD (for example 2024-01-28)"
            if extra_formats:
                forms += " or " + " or ".join(pd.Timestamp("2024-01-28").strftime(f)
                                              for f in extra_formats)
        fail(raw, i, column, f"cannot read {value!r} as a date; write it as {forms}")
    return out


def _iso_days(col: pa.ChunkedArray) -> tuple[np.ndarray, pa.Array]:
    """Strict ``YYYY-MM-DD`` parse: ``(datetime64[D] with NaT, ok mask)``.

    Year, month and day are sliced and checked with integer arithmetic, so
    2024-02-30 is rejected rather than rolled over.
    """
    n = len(col)
    iso = pc.match_substring_regex(col, _ISO_DATE)
    iso_np = np.asarray(iso.to_numpy(zero_copy_only=False), bool) if n else np.zeros(0, bool)
    text = pc.if_else(iso, col, pa.scalar("1970-01-01"))

    def part(a, b):
        return np.asarray(pc.cast(pc.utf8_slice_codeunits(text, a, b), pa.int64())
                          .to_numpy(zero_copy_only=False), np.int64)

    y, m, d = part(0, 4), part(5, 7), part(8, 10)
    valid = iso_np & (m >= 1) & (m <= 12) & (d >= 1)
    m = np.where(valid, m, 1)
    month = ((y - 1970) * 12 + (m - 1)).astype("datetime64[M]")
    first = month.astype("datetime64[D]")
    following = (month + 1).astype("datetime64[D]")
    day = first + (np.where(valid, d, 1) - 1).astype("timedelta64[D]")
    valid &= day < following
    out = np.where(valid, day, np.datetime64("NaT", "D"))
    return out, pa.array(valid)


def to_counts(raw: RawTable, column: str, *, required: bool = False) -> pd.Series:
    """Whole numbers >= 0 as ``Int64`` (NA where blank).

    ``3.0`` is accepted as 3 (spreadsheets and float columns write it so); negative
    numbers, fractions and text are errors.
    """
    col = raw.column(column)
    if required:
        require_nonblank(raw, column)
    is_blank = pc.equal(col, "")
    ok = pc.match_substring_regex(col, _COUNT)
    i = first_true(pc.and_(pc.invert(is_blank), pc.invert(ok)))
    if i >= 0:
        value = _cell(raw, column, i)
        try:
            number = float(value.replace(",", ""))
        except ValueError:
            number = None
        if number is not None and np.isfinite(number) and number < 0:
            msg = f"{value!r} is negative; counts must be 0 or more"
        elif number is not None and np.isfinite(number) and number != int(number):
            msg = f"{value!r} is not a whole number; counts must be integers such as 3"
        elif number is not None and "," in value:
            msg = f"cannot read {value!r} as a count; write it without thousands separators"
        elif number is not None and np.isfinite(number) and not value.lstrip("+").isdigit():
            msg = f"cannot read {value!r} as a count; write it as a whole number such as {int(number)}"
        elif number is not None and np.isfinite(number):
            msg = f"{value!r} is too large for a count"
        else:
            msg = (f"cannot read {value!r} as a count; write a whole number such as 3, "
                   "or leave the cell blank if it is unknown")
        fail(raw, i, column, msg)
    digits = pc.replace_substring_regex(col, pattern=r"\.0*$", replacement="")
    ints = pc.cast(_as_nullable(digits), pa.int64())
    out = ints.to_pandas(types_mapper={pa.int64(): pd.Int64Dtype()}.get)
    return pd.Series(out, name=column, dtype="Int64")


def to_float(raw: RawTable, column: str, *, lo: float | None = None,
             hi: float | None = None) -> np.ndarray:
    """Real numbers as float64 (NaN where blank), optionally within ``[lo, hi]``."""
    col = raw.column(column)
    is_blank = pc.equal(col, "")
    num = r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$"
    ok = pc.match_substring_regex(col, num)
    i = first_true(pc.and_(pc.invert(is_blank), pc.invert(ok)))
    if i >= 0:
        fail(raw, i, column, f"cannot read {_cell(raw, column, i)!r} as a number")
    out = pc.cast(_as_nullable(col), pa.float64()).to_numpy(zero_copy_only=False)
    out = np.asarray(out, dtype=float)
    if lo is not None or hi is not None:
        outside = np.zeros(len(out), bool)
        with np.errstate(invalid="ignore"):
            if lo is not None:
                outside |= out < lo
            if hi is not None:
                outside |= out > hi
        i = first_true(outside)
        if i >= 0:
            fail(raw, i, column, f"{_cell(raw, column, i)!r} is outside [{lo}, {hi}]")
    return out


def to_enum(raw: RawTable, column: str, allowed: Sequence[str], *,
            mapping: Mapping[str, str] | None = None, default: str | None = None,
            required: bool = False) -> pd.Series:
    """A closed set of values (case-insensitive); blank -> ``default`` (or missing).

    With ``mapping`` the cell must be one of its keys and takes the mapped value;
    the message then lists the keys with their meaning.
    """
    col = raw.column(column)
    if required:
        require_nonblank(raw, column)
    low = pc.utf8_lower(col)
    keys = list(mapping) if mapping is not None else list(allowed)
    ok = pc.or_(pc.equal(low, ""), pc.is_in(low, value_set=pa.array(keys, low.type)))
    i = first_true(pc.invert(ok))
    if i >= 0:
        if mapping is not None:
            listed = ", ".join(f"{k} ({v})" for k, v in mapping.items())
        else:
            listed = format_choices(allowed)
        fail(raw, i, column, f"{_cell(raw, column, i)!r} is not an allowed value; use one of {listed}")
    if mapping is not None:
        pos = pc.index_in(low, value_set=pa.array(keys, low.type))
        low = pc.take(pa.array(list(mapping.values()), low.type), pos)
    low = pc.fill_null(low, "")
    if default is not None:
        low = pc.if_else(pc.equal(low, ""), pa.scalar(default), low)
    return text_series(blank_as_null(low), column)


def to_codes(raw: RawTable, column: str, meanings: Mapping[int, str]) -> pd.Series:
    """A numeric code of a closed set (``1``, ``2.0``...) as ``Int64`` (NA where blank).

    The message for a value outside ``meanings`` lists every code with its meaning.
    """
    col = raw.column(column)
    digits = pc.replace_substring_regex(col, pattern=r"^\+?(\d{1,3})(\.0*)?$", replacement=r"\1")
    keys = [str(k) for k in meanings]
    ok = pc.or_(pc.equal(col, ""), pc.is_in(digits, value_set=pa.array(keys, digits.type)))
    i = first_true(pc.invert(ok))
    if i >= 0:
        listed = ", ".join(f"{k} ({v})" for k, v in meanings.items())
        fail(raw, i, column, f"{_cell(raw, column, i)!r} is not an allowed value; use one of {listed}")
    ints = pc.cast(_as_nullable(digits), pa.int64())
    out = ints.to_pandas(types_mapper={pa.int64(): pd.Int64Dtype()}.get)
    return pd.Series(out, name=column, dtype="Int64")


def to_unix_time(raw: RawTable, column: str) -> pd.Series:
    """Unix timestamps (whole seconds since 1970-01-01 UTC) as ``datetime64[s, UTC]``."""
    col = raw.column(column)
    ok = pc.or_(pc.equal(col, ""), pc.match_substring_regex(col, r"^\d{1,12}(\.0*)?$"))
    i = first_true(pc.invert(ok))
    if i >= 0:
        fail(raw, i, column, f"cannot read {_cell(raw, column, i)!r} as a Unix timestamp; "
                             "write whole seconds since 1970-01-01 UTC, for example 1676909320")
    digits = pc.replace_substring_regex(col, pattern=r"\.0*$", replacement="")
    secs = pc.cast(_as_nullable(digits), pa.int64()).to_pandas(
        types_mapper={pa.int64(): pd.Int64Dtype()}.get)
    return pd.Series(pd.to_datetime(pd.Series(secs, dtype="Int64"), unit="s", utc=True)
                     .astype("datetime64[s, UTC]").array, name=column)


# ------------------------------------------------------------------------ relations
def check_unique(raw: RawTable, column: str, *, skip_blank: bool = False) -> None:
    """Ids must be unique: name the first repeat and the row it repeats."""
    s = pd.Series(raw.column(column).to_pandas())
    dup = s.duplicated()
    if skip_blank:
        dup &= s != ""
    j = first_true(dup.to_numpy())
    if j >= 0:
        value = s.iloc[j]
        i = int(np.flatnonzero((s.iloc[:j] == value).to_numpy())[0])
        fail(raw, j, column,
             f"{value!r} appears twice, in rows {i + 2} and {j + 2}; {column} must be unique")


def check_order(raw: RawTable, first: np.ndarray, last: np.ndarray, *, first_name: str,
                last_name: str, column: str | None = None) -> None:
    """``last`` must not be before ``first`` wherever both are known."""
    with np.errstate(invalid="ignore"):
        bad = ~np.isnat(first) & ~np.isnat(last) & (last < first)
    i = first_true(bad)
    if i >= 0:
        fail(raw, i, column or last_name,
             f"{last_name} {str(last[i])} is before {first_name} {str(first[i])}")
