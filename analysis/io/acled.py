"""ACLED exports -> canonical incident reports.

Mapping (ACLED column -> canonical column)::

    event_id_cnty -> report_id, incident_id
    event_date + time_precision -> date_start, date_end, date_precision
    actor1        -> actor            sub_event_type -> weapon
    country, location, source, notes, fatalities -> same names

ACLED is a coded event dataset: each row is one event, deduplicated by ACLED's coders,
so ``incident_id`` is the row's own ``event_id_cnty`` and :func:`analysis.normalize.normalize`
counts every row as its own incident (``dedupe="auto"``; ``dedupe="reports"`` matches
the rows as news reports instead). The frame's ``attrs["event_id"]`` names the id
(``"ACLED event_id_cnty"``) for the ledger.

Every other column is carried through as ``x_<name>``, so panels can group by it (group
names may leave out the ``x_``: ``admin1`` for ``x_admin1``). These are typed:

- ``x_geo_precision``: ``Int64`` code 1, 2 or 3 (codebook, "Spatial precision codes");
- ``x_timestamp``: ``datetime64[s, UTC]`` from ACLED's Unix timestamp (upload time);
- ``x_latitude``, ``x_longitude``: float;
- ``x_actor1``, ``x_actor2``, ``x_sub_event_type``, ``x_inter1``, ``x_inter2``: ``str``.
  ``inter1``/``inter2`` are the actor-type names of the current codebook ("State forces",
  "Rebel group", "Political militia", "Identity militia", "Rioters", "Protesters",
  "Civilians", "External/Other forces"); older exports wrote them as the numeric codes
  1-8, which are read as those names (codebook Table 3: the digits of the interaction
  codes), so files from both periods group alike.

The rest (``x_event_type``, ``x_admin1``, ...) is text. :data:`ACLED_EXPORT_COLUMNS` lists
the 31 columns of a current export, in order (codebook Table 1).

Dates
-----
``event_date`` is read as ISO ``2024-01-15`` (the codebook's "year-month-day", as the API
writes it), ``15 January 2024`` / ``15 Jan 2024`` / ``15-January-2024`` (export tool), or
day-month-year with dashes or slashes, ``15-01-2024`` and ``15/01/2024`` (the "dd-mm-yyyy"
of earlier codebooks). A numeric date whose middle field is above 12 (``01/15/2024``) is
month-first, which ACLED never writes: the file is refused, naming the row, rather than
some of its dates read one way and some the other.

Time precision (ACLED Codebook, section "Event Time", "Time precision codes",
https://acleddata.com/knowledge-base/codebook/)
------------------------------------------------------------------------------------
1 = the source gives the actual date: the interval is that day.

2 = the source says the event happened during a week or a similar period (a weekend);
ACLED records "the middle of the period" as ``event_date`` (Wednesday or Thursday for a
week). The interval is the 7 days centred on ``event_date``, ``[d - 3, d + 3]``: a
Sunday-to-Saturday week has its middle on Wednesday and a Monday-to-Sunday week on
Thursday, so both are recovered exactly, and so is any shorter period (a weekend)
whose middle is ``d``. It is *not* the ISO week containing ``d``, which would place a
Wednesday-centred week one day late.

3 = the source gives only the month (or "the past two or three weeks"): ACLED records the
month's midpoint, or its first or last day when the beginning or end of the month is
reported. The interval is the calendar month containing ``event_date``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from . import _convert as cv
from ._csv import RawTable, first_true, load_table
from .reports import assemble_events, date_interval, written_span

__all__ = ["read_acled", "ACLED_COLUMNS", "ACLED_EXPORT_COLUMNS", "ACLED_REQUIRED",
           "ACLED_TIME_PRECISION", "ACLED_INTER", "ACLED_DATE_FORMATS", "acled_interval"]

#: Columns of an ACLED export that this reader maps or carries with a type.
ACLED_COLUMNS = ("event_id_cnty", "event_date", "time_precision", "event_type", "sub_event_type",
                 "actor1", "actor2", "inter1", "inter2", "country", "admin1", "location",
                 "latitude", "longitude", "geo_precision", "fatalities", "source", "notes",
                 "timestamp")
#: The 31 columns of a current ACLED export, in order (ACLED Codebook, Table 1).
ACLED_EXPORT_COLUMNS = (
    "event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type",
    "sub_event_type", "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2",
    "interaction", "civilian_targeting", "iso", "region", "country", "admin1", "admin2",
    "admin3", "location", "latitude", "longitude", "geo_precision", "source", "source_scale",
    "notes", "fatalities", "tags", "timestamp")
ACLED_REQUIRED = ("event_id_cnty", "event_date", "time_precision", "country")
#: ACLED ``time_precision`` code -> canonical ``date_precision``.
ACLED_TIME_PRECISION = {"1": "day", "2": "week", "3": "month"}
#: ACLED ``geo_precision`` codes (codebook, "Spatial precision codes").
ACLED_GEO_PRECISION = {1: "the town", 2: "a part of a region, or near a town",
                       3: "a larger region"}
#: Legacy numeric ``inter1``/``inter2`` codes -> the actor-type names exports write now.
ACLED_INTER = {"1": "State forces", "2": "Rebel group", "3": "Political militia",
               "4": "Identity militia", "5": "Rioters", "6": "Protesters", "7": "Civilians",
               "8": "External/Other forces"}
#: ``event_date`` forms besides ISO, tried in this order (all day first).
ACLED_DATE_FORMATS = ("%d %B %Y", "%d %b %Y", "%d-%B-%Y", "%d-%b-%Y", "%d-%m-%Y", "%d/%m/%Y")
_FORMS = ("YYYY-MM-DD (2022-02-23), D Month YYYY (23 February 2022) or day-month-year "
          "DD-MM-YYYY / DD/MM/YYYY (23-02-2022, 23/02/2022)")
_MONTH_FIRST = r"^(\d{1,2})[/-](\d{1,2})[/-](\d{4})$"

_TEXT = {"country": "country", "location": "location", "actor1": "actor",
         "sub_event_type": "weapon", "source": "source", "notes": "notes"}
_MAPPED = {"event_id_cnty", "event_date", "time_precision", "fatalities", "country",
           "location", "source", "notes"}  # actor1 and sub_event_type are also kept as x_*
_DAY = np.timedelta64(1, "D")


def acled_interval(day: np.ndarray, precision: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Inclusive ``(start, end)`` of ACLED events from ``event_date`` and the precision label.

    ``day``: the date itself; ``week``: the 7 days centred on it; ``month``: its calendar
    month (see the module notes for the codebook's rule).

    Examples
    --------
    >>> d = np.array(["2022-02-23"] * 3, "datetime64[D]")   # a Wednesday
    >>> s, e = acled_interval(d, np.array(["day", "week", "month"], object))
    >>> [str(x) for x in s], [str(x) for x in e]
    (['2022-02-23', '2022-02-20', '2022-02-01'], ['2022-02-23', '2022-02-26', '2022-02-28'])
    """
    day = np.asarray(day, "datetime64[D]")
    prec = np.asarray(precision, object)
    start, end = day.copy(), day.copy()
    w = prec == "week"
    start[w], end[w] = day[w] - 3 * _DAY, day[w] + 3 * _DAY
    m = (prec == "month") & ~np.isnat(day)
    mon = day[m].astype("datetime64[M]")
    start[m] = mon.astype("datetime64[D]")
    end[m] = (mon + 1).astype("datetime64[D]") - _DAY
    return start, end


