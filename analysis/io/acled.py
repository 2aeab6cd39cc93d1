"""ACLED exports -> canonical incident reports.

Mapping (ACLED column -> canonical column)::

    event_id_cnty -> report_id, incident_id
    event_date + time_precision -> date_start, date_end
    actor1        -> actor            sub_event_type -> weapon
    country, location, source, notes, fatalities -> same names

ACLED is a coded event dataset: each row is one event, deduplicated by ACLED's coders,
so ``incident_id`` is the row's own ``event_id_cnty`` and :func:`analysis.normalize.normalize`
counts every row as its own incident (``dedupe="auto"``; ``dedupe="reports"`` matches
the rows as news reports instead). The frame's ``attrs["event_id"]`` names the id
(``"ACLED event_id_cnty"``) for the ledger.

Every other column is carried through as ``x_<name>`` (``x_admin1``, ``x_event_type``,
``x_latitude``, ``x_longitude``, ...), so panels can group by them; latitude and
longitude become floats, the rest text.

``time_precision`` (ACLED codebook): 1 = the day is known; 2 = only the week is known;
3 = only the month is known. For 2 and 3 ACLED still writes one day in
``event_date``, a day inside the reported week or month; the report's interval is the
ISO week (Monday to Sunday) or the calendar month containing that day.
``event_date`` may be ISO (``2024-01-15``, as the API writes it) or ``15 January 2024``
(as the export tool writes it).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import _convert as cv
from ._csv import RawTable, load_table
from .reports import assemble_events, date_interval, written_span

__all__ = ["read_acled", "ACLED_COLUMNS", "ACLED_REQUIRED", "ACLED_TIME_PRECISION"]

#: Columns of an ACLED export that this reader maps or carries.
ACLED_COLUMNS = ("event_id_cnty", "event_date", "time_precision", "event_type", "sub_event_type",
                 "actor1", "country", "admin1", "location", "latitude", "longitude",
                 "fatalities", "source", "notes")
ACLED_REQUIRED = ("event_id_cnty", "event_date", "time_precision", "country")
#: ACLED ``time_precision`` code -> canonical ``date_precision``.
ACLED_TIME_PRECISION = {"1": "day", "2": "week", "3": "month"}

_TEXT = {"country": "country", "location": "location", "actor1": "actor",
         "sub_event_type": "weapon", "source": "source", "notes": "notes"}
_MAPPED = {"event_id_cnty", "event_date", "time_precision", "fatalities", *_TEXT}


def read_acled(path) -> pd.DataFrame:
    """Read an ACLED export (CSV or Parquet) into the canonical reports frame.

    Parameters
    ----------
    path : str, os.PathLike or pandas.DataFrame

    Returns
    -------
    pandas.DataFrame
        Canonical reports (see :func:`analysis.io.read_reports`) with ``x_*`` columns
        for every ACLED column that has no canonical counterpart.

    Raises
    ------
    InputError
        Naming file, row and column (see :func:`analysis.io.read_reports`).

    Examples
    --------
    >>> import tempfile, os
    >>> p = os.path.join(tempfile.mkdtemp(), "acled.csv")
    >>> _ = open(p, "w").write("event_id_cnty,event_date,time_precision,country,admin1\\n"
    ...                        "IRQ1,2024-01-17,3,Iraq,Anbar\\n")
    >>> df = read_acled(p)
    >>> str(df.date_start[0].date()), str(df.date_end[0].date()), df.date_precision[0], df.x_admin1[0]
    ('2024-01-01', '2024-01-31', 'month', 'Anbar')
    """
    return _acled_from_raw(load_table(path))


def _acled_from_raw(raw: RawTable) -> pd.DataFrame:
    cv.check_columns(raw, required=ACLED_REQUIRED, allowed=None, table="an ACLED export")
    cv.require_nonblank(raw, "event_id_cnty")
    cv.check_unique(raw, "event_id_cnty")
    cv.require_nonblank(raw, "country")
    day = cv.to_dates(raw, "event_date", required=True, extra_formats=("%d %B %Y", "%d-%B-%Y"))
    prec = cv.to_enum(raw, "time_precision", (), mapping=ACLED_TIME_PRECISION,
                      required=True).to_numpy(object)
    nat = np.full(raw.n_rows, np.datetime64("NaT"), "datetime64[D]")
    start, end = date_interval(raw, date=day, start=nat, end=nat, precision=prec,
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
        else:
            extras[name] = cv.to_str(raw, col)
    return assemble_events(raw, id_column="event_id_cnty", id_label="ACLED event_id_cnty", span=written_span(day, day), start=start,
                           end=end, precision=prec, text=text, counts=counts, extras=extras)
