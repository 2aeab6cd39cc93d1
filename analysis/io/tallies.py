"""Tallies: a stated count over an interval, cumulative or not.

The canonical frame has, in order::

    tally_id, since, as_of, count, bound, region, source, outlet, source_url, notes,
    x_* (carried through), _file, _row

``since`` and ``as_of`` are inclusive ``datetime64[ns]``. ``as_of`` may be blank in the
file (NaT here): the normalize stage then excludes the row with the reason
"no as_of date". ``bound`` is one of exact, at_least, more_than, about, at_most (blank
means exact); ``region`` defaults to ``all``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..schema import BOUNDS, TALLY_COLUMNS
from . import _convert as cv
from ._csv import load_table

__all__ = ["read_tallies", "TALLY_OUTPUT_COLUMNS"]

TALLY_OUTPUT_COLUMNS = ("tally_id", "since", "as_of", "count", "bound", "region", "source",
                        "outlet", "source_url", "notes")


def read_tallies(path) -> pd.DataFrame:
    """Read a canonical tally table (CSV or Parquet) with validation.

    Parameters
    ----------
    path : str, os.PathLike or pandas.DataFrame

    Returns
    -------
    pandas.DataFrame
        The canonical tallies frame (see the module docstring) with ``_file`` and
        ``_row`` (spreadsheet row, header = 1).

    Raises
    ------
    InputError
        Naming file, row and column: missing or unknown columns, a blank ``since`` or
        ``count``, unparseable dates, ``as_of`` before ``since``, negative or
        fractional counts, a ``bound`` outside the allowed values, repeated
        ``tally_id``, empty files or rows, bytes that are not UTF-8.

    Examples
    --------
    >>> import tempfile, os
    >>> p = os.path.join(tempfile.mkdtemp(), "t.csv")
    >>> _ = open(p, "w").write("since,as_of,count,bound\\n2023-10-17,2023-11-14,55,\\n"
    ...                        "2023-10-17,,60,at_least\\n")
    >>> t = read_tallies(p)
    >>> list(t["bound"]), list(t["region"]), bool(pd.isna(t["as_of"][1]))
    (['exact', 'at_least'], ['all', 'all'], True)
    """
    raw = load_table(path)
    cv.check_columns(raw, required=("since", "as_of", "count"),
                     allowed=[c.name for c in TALLY_COLUMNS], table="a tallies table")
    cols = set(raw.columns)
    if "tally_id" in cols:
        cv.check_unique(raw, "tally_id", skip_blank=True)
    since = cv.to_dates(raw, "since", required=True)
    as_of = cv.to_dates(raw, "as_of")
    cv.check_order(raw, since, as_of, first_name="since", last_name="as_of")
    count = cv.to_counts(raw, "count", required=True)
    n = raw.n_rows
    missing = pd.Series(np.full(n, np.nan, object), dtype="str")
    out = pd.DataFrame({
        "tally_id": (cv.to_str(raw, "tally_id") if "tally_id" in cols else missing).array,
        "since": since.astype("datetime64[ns]"),
        "as_of": as_of.astype("datetime64[ns]"),
    })
    out["tally_id"] = out["tally_id"].astype("str")
    out["count"] = count.astype("Int64").array
    out["bound"] = (cv.to_enum(raw, "bound", BOUNDS, default="exact") if "bound" in cols
                    else pd.Series(["exact"] * n, dtype="str")).array
    if "region" in cols:
        region = cv.to_str(raw, "region").fillna("all")
    else:
        region = pd.Series(["all"] * n, dtype="str")
    out["region"] = region.array
    for c in ("source", "outlet", "source_url", "notes"):
        out[c] = (cv.to_str(raw, c) if c in cols else missing).array
    for c in ("bound", "region", "source", "outlet", "source_url", "notes"):
        out[c] = out[c].astype("str")
    for c in cv.extra_columns(raw):
        out[c] = cv.to_str(raw, c).array
    out["_file"] = pd.Series([raw.file] * n, dtype="str")
    out["_row"] = np.arange(2, n + 2, dtype=np.int64)
    return out
