"""Censored Poisson regression against a direct scipy optimisation of the same likelihood."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from numpy.testing import assert_allclose
from scipy import optimize, stats

from analysis import CountSeries, ModelError
from analysis.models import fit_censored_poisson
from analysis.models.censored import statement_bounds
from analysis.synthetic import piecewise_poisson

EVENTS = ["2020-05-13:level"]


@pytest.fixture(scope="module")
def bounded():
    s, _ = piecewise_poisson(rates=(3.0, 1.5), lengths=(18, 22), start="2020-01-06", freq="W", seed=42)
    df = s.data.copy()
    y = df["count"].to_numpy()
    rows = {3: "more_than", 9: "at_most", 14: "about", 22: "at_least", 30: "more_than"}
    for i, b in rows.items():
        c, lo, hi = statement_bounds(y[i] + {"more_than": -4, "at_most": 3, "about": 0,
                                             "at_least": -2}[b], b, about=0.2)
        df.loc[i, ["count", "lower", "upper"]] = [c, lo, hi]
    return CountSeries(df, freq="W"), rows


def _scipy_nll(X, off, y, lo, hi, cens):
    """The censored Poisson likelihood written out with scipy.stats, row by row."""
    def nll(b):
        mu = np.exp(X @ b + off)
        tot = 0.0
        for i in range(len(y)):
            if not cens[i]:
                tot += stats.poisson.logpmf(y[i], mu[i])
            elif np.isinf(hi[i]):
                tot += stats.poisson.logsf(lo[i] - 1, mu[i])
            elif lo[i] <= 0:
                tot += stats.poisson.logcdf(hi[i], mu[i])
            else:
                tot += np.log(stats.poisson.cdf(hi[i], mu[i]) - stats.poisson.cdf(lo[i] - 1, mu[i]))
        return -tot
    return nll


def test_matches_direct_scipy_optimisation(bounded):
    s, rows = bounded
    fit = fit_censored_poisson(s, trend=True, events=EVENTS)
    X = fit.design.exog.to_numpy()
    off = np.log(s.period_exposure)
    cens = s.censored
    assert np.flatnonzero(cens).tolist() == sorted(rows)
    lo = np.where(np.isnan(s.lower), 0, s.lower)
    hi = np.where(np.isnan(s.upper), np.inf, s.upper)
    nll = _scipy_nll(X, off, np.nan_to_num(s.counts), lo, hi, cens)
    opt = optimize.minimize(nll, np.zeros(X.shape[1]), method="Nelder-Mead",
                            options={"xatol": 1e-10, "fatol": 1e-13, "maxiter": 40000, "maxfev": 40000})
    assert opt.success
    assert_allclose(fit.params.to_numpy(), opt.x, rtol=1e-5, atol=1e-7)
    assert_allclose(fit.llf, -opt.fun, rtol=1e-10)
    # the fit is at least as high on the scipy likelihood as scipy's own optimum, and
    # that likelihood's numerical gradient vanishes there
    assert nll(fit.params.to_numpy()) <= opt.fun + 1e-11
    b, h = fit.params.to_numpy(), 1e-6
    grad = [(nll(b + h * e) - nll(b - h * e)) / (2 * h) for e in np.eye(len(b))]  # central
    assert np.max(np.abs(grad)) < 1e-5
    # standard errors: inverse of a numerical Hessian of the scipy likelihood
    from statsmodels.tools.numdiff import approx_hess
    V = np.linalg.inv(approx_hess(fit.params.to_numpy(), nll))
    assert_allclose(fit.terms["se"].to_numpy(), np.sqrt(np.diag(V)), rtol=1e-4)
    assert fit.family == "censored-poisson" and fit.converged
    assert np.isnan(fit.predict()["observed"].to_numpy()[cens]).all()


def test_more_than_contributes_survival_function():
    df = pd.DataFrame({"start": ["2023-10-17", "2023-11-14"], "end": ["2023-11-14", "2024-03-01"],
                       "count": [55.0, np.nan], "lower": [np.nan, 176.0], "upper": [np.nan, np.inf]})
    fit = fit_censored_poisson(CountSeries(df, freq=None))
    mu = fit.fitted
    model = fit.model_result.model
    ll = model.loglikeobs(fit.params.to_numpy())
    assert_allclose(ll, [stats.poisson.logpmf(55, mu[0]), stats.poisson.logsf(175, mu[1])], rtol=1e-12)
    # the bound binds: the common rate is pulled above the 55 in 28 days
    assert mu[1] > 175 and np.exp(fit.params["intercept"]) > 55 / 28


def test_at_most_and_interval_contributions():
    df = pd.DataFrame({"start": ["2024-01-01", "2024-02-01", "2024-03-01"],
                       "end": ["2024-02-01", "2024-03-01", "2024-04-01"],
                       "count": [30.0, np.nan, 41.0], "lower": [np.nan, np.nan, 36.0],
                       "upper": [np.nan, 20.0, 44.0]})
    fit = fit_censored_poisson(CountSeries(df, freq="M"))
    mu = fit.fitted
    ll = fit.model_result.model.loglikeobs(fit.params.to_numpy())
    assert_allclose(ll, [stats.poisson.logpmf(30, mu[0]), stats.poisson.logcdf(20, mu[1]),
                         np.log(stats.poisson.cdf(44, mu[2]) - stats.poisson.cdf(35, mu[2]))], rtol=1e-12)


def test_without_bounds_equals_poisson_glm():
    s, _ = piecewise_poisson(rates=(3.0, 1.5), lengths=(18, 22), start="2020-01-06", freq="W", seed=1)
    fit = fit_censored_poisson(s, trend=True, events=EVENTS)
    glm = sm.GLM(s.counts, fit.design.exog, family=sm.families.Poisson(),
                 exposure=s.period_exposure).fit(tol=1e-12)
    assert_allclose(fit.params.to_numpy(), glm.params.to_numpy(), rtol=1e-8)
    assert_allclose(fit.terms["se"].to_numpy(), glm.bse.to_numpy(), rtol=1e-8)
    assert_allclose(fit.llf, glm.llf, rtol=1e-12)


@pytest.mark.parametrize("bound,expected", [
    ("exact", (175.0, np.nan, np.nan)), ("more_than", (np.nan, 176.0, np.inf)),
    ("at_least", (np.nan, 175.0, np.inf)), ("at_most", (np.nan, 0.0, 175.0)),
    ("about", (175.0, 157.0, 193.0)),
])
def test_statement_bounds(bound, expected):
    assert_allclose(statement_bounds(175, bound), expected)


def test_statement_bounds_about_tolerance():
    assert statement_bounds(100, "about", about=0.1) == (100.0, 90.0, 110.0)
    assert statement_bounds(55, "about", about=0.1) == (55.0, 49.0, 61.0)
    assert statement_bounds(78, "about") == (78.0, 70.0, 86.0)  # as analysis.normalize.tallies
    assert_allclose(statement_bounds(78, "about", about=0), (78.0, np.nan, np.nan))
    with pytest.raises(ValueError, match="bound must be"):
        statement_bounds(5, "roughly")


def test_bad_censored_input():
    df = pd.DataFrame({"start": ["2024-01-01", "2024-02-01"], "end": ["2024-02-01", "2024-03-01"],
                       "count": [0.0, np.nan], "lower": [np.nan, 0.0], "upper": [np.nan, 5.0]})
    with pytest.raises(ModelError, match="every count is zero"):
        fit_censored_poisson(CountSeries(df, freq="M"))
    df2 = df.assign(lower=[np.nan, 3.2], upper=[np.nan, 3.8], count=[4.0, np.nan])
    with pytest.raises(ModelError, match="no integer lies within"):
        fit_censored_poisson(CountSeries(df2, freq="M"))


def test_censored_diagnostics_use_exact_rows(bounded):
    s, rows = bounded
    fit = fit_censored_poisson(s, events=EVENTS)
    dg = fit.diagnostics(lags=[1, 2])
    ex = ~s.censored
    r = (s.counts[ex] - fit.fitted[ex]) / np.sqrt(fit.fitted[ex])
    assert_allclose(dg.resid_pearson, r, rtol=1e-12)
    assert dg.df_resid == ex.sum() - 2
    assert_allclose(fit.pearson_dispersion, np.sum(r ** 2) / (ex.sum() - 2), rtol=1e-12)
    assert fit.dispersion == 1.0
    assert "censored-poisson" in repr(fit) and "censored-poisson" in fit.summary().as_text()


def test_point_bounds_are_exact_counts():
    df = pd.DataFrame({"start": ["2024-01-01", "2024-02-01", "2024-03-01"],
                       "end": ["2024-02-01", "2024-03-01", "2024-04-01"],
                       "count": [30.0, np.nan, 41.0], "lower": [30.0, 25.0, np.nan],
                       "upper": [30.0, 25.0, np.nan]})
    fit = fit_censored_poisson(CountSeries(df, freq="M"))
    assert_allclose(fit.predict()["observed"], [30, 25, 41])
    assert fit.offset is None and fit.rate_unit == "per month"
    assert_allclose(np.exp(fit.params["intercept"]), 96 / 3, rtol=1e-10)  # 96 incidents in 3 full months


def _weekly(count, lower, upper):
    n = len(count)
    start = pd.date_range("2024-01-01", periods=n, freq="7D")
    return CountSeries(pd.DataFrame({"start": start, "end": start + pd.Timedelta(days=7), "count": count,
                                     "lower": lower, "upper": upper}), freq="W")


def test_term_on_an_uninformative_row_is_a_model_error():
    # row 2 says only "0 or more": a pulse there is not identified (singular information)
    y = [2.0, 2.0, np.nan, 1.0, 2.0, 3.0, 3.0, 4.0, 1.0, 1.0]
    lo = [np.nan, np.nan, 0.0] + [np.nan] * 7
    hi = [np.nan, np.nan, np.inf] + [np.nan] * 7
    with pytest.raises(ModelError, match="censored Poisson fit failed"):
        fit_censored_poisson(_weekly(y, lo, hi), events=["2024-01-15:pulse"])


def test_term_bounded_on_one_side_only_warns():
    # row 4 says only "at most 396": a pulse there can fall without limit
    y = [402.0, 380.0, 390.0, 376.0, np.nan, 407.0, 378.0, 424.0]
    lo = [np.nan] * 4 + [0.0] + [np.nan] * 3
    hi = [np.nan] * 4 + [396.0] + [np.nan] * 3
    from analysis import ModelWarning
    with pytest.warns(ModelWarning, match="edge of the parameter space"):
        fit = fit_censored_poisson(_weekly(y, lo, hi), events=["2024-01-29:pulse"])
    assert fit.warnings and "pulse:2024-01-29" in fit.warnings[-1]
