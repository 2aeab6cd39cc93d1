"""Time labels: parse what users write in a time column, and write labels back.

Accepted forms (DESIGN section 6): ISO dates ``2024-01-15``, months ``2024-01``,
ISO weeks ``2024-W03``, quarters ``2024Q1`` and integer years ``1851``. One column must
use one form. Each label becomes a half-open interval ``[start, end)`` of days.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from .schema import InputError

__all__ = ["parse_time_labels", "format_labels", "period_bounds", "FREQ_ALIASES"]

_PATTERNS = {
    "D": re.compile(r"^\d{4}-\d{2}-\d{2}$"),
    "W": re.compile(r"^\d{4}-W\d{2}$"),
    "M": re.compile(r"^\d{4}-\d{2}$"),
    "Q": re.compile(r"^\d{4}-?Q[1-4]$"),
    "Y": re.compile(r"^-?\d{1,4}$"),
}

#: pandas offset used for each frequency code (weeks are ISO weeks starting Monday).
FREQ_ALIASES = {"D": "D", "W": "W-MON", "M": "MS", "Q": "QS", "Y": "YS"}


def _detect(values: list[str], *, file=None, column=None) -> str:
    first = values[0]
    for code, pat in _PATTERNS.items():
        if pat.match(first):
            break
    else:
        raise InputError(
            f"cannot read {first!r} as a time label; use an ISO date (2024-01-15), "
            "a month (2024-01), an ISO week (2024-W03), a quarter (2024Q1) or a year (1851)",
            file=file, row=2, column=column,
        )
    pat = _PATTERNS[code]
    for i, v in enumerate(values):
        if not pat.match(v):
            raise InputError(
                f"time label {v!r} does not have the form of the first label {first!r}",
                file=file, row=i + 2, column=column,
            )
    return code


def period_bounds(labels, *, file=None, column=None) -> tuple[pd.DatetimeIndex, pd.DatetimeIndex, str]:
    """Parse labels into ``(start, end, freq)`` with ``end`` exclusive.

    Examples
    --------
    >>> s, e, f = period_bounds(["2024-W01", "2024-W02"])
    >>> f, str(s[0].date()), str(e[0].date())
    ('W', '2024-01-01', '2024-01-08')
    """
    values = [str(v).strip() for v in labels]
    if not values:
        raise InputError("the time column is empty", file=file, column=column)
    if any(v in ("", "nan", "NaN", "None", "<NA>") for v in values):
        i = next(i for i, v in enumerate(values) if v in ("", "nan", "NaN", "None", "<NA>"))
        raise InputError("missing time label", file=file, row=i + 2, column=column)
    code = _detect(values, file=file, column=column)
    for i, v in enumerate(values):  # nanosecond timestamps span 1678-2261
        year = int(v[:4]) if code != "Y" else int(v)
        if not 1678 <= year <= 2261:
            raise InputError(f"time label {v!r} is outside the supported years 1678-2261",
                             file=file, row=i + 2, column=column)
    try:
        if code == "D":
            start = pd.DatetimeIndex(pd.to_datetime(values, format="%Y-%m-%d"))
            end = start + pd.Timedelta(days=1)
        elif code == "W":
            start = pd.DatetimeIndex(
                [pd.Timestamp.fromisocalendar(int(v[:4]), int(v[6:8]), 1) for v in values]
            )
            end = start + pd.Timedelta(days=7)
        elif code == "M":
            start = pd.DatetimeIndex(pd.to_datetime(values, format="%Y-%m"))
            end = start + pd.offsets.MonthBegin(1)
        elif code == "Q":
            per = pd.PeriodIndex([v.replace("-", "") for v in values], freq="Q")
            start = per.start_time.normalize()
            end = (per + 1).start_time.normalize()
        else:
            years = [int(v) for v in values]
            start = pd.DatetimeIndex([pd.Timestamp(year=y, month=1, day=1) for y in years])
            end = pd.DatetimeIndex([pd.Timestamp(year=y + 1, month=1, day=1) for y in years])
    except (ValueError, OverflowError) as exc:
        for i, v in enumerate(values):
            try:
                _parse_one(v, code)
            except (ValueError, OverflowError) as one:
                raise InputError(f"cannot read {v!r} as a time label: {one}",
                                 file=file, row=i + 2, column=column) from None
        raise InputError(f"cannot read the time labels: {exc}", file=file, column=column) from None
    start = pd.DatetimeIndex(start).as_unit("ns")
    end = pd.DatetimeIndex(end).as_unit("ns")
    if len(start) > 1 and np.any(np.diff(start.asi8) <= 0):
        i = int(np.argmax(np.diff(start.asi8) <= 0)) + 1
        raise InputError(
            f"time labels must increase strictly; {values[i]!r} follows {values[i - 1]!r}",
            file=file, row=i + 2, column=column,
        )
    return start, end, code


def _parse_one(v: str, code: str) -> pd.Timestamp:
    if code == "D":
        return pd.Timestamp(pd.to_datetime(v, format="%Y-%m-%d"))
    if code == "W":
        return pd.Timestamp.fromisocalendar(int(v[:4]), int(v[6:8]), 1)
    if code == "M":
        return pd.Timestamp(pd.to_datetime(v, format="%Y-%m"))
    if code == "Q":
        return pd.Period(v.replace("-", ""), freq="Q").start_time
    return pd.Timestamp(year=int(v), month=1, day=1)


def parse_time_labels(labels, **kw) -> pd.DatetimeIndex:
    """Start day of each label (see :func:`period_bounds`)."""
    return period_bounds(labels, **kw)[0]


def format_labels(start, freq: str | None) -> list[str]:
    """Labels for interval starts at a frequency: the inverse of :func:`period_bounds`."""
    start = pd.DatetimeIndex(start)
    if freq == "W":
        return [f"{d.isocalendar()[0]:04d}-W{d.isocalendar()[1]:02d}" for d in start]
    if freq == "M":
        return [d.strftime("%Y-%m") for d in start]
    if freq == "Q":
        return [f"{d.year}Q{(d.month - 1) // 3 + 1}" for d in start]
    if freq == "Y":
        return [str(d.year) for d in start]
    return [d.strftime("%Y-%m-%d") for d in start]
