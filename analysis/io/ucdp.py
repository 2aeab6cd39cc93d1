"""UCDP Georeferenced Event Dataset (GED) exports -> canonical incident reports.

Mapping (GED column -> canonical column)::

    id -> report_id, incident_id  date_start, date_end -> date_start, date_end
    date_prec -> date_precision   country -> country
    where_coordinates -> location side_a -> actor
    best -> fatalities            source_article -> source

Every other column is carried through as ``x_<name>`` (group names may leave out the
``x_``). These are typed (GED codebook 23.1, https://ucdp.uu.se/downloads/):

- ``x_low``, ``x_high``: ``Int64``, the low and high fatality estimates around ``best``
  (kept as written; a DataWarning names rows where they are not nested around ``best``);
  ``fatalities`` is ``best``. With
  ``measure="fatalities"`` (:func:`analysis.normalize.normalize`) they become the band
  ``count_low``/``count_high`` of the fatality series;
- ``x_where_prec`` (1-7), ``x_event_clarity`` (1-2), ``x_type_of_violence`` (1-3):
  ``Int64`` codes, other values refused;
- ``x_dyad_name``, ``x_side_a``, ``x_side_b``: ``str`` (``side_a`` is also ``actor``).

The rest is text.

GED is a coded event dataset: each row is one event with its own ``id``, so
``incident_id`` is that id and :func:`analysis.normalize.normalize` counts every row as
its own incident by default (``dedupe="reports"`` matches rows as news reports instead).
The frame's ``attrs["event_id"]`` is ``"UCDP GED id"``.

GED states the earliest and latest possible day of each event itself (``date_start``,
``date_end``), so the interval is taken as given. ``date_prec`` (GED codebook):
1 = exact day; 2 = known within 2-6 days; 3 = only the week is known; 4 = known within
8-30 days or only the month; 5 = known within a longer span, up to a calendar year.
These map to ``day``, ``week``, ``week``, ``month``, ``year``; the interval itself is
always ``date_start`` to ``date_end``, whatever the code. Dates may be written
``2023-10-17``, ``2023-10-17 00:00:00.000`` (database exports) or ``2009-02-20T00:00:00``
(GeoJSON and API exports).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from ..schema import DataWarning

from . import _convert as cv
from ._csv import RawTable, load_table
from .reports import assemble_events, date_interval, written_span

__all__ = ["read_ucdp", "UCDP_COLUMNS", "UCDP_REQUIRED", "UCDP_DATE_PREC", "UCDP_CODES"]

UCDP_COLUMNS = ("id", "date_start", "date_end", "date_prec", "country", "where_coordinates",
                "side_a", "best", "source_article")
UCDP_REQUIRED = ("id", "date_start", "date_end", "date_prec", "country")
#: GED ``date_prec`` code -> canonical ``date_precision``.
UCDP_DATE_PREC = {"1": "day", "2": "week", "3": "week", "4": "month", "5": "year"}

_TEXT = {"country": "country", "where_coordinates": "location", "side_a": "actor",
         "source_article": "source"}
_MAPPED = {"id", "date_start", "date_end", "date_prec", "best", "country", "where_coordinates",
           "source_article"}  # side_a is also kept as x_side_a
#: GED integer codes (codebook 23.1) with their meanings, read as ``Int64``.
UCDP_CODES = {
    "where_prec": {1: "exact location", 2: "within 25 km", 3: "second-order administrative division",
                   4: "first-order administrative division", 5: "linear feature or wider area",
                   6: "country", 7: "international waters or airspace"},
    "event_clarity": {1: "clear event", 2: "aggregate or unclear"},
    "type_of_violence": {1: "state-based", 2: "non-state", 3: "one-sided"},
}


def read_ucdp(path) -> pd.DataFrame:
    """Read a UCDP GED export (CSV or Parquet) into the canonical reports frame.

    Parameters
    ----------
    path : str, os.PathLike or pandas.DataFrame

    Returns
    -------
    pandas.DataFrame
        Canonical reports (see :func:`analysis.io.read_reports`) with ``x_*`` columns
        for every GED column that has no canonical counterpart.

    Raises
    ------
    InputError
        Naming file, row and column; ``date_end`` before ``date_start`` included.

    Examples
    --------
    >>> import tempfile, os
    >>> p = os.path.join(tempfile.mkdtemp(), "ged.csv")
    >>> _ = open(p, "w").write("id,date_start,date_end,date_prec,country,best\\n"
    ...                        "7,2023-10-17,2023-10-20,2,Syria,3\\n")
    >>> df = read_ucdp(p)
    >>> str(df.date_end[0].date()), df.date_precision[0], int(df.fatalities[0])
    ('2023-10-20', 'week', 3)
    """
    return _ucdp_from_raw(load_table(path))


def _ucdp_from_raw(raw: RawTable) -> pd.DataFrame:
    cv.check_columns(raw, required=UCDP_REQUIRED, allowed=None, table="a UCDP GED export")
    cv.require_nonblank(raw, "id")
    cv.check_unique(raw, "id")
    cv.require_nonblank(raw, "country")
    d0 = cv.to_dates(raw, "date_start", required=True, midnight_ok=True)
    d1 = cv.to_dates(raw, "date_end", required=True, midnight_ok=True)
    prec = cv.to_enum(raw, "date_prec", (), mapping=UCDP_DATE_PREC, required=True).to_numpy(object)
    date = d0.copy()
    date[:] = d0.dtype.type("NaT")
    start, end = date_interval(raw, date=date, start=d0, end=d1, precision=prec)
    text = {canon: cv.to_str(raw, col) for col, canon in _TEXT.items() if col in raw.columns}
    counts = {"fatalities": cv.to_counts(raw, "best")} if "best" in raw.columns else {}
    extras = {}
    for c in raw.columns:
        if c in _MAPPED:
            continue
        name = c if c.startswith("x_") else f"x_{c}"
        if c in ("low", "high"):
            extras[name] = cv.to_counts(raw, c)
        elif c in UCDP_CODES:
            extras[name] = cv.to_codes(raw, c, UCDP_CODES[c])
        else:
            extras[name] = cv.to_str(raw, c)
    _check_range(raw, counts.get("fatalities"), extras.get("x_low"), extras.get("x_high"))
    return assemble_events(raw, id_column="id", id_label="UCDP GED id", span=written_span(d0, d1), start=start,
                           end=end, precision=prec, text=text, counts=counts, extras=extras)


def _check_range(raw: RawTable, best, low, high) -> None:
    """Warn where GED's estimates are not nested (``low <= best <= high``).

    GED 23.1 has such rows (20 of the 1,848 Central African Republic events): they are kept
    as written, so the fatality band sums the published figures.
    """
    if best is None:
        return
    b = best.to_numpy(float, na_value=np.nan)
    bad = np.zeros(len(b), bool)
    with np.errstate(invalid="ignore"):
        if low is not None:
            bad |= low.to_numpy(float, na_value=np.nan) > b
        if high is not None:
            bad |= high.to_numpy(float, na_value=np.nan) < b
    if bad.any():
        i = int(np.argmax(bad))
        warnings.warn(DataWarning(
            f"{raw.file}: {int(bad.sum())} event(s) have low above best or high below best "
            f"(first: row {i + 2}, id {raw.column('id')[i].as_py()}); kept as written"), stacklevel=4)
