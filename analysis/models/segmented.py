"""Broken-line (segmented) count regression: a continuous piecewise-linear trend on the log rate
with an estimated breakpoint, as R's ``segmented`` (Muggeo 2003) fits it on a ``glm``.

The model for row ``i`` with trend value ``t_i`` (the period number 1..n, or days for an
irregular series) is

.. math::

    \\log \\mu_i = o_i + x_i^\\top \\beta + \\beta_t t_i + \\delta (t_i - \\psi)_+

so the log rate has slope ``beta_t`` before the breakpoint ``psi`` and ``beta_t + delta``
after it, with no jump at ``psi``. ``x_i`` holds every other term of
:class:`~analysis.models.CountGLM` (intercept, seasonality, events) and ``o_i`` its offset;
the design is the one ``CountGLM(trend=True, ...)`` builds, plus the column ``U1.trend =
(t - psi)_+`` (R's ``U1.time``).

Estimation
----------
``psi`` maximises the profile log-likelihood ``l(psi)`` (the other coefficients, and NB2's
``alpha``, at their maximum for each ``psi``). Between two consecutive trend values the
profile is smooth; at a trend value it can have a kink. The search evaluates ``l`` at every
trend value inside ``psi_range`` and refines the best candidates with bounded
Brent steps in the intervals next to them, so it finds the global maximum on the grid's
resolution and the exact local one. R's Muggeo iteration (with bootstrap restarts) converges
to the same stationary point, within its tolerance (``seg.control(tol = 1e-5)``).

A maximum *on* a trend value (a kink, :attr:`SegmentedFit.at_kink`) is possible because the
data are discrete in ``t``. There R's iteration stops a hair to one side of the value
(``22.9999966`` for 23 in the Seatbelts drivers-killed model), and its standard error
depends on which side: the Wald standard error is not meaningful where the likelihood is not
differentiable, so use the profile interval (``psi_ci_profile``).

Inference (as ``segmented``)
----------------------------
The standard error of ``psi`` is Muggeo's: refit with the extra column ``V * delta``, ``V =
-I(t > psi)``; the Wald standard error of that column's coefficient (whose estimate is 0 at
the maximum) is ``se(psi)``. Its interval is ``psi +- q se`` with ``q`` the Student t
quantile on the residual degrees of freedom, as ``confint.segmented`` (``ci_dist="t"``; a
glm is also an ``lm`` there), or the normal quantile (``ci_dist="normal"``). The other
coefficients' standard errors come from the same refit (``summary.segmented``); slopes
before and after (``slope()``) have normal intervals. Dispersion is 1 for Poisson and NB2
(``glm.nb``'s covariance of ``beta`` at the estimated ``theta = 1 / alpha``, from the
expected information).

Differences from R, stated
--------------------------
* NB2: ``alpha`` is estimated jointly with ``psi`` (the maximum likelihood estimate).
  ``segmented(glm.nb(...))`` keeps ``theta`` at the unsegmented ``glm.nb``'s value while it
  searches ``psi`` and re-estimates it only in its final refit, so its ``psi`` differs
  slightly (92.1171 against the joint MLE 92.1220 on the Seatbelts front-seat model).
* ``confint(segmented(glm.nb(...)))`` goes through ``summary.glm``, which scales by Pearson
  chi2 / df for a negative binomial family; the interval here uses dispersion 1, like the
  standard error that ``segmented`` prints.
* ``psi_ci_profile`` (likelihood-ratio interval, ``2 (l_max - l(psi)) <= chi2_1``) has no R
  counterpart for a glm (R's score and gradient intervals are for ``lm`` fits only).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import optimize, stats
from scipy.special import digamma, gammaln, polygamma

from ..schema import ModelError, ModelWarning
from ..series import CountSeries
from ._warn import warn
from .results import critical_value, terms_table

__all__ = ["fit_segmented", "SegmentedFit"]

_FAMILIES = ("poisson", "negbin")


@dataclass(frozen=True)
class SegmentedFit:
    """A fitted broken-line count model (frozen).

    Attributes
    ----------
    family : {"poisson", "negbin"}
    n : int
    psi : float
        Breakpoint on the trend scale (period number 1..n, or days for irregular series).
    psi_date : pandas.Timestamp
        The date of ``psi`` (row starts at whole periods, linear in between).
    psi_se : float
        Muggeo's standard error (see the module docstring).
    psi_ci : tuple
        Delta-method interval at ``level`` (t or normal quantile, ``ci_dist``).
    psi_ci_profile : tuple
        Likelihood-ratio interval; a limit is None where the profile stays above the
        cut-off up to the end of ``psi_range``.
    at_kink : bool
        ``psi`` sits on a trend value, where the profile likelihood has a kink.
    terms : pandas.DataFrame
        ``name, estimate, se, rate_ratio, ci_low, ci_high, p_value`` for the linear
        predictor's coefficients, ``U1.trend`` being the change of slope ``delta``.
    slopes : pandas.DataFrame
        ``segment`` (1, 2), ``estimate`` (log rate ratio per trend unit), ``se``,
        ``rate_ratio``, ``ci_low``, ``ci_high`` (normal intervals, as R's ``slope()``).
    profile : pandas.DataFrame
        ``psi, llf``: every evaluation of the profile log-likelihood, sorted by ``psi``.
    llf, aic, bic : float
        ``k_params`` counts ``psi`` (and ``alpha``), as R's ``logLik`` / ``AIC``.
    alpha : float or None
        NB2 dispersion (``1 / theta``).
    """

    family: str
    n: int
    psi: float
    psi_date: pd.Timestamp
    psi_se: float
    psi_ci: tuple[float, float]
    psi_ci_profile: tuple[float | None, float | None]
    at_kink: bool
    terms: pd.DataFrame
    slopes: pd.DataFrame
    params: pd.Series
    cov: pd.DataFrame
    profile: pd.DataFrame = field(repr=False)
    fitted: np.ndarray = field(repr=False)
    llf: float
    aic: float
    bic: float
    k_params: int
    df_resid: float
    alpha: float | None = None
    level: float = 0.95
    ci_dist: str = "t"
    psi_range: tuple[float, float] = (0.0, 0.0)
    time_unit: str = "period"
    offset: str | None = None
    rate_unit: str = "per period"
    warnings: tuple[str, ...] = ()

    def __repr__(self) -> str:
        return (f"<SegmentedFit {self.family} n={self.n} psi={self.psi:.6g} "
                f"({self.psi_date.date()}) se={self.psi_se:.4g} llf={self.llf:.6g}>")

    def to_dict(self) -> dict:
        """Plain-JSON view (the CLI's ``segmented`` object)."""
        def num(v):
            return None if v is None or not np.isfinite(v) else float(v)
        return {
            "family": self.family, "n": self.n, "psi": float(self.psi),
            "psi_date": str(self.psi_date.date()), "psi_se": num(self.psi_se),
            "psi_ci": [num(v) for v in self.psi_ci], "psi_ci_method": f"delta ({self.ci_dist})",
            "psi_ci_profile": [num(v) for v in self.psi_ci_profile], "at_kink": self.at_kink,
            "level": self.level, "time_unit": self.time_unit, "offset": self.offset,
            "rate_unit": self.rate_unit, "alpha": num(self.alpha),
            "terms": [{k: (v if k == "name" else num(v)) for k, v in r.items()}
                      for r in self.terms.to_dict("records")],
            "slopes": [{k: (int(v) if k == "segment" else num(v)) for k, v in r.items()}
                       for r in self.slopes.to_dict("records")],
            "llf": self.llf, "aic": self.aic, "bic": self.bic, "k_params": self.k_params,
            "warnings": list(self.warnings)}


def fit_segmented(series: CountSeries, *, family: str = "poisson", seasonality=None, events=(),
                  exposure=None, level: float = 0.95, ci_dist: str = "t",
                  psi_range: tuple[float, float] | None = None, **glm_options) -> SegmentedFit:
    """Fit a count model whose log-linear trend breaks at an estimated point ``psi``.

    Parameters
    ----------
    series : CountSeries
        One series with exact counts.
    family : {"poisson", "negbin"}
        Poisson, or NB2 with ``alpha`` estimated jointly with ``psi``.
    seasonality, events, exposure, **glm_options
        The other terms and the offset, as :class:`~analysis.models.CountGLM` takes them
        (``trend`` is always on: it is the segmented variable).
    level : float
        Confidence level of every interval.
    ci_dist : {"t", "normal"}
        Quantile of the delta-method interval for ``psi``: Student t on the residual df
        (R's ``confint.segmented``) or normal.
    psi_range : (lo, hi), optional
        Where to look for ``psi`` on the trend scale; default from the second to the
        second-last trend value (at least two values on each side of the break).

    Returns
    -------
    SegmentedFit

    Raises
    ------
    ValueError
        Unknown family or ci_dist, a ``psi_range`` outside the data.
    ModelError
        Too few rows, counts the model cannot take (see :func:`fit_counts`).

    Examples
    --------
    A synthetic monthly series whose log rate rises by 0.05 a month up to month 30, then
    falls by 0.03 a month:

    >>> import numpy as np
    >>> from analysis.series import CountSeries
    >>> t = np.arange(1, 61)
    >>> mu = np.exp(1.5 + 0.05 * t - 0.08 * np.maximum(t - 30, 0))
    >>> s = CountSeries.from_counts(np.random.default_rng(5).poisson(mu), start="2020-01", freq="M")
    >>> f = fit_segmented(s)
    >>> round(f.psi, 2), str(f.psi_date.date()), f.slopes["rate_ratio"].round(3).tolist()
    (30.45, '2022-06-14', [1.052, 0.971])
    """
    from .glm import CountGLM

    if family not in _FAMILIES:
        raise ValueError(f"family must be one of {_FAMILIES} for a segmented fit, not {family!r}")
    if ci_dist not in ("t", "normal"):
        raise ValueError(f"ci_dist must be 't' or 'normal', not {ci_dist!r}")
    if "trend" in glm_options:
        raise ValueError("trend is always on in a segmented fit (it is the variable that breaks)")
    if glm_options.get("cov_type", "nonrobust") != "nonrobust" or "hac_maxlags" in glm_options:
        raise ValueError("a segmented fit has model-based standard errors only (as R's segmented); "
                         "cov_type='HAC' is not available here")
    spec = CountGLM(family="poisson", trend=True, seasonality=seasonality, events=events,
                    exposure=exposure, level=level, **glm_options)
    y = _check(series)
    design = spec.design(series)
    X = design.exog.to_numpy(float)
    names = list(design.exog.columns)
    z = design.exog["trend"].to_numpy(float)
    off = design.offset
    zu = np.unique(z)
    if len(zu) < 5:
        raise ModelError(f"the series has {len(zu)} distinct trend values; a breakpoint needs at least 5")
    lo, hi = (zu[1], zu[-2]) if psi_range is None else map(float, psi_range)
    if not (zu[0] < lo < hi < zu[-1]):
        raise ValueError(f"psi_range must lie strictly inside the trend values ({zu[0]:g}, {zu[-1]:g}) "
                         f"with lo < hi, not ({lo:g}, {hi:g})")
    if len(y) <= X.shape[1] + 2:
        raise ModelError(f"the series has {len(y)} rows but the segmented model has {X.shape[1] + 2} "
                         "parameters (with U1.trend and psi); it needs more rows")

    prof = _Profile(y, X, z, off, family)
    knots = zu[(zu >= lo) & (zu <= hi)]
    grid = np.unique(np.concatenate([[lo, hi], knots]))
    grid = grid[(grid >= lo) & (grid <= hi)]
    ll = np.array([prof(p) for p in grid])
    # refine around the best local maxima of the grid: Brent in each interval between trend values
    order = np.argsort(-ll)
    edges = np.unique(np.concatenate([[lo, hi], knots]))
    for j in order[: min(4, len(order))]:
        p = grid[j]
        k = np.searchsorted(edges, p)
        for a, b in ((edges[max(k - 1, 0)], edges[min(k, len(edges) - 1)]),
                     (edges[min(k, len(edges) - 1)], edges[min(k + 1, len(edges) - 1)])):
            if b - a > 1e-12:
                optimize.minimize_scalar(lambda q: -prof(q), bounds=(a, b), method="bounded",
                                         options={"xatol": 1e-10 * max(1.0, abs(b))})
    best_p, best_l = prof.best()
    kink = knots[np.argmin(np.abs(knots - best_p))] if len(knots) else np.nan
    at_kink = bool(abs(best_p - kink) <= 1e-6 * max(1.0, abs(kink)))
    if at_kink and prof(kink) >= best_l - 1e-9:
        best_p, best_l = float(kink), prof(kink)

    # the fit at psi, then Muggeo's refit with V * delta for the covariance
    beta, alpha, mu = prof.fit_at(best_p)
    U = np.maximum(z - best_p, 0.0)
    delta = beta[-1]
    Vxb = -(z > best_p).astype(float) * delta
    Xa = np.column_stack([X, U, Vxb])
    # R refits with the extra column (glm or glm.nb) and takes that fit's covariance; at an
    # interior maximum the column's coefficient is 0 and the refit is the fit at psi
    mu_a, alpha_a = prof.refit(Xa)
    w = mu_a / (1.0 + (alpha_a or 0.0) * mu_a)
    info = Xa.T @ (w[:, None] * Xa)
    msgs: list[str] = []
    try:
        cov_a = np.linalg.inv(info)
    except np.linalg.LinAlgError:
        raise ModelError("the information matrix of the segmented fit is singular at the breakpoint: "
                         "the break is not identified by these data") from None
    psi_se = float(math.sqrt(cov_a[-1, -1])) if cov_a[-1, -1] > 0 else float("nan")
    k = X.shape[1]
    pnames = names + ["U1.trend"]
    params = pd.Series(beta, index=pnames)
    cov = pd.DataFrame(cov_a[: k + 1, : k + 1], index=pnames, columns=pnames)
    se = pd.Series(np.sqrt(np.diag(cov_a)[: k + 1]), index=pnames)
    n = len(y)
    df_resid = float(n - (k + 2))
    q = critical_value(level, df_resid if ci_dist == "t" else None)
    psi_ci = (best_p - q * psi_se, best_p + q * psi_se)
    if at_kink:
        msgs.append(f"the breakpoint estimate {best_p:g} sits on a trend value, where the profile "
                    "likelihood has a kink: its Wald standard error is not reliable there; use "
                    "psi_ci_profile")
    prof_ci = _profile_ci(prof, best_p, best_l, level, lo, hi, edges)
    if None in prof_ci:
        msgs.append("the profile likelihood interval for psi reaches the end of psi_range on "
                    f"{'both sides' if prof_ci == (None, None) else 'one side'}: the data hardly "
                    "locate the break")
    it = names.index("trend")
    grad = np.zeros((2, k + 1))
    grad[0, it] = 1.0
    grad[1, it] = grad[1, k] = 1.0
    s_est = grad @ beta
    s_se = np.sqrt(np.einsum("ij,jk,ik->i", grad, cov.to_numpy(), grad))
    zq = critical_value(level)
    slopes = pd.DataFrame({"segment": [1, 2], "estimate": s_est, "se": s_se,
                           "rate_ratio": np.exp(s_est), "ci_low": np.exp(s_est - zq * s_se),
                           "ci_high": np.exp(s_est + zq * s_se)})
    k_params = k + 2 + (1 if family == "negbin" else 0)
    aic = -2 * best_l + 2 * k_params
    bic = -2 * best_l + math.log(n) * k_params
    for m in msgs:
        warn(m, ModelWarning)
    pr = prof.table()
    return SegmentedFit(
        family=family, n=n, psi=float(best_p), psi_date=_psi_date(series, design.time_unit, best_p),
        psi_se=psi_se, psi_ci=tuple(map(float, psi_ci)), psi_ci_profile=prof_ci, at_kink=at_kink,
        terms=terms_table(params, se, level=level), slopes=slopes, params=params, cov=cov,
        profile=pr, fitted=mu, llf=float(best_l), aic=float(aic), bic=float(bic), k_params=k_params,
        df_resid=df_resid, alpha=alpha, level=level, ci_dist=ci_dist, psi_range=(float(lo), float(hi)),
        time_unit=design.time_unit, offset=design.offset_label, rate_unit=design.rate_unit,
        warnings=tuple(msgs))


# ---------------------------------------------------------------------- helpers
def _check(series) -> np.ndarray:
    if not isinstance(series, CountSeries):
        raise TypeError(f"series must be a CountSeries, not {type(series).__name__}")
    if series.groups:
        raise ModelError(f"the series has groups {list(series.groups)}; fit one group at a time")
    y = series.counts
    bad = np.flatnonzero(~np.isfinite(y) | (y < 0))
    if len(bad):
        i = int(bad[0])
        raise ModelError(f"row {i} ({series.labels[i]}) has no exact non-negative count ({y[i]!r}); "
                         "a segmented fit needs exact counts")
    if not (y > 0).any():
        raise ModelError("every count is zero: no rate (and no break in its trend) can be estimated")
    return y


def _psi_date(series: CountSeries, time_unit: str, psi: float) -> pd.Timestamp:
    s = series.start
    if time_unit == "day":
        return pd.Timestamp(s[0] + pd.Timedelta(days=float(psi)))
    # trend value i + 1 at the start of row i; linear in days in between (and past the last start)
    t = np.arange(1, series.n + 2, dtype=float)
    days = np.asarray((s - s[0]) / pd.Timedelta(days=1), float)
    days = np.append(days, float((series.end[-1] - s[0]) / pd.Timedelta(days=1)))
    d = float(np.interp(psi, t, days))
    return pd.Timestamp(s[0] + pd.Timedelta(days=d)).floor("D")


class _Profile:
    """Profile log-likelihood l(psi), memoised, each fit warm-started from the nearest psi."""

    def __init__(self, y, X, z, off, family):
        self.y, self.X, self.z, self.off, self.family = y, X, z, off, family
        self.cache: dict[float, tuple] = {}

    def _design(self, psi):
        return np.column_stack([self.X, np.maximum(self.z - psi, 0.0)])

    def fit_at(self, psi):
        psi = float(psi)
        if psi not in self.cache:
            start = None
            if self.cache:
                near = min(self.cache, key=lambda k: abs(k - psi))
                start = self.cache[near][1], self.cache[near][2]
            Xp = self._design(psi)
            beta, alpha, llf = _mle(self.y, Xp, self.off, self.family, start)
            self.cache[psi] = (llf, beta, alpha, np.exp(Xp @ beta + self.off))
        return self.cache[psi][1:]

    def refit(self, Xa):
        """Means (and NB2 alpha) of the maximum likelihood fit on the design ``Xa``."""
        beta, alpha, _ = _mle(self.y, Xa, self.off, self.family, None)
        return np.exp(Xa @ beta + self.off), alpha

    def __call__(self, psi) -> float:
        self.fit_at(psi)
        return self.cache[float(psi)][0]

    def best(self):
        p = max(self.cache, key=lambda k: self.cache[k][0])
        return p, self.cache[p][0]

    def table(self) -> pd.DataFrame:
        ps = sorted(self.cache)
        return pd.DataFrame({"psi": ps, "llf": [self.cache[p][0] for p in ps]})


def _loglik(y, mu, alpha) -> float:
    if not alpha:
        return float(np.sum(y * np.log(np.where(y > 0, mu, 1.0)) - mu - gammaln(y + 1)))
    r = 1.0 / alpha
    return float(np.sum(gammaln(y + r) - gammaln(r) - gammaln(y + 1) - r * np.log1p(alpha * mu)
                        + y * np.log(alpha * mu / (1 + alpha * mu))))


def _irls(y, X, off, alpha, beta=None):
    """Maximum likelihood beta of a log-link Poisson (alpha 0) or NB2 (alpha fixed) model.

    The profile evaluates hundreds of fits of the same design with one column moved, so this
    is a plain IRLS warm-started from the neighbouring fit (statsmodels' GLM gives the same
    estimates, ``tests/test_models_segmented.py`` checks it, at ~20x the cost per fit)."""
    if beta is None:
        eta = np.log(y + 0.5)
        mu = np.exp(eta)
    else:
        eta = X @ beta + off
        mu = np.exp(eta)
    ll_old = -np.inf
    for _ in range(100):
        w = mu / (1.0 + alpha * mu)
        zw = eta - off + (y - mu) / mu
        A = X.T @ (w[:, None] * X)
        try:
            beta = np.linalg.solve(A, X.T @ (w * zw))
        except np.linalg.LinAlgError:
            raise ModelError("the segmented design is singular at a candidate breakpoint (too few "
                             "rows on one side of it?); narrow psi_range") from None
        eta = np.minimum(X @ beta + off, 700.0)
        mu = np.exp(eta)
        ll = _loglik(y, mu, alpha)
        if abs(ll - ll_old) <= 1e-13 * (1.0 + abs(ll)):
            break
        ll_old = ll
    return beta, ll


def _mle(y, X, off, family, start):
    """(beta, alpha, llf): Poisson by IRLS; NB2 by alternating IRLS for beta with Newton steps
    for log(theta), theta = 1 / alpha (beta and alpha are orthogonal in the expected
    information, so the alternation converges in a few rounds)."""
    beta0, alpha = (None, None) if start is None else start
    if family == "poisson":
        beta, ll = _irls(y, X, off, 0.0, beta0)
        return beta, None, ll
    if alpha is None:
        beta0, _ = _irls(y, X, off, 0.0, beta0)
        mu = np.exp(X @ beta0 + off)
        alpha = max(float(np.sum((y - mu) ** 2 - y) / np.sum(mu ** 2)), 1e-3)
    lt = -math.log(alpha)  # log theta
    ll_old = -np.inf
    for _ in range(200):
        beta0, ll = _irls(y, X, off, math.exp(-lt), beta0)
        mu = np.exp(X @ beta0 + off)
        lt = _theta_newton(y, mu, lt)
        if lt > 25:
            raise ModelError("the NB2 dispersion alpha is at its boundary 0 for this break (no "
                             "over-dispersion): use family='poisson'")
        if abs(ll - ll_old) <= 1e-14 * (1.0 + abs(ll)):
            break
        ll_old = ll
    beta0, ll = _irls(y, X, off, math.exp(-lt), beta0)
    return beta0, math.exp(-lt), ll


def _theta_newton(y, mu, lt):
    """Maximise the NB2 log-likelihood over log(theta) at fixed means (Newton, step-halving)."""
    for _ in range(50):
        r = math.exp(lt)
        g1 = float(np.sum(digamma(y + r) - digamma(r) + np.log(r / (r + mu)) + (mu - y) / (r + mu)))
        g2 = float(np.sum(polygamma(1, y + r) - polygamma(1, r) + 1 / r - 2 / (r + mu)
                          + (y + r) / (r + mu) ** 2))
        g, h = r * g1, r * r * g2 + r * g1
        step = -g / h if h < 0 else math.copysign(1.0, g)
        f0 = _loglik(y, mu, 1 / r)
        while abs(step) > 1e-14:
            if _loglik(y, mu, math.exp(-(lt + step))) >= f0 - 1e-12 * abs(f0):
                break
            step /= 2
        lt += step
        if abs(step) < 1e-11:
            break
    return lt


def _profile_ci(prof, psi, lmax, level, lo, hi, edges):
    cut = lmax - stats.chi2.ppf(level, 1) / 2

    def side(direction):
        pts = edges[edges > psi] if direction > 0 else edges[edges < psi][::-1]
        pts = np.append(pts, hi if direction > 0 else lo)
        prev = psi
        for p in pts:
            if prof(p) < cut:
                return float(optimize.brentq(lambda q: prof(q) - cut, min(prev, p), max(prev, p),
                                             xtol=1e-10))
            prev = p
        return None

    return side(-1), side(+1)
