"""Dates as day numbers: the one conversion every events module uses."""

from __future__ import annotations

import numpy as np
import pandas as pd

_EPOCH = pd.Timestamp("1970-01-01")
_DAY = pd.Timedelta(days=1)


def to_days(values, *, name: str = "dates") -> np.ndarray:
    """Float days since 1970-01-01 of dates, timestamps or date strings (1-D).

    Raises ValueError naming ``name`` if a value cannot be read as a date or is missing.
    """
    if values is None:
        return np.empty(0)
    if isinstance(values, (str, pd.Timestamp, np.datetime64)):
        values = [values]
    try:
        idx = pd.DatetimeIndex(pd.to_datetime(list(values) if not isinstance(values, pd.Index)
                                              else values))
    except (ValueError, TypeError) as exc:
        raise ValueError(f"{name}: cannot read the values as dates ({exc})") from None
    if idx.hasnans:
        raise ValueError(f"{name}: missing date (NaT) at position {int(np.flatnonzero(idx.isna())[0])}")
    return np.asarray((idx - _EPOCH) / _DAY, dtype=float)


def from_days(days) -> pd.DatetimeIndex:
    """Inverse of :func:`to_days`."""
    d = np.atleast_1d(np.asarray(days, dtype=float))
    return pd.DatetimeIndex(_EPOCH + pd.to_timedelta(d, unit="D"))
