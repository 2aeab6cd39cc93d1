"""Argument checks shared by the public API.

Every check names the argument, says what it must be and, for a closed set of
choices, lists the allowed values, so that a wrong call reads like a fix::

    >>> string_like("weekly", "freq", options=("D", "W", "M", "Q"))
    Traceback (most recent call last):
    ...
    ValueError: `freq` must be one of 'D', 'W', 'M', 'Q'; got 'weekly'

Bad *arguments* raise ``ValueError`` or ``TypeError``; bad *data* in a file raise
:class:`analysis.schema.InputError` (see :mod:`analysis.io`).
"""

from __future__ import annotations

import numbers
import os
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

__all__ = [
    "string_like",
    "int_like",
    "float_like",
    "bool_like",
    "probability",
    "date_like",
    "path_like",
    "sequence_of_str",
    "format_choices",
]


def format_choices(options: Iterable) -> str:
    """``'a', 'b', 'c'``: the allowed values as a message lists them."""
    return ", ".join(repr(o) for o in options)


def _typename(value) -> str:
    return type(value).__name__


def string_like(value, name: str, *, options: Sequence[str] | None = None,
                optional: bool = False, lower: bool = False) -> str | None:
    """Check that ``value`` is a string, optionally one of ``options``.

    Parameters
    ----------
    value : object
        The argument as passed.
    name : str
        Argument name used in the message.
    options : sequence of str, optional
        Allowed values. Matching is exact unless ``lower`` is true.
    optional : bool, default False
        Accept ``None`` (returned unchanged).
    lower : bool, default False
        Compare and return the lower-cased value.

    Returns
    -------
    str or None

    Raises
    ------
    TypeError
        ``value`` is not a string.
    ValueError
        ``value`` is not one of ``options``.

    Examples
    --------
    >>> string_like("Poisson", "family", options=("poisson", "negbin"), lower=True)
    'poisson'
    """
    if value is None and optional:
        return None
    if not isinstance(value, str):
        allowed = f" (one of {format_choices(options)})" if options else ""
        raise TypeError(f"`{name}` must be a string{allowed}; got {_typename(value)} {value!r}")
    out = value.lower() if lower else value
    if options is not None:
        allowed = tuple(o.lower() for o in options) if lower else tuple(options)
        if out not in allowed:
            raise ValueError(f"`{name}` must be one of {format_choices(options)}; got {value!r}")
    return out


def int_like(value, name: str, *, minimum: int | None = None, maximum: int | None = None,
             optional: bool = False) -> int | None:
    """Check that ``value`` is an integer (not a bool, not a float) within bounds.

    Examples
    --------
    >>> int_like(3, "min_size", minimum=1)
    3
    >>> int_like(0, "min_size", minimum=1)
    Traceback (most recent call last):
    ...
    ValueError: `min_size` must be an integer >= 1; got 0
    """
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"`{name}` must be an integer; got {_typename(value)} {value!r}")
    value = int(value)
    _check_range(value, name, minimum, maximum, "an integer")
    return value


def float_like(value, name: str, *, minimum: float | None = None, maximum: float | None = None,
               strict_minimum: bool = False, optional: bool = False,
               finite: bool = True) -> float | None:
    """Check that ``value`` is a real number within bounds.

    ``strict_minimum`` makes the lower bound exclusive (``> minimum``).

    Examples
    --------
    >>> float_like(2, "window_days", minimum=0)
    2.0
    """
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"`{name}` must be a number; got {_typename(value)} {value!r}")
    value = float(value)
    if finite and not np.isfinite(value):
        raise ValueError(f"`{name}` must be finite; got {value!r}")
    if minimum is not None and strict_minimum:
        if not value > minimum:
            raise ValueError(f"`{name}` must be a number > {minimum}; got {value!r}")
        minimum = None
    _check_range(value, name, minimum, maximum, "a number")
    return value


def _check_range(value, name, minimum, maximum, what):
    if minimum is not None and maximum is not None and not (minimum <= value <= maximum):
        raise ValueError(f"`{name}` must be {what} between {minimum} and {maximum}; got {value!r}")
    if minimum is not None and value < minimum:
        raise ValueError(f"`{name}` must be {what} >= {minimum}; got {value!r}")
    if maximum is not None and value > maximum:
        raise ValueError(f"`{name}` must be {what} <= {maximum}; got {value!r}")


def bool_like(value, name: str) -> bool:
    """Check that ``value`` is a bool (``numpy.bool_`` accepted)."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"`{name}` must be True or False; got {_typename(value)} {value!r}")
    return bool(value)


def probability(value, name: str, *, open_interval: bool = True) -> float:
    """Check a level or probability: in (0, 1) (``open_interval``) or [0, 1].

    Examples
    --------
    >>> probability(0.95, "level")
    0.95
    """
    value = float_like(value, name)
    ok = (0.0 < value < 1.0) if open_interval else (0.0 <= value <= 1.0)
    if not ok:
        bounds = "strictly between 0 and 1" if open_interval else "between 0 and 1"
        raise ValueError(f"`{name}` must be {bounds}; got {value!r}")
    return value


def date_like(value, name: str, *, optional: bool = False) -> pd.Timestamp | None:
    """A day: ``'2024-01-28'``, ``datetime.date``, ``numpy.datetime64`` or Timestamp.

    Returns a timezone-naive ``pandas.Timestamp`` at midnight.

    Examples
    --------
    >>> date_like("2024-01-28", "date")
    Timestamp('2024-01-28 00:00:00')
    """
    if value is None and optional:
        return None
    if isinstance(value, bool) or value is None or isinstance(value, numbers.Number):
        raise TypeError(f"`{name}` must be a date such as '2024-01-28'; got {value!r}")
    try:
        ts = pd.Timestamp(value)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"`{name}` must be a date such as '2024-01-28'; got {value!r} ({exc})") from None
    if ts is pd.NaT:
        raise ValueError(f"`{name}` must be a date such as '2024-01-28'; got {value!r}")
    if ts.tzinfo is not None:
        ts = ts.tz_localize(None)
    if ts != ts.normalize():
        raise ValueError(f"`{name}` must be a day without a time of day; got {value!r}")
    return ts.as_unit("ns")


def path_like(value, name: str) -> str:
    """Check that ``value`` is a path (``str`` or ``os.PathLike``) and return it as str."""
    if isinstance(value, (str, os.PathLike)):
        return os.fspath(value)
    raise TypeError(f"`{name}` must be a file path (str or pathlib.Path); got {_typename(value)} {value!r}")


def sequence_of_str(value, name: str, *, options: Sequence[str] | None = None) -> tuple[str, ...]:
    """A tuple of strings from a string (one item) or a sequence of strings.

    Examples
    --------
    >>> sequence_of_str("country", "groups")
    ('country',)
    >>> sequence_of_str(["country", "weapon"], "groups")
    ('country', 'weapon')
    """
    if value is None:
        return ()
    if isinstance(value, str):
        value = (value,)
    try:
        items = tuple(value)
    except TypeError:
        raise TypeError(f"`{name}` must be a string or a sequence of strings; "
                        f"got {_typename(value)} {value!r}") from None
    for item in items:
        if not isinstance(item, str):
            raise TypeError(f"every item of `{name}` must be a string; got {_typename(item)} {item!r}")
        if options is not None and item not in options:
            raise ValueError(f"items of `{name}` must be among {format_choices(options)}; got {item!r}")
    return items
