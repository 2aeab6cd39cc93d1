"""Broken-line (segmented) count models against R 4.2 ``segmented`` 1.6.2 on datasets::Seatbelts
(tests/reference/segmented_seatbelts.json, written by segmented_seatbelts.R; R is not needed here).

Tolerances: R's Muggeo iteration stops at ``seg.control(tol = 1e-5)``, so its psi is within about
1e-5 of the profile maximum found here: psi to 1e-4 (absolute, on the 1..192 month scale),
its standard error to 1e-5 relative, coefficients to 1e-5 relative, log-likelihoods to 1e-9.
"""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from analysis.models import fit_segmented
from analysis.models.segmented import SegmentedFit, _psi_date
from analysis.schema import ModelError, ModelWarning
from analysis.series import CountSeries

REF = Path(__file__).parent / "reference"
SEATBELTS = REF / "data" / "seatbelts.csv"
LAW = "1983-02-01:level"  # law = 1 from 1983-02 (seatbelts.csv), R's `law`
R_NAMES = {"trend": "time", "U1.trend": "U1.time", f"level:{LAW.split(':')[0]}": "law", "intercept": "(Intercept)"}


@pytest.fixture(scope="module")
def data():
    table = pd.read_csv(SEATBELTS, dtype=str)
    assert table.loc[table["law"] == "1", "month"].iloc[0] == "1983-02"
    ref = json.loads((REF / "segmented_seatbelts.json").read_text())
    assert ref["segmented_version"] == "1.6.2" and ref["r_version"].startswith("R version 4.2")

    def series(col):
        return CountSeries.from_table(table, time="month", count=col, file=str(SEATBELTS))
    return series, ref["models"]


def _check_terms(fit, r_terms, rtol=1e-5, names=R_NAMES):
    t = fit.terms.set_index("name")
    for ours, theirs in names.items():
        # estimates to a small fraction of their standard error (near-zero ones have no relative scale)
        assert_allclose(t.loc[ours, "estimate"], r_terms[theirs]["estimate"], rtol=rtol,
                        atol=rtol * r_terms[theirs]["se"])
        assert_allclose(t.loc[ours, "se"], r_terms[theirs]["se"], rtol=rtol)


def _check_slopes(fit, r_slopes, rtol=1e-5):
    for i, key in enumerate(("slope1", "slope2")):
        row, r = fit.slopes.iloc[i], r_slopes[key]
        assert_allclose(row["estimate"], r["estimate"], rtol=rtol, atol=1e-9)
        assert_allclose(row["se"], r["se"], rtol=rtol)
        assert_allclose(np.log([row["ci_low"], row["ci_high"]]), [r["ci_low"], r["ci_high"]], rtol=rtol, atol=1e-9)


@pytest.mark.parametrize("key,col,seasonality", [
    ("poisson_rear", "rear", "calendar"),  # rear ~ time + law + factor(month): psi 140.33
    ("poisson_van", "VanKilled", None),     # VanKilled ~ time + law: psi 23.26
])
def test_poisson_breakpoint_equals_r_segmented(data, key, col, seasonality):
    series, ref = data
    r = ref[key]
    fit = fit_segmented(series(col), family="poisson", events=[LAW], seasonality=seasonality)
    assert isinstance(fit, SegmentedFit) and not fit.at_kink and fit.warnings == ()
    assert abs(fit.psi - r["psi"]) < 1e-4
    assert_allclose(fit.psi_se, r["psi_se"], rtol=1e-5)
    assert_allclose(fit.psi_ci, r["psi_ci"], rtol=1e-5)  # delta method with qt(df.residual), as confint
    assert fit.df_resid == r["df_residual"]
    assert_allclose(fit.llf, r["loglik"], rtol=1e-9)
    assert_allclose(fit.aic, r["aic"], rtol=1e-9)     # psi counts as a parameter, as R's AIC
    assert fit.k_params == 5 + (11 if seasonality else 0)
    _check_terms(fit, r["terms"])
    _check_slopes(fit, r["slopes"])
    assert fit.offset is None and fit.rate_unit == "per month"


def test_negbin_breakpoint_is_the_joint_mle_and_near_r_segmented(data):
    """NB2: alpha re-estimated at every psi (the joint MLE), as R's own profile over glm.nb;
    segmented(glm.nb) keeps theta at the unsegmented fit's value during its search."""
    series, ref = data
    r = ref["negbin_rear"]
    fit = fit_segmented(series("rear"), family="negbin", events=[LAW], seasonality="calendar")
    mle = r["profile_mle"]
    # R's optimize over a glm.nb profile (glm.nb converges to 1e-10): psi to 1e-4
    assert abs(fit.psi - mle["psi"]) < 1e-4
    assert_allclose(1 / fit.alpha, mle["theta"], rtol=1e-6)
    assert_allclose(fit.llf, mle["loglik"], rtol=1e-9)
    assert_allclose(fit.psi_se, mle["psi_se"], rtol=1e-5)
    _check_terms(fit, mle["terms"], names={"trend": "time", "U1.trend": "U1.time",
                                           "level:1983-02-01": "law", "month_07": "m7"})
    # segmented's own answer is a little off the MLE (theta held at 115.7 while it searched)
    assert 0.01 < fit.psi - r["psi"] < 0.1
    assert_allclose(fit.psi_se, r["psi_se"], rtol=5e-3)
    assert abs(r["theta_search"] - 1 / fit.alpha) > 10
    assert fit.k_params == 5 + 11 + 1
    assert_allclose(fit.aic, -2 * fit.llf + 2 * fit.k_params)


