"""Count GLMs against statsmodels on the same design, and the CountFit result object."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from numpy.testing import assert_allclose
from scipy import stats
from statsmodels.discrete.discrete_model import NegativeBinomial

from analysis import CountSeries, DispersionWarning, ModelError, ModelWarning
from analysis.models import CountFit, CountGLM, fit_counts, newey_west_lags
from analysis.synthetic import nb_level_change



def _load_reference():
    import importlib.util
    from pathlib import Path
    path = Path(__file__).with_name("results") / "results_models.py"
    spec = importlib.util.spec_from_file_location("results_models", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


ref = _load_reference()

EVENT = "2021-10-13:level+slope"  # Wednesday of week 40 (see tests/results/make_results_models.py)


@pytest.fixture(scope="module")
def ref_series():
    return CountSeries.from_counts(ref.y, start="2021-01-04", freq="W", exposure=ref.exposure)


def _fit(series, family, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DispersionWarning)
        # the hand-built design of tests/results codes the slope from 0 (slope_start=0)
        return fit_counts(series, family=family, trend=True, events=[EVENT],
                          **{"slope_start": 0, **kw})


# --------------------------------------------------------------------- reference numbers
class CheckCountFit:
    """Estimates, SEs and log-likelihood of a fit against ``res2`` (tests/results)."""

    family: str
    res2: dict
    rtol_params = 1e-8
    rtol_bse = 1e-7
    kw: dict = {}

    @pytest.fixture(scope="class")
    @classmethod
    def res1(cls, ref_series):
        return _fit(ref_series, cls.family, **cls.kw)

    def test_names(self, res1):
        assert res1.term_names == ["intercept", "trend", "level:2021-10-13", "slope:2021-10-13"]

    def test_params(self, res1):
        assert_allclose(res1.params.to_numpy(), self.res2["params"], rtol=self.rtol_params)

    def test_bse(self, res1):
        assert_allclose(res1.terms["se"].to_numpy(), self.res2["bse"], rtol=self.rtol_bse)

    def test_llf(self, res1):
        if self.res2["llf"] is None:
            assert res1.llf is None and res1.aic is None and res1.bic is None
        else:
            assert_allclose(res1.llf, self.res2["llf"], rtol=1e-10)
            k = res1.k_params
            assert_allclose(res1.aic, -2 * res1.llf + 2 * k, rtol=1e-12)
            assert_allclose(res1.bic, -2 * res1.llf + np.log(res1.n) * k, rtol=1e-12)


class TestPoissonReference(CheckCountFit):
    family = "poisson"
    res2 = ref.poisson


class TestQuasiPoissonReference(CheckCountFit):
    family = "quasipoisson"
    res2 = ref.quasipoisson


class TestPoissonHACReference(CheckCountFit):
    family = "poisson"
    res2 = ref.poisson_hac3
    kw = {"cov_type": "HAC", "hac_maxlags": 3}


class TestNegBinReference(CheckCountFit):
    family = "negbin"
    res2 = ref.negbin

    def test_bse(self, res1):
        """MASS::glm.nb's errors: (X'WX)^-1 with W = mu / (1 + alpha mu), alpha held at its
        estimate, computed here by hand; discrete NegativeBinomial's joint observed Hessian
        (res2) gives larger ones on these data."""
        X = res1.design.exog.to_numpy(float)
        mu = res1.fitted
        w = mu / (1 + res1.alpha * mu)
        se = np.sqrt(np.diag(np.linalg.inv(X.T @ (w[:, None] * X))))
        assert_allclose(res1.terms["se"].to_numpy(), se, rtol=1e-8)
        assert np.all(np.asarray(self.res2["bse"]) < se)

    def test_alpha(self, res1):
        assert_allclose(res1.alpha, self.res2["alpha"], rtol=1e-8)
        # MASS::theta.ml: 1 / sqrt(observed information of theta with mu fixed)
        from scipy.special import polygamma
        y, mu, th = res1.endog, res1.fitted, 1 / res1.alpha
        info = np.sum(-polygamma(1, th + y) + polygamma(1, th) - 1 / th + 2 / (mu + th)
                      - (y + th) / (mu + th) ** 2)
        assert_allclose(res1.theta, th, rtol=1e-14)
        assert_allclose(res1.theta_se, 1 / np.sqrt(info), rtol=1e-10)
        assert_allclose(res1.alpha_se, res1.theta_se / th ** 2, rtol=1e-12)
        # the joint-Hessian error of alpha (res2) is close but not the same number
        assert_allclose(res1.alpha_se, self.res2["alpha_se"], rtol=1e-3)
        z = stats.norm.ppf(0.975)
        lo, hi = res1.alpha_ci
        assert_allclose([np.log(lo), np.log(hi)],
                        np.log(res1.alpha) + np.array([-z, z]) * res1.alpha_se / res1.alpha, rtol=1e-12)
        assert res1.k_params == 5


# --------------------------------------------------------------------- live statsmodels comparisons
@pytest.fixture(scope="module")
def nb_series():
    s, truth = nb_level_change(n=120, change_at=70, base_rate=6.0, alpha=0.4, trend=0.003, seed=11)
    return s, f"{truth['change_date'].date()}:level"


def _design(series, event):
    return CountGLM(trend=True, seasonality="fourier:1", events=[event]).design(series)


def test_poisson_equals_statsmodels_glm(nb_series):
    s, ev = nb_series
    d = _design(s, ev)
    with pytest.warns(DispersionWarning, match="over-dispersed"):
        fit = fit_counts(s, family="poisson", trend=True, seasonality="fourier:1", events=[ev])
    sm_res = sm.GLM(s.counts, d.exog, family=sm.families.Poisson(), exposure=s.period_exposure).fit(tol=1e-12)
    assert_allclose(fit.params.to_numpy(), sm_res.params.to_numpy(), rtol=1e-8)
    assert_allclose(fit.terms["se"].to_numpy(), sm_res.bse.to_numpy(), rtol=1e-8)
    assert_allclose(fit.llf, sm_res.llf, rtol=1e-10)
    assert_allclose(fit.fitted, sm_res.fittedvalues, rtol=1e-8)


def test_quasipoisson_se_scaled_by_pearson(nb_series):
    s, ev = nb_series
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DispersionWarning)
        p = fit_counts(s, family="poisson", trend=True, events=[ev])
    q = fit_counts(s, family="quasipoisson", trend=True, events=[ev])
    assert_allclose(q.params.to_numpy(), p.params.to_numpy(), rtol=1e-8)
    chi2 = np.sum((s.counts - p.fitted) ** 2 / p.fitted)
    df = s.n - 3
    assert_allclose(q.dispersion, chi2 / df, rtol=1e-8)
    assert_allclose(q.terms["se"].to_numpy(), p.terms["se"].to_numpy() * np.sqrt(chi2 / df), rtol=1e-8)
    # default: normal quantile (R's confint.default, the tutorials' ci.exp) for every family
    z = stats.norm.ppf(0.975)
    r = q.terms.iloc[2]
    assert_allclose(np.log(r["ci_high"]), r["estimate"] + z * r["se"], rtol=1e-12)
    assert_allclose(r["p_value"], 2 * stats.norm.sf(abs(r["estimate"] / r["se"])), rtol=1e-10)
    # ci_dist="t": Student t with the residual df (R's summary.glm p-values for quasi families)
    q = fit_counts(s, family="quasipoisson", trend=True, events=[ev], ci_dist="t")
    t = stats.t.ppf(0.975, df)
    r = q.terms.iloc[2]
    assert_allclose(np.log(r["ci_high"]), r["estimate"] + t * r["se"], rtol=1e-12)
    assert_allclose(r["p_value"], 2 * stats.t.sf(abs(r["estimate"] / r["se"]), df), rtol=1e-10)
    # predictions: delta method on eta with the scaled covariance and the same t quantile
    X = q.design.exog.to_numpy()
    se_eta = np.sqrt(np.einsum("ij,jk,ik->i", X, q.cov.to_numpy(), X))
    pr = q.predict()
    assert_allclose(pr["ci_high"], pr["mean"] * np.exp(t * se_eta), rtol=1e-10)


def test_negbin_equals_statsmodels_discrete(nb_series):
    s, ev = nb_series
    d = _design(s, ev)
    fit = fit_counts(s, family="negbin", trend=True, seasonality="fourier:1", events=[ev])
    res = NegativeBinomial(s.counts, d.exog, loglike_method="nb2", offset=np.log(s.period_exposure)).fit(
        method="newton", maxiter=100, disp=0)
    assert_allclose(fit.params.to_numpy(), res.params.to_numpy()[:-1], rtol=1e-8)
    assert_allclose(fit.alpha, res.params.iloc[-1], rtol=1e-8)
    assert_allclose(fit.llf, res.llf, rtol=1e-12)
    # the GLM with alpha fixed at the ML value gives the same coefficients, and its
    # expected-information errors are the fit's (glm.nb's); the joint Hessian's differ
    glm = sm.GLM(s.counts, d.exog, family=sm.families.NegativeBinomial(alpha=fit.alpha),
                 offset=np.log(s.period_exposure)).fit(tol=1e-12)
    assert_allclose(fit.params.to_numpy(), glm.params.to_numpy(), rtol=1e-6)
    assert_allclose(fit.terms["se"].to_numpy(), glm.bse.to_numpy(), rtol=1e-7)
    assert not np.allclose(fit.terms["se"].to_numpy(), res.bse.to_numpy()[:-1], rtol=1e-4)
    assert fit.alpha != 1.0 and 0.2 < fit.alpha < 0.8


def test_exposure_is_an_offset():
    rng = np.random.default_rng(5)
    x = rng.integers(3, 30, 40).astype(float)
    y = rng.poisson(0.8 * x).astype(float)
    starts = pd.Timestamp("2024-01-01") + pd.to_timedelta(np.concatenate([[0], np.cumsum(x)[:-1]]), unit="D")
    s = CountSeries(pd.DataFrame({"start": starts, "end": starts + pd.to_timedelta(x, unit="D"),
                                  "count": y}), freq=None)  # irregular tally-like intervals
    fit = fit_counts(s, family="poisson")
    assert_allclose(np.exp(fit.params["intercept"]), y.sum() / x.sum(), rtol=1e-10)
    assert fit.time_unit == "day"


def test_hac_default_lags(nb_series):
    s, ev = nb_series
    fit = fit_counts(s, family="negbin", events=[ev], cov_type="HAC")
    assert fit.hac_maxlags == newey_west_lags(120) == 4
    d = CountGLM(events=[ev]).design(s)
    res = NegativeBinomial(s.counts, d.exog, loglike_method="nb2", offset=np.log(s.period_exposure)).fit(
        method="newton", disp=0, cov_type="HAC", cov_kwds={"maxlags": 4})
    assert_allclose(fit.terms["se"].to_numpy(), res.bse.to_numpy()[:-1], rtol=1e-8)


# --------------------------------------------------------------------- predictions
@pytest.fixture(scope="module")
def nb_fit(nb_series):
    s, ev = nb_series
    return fit_counts(s, family="negbin", trend=True, events=[ev, "2020-03-02:pulse"])


def test_counterfactual_equals_zeroed_design(nb_fit, nb_series):
    s, _ = nb_series
    names = nb_fit.event_terms
    assert names == ["level:2021-05-10", "pulse:2020-03-02"]
    X = nb_fit.design.exog.copy()
    X[names] = 0.0
    eta = X.to_numpy() @ nb_fit.params.to_numpy() + np.log(s.period_exposure)
    cf = nb_fit.predict(counterfactual=names)
    np.testing.assert_array_equal(cf["mean"].to_numpy(), np.exp(eta))
    # same thing through an event label, True, and the term name alone
    np.testing.assert_array_equal(nb_fit.predict(counterfactual=True)["mean"], cf["mean"])
    one = nb_fit.predict(counterfactual="2021-05-10")
    X1 = nb_fit.design.exog.copy()
    X1["level:2021-05-10"] = 0.0
    np.testing.assert_array_equal(one["mean"].to_numpy(),
                                  np.exp(X1.to_numpy() @ nb_fit.params.to_numpy() + np.log(s.period_exposure)))
    with pytest.raises(ValueError, match="not an event term"):
        nb_fit.predict(counterfactual="level:1999-01-01")
    # the counterfactual interval: delta method on the zeroed design's linear predictor
    A = X.to_numpy()
    se = np.sqrt(np.einsum("ij,jk,ik->i", A, nb_fit.cov.to_numpy(), A))
    z = stats.norm.ppf(0.975)
    assert_allclose(cf["ci_low"], np.exp(eta - z * se), rtol=1e-10)
    assert_allclose(cf["ci_high"], np.exp(eta + z * se), rtol=1e-10)
    # before the events every world is the same; after the step they differ by its rate ratio
    rr = nb_fit.terms.set_index("name").loc["level:2021-05-10", "rate_ratio"]
    obs = nb_fit.predict()
    after = np.asarray(s.start >= pd.Timestamp("2021-05-10"))
    assert_allclose(obs["mean"][after] / one["mean"][after], rr, rtol=1e-10)


def test_predict_observed_and_delta_intervals(nb_fit, nb_series):
    s, _ = nb_series
    p = nb_fit.predict()
    assert list(p.columns) == ["start", "end", "observed", "mean", "ci_low", "ci_high"]
    assert_allclose(p["mean"], nb_fit.fitted, rtol=1e-12)
    np.testing.assert_array_equal(p["observed"], s.counts)
    X = nb_fit.design.exog.to_numpy()
    se = np.sqrt(np.einsum("ij,jk,ik->i", X, nb_fit.cov.to_numpy(), X))
    z = stats.norm.ppf(0.975)
    assert_allclose(p["ci_low"], nb_fit.fitted * np.exp(-z * se), rtol=1e-10)
    p90 = nb_fit.predict(level=0.9)
    assert (p90["ci_high"] < p["ci_high"]).all()


# --------------------------------------------------------------------- output objects
def test_terms_table_and_to_dict(nb_fit):
    t = nb_fit.terms
    assert list(t.columns) == ["name", "estimate", "se", "rate_ratio", "ci_low", "ci_high", "p_value"]
    assert_allclose(t["rate_ratio"], np.exp(t["estimate"]))
    z = stats.norm.ppf(0.975)
    assert_allclose(t["ci_low"], np.exp(t["estimate"] - z * t["se"]))
    assert_allclose(t["p_value"], 2 * stats.norm.sf(np.abs(t["estimate"] / t["se"])))
    d = nb_fit.to_dict()
    json.dumps(d, allow_nan=False)
    assert {"family", "n", "terms", "dispersion", "aic", "bic", "llf"} <= set(d)
    assert d["terms"][2]["name"] == "level:2021-05-10"
    assert d["alpha"] == nb_fit.alpha and d["alpha_ci"][0] < d["alpha"] < d["alpha_ci"][1]


def test_summary_renders(nb_fit):
    sm_ = nb_fit.summary()
    text = sm_.as_text()
    assert "negbin" in text and "level:2021-05-10" in text and "alpha (NB2)" in text
    lo, hi = nb_fit.alpha_ci
    assert f"{nb_fit.alpha:.6g} [{lo:.6g}, {hi:.6g}]" in text
    assert f"AIC                           {nb_fit.aic:.6g}" in text
    row = [ln for ln in text.splitlines() if ln.startswith("level:2021-05-10")][0].split()
    t = nb_fit.terms.iloc[2]
    assert row[1:6] == [f"{t[c]:.4g}" for c in ("estimate", "se", "rate_ratio", "ci_low", "ci_high")]
    assert str(sm_) == text
    html = sm_.as_html()
    assert html.startswith("<table") and "level:2021-05-10" in html and html == sm_._repr_html_()
    assert nb_fit._repr_html_() == html
    latex = sm_.as_latex()
    assert r"\begin{tabular}" in latex and r"rate\_ratio" in latex
    md = sm_.as_markdown()
    assert "| name | estimate |" in md and md.count("\n| ") >= 5


def test_fit_is_frozen_and_spec_reusable(nb_fit, nb_series):
    with pytest.raises(AttributeError):
        nb_fit.family = "poisson"
    spec = CountGLM(family="negbin", trend=True, events=("2021-05-10",))
    a, b = spec.fit(nb_series[0]), spec.fit(nb_series[0])
    np.testing.assert_array_equal(a.params, b.params)
    assert isinstance(a, CountFit)


# --------------------------------------------------------------------- diagnostics and tests
def test_diagnostics_match_statsmodels(nb_fit):
    from statsmodels.stats.diagnostic import acorr_ljungbox
    from statsmodels.tsa.stattools import acf
    dg = nb_fit.diagnostics(lags=[1, 4, 8])
    r = (nb_fit.endog - nb_fit.fitted) / np.sqrt(nb_fit.fitted + nb_fit.alpha * nb_fit.fitted ** 2)
    lb = acorr_ljungbox(r, lags=[1, 4, 8])
    assert_allclose(dg.ljung_box["statistic"], lb["lb_stat"], rtol=1e-12)
    assert_allclose(dg.ljung_box["p_value"], lb["lb_pvalue"], rtol=1e-12)
    assert_allclose(dg.acf, acf(r, nlags=20, fft=False), rtol=1e-12)
    # by hand: Q(h) = n (n + 2) sum_k r_k^2 / (n - k), r_k the lag-k autocorrelation
    n, c = len(r), r - r.mean()
    rk = np.array([np.sum(c[k:] * c[:n - k]) / np.sum(c * c) for k in range(1, 9)])
    q = n * (n + 2) * np.cumsum(rk ** 2 / (n - np.arange(1, 9)))
    assert_allclose(dg.ljung_box["statistic"], q[[0, 3, 7]], rtol=1e-10)
    assert_allclose(dg.ljung_box["p_value"], stats.chi2.sf(q[[0, 3, 7]], [1, 4, 8]), rtol=1e-10)
    assert_allclose(dg.dispersion, np.sum(r ** 2) / (nb_fit.n - 4), rtol=1e-12)
    assert_allclose(dg.dispersion, nb_fit.pearson_dispersion, rtol=1e-12)
    assert nb_fit.dispersion == 1.0  # the scale of the inference, R's summary(glm.nb)$dispersion
    with pytest.raises(ValueError, match="lags"):
        nb_fit.diagnostics(lags=[0])


def test_lr_tests(nb_series):
    s, ev = nb_series
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DispersionWarning)
        p0 = fit_counts(s, family="poisson")
        p1 = fit_counts(s, family="poisson", events=[ev])
    nb1 = fit_counts(s, family="negbin", events=[ev])
    t = p1.lr_test(p0)
    assert t.method == "lr" and t.df == 1
    assert_allclose(t.statistic, 2 * (p1.llf - p0.llf), rtol=1e-12)
    assert_allclose(t.p_value, stats.chi2.sf(t.statistic, 1), rtol=1e-12)
    b = nb1.lr_test(p1)
    assert b.method == "lr-boundary"
    assert_allclose(b.p_value, 0.5 * stats.chi2.sf(2 * (nb1.llf - p1.llf), 1), rtol=1e-10)
    q0 = fit_counts(s, family="quasipoisson")
    q1 = fit_counts(s, family="quasipoisson", events=[ev])
    f = q1.lr_test(q0)
    dev = sm.GLM(s.counts, np.ones((s.n, 1)), family=sm.families.Poisson(), exposure=s.period_exposure).fit().deviance
    dev1 = sm.GLM(s.counts, q1.design.exog, family=sm.families.Poisson(), exposure=s.period_exposure).fit().deviance
    assert f.method == "F"
    assert_allclose(f.statistic, (dev - dev1) / q1.dispersion, rtol=1e-8)
    assert_allclose(f.p_value, stats.f.sf(f.statistic, 1, s.n - 2), rtol=1e-8)
    with pytest.raises(ValueError, match="quasipoisson"):
        q1.lr_test(p0)
    other = fit_counts(nb_level_change(n=120, seed=3)[0], family="negbin")
    with pytest.raises(ValueError, match="same data"):
        nb1.lr_test(other)


# --------------------------------------------------------------------- bad input
def test_bad_arguments():
    s = CountSeries.from_counts([1, 2, 3, 4], start="2024-01", freq="M")
    with pytest.raises(ValueError, match="family must be one of"):
        fit_counts(s, family="gaussian")
    with pytest.raises(ValueError, match="cov_type"):
        fit_counts(s, cov_type="HC0")
    with pytest.raises(ValueError, match="level"):
        fit_counts(s, level=95)


def test_bad_series():
    with pytest.raises(ModelError, match="every count is zero"):
        fit_counts(CountSeries.from_counts(np.zeros(10), start="2024-01", freq="M"))
    short = CountSeries.from_counts([3, 4, 5], start="2024-01", freq="M")
    with pytest.raises(ModelError, match="3 rows but the model has 4 terms"):
        fit_counts(short, trend=True, events=["2024-02-10:level+slope"])
    s = CountSeries.from_counts(np.arange(12) + 1, start="2024-01", freq="M")
    with pytest.raises(ModelError, match="outside the series"):
        fit_counts(s, events=["2026-01-01"])
    with pytest.raises(ModelError, match="collinear"):
        fit_counts(s, events=["2024-05-01", "2024-05-01:pulse", "2024-06-01"])
    df = s.data.assign(count=np.r_[np.nan, s.counts[1:]], lower=np.r_[3.0, [np.nan] * 11])
    with pytest.raises(ModelError, match="fit_censored_poisson"):
        fit_counts(CountSeries(df, freq="M"))


def test_separation_warns_and_stays_finite():
    s = CountSeries.from_counts([5, 3, 4, 6, 2, 5, 0, 0, 0, 0, 0, 0], start="2024-01", freq="M")
    with pytest.warns(ModelWarning, match="edge of the parameter space"):
        fit = fit_counts(s, family="poisson", events=["2024-07-01"])
    t = fit.terms
    assert not t[["estimate", "se", "ci_low", "ci_high", "p_value"]].isna().any().any()
    assert t.loc[1, "rate_ratio"] < 1e-8 and t.loc[1, "p_value"] > 0.99  # no evidence either way
    assert fit.warnings and "edge" in fit.warnings[0]


def test_negbin_on_equidispersed_counts_reports_boundary():
    rng = np.random.default_rng(1)
    s = CountSeries.from_counts(rng.poisson(10, 60), start="2024-01-01", freq="W")
    with pytest.warns(ModelWarning, match="boundary 0"):
        fit = fit_counts(s, family="negbin", events=["2024-06-05"])
    pois = fit_counts(s, family="poisson", events=["2024-06-05"])
    assert fit.alpha == 0.0 and fit.alpha_ci[0] == 0.0 and 0 < fit.alpha_ci[1] < 0.1
    assert_allclose(fit.params, pois.params, rtol=1e-12)
    assert fit.llf == pois.llf and fit.k_params == pois.k_params + 1


def test_grouped_series_rejected():
    df = pd.DataFrame({"start": ["2024-01-01", "2024-01-01"], "end": ["2024-02-01", "2024-02-01"],
                       "count": [1, 2], "country": ["Iraq", "Syria"]})
    with pytest.raises(ModelError, match="one group at a time"):
        fit_counts(CountSeries(df, freq="M", groups=("country",)))


def test_non_convergence_warns_with_usable_result(monkeypatch, nb_series):
    from analysis import ConvergenceWarning
    from analysis.models import glm
    s, ev = nb_series
    monkeypatch.setattr(glm, "_IRLS_MAXITER", 1)
    with pytest.warns(ConvergenceWarning, match="did not converge") as rec:
        fit = fit_counts(s, family="quasipoisson", events=[ev])
    assert not fit.converged
    assert np.all(np.isfinite(fit.terms[["estimate", "se", "ci_low", "ci_high", "p_value"]].to_numpy()))
    assert rec[0].filename == __file__  # the warning points at the caller


def test_events_as_dates(nb_series):
    import datetime
    s, ev = nb_series
    a = fit_counts(s, family="negbin", events=[datetime.date(2021, 5, 10)])
    b = fit_counts(s, family="negbin", events=[pd.Timestamp("2021-05-10")])
    assert a.term_names == b.term_names == ["intercept", "level:2021-05-10"]
    c = fit_counts(s, family="negbin", events=["2021-05-10:level"])
    np.testing.assert_array_equal(a.params.to_numpy(), c.params.to_numpy())
    np.testing.assert_array_equal(b.terms["se"].to_numpy(), c.terms["se"].to_numpy())


# --------------------------------------------------------------------- independent routes
def test_negbin_alpha_and_its_interval_by_direct_likelihood(nb_series):
    """NB2 written out with scipy.special and maximised with scipy (not statsmodels)."""
    from scipy import optimize, special
    from statsmodels.tools.numdiff import approx_hess
    s, ev = nb_series
    fit = fit_counts(s, family="negbin", trend=True, events=[ev])
    X, y, off = fit.design.exog.to_numpy(), s.counts, np.log(s.period_exposure)

    def nll(p):  # p = (beta, log alpha)
        r = np.exp(-p[-1])
        mu = np.exp(X @ p[:-1] + off)
        return -np.sum(special.gammaln(y + r) - special.gammaln(r) - special.gammaln(y + 1)
                       + r * np.log(r / (r + mu)) + y * np.log(mu / (r + mu)))

    opt = optimize.minimize(nll, np.zeros(X.shape[1] + 1), method="BFGS", options={"gtol": 1e-9})
    opt = optimize.minimize(nll, opt.x, method="Nelder-Mead",
                            options={"xatol": 1e-12, "fatol": 1e-14, "maxiter": 40000, "maxfev": 40000})
    assert_allclose(fit.alpha, np.exp(opt.x[-1]), rtol=1e-5)
    assert_allclose(fit.params.to_numpy(), opt.x[:-1], rtol=1e-5, atol=1e-7)
    assert_allclose(fit.llf, -opt.fun, rtol=1e-10)
    # Wald interval on log(alpha) from the observed information of the same likelihood
    se_log = np.sqrt(np.linalg.inv(approx_hess(opt.x, nll))[-1, -1])
    z = stats.norm.ppf(0.975)
    assert_allclose(fit.alpha_ci, np.exp(opt.x[-1] + np.array([-z, z]) * se_log), rtol=1e-4)
    # AIC and BIC count alpha, as R's glm.nb (logLik df = terms + 1)
    assert_allclose(fit.aic, 2 * opt.fun + 2 * (X.shape[1] + 1), rtol=1e-10)
    assert_allclose(fit.bic, 2 * opt.fun + np.log(s.n) * (X.shape[1] + 1), rtol=1e-10)


def test_hac_by_hand(nb_series):
    """Newey-West sandwich with Bartlett weights written out: bread (X'WX)^-1, meat of scores."""
    s, ev = nb_series
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DispersionWarning)
        plain = fit_counts(s, family="poisson", trend=True, events=[ev])
        hac = fit_counts(s, family="poisson", trend=True, events=[ev], cov_type="HAC", hac_maxlags=3)
    q = fit_counts(s, family="quasipoisson", trend=True, events=[ev], cov_type="HAC", hac_maxlags=3)
    X, y, mu = plain.design.exog.to_numpy(), s.counts, plain.fitted
    S = X * (y - mu)[:, None]
    meat = S.T @ S
    for lag in (1, 2, 3):
        G = S[lag:].T @ S[:-lag]
        meat += (1 - lag / 4) * (G + G.T)
    bread = np.linalg.inv(X.T @ (X * mu[:, None]))
    se = np.sqrt(np.diag(bread @ meat @ bread))
    assert_allclose(hac.terms["se"].to_numpy(), se, rtol=1e-8)
    assert_allclose(q.terms["se"].to_numpy(), se, rtol=1e-8)  # a sandwich does not scale
    assert hac.summary().info[2] == ("covariance", "HAC (maxlags 3)")


