"""Censored Poisson regression for totals known only through bounds.

A row of a :class:`~analysis.series.CountSeries` is *censored* when it has a ``lower``
or ``upper`` bound. With ``mu_i = exposure_i * exp(x_i' beta)`` its contribution to the
likelihood is the probability of its bounds:

.. math::

    P(\\mathrm{lo}_i \\le Y_i \\le \\mathrm{hi}_i) = F(\\mathrm{hi}_i; \\mu_i) - F(\\mathrm{lo}_i - 1; \\mu_i)

where ``F`` is the Poisson cdf; a missing ``lower`` means 0 and a missing ``upper``
means infinity. Exact rows contribute the Poisson pmf. So, in the bounds a tally's
``bound`` column gives (see :func:`statement_bounds`):

* ``more_than 175`` -> ``lower = 176``: ``P(Y > 175) = sf(175)``;
* ``at_least 175`` -> ``lower = 175``: ``P(Y >= 175) = sf(174)``;
* ``at_most 175`` -> ``upper = 175``: ``cdf(175)``;
* ``about 175`` -> the interval ``[floor(175 (1 - b)), ceil(175 (1 + b))]`` with the
  relative band ``b = 0.1`` by default (``[157, 193]``), whose probability is
  ``cdf(hi) - cdf(lo - 1)``; this is the band :mod:`analysis.normalize.tallies` uses
  (``about_band``). ``b = 0`` treats "about" as exact.

A row with bounds is treated as censored: its ``count`` (if any) is ignored by the
likelihood; bounds ``[N, N]`` are an exact count of N. Bounds are rounded inwards to integers (``ceil(lower)``, ``floor(upper)``).
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
from scipy import special

from ..schema import ConvergenceWarning, ModelError
from ..series import CountSeries
from ._warn import warn
from .design import build_design, check_rank
from .results import CountFit, terms_table

__all__ = ["CensoredPoisson", "fit_censored_poisson", "statement_bounds", "censored_loglike"]


def statement_bounds(count, bound: str = "exact", *, about: float = 0.1) -> tuple[float, float, float]:
    """``(count, lower, upper)`` of a stated total.

    Parameters
    ----------
    count : number
        The number stated.
    bound : {"exact", "at_least", "more_than", "at_most", "about"}
    about : float
        Relative band for ``about`` (default 0.1, as ``analysis.normalize``; 0: exact).

    Examples
    --------
    >>> statement_bounds(175, "more_than")
    (nan, 176.0, inf)
    >>> statement_bounds(100, "about")
    (100.0, 90.0, 110.0)
    >>> statement_bounds(100, "about", about=0)
    (100.0, nan, nan)
    """
    n = float(count)
    nan, inf = float("nan"), float("inf")
    if bound == "exact" or (bound == "about" and about == 0):
        return (n, nan, nan)
    if bound == "at_least":
        return (nan, n, inf)
    if bound == "more_than":
        return (nan, n + 1, inf)
    if bound == "at_most":
        return (nan, 0.0, n)
    if bound == "about":
        if not 0 <= about < 1:
            raise ValueError(f"about must be in [0, 1), not {about!r}")
        return (n, float(math.floor(n * (1 - about) + 1e-9)), float(math.ceil(n * (1 + about) - 1e-9)))
    raise ValueError(f"bound must be exact, at_least, more_than, at_most or about, not {bound!r}")


def _logpmf(k, mu):
    """log Poisson pmf, 0 probability (-inf) for k < 0 or k = inf."""
    k = np.asarray(k, float)
    out = np.full(np.broadcast(k, mu).shape, -np.inf)
    ok = np.isfinite(k) & (k >= 0)
    kk = np.where(ok, k, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        v = special.xlogy(kk, mu) - mu - special.gammaln(kk + 1)
    return np.where(ok, v, out)


_SHORT = 5000  # intervals up to this many integers are summed term by term


def _log_interval_prob(lo, hi, mu):
    """log P(lo <= Y <= hi) for Poisson(mu); lo >= 0 integer, hi integer or inf.

    Short intervals are summed exactly in log space; long ones use the regularised
    incomplete gamma functions, with a log-space tail sum where those underflow.
    """
    lo = np.atleast_1d(np.asarray(lo, float))
    hi = np.atleast_1d(np.asarray(hi, float))
    mu = np.broadcast_to(np.asarray(mu, float), lo.shape)
    out = np.empty(lo.shape)
    for i in range(len(lo)):
        out[i] = _log_p1(lo[i], hi[i], mu[i])
    return out


def _lse(ks, m):
    return float(special.logsumexp(_logpmf(ks, m)))


def _log_p1(lo: float, hi: float, m: float) -> float:
    if np.isfinite(hi) and hi - lo <= _SHORT:
        return _lse(np.arange(lo, hi + 1), m)
    with np.errstate(all="ignore"):
        if not np.isfinite(hi):
            if lo <= 0:
                return 0.0
            p = float(special.gammainc(lo, m))  # sf(lo - 1)
            if p > 1e-200:
                return math.log(p)
            return _lse(np.arange(lo, lo + _SHORT), m)  # upper tail, mu << lo
        if lo <= 0:
            p = float(special.gammaincc(hi + 1, m))  # cdf(hi)
        elif m < 0.5 * (lo + hi):
            p = float(special.gammaincc(hi + 1, m) - special.gammaincc(lo, m))
        else:
            p = float(special.gammainc(lo, m) - special.gammainc(hi + 1, m))
        if p > 1e-200:
            return math.log(p)
        if m < lo:
            return _lse(np.arange(lo, lo + _SHORT), m)
        return _lse(np.arange(max(lo, hi - _SHORT), hi + 1), m)


def censored_loglike(beta, X, offset, y, lower, upper, censored) -> np.ndarray:
    """Per-row log-likelihood of the censored Poisson model (see the module docstring)."""
    eta = X @ beta + offset
    mu = np.exp(eta)
    ll = np.empty(len(y))
    ex = ~censored
    ll[ex] = _logpmf(y[ex], mu[ex])
    if censored.any():
        ll[censored] = _log_interval_prob(lower[censored], upper[censored], mu[censored])
    return ll


def _get_model_class():
    from statsmodels.base.model import GenericLikelihoodModel

    class _CensoredPoisson(GenericLikelihoodModel):
        """Poisson regression with interval-censored rows (statsmodels GenericLikelihoodModel)."""

        def __init__(self, endog, exog, *, offset, lower, upper, censored, **kw):
            super().__init__(endog, exog, **kw)
            self.offset_ = np.asarray(offset, float)
            self.lo_ = np.asarray(lower, float)
            self.hi_ = np.asarray(upper, float)
            self.cens_ = np.asarray(censored, bool)
            self.y_ = np.asarray(endog, float)

        def loglikeobs(self, params):
            return censored_loglike(np.asarray(params, float), self.exog, self.offset_, self.y_,
                                    self.lo_, self.hi_, self.cens_)

        def loglike(self, params):
            return float(np.sum(self.loglikeobs(params)))

        def _derivs(self, params):
            """d loglik_i / d eta_i and d^2 loglik_i / d eta_i^2."""
            mu = np.exp(self.exog @ params + self.offset_)
            d1 = self.y_ - mu
            d2 = -mu.copy()
            c = self.cens_
            if c.any():
                m, lo, hi = mu[c], self.lo_[c], self.hi_[c]
                logP = _log_interval_prob(lo, hi, m)

                def r(k):  # pmf(k) / P
                    return np.exp(_logpmf(k, m) - logP)
                g1 = r(lo - 1) - r(hi)  # P'/P (d/dmu)
                g2 = (r(lo - 2) - r(lo - 1)) - (r(hi - 1) - r(hi)) - g1 ** 2  # (P''/P) - (P'/P)^2
                d1[c] = m * g1
                d2[c] = m * g1 + m ** 2 * g2
            return d1, d2

        def score_obs(self, params):
            d1, _ = self._derivs(np.asarray(params, float))
            return d1[:, None] * self.exog

        def score(self, params):
            return self.score_obs(params).sum(0)

        def hessian(self, params):
            _, d2 = self._derivs(np.asarray(params, float))
            return (self.exog * d2[:, None]).T @ self.exog

    return _CensoredPoisson


def CensoredPoisson(*args, **kwargs) -> object:
    """The statsmodels model class behind :func:`fit_censored_poisson` (built lazily).

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import stats
    >>> y = np.array([2.0, 3.0, 0.0, 4.0])                # row 2 is known only as "at least 3"
    >>> model = CensoredPoisson(y, np.ones((4, 1)), offset=np.zeros(4), lower=[np.nan, np.nan, 3, np.nan],
    ...                         upper=[np.nan, np.nan, np.inf, np.nan], censored=[False, False, True, False])
    >>> by_hand = stats.poisson.logpmf([2, 3, 4], 3).sum() + np.log(stats.poisson.sf(2, 3))
    >>> bool(np.isclose(model.loglike(np.array([np.log(3.0)])), by_hand))
    True
    """
    return _get_model_class()(*args, **kwargs)


def fit_censored_poisson(series: CountSeries, *, trend: bool = False, seasonality: str | None = None,
                         events=(), level: float = 0.95, events_outside: str = "error") -> CountFit:
    """Poisson regression where some rows are known only through bounds.

    Parameters
    ----------
    series : CountSeries
        Rows with ``lower``/``upper`` are censored (see the module docstring); others
        must have a count. Irregular tally series enter through their exposure.
    trend, seasonality, events, events_outside
        As in :func:`analysis.models.fit_counts`.
    level : float
        Confidence level of the Wald intervals.

    Returns
    -------
    CountFit
        ``family="censored-poisson"``; ``observed`` is NaN on censored rows;
        ``dispersion`` is 1 (Poisson) and ``pearson_dispersion`` uses the exact rows only
        (None when fewer than the terms).
        ``aic = -2 llf + 2 k`` and ``bic = -2 llf + log(n) k`` count every row, censored
        or not.

    Raises
    ------
    ValueError
        ``level`` outside (0, 1); unknown seasonality or event kind.
    ModelError
        A grouped or empty series, a row with neither a count nor bounds, bounds that
        hold no integer, no information on the rate (every count and bound zero), fewer
        rows than terms or collinear terms, events outside the series, non-finite
        estimates.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"start": ["2024-01-01", "2024-01-08"], "end": ["2024-01-08", "2024-01-15"],
    ...                    "count": [12.0, float("nan")], "lower": [float("nan"), 10.0],
    ...                    "upper": [float("nan"), float("inf")]})
    >>> fit = fit_censored_poisson(CountSeries(df, freq="W"))
    >>> fit.offset, fit.rate_unit  # fully observed weeks: no offset
    (None, 'per week')
    >>> round(float(fit.terms["rate_ratio"][0]), 2)  # "at least 10" pulls the weekly rate above 12
    13.02
    """
    if not 0 < level < 1:
        raise ValueError(f"level must be in (0, 1), not {level!r}")
    if series.groups:
        raise ModelError(f"the series has groups {list(series.groups)}; fit one group at a time")
    if series.n == 0:
        raise ModelError("the series has no rows")
    design = build_design(series, trend=trend, seasonality=seasonality, events=events,
                          events_outside=events_outside)
    check_rank(design.exog)
    lo_raw, hi_raw = series.lower, series.upper
    cens = ~(np.isnan(lo_raw) & np.isnan(hi_raw))
    lo = np.where(np.isnan(lo_raw), 0.0, np.ceil(np.maximum(lo_raw, 0.0)))
    hi = np.where(np.isnan(hi_raw), np.inf, np.floor(hi_raw))
    y = series.counts.copy()
    point = cens & np.isfinite(hi) & (lo == hi)  # bounds [N, N]: an exact count of N
    y = np.where(point, lo, y)
    cens = cens & ~point
    bad = np.flatnonzero(~cens & ~np.isfinite(y))
    if len(bad):
        raise ModelError(f"row {int(bad[0])} has neither a count nor bounds")
    bad = np.flatnonzero(cens & (lo > hi))
    if len(bad):
        raise ModelError(f"row {int(bad[0])}: no integer lies within its bounds "
                         f"[{lo_raw[bad[0]]}, {hi_raw[bad[0]]}]")
    y[cens] = np.nan
    informative = (~cens & (y > 0)) | (cens & (lo > 0))
    if not informative.any():
        raise ModelError("every count is zero (and no bound is above zero): no rate can be estimated")
    X = design.exog
    # start: Poisson fit with censored rows at a representative value
    fill = np.where(np.isfinite(hi), (lo + np.where(np.isfinite(hi), hi, 0)) / 2, lo + 1)
    y0 = np.where(cens, fill, y)
    import statsmodels.api as sm
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        start = np.asarray(sm.GLM(y0, X, family=sm.families.Poisson(), offset=design.offset).fit().params)
    mod = CensoredPoisson(np.where(cens, 0.0, y), X.to_numpy(float), offset=design.offset,
                          lower=lo, upper=hi, censored=cens)
    names = design.names
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            res = mod.fit(start_params=start, method="newton", maxiter=200, disp=0)
            params = pd.Series(np.asarray(res.params, float), index=names)
            cov = pd.DataFrame(np.linalg.inv(-mod.hessian(params.to_numpy())), index=names, columns=names)
    except (ValueError, OverflowError, np.linalg.LinAlgError) as exc:
        raise ModelError(f"the censored Poisson fit failed ({type(exc).__name__}: {exc}): the counts "
                         f"and bounds do not identify the terms {names}; try fewer terms") from None
    converged = bool(res.mle_retvals.get("converged", False))
    msgs = []
    if not converged:
        msgs.append("the censored Poisson fit did not converge; estimates may be inaccurate")
        warn(msgs[-1], ConvergenceWarning)
    se = pd.Series(np.sqrt(np.maximum(np.diag(cov.to_numpy()), 0)), index=names)
    if not (np.all(np.isfinite(params)) and np.all(np.isfinite(se))):
        raise ModelError("the censored Poisson fit failed (non-finite estimates or standard errors)")
    from .glm import _boundary_check
    edge: list = []
    _boundary_check(params, se, edge)
    for m, cat in edge:
        msgs.append(m)
        warn(m, cat)
    mu = np.exp(X.to_numpy(float) @ params.to_numpy() + design.offset)
    k = X.shape[1]
    n = series.n
    ex = ~cens
    df_ex = int(ex.sum()) - k
    chi2 = float(np.sum((y[ex] - mu[ex]) ** 2 / mu[ex])) if ex.any() else None
    llf = float(mod.loglike(params.to_numpy()))
    terms = terms_table(params, se, level=level)
    return CountFit(family="censored-poisson", n=n, terms=terms, params=params, cov=cov, design=design,
                    endog=y, exposure=series.exposure, start=series.start, end=series.end, fitted=mu,
                    llf=llf, aic=-2 * llf + 2 * k, bic=-2 * llf + math.log(n) * k, dispersion=1.0,
                    pearson_chi2=chi2, df_resid=float(n - k), level=level, converged=converged,
                    k_params=k, time_unit=design.time_unit, warnings=tuple(msgs), model_result=res)