def read_acled(path) -> pd.DataFrame:
    """Read an ACLED export (CSV or Parquet) into the canonical reports frame.

    Parameters
    ----------
    path : str, os.PathLike or pandas.DataFrame

    Returns
    -------
    pandas.DataFrame
        Canonical reports (see :func:`analysis.io.read_reports`) with ``x_*`` columns
        for every ACLED column that has no canonical counterpart (typed as the module
        notes say).

    Raises
    ------
    InputError
        Naming file, row and column (see :func:`analysis.io.read_reports`); a month-first
        date such as ``02/23/2022``; a ``geo_precision`` other than 1-3; an ``inter1`` code
        outside 1-8; a ``timestamp`` that is not whole Unix seconds.

    Examples
    --------
    >>> import tempfile, os
    >>> p = os.path.join(tempfile.mkdtemp(), "acled.csv")
    >>> _ = open(p, "w").write("event_id_cnty,event_date,time_precision,country,admin1\\n"
    ...                        "IRQ1,17/01/2024,3,Iraq,Anbar\\n")
    >>> df = read_acled(p)
    >>> str(df.date_start[0].date()), str(df.date_end[0].date()), df.date_precision[0], df.x_admin1[0]
    ('2024-01-01', '2024-01-31', 'month', 'Anbar')
    """
    return _acled_from_raw(load_table(path))


