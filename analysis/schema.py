"""Canonical tables, their columns and dtypes, and the package's error and warning types.

Three input tables enter the package (DESIGN section 3): incident *reports*, *tallies*
(counts over an interval, cumulative or not) and political *events*. Readers in
:mod:`analysis.io` map every supported file format onto these canonical frames.

Row numbers
-----------
Every message about a file names its rows as a spreadsheet shows them: the header is
row 1 and the first data row is row 2. Canonical frames read from a file carry that
number in the column ``_row`` and the file name in ``_file`` so that every later stage
(the ledger in particular) can point back at the exact input line.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "IncidentTrendsError",
    "InputError",
    "check_input_file",
    "ModelError",
    "IncidentTrendsWarning",
    "DataWarning",
    "ModelWarning",
    "ConvergenceWarning",
    "DispersionWarning",
    "ColumnSpec",
    "REPORT_COLUMNS",
    "TALLY_COLUMNS",
    "EVENT_COLUMNS",
    "DATE_PRECISIONS",
    "BOUNDS",
    "FREQUENCIES",
    "ALLOCATIONS",
    "SERIES_COLUMNS",
    "LEDGER_COLUMNS",
    "LEDGER_STATUSES",
]


# --------------------------------------------------------------------------- errors
class IncidentTrendsError(Exception):
    """Base class of every error this package raises on purpose."""


class InputError(IncidentTrendsError, ValueError):
    """Bad input data. The message names the file, row and column where known.

    Parameters
    ----------
    message : str
        What is wrong and, where possible, how to fix it.
    file, row, column : optional
        Location of the fault. ``row`` counts as a spreadsheet does (header = 1).
    """

    def __init__(self, message: str, *, file=None, row=None, column=None):
        self.file = None if file is None else str(file)
        self.row = row
        self.column = column
        self.detail = message
        super().__init__(self._compose())

    def _compose(self) -> str:
        where = []
        if self.file is not None:
            where.append(self.file)
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column {self.column!r}")
        return (", ".join(where) + ": " if where else "") + self.detail


def check_input_file(path, *, file=None, empty_ok: bool = True) -> None:
    """Refuse a path that names no file or names a folder, and (unless ``empty_ok``) a
    0-byte file, with the readers' one wording; ``file`` is the name messages give."""
    import os

    where = path if file is None else file
    if not os.path.exists(path):
        raise InputError("no such file", file=where)
    if os.path.isdir(path):
        raise InputError("is a directory, not a file", file=where)
    if not empty_ok and os.path.getsize(path) == 0:
        raise InputError("the file is empty (0 bytes); expected a header row and data rows",
                         file=where, row=1)


class ModelError(IncidentTrendsError, ValueError):
    """A model cannot be fitted to the data as given (too short, collinear, ...)."""


class SchedulerError(IncidentTrendsError, ConnectionError):
    """A Dask scheduler that cannot be reached (address, time waited, what to try)."""


# ------------------------------------------------------------------------- warnings
class IncidentTrendsWarning(UserWarning):
    """Base class of every warning; filter them all with this one class."""


class DataWarning(IncidentTrendsWarning):
    """Something in the data was handled by a rule the user may want to review."""


class ModelWarning(IncidentTrendsWarning):
    """A fit succeeded but deserves caution."""


class ConvergenceWarning(ModelWarning):
    """An optimiser stopped before its convergence criterion held."""


class DispersionWarning(ModelWarning):
    """Counts are markedly over- or under-dispersed relative to the model."""


# -------------------------------------------------------------------------- columns
@dataclass(frozen=True)
class ColumnSpec:
    """One canonical column: its name, kind and whether a file must provide it."""

    name: str
    kind: str  # "str", "int", "float", "date", "category"
    required: bool = False
    doc: str = ""


DATE_PRECISIONS = ("day", "week", "month", "season", "year")
BOUNDS = ("exact", "at_least", "more_than", "about", "at_most")
FREQUENCIES = ("D", "W", "M", "Q")
ALLOCATIONS = ("start", "split", "impute")
#: Event kinds that date features of the series itself (when attacks began, when a lull
#: started): not candidate causes of its changes, so left out of attribution and alignment
#: by default (``[attribution] exclude_kinds``).
DATA_DERIVED_KINDS = ("attacks_begin", "attacks_end", "attacks_resume", "lull_start", "lull_end")

REPORT_COLUMNS: tuple[ColumnSpec, ...] = (
    ColumnSpec("report_id", "str", True, "unique id of the report"),
    ColumnSpec("incident_id", "str", False, "explicit incident id; overrides matching"),
    ColumnSpec("date", "date", False, "day of the incident (or use date_start/date_end)"),
    ColumnSpec("date_start", "date", False, "first possible day (inclusive)"),
    ColumnSpec("date_end", "date", False, "last possible day (inclusive)"),
    ColumnSpec("date_precision", "category", False, "day, week, month, season or year"),
    ColumnSpec("country", "str", True, "country where the incident happened"),
    ColumnSpec("location", "str", False, "place name as reported"),
    ColumnSpec("actor", "str", False, "perpetrator or claimant as reported"),
    ColumnSpec("weapon", "str", False, "weapon type as reported"),
    ColumnSpec("projectiles", "int", False, "number of rockets, drones, missiles"),
    ColumnSpec("fatalities", "int", False, "people killed"),
    ColumnSpec("injuries", "int", False, "people injured"),
    ColumnSpec("source", "str", False, "outlet or author"),
    ColumnSpec("source_url", "str", False, "page that states the fact"),
    ColumnSpec("notes", "str", False, "free text"),
)

TALLY_COLUMNS: tuple[ColumnSpec, ...] = (
    ColumnSpec("tally_id", "str", False, "unique id of the tally row"),
    ColumnSpec("since", "date", True, "first day counted (inclusive)"),
    ColumnSpec("as_of", "date", True, "last day counted (inclusive)"),
    ColumnSpec("count", "int", True, "number of incidents stated"),
    ColumnSpec("bound", "category", False, "exact, at_least, more_than, about, at_most"),
    ColumnSpec("region", "str", False, "area the count covers (e.g. all, Iraq, Syria)"),
    ColumnSpec("source", "str", False, "the counter: whose count it is (Pentagon, a tracker); one series per source"),
    ColumnSpec("outlet", "str", False, "the outlet that carried the statement"),
    ColumnSpec("source_url", "str", False, "page that states the fact"),
    ColumnSpec("notes", "str", False, "free text"),
)

EVENT_COLUMNS: tuple[ColumnSpec, ...] = (
    ColumnSpec("event_id", "str", True, "unique id"),
    ColumnSpec("date", "date", True, "first day of the event"),
    ColumnSpec("end_date", "date", False, "last day, for events that last"),
    ColumnSpec("kind", "str", False, "category, e.g. us_strike, talks"),
    ColumnSpec("label", "str", True, "short human-readable description"),
    ColumnSpec("source_url", "str", False, "page that states the fact"),
)

#: Columns of a CountSeries table, in order (group columns follow).
SERIES_COLUMNS = ("start", "end", "count", "exposure", "lower", "upper", "n_reports")

#: Columns of the ledger: one row per input row, saying what became of it.
LEDGER_COLUMNS = ("file", "row", "table", "record_id", "status", "incident_id", "reason")
#: ``counted``: became (or founded) an incident / tally interval that is counted;
#: ``merged``: a duplicate report folded into ``incident_id``; ``excluded``: not counted, see ``reason``.
LEDGER_STATUSES = ("counted", "merged", "excluded")
