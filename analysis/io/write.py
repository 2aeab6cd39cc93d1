"""Write canonical frames back to CSV or Parquet (by suffix), and CSV outputs safely.

Writers drop the provenance columns ``_file`` and ``_row``, write dates as
``YYYY-MM-DD`` and counts as whole numbers, so that reading the written file gives back
the same frame (apart from ``_file``, which names the new file).

:func:`write_csv` writes the CSV *outputs* (normalize's series and ledger): atomically
(a temporary file in the same folder renamed into place, :mod:`analysis._atomic`), and
with text cells that a spreadsheet would run as a formula neutralised (the OWASP rule
against CSV injection: a cell starting with ``=``, ``+``, ``-``, ``@``, tab or carriage
return gets a leading single quote). Numeric, boolean and date columns are written as
they are; ``raw=True`` switches the neutralisation off.
"""

from __future__ import annotations

import os

import pandas as pd

from .._atomic import atomic_path
from .._validation import path_like
from ._csv import PARQUET_SUFFIXES
from .events import EVENT_OUTPUT_COLUMNS
from .reports import REPORT_OUTPUT_COLUMNS
from .tallies import TALLY_OUTPUT_COLUMNS

__all__ = ["write_reports", "write_tallies", "write_events", "write_table", "write_csv",
           "FORMULA_TRIGGERS"]

#: First characters that make a spreadsheet evaluate a cell (OWASP, "CSV Injection":
#: https://owasp.org/www-community/attacks/CSV_Injection).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with every text cell that starts with a :data:`FORMULA_TRIGGERS` character
    prefixed by a single quote; numeric, boolean and datetime columns untouched.

    Returns the same object when nothing needs changing (else a copy).

    Examples
    --------
    >>> f = pd.DataFrame({"note": ["=HYPERLINK(1)", "ok", "-x"], "n": [-1, 2, 3]})
    >>> neutralise_formulas(f).to_dict("list")
    {'note': ["'=HYPERLINK(1)", 'ok', "'-x"], 'n': [-1, 2, 3]}
    """
    out = frame
    for i, c in enumerate(frame.columns):
        col = frame.iloc[:, i]
        dt = col.dtype
        if (pd.api.types.is_numeric_dtype(dt) or pd.api.types.is_bool_dtype(dt)
                or pd.api.types.is_datetime64_any_dtype(dt) or isinstance(dt, pd.PeriodDtype)
                or pd.api.types.is_timedelta64_dtype(dt)):
            continue
        if isinstance(dt, pd.CategoricalDtype):
            col = col.astype(object)
        mask = col.map(lambda v: isinstance(v, str) and v[:1] in FORMULA_TRIGGERS).to_numpy(bool)
        if not mask.any():
            continue
        if out is frame:
            out = frame.copy()
        fixed = col.astype(object).copy()
        fixed[mask] = ["'" + v for v in fixed[mask]]
        out.isetitem(i, fixed)
    return out


def write_csv(frame: pd.DataFrame, path, *, raw: bool = False, date_format: str | None = None) -> str:
    """Write ``frame`` (without its index) to the CSV file ``path``, atomically; returns the path.

    The file appears complete or not at all (written to a hidden temporary name in the
    same folder, then renamed). Unless ``raw``, text cells starting with ``=``, ``+``,
    ``-``, ``@``, tab or carriage return are prefixed with a single quote so that a
    spreadsheet shows them as text instead of running them as formulas (OWASP rule);
    numeric columns are never changed. Lines end with ``\\n``, except in a file where a text
    cell holds a carriage return: there they end with ``\\r\\n`` (RFC 4180), so that the cell
    is quoted and reads back whole (Python's csv writer quotes only the characters of the
    line terminator).

    Parameters
    ----------
    frame : pandas.DataFrame
    path : str or os.PathLike
    raw : bool
        Write text cells verbatim (for programs that read the file, not spreadsheets).
    date_format : str, optional
        ``strftime`` format for datetime columns.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> f = pd.DataFrame({"source": ["@SUM(A1)", "Reuters"], "count": [-3, 4]})
    >>> print(pathlib.Path(write_csv(f, d / "t.csv")).read_text(), end="")
    source,count
    '@SUM(A1),-3
    Reuters,4
    >>> print(pathlib.Path(write_csv(f, d / "t.csv", raw=True)).read_text().splitlines()[1])
    @SUM(A1),-3
    """
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"`frame` must be a pandas DataFrame; got {type(frame).__name__}")
    path = path_like(path, "path")
    out = frame if raw else neutralise_formulas(frame)
    text = [c for c in out.columns if out[c].dtype == object or pd.api.types.is_string_dtype(out[c])]
    cr = any(out[c].astype(str).str.contains("\r", regex=False).any() for c in text)
    with atomic_path(path) as tmp:
        out.to_csv(tmp, index=False, lineterminator="\r\n" if cr else "\n", date_format=date_format)
    return os.fspath(path)


def write_table(frame: pd.DataFrame, path, *, columns=None) -> str:
    """Write ``frame`` (less ``_file``/``_row``) to CSV or Parquet; returns the path.

    Parameters
    ----------
    frame : pandas.DataFrame
    path : str or os.PathLike
        Parquet when the suffix is ``.parquet``/``.pq``/``.parq``, CSV otherwise.
    columns : sequence of str, optional
        Leading columns in this order (those present); ``x_*`` columns follow.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> import pandas as pd
    >>> path = Path(tempfile.mkdtemp()) / "table.csv"
    >>> _ = write_table(pd.DataFrame({"a": [1, 2], "b": ["x", "y"]}), path)
    >>> path.read_text().splitlines()
    ['a,b', '1,x', '2,y']
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
        with atomic_path(path) as tmp:
            out.to_parquet(tmp, index=False)
    else:  # canonical input tables: raw, so that reading them back gives the same frame
        write_csv(out, path, raw=True, date_format="%Y-%m-%d")
    return os.fspath(path)


