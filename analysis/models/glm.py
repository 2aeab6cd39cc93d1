"""Count GLMs for interrupted time series: Poisson, NB2 and quasi-Poisson.

Spec -> fit -> frozen result::

    fit = CountGLM(family="negbin", trend=True, events=["2024-01-28:level"]).fit(series)
    fit.terms          # name, estimate, se, rate_ratio, ci_low, ci_high, p_value

The model for row ``i`` is

.. math::

    \\log \\mu_i = o_i + x_i^\\top \\beta

with the offset ``o_i = log(period_exposure_i)`` by default: 0 for a fully observed
period of a regular series (a plain monthly or weekly table has no offset, as R's
``glm(y ~ time + law, family = poisson)``), the log of the observed fraction of a
partly observed period, and log(days) for an irregular series. ``exposure="days"``
asks for ``log(days in the period)``, a column name for ``log(COL)`` (R's
``offset(log(COL))``); every result states its ``offset`` and ``rate_unit``.

with ``Y_i ~ Poisson(mu_i)`` (``poisson``), ``Var Y_i = mu_i + alpha mu_i^2`` with
``alpha`` estimated by maximum likelihood (``negbin``, statsmodels'
``discrete.NegativeBinomial`` with ``nb2``; never a fixed alpha), or Poisson estimates
with standard errors scaled by ``sqrt(Pearson chi2 / df_resid)`` (``quasipoisson``, as
R's ``glm(family = quasipoisson)``). Intervals and p-values use the normal quantile for
every family unless ``ci_dist="t"`` (R's ``confint.default``; ``ci.exp`` of the tutorials).

Correspondence with R and statsmodels
-------------------------------------
* ``llf`` is the full log-likelihood (with ``log y!``), as R's ``logLik`` and
  statsmodels' ``llf``; ``aic = -2 llf + 2 k`` and ``bic = -2 llf + log(n) k`` with ``k``
  the number of coefficients, plus one for NB2's ``alpha`` (R's ``glm.nb`` counts theta
  the same way). statsmodels' ``GLMResults.bic`` is deviance-based (``bic_deviance``);
  ours is its ``bic_llf``. quasipoisson has no likelihood: ``llf``, ``aic`` and ``bic``
  are None (R prints NA).
* NB2 standard errors are ``MASS::glm.nb``'s: ``(X'WX)^-1`` with ``W = mu / (1 + alpha
  mu)``, the expected information with alpha held at its estimate (the expected cross
  information of beta and alpha is zero). statsmodels' ``discrete.NegativeBinomial``
  inverts the joint observed Hessian of beta and alpha instead, which gave errors 0.1-0.4%
  larger on Seatbelts; it is used here only to find the estimates.
* NB2 ``alpha`` is ``1 / theta`` of ``MASS::glm.nb``; ``theta_se`` is ``theta.ml``'s
  (observed information of theta with the means fixed) and ``alpha_se = theta_se /
  theta^2``; the interval of alpha is Wald on ``log(alpha)`` (so it is also the interval
  for ``1 / theta``). At the boundary
  ``alpha = 0`` the upper limit is the profile-likelihood limit at the one-sided level.
* ``ci="profile"``: R's ``confint()`` on a glm (MASS ``profile.glm``), see
  :mod:`analysis.models.profile`.
* ``dispersion`` is R's ``summary(fit)$dispersion`` (1 for poisson and negbin); the
  Pearson chi2 / df is ``pearson_dispersion``.
* ``cov_type="HAC"``: Newey-West with Bartlett weights ``1 - l / (L + 1)`` and no
  small-sample adjustment, i.e. R's ``sandwich::NeweyWest(fit, lag = L,
  prewhite = FALSE, adjust = FALSE)`` (R's defaults prewhiten and choose ``L``
  themselves, so they differ).
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from ..schema import ConvergenceWarning, DispersionWarning, ModelError, ModelWarning
from ..series import CountSeries, as_count_series
from .design import Design, build_design, check_rank, parse_event, parse_seasonality
from ._warn import warn
from .results import CountFit, critical_value, terms_table

__all__ = ["CountGLM", "fit_counts", "FAMILIES", "COV_TYPES", "CI_METHODS", "CI_DISTS", "newey_west_lags"]

FAMILIES = ("poisson", "negbin", "quasipoisson")
#: IRLS convergence tolerance (statsmodels' default 1e-8 leaves standard errors, which are
#: computed from the last iteration's weights, about 1e-6 off their limit).
_IRLS_TOL = 1e-12
_IRLS_MAXITER = 200
COV_TYPES = ("nonrobust", "HAC")
CI_METHODS = ("wald", "profile")
CI_DISTS = ("normal", "t")


def newey_west_lags(n: int) -> int:
    """Default HAC truncation lag ``floor(4 (n / 100)^(2/9))`` (Newey and West, 1994).

    Examples
    --------
    >>> newey_west_lags(100), newey_west_lags(46)
    (4, 3)
    """
    return int(math.floor(4 * (n / 100.0) ** (2.0 / 9.0)))


@dataclass(frozen=True)
class CountGLM:
    """Specification of a count regression (hyperparameters only; data enter at :meth:`fit`).

    Parameters
    ----------
    family : {"poisson", "negbin", "quasipoisson"}
    trend : bool
        Linear trend (per period for regular series, per day for irregular ones).
    seasonality : None, "fourier:K[:P]", "harmonic:K[:P]", "fourier-year:K" or "calendar"
        See :mod:`analysis.models.design`.
    events : sequence
        :class:`~analysis.models.design.EventTerm` objects or ``"DATE[:kind][+lag]"``.
    cov_type : {"nonrobust", "HAC"}
        Model-based or Newey-West (HAC) standard errors.
    hac_maxlags : int, optional
        HAC truncation lag (default :func:`newey_west_lags`).
    level : float
        Confidence level of the intervals.
    events_outside : {"error", "drop"}
        Events outside the series: :class:`ModelError`, or drop with a warning.
    exposure : None, "days", str or array-like
        The offset (:func:`~analysis.models.design.resolve_offset`): None for
        ``log(period_exposure)`` (no offset for fully observed regular periods),
        ``"days"`` for log(days in the period), a column of ``series.data`` or an array
        for ``log`` of its values.
    ci : {"wald", "profile"}
        Wald intervals ``estimate +/- q se`` (R's ``confint.default``), or profile
        likelihood intervals (R's ``confint()`` on a glm, MASS's ``profile.glm``).
    ci_dist : {"normal", "t"}
        Quantile ``q`` of the intervals and the p-values: normal for every family
        (default; R's ``confint.default``, ``ci.exp`` of the tutorials), or Student t
        with the residual df (the p-values of R's ``summary`` of a quasipoisson fit).
    slope_start : {1, 0}
        A ``slope`` term's value in the first post-event period (1: R's
        ``I(time - t0):post``).
    covariates : None, sequence of str or DataFrame
        Columns of ``series.data`` (``"COL"`` or ``"log(COL)"``), or a frame of values.
    standardize : bool
        Standardise the covariates (R's ``scale()``); default False (per unit).

    Examples
    --------
    >>> from analysis.series import CountSeries
    >>> s = CountSeries.from_counts([1, 0, 2, 1, 0, 9, 8, 11, 10, 9], start="2024-01-01", freq="W")
    >>> fit = CountGLM(family="poisson", events=("2024-02-05:level",)).fit(s)
    >>> fit.terms.set_index("name")["rate_ratio"].round(2).to_dict()
    {'intercept': 0.8, 'level:2024-02-05': 11.75}
    """

    family: str = "poisson"
    trend: bool = False
    seasonality: str | None = None
    events: tuple = field(default=())
    cov_type: str = "nonrobust"
    hac_maxlags: int | None = None
    level: float = 0.95
    events_outside: str = "error"
    exposure: Any = field(default=None, compare=False)
    ci: str = "wald"
    ci_dist: str = "normal"
    slope_start: int = 1
    covariates: Any = field(default=None, compare=False)
    standardize: bool = False

    def __post_init__(self):
        if self.family not in FAMILIES:
            raise ValueError(f"family must be one of {FAMILIES}, not {self.family!r}")
        if self.cov_type not in COV_TYPES:
            raise ValueError(f"cov_type must be one of {COV_TYPES}, not {self.cov_type!r}")
        if not (isinstance(self.level, (int, float)) and 0 < self.level < 1):
            raise ValueError(f"level must be a number in (0, 1), not {self.level!r}")
        if self.hac_maxlags is not None and (int(self.hac_maxlags) != self.hac_maxlags or self.hac_maxlags < 0):
            raise ValueError(f"hac_maxlags must be a non-negative integer, not {self.hac_maxlags!r}")
        if self.seasonality is not None:
            parse_seasonality(self.seasonality)
        if self.ci not in CI_METHODS:
            raise ValueError(f"ci must be one of {CI_METHODS}, not {self.ci!r}")
        if self.ci_dist not in CI_DISTS:
            raise ValueError(f"ci_dist must be one of {CI_DISTS}, not {self.ci_dist!r}")
        if self.ci == "profile" and self.cov_type == "HAC":
            raise ValueError("ci='profile' needs cov_type='nonrobust': a profile likelihood has no "
                             "HAC version; use ci='wald' with HAC errors")
        if self.slope_start not in (0, 1) or isinstance(self.slope_start, bool):
            raise ValueError(f"slope_start must be 1 or 0, not {self.slope_start!r}")
        ev = self.events
        if isinstance(ev, (str, pd.Timestamp)):
            ev = [ev]
        object.__setattr__(self, "events", tuple(parse_event(e) for e in (ev or ())))
        object.__setattr__(self, "trend", bool(self.trend))

    # ------------------------------------------------------------------ fitting
    def design(self, series: CountSeries) -> Design:
        """The design matrix this spec builds on ``series``."""
        return build_design(series, trend=self.trend, seasonality=self.seasonality,
                            events=self.events, events_outside=self.events_outside,
                            exposure=self.exposure, slope_start=self.slope_start,
                            covariates=self.covariates, standardize=self.standardize)

    def fit(self, series: CountSeries | pd.Series) -> CountFit:
        """Fit the model to ``series`` and return a frozen :class:`CountFit`.

        ``series`` is a :class:`~analysis.series.CountSeries` or a pandas Series of counts
        indexed by dates or periods (:meth:`CountSeries.from_pandas`; dates are kept).

        Raises
        ------
        ModelError
            Grouped or censored series, all-zero counts, fewer rows than terms,
            collinear terms, events outside the series, a fit that fails.
        """
        series = as_count_series(series)
        y, expo = _check_series(series)
        design = self.design(series)
        check_rank(design.exog)
        msgs: list[str] = []
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                if self.family == "negbin":
                    fit = _fit_negbin(self, series, y, design, msgs)
                else:
                    fit = _fit_poisson(self, series, y, design, msgs)
            except ModelError:
                raise
            except (ValueError, ZeroDivisionError, OverflowError, np.linalg.LinAlgError) as exc:
                # statsmodels or numpy gave up: say so in our terms, never a raw traceback
                raise ModelError(
                    f"the {self.family} fit failed ({type(exc).__name__}: {exc}); the counts are "
                    f"probably too few or too sparse for the terms {design.names}, or fitted "
                    "exactly (no residual variation for a dispersion); try fewer terms"
                    + (" or cov_type='nonrobust'" if self.cov_type == "HAC" else "")) from None
        _relay(caught)
        for m, cat in msgs:
            warn(m, cat)
        return fit


def fit_counts(series: CountSeries | pd.Series, *, family: str = "poisson", trend: bool = False,
               seasonality: str | None = None, events=(), cov_type: str = "nonrobust",
               hac_maxlags: int | None = None, level: float = 0.95,
               events_outside: str = "error", exposure=None, ci: str = "wald",
               ci_dist: str = "normal", slope_start: int = 1, covariates=None,
               standardize: bool = False) -> CountFit:
    """Fit a count regression (interrupted time series) to a CountSeries.

    Shorthand for ``CountGLM(...).fit(series)``; see :class:`CountGLM` and the module
    docstring for the model, and :mod:`analysis.models.design` for the terms.

    Parameters
    ----------
    series : CountSeries
        One series (no groups) with an exact count on every row. Rows known only
        through bounds need :func:`fit_censored_poisson`.
    family : {"poisson", "negbin", "quasipoisson"}
        Poisson; NB2 with ``alpha`` by maximum likelihood (reported with a Wald interval
        on ``log(alpha)``; at its boundary 0 the Poisson fit is reported with a
        :class:`ModelWarning`); or Poisson estimates with standard errors times
        ``sqrt(Pearson chi2 / df_resid)`` (R's quasipoisson).
    trend : bool
        Linear trend: the period number 1, 2, ... n (R's ``time``), days from the
        first start for irregular series.
    seasonality : None, "fourier:K[:P]", "harmonic:K[:P]", "fourier-year:K" or "calendar"
        ``K`` sine/cosine pairs of the period index with period 12 (monthly), 4
        (quarterly), 52.18 (weekly) or ``P`` (R's ``harmonic(month, K, 12)``); tsModel's
        ``harmonic``; ``K`` pairs on the day of the year; or calendar-month shares
        (quarter dummies).
    events : sequence
        :class:`EventTerm` objects, dates, or ``"DATE[:level|slope|pulse|level+slope][+LAG]"``.
        The row that contains an event date is coded with the fraction of its days on
        or after the date.
    cov_type : {"nonrobust", "HAC"}
        Model-based or Newey-West standard errors (Bartlett kernel, ``hac_maxlags``).
    hac_maxlags : int, optional
        HAC truncation lag; default :func:`newey_west_lags` ``(n)``.
    level : float
        Confidence level of the intervals (default 0.95).
    events_outside : {"error", "drop"}
        An event outside the series raises, or is dropped with a warning.
    exposure : None, "days", str or array-like
        The offset: None (default) ``log(period_exposure)``, i.e. none for fully
        observed regular periods and log(days) for irregular series; ``"days"``
        log(days in the period); a column name of ``series.data`` or an array, ``log``
        of its values. The fit states it as ``offset`` and ``rate_unit``.
    ci : {"wald", "profile"}
        Wald (default) or profile-likelihood intervals (R's ``confint()``; NB2 profiles
        with alpha held at its estimate, as MASS does for ``glm.nb``).
    ci_dist : {"normal", "t"}
        Normal quantile (default, every family) or Student t with the residual df.
    slope_start : {1, 0}
        Value of a slope term in the first post-event period (default 1).
    covariates : None, sequence of str or DataFrame
        Extra terms: columns of ``series.data``, ``"log(COL)"`` for their log.
    standardize : bool
        Standardise the covariates to mean 0, sd 1 (terms ``scale(COL)``).

    Returns
    -------
    CountFit
        Frozen result: ``terms`` (name, estimate, se, rate_ratio, ci_low, ci_high,
        p_value), ``alpha``/``alpha_ci`` (negbin), ``dispersion``, ``llf``, ``aic``,
        ``bic`` (None for quasipoisson), ``predict()``, ``diagnostics()``, ``lr_test()``.

    Raises
    ------
    ValueError
        An unknown family, cov_type, seasonality or event kind; a level outside (0, 1).
    TypeError
        ``series`` is not a CountSeries.
    ModelError
        A grouped series, rows without an exact count, negative counts, every count
        zero, fewer rows than terms, collinear or all-zero terms, an event outside the
        series (with ``events_outside="error"``), a fit without finite estimates.

    Warns
    -----
    DispersionWarning
        Poisson counts that are clearly over-dispersed (Pearson chi2/df > 1.5 and its
        upper-tail p < 0.01) with model-based errors; HAC errors allow for it.
    ModelWarning, ConvergenceWarning
        A term at the edge of the parameter space, alpha at its boundary, no convergence.

    Examples
    --------
    A weekly NB2 series (synthetic) whose rate halves on 2021-01-04:

    >>> from analysis.synthetic import nb_level_change
    >>> s, truth = nb_level_change(seed=3)
    >>> fit = fit_counts(s, family="negbin", events=[f"{truth['change_date'].date()}:level"])
    >>> fit.terms["name"].tolist()
    ['intercept', 'level:2021-01-04']
    >>> print(fit.terms[["rate_ratio", "ci_low", "ci_high"]].iloc[1].round(3).to_string())
    rate_ratio    0.604
    ci_low        0.470
    ci_high       0.775
    >>> round(fit.alpha, 3), fit.k_params  # alpha counts as a parameter of AIC and BIC
    (0.283, 3)
    """
    return CountGLM(family=family, trend=trend, seasonality=seasonality, events=events,
                    cov_type=cov_type, hac_maxlags=hac_maxlags, level=level,
                    events_outside=events_outside, exposure=exposure, ci=ci, ci_dist=ci_dist,
                    slope_start=slope_start, covariates=covariates,
                    standardize=standardize).fit(series)


# ---------------------------------------------------------------------- helpers
def _check_series(series: CountSeries) -> tuple[np.ndarray, np.ndarray]:
    if not isinstance(series, CountSeries):
        raise TypeError(f"series must be a CountSeries, not {type(series).__name__}")
    if series.groups:
        raise ModelError(f"the series has groups {list(series.groups)}; fit one group at a time "
                         "(series.select(...) or series.iter_groups())")
    if series.n == 0:
        raise ModelError("the series has no rows")
    y = series.counts
    bad = np.flatnonzero(~np.isfinite(y))
    if len(bad):
        raise ModelError(f"row {int(bad[0])} ({series.labels[bad[0]]}) has no exact count (it is known "
                         "only through bounds); use fit_censored_poisson for bounded totals")
    if (y < 0).any():
        i = int(np.flatnonzero(y < 0)[0])
        raise ModelError(f"row {i} ({series.labels[i]}) has a negative count ({y[i]:g})")
    if not (y > 0).any():
        raise ModelError("every count is zero: no rate (and no change of rate) can be estimated")
    x = series.exposure
    bad = np.flatnonzero(~np.isfinite(x) | (x <= 0))
    if len(bad):
        raise ModelError(f"exposure must be positive; row {int(bad[0])} ({series.labels[bad[0]]}) "
                         f"has {float(x[bad[0]])!r}")
    return y, x


def _relay(caught) -> None:
    """Re-issue caught warnings: ours as they are, statsmodels' as ours, numeric noise dropped."""
    for w in caught:
        cat = w.category
        if issubclass(cat, ModelWarning):
            warn(str(w.message), cat)
        elif issubclass(cat, RuntimeWarning) or cat.__module__.startswith("numpy"):
            continue
        elif "Convergence" in cat.__name__:
            warn(f"statsmodels: {w.message}", ConvergenceWarning)
        elif cat.__module__.startswith("statsmodels"):
            warn(f"statsmodels: {w.message}", ModelWarning)


def _cov_args(spec: CountGLM, n: int) -> tuple[str, dict, int | None]:
    if spec.cov_type == "HAC":
        L = newey_west_lags(n) if spec.hac_maxlags is None else int(spec.hac_maxlags)
        return "HAC", {"maxlags": L}, L
    return "nonrobust", {}, None


def _check_hac_defined(y: np.ndarray, fitted: np.ndarray) -> None:
    """A HAC sandwich is built from the residuals: when the model reproduces every count
    (a constant series, say) they are all 0 and so is the "variance", which would show as
    standard errors of 1e-16 and intervals of width 0. Refuse instead."""
    scale = np.sqrt(np.maximum(fitted, 1e-300))
    if np.all(np.abs(y - fitted) <= 1e-8 * np.maximum(scale, 1.0)):
        raise ModelError("HAC standard errors are not defined here: the model reproduces every "
                         "count exactly (all residuals are 0, e.g. a constant series), so the "
                         "Newey-West sandwich is 0; use cov_type='nonrobust' (--cov-type nonrobust)")


def _boundary_check(params: pd.Series, se: pd.Series, msgs: list) -> None:
    for name in params.index:
        if name == "intercept":
            continue
        # |estimate| > 15: a rate ratio beyond 3e6 or below 3e-7; se > 25: an interval wider
        # than a factor e^98; both only happen when the data leave the term unidentified
        if abs(params[name]) > 15 or not np.isfinite(se[name]) or se[name] > 25:
            msgs.append((f"term {name!r} is at the edge of the parameter space (estimate "
                         f"{params[name]:.3g}, standard error {se[name]:.3g}): the counts are zero "
                         "on one side of it, so its rate ratio is not identified", ModelWarning))


def _finish(spec: CountGLM, series: CountSeries, y, design: Design, *, family, params, cov, fitted,
            llf, k_params, chi2, df_resid, converged, hac_lag, msgs, scale=1.0,
            alpha=None, alpha_se=None, alpha_ci=None, model_result=None) -> CountFit:
    if hac_lag is not None:
        _check_hac_defined(np.asarray(y, float), np.asarray(fitted, float))
    names = design.names
    params = pd.Series(np.asarray(params, float), index=names)
    cov = pd.DataFrame(np.asarray(cov, float), index=names, columns=names)
    se = pd.Series(np.sqrt(np.maximum(np.diag(cov.to_numpy()), 0)), index=names)
    if not np.all(np.isfinite(params)):
        raise ModelError(f"the {family} fit failed: non-finite estimates for "
                         f"{[n for n in names if not np.isfinite(params[n])]}")
    if not np.all(np.isfinite(se)):
        raise ModelError("the covariance of the estimates is not finite (a singular information "
                         "matrix): the terms are not identified by these data")
    _boundary_check(params, se, msgs)
    use_t = spec.ci_dist == "t"
    terms = terms_table(params, se, level=spec.level, df=df_resid if use_t else None)
    if spec.ci == "profile":
        from .profile import profile_intervals
        lim = profile_intervals(family=family, endog=y, exog=design.exog, offset=design.offset,
                                params=params, se=se, alpha=alpha, scale=scale,
                                crit=critical_value(spec.level, df_resid if use_t else None))
        with np.errstate(over="ignore"):
            terms["ci_low"] = np.exp(lim["low"].to_numpy(float))
            terms["ci_high"] = np.exp(lim["high"].to_numpy(float))
        if lim.isna().any().any():
            msgs.append((f"the profile likelihood of {[n for n in names if lim.loc[n].isna().any()]} "
                         "does not reach the interval's cut-off on one side; that limit is not "
                         "reported", ModelWarning))
    n = len(y)
    aic = None if llf is None else -2 * llf + 2 * k_params
    bic = None if llf is None else -2 * llf + math.log(n) * k_params
    theta = theta_se = None
    if alpha is not None and alpha > 0:
        theta = 1.0 / alpha
        theta_se = None if alpha_se is None else alpha_se / alpha ** 2
    return CountFit(family=family, n=n, terms=terms, params=params, cov=cov, design=design,
                    endog=np.asarray(y, float), exposure=series.exposure, start=series.start,
                    end=series.end, fitted=np.asarray(fitted, float), llf=llf, aic=aic, bic=bic,
                    dispersion=float(scale), pearson_chi2=chi2, df_resid=float(df_resid),
                    cov_type=spec.cov_type, level=spec.level, alpha=alpha, alpha_ci=alpha_ci,
                    alpha_se=alpha_se, theta=theta, theta_se=theta_se, use_t=use_t,
                    ci=spec.ci, converged=bool(converged), k_params=int(k_params),
                    time_unit=design.time_unit, hac_maxlags=hac_lag,
                    warnings=tuple(m for m, _ in msgs), model_result=model_result)


def _fit_poisson(spec: CountGLM, series, y, design: Design, msgs) -> CountFit:
    import statsmodels.api as sm

    X = design.exog
    cov_type, cov_kwds, L = _cov_args(spec, len(y))
    quasi = spec.family == "quasipoisson"
    mod = sm.GLM(y, X, family=sm.families.Poisson(), offset=design.offset)
    res = mod.fit(cov_type=cov_type, cov_kwds=cov_kwds or None, scale="X2" if quasi else None,
                  use_t=spec.ci_dist == "t", tol=_IRLS_TOL, maxiter=_IRLS_MAXITER)
    mu = np.asarray(res.fittedvalues, float)
    chi2 = float(np.sum((y - mu) ** 2 / mu))
    df_resid = float(res.df_resid)
    disp = chi2 / df_resid
    converged = bool(getattr(res, "converged", True))
    if not converged:
        msgs.append(("the Poisson IRLS fit did not converge; estimates may be inaccurate",
                     ConvergenceWarning))
    if (spec.family == "poisson" and cov_type == "nonrobust" and disp > 1.5
            and stats.chi2.sf(chi2, df_resid) < 0.01):  # a HAC sandwich allows for it
        msgs.append((f"the counts are over-dispersed for a Poisson model (Pearson chi2/df = {disp:.2f}); "
                     "standard errors are too small: use family='negbin' or 'quasipoisson'",
                     DispersionWarning))
    llf = None if quasi else float(res.llf)
    return _finish(spec, series, y, design, family=spec.family, params=res.params,
                   cov=res.cov_params(), fitted=mu, llf=llf, k_params=X.shape[1],
                   scale=disp if quasi else 1.0, chi2=chi2, df_resid=df_resid,
                   converged=converged, hac_lag=L, msgs=msgs, model_result=res)


def theta_ml_se(y, mu, theta: float) -> float:
    """Standard error of NB2's ``theta`` (``1 / alpha``) as ``MASS::theta.ml``: the inverse
    square root of the observed information of theta with the means held fixed."""
    from scipy.special import polygamma
    y = np.asarray(y, float)
    mu = np.asarray(mu, float)
    tg = lambda v: polygamma(1, v)  # noqa: E731 - trigamma
    info = float(np.sum(-tg(theta + y) + tg(theta) - 1 / theta + 2 / (mu + theta)
                        - (y + theta) / (mu + theta) ** 2))
    return float(1 / np.sqrt(info)) if info > 0 else float("nan")


def _fit_negbin(spec: CountGLM, series, y, design: Design, msgs) -> CountFit:
    import statsmodels.api as sm
    from statsmodels.discrete.discrete_model import NegativeBinomial

    X = design.exog
    k = X.shape[1]
    cov_type, cov_kwds, L = _cov_args(spec, len(y))
    pois = sm.GLM(y, X, family=sm.families.Poisson(), offset=design.offset).fit(tol=_IRLS_TOL, maxiter=_IRLS_MAXITER)
    mu0 = np.asarray(pois.fittedvalues, float)
    # moment start for alpha: E[(y - mu)^2 - y] = alpha mu^2
    a0 = float(np.sum((y - mu0) ** 2 - y) / np.sum(mu0 ** 2))
    mod = NegativeBinomial(y, X, loglike_method="nb2", offset=design.offset)
    res = None
    if a0 > 1e-4:
        start = np.append(np.asarray(pois.params, float), a0)
        res = _try_nb(mod, start, "newton")
    if res is None:  # robust path: BFGS on log(alpha), then polish with Newton
        start = np.append(np.asarray(pois.params, float), max(a0, 0.05))
        res_b = _try_nb(mod, start, "bfgs", maxiter=1000)
        if res_b is not None and float(res_b.params.iloc[-1]) > 1e-6:
            res = _try_nb(mod, np.asarray(res_b.params, float), "newton") or res_b
    alpha = None if res is None else float(res.params.iloc[-1])
    cov_all = None
    if res is not None:
        try:
            with np.errstate(all="ignore"):
                cov_all = np.asarray(res.cov_params(), float)
        except (ValueError, np.linalg.LinAlgError):  # singular information matrix
            cov_all = None
    gain = -np.inf if res is None else float(res.llf) - float(pois.llf)
    if res is None or not np.isfinite(alpha) or alpha < 1e-6 or not gain > 1e-6 or (
            cov_all is None and gain < 1e-3):
        # the likelihood is maximised at (or indistinguishably near) the boundary
        # alpha = 0: Poisson
        msgs.append(("the NB2 dispersion alpha is estimated at its boundary 0 (no over-dispersion): "
                     "the negative binomial model reduces to Poisson and the Poisson estimates are "
                     "reported; consider family='poisson'", ModelWarning))
        pres = pois if cov_type == "nonrobust" else sm.GLM(
            y, X, family=sm.families.Poisson(), offset=design.offset).fit(
            cov_type=cov_type, cov_kwds=cov_kwds, tol=_IRLS_TOL, maxiter=_IRLS_MAXITER)
        chi2 = float(np.sum((y - mu0) ** 2 / mu0))
        df_resid = float(len(y) - k)
        fit = _finish(spec, series, y, design, family="poisson", params=pres.params,
                      cov=pres.cov_params(), fitted=mu0, llf=float(pois.llf), k_params=k + 1,
                      chi2=chi2, df_resid=df_resid, converged=True, hac_lag=L, msgs=msgs,
                      alpha=0.0, alpha_se=None,
                      alpha_ci=(0.0, _alpha_upper(mod, pois, spec.level)), model_result=pres)
        return _replace(fit, family="negbin")
    converged = bool(res.mle_retvals.get("converged", True))
    if not converged:
        msgs.append(("the negative binomial fit did not converge; estimates may be inaccurate",
                     ConvergenceWarning))
    if cov_all is None or not np.all(np.isfinite(cov_all)):
        raise ModelError("the information matrix of the negative binomial fit is singular: the "
                         "terms and alpha are not identified by these data (too few or too sparse "
                         "counts); try family='poisson' or 'quasipoisson', or fewer terms")
    beta = np.asarray(res.params, float)[:k]
    # Standard errors of beta as MASS::glm.nb: the expected (IRLS) information with alpha
    # held at its estimate, (X'WX)^-1 with W = mu / (1 + alpha mu); its cross terms with
    # alpha are zero in expectation. (The joint observed Hessian of discrete NegativeBinomial
    # gives errors 0.1-0.4% larger on Seatbelts.) HAC: the sandwich around the same bread.
    gres = sm.GLM(y, X, family=sm.families.NegativeBinomial(alpha=alpha), offset=design.offset).fit(
        start_params=beta, cov_type=cov_type, cov_kwds=cov_kwds or None, tol=_IRLS_TOL,
        maxiter=_IRLS_MAXITER)
    beta = np.asarray(gres.params, float)
    cov = np.asarray(gres.cov_params(), float)
    eta = X.to_numpy(float) @ beta + design.offset
    mu = np.exp(eta)
    theta = 1.0 / alpha
    th_se = theta_ml_se(y, mu, theta)
    a_se = th_se / theta ** 2 if np.isfinite(th_se) else float("nan")
    crit = critical_value(spec.level)
    with np.errstate(over="ignore"):
        ci = (float(alpha * np.exp(-crit * a_se / alpha)), float(alpha * np.exp(crit * a_se / alpha)))
    if not np.isfinite(a_se):
        msgs.append(("the standard error of alpha is not finite; its interval is not reported",
                     ModelWarning))
        ci, a_se = None, None
    elif not np.isfinite(ci[1]) or crit * a_se / alpha > 25:
        msgs.append((f"alpha ({alpha:.3g}) is not identified by these data: its Wald interval on "
                     f"the log scale is [{ci[0]:.3g}, {ci[1]:.3g}]", ModelWarning))
    chi2 = float(np.sum((y - mu) ** 2 / (mu + alpha * mu ** 2)))
    df_resid = float(len(y) - k)
    return _finish(spec, series, y, design, family="negbin", params=beta, cov=cov, fitted=mu,
                   llf=float(mod.loglike(np.append(beta, alpha))), k_params=k + 1, chi2=chi2,
                   df_resid=df_resid, converged=converged, hac_lag=L, msgs=msgs,
                   alpha=alpha, alpha_se=a_se, alpha_ci=ci, model_result=gres)


def _replace(obj, **kw):
    import dataclasses
    return dataclasses.replace(obj, **kw)


def _try_nb(mod, start, method, maxiter=100):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with np.errstate(all="ignore"):
                r = mod.fit(start_params=start, method=method, maxiter=maxiter, disp=0)
    except (np.linalg.LinAlgError, ValueError, OverflowError):
        return None
    p = np.asarray(r.params, float)
    if not np.all(np.isfinite(p)) or p[-1] <= 0 or not r.mle_retvals.get("converged", False):
        return None
    return r


def _alpha_upper(mod, pois, level: float) -> float | None:
    """Profile-likelihood upper limit of alpha when its estimate is 0 (one-sided boundary)."""
    from scipy.optimize import brentq

    target = float(pois.llf) - stats.chi2.ppf(1 - 2 * (1 - level), 1) / 2
    beta0 = np.asarray(pois.params, float)

    def prof(a):
        # maximise over beta with alpha fixed (few Newton steps from the Poisson fit)
        import statsmodels.api as sm
        r = sm.GLM(mod.endog, mod.exog, family=sm.families.NegativeBinomial(alpha=a),
                   offset=mod.offset).fit(start_params=beta0)
        return float(mod.loglike(np.append(np.asarray(r.params, float), a))) - target

    try:
        hi = 1.0
        while prof(hi) > 0 and hi < 1e4:
            hi *= 10
        return float(brentq(prof, 1e-8, hi, xtol=1e-8))
    except (ValueError, RuntimeError, np.linalg.LinAlgError):
        return None
