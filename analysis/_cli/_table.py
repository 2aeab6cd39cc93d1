"""Reading the count table of ``fit``, ``changepoints``, ``panel`` and ``monitor``.

One reader, so every command gives the same answer on the same file: CSV as text
(nothing coerced by a guess, column names as written) or Parquet. Every failure is an
:class:`~analysis.schema.InputError` (exit 1) naming the file and, where it can, the
row and column: an empty file (0 bytes, CSV or Parquet), a header without data rows,
bytes that are not UTF-8, a row with the wrong number of fields, a file that is not
Parquet. The row-by-row diagnosis of a CSV that fails to parse streams the file
(:func:`analysis.io._csv.diagnose_csv`).
"""

from __future__ import annotations

import os

PARQUET = (".parquet", ".pq", ".parq")


def read_table(path: str):
    """The table in ``path`` as a DataFrame (CSV cells as strings)."""
    import pandas as pd

    from ..schema import InputError, check_input_file
    path = os.fspath(path)
    check_input_file(path, empty_ok=False)
    if path.lower().endswith(PARQUET):
        import pyarrow as pa
        import pyarrow.parquet as pq
        try:
            table = pq.read_table(path).to_pandas()
        except (pa.ArrowException, OSError, ValueError) as exc:
            raise InputError(f"cannot read the file as Parquet: {exc}", file=path) from None
    else:
        try:
            table = pd.read_csv(path, dtype=str, keep_default_na=False, skip_blank_lines=False,
                                encoding="utf-8")
        except pd.errors.EmptyDataError:
            raise InputError("the file has no header row", file=path, row=1) from None
        except (pd.errors.ParserError, UnicodeDecodeError, ValueError, OSError) as exc:
            from ..io._csv import diagnose_csv
            diagnose_csv(path, path)  # raises naming the row (and column) when it finds one
            raise InputError(f"cannot read the table: {exc}", file=path) from None
        table.columns = [str(c).strip() for c in table.columns]
    if len(table) == 0:
        raise InputError("the table has a header but no data rows", file=path, row=2)
    return table
