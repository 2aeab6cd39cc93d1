"""Write canonical frames back to CSV or Parquet (by suffix).

Writers drop the provenance columns ``_file`` and ``_row``, write dates as
``YYYY-MM-DD`` and counts as whole numbers, so that reading the written file gives back
the same frame (apart from ``_file``, which names the new file).
"""

from __future__ import annotations

import os

import pandas as pd

from .._validation import path_like
from ._csv import PARQUET_SUFFIXES
from .events import EVENT_OUTPUT_COLUMNS
from .reports import REPORT_OUTPUT_COLUMNS
from .tallies import TALLY_OUTPUT_COLUMNS

__all__ = ["write_reports", "write_tallies", "write_events", "write_table"]


def write_table(frame: pd.DataFrame, path, *, columns=None) -> str:
    """Write ``frame`` (less ``_file``/``_row``) to CSV or Parquet; returns the path.

    Parameters
    ----------
    frame : pandas.DataFrame
    path : str or os.PathLike
        Parquet when the suffix is ``.parquet``/``.pq``/``.parq``, CSV otherwise.
    columns : sequence of str, optional
        Leading columns in this order (those present); ``x_*`` columns follow.
    """
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"`frame` must be a pandas DataFrame; got {type(frame).__name__}")
    path = path_like(path, "path")
    if columns is None:
        keep = [c for c in frame.columns if c not in ("_file", "_row")]
    else:
        keep = [c for c in columns if c in frame.columns]
        keep += [c for c in frame.columns if str(c).startswith("x_") and c not in keep]
    out = frame.loc[:, keep]
    if path.lower().endswith(PARQUET_SUFFIXES):
        out.to_parquet(path, index=False)
    else:
        out.to_csv(path, index=False, date_format="%Y-%m-%d", lineterminator="\n")
    return os.fspath(path)


def write_reports(frame: pd.DataFrame, path) -> str:
    """Write a canonical reports frame (explicit ``date_start``/``date_end``)."""
    return write_table(frame, path, columns=REPORT_OUTPUT_COLUMNS)


def write_tallies(frame: pd.DataFrame, path) -> str:
    """Write a canonical tallies frame."""
    return write_table(frame, path, columns=TALLY_OUTPUT_COLUMNS)


def write_events(frame: pd.DataFrame, path) -> str:
    """Write a canonical events frame."""
    return write_table(frame, path, columns=EVENT_OUTPUT_COLUMNS)
