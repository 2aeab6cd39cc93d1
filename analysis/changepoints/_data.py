"""Input coercion: a CountSeries or a plain array (with optional exposure) -> arrays.

Every search and the Bayesian posterior take either a :class:`~analysis.series.CountSeries`
or a 1-D array of observations. This module turns both into a :class:`SignalData` and
checks the values; messages name the row (spreadsheet numbering, header = row 1, when the
series came from a file) or the array element.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..schema import InputError


@dataclass(frozen=True)
class SignalData:
    """Observations ready for a cost.

    Attributes
    ----------
    y : ndarray of float, shape (n,)
    exposure : ndarray of float, shape (n,), or None (one unit per row)
    labels : list of str or None
        Time labels of the rows as written in the source (None for plain arrays).
    starts : ndarray of datetime64[ns] or None
        Start day of each row's interval (None for plain arrays).
    source : str or None
        File the data came from, for error messages.
    column : str
        Name of the count column in that file, for error messages.
    """

    y: np.ndarray
    exposure: np.ndarray | None = None
    labels: list | None = None
    starts: np.ndarray | None = None
    source: str | None = None
    column: str = "count"

    @property
    def n(self) -> int:
        return int(self.y.shape[0])

    def where(self, i: int) -> dict:
        """Keyword arguments for InputError locating row ``i`` (0-based)."""
        if self.labels is not None:
            return {"file": self.source, "row": int(i) + 2, "column": self.column}
        return {}

    def label(self, i: int):
        """Time label of row ``i`` (the row index itself for plain arrays)."""
        return self.labels[i] if self.labels is not None else int(i)


def as_signal(data, exposure=None) -> SignalData:
    """Coerce a CountSeries, a SignalData or an array-like into :class:`SignalData`.

    Parameters
    ----------
    data : CountSeries, SignalData, pandas Series or array_like of shape (n,)
        A pandas Series must be indexed by dates or periods
        (:meth:`~analysis.series.CountSeries.from_pandas`); use ``values.to_numpy()`` for
        a plain sequence.
    exposure : array_like, {"auto", "days", "rows"} or None
        For arrays: exposure per row (None: one unit per row). For a CountSeries,
        ``None``/``"auto"`` uses :attr:`CountSeries.period_exposure`: rates per full
        period of a regular series (one unit per row, as in R's changepoint package,
        when every row is observed in full; the observed fraction of the period for an
        edge bin observed in part), per day of exposure for an irregular one.
        ``"days"`` (the exposure in days) and ``"rows"`` (one unit per row) force
        either; an array overrides.
    """
    if isinstance(data, SignalData):
        return data
    if type(data).__name__ == "Series" and type(data).__module__.startswith("pandas"):
        # a pandas Series of counts indexed by dates or periods: dates kept (checked without
        # importing pandas, which the changepoint path does not otherwise need)
        from ..series import CountSeries

        data = CountSeries.from_pandas(data)
    from ..series import CountSeries

    if isinstance(data, CountSeries):
        if data.groups:
            raise ValueError("`series` has group columns; select one group first, e.g. "
                             "series.select(country=...), or loop over series.iter_groups()")
        y = data.counts
        labels = data.labels
        starts = data.data["start"].to_numpy("datetime64[ns]")
        src = data.attrs.get("source") if isinstance(data.attrs, dict) else None
        if exposure is None or (isinstance(exposure, str) and exposure == "auto"):
            # the one unit of every rate (CountSeries.rate_unit): events per full period
            # for a regular series (exposure = observed fraction of each period; None, one
            # unit per row as in R's changepoint, when all are observed in full), per day
            # of exposure for an irregular one
            pe = data.period_exposure
            exp = None if (data.is_regular and np.allclose(pe, 1.0)) else pe
        elif isinstance(exposure, str) and exposure == "days":
            exp = data.exposure
        elif isinstance(exposure, str) and exposure == "rows":
            exp = None
        else:
            exp = np.asarray(exposure, float)
            if exp.shape != y.shape:
                raise ValueError(f"`exposure` must have shape {y.shape}, got {exp.shape}")
        return SignalData(np.ascontiguousarray(y, float), _check_exposure(exp, True, src),
                          labels, starts, src)
    y = np.asarray(data, dtype=float)
    if y.ndim != 1:
        raise ValueError(f"the signal must be 1-D (shape (n,)), got shape {y.shape}")
    exp = None if exposure is None else np.asarray(exposure, float)
    if exp is not None and exp.shape != y.shape:
        raise ValueError(f"`exposure` must have the shape of the signal {y.shape}, got {exp.shape}")
    return SignalData(np.ascontiguousarray(y), _check_exposure(exp, False, None))


def _check_exposure(x, from_table, source):
    if x is None:
        return None
    x = np.ascontiguousarray(x, float)
    bad = np.flatnonzero(~np.isfinite(x) | (x <= 0))
    if len(bad):
        i = int(bad[0])
        loc = {"file": source, "row": i + 2, "column": "exposure"} if from_table else {}
        where = "" if from_table else f" (element {i})"
        raise InputError(f"exposure {_num(x[i])}{where} must be a positive number", **loc)
    return x


def _num(v) -> str:
    """A value for a message as a reader would write it (``-4``, ``2.5``, ``nan``)."""
    return format(float(v), "g")


#: Largest count a count cost accepts: 2**53, the last integer a float64 holds exactly
#: (beyond it the segment sums, and so the costs, are no longer exact).
MAX_EXACT_COUNT = 2.0 ** 53


def check_counts(sig: SignalData, cost_name: str) -> None:
    """Counts for a count cost: finite, non-negative integers up to 2**53."""
    y = sig.y
    with np.errstate(invalid="ignore"):
        if np.all(np.isfinite(y) & (y >= 0) & (y == np.floor(y)) & (y <= MAX_EXACT_COUNT)):
            return
    with np.errstate(invalid="ignore"):
        too_big = np.isfinite(y) & (y > MAX_EXACT_COUNT)
    for mask, what in ((~np.isfinite(y), "is missing or not finite"),
                       (y < 0, "is negative"),
                       (y != np.round(y), "is not a whole number"),
                       (too_big, "is above 2**53 = 9007199254740992, the largest count a float64 "
                                 "holds exactly")):
        bad = np.flatnonzero(mask)
        if len(bad):
            i = int(bad[0])
            where = "" if sig.labels is not None else f" (element {i})"
            hint = ("; the count costs need whole, non-negative counts (use allocate='start' "
                    "when binning, or a normal cost for other data)")
            raise InputError(f"count {_num(y[i])}{where} {what}: the {cost_name!r} cost cannot use it{hint}",
                             **sig.where(i))


def check_finite(sig: SignalData, cost_name: str) -> None:
    bad = np.flatnonzero(~np.isfinite(sig.y))
    if len(bad):
        i = int(bad[0])
        where = "" if sig.labels is not None else f" (element {i})"
        raise InputError(f"value {_num(sig.y[i])}{where} is missing or not finite: the {cost_name!r} "
                         "cost needs finite numbers", **sig.where(i))