def test_lr_test_refuses_non_nested_family_pair(nb_series):
    s, ev = nb_series
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DispersionWarning)
        p3 = fit_counts(s, family="poisson", trend=True, events=[ev])
    nb1 = fit_counts(s, family="negbin")
    assert p3.k_params > nb1.k_params
    with pytest.raises(ValueError, match="not nested"):
        p3.lr_test(nb1)
    with pytest.raises(ValueError, match="not nested"):
        nb1.lr_test(p3)


def test_lr_boundary_mixture():
    rng = np.random.default_rng(1)
    s = CountSeries.from_counts(rng.poisson(10, 60), start="2024-01-01", freq="W")
    with pytest.warns(ModelWarning, match="boundary 0"):
        nb0 = fit_counts(s, family="negbin")
    p0 = fit_counts(s, family="poisson")
    t = nb0.lr_test(p0)
    # statistic 0: P(0.5 chi2(0) + 0.5 chi2(1) >= 0) = 1
    assert t.statistic == 0.0 and t.p_value == 1.0 and t.method == "lr-boundary"
    s2, truth = nb_level_change(n=120, change_at=70, base_rate=6.0, alpha=0.4, trend=0.003, seed=11)
    ev = f"{truth['change_date'].date()}:level"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DispersionWarning)
        pois = fit_counts(s2, family="poisson")
    nbe = fit_counts(s2, family="negbin", events=[ev])  # adds alpha (boundary) and one term
    t2 = nbe.lr_test(pois)
    stat = 2 * (nbe.llf - pois.llf)
    assert t2.df == 2 and t2.method == "lr-boundary"
    assert_allclose(t2.p_value, 0.5 * stats.chi2.sf(stat, 1) + 0.5 * stats.chi2.sf(stat, 2), rtol=1e-12)