def write_reports(frame: pd.DataFrame, path) -> str:
    """Write a canonical reports frame (explicit ``date_start``/``date_end``).

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> import pandas as pd
    >>> from analysis.io import read_reports
    >>> r = read_reports(pd.DataFrame({"report_id": ["r1"], "date": ["2024-01-03"], "country": "X", "location": ["a"]}))
    >>> path = Path(tempfile.mkdtemp()) / "reports.csv"
    >>> _ = write_reports(r, path)
    >>> read_reports(path)["date_start"].dt.strftime("%Y-%m-%d").tolist()
    ['2024-01-03']
    """
    return write_table(frame, path, columns=REPORT_OUTPUT_COLUMNS)


def write_tallies(frame: pd.DataFrame, path) -> str:
    """Write a canonical tallies frame.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> import pandas as pd
    >>> from analysis.io import read_tallies
    >>> t = read_tallies(pd.DataFrame({"tally_id": ["t1"], "since": ["2024-01-01"], "as_of": ["2024-01-07"],
    ...                                "count": [3], "bound": ["more_than"], "region": ["all"], "source": ["ministry"]}))
    >>> path = Path(tempfile.mkdtemp()) / "tallies.csv"
    >>> _ = write_tallies(t, path)
    >>> read_tallies(path)[["count", "bound"]].values.tolist()
    [[3, 'more_than']]
    """
    return write_table(frame, path, columns=TALLY_OUTPUT_COLUMNS)


def write_events(frame: pd.DataFrame, path) -> str:
    """Write a canonical events frame.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> import pandas as pd
    >>> from analysis.io import read_events
    >>> path = Path(tempfile.mkdtemp()) / "events.csv"
    >>> _ = write_events(pd.DataFrame({"event_id": ["E1"], "date": ["2024-02-04"], "label": ["synthetic"]}), path)
    >>> read_events(path)["event_id"].tolist()
    ['E1']
    """
    return write_table(frame, path, columns=EVENT_OUTPUT_COLUMNS)