def test_breakpoint_on_a_data_value_is_flagged(data):
    """DriversKilled ~ time + law: the profile peaks at month 23 exactly (a kink); R stops at
    22.9999966 and reports the Wald SE of that side."""
    series, ref = data
    r = ref["poisson_drivers"]
    with pytest.warns(ModelWarning, match="kink"):
        fit = fit_segmented(series("DriversKilled"), events=[LAW])
    assert fit.psi == 23.0 and fit.at_kink
    assert abs(fit.psi - r["psi"]) < 1e-4
    assert_allclose(fit.llf, r["loglik"], rtol=1e-9)
    lo, hi = fit.psi_ci_profile
    assert lo < 23 < hi and hi - lo < 6
    # the SE R prints is the left-hand limit: psi just below 23 counts month 23 in V = -I(t > psi)
    left = fit_segmented(series("DriversKilled"), events=[LAW], psi_range=(5, r["psi"]))
    assert abs(left.psi - r["psi"]) < 1e-6
    assert_allclose(left.psi_se, r["psi_se"], rtol=1e-4)
    assert abs(fit.psi_se - r["psi_se"]) > 0.1


def test_global_maximum_beats_r_local_one(data):
    """front ~ time + law: segmented (psi = 100, 10 bootstrap restarts) stops at a local maximum
    near 97; the search here finds the global one, which R's own grid + optimize confirms."""
    series, ref = data
    r = ref["poisson_front"]
    local = fit_segmented(series("front"), events=[LAW], psi_range=(80, 120))
    assert abs(local.psi - r["psi"]) < 1e-4
    assert_allclose(local.psi_se, r["psi_se"], rtol=1e-5)
    assert_allclose(local.llf, r["loglik"], rtol=1e-9)
    glob = fit_segmented(series("front"), events=[LAW])
    assert abs(glob.psi - r["global"]["psi"]) < 1e-4
    assert_allclose(glob.llf, r["global"]["loglik"], rtol=1e-9)
    assert glob.llf > local.llf + 3


def test_profile_interval_brackets_a_likelihood_ratio_cut(data):
    series, _ = data
    fit = fit_segmented(series("VanKilled"), events=[LAW])
    from scipy import stats

    cut = fit.llf - stats.chi2.ppf(0.95, 1) / 2
    lo, hi = fit.psi_ci_profile
    p = fit.profile
    inside = p[(p["psi"] > lo + 1e-6) & (p["psi"] < hi - 1e-6)]
    outside = p[(p["psi"] < lo - 1e-6) | (p["psi"] > hi + 1e-6)]
    assert (inside["llf"] >= cut - 1e-9).all() and len(outside) and (outside["llf"] < cut + 1e-9).any()
    assert lo < fit.psi < hi
    normal = fit_segmented(series("VanKilled"), events=[LAW], ci_dist="normal")
    assert normal.psi_ci[1] - normal.psi_ci[0] < fit.psi_ci[1] - fit.psi_ci[0]  # z < t quantile
    assert_allclose(normal.psi_ci[1] - normal.psi, 1.959963984540054 * normal.psi_se)


def test_recovers_a_synthetic_break_and_its_date():
    """Synthetic (seeded): log rate +0.05/month to month 30, then -0.03/month."""
    t = np.arange(1, 61)
    mu = np.exp(1.5 + 0.05 * t - 0.08 * np.maximum(t - 30, 0))
    s = CountSeries.from_counts(np.random.default_rng(5).poisson(mu), start="2020-01", freq="M")
    fit = fit_segmented(s)
    assert not fit.at_kink and round(fit.psi, 2) == 30.45
    assert abs(fit.psi - 30) < 2 * fit.psi_se
    assert fit.psi_ci[0] < 30 < fit.psi_ci[1]
    # trend value i + 1 is the start of row i (30 -> 2022-06-01); fractions go linearly in days
    i = int(np.floor(fit.psi)) - 1
    assert s.start[i] <= fit.psi_date <= s.start[i + 1]
    assert [str(_psi_date(s, "period", p).date()) for p in (30, 30.5, 61)] == [
        "2022-06-01", "2022-06-16", "2025-01-01"]
    d = fit.to_dict()
    assert d["psi"] == fit.psi and [s["segment"] for s in d["slopes"]] == [1, 2]
    json.dumps(d)