def test_negative_count_names_the_row():
    s = CountSeries.from_counts([1, -2, 3, 4], start="2024-01", freq="M")
    with pytest.raises(ModelError, match=r"row 1 \(2024-02\) has a negative count \(-2\)"):
        fit_counts(s)


def test_dispersion_warning_only_for_model_based_errors(nb_series):
    """HAC errors are a sandwich, valid under over-dispersion: no 'standard errors too small'."""
    s, ev = nb_series
    with warnings.catch_warnings():
        warnings.simplefilter("error", DispersionWarning)
        fit = fit_counts(s, family="poisson", events=[ev], cov_type="HAC")
    assert fit.dispersion == 1.0  # Poisson: R's dispersion; the Pearson statistic is a diagnostic
    assert fit.pearson_dispersion > 1.5 and not any("over-dispersed" in w for w in fit.warnings)
    with pytest.warns(DispersionWarning, match="over-dispersed"):
        fit_counts(s, family="poisson", events=[ev])


# --------------------------------------------------------------------- sparse counts (found by fuzzing)
@pytest.mark.parametrize("y,event,trend", [
    # alpha creeps to 1e-6 with no gain in likelihood: the boundary, not a singular NB fit
    ([2, 0, 1, 0, 2, 0, 0, 2, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 1, 2, 1, 0, 1, 1, 0], "2024-01-15:level+slope", False),
    ([0, 0, 1, 0, 1, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0], "2024-02-19:level", True),
    ([1, 2, 0, 0, 0, 1, 0, 2, 0], "2024-02-05:level+slope", False),
    ([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0], "2024-03-04:slope", False),
])
@pytest.mark.parametrize("cov_type", ["nonrobust", "HAC"])
def test_negbin_on_sparse_counts_errors_or_warns_never_crashes(y, event, trend, cov_type):
    from analysis import IncidentTrendsWarning
    s = CountSeries.from_counts(y, start="2024-01-01", freq="W")
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        try:
            fit = fit_counts(s, family="negbin", trend=trend, events=[event], cov_type=cov_type)
        except ModelError:
            return
    ours = [w for w in rec if issubclass(w.category, IncidentTrendsWarning)]
    assert fit.alpha is not None and np.isfinite(fit.alpha) and fit.alpha >= 0
    t = fit.terms[["estimate", "se", "p_value"]].to_numpy()
    assert np.isfinite(t).all()
    if fit.alpha == 0.0:
        assert any("boundary 0" in str(w.message) for w in ours)
    if not np.isfinite(fit.terms[["ci_low", "ci_high"]].to_numpy()).all() or fit.alpha_ci is None \
            or not np.isfinite(fit.alpha_ci).all():
        assert ours  # an unbounded interval always comes with a warning


