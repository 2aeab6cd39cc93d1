"""Design matrices for count regression: intercept, trend, seasonality, event terms.

Time coordinate
---------------
Every term is computed from the interval dates ``[start, end)`` of the rows, never from
row positions alone, so the same specification works on daily, weekly, monthly,
quarterly, yearly and irregular series.

* **Regular series** (``freq`` in D, W, M, Q, Y): time is measured in *periods* of the
  series. A date inside period ``i`` (first row ``i = 0``) sits at ``i + (date -
  start_i) / (end_i - start_i)``. The ``trend`` column is the period number counted
  from 1 (1, 2, ... n, not centred), R's ``time = 1:n`` of the interrupted time series
  tutorials, so its coefficient is the log rate ratio per period.
* **Irregular series** (``freq=None``, e.g. intervals between cumulative tallies):
  time is measured in *days*. The trend is the number of days from the first start to
  the interval's midpoint (the exact average of a linear trend over the interval).

Offset
------
``exposure=None`` (the default) gives the offset ``log(period_exposure)``: the
observed fraction of each row's period for a regular series, so a fully observed
weekly, monthly, ... table has **no offset at all** (R's ``glm(y ~ time + law,
poisson)``), and days for an irregular series. ``exposure="days"`` asks for
``log(days in the period)`` (rates per day); a column name of ``series.data`` or an
array gives ``log`` of those values (R's ``offset(log(COL))``). :attr:`Design.offset_label`
states the choice (None when there is no offset) and :attr:`Design.rate_unit` the unit
of the rates (``exp(intercept)`` is the baseline rate in that unit).

Terms and the R formula each equals
-----------------------------------
For a monthly table with ``time = 1:n``, an event at the start of period ``t0 + 1``
(``post = time > t0``) and ``month`` the calendar month, the terms are exactly these R
expressions (the Lopez Bernal, Cummins and Gasparrini 2017 tutorial codes its smoking
ban that way, ``t0 = 36``):

=====================  ====================================================================
term                   R
=====================  ====================================================================
``trend``              ``time`` (1, 2, ... n; not centred: the intercept is the log rate at
                       ``time = 0``, one period before the first row)
``level:DATE``         ``post`` (0 before, 1 from the event's period on)
``slope:DATE``         ``I(time - t0):post`` (1 in the first post-event period, 2 in the
                       next...); with ``slope_start=0``: ``I(time - t0 - 1):post``
``pulse:DATE``         ``as.numeric(time == t0 + 1)``
``level:DATE+L``       ``dplyr::lag(post, L)`` with 0 for the first L rows (the same lag for
                       slope and pulse)
``sin1 .. cosK``       ``sin(2*pi*k*month/12)``, ``cos(2*pi*k*month/12)``, ``k = 1..K``; for
                       ``K <= 2`` this is ``tsModel::harmonic(month, K, 12)``
``COL``, ``log(COL)``  the covariate as written in the formula; ``scale(COL)`` when
                       standardised
=====================  ====================================================================

The same holds on weekly, quarterly and daily tables with their own period index, and
the offset is R's ``offset(log(COL))`` when one is asked for.

Event terms
-----------
For an event on day ``d`` (after a lag of ``L`` rows, see below), with ``t`` the period
axis above (first row starts at 0):

``level``
    fraction of the row's days on or after ``d``: 0 before, 1 after, and for the row
    that contains ``d``, ``(end - d) / (end - start)``.
``slope``
    a ramp that grows by one per period after the event, evaluated at the row's end
    for regular series: ``max(t_i + 1 - t_event, 0)``, so the first period on or after
    a start-of-period event gets 1 (``slope_start=1``, the default, R's
    ``I(time - t0):post``) and an event inside a row gives that row its ``level``
    fraction. ``slope_start=0`` evaluates the ramp at the row's start,
    ``max(t_i - t_event, 0)`` (0 in the first post-event period). For irregular series
    the ramp is in days, averaged over the interval (``slope_start`` does not apply).
``pulse``
    one period: ``level_i - level_{i-1}`` (1 in the row that starts on ``d``; an event
    inside a row is split between that row and the next).
``level+slope``
    both a ``level`` and a ``slope`` column.

A lag of ``L`` (in rows, i.e. periods) delays the event's columns by ``L`` rows.
Term names are ``level:<date>``, ``slope:<date>`` and ``pulse:<date>`` with the ISO
event date (or the event's ``name`` when given), followed by ``+L`` for a lag ``L > 0``.
Non-event terms never contain a colon.

Seasonality
-----------
``"fourier:K"``
    ``K`` sine/cosine pairs of the period index, ``sin(2 pi k x / P)`` and
    ``cos(2 pi k x / P)`` for ``k = 1..K``, named ``sin1, cos1, ..., sinK, cosK``. The
    period ``P`` is 12 for monthly series, 4 for quarterly, 52.18 for (ISO) weekly and
    365.25 for daily ones; ``"fourier:K:P"`` sets it. ``x`` is the period number
    ``1..n`` (R's ``time``), shifted on monthly (quarterly) series so that ``x`` equals
    the calendar month (quarter) modulo 12 (4): on a series that starts in January,
    ``x = time`` and also ``x mod 12 = month``, so the terms are R's
    ``harmonic(month, K, 12)`` of the tutorials. Needs a regular series.
``"harmonic:K"``
    ``tsModel::harmonic(x, K, P)`` exactly: its frequencies are ``1, 2, 4, ...,
    2^(K-1)`` (not ``1..K``), so it equals ``fourier:K`` for ``K <= 2`` only; columns
    ``sin1, sin2, sin4, ...``.
``"fourier-year:K"``
    ``K`` pairs with a period of one calendar year (365.2425 days), evaluated at the
    row's midpoint as a fraction of the year, so weekly, daily and irregular rows all
    use the same annual phase (columns ``sin1_year, cos1_year, ...``).
``"calendar"``
    month-of-year shares (the fraction of the row's days in each month; January is the
    reference), or quarter dummies for quarterly series. Months that never occur are
    left out.

Covariates
----------
``covariates=["kms", "log(PetrolPrice)"]`` adds columns of ``series.data`` as they are,
or their logs; ``standardize=True`` centres and scales them (R's ``scale()``). A
missing value is an error naming the row: nothing is imputed.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..schema import ModelError, ModelWarning
from ..series import CountSeries
from ._warn import warn

__all__ = ["EventTerm", "Design", "build_design", "resolve_offset", "parse_event", "EVENT_KINDS",
           "parse_seasonality", "covariate_columns", "SEASONAL_PERIODS"]

EVENT_KINDS = ("level", "slope", "pulse", "level+slope")
_YEAR_DAYS = 365.2425
_EPOCH = pd.Timestamp("2000-01-01")


@dataclass(frozen=True)
class EventTerm:
    """One event entering a model.

    Parameters
    ----------
    date : str or Timestamp
        Day of the event.
    kind : {"level", "slope", "pulse", "level+slope"}
        Shape of the effect (see the module docstring).
    lag : int
        Delay in rows (periods) before the effect starts.
    name : str, optional
        Identifier used in term names instead of the ISO date.
    """

    date: pd.Timestamp
    kind: str = "level"
    lag: int = 0
    name: str | None = None

    def __post_init__(self):
        try:
            d = pd.Timestamp(self.date)
        except (ValueError, TypeError) as exc:
            raise ValueError(f"EventTerm date: cannot read {self.date!r} as a date ({exc})") from None
        if d is pd.NaT or pd.isna(d):
            raise ValueError("EventTerm date is missing")
        object.__setattr__(self, "date", d.normalize())
        if self.kind not in EVENT_KINDS:
            raise ValueError(f"EventTerm kind must be one of {EVENT_KINDS}, not {self.kind!r}")
        if int(self.lag) != self.lag or self.lag < 0:
            raise ValueError(f"EventTerm lag must be a non-negative integer (rows), not {self.lag!r}")
        object.__setattr__(self, "lag", int(self.lag))
        if self.name is not None and ":" in str(self.name):
            raise ValueError(f"EventTerm name must not contain ':' ({self.name!r})")

    @property
    def label(self) -> str:
        """The event part of the term names: name or ISO date, plus ``+lag``."""
        base = self.name if self.name is not None else self.date.strftime("%Y-%m-%d")
        return base + (f"+{self.lag}" if self.lag else "")

    @property
    def components(self) -> tuple[str, ...]:
        return ("level", "slope") if self.kind == "level+slope" else (self.kind,)

    @property
    def term_names(self) -> tuple[str, ...]:
        return tuple(f"{c}:{self.label}" for c in self.components)


_KIND_RE = re.compile(r"^(?P<kind>level\+slope|level|slope|pulse)(?:\+(?P<lag>\d+))?$")


def parse_event(spec) -> EventTerm:
    """An :class:`EventTerm` from an EventTerm, a date, or ``"DATE[:kind][+lag]"``.

    Examples
    --------
    >>> parse_event("2024-01-28:level+slope").kind
    'level+slope'
    >>> parse_event("2024-01-28:pulse+2").lag
    2
    """
    if isinstance(spec, EventTerm):
        return spec
    if isinstance(spec, (pd.Timestamp, np.datetime64, datetime.date)):
        return EventTerm(spec)
    if isinstance(spec, str):
        date, _, rest = spec.strip().partition(":")
        lag = 0
        m = re.match(r"^(.*?)\+(\d+)$", date.strip())
        if not rest and m:
            date, lag = m.group(1), int(m.group(2))
        m = _KIND_RE.match(rest.strip()) if rest else None
        if rest and m is None:
            raise ValueError(f"cannot read event {spec!r}: use DATE[:level|slope|pulse|level+slope][+LAG]")
        kind = m.group("kind") if m else "level"
        if m and m.group("lag"):
            lag = int(m.group("lag"))
        return EventTerm(date.strip(), kind=kind, lag=lag)
    raise TypeError(f"events must be EventTerm objects, dates or 'DATE:kind' strings, not {type(spec).__name__}")


@dataclass(frozen=True)
class Design:
    """A design matrix with the bookkeeping the results need.

    Attributes
    ----------
    exog : pandas.DataFrame
        One column per term (``intercept`` first).
    offset : numpy.ndarray
        The offset (zeros when there is none).
    offset_label : str or None
        ``"log(period_exposure)"``, ``"log(days)"``, ``"log(COL)"`` or
        ``"log(exposure)"``; None when the model has no offset.
    rate_unit : str
        Unit of ``exp(linear predictor)``, e.g. ``"per month"``.
    events : tuple of EventTerm
    event_columns : dict
        Event label -> term names of that event.
    time_unit : str
        ``"period"`` (regular series) or ``"day"`` (irregular).
    covariates : tuple of str
        Term names of the covariates.
    scaling : dict
        Standardised covariate -> ``(mean, sd)`` of the values it was built from.
    """

    exog: pd.DataFrame
    offset: np.ndarray
    events: tuple[EventTerm, ...] = ()
    event_columns: dict = field(default_factory=dict)
    time_unit: str = "period"
    offset_label: str | None = None
    rate_unit: str = "per period"
    covariates: tuple[str, ...] = ()
    scaling: dict = field(default_factory=dict)

    @property
    def names(self) -> list[str]:
        return list(self.exog.columns)

    def zeroed(self, names) -> pd.DataFrame:
        """The design with the columns ``names`` set to 0 (counterfactual world)."""
        X = self.exog.copy()
        for n in names:
            X[n] = 0.0
        return X

    def resolve(self, which) -> list[str]:
        """Term names of the events selected by ``which``.

        ``which`` may be ``True``/``"all"`` (every event), a term name
        (``"level:2024-01-28"``), an event label (``"2024-01-28"``), an EventTerm or a
        list of those.
        """
        if which is None or which is False:
            return []
        if which is True or (isinstance(which, str) and which == "all"):
            return [n for e in self.events for n in e.term_names]
        if isinstance(which, (str, EventTerm, pd.Timestamp)):
            which = [which]
        out: list[str] = []
        for w in which:
            if isinstance(w, EventTerm):
                names = list(w.term_names)
            elif isinstance(w, pd.Timestamp):
                names = [n for e in self.events if e.date == w.normalize() for n in e.term_names]
            elif w in self.exog.columns and ":" in w:
                names = [w]
            elif w in self.event_columns:
                names = list(self.event_columns[w])
            else:
                names = []
            missing = [n for n in names if n not in self.exog.columns]
            if not names or missing:
                known = [n for e in self.events for n in e.term_names]
                raise ValueError(f"counterfactual: {w!r} is not an event term of this fit; "
                                 f"event terms are {known}")
            out.extend(n for n in names if n not in out)
        return out


def _period_index(series: CountSeries) -> np.ndarray:
    """Periods from the first row's start to each row's start (regular series)."""
    s = series.start
    f = series.freq
    first = s[0]
    if f == "D":
        return np.asarray((s - first).days, float)
    if f == "W":
        return np.asarray((s - first).days, float) / 7.0
    if f in ("M", "Q", "Y"):
        months = (s.year - first.year) * 12 + (s.month - first.month)
        per = {"M": 1, "Q": 3, "Y": 12}[f]
        return np.asarray(months, float) / per
    raise ValueError(f"unknown frequency {f!r}")


def _period_position(series: CountSeries, date: pd.Timestamp) -> float:
    """Position of ``date`` on the period axis of a regular series (first row's start = 0)."""
    f = series.freq
    first = series.start[0]
    if f in ("D", "W"):
        return (date - first).days / (1.0 if f == "D" else 7.0)
    per = {"M": 1, "Q": 3, "Y": 12}[f]
    months = (date.year - first.year) * 12 + (date.month - first.month)
    k = months // per  # whole periods from the first start to the period holding the date
    p_start = first + pd.DateOffset(months=k * per)
    p_end = first + pd.DateOffset(months=(k + 1) * per)
    return k + (date - p_start).days / (p_end - p_start).days


def _days(idx) -> np.ndarray:
    return np.asarray((pd.DatetimeIndex(idx) - _EPOCH) / pd.Timedelta(days=1), float)


def _level(start: np.ndarray, end: np.ndarray, d: float) -> np.ndarray:
    return np.clip((end - np.maximum(start, d)) / (end - start), 0.0, 1.0)


def _shift(x: np.ndarray, lag: int) -> np.ndarray:
    if lag == 0:
        return x
    out = np.zeros_like(x)
    if lag < len(x):
        out[lag:] = x[: len(x) - lag]
    return out


_SEAS_RE = re.compile(r"^(?P<kind>fourier|harmonic|fourier-year):(?P<K>[^:]+)(?::(?P<P>[^:]+))?$")
#: Default period (in periods of the series) of ``fourier:K`` and ``harmonic:K``.
SEASONAL_PERIODS = {"M": 12.0, "Q": 4.0, "W": 52.18, "D": 365.25}


def parse_seasonality(spec) -> tuple[str, int | None, float | None]:
    """``(kind, K, period)`` of a seasonality spec; ValueError for anything else.

    ``"fourier:K"``, ``"fourier:K:P"``, ``"harmonic:K"``, ``"harmonic:K:P"``,
    ``"fourier-year:K"`` or ``"calendar"`` (``K`` and ``P`` None).

    Examples
    --------
    >>> parse_seasonality("fourier:2")
    ('fourier', 2, None)
    >>> parse_seasonality("fourier:2:52.18")
    ('fourier', 2, 52.18)
    """
    if spec == "calendar":
        return "calendar", None, None
    m = _SEAS_RE.match(str(spec).strip()) if isinstance(spec, str) else None
    if m is None:
        raise ValueError(f"seasonality must be None, 'fourier:K[:P]', 'harmonic:K[:P]', "
                         f"'fourier-year:K' or 'calendar', not {spec!r}")
    try:
        K = int(m.group("K"))
    except ValueError:
        raise ValueError(f"seasonality {spec!r}: K must be an integer, e.g. 'fourier:2'") from None
    if K < 1:
        raise ValueError(f"seasonality {spec!r}: K must be at least 1")
    P = None
    if m.group("P") is not None:
        if m.group("kind") == "fourier-year":
            raise ValueError(f"seasonality {spec!r}: fourier-year has a period of one calendar year")
        try:
            P = float(m.group("P"))
        except ValueError:
            P = float("nan")
        if not (np.isfinite(P) and P > 1):
            raise ValueError(f"seasonality {spec!r}: the period P must be a number above 1 (periods)")
    return m.group("kind"), K, P


def _fourier_x(series: CountSeries) -> np.ndarray:
    """The period index of the Fourier terms: ``1..n`` (R's ``time``), shifted for monthly
    and quarterly series so that it equals the month (quarter) of the year modulo 12 (4)."""
    t = _period_index(series) + 1.0
    if series.freq == "M":
        return t + (series.start[0].month - 1)
    if series.freq == "Q":
        return t + (series.start[0].quarter - 1)
    return t


def _seasonal(series: CountSeries, seasonality: str, mid: np.ndarray) -> pd.DataFrame:
    cols: dict[str, np.ndarray] = {}
    kind, K, P = parse_seasonality(seasonality)
    if series.freq == "Y":
        raise ValueError("seasonality is meaningless for a yearly series; use seasonality=None")
    if kind in ("fourier", "harmonic"):
        if series.freq is None:
            raise ValueError(f"seasonality {seasonality!r} needs a regular series (a period index); "
                             "use 'fourier-year:K' for irregular intervals")
        period = SEASONAL_PERIODS[series.freq] if P is None else P
        freqs = list(range(1, K + 1)) if kind == "fourier" else [2 ** j for j in range(K)]
        if 2 * max(freqs) >= period:
            raise ValueError(f"seasonality {seasonality!r}: the highest frequency ({max(freqs)}) must be "
                             f"below {period / 2:g} for a period of {period:g} (2 x frequency < period)")
        x = _fourier_x(series)
        for k in freqs:
            cols[f"sin{k}"] = np.sin(2 * np.pi * k * x / period)
            cols[f"cos{k}"] = np.cos(2 * np.pi * k * x / period)
        return pd.DataFrame(cols)
    if kind == "fourier-year":
        per_year = {"D": _YEAR_DAYS, "W": _YEAR_DAYS / 7, "M": 12, "Q": 4}.get(series.freq)
        if per_year is not None and 2 * K >= per_year:
            raise ValueError(f"seasonality {seasonality!r}: K must be below {per_year / 2:g} "
                             f"for freq={series.freq!r} (2K < periods per year)")
        phase = 2 * np.pi * mid / _YEAR_DAYS
        for k in range(1, K + 1):
            cols[f"sin{k}_year"] = np.sin(k * phase)
            cols[f"cos{k}_year"] = np.cos(k * phase)
        return pd.DataFrame(cols)
    # calendar
    s, e = series.start, series.end
    if series.freq == "Q":
        q = np.asarray(s.quarter)
        for k in (2, 3, 4):
            if (q == k).any():
                cols[f"quarter_{k}"] = (q == k).astype(float)
        return pd.DataFrame(cols)
    # share of each row's days that fall in each calendar month
    share = np.zeros((len(s), 12))
    for i, (a, b) in enumerate(zip(s, e)):
        days = pd.date_range(a, b - pd.Timedelta(days=1), freq="D")
        counts = np.bincount(np.asarray(days.month) - 1, minlength=12)
        share[i] = counts / counts.sum()
    for m in range(2, 13):
        if share[:, m - 1].any():
            cols[f"month_{m:02d}"] = share[:, m - 1]
    return pd.DataFrame(cols)


_LOG_RE = re.compile(r"^log\((?P<col>.+)\)$")


def covariate_columns(series: CountSeries, covariates=None, *, standardize: bool = False
                      ) -> tuple[dict[str, np.ndarray], dict[str, tuple[float, float]]]:
    """Covariate columns ``{term name: values}`` and the scaling used ``{name: (mean, sd)}``.

    Parameters
    ----------
    covariates : None, sequence of str, or DataFrame
        Column names of ``series.data``, each optionally as ``"log(COL)"`` (R's
        ``log(COL)`` in a formula); or a DataFrame with one row per series row (in the
        series' order) whose columns enter as they are.
    standardize : bool
        Centre and scale every covariate to mean 0 and standard deviation 1 (sample
        standard deviation, R's ``scale(x)``); the term is then named ``scale(NAME)``
        and its rate ratio is per standard deviation. Default: the values as given
        (R's ``y ~ x``), rate ratio per unit.

    Raises
    ------
    ModelError
        A missing or non-numeric value (naming the row), ``log`` of a value <= 0, a
        constant covariate when standardising.
    ValueError
        An unknown column.
    """
    if covariates is None:
        return {}, {}
    out: dict[str, np.ndarray] = {}
    scaling: dict[str, tuple[float, float]] = {}
    if isinstance(covariates, pd.DataFrame):
        if len(covariates) != series.n:
            raise ValueError(f"covariates has {len(covariates)} rows for {series.n} series rows")
        items = [(str(c), str(c), covariates[c], False) for c in covariates.columns]
    else:
        if isinstance(covariates, str):
            covariates = [covariates]
        items = []
        for spec in covariates:
            spec = str(spec).strip()
            m = _LOG_RE.match(spec)
            col = m.group("col").strip() if m else spec
            if col not in series.data.columns:
                raise ValueError(f"covariate column {col!r} is not in the series "
                                 f"(columns {list(series.data.columns)})")
            items.append((f"log({col})" if m else col, col, series.data[col], bool(m)))
    for name, col, raw, take_log in items:
        x = pd.to_numeric(pd.Series(raw).reset_index(drop=True), errors="coerce").to_numpy(float)
        bad = np.flatnonzero(~np.isfinite(x))
        if len(bad):
            i = int(bad[0])
            raise ModelError(f"covariate {col!r}: row {i} ({series.labels[i]}) has no value "
                             f"({pd.Series(raw).iloc[i]!r}); missing values are not imputed, "
                             "fill or drop the row")
        if take_log:
            bad = np.flatnonzero(x <= 0)
            if len(bad):
                i = int(bad[0])
                raise ModelError(f"covariate {name}: row {i} ({series.labels[i]}) has {x[i]:g}; "
                                 "log needs positive values")
            x = np.log(x)
        if standardize:
            mu, sd = float(np.mean(x)), float(np.std(x, ddof=1)) if len(x) > 1 else 0.0
            if not sd > 0:
                raise ModelError(f"covariate {name} is constant; it cannot be standardised")
            x = (x - mu) / sd
            scaling[f"scale({name})"] = (mu, sd)
            name = f"scale({name})"
        if name in out:
            raise ModelError(f"covariate {name!r} is given twice")
        out[name] = x
    return out, scaling


def resolve_offset(series: CountSeries, exposure=None) -> tuple[np.ndarray, str | None, str]:
    """The offset of a model on ``series``: ``(values, label, rate_unit)``.

    Parameters
    ----------
    exposure : None, "days", str or array-like
        None: ``log(series.period_exposure)``, no offset (label None) when every row is
        a fully observed period; ``"days"``: ``log(days in each period)``; another
        string: ``log`` of that column of ``series.data``; an array: ``log`` of it.

    Examples
    --------
    >>> s = CountSeries.from_counts([3, 4, 5], start="2024-01-01", freq="M")
    >>> off, label, unit = resolve_offset(s)
    >>> off.tolist(), label, unit
    ([0.0, 0.0, 0.0], None, 'per month')
    >>> off, label, unit = resolve_offset(s, "days")
    >>> off.round(4).tolist(), label, unit
    ([3.434, 3.3673, 3.434], 'log(days)', 'per day')
    """
    unit = series.rate_unit
    if exposure is None:
        x = np.asarray(series.period_exposure, float)
        label = "log(period_exposure)"
        if series.is_regular and np.allclose(x, 1.0, rtol=0, atol=1e-12):
            return np.zeros(series.n), None, unit
    elif isinstance(exposure, str) and exposure == "days":
        x, label, unit = series.period_days, "log(days)", "per day"
    elif isinstance(exposure, str):
        if exposure not in series.data.columns:
            raise ValueError(f"exposure column {exposure!r} is not in the series "
                             f"(columns {list(series.data.columns)})")
        x = pd.to_numeric(series.data[exposure], errors="coerce").to_numpy(float)
        label, unit = f"log({exposure})", f"per unit of {exposure}"
    else:
        x = np.asarray(exposure, float).reshape(-1)
        if len(x) != series.n:
            raise ValueError(f"exposure has {len(x)} values for {series.n} rows")
        label = getattr(exposure, "label", "log(exposure)")
        unit = getattr(exposure, "unit", "per unit of exposure")
    bad = np.flatnonzero(~np.isfinite(x) | (x <= 0))
    if len(bad):
        i = int(bad[0])
        raise ModelError(f"exposure must be positive; row {i} ({series.labels[i]}) has {float(x[i])!r}")
    return np.log(x), label, unit


def build_design(series: CountSeries, *, trend: bool = False, seasonality: str | None = None,
                 events=(), events_outside: str = "error", exposure=None, slope_start: int = 1,
                 covariates=None, standardize: bool = False) -> Design:
    """The design matrix of a count model on ``series``.

    Parameters
    ----------
    series : CountSeries
    trend : bool
        Add a linear ``trend`` column (periods, or days for irregular series).
    seasonality : None, "fourier:K[:P]", "harmonic:K[:P]", "fourier-year:K" or "calendar"
        See the module docstring.
    events : sequence
        EventTerm objects, dates or ``"DATE[:kind][+lag]"`` strings.
    slope_start : {1, 0}
        Value of a ``slope`` term in the first period on or after the event: 1 (R's
        ``I(time - t0):post`` of the tutorials, the default) or 0 (the ramp starts the
        period after).
    covariates : None, sequence of str or DataFrame
        Extra columns, see :func:`covariate_columns` (``"COL"`` or ``"log(COL)"``).
    standardize : bool
        Standardise the covariates (R's ``scale()``), see :func:`covariate_columns`.
    events_outside : {"error", "drop"}
        What to do with an event that falls outside ``[first start, last end)``:
        raise :class:`ModelError`, or drop it with a :class:`ModelWarning`.
    exposure : None, "days", str or array-like
        The offset, see :func:`resolve_offset` (default: ``log(period_exposure)``,
        i.e. none for fully observed regular periods).

    Returns
    -------
    Design

    Raises
    ------
    ModelError
        Event outside the series (with ``events_outside="error"``), duplicate events.

    Examples
    --------
    >>> from analysis.series import CountSeries
    >>> s = CountSeries.from_counts([1, 0, 2, 1, 0, 9, 8, 11, 10, 9], start="2024-01-01", freq="W")
    >>> d = build_design(s, trend=True, events=["2024-02-05:level"])
    >>> d.names
    ['intercept', 'trend', 'level:2024-02-05']
    """
    if events_outside not in ("error", "drop"):
        raise ValueError(f"events_outside must be 'error' or 'drop', not {events_outside!r}")
    if slope_start not in (0, 1) or isinstance(slope_start, bool):
        raise ValueError(f"slope_start must be 1 or 0, not {slope_start!r}")
    if series.n == 0:
        raise ModelError("the series has no rows")
    s_day = _days(series.start)
    e_day = _days(series.end)
    mid = (s_day + e_day) / 2
    regular = series.freq is not None
    cols: dict[str, np.ndarray] = {"intercept": np.ones(series.n)}
    if trend:
        cols["trend"] = _period_index(series) + 1.0 if regular else mid - s_day[0]
    if seasonality is not None:
        for k, v in _seasonal(series, str(seasonality), mid).items():
            cols[k] = v.to_numpy(float)
    cov_cols, scaling = covariate_columns(series, covariates, standardize=standardize)
    for k, v in cov_cols.items():
        if k in cols:
            raise ModelError(f"covariate {k!r} has the name of another term; rename the column")
        cols[k] = v
    X = pd.DataFrame(cols)

    terms = [parse_event(e) for e in (events or ())]
    kept: list[EventTerm] = []
    ev_cols: dict[str, tuple[str, ...]] = {}
    first, last = s_day[0], e_day[-1]
    for ev in terms:
        d = _days([ev.date])[0]
        if not (first <= d < last):
            what = ev.label if ev.label == str(ev.date.date()) else f"{ev.label} ({ev.date.date()})"
            msg = (f"event {what} is outside the series "
                   f"({series.start[0].date()} to {(series.end[-1] - pd.Timedelta(days=1)).date()})")
            if events_outside == "error":
                raise ModelError(msg + "; remove it or widen the series window")
            warn(msg + "; it is left out of the model", ModelWarning)
            continue
        lev = _level(s_day, e_day, d)
        for comp, name in zip(ev.components, ev.term_names):
            if name in X.columns:
                raise ModelError(f"event term {name!r} is given twice")
            if comp == "level":
                x = lev
            elif comp == "pulse":
                x = lev - np.concatenate([[0.0], lev[:-1]])
            elif regular:  # slope: ramp in periods, at the row end (slope_start=1) or start (0)
                x = np.maximum(_period_index(series) + slope_start
                               - _period_position(series, ev.date), 0.0)
            else:  # slope, irregular: ramp in days averaged over the interval
                a = np.maximum(s_day - d, 0.0)
                b = np.maximum(e_day - d, 0.0)
                x = (b ** 2 - a ** 2) / (2 * (e_day - s_day))
            X[name] = _shift(np.asarray(x, float), ev.lag)
        kept.append(ev)
        ev_cols[ev.label] = ev_cols.get(ev.label, ()) + ev.term_names
    offset, label, unit = resolve_offset(series, exposure)
    return Design(exog=X, offset=offset, events=tuple(kept), event_columns=ev_cols,
                  time_unit="period" if regular else "day", offset_label=label, rate_unit=unit,
                  covariates=tuple(cov_cols), scaling=scaling)


def check_rank(X: pd.DataFrame, n_obs: int | None = None) -> None:
    """Raise :class:`ModelError` if ``X`` has too few rows or collinear columns.

    The message names the first column that is a linear combination of the columns
    before it (and which ones).
    """
    n, k = X.shape
    n_obs = n if n_obs is None else n_obs
    if n_obs <= k:
        raise ModelError(f"the series has {n_obs} rows but the model has {k} terms "
                         f"({', '.join(X.columns)}); it needs more rows than terms")
    A = X.to_numpy(float)
    for j, name in enumerate(X.columns):
        if not np.any(A[:, j] != 0):
            raise ModelError(f"term {name!r} is zero on every row (an event whose effect starts "
                             "after the last row, e.g. through its lag?); remove it")
    scale = np.linalg.norm(A, axis=0)
    An = A / np.where(scale > 0, scale, 1)
    tol = 1e-9 * max(n, k)
    for j in range(1, k):
        sub = An[:, : j + 1]
        sv = np.linalg.svd(sub, compute_uv=False)
        if sv[-1] <= tol * sv[0]:
            # which earlier columns explain column j
            coef, *_ = np.linalg.lstsq(An[:, :j], An[:, j], rcond=None)
            partners = [X.columns[i] for i in np.flatnonzero(np.abs(coef) > 1e-6)]
            raise ModelError(f"term {X.columns[j]!r} is collinear with {partners}: the data cannot "
                             "separate their effects (e.g. two events in the same period, an event "
                             "in the first period, or too short a series); drop or merge one")