def test_bad_input_is_refused_clearly():
    s = CountSeries.from_counts([1, 2, 3, 4, 5, 6, 7, 8], start="2020-01", freq="M")
    with pytest.raises(ValueError, match="family must be one of"):
        fit_segmented(s, family="quasipoisson")
    with pytest.raises(ValueError, match="ci_dist"):
        fit_segmented(s, ci_dist="wald")
    with pytest.raises(ValueError, match="psi_range must lie strictly inside"):
        fit_segmented(s, psi_range=(0, 4))
    with pytest.raises(ValueError, match="trend is always on"):
        fit_segmented(s, trend=False)
    with pytest.raises(ValueError, match="model-based standard errors only"):
        fit_segmented(s, cov_type="HAC")
    with pytest.raises(ModelError, match="every count is zero"):
        fit_segmented(CountSeries.from_counts([0] * 8, start="2020-01", freq="M"))
    with pytest.raises(ModelError, match="distinct trend values"):
        fit_segmented(CountSeries.from_counts([1, 2, 3, 4], start="2020-01", freq="M"))


@pytest.mark.filterwarnings("ignore:Maximum Likelihood optimization failed")  # statsmodels' BFGS start
@pytest.mark.parametrize("family", ["poisson", "negbin"])
def test_fast_fits_equal_statsmodels(data, family):
    """The profile's warm-started IRLS (and NB2 theta Newton) against statsmodels at the estimate."""
    import statsmodels.api as sm
    from statsmodels.discrete.discrete_model import NegativeBinomial

    from analysis.models import CountGLM
    from analysis.models.segmented import _mle

    series, _ = data
    s = series("rear")
    d = CountGLM(trend=True, seasonality="calendar", events=[LAW]).design(s)
    X = np.column_stack([d.exog.to_numpy(float), np.maximum(d.exog["trend"].to_numpy() - 126.8, 0)])
    beta, alpha, llf = _mle(s.counts, X, d.offset, family, None)
    if family == "poisson":
        r = sm.GLM(s.counts, X, family=sm.families.Poisson(), offset=d.offset).fit(tol=1e-12)
        ref_beta, ref_llf = np.asarray(r.params), r.llf
        assert alpha is None
    else:
        r = NegativeBinomial(s.counts, X, loglike_method="nb2", offset=d.offset).fit(
            method="bfgs", maxiter=5000, disp=0, gtol=1e-10)
        r = NegativeBinomial(s.counts, X, loglike_method="nb2", offset=d.offset).fit(
            start_params=np.asarray(r.params), method="newton", disp=0, tol=1e-12)
        ref_beta, ref_llf = np.asarray(r.params)[:-1], r.llf
        assert_allclose(alpha, r.params[-1], rtol=1e-7)
    assert_allclose(beta, ref_beta, rtol=1e-8, atol=1e-10)
    assert_allclose(llf, ref_llf, rtol=1e-12)


def test_docstring_example_runs_without_warnings():
    import doctest
    import warnings

    import analysis.models.segmented as mod

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = doctest.testmod(mod, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert res.failed == 0 and res.attempted > 0


def test_cli_fit_segmented(data, capsys):
    from analysis.cli import main

    _, ref = data
    r = ref["poisson_van"]
    args = ["fit", str(SEATBELTS), "--time", "month", "--count", "VanKilled", "--family", "poisson",
            "--event", LAW, "--segmented"]
    assert main(args + ["--ci-dist", "t", "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert abs(out["psi"] - r["psi"]) < 1e-4
    assert out["psi_ci"] == pytest.approx(r["psi_ci"], rel=1e-5)  # t quantile, as confint.segmented
    assert [t["name"] for t in out["terms"]] == ["intercept", "trend", "level:1983-02-01", "U1.trend"]
    # without --ci-dist the breakpoint interval is R's (t), as fit_segmented's default
    assert main(args + ["--format", "json"]) == 0
    default = json.loads(capsys.readouterr().out)
    assert default["psi_ci_method"] == "delta (t)" and default["psi_ci"] == pytest.approx(r["psi_ci"], rel=1e-5)
    assert main(args + ["--ci-dist", "normal", "--format", "json"]) == 0
    normal = json.loads(capsys.readouterr().out)
    assert normal["psi_ci_method"] == "delta (normal)" and normal["psi_ci"] != pytest.approx(r["psi_ci"], rel=1e-5)
    assert main(args) == 0
    text = capsys.readouterr().out
    assert "breakpoint psi 23.256" in text and "slope 2:" in text
    bad = ["fit", str(SEATBELTS), "--time", "month", "--count", "VanKilled", "--family", "quasipoisson",
           "--segmented"]
    assert main(bad) == 2
    assert "poisson or negbin only" in capsys.readouterr().err