def refuse_month_first(raw: RawTable, column: str) -> None:
    """Raise when a numeric date in ``column`` can only be month-first (``02/23/2022``)."""
    col = raw.column(column)
    hit = pc.match_substring_regex(col, _MONTH_FIRST)
    if not pc.any(pc.fill_null(hit, False)).as_py():
        return
    mid = pc.replace_substring_regex(pc.if_else(hit, col, pa.scalar("1/1/2000")),
                                     pattern=_MONTH_FIRST, replacement=r"\2")
    bad = pc.greater(pc.cast(mid, pa.int64()), 12)
    i = first_true(bad)
    if i >= 0:
        value = raw.column(column)[i].as_py()
        cv.fail(raw, i, column,
                f"{value!r} is month-first (there is no month "
                f"{int(pc.cast(mid, pa.int64())[i].as_py())}); ACLED writes event_date as "
                f"{_FORMS}. The file's numeric dates cannot be read day-first: re-export "
                "it, or convert the column to YYYY-MM-DD")


def _acled_from_raw(raw: RawTable) -> pd.DataFrame:
    cv.check_columns(raw, required=ACLED_REQUIRED, allowed=None, table="an ACLED export")
    cv.require_nonblank(raw, "event_id_cnty")
    cv.check_unique(raw, "event_id_cnty")
    cv.require_nonblank(raw, "country")
    cv.require_nonblank(raw, "event_date")
    refuse_month_first(raw, "event_date")
    day = cv.to_dates(raw, "event_date", required=True, extra_formats=ACLED_DATE_FORMATS,
                      forms=_FORMS)
    prec = cv.to_enum(raw, "time_precision", (), mapping=ACLED_TIME_PRECISION,
                      required=True).to_numpy(object)
    lo, hi = acled_interval(day, prec)
    start, end = date_interval(raw, date=day, start=lo, end=hi, precision=prec,
                               date_column="event_date")
    text = {canon: cv.to_str(raw, col) for col, canon in _TEXT.items() if col in raw.columns}
    counts = {"fatalities": cv.to_counts(raw, "fatalities")} if "fatalities" in raw.columns else {}
    extras = {}
    for col in raw.columns:
        if col in _MAPPED:
            continue
        name = col if col.startswith("x_") else f"x_{col}"
        if col in ("latitude", "longitude"):
            limit = 90.0 if col == "latitude" else 180.0
            extras[name] = cv.to_float(raw, col, lo=-limit, hi=limit)
        elif col == "geo_precision":
            extras[name] = cv.to_codes(raw, col, ACLED_GEO_PRECISION)
        elif col == "timestamp":
            extras[name] = cv.to_unix_time(raw, col)
        elif col in ("inter1", "inter2"):
            s = cv.to_str(raw, col)
            extras[name] = s.replace(ACLED_INTER).astype("str")
        else:
            extras[name] = cv.to_str(raw, col)
    return assemble_events(raw, id_column="event_id_cnty", id_label="ACLED event_id_cnty",
                           span=written_span(day, day), start=start, end=end, precision=prec,
                           text=text, counts=counts, extras=extras)