def test_unidentified_slope_warns():
    s = CountSeries.from_counts([0, 1] + [0] * 18, start="2024-01-01", freq="W")
    with pytest.warns(ModelWarning, match="edge of the parameter space"):
        fit = fit_counts(s, family="poisson", trend=True, events=["2024-04-15:slope"])
    assert fit.terms.set_index("name").loc["slope:2024-04-15", "se"] > 25


def test_degenerate_hac_fit_warns():
    """Counts zero up to the last row: the estimates run off to the edge, and say so."""
    s = CountSeries.from_counts([0, 0, 0, 0, 0, 1], start="2024-01-01", freq="W")
    with pytest.warns(ModelWarning, match="edge of the parameter space"):
        fit_counts(s, family="poisson", trend=True, events=["2024-01-08:slope"], cov_type="HAC",
                   slope_start=0)


@pytest.mark.parametrize("y,event,family,cov_type", [
    ([1, 1, 1, 1], "2024-01-08:slope", "quasipoisson", "nonrobust"),  # exact fit: no dispersion
])
def test_degenerate_fits_raise_model_error(y, event, family, cov_type):
    s = CountSeries.from_counts(y, start="2024-01-01", freq="W")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(ModelError, match=f"the {family} fit failed"):
            fit_counts(s, family=family, trend=True, events=[event], cov_type=cov_type, slope_start=0)
