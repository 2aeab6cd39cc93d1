"""Political events: what happened when, for attribution and event terms.

The canonical frame has, in order::

    event_id, date, end_date, kind, label, source_url, x_* (carried), _file, _row

``date`` and ``end_date`` are ``datetime64[ns]``; ``end_date`` is NaT for one-day
events and is inclusive otherwise.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..schema import EVENT_COLUMNS
from . import _convert as cv
from ._csv import load_table

__all__ = ["read_events", "EVENT_OUTPUT_COLUMNS"]

EVENT_OUTPUT_COLUMNS = ("event_id", "date", "end_date", "kind", "label", "source_url")


def read_events(path) -> pd.DataFrame:
    """Read a canonical event table (CSV or Parquet) with validation.

    Parameters
    ----------
    path : str, os.PathLike or pandas.DataFrame

    Returns
    -------
    pandas.DataFrame
        The canonical events frame (see the module docstring).

    Raises
    ------
    InputError
        Naming file, row and column: missing or unknown columns, blank ``event_id``,
        ``date`` or ``label``, unparseable dates, ``end_date`` before ``date``,
        repeated ``event_id``, empty files or rows, bytes that are not UTF-8.

    Examples
    --------
    >>> import tempfile, os
    >>> p = os.path.join(tempfile.mkdtemp(), "e.csv")
    >>> _ = open(p, "w").write("event_id,date,end_date,kind,label\\nE1,2024-01-28,,attack,Tower 22\\n")
    >>> e = read_events(p)
    >>> str(e.date[0].date()), bool(pd.isna(e.end_date[0])), int(e._row[0])
    ('2024-01-28', True, 2)
    """
    raw = load_table(path)
    cv.check_columns(raw, required=("event_id", "date", "label"),
                     allowed=[c.name for c in EVENT_COLUMNS], table="an events table")
    cols = set(raw.columns)
    cv.require_nonblank(raw, "event_id")
    cv.check_unique(raw, "event_id")
    date = cv.to_dates(raw, "date", required=True)
    nat = np.full(raw.n_rows, np.datetime64("NaT"), "datetime64[D]")
    end = cv.to_dates(raw, "end_date") if "end_date" in cols else nat
    cv.check_order(raw, date, end, first_name="date", last_name="end_date")
    cv.require_nonblank(raw, "label")
    n = raw.n_rows
    missing = pd.Series(np.full(n, np.nan, object), dtype="str")
    out = pd.DataFrame({
        "event_id": cv.to_str(raw, "event_id").array,
        "date": date.astype("datetime64[ns]"),
        "end_date": end.astype("datetime64[ns]"),
    })
    for c in ("kind", "label", "source_url"):
        out[c] = (cv.to_str(raw, c) if c in cols else missing).array
    for c in ("event_id", "kind", "label", "source_url"):
        out[c] = out[c].astype("str")
    for c in cv.extra_columns(raw):
        out[c] = cv.to_str(raw, c).array
    out["_file"] = pd.Series([raw.file] * n, dtype="str")
    out["_row"] = np.arange(2, n + 2, dtype=np.int64)
    return out
