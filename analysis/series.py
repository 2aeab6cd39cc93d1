"""CountSeries: the one container every model and changepoint search takes.

A CountSeries is a table of intervals ``[start, end)`` (days; ``end`` exclusive) with

``count``
    incidents in the interval (float: allocation may split an incident across intervals);
``exposure``
    days observed in the interval;
``lower``, ``upper``
    bounds for censored intervals (NaN where the count is exact; ``upper`` is ``inf``
    for "at least" statements);
``n_reports``
    number of input reports behind the count;
``count_low``, ``count_high`` (optional)
    for a fatality series (``attrs["measure"] == "fatalities"``), the sums of the low and
    high estimates where the source gives a range; not bounds of a censored count;

plus optional group columns (a panel). Regular series (``freq`` in D, W, M, Q, Y) come
from incidents; irregular ones (``freq=None``) from tallies.

Units of exposure and rates
---------------------------
One rule everywhere (changepoint segments, panel, models, reports): a rate is
**events per full period** of the series' frequency ("per week", "per month", ...).
Each row contributes :attr:`CountSeries.period_exposure` = ``exposure / (end - start)``
periods: 1 for a bin observed in full, a fraction for a bin the window covers only in
part. So a weekly bin observed on 2 of its 7 days counts as 2/7 of a week, and a
regular series observed in full behaves exactly like a plain table of counts (as in R's
``changepoint`` and ``glm`` without an offset). Irregular series (tally intervals) have
no common period: their rates are per day of exposure. :attr:`CountSeries.rate_unit`
names the unit.

Invariants (:meth:`CountSeries.check` asserts them)
----------------------------------------------------
1. ``start < end`` on every row, and within each group the intervals are sorted and do
   not overlap;
2. no duplicate ``(group..., start)``;
3. ``count >= 0`` and finite; ``0 < exposure <= (end - start)`` in days;
4. where bounds are given, ``lower <= upper`` and, if ``count`` is not NaN,
   ``lower <= count <= upper``;
5. ``n_reports >= 0``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Iterator, Mapping

import numpy as np
import pandas as pd

from ._time import FREQ_ALIASES, format_labels, period_bounds
from .schema import SERIES_COLUMNS, InputError

if TYPE_CHECKING:
    from ._summary import Summary

__all__ = ["CountSeries", "RATE_UNITS", "BAND_COLUMNS"]

#: Optional columns of a fatality series (``measure="fatalities"``): the same sums of the
#: low and high estimates where the source gives a range (UCDP GED ``low``/``high``).
BAND_COLUMNS = ("count_low", "count_high")

#: The unit of every rate of a regular series, by frequency (see "Units" above).
RATE_UNITS = {"D": "per day", "W": "per week", "M": "per month", "Q": "per quarter", "Y": "per year"}


@dataclass(frozen=True)
class CountSeries:
    """Counts over intervals, with exposure, bounds and provenance.

    Parameters
    ----------
    data : pandas.DataFrame
        Columns ``start, end, count, exposure, lower, upper, n_reports`` and the group
        columns. Missing optional columns are filled (exposure from the interval
        length, bounds NaN, n_reports 0).
    freq : {"D", "W", "M", "Q", "Y"} or None
        Regular frequency, or None for irregular intervals.
    groups : tuple of str
        Names of the group columns (empty for a single series).
    attrs : mapping
        Provenance and settings (window, allocation rule, sources...).

    Examples
    --------
    >>> s = CountSeries.from_counts([3, 0, 5], start="2024-01", freq="M")
    >>> s.labels
    ['2024-01', '2024-02', '2024-03']
    >>> float(s.total)
    8.0
    """

    data: pd.DataFrame
    freq: str | None = None
    groups: tuple[str, ...] = ()
    attrs: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self):
        if isinstance(self.data, pd.Series):
            # a dated pandas Series: CountSeries(s) is CountSeries.from_pandas(s), dates kept
            made = CountSeries.from_pandas(self.data, freq=self.freq, attrs=self.attrs)
            for name in ("data", "freq", "attrs"):
                object.__setattr__(self, name, getattr(made, name))
            return
        if not isinstance(self.data, pd.DataFrame):
            raise InputError(
                f"CountSeries takes a table (DataFrame with start, end, count) or a pandas Series "
                f"indexed by dates or periods, not {type(self.data).__name__}; for a plain sequence "
                "use CountSeries.from_counts(values, start=..., freq=...)")
        df = self.data.copy()
        missing = [c for c in ("start", "end", "count") if c not in df.columns]
        if missing:
            raise InputError(f"CountSeries needs columns {missing}")
        df["start"] = pd.to_datetime(df["start"]).astype("datetime64[ns]")
        df["end"] = pd.to_datetime(df["end"]).astype("datetime64[ns]")
        df["count"] = df["count"].astype(float)
        if "exposure" not in df.columns:
            df["exposure"] = (df["end"] - df["start"]).dt.days.astype(float)
        df["exposure"] = df["exposure"].astype(float)
        for c in ("lower", "upper"):
            if c not in df.columns:
                df[c] = np.nan
            df[c] = df[c].astype(float)
        if "n_reports" not in df.columns:
            df["n_reports"] = 0
        df["n_reports"] = df["n_reports"].fillna(0).astype("int64")
        groups = tuple(self.groups)
        for g in groups:
            if g not in df.columns:
                raise InputError(f"group column {g!r} is not in the series table")
        extra = [c for c in df.columns if c not in SERIES_COLUMNS and c not in groups]
        df = df[list(SERIES_COLUMNS) + list(groups) + extra]
        df = df.sort_values(list(groups) + ["start"], kind="stable").reset_index(drop=True)
        if self.freq is not None and self.freq not in FREQ_ALIASES:
            raise InputError(f"freq must be one of {sorted(FREQ_ALIASES)} or None, not {self.freq!r}")
        object.__setattr__(self, "data", df)
        object.__setattr__(self, "groups", groups)
        object.__setattr__(self, "attrs", dict(self.attrs))

    # ---------------------------------------------------------------- constructors
    @classmethod
    def from_counts(cls, counts, *, start=None, freq: str | None = None, exposure=None,
                    labels=None, attrs=None) -> "CountSeries":
        """A regular series from an array of counts.

        Either ``labels`` (time labels, see :mod:`analysis._time`) or ``start`` with
        ``freq`` (default ``"D"``) place the counts in time. With neither, rows are
        consecutive days from 1970-01-01 (useful for plain sequences). A pandas Series
        indexed by dates or periods keeps its dates (as :meth:`from_pandas`); giving it a
        ``start`` or ``labels`` as well is refused, since its index already places it.

        Examples
        --------
        >>> CountSeries.from_counts([2, 0, 1], start="2024-01-01", freq="W").labels
        ['2024-W01', '2024-W02', '2024-W03']
        >>> import pandas as pd
        >>> s = pd.Series([2, 0, 1], index=pd.period_range("2024-01", periods=3, freq="M"))
        >>> CountSeries.from_counts(s).labels
        ['2024-01', '2024-02', '2024-03']
        """
        if isinstance(counts, pd.Series) and isinstance(counts.index, (pd.DatetimeIndex, pd.PeriodIndex)):
            if start is not None or labels is not None:
                raise InputError("the Series' DatetimeIndex/PeriodIndex already places the counts in "
                                 "time; drop start=/labels=, or pass counts.to_numpy()")
            return cls.from_pandas(counts, freq=freq, attrs=attrs)
        freq = "D" if freq is None else freq
        counts = np.asarray(counts, dtype=float)
        if counts.ndim != 1:
            raise InputError(f"counts must be one-dimensional, got shape {counts.shape}; for a table "
                             "use CountSeries(frame) or CountSeries.from_table(...)")
        if labels is not None:
            s, e, freq = period_bounds(labels)
        else:
            first = pd.Timestamp(start) if start is not None else pd.Timestamp("1970-01-01")
            s = pd.date_range(first, periods=len(counts) + 1, freq=FREQ_ALIASES[freq])
            if freq == "W":
                s = pd.date_range(first - pd.Timedelta(days=first.weekday()),
                                  periods=len(counts) + 1, freq="7D")
            s, e = s[:-1], s[1:]
        df = pd.DataFrame({"start": s, "end": e, "count": counts})
        if exposure is not None:
            df["exposure"] = np.asarray(exposure, dtype=float)
        return cls(df, freq=freq, attrs=attrs or {})

    @classmethod
    def from_pandas(cls, obj: pd.Series, *, freq: str | None = None,
                    attrs: Mapping[str, Any] | None = None) -> "CountSeries":
        """A series from a pandas Series of counts indexed by dates or periods.

        Parameters
        ----------
        obj : pandas.Series
            Counts indexed by a :class:`pandas.PeriodIndex` (each period is one row) or a
            :class:`pandas.DatetimeIndex` with a regular frequency (its ``freq``, inferred
            when not set, or the ``freq`` argument). A timestamp stands for the period of
            that frequency that contains it, as :meth:`pandas.DatetimeIndex.to_period` has
            it: ``s.resample("W").sum()`` labels each Monday-Sunday week by its Sunday, and
            the row is that week; a weekly index dated on Mondays is read as the ISO weeks
            that start on them; other weekly anchors need a PeriodIndex.
        freq : {"D", "W", "M", "Q", "Y"}, optional
            The period of a DatetimeIndex whose dates are irregular (e.g. the weeks that
            had any event); ignored for a PeriodIndex.
        attrs : mapping, optional
            Provenance kept with the series (the Series' ``name`` is added as ``name``).

        Raises
        ------
        InputError
            Not a pandas Series; an index that is neither dates nor periods; dates whose
            period cannot be told; repeated periods; a missing or non-numeric count (the
            message names its label).

        Examples
        --------
        >>> import pandas as pd
        >>> weekly = pd.Series([2, 0, 5], index=pd.date_range("2024-01-07", periods=3, freq="W"))
        >>> s = CountSeries.from_pandas(weekly)
        >>> s.freq, s.labels, [str(d.date()) for d in s.start]
        ('W', ['2024-W01', '2024-W02', '2024-W03'], ['2024-01-01', '2024-01-08', '2024-01-15'])
        >>> CountSeries.from_pandas(pd.Series([1, 2], index=pd.period_range("2024-01", periods=2, freq="M"))).labels
        ['2024-01', '2024-02']
        """
        if not isinstance(obj, pd.Series):
            raise InputError(f"expected a pandas Series of counts, not {type(obj).__name__}")
        if isinstance(obj.index, pd.DatetimeIndex) and not obj.index.is_monotonic_increasing:
            obj = obj.sort_index(kind="stable")   # newest first: its period, not a "-1W" frequency
        periods = _to_periods(obj.index, freq)
        if periods.has_duplicates:
            dup = periods[periods.duplicated()][0]
            raise InputError(f"period {dup} appears more than once in the index; aggregate first "
                             "(e.g. s.groupby(level=0).sum())")
        values = pd.to_numeric(obj, errors="coerce")
        bad = np.flatnonzero(values.isna().to_numpy())
        if len(bad):
            i = int(bad[0])
            got = "missing" if pd.isna(obj.iloc[i]) else f"{obj.iloc[i]!r}, not a number"
            raise InputError(f"the count for {periods[i]} is {got}")
        order = np.argsort(periods.asi8, kind="stable")
        periods, values = periods[order], values.iloc[order]
        our_freq = _OUR_FREQ.get(periods.freqstr)
        df = pd.DataFrame({"start": periods.start_time.normalize(),
                           "end": (periods + 1).start_time.normalize(),
                           "count": values.to_numpy(float)})
        meta = {"source": None, **(dict(attrs) if attrs else {})}
        if obj.name is not None:
            meta.setdefault("name", obj.name)
        return cls(df, freq=our_freq, attrs=meta)

    @classmethod
    def from_table(cls, table: pd.DataFrame, *, time: str, count: str,
                   exposure: str | None = None, file=None) -> "CountSeries":
        """A series from a user table (CLI ``fit``/``changepoints``).

        Two layouts are read:

        * a table of time labels (``time`` names a column of ISO dates, months, ISO weeks,
          quarters or years): one row per period, observed in full unless ``exposure``
          names a column of days observed;
        * the layout :func:`analysis.normalize.normalize` writes (``start, end, count,
          exposure, ...``; ``time`` is ``"start"`` or ``"end"``): each row is the interval
          ``[start, end)`` as written, its ``exposure`` column (days observed) is part of
          the data, and the frequency is inferred from the intervals (see
          :meth:`from_intervals`). A weekly ``normalize`` output read back is weekly, not
          a series of one-day periods. ``exposure`` other than ``"exposure"`` is not
          days observed and stays out of the series (pass it to the model as an offset).

        Errors name the file, the row (header = row 1) and the column.
        """
        for col in [time, count] + ([exposure] if exposure else []):
            if col not in table.columns:
                raise InputError(f"no column {col!r}; the file has {list(table.columns)}",
                                 file=file, row=1, column=col)
        if cls.is_interval_table(table, time):
            # the days-observed column is part of the data; another exposure column (a
            # population, say) is an offset the caller gives the model, not days observed
            return cls.from_intervals(table, count=count, file=file, exposure="exposure", label=time)
        s, e, freq = period_bounds(table[time].astype(str).tolist(), file=file, column=time)
        _warn_gaps(s, e, table[time], file=file, column=time)
        df = pd.DataFrame({"start": s, "end": e, "count": cls.count_column(table, count, file=file)})
        if exposure:
            df["exposure"] = cls.exposure_column(table, exposure, file=file)
        df["label"] = table[time].astype(str).to_numpy()
        return cls(df, freq=freq, attrs={"source": str(file) if file else None})

    @staticmethod
    def is_interval_table(table: pd.DataFrame, time: str | None = "start") -> bool:
        """True for a table in the layout ``normalize`` writes: ``start`` and ``end``
        columns, with ``time`` (if given) one of them."""
        cols = set(table.columns)
        return {"start", "end"} <= cols and (time is None or time in ("start", "end"))

    @classmethod
    def from_intervals(cls, table: pd.DataFrame, *, count: str = "count",
                       exposure: str | None = "exposure", groups=(), file=None,
                       label: str | None = "start") -> "CountSeries":
        """A series from a table of intervals ``start, end`` (ISO days, ``end`` exclusive),
        the CSV/Parquet layout :meth:`to_csv` and ``normalize`` write.

        ``exposure`` names the column of days observed (default ``"exposure"``; used when
        present, else every interval counts as observed in full). ``lower``, ``upper`` and
        ``n_reports`` are kept when present. The frequency is inferred: D, W (Monday
        starts), M, Q or Y when every interval is one such calendar period, None
        (irregular, e.g. tally intervals) otherwise. With ``label`` the time labels are
        that column as written. The invariants of :meth:`check` are enforced; errors
        name the file, row (header = row 1) and column.
        """
        groups = tuple([groups] if isinstance(groups, str) else groups)
        for col in ["start", "end", count] + list(groups):
            if col not in table.columns:
                raise InputError(f"no column {col!r}; the file has {list(table.columns)}",
                                 file=file, row=1, column=col)
        bounds = {c: _parse_days(table[c], file=file, column=c) for c in ("start", "end")}
        df = pd.DataFrame({"start": bounds["start"], "end": bounds["end"],
                           "count": cls.count_column(table, count, file=file)})
        days = ((df["end"] - df["start"]).dt.days).to_numpy(float)
        bad = np.flatnonzero(~(days > 0))
        if len(bad):
            i = int(bad[0])
            raise InputError(f"end {table['end'].iloc[i]!r} must be after start {table['start'].iloc[i]!r} "
                             "(intervals are [start, end), end exclusive)", file=file, row=i + 2, column="end")
        if exposure and exposure in table.columns:
            x = cls.exposure_column(table, exposure, file=file)
            if exposure == "exposure":  # days observed: at most the interval's length
                over = np.flatnonzero(x > days + 1e-9)
                if len(over):
                    i = int(over[0])
                    raise InputError(f"exposure {table[exposure].iloc[i]!r} is more than the "
                                     f"{days[i]:g} days from start to end", file=file, row=i + 2,
                                     column=exposure)
            df["exposure"] = x
        for c in ("lower", "upper"):
            if c in table.columns:
                df[c] = pd.to_numeric(table[c].replace("", np.nan), errors="coerce").to_numpy(float)
        if "n_reports" in table.columns:
            df["n_reports"] = pd.to_numeric(table["n_reports"].replace("", np.nan),
                                            errors="coerce").fillna(0).to_numpy()
        for g in groups:
            df[g] = table[g].to_numpy()
        if label:
            df["label"] = table[label].astype(str).to_numpy()
        order_ok = True
        if not groups:
            st = df["start"].to_numpy("datetime64[ns]")
            dup = np.flatnonzero(st[1:] <= st[:-1])
            if len(dup):
                i = int(dup[0]) + 1
                others = [c for c in table.columns if c not in SERIES_COLUMNS and c != label]
                hint = (f"; the file holds several series (columns {others}): select one, or use "
                        "'panel --group'" if others else "")
                raise InputError(f"start {table['start'].iloc[i]!r} does not follow {table['start'].iloc[i - 1]!r}: "
                                 f"the intervals must be sorted and not repeat{hint}",
                                 file=file, row=i + 2, column="start")
            order_ok = bool(np.all(st[1:] >= df["end"].to_numpy("datetime64[ns]")[:-1]))
            if not order_ok:
                i = int(np.flatnonzero(st[1:] < df["end"].to_numpy("datetime64[ns]")[:-1])[0]) + 1
                raise InputError(f"interval starting {table['start'].iloc[i]!r} overlaps the one before",
                                 file=file, row=i + 2, column="start")
        freq = infer_freq(df["start"], df["end"])
        out = cls(df, freq=freq, groups=groups, attrs={"source": str(file) if file else None})
        if groups:
            try:
                out.check()
            except InputError as exc:
                raise InputError(exc.detail, file=file,
                                 row=None if exc.row is None else exc.row + 2, column=exc.column) from None
        return out

    @staticmethod
    def count_column(table: pd.DataFrame, column: str, *, file=None) -> np.ndarray:
        """The values of a count column as floats; a value that is not a number raises an
        InputError naming the file, row and column."""
        y = pd.to_numeric(table[column], errors="coerce")
        bad = np.flatnonzero(y.isna().to_numpy())
        if len(bad):
            i = int(bad[0])
            raise InputError(f"count {table[column].iloc[i]!r} is not a number",
                             file=file, row=i + 2, column=column)
        return y.to_numpy(float)

    @staticmethod
    def exposure_column(table: pd.DataFrame, column: str, *, file=None) -> np.ndarray:
        """The values of an exposure column: positive, finite numbers.

        The one check every entry point makes (``fit --exposure COL``,
        ``changepoints --exposure COL``, :meth:`from_table`, :meth:`from_intervals`). A
        missing column or a bad value raises an InputError naming the file, the row
        (header = row 1) and the column.
        """
        if column not in table.columns:
            raise InputError(f"no column {column!r} for the exposure (a column name; 'fit' also "
                             f"takes 'days' for log(days in each period)); the file has "
                             f"{list(table.columns)}", file=file, row=1, column=column)
        x = pd.to_numeric(table[column], errors="coerce").to_numpy(float)
        bad = np.flatnonzero(~np.isfinite(x) | (x <= 0))
        if len(bad):
            i = int(bad[0])
            raise InputError(f"exposure {str(table[column].iloc[i])!r} must be a positive number",
                             file=file, row=i + 2, column=column)
        return x

    # ---------------------------------------------------------------- accessors
    @property
    def n(self) -> int:
        return len(self.data)

    def __len__(self) -> int:
        return len(self.data)

    @property
    def start(self) -> pd.DatetimeIndex:
        return pd.DatetimeIndex(self.data["start"])

    @property
    def end(self) -> pd.DatetimeIndex:
        return pd.DatetimeIndex(self.data["end"])

    @property
    def counts(self) -> np.ndarray:
        return self.data["count"].to_numpy(float)

    @property
    def exposure(self) -> np.ndarray:
        return self.data["exposure"].to_numpy(float)

    @property
    def lower(self) -> np.ndarray:
        return self.data["lower"].to_numpy(float)

    @property
    def upper(self) -> np.ndarray:
        return self.data["upper"].to_numpy(float)

    @property
    def period_days(self) -> np.ndarray:
        """Length in days of each row's interval ``end - start`` (its full period)."""
        return (self.data["end"] - self.data["start"]).dt.days.to_numpy(float)

    @property
    def period_exposure(self) -> np.ndarray:
        """Exposure in units of :attr:`rate_unit`: the observed fraction of each row's
        period for a regular series (1.0 where observed in full), days for an irregular one.

        Examples
        --------
        >>> import pandas as pd
        >>> s = CountSeries(pd.DataFrame({"start": ["2022-01-03", "2022-01-10"],
        ...                               "end": ["2022-01-10", "2022-01-17"],
        ...                               "count": [1, 2], "exposure": [2, 7]}), freq="W")
        >>> s.period_exposure.round(4).tolist(), s.rate_unit
        ([0.2857, 1.0], 'per week')
        """
        if self.is_regular:
            return self.exposure / self.period_days
        return self.exposure

    @property
    def rate_unit(self) -> str:
        """``"per day"``, ``"per week"``, ``"per month"``, ``"per quarter"`` or
        ``"per year"``; ``"per day"`` for an irregular series."""
        return RATE_UNITS.get(self.freq, "per day")

    @property
    def fully_observed(self) -> bool:
        """True when every row is observed over its whole interval."""
        return bool(np.allclose(self.exposure, self.period_days))

    @property
    def censored(self) -> np.ndarray:
        """Boolean mask of rows known only through bounds."""
        return ~(np.isnan(self.lower) & np.isnan(self.upper))

    @property
    def total(self) -> float:
        return float(np.nansum(self.counts))

    @property
    def labels(self) -> list[str]:
        """Time labels as written in a file (the ``label`` column if the series has one)."""
        if "label" in self.data.columns:
            return self.data["label"].astype(str).tolist()
        return format_labels(self.start, self.freq)

    @property
    def is_regular(self) -> bool:
        return self.freq is not None

    def group_keys(self) -> list[tuple]:
        if not self.groups:
            return [()]
        return [tuple(k) for k in self.data[list(self.groups)].drop_duplicates().itertuples(index=False)]

    def iter_groups(self) -> Iterator[tuple[tuple, "CountSeries"]]:
        """Yield ``(key, series)`` for each group (one ``((), self)`` when ungrouped)."""
        if not self.groups:
            yield (), self
            return
        for key, sub in self.data.groupby(list(self.groups), sort=True, dropna=False):
            key = key if isinstance(key, tuple) else (key,)
            attrs = dict(self.attrs, group=dict(zip(self.groups, key)))
            yield key, CountSeries(sub.drop(columns=list(self.groups)), freq=self.freq, attrs=attrs)

    def select(self, **keys) -> "CountSeries":
        """The sub-series of one group, e.g. ``series.select(country="Iraq")``."""
        mask = np.ones(len(self.data), bool)
        for k, v in keys.items():
            if k not in self.groups:
                raise KeyError(f"{k!r} is not a group column; groups are {self.groups}")
            mask &= (self.data[k] == v).to_numpy()
        rest = tuple(g for g in self.groups if g not in keys)
        sub = self.data.loc[mask].drop(columns=list(keys))
        return CountSeries(sub, freq=self.freq, groups=rest, attrs=dict(self.attrs, group=keys))

    def window(self, start=None, end=None) -> "CountSeries":
        """Rows whose interval lies within ``[start, end)``."""
        m = np.ones(len(self.data), bool)
        if start is not None:
            m &= (self.data["start"] >= pd.Timestamp(start)).to_numpy()
        if end is not None:
            m &= (self.data["end"] <= pd.Timestamp(end)).to_numpy()
        return replace(self, data=self.data.loc[m])

    def with_attrs(self, **kw) -> "CountSeries":
        return replace(self, attrs={**self.attrs, **kw})

    # ---------------------------------------------------------------- checks / io
    def check(self) -> "CountSeries":
        """Assert the documented invariants; raise InputError naming the first bad row."""
        df = self.data
        def fail(i, msg, col):
            raise InputError(f"CountSeries invariant broken: {msg}", row=int(i), column=col)
        bad = np.flatnonzero((df["end"] <= df["start"]).to_numpy())
        if len(bad):
            fail(bad[0], "end must be after start", "end")
        c = df["count"].to_numpy(float)
        bad = np.flatnonzero(np.isfinite(c) & (c < 0))
        if len(bad):
            fail(bad[0], "negative count", "count")
        bounded = ~(df["lower"].isna() & df["upper"].isna()).to_numpy()
        bad = np.flatnonzero(~np.isfinite(c) & ~bounded)
        if len(bad):
            fail(bad[0], "count is missing and no bounds are given", "count")
        days = (df["end"] - df["start"]).dt.days.to_numpy(float)
        x = df["exposure"].to_numpy(float)
        bad = np.flatnonzero(~(x > 0) | (x > days + 1e-9))
        if len(bad):
            fail(bad[0], "exposure must be in (0, interval length in days]", "exposure")
        lo = df["lower"].fillna(-np.inf).to_numpy(float)
        hi = df["upper"].fillna(np.inf).to_numpy(float)
        bad = np.flatnonzero(lo > hi)
        if len(bad):
            fail(bad[0], "lower bound above upper bound", "lower")
        cc = np.where(np.isfinite(c), c, lo)
        bad = np.flatnonzero(bounded & np.isfinite(c) & ((cc < lo - 1e-9) | (cc > hi + 1e-9)))
        if len(bad):
            fail(bad[0], "count outside its bounds", "count")
        if (df["n_reports"] < 0).any():
            fail(np.flatnonzero((df["n_reports"] < 0).to_numpy())[0], "negative n_reports", "n_reports")
        keys = list(self.groups) + ["start"]
        dup = df.duplicated(keys).to_numpy()
        if dup.any():
            fail(np.flatnonzero(dup)[0], f"duplicate {tuple(keys)}", "start")
        for _, sub in (df.groupby(list(self.groups), sort=False) if self.groups else [((), df)]):
            s = sub["start"].to_numpy()
            e = sub["end"].to_numpy()
            over = np.flatnonzero(s[1:] < e[:-1])
            if len(over):
                fail(sub.index[over[0] + 1], "intervals overlap", "start")
        return self

    def to_frame(self) -> pd.DataFrame:
        """The table in the CLI's CSV layout (dates as ISO days, ``end`` exclusive), with the
        fatality band ``count_low``/``count_high`` after ``n_reports`` when the series has it."""
        band = [c for c in BAND_COLUMNS if c in self.data.columns]
        out = self.data[list(SERIES_COLUMNS) + band + list(self.groups)].copy()
        out["start"] = out["start"].dt.strftime("%Y-%m-%d")
        out["end"] = out["end"].dt.strftime("%Y-%m-%d")
        return out

    def to_csv(self, path) -> None:
        """Write :meth:`to_frame` to the CSV file ``path``, atomically (complete or not at all)."""
        from ._atomic import atomic_path
        with atomic_path(path) as tmp:
            self.to_frame().to_csv(tmp, index=False, lineterminator="\n")

    @classmethod
    def read_csv(cls, path, *, freq: str | None = "infer", groups=()) -> "CountSeries":
        """Read a table written by :meth:`to_csv` (or ``normalize --out``).

        ``freq="infer"`` (default) takes the frequency from the intervals (see
        :meth:`from_intervals`, which checks the table and names the file, row and column
        of a bad value); None reads the rows as irregular intervals.
        """
        df = pd.read_csv(path)
        out = cls.from_intervals(df, groups=groups, file=path, label=None)
        return out if freq == "infer" else replace(out, freq=freq)

    def summary(self) -> Summary:
        """Periods, total, zeros, partly observed and bounded periods, per group.

        Returns a :class:`~analysis._summary.Summary` (text with ``print``, HTML in a
        notebook, ``as_markdown()``).

        Examples
        --------
        >>> s = CountSeries.from_counts([3, 0, 5], start="2024-01", freq="M")
        >>> print(s.summary())
        CountSeries: 3 monthly periods, 2024-01-01 to 2024-03-31, total 8
         periods  total  mean  zeros  partial  bounded  max  max_at
               3      8 2.667      1        0        0    5 2024-03
        """
        from ._summary import Summary

        names = {"D": "daily", "W": "weekly", "M": "monthly", "Q": "quarterly", "Y": "yearly"}
        kind = names.get(self.freq, "irregular")
        if not self.n:
            return Summary(f"CountSeries: no periods ({kind})")
        rows = []
        for key, part in self.iter_groups():
            d = part.data
            days = (d["end"] - d["start"]).dt.days.to_numpy(float)
            y = d["count"].to_numpy(float)
            imax = int(np.argmax(y))
            row = dict(zip(self.groups, key))
            row.update(periods=len(d), total=float(y.sum()), mean=float(y.mean()),
                       zeros=int((y == 0).sum()),
                       partial=int((d["exposure"].to_numpy(float) < days - 1e-9).sum()),
                       bounded=int((d["lower"].notna() | d["upper"].notna()).sum()),
                       max=float(y[imax]), max_at=part.labels[imax])
            rows.append(row)
        table = pd.DataFrame(rows)
        last = (self.end.max() - pd.Timedelta(days=1)).date()
        header = (f"CountSeries: {self.n} {kind} periods, {self.start.min().date()} to {last}, "
                  f"total {self.total:g}")
        if self.groups:
            header += f", {len(rows)} groups ({', '.join(self.groups)})"
        notes = []
        if self.attrs.get("allocate"):
            notes.append(f"imprecise dates allocated by the {self.attrs['allocate']!r} rule")
        return Summary(header, table, notes)

    def _repr_html_(self) -> str:
        import html

        head = self.to_frame().head(8).to_html(index=False, float_format=lambda v: f"{v:g}")
        more = f"<p><small>first 8 of {self.n} rows</small></p>" if self.n > 8 else ""
        return self.summary()._repr_html_() + head + more

    def __repr__(self) -> str:
        span = f"{self.start.min().date()} to {self.end.max().date()}" if self.n else "empty"
        g = f", groups={list(self.groups)}" if self.groups else ""
        return f"<CountSeries n={self.n} freq={self.freq} total={self.total:g} {span}{g}>"


# ---------------------------------------------------------------- pandas inputs
#: pandas period frequencies that are this package's regular frequencies (ISO weeks run
#: Monday-Sunday, which pandas calls "W-SUN")
_OUR_FREQ = {"D": "D", "W-SUN": "W", "M": "M", "Q-DEC": "Q", "Y-DEC": "Y", "A-DEC": "Y"}
_PANDAS_PERIOD = {"D": "D", "W": "W-SUN", "M": "M", "Q": "Q-DEC", "Y": "Y-DEC"}


def _to_periods(index, freq: str | None) -> pd.PeriodIndex:
    """The PeriodIndex a Series index stands for (see :meth:`CountSeries.from_pandas`)."""
    if isinstance(index, pd.PeriodIndex):
        return index
    if not isinstance(index, pd.DatetimeIndex):
        raise InputError(
            f"a pandas Series needs a DatetimeIndex or PeriodIndex to place its counts in time; "
            f"this one has a {type(index).__name__}. For a plain sequence use "
            "CountSeries.from_counts(values, start=..., freq=...), or pass values.to_numpy()")
    if index.tz is not None:
        index = index.tz_localize(None)
    if freq is not None:
        if freq not in _PANDAS_PERIOD:
            raise InputError(f"freq must be one of {sorted(_PANDAS_PERIOD)}, not {freq!r}")
        return index.to_period(_PANDAS_PERIOD[freq])
    rule = index.freqstr or (pd.infer_freq(index) if len(index) >= 3 else None)
    if rule is None:
        raise InputError("the dates of the index are irregular (or fewer than three), so their "
                         "period cannot be told; give freq= ('D', 'W', 'M', 'Q' or 'Y') or a "
                         "PeriodIndex")
    off = pd.tseries.frequencies.to_offset(rule)
    code = off.rule_code.upper()
    if off.n != 1:
        raise InputError(f"the index has frequency {rule!r}; periods of several units are not "
                         "regular bins here: give freq= or resample first")
    if code == "D":
        period = "D"
    elif code == "W-SUN":
        period = "W-SUN"       # pandas' "W": each week labelled by its Sunday
    elif code == "W-MON":
        period = "W-SUN"       # dated on Mondays: the ISO weeks that start on them
    elif code.startswith("W-"):
        raise InputError(f"the index has weekly frequency {rule!r}: read as weeks starting or "
                         "ending on that day? Give a PeriodIndex (e.g. index.to_period('W-SAT')) "
                         "to say which")
    elif code in ("M", "ME", "MS", "BM", "BME", "BMS"):
        period = "M"
    elif code in ("Q-DEC", "QE-DEC", "BQ-DEC", "BQE-DEC", "QS-JAN", "BQS-JAN"):
        period = "Q-DEC"       # calendar quarters, labelled by their start or their end
    elif code in ("Y-DEC", "YE-DEC", "A-DEC", "BY-DEC", "BYE-DEC", "YS-JAN", "AS-JAN", "BYS-JAN"):
        period = "Y-DEC"
    else:
        raise InputError(f"the index has frequency {rule!r}, which is not a day, week, month, "
                         "calendar quarter or calendar year; give freq= or resample first")
    return index.to_period(period)


def as_count_series(obj, *, what: str = "series") -> "CountSeries":
    """A CountSeries as it is, or one made from a dated pandas Series; anything else refused."""
    if isinstance(obj, CountSeries):
        return obj
    if isinstance(obj, pd.Series):
        return CountSeries.from_pandas(obj)
    raise TypeError(f"{what} must be a CountSeries or a pandas Series indexed by dates or "
                    f"periods, not {type(obj).__name__}")


def _parse_days(values: pd.Series, *, file=None, column=None) -> pd.DatetimeIndex:
    """ISO days (``YYYY-MM-DD``, or datetimes at midnight) -> DatetimeIndex; an InputError
    names the first value that is not one."""
    if pd.api.types.is_datetime64_any_dtype(values):
        out = pd.DatetimeIndex(values)
    else:
        text = values.astype(str).str.strip()
        out = pd.DatetimeIndex(pd.to_datetime(text, format="%Y-%m-%d", errors="coerce"))
        bad = np.flatnonzero(out.isna())
        if len(bad):
            i = int(bad[0])
            raise InputError(f"{str(values.iloc[i])!r} is not an ISO day (YYYY-MM-DD)",
                             file=file, row=i + 2, column=column)
    return out.as_unit("ns")


def infer_freq(start, end) -> str | None:
    """The regular frequency of intervals ``[start, end)``: ``"D"``, ``"W"`` (ISO weeks,
    Monday starts), ``"M"``, ``"Q"`` or ``"Y"`` when every interval is exactly one such
    calendar period, else None (irregular).

    Examples
    --------
    >>> infer_freq(pd.to_datetime(["2024-01-01", "2024-01-08"]),
    ...            pd.to_datetime(["2024-01-08", "2024-01-15"]))
    'W'
    >>> infer_freq(pd.to_datetime(["2024-01-01"]), pd.to_datetime(["2024-01-05"])) is None
    True
    """
    s, e = pd.DatetimeIndex(start), pd.DatetimeIndex(end)
    if len(s) == 0:
        return None
    days = np.asarray((e - s).days)
    if np.all(days == 1):
        return "D"
    if np.all(days == 7) and np.all(s.day_of_week == 0):
        return "W"
    if np.all(s.day == 1):
        nxt = {"M": s + pd.offsets.MonthBegin(1), "Q": s + pd.offsets.QuarterBegin(1, startingMonth=1),
               "Y": s + pd.offsets.YearBegin(1)}
        if np.all(s.month % 3 == 1) and np.all(nxt["Q"] == e) and not np.all(nxt["M"] == e):
            return "Q"
        for code in ("M", "Y"):
            if code == "Y" and not np.all(s.month == 1):
                continue
            if np.all(nxt[code] == e):
                return code
    return None


def _warn_gaps(start, end, labels, *, file=None, column=None) -> None:
    """Warn when consecutive time labels skip periods (01-13, 01-14, 03-01): the rows
    are analysed as consecutive, so a gap is either missing periods or zeros left out."""
    if len(start) < 2:
        return
    s, e = np.asarray(start.asi8), np.asarray(end.asi8)
    gap = np.flatnonzero(s[1:] > e[:-1])
    if not len(gap):
        return
    import warnings

    from .schema import DataWarning
    i = int(gap[0]) + 1
    lab = labels.astype(str)
    where = ", ".join(x for x in (None if file is None else str(file), f"row {i + 2}",
                                  None if column is None else f"column {column!r}") if x)
    warnings.warn(f"{where}: time label {lab.iloc[i]!r} follows {lab.iloc[i - 1]!r} with periods "
                  f"missing between them ({len(gap)} gap(s) in the column); the rows are analysed as "
                  "consecutive periods: add the missing periods (with count 0 if none occurred) "
                  "to keep the calendar", DataWarning, stacklevel=3)
