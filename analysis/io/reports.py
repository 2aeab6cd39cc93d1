"""Incident reports: the canonical table, and the dispatcher over ACLED and UCDP GED.

The canonical frame (one row per report) has, in order::

    report_id, incident_id, date_start, date_end, date_precision, country, location,
    actor, weapon, source, source_url, notes, projectiles, fatalities, injuries,
    x_* (carried through), _file, _row

``date_start``/``date_end`` are ``datetime64[ns]`` and inclusive (NaT when the report
has no date at all); counts are ``Int64``; text columns are ``str`` with missing values
where the cell was blank.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from .._validation import string_like
from ..schema import DATE_PRECISIONS, REPORT_COLUMNS, InputError
from . import _convert as cv
from ._csv import RawTable, load_table
from ._dates import infer_precision, precision_interval

__all__ = ["read_reports", "read_canonical_reports", "detect_format", "REPORT_OUTPUT_COLUMNS",
           "FORMATS"]

FORMATS = ("auto", "canonical", "acled", "ucdp")

#: Columns of the canonical reports frame, before the x_* columns and _file/_row.
REPORT_OUTPUT_COLUMNS = (
    "report_id", "incident_id", "date_start", "date_end", "date_precision", "country",
    "location", "actor", "weapon", "source", "source_url", "notes",
    "projectiles", "fatalities", "injuries",
)
_TEXT = ("incident_id", "country", "location", "actor", "weapon", "source", "source_url", "notes")
_COUNTS = ("projectiles", "fatalities", "injuries")


def detect_format(columns: Sequence[str]) -> str | None:
    """``'acled'``, ``'ucdp'``, ``'canonical'`` from header names, or None.

    Examples
    --------
    >>> detect_format(["event_id_cnty", "event_date", "country"]), detect_format(["report_id", "date"])
    ('acled', 'canonical')
    """
    cols = set(columns)
    if "event_id_cnty" in cols:
        return "acled"
    if "id" in cols and ("date_prec" in cols or {"date_start", "best"} <= cols):
        return "ucdp"
    if "report_id" in cols:
        return "canonical"
    return None


def read_reports(path, *, format: str = "auto") -> pd.DataFrame:  # noqa: A002
    """Read incident reports into the canonical frame, with validation.

    Parameters
    ----------
    path : str, os.PathLike, pandas.DataFrame, or a list of these
        CSV or Parquet (by suffix: ``.parquet``, ``.pq``, ``.parq``). A list reads
        every file and concatenates them; ``report_id`` must be unique across files.
    format : {"auto", "canonical", "acled", "ucdp"}, default "auto"
        ``auto`` tells the format from the header: ``event_id_cnty`` means an ACLED
        export, ``id`` with ``date_prec`` a UCDP GED export, ``report_id`` the
        canonical table.

    Returns
    -------
    pandas.DataFrame
        The canonical reports frame (see the module docstring); ``_file`` names the
        file and ``_row`` the spreadsheet row (header = 1) of every report.

    Raises
    ------
    InputError
        For bad data, naming the file, row and column: missing or unknown columns,
        unparseable dates, negative or fractional counts, ``date_end`` before
        ``date_start``, repeated ids, empty files or rows, bytes that are not UTF-8,
        values outside a closed set, blank required cells.

    See Also
    --------
    read_acled, read_ucdp, read_tallies, read_events

    Examples
    --------
    >>> import io, tempfile, os
    >>> d = tempfile.mkdtemp(); p = os.path.join(d, "r.csv")
    >>> _ = open(p, "w").write("report_id,date,date_precision,country\\nR1,2024-01-17,week,Iraq\\n")
    >>> df = read_reports(p)
    >>> str(df.date_start[0].date()), str(df.date_end[0].date()), int(df._row[0])
    ('2024-01-15', '2024-01-21', 2)
    """
    fmt = string_like(format, "format", options=FORMATS, lower=True)
    if isinstance(path, (list, tuple)):
        if not path:
            raise ValueError("`path` must name at least one file")
        frames = [read_reports(p, format=fmt) for p in path]
        out = pd.concat(frames, ignore_index=True)
        _check_unique_across(out)
        out.attrs = combine_attrs(frames)
        return out
    raw = load_table(path)
    if fmt == "auto":
        fmt = detect_format(raw.columns)
        if fmt is None:
            raise InputError(
                "cannot tell the format from the header: expected 'report_id' (canonical "
                "reports), 'event_id_cnty' (ACLED export) or 'id' and 'date_prec' (UCDP GED "
                "export); pass format='canonical', 'acled' or 'ucdp'",
                file=raw.file, row=1)
    if fmt == "acled":
        from .acled import _acled_from_raw
        return _acled_from_raw(raw)
    if fmt == "ucdp":
        from .ucdp import _ucdp_from_raw
        return _ucdp_from_raw(raw)
    return _canonical_from_raw(raw)


def read_canonical_reports(path) -> pd.DataFrame:
    """Read the canonical report table (``format="canonical"``)."""
    return read_reports(path, format="canonical")


def _check_unique_across(frame: pd.DataFrame) -> None:
    ids = frame["report_id"]
    dup = ids.duplicated()
    if dup.any():
        j = int(np.argmax(dup.to_numpy()))
        i = int(np.flatnonzero((ids.iloc[:j] == ids.iloc[j]).to_numpy())[0])
        raise InputError(
            f"{ids.iloc[j]!r} appears twice: also in {frame['_file'].iloc[i]} row "
            f"{int(frame['_row'].iloc[i])}; report_id must be unique across files",
            file=frame["_file"].iloc[j], row=int(frame["_row"].iloc[j]), column="report_id")


# ------------------------------------------------------------------------- canonical
def _canonical_from_raw(raw: RawTable) -> pd.DataFrame:
    allowed = [c.name for c in REPORT_COLUMNS]
    cv.check_columns(raw, required=("report_id", "country"), allowed=allowed,
                     table="a reports table")
    cols = set(raw.columns)
    if "date" not in cols and "date_start" not in cols:
        raise InputError("the header needs a 'date' column, or 'date_start' and 'date_end' "
                         "columns (leave cells blank where a report has no date)",
                         file=raw.file, row=1, column="date")
    if "date_end" in cols and "date_start" not in cols and "date" not in cols:
        raise InputError("'date_end' needs a 'date_start' (or 'date') column beside it",
                         file=raw.file, row=1, column="date_start")
    cv.require_nonblank(raw, "report_id")
    cv.check_unique(raw, "report_id")
    cv.require_nonblank(raw, "country")

    n = raw.n_rows
    nat = np.full(n, np.datetime64("NaT"), "datetime64[D]")
    date = cv.to_dates(raw, "date") if "date" in cols else nat
    d0 = cv.to_dates(raw, "date_start") if "date_start" in cols else nat
    d1 = cv.to_dates(raw, "date_end") if "date_end" in cols else nat
    if "date_precision" in cols:
        prec = cv.to_enum(raw, "date_precision", DATE_PRECISIONS).to_numpy(object)
        prec = np.where(pd.isna(prec), None, prec)
    else:
        prec = np.full(n, None, object)

    has0, has1, hasd = ~np.isnat(d0), ~np.isnat(d1), ~np.isnat(date)
    i = cv.first_true(has1 & ~has0 & ~hasd)
    if i >= 0:
        cv.fail(raw, i, "date_start", "date_end is given but date_start (and date) are blank")
    start, end = date_interval(raw, date=date, start=d0, end=d1, precision=prec)
    ids = cv.to_str(raw, "report_id")
    text = {c: cv.to_str(raw, c) for c in _TEXT if c in cols}
    counts = {c: cv.to_counts(raw, c) for c in _COUNTS if c in cols}
    extras = {c: cv.to_str(raw, c) for c in cv.extra_columns(raw)}
    return assemble_reports(raw, report_id=ids, start=start, end=end, precision=prec,
                            text=text, counts=counts, extras=extras)


def const_str(value: str, n: int) -> pd.api.extensions.ExtensionArray:
    """``n`` copies of ``value`` as a ``str`` array (built in Arrow, not Python)."""
    import pyarrow as pa

    data = value.encode("utf-8")
    offsets = np.arange(n + 1, dtype=np.int64) * len(data)
    arr = pa.Array.from_buffers(pa.large_string(), n,
                                [None, pa.py_buffer(offsets), pa.py_buffer(data * n)])
    return pd.Series(arr.to_pandas(), dtype="str").array


def date_interval(raw: RawTable, *, date, start, end, precision, date_column="date",
                  start_column="date_start", end_column="date_end"):
    """Resolve explicit and implied bounds into inclusive ``(start, end)``; fills ``precision``.

    An explicit ``date_start``/``date_end`` wins; a missing bound comes from the period of
    ``date_precision`` containing the anchor day (``date``, else ``date_start``). Blank
    precision means ``day`` for a single date, and is inferred from the length of an
    explicit range (see :func:`analysis.io._dates.infer_precision`).
    """
    has0, has1, hasd = ~np.isnat(start), ~np.isnat(end), ~np.isnat(date)
    anchor = np.where(hasd, date, start)
    no_prec = pd.isna(precision)
    explicit = has0 & has1
    todo = no_prec & explicit
    if todo.any():
        precision[todo] = infer_precision(start[todo], end[todo])
    precision[no_prec & ~explicit & ~np.isnat(anchor)] = "day"
    p0, p1 = precision_interval(anchor, precision)
    lo = np.where(has0, start, p0)
    hi = np.where(has1, end, p1)
    with np.errstate(invalid="ignore"):
        reversed_ = ~np.isnat(lo) & ~np.isnat(hi) & (hi < lo)
    i = cv.first_true(reversed_)
    if i >= 0:
        # name the cell the user wrote: date_end when given, else the date_start that overshoots
        column = end_column if has1[i] else start_column
        cv.fail(raw, i, column, f"{end_column} {hi[i]} is before {start_column} {lo[i]}"
                + ("" if has1[i] else f" (the end of the {precision[i]} containing the date)"))
    with np.errstate(invalid="ignore"):
        outside = hasd & explicit & ((date < start) | (date > end))
    i = cv.first_true(outside)
    if i >= 0:
        cv.fail(raw, i, date_column,
                f"date {date[i]} is outside the range {start[i]} to {end[i]} given by "
                f"{start_column} and {end_column}")
    return lo, hi


def written_span(first, last):
    """``(earliest, latest)`` day written in a file, as ISO date strings (``None`` when it
    has no dated row). Strings, so the frame's ``attrs`` survive a Parquet round trip.

    Event exports write one day per event (ACLED ``event_date``) or the event's own
    range (GED ``date_start``/``date_end``); the coverage window inferred by
    :func:`analysis.normalize.normalize` never extends past these days, whatever the
    precision widens an event's interval to.
    """
    a = np.asarray(first, "datetime64[D]")
    b = np.asarray(last, "datetime64[D]")
    a, b = a[~np.isnat(a)], b[~np.isnat(b)]
    if not len(a) or not len(b):
        return None
    return str(a.min()), str(b.max())


def combine_attrs(frames) -> dict:
    """``attrs`` of concatenated report frames: the event id name when all frames share it,
    and the union of their written spans (None when a frame has none: no clipping)."""
    ids = {f.attrs.get("event_id") for f in frames}
    out = {}
    if len(ids) == 1 and None not in ids:
        out["event_id"] = ids.pop()
    spans = [f.attrs.get("written_span") for f in frames]
    if spans and all(sp is not None for sp in spans):
        out["written_span"] = (min(sp[0] for sp in spans), max(sp[1] for sp in spans))
    return out


def assemble_events(raw: RawTable, *, id_column: str, id_label: str, span, **parts) -> pd.DataFrame:
    """:func:`assemble_reports` for a coded event dataset (ACLED, UCDP GED): the exporter's id in
    ``id_column`` is both ``report_id`` and ``incident_id``; ``attrs`` name the id (``id_label``,
    for the ledger) and the ``span`` of days the file writes (:func:`written_span`)."""
    ids = cv.to_str(raw, id_column)
    out = assemble_reports(raw, report_id=ids, incident_id=ids, **parts)
    out.attrs["event_id"] = id_label
    out.attrs["written_span"] = span
    return out


def assemble_reports(raw: RawTable, *, report_id, start, end, precision, text, counts,
                     extras, incident_id=None) -> pd.DataFrame:
    """Build the canonical frame in column order; absent columns are all-missing."""
    n = raw.n_rows
    missing_str = pd.Series(np.full(n, np.nan, object), dtype="str")
    out = pd.DataFrame({"report_id": report_id.array})
    out["incident_id"] = (incident_id if incident_id is not None
                          else text.get("incident_id", missing_str)).array
    out["date_start"] = np.asarray(start, "datetime64[D]").astype("datetime64[ns]")
    out["date_end"] = np.asarray(end, "datetime64[D]").astype("datetime64[ns]")
    out["date_precision"] = pd.array(precision, dtype="str")
    for c in ("country", "location", "actor", "weapon", "source", "source_url", "notes"):
        out[c] = text.get(c, missing_str).array
    for c in _COUNTS:
        s = counts.get(c)
        out[c] = (pd.arrays.IntegerArray(np.zeros(n, np.int64), np.ones(n, bool)) if s is None
                  else s.astype("Int64").array)
    for c, s in extras.items():
        out[c] = s.array if isinstance(s, pd.Series) else s
    out["_file"] = const_str(raw.file, n)
    out["_row"] = np.arange(2, n + 2, dtype=np.int64)
    return out
