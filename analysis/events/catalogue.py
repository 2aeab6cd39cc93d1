"""The events table: validation, selection, windows and signed lags.

An event has a first day ``date`` and, if it lasts, an inclusive last day ``end_date``.

Sign convention (used everywhere in :mod:`analysis.events`)
------------------------------------------------------------
``lag_days = change - event``: **positive when the change comes after the event** (the
order in which an event could have caused it), negative when it comes before. For an
event that lasts (``end_date`` set) the lag is measured to the nearer edge of
``[date, end_date]`` and is 0 for a change inside it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..schema import DATA_DERIVED_KINDS, InputError
from ._dates import to_days

__all__ = ["EventCatalogue", "validate_events", "load_events", "signed_lags", "DATA_DERIVED_KINDS"]

_REQUIRED = ("event_id", "date", "label")
_OPTIONAL = ("end_date", "kind", "source_url")


def _rows(frame: pd.DataFrame) -> np.ndarray:
    if "_row" in frame.columns:
        return frame["_row"].to_numpy()
    return np.arange(len(frame)) + 2


def _file(frame: pd.DataFrame, file):
    if file is not None:
        return file
    if "_file" in frame.columns and len(frame):
        return str(frame["_file"].iloc[0])
    return None


def validate_events(frame: pd.DataFrame, *, file=None) -> pd.DataFrame:
    """Check an events table and return it in canonical form.

    Canonical form: columns ``event_id, date, end_date, kind, label, source_url`` (plus
    any others, e.g. ``_file``/``_row``), dates as ``datetime64[ns]`` (``end_date`` NaT
    for one-day events), sorted by ``date`` then ``event_id``.

    Raises
    ------
    InputError
        Missing column, missing or unreadable date, ``end_date`` before ``date``,
        empty or duplicate ``event_id``; the message names file, row and column.

    Examples
    --------
    >>> import pandas as pd
    >>> ev = validate_events(pd.DataFrame({"event_id": ["E1"], "date": ["2024-02-04"], "label": ["synthetic"]}))
    >>> ev.columns.tolist(), str(ev["date"].iloc[0].date())
    (['event_id', 'date', 'end_date', 'kind', 'label', 'source_url'], '2024-02-04')
    """
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"events must be a pandas DataFrame, not {type(frame).__name__}")
    file = _file(frame, file)
    for col in _REQUIRED:
        if col not in frame.columns:
            raise InputError(f"the events table needs a column {col!r}; it has {list(frame.columns)}",
                             file=file, row=1, column=col)
    df = frame.copy()
    rows = _rows(df)
    for col in _OPTIONAL:
        if col not in df.columns:
            df[col] = pd.NA if col != "end_date" else pd.NaT
    ids = df["event_id"].astype("string")
    bad = np.flatnonzero(ids.isna().to_numpy() | (ids.str.strip() == "").fillna(True).to_numpy())
    if len(bad):
        raise InputError("empty event_id", file=file, row=int(rows[bad[0]]), column="event_id")
    dup = np.flatnonzero(ids.duplicated().to_numpy())
    if len(dup):
        raise InputError(f"duplicate event_id {ids.iloc[dup[0]]!r}", file=file,
                         row=int(rows[dup[0]]), column="event_id")
    df["event_id"] = ids.astype(str).to_numpy()
    for col in ("date", "end_date"):
        raw = df[col]
        parsed = pd.to_datetime(raw, errors="coerce", format="mixed") if raw.dtype.kind != "M" else raw
        missing_raw = raw.isna().to_numpy() | (raw.astype("string").str.strip() == "").fillna(True).to_numpy()
        unreadable = np.flatnonzero(parsed.isna().to_numpy() & ~missing_raw)
        if len(unreadable):
            i = unreadable[0]
            raise InputError(f"cannot read {raw.iloc[i]!r} as a date (use YYYY-MM-DD)",
                             file=file, row=int(rows[i]), column=col)
        if col == "date" and parsed.isna().any():
            i = int(np.flatnonzero(parsed.isna().to_numpy())[0])
            raise InputError("missing event date", file=file, row=int(rows[i]), column="date")
        df[col] = pd.DatetimeIndex(parsed).as_unit("ns").normalize()
    back = np.flatnonzero((df["end_date"] < df["date"]).fillna(False).to_numpy())
    if len(back):
        i = back[0]
        raise InputError(f"end_date {df['end_date'].iloc[i].date()} is before date {df['date'].iloc[i].date()}",
                         file=file, row=int(rows[i]), column="end_date")
    first = ["event_id", "date", "end_date", "kind", "label", "source_url"]
    df = df[first + [c for c in df.columns if c not in first]]
    return df.sort_values(["date", "event_id"], kind="stable").reset_index(drop=True)


def load_events(path) -> pd.DataFrame:
    """Read and validate an events file (CSV or Parquet).

    Uses :func:`analysis.io.read_events` when the io package provides it; otherwise
    reads the file directly (keeping ``_file`` and spreadsheet ``_row``).

    Examples
    --------
    >>> from analysis.datasets import data_path
    >>> ev = load_events(data_path("events.csv"))
    >>> ev.loc[ev["event_id"] == "E007", ["date", "kind"]].astype(str).values.tolist()
    [['2024-01-28', 'attack']]
    """
    try:
        from ..io import read_events  # type: ignore[attr-defined]
    except ImportError:
        read_events = None
    if read_events is not None:
        return validate_events(read_events(path), file=str(path))
    path = str(path)
    df = pd.read_parquet(path) if path.endswith((".parquet", ".pq")) else pd.read_csv(path, dtype=str,
                                                                                      keep_default_na=False)
    if len(df) == 0:
        raise InputError("the events file has no rows", file=path)
    df = df.replace({"": pd.NA})
    blank = np.flatnonzero(df.isna().all(axis=1).to_numpy())
    if len(blank):
        raise InputError("empty row", file=path, row=int(blank[0]) + 2)
    df["_file"] = path
    df["_row"] = np.arange(len(df)) + 2
    return validate_events(df, file=path)


def signed_lags(change_days: np.ndarray, start_days: np.ndarray, end_days: np.ndarray) -> np.ndarray:
    """``change - event`` in days, shape (changes, events); 0 inside a lasting event."""
    c = np.asarray(change_days, float)[:, None]
    s = np.asarray(start_days, float)[None, :]
    e = np.asarray(end_days, float)[None, :]
    return np.where(c < s, c - s, np.where(c > e, c - e, 0.0))


@dataclass(frozen=True)
class EventCatalogue:
    """A validated events table with selection, windows and nearest-event look-ups.

    Parameters
    ----------
    frame : pandas.DataFrame
        Events (see :func:`validate_events`); validated and sorted on construction.

    Examples
    --------
    >>> cat = EventCatalogue(pd.DataFrame({"event_id": ["A", "B"], "date": ["2024-01-10", "2024-03-01"],
    ...                                    "label": ["a", "b"], "kind": ["strike", "talks"]}))
    >>> cat.nearest("2024-01-13")[["event_id", "lag_days"]].to_dict("records")
    [{'event_id': 'A', 'lag_days': 3}]
    """

    frame: pd.DataFrame

    def __post_init__(self):
        object.__setattr__(self, "frame", validate_events(self.frame))

    # -------------------------------------------------------------- constructors
    @classmethod
    def read(cls, path) -> "EventCatalogue":
        """Read an events CSV/Parquet file (see :func:`load_events`)."""
        return cls(load_events(path))

    # -------------------------------------------------------------- accessors
    def __len__(self) -> int:
        return len(self.frame)

    @property
    def ids(self) -> list[str]:
        return self.frame["event_id"].tolist()

    @property
    def dates(self) -> pd.DatetimeIndex:
        return pd.DatetimeIndex(self.frame["date"])

    @property
    def end_dates(self) -> pd.DatetimeIndex:
        """Last day of each event (``date`` where no ``end_date`` is given)."""
        return pd.DatetimeIndex(self.frame["end_date"].fillna(self.frame["date"]))

    def _days(self):
        return to_days(self.dates), to_days(self.end_dates)

    # -------------------------------------------------------------- selection
    def select(self, *, kinds=None, start=None, end=None, ids=None) -> "EventCatalogue":
        """Events of the given kinds / ids whose span meets ``[start, end]`` (inclusive)."""
        m = np.ones(len(self.frame), bool)
        if kinds is not None:
            kinds = [kinds] if isinstance(kinds, str) else list(kinds)
            m &= self.frame["kind"].isin(kinds).fillna(False).to_numpy()
        if ids is not None:
            ids = [ids] if isinstance(ids, str) else list(ids)
            unknown = sorted(set(ids) - set(self.ids))
            if unknown:
                raise KeyError(f"unknown event ids {unknown}")
            m &= self.frame["event_id"].isin(ids).to_numpy()
        if start is not None:
            m &= (self.end_dates >= pd.Timestamp(start))
        if end is not None:
            m &= (self.dates <= pd.Timestamp(end))
        return EventCatalogue(self.frame.loc[m])

    def candidates(self, exclude_kinds=DATA_DERIVED_KINDS) -> "EventCatalogue":
        """The events that can be candidate causes: all but those of ``exclude_kinds``.

        Examples
        --------
        >>> cat = EventCatalogue(pd.DataFrame({"event_id": ["E1", "E2"], "label": ["lull", "strike"],
        ...                                    "date": ["2024-02-04", "2024-02-02"],
        ...                                    "kind": ["lull_start", "us_strike"]}))
        >>> cat.candidates().ids
        ['E2']
        """
        kinds = [] if exclude_kinds is None else list(exclude_kinds)
        m = ~self.frame["kind"].isin(kinds).fillna(False).to_numpy() if "kind" in self.frame else None
        return self if m is None else EventCatalogue(self.frame.loc[m])

    def windows(self, before: float = 14, after: float | None = None) -> pd.DataFrame:
        """Each event's window ``[date - before, end_date + after]`` (days, inclusive)."""
        after = before if after is None else after
        out = self.frame[["event_id", "date", "end_date", "kind", "label"]].copy()
        out["window_start"] = self.dates - pd.Timedelta(days=before)
        out["window_end"] = self.end_dates + pd.Timedelta(days=after)
        return out

    def lags(self, date) -> pd.DataFrame:
        """Every event with its signed lag ``date - event`` in days (see the module notes)."""
        s, e = self._days()
        lag = signed_lags(to_days([date], name="date"), s, e)[0]
        out = self.frame[["event_id", "date", "end_date", "kind", "label"]].copy()
        out["lag_days"] = np.round(lag).astype(int) if np.allclose(lag, np.round(lag)) else lag
        out["distance_days"] = np.abs(out["lag_days"])
        return out

    def nearest(self, date, k: int = 1, *, ties: bool = True) -> pd.DataFrame:
        """The ``k`` nearest events to ``date`` (all events tied with the k-th when ``ties``).

        Order: distance, then earlier event first (an event before the change can be
        its cause), then ``event_id``.
        """
        if k < 1:
            raise ValueError(f"k must be >= 1, not {k}")
        if len(self) == 0:
            return self.lags(date).iloc[:0]
        t = self.lags(date)
        t = t.assign(_after=(t["lag_days"] < 0).astype(int))
        t = t.sort_values(["distance_days", "_after", "date", "event_id"], kind="stable")
        if ties:
            kth = t["distance_days"].iloc[min(k, len(t)) - 1]
            t = t[t["distance_days"] <= kth]
        else:
            t = t.iloc[:k]
        return t.drop(columns="_after").reset_index(drop=True)

    def within(self, date, days: float) -> pd.DataFrame:
        """Events whose span lies within ``days`` of ``date``, nearest first."""
        t = self.lags(date)
        t = t[t["distance_days"] <= days]
        return t.sort_values(["distance_days", "date", "event_id"], kind="stable").reset_index(drop=True)

    def __repr__(self) -> str:
        if not len(self):
            return "<EventCatalogue: empty>"
        return (f"<EventCatalogue n={len(self)} {self.dates.min().date()} to "
                f"{self.end_dates.max().date()}>")
