"""Intervals of imprecise dates: the ISO week, month, season or year containing a day.

All functions work on whole ``numpy.datetime64[D]`` arrays (NaT passes through).
Intervals are closed: ``end`` is the last possible day, inclusive.

Seasons are meteorological: DJF (December to February, December belongs to the
following winter), MAM, JJA, SON.
"""

from __future__ import annotations

import numpy as np

__all__ = ["precision_interval", "infer_precision"]

_DAY = np.timedelta64(1, "D")


def precision_interval(day: np.ndarray, precision: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(start, end)`` of the period of ``precision`` that contains ``day``.

    Parameters
    ----------
    day : numpy.ndarray of datetime64[D]
    precision : array_like of str
        ``day``, ``week`` (ISO week, Monday to Sunday), ``month``, ``season`` or ``year``;
        anything else (missing) gives the day itself.

    Examples
    --------
    >>> d = np.array(["2024-01-17", "2024-01-17", "2024-01-17", "2024-01-17"], "datetime64[D]")
    >>> s, e = precision_interval(d, np.array(["week", "month", "season", "year"]))
    >>> [str(x) for x in s], [str(x) for x in e]
    (['2024-01-15', '2024-01-01', '2023-12-01', '2024-01-01'], ['2024-01-21', '2024-01-31', '2024-02-29', '2024-12-31'])
    """
    day = np.asarray(day, dtype="datetime64[D]")
    prec = np.asarray(precision, dtype=object)
    start = day.copy()
    end = day.copy()
    known = ~np.isnat(day)

    m = known & (prec == "week")
    if m.any():
        d = day[m]
        monday = d - ((d.astype(np.int64) + 3) % 7) * _DAY  # 1970-01-01 was a Thursday
        start[m], end[m] = monday, monday + 6 * _DAY

    m = known & (prec == "month")
    if m.any():
        mon = day[m].astype("datetime64[M]")
        start[m] = mon.astype("datetime64[D]")
        end[m] = (mon + 1).astype("datetime64[D]") - _DAY

    m = known & (prec == "season")
    if m.any():
        mon = day[m].astype("datetime64[M]").astype(np.int64)
        first = mon - ((mon % 12 + 1) % 3)  # Dec, Mar, Jun, Sep open a season
        start[m] = first.astype("datetime64[M]").astype("datetime64[D]")
        end[m] = (first + 3).astype("datetime64[M]").astype("datetime64[D]") - _DAY

    m = known & (prec == "year")
    if m.any():
        yr = day[m].astype("datetime64[Y]")
        start[m] = yr.astype("datetime64[D]")
        end[m] = (yr + 1).astype("datetime64[D]") - _DAY
    return start, end


def infer_precision(start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """Precision label from the length of an explicit ``[start, end]`` range.

    1 day -> ``day``; up to 7 days -> ``week``; up to 31 -> ``month``; up to 92 ->
    ``season``; longer -> ``year``. Missing where either end is NaT.
    """
    n = (np.asarray(end, "datetime64[D]") - np.asarray(start, "datetime64[D]")).astype(np.int64) + 1
    known = ~(np.isnat(start) | np.isnat(end))
    out = np.select([n <= 1, n <= 7, n <= 31, n <= 92], ["day", "week", "month", "season"], "year")
    out = out.astype(object)
    out[~known] = None
    return out
