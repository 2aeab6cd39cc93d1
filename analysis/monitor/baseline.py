"""In-control means for monitoring: a baseline period's rate, or a fitted count model.

A :class:`~analysis.models.CountFit` fitted on the first rows of a series is the in-control
model for the rows after them: its design (trend, seasonality, event terms, offset) is rebuilt
on the series from the fit's first row, checked to reproduce the fitted design exactly on the
fitted rows, and extended to the monitored rows, whose in-control means are
``exp(x_t' beta + offset_t)``. A design that cannot be rebuilt (a term this module cannot
identify, a seasonal dummy the baseline never saw) is refused, never approximated.
"""

from __future__ import annotations

import inspect
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class InControl:
    """In-control model of the monitored periods.

    Attributes
    ----------
    expected : numpy.ndarray
        In-control mean count of each monitored period.
    base_count, base_expected : float
        Events in the baseline and their in-control expectation (the Gamma(0.5 + count,
        expected) posterior of a rate multiplier, 1 in control, for the online detector).
    alpha : float
        NB2 dispersion of the in-control counts (0: Poisson).
    description : str
        One line stating the in-control model.
    """

    expected: np.ndarray
    base_count: float
    base_expected: float
    alpha: float
    description: str


def _rows_of_fit(series, fit) -> tuple[int, int]:
    starts = pd.DatetimeIndex(series.start)
    i0 = starts.get_indexer([pd.Timestamp(fit.start[0])])[0]
    n = len(fit.start)
    if i0 < 0 or i0 + n > series.n or not (
            starts[i0:i0 + n].equals(pd.DatetimeIndex(fit.start))
            and pd.DatetimeIndex(series.end[i0:i0 + n]).equals(pd.DatetimeIndex(fit.end))):
        raise ValueError("the baseline fit's rows are not consecutive rows of the monitored series "
                         f"(fit from {pd.Timestamp(fit.start[0]).date()}, {n} rows): fit the model "
                         "on series.window(start, end) of this series")
    if i0 + n >= series.n:
        raise ValueError("the baseline fit covers the series to its end: no period after it to monitor")
    return int(i0), int(i0 + n)


def _exposure_option(fit, series):
    label = fit.design.offset_label
    if label in (None, "log(period_exposure)"):
        return None
    if label == "log(days)":
        return "days"
    m = re.fullmatch(r"log\((.+)\)", str(label))
    if m and m.group(1) in series.data.columns:
        return m.group(1)
    raise ValueError(f"the baseline fit's offset {label!r} cannot be rebuilt for the monitored periods "
                     "(use no offset, exposure='days' or a column of the series)")


def _seasonality_candidates(names) -> list:
    seas = [n for n in names if re.match(r"^(sin|cos)\d", n)]
    if seas:
        K = sum(1 for n in seas if n.startswith("sin"))
        return [f"{kind}:{K}" for kind in ("fourier", "harmonic", "fourier-year")]
    if any(n.startswith(("month_", "quarter_")) for n in names):
        return ["calendar"]
    return [None]


def in_control_from_fit(series, fit) -> tuple[int, InControl]:
    """Monitored rows (from the returned index to the end) and their in-control model."""
    from ..models.design import build_design

    if fit.family not in ("poisson", "negbin", "quasipoisson"):
        raise ValueError(f"a {fit.family} fit cannot be the in-control model (poisson, negbin or "
                         "quasipoisson fits only)")
    i0, i1 = _rows_of_fit(series, fit)
    full = series.window(series.start[i0], None)
    names = list(fit.design.exog.columns)
    exposure = _exposure_option(fit, series)
    kw = {}
    cov = tuple(getattr(fit.design, "covariates", ()) or ())
    if cov:
        if "covariates" not in inspect.signature(build_design).parameters:  # pragma: no cover
            raise ValueError("the baseline fit has covariates this version cannot rebuild")
        kw["covariates"] = list(cov)
    nfit = i1 - i0
    X0 = fit.design.exog.to_numpy(float)
    last_err = None
    for seas in _seasonality_candidates(names):
        try:
            d = build_design(full, trend="trend" in names, seasonality=seas, events=fit.design.events,
                             exposure=exposure, **kw)
        except (ValueError, TypeError) as exc:
            last_err = exc
            continue
        if not set(names) <= set(d.exog.columns):
            continue
        X = d.exog[names].to_numpy(float)
        if not (np.allclose(X[:nfit], X0, rtol=1e-12, atol=1e-12)
                and np.allclose(d.offset[:nfit], fit.design.offset, rtol=1e-12, atol=1e-12)):
            continue
        extra = [c for c in d.exog.columns if c not in names and np.any(d.exog[c].to_numpy()[nfit:] != 0)]
        if extra:
            raise ValueError(f"the monitored periods need terms the baseline fit does not have ({extra}: "
                             "e.g. calendar months the baseline never saw); use a longer baseline or "
                             "another seasonality")
        beta = fit.params[names].to_numpy(float)
        mu = np.exp(X[nfit:] @ beta + d.offset[nfit:])
        alpha = float(fit.alpha or 0.0) if fit.family == "negbin" else 0.0
        base_y = series.counts[i0:i1]
        desc = (f"{fit.family} fit on {nfit} periods from {pd.Timestamp(fit.start[0]).date()} "
                f"(terms {', '.join(names)}; offset {fit.design.offset_label or 'none'}"
                + (f"; alpha {alpha:.4g}" if alpha else "") + ")")
        return i1, InControl(expected=mu, base_count=float(np.nansum(base_y)),
                             base_expected=float(np.sum(fit.fitted)), alpha=alpha, description=desc)
    raise ValueError(f"cannot rebuild the baseline fit's design (terms {names}) on the monitored "
                     "periods" + (f": {last_err}" if last_err else ""))
