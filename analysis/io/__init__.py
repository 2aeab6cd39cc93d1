"""Readers and writers of the input tables, with validation (DESIGN section 3).

Readers return the canonical frames the normalize stage consumes:

- :func:`read_reports` (canonical table, ACLED export or UCDP GED export; ``format="auto"``
  tells them apart from the header), :func:`read_acled`, :func:`read_ucdp`;
- :func:`read_tallies`; :func:`read_events`; :func:`read_aliases` (place-name aliases).

CSV and Parquet are accepted everywhere (by suffix), and so is a DataFrame. Every cell
is read as text first and converted column by column, so bad data raise
:class:`analysis.schema.InputError` naming the file, the spreadsheet row (header = 1)
and the column. Every frame carries ``_file`` and ``_row`` for the ledger.
"""

from .acled import read_acled
from .aliases import read_aliases
from .events import read_events
from .reports import detect_format, read_reports
from .tallies import read_tallies
from .ucdp import read_ucdp
from .write import write_events, write_reports, write_tallies, write_table

__all__ = [
    "read_reports", "read_tallies", "read_events", "read_aliases", "read_acled", "read_ucdp", "detect_format",
    "write_reports", "write_tallies", "write_events", "write_table",
]
