"""Count models against R 4.2 reference results (tests/reference/*.json, written by the
R scripts next to them; R is not needed to run these tests)."""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from analysis._cli.fit import render_text
from analysis.cli import main
from analysis.models import fit_counts
from analysis.series import CountSeries

pytestmark = pytest.mark.filterwarnings("ignore:the counts are over-dispersed", "ignore:.*Perfect separation")

REF = Path(__file__).parent / "reference"
SEATBELTS = REF / "data" / "seatbelts.csv"


@pytest.fixture(scope="module")
def seatbelts():
    table = pd.read_csv(SEATBELTS, dtype=str)
    series = CountSeries.from_table(table, time="month", count="DriversKilled", file=str(SEATBELTS))
    ref = json.loads((REF / "seatbelts_glm.json").read_text())["models"]
    return table, series, ref


def test_seatbelts_poisson_trend_law_equals_r_glm(seatbelts):
    """R: glm(DriversKilled ~ time + law, family = poisson), no offset; RR(law) 0.85883."""
    table, series, ref = seatbelts
    law_from = table.loc[table["law"] == "1", "month"].iloc[0]
    assert law_from == "1983-02"
    fit = fit_counts(series, family="poisson", trend=True, events=[f"{law_from}-01:level"])
    assert fit.offset is None and fit.rate_unit == "per month"
    r = ref["poisson_time_law"]["terms"]
    t = fit.terms.set_index("name")
    for ours, theirs in (("intercept", "(Intercept)"), ("trend", "time"), ("level:1983-02-01", "law")):
        assert_allclose(t.loc[ours, "rate_ratio"], r[theirs]["rate_ratio"], rtol=1e-6)
        assert_allclose(t.loc[ours, "se"], r[theirs]["se"], rtol=1e-6)
        assert_allclose([t.loc[ours, "ci_low"], t.loc[ours, "ci_high"]],
                        [r[theirs]["ci_low"], r[theirs]["ci_high"]], rtol=1e-5)
    assert round(float(t.loc["level:1983-02-01", "rate_ratio"]), 5) == 0.85883
    assert_allclose(fit.llf, ref["poisson_time_law"]["loglik"], rtol=1e-9)
    assert_allclose(fit.aic, ref["poisson_time_law"]["aic"], rtol=1e-9)


def test_seatbelts_days_offset_is_explicit(seatbelts, tmp_path, capsys):
    """The old default (log days in the month) is only there when asked for."""
    _, series, ref = seatbelts
    days = fit_counts(series, trend=True, events=["1983-02-01:level"], exposure="days")
    assert days.offset == "log(days)" and days.rate_unit == "per day"
    rr = float(days.terms.set_index("name").loc["level:1983-02-01", "rate_ratio"])
    assert abs(rr - ref["poisson_time_law"]["terms"]["law"]["rate_ratio"]) > 1e-3  # a different model
    # the same model through a column of days and through the CLI word "days"
    col = fit_counts(series, trend=True, events=["1983-02-01:level"], exposure=series.period_days)
    assert_allclose(col.params.to_numpy(), days.params.to_numpy(), rtol=1e-10)
    rc = main(["fit", str(SEATBELTS), "--time", "month", "--count", "DriversKilled", "--family", "poisson",
               "--trend", "--event", "1983-02-01", "--exposure", "days", "--format", "json"])
    res = json.loads(capsys.readouterr().out)
    assert rc == 0 and res["offset"] == "log(days)" and res["rate_unit"] == "per day"
    assert_allclose([x["estimate"] for x in res["terms"]], days.params.to_numpy(), rtol=1e-10)


def test_cli_default_has_no_offset_and_says_so(seatbelts, capsys):
    _, _, ref = seatbelts
    rc = main(["fit", str(SEATBELTS), "--time", "month", "--count", "DriversKilled", "--family", "poisson",
               "--trend", "--event", "1983-02-01", "--format", "json"])
    res = json.loads(capsys.readouterr().out)
    assert rc == 0 and res["offset"] is None and res["rate_unit"] == "per month"
    law = [x for x in res["terms"] if x["name"] == "level:1983-02-01"][0]
    assert_allclose(law["rate_ratio"], ref["poisson_time_law"]["terms"]["law"]["rate_ratio"], rtol=1e-6)
    text = render_text(res)
    assert "offset none; rates per month" in text


def test_cli_exposure_column_is_log_of_the_column(seatbelts, capsys):
    """--exposure kms: log(kms) offset, as R's offset(log(kms))."""
    table, series, _ = seatbelts
    kms = pd.to_numeric(table["kms"]).to_numpy(float)
    rc = main(["fit", str(SEATBELTS), "--time", "month", "--count", "DriversKilled", "--family", "poisson",
               "--exposure", "kms", "--format", "json"])
    res = json.loads(capsys.readouterr().out)
    assert rc == 0 and res["offset"] == "log(kms)" and res["rate_unit"] == "per unit of kms"
    # intercept-only Poisson with offset log(kms): exp(b0) = sum(y) / sum(kms) exactly
    assert_allclose(res["terms"][0]["rate_ratio"], series.counts.sum() / kms.sum(), rtol=1e-9)


def test_partly_observed_periods_get_their_fraction_as_offset():
    s = CountSeries.from_counts([10, 20, 20], start="2024-01-01", freq="W", exposure=[3.5, 7, 7])
    fit = fit_counts(s)
    assert fit.offset == "log(period_exposure)" and fit.rate_unit == "per week"
    # intercept-only: the rate per full week is sum(y) / sum(period_exposure) = 50 / 2.5
    assert_allclose(fit.terms["rate_ratio"].iloc[0], 20.0, rtol=1e-9)
    assert_allclose(fit.design.offset, np.log([0.5, 1, 1]))


# ------------------------------------------------------------ every reference model (RR 1e-6, CI 1e-5)
SEATBELTS_SPECS = {
    "time_law": {},
    "time_law_harm2": {"seasonality": "fourier:2"},
    "time_law_kms_petrol": {"covariates": ["kms", "PetrolPrice"]},
    "time_law_logkms_logpetrol": {"covariates": ["log(kms)", "log(PetrolPrice)"]},
}
SEATBELTS_NAMES = {"(Intercept)": "intercept", "time": "trend", "law": "level:1983-02-01",
                   "log(kms)": "log(kms)", "log(PetrolPrice)": "log(PetrolPrice)"}
SICILY = Path(__file__).parents[1] / "data" / "sicily.csv"
SICILY_SPECS = {
    "model1": ("poisson", {"events": ["2005-01-01:level"]}),
    "model2": ("quasipoisson", {"events": ["2005-01-01:level"]}),
    "model3": ("quasipoisson", {"events": ["2005-01-01:level"], "seasonality": "fourier:2"}),
    "model4": ("quasipoisson", {"events": ["2005-01-01:level+slope"], "seasonality": "fourier:2"}),
}
SICILY_NAMES = {"(Intercept)": "intercept", "time": "trend", "smokban": "level:2005-01-01",
                "smokban:I(time - 36)": "slope:2005-01-01"}


@pytest.fixture(scope="module")
def seatbelts_cov(seatbelts):
    table, series, ref = seatbelts
    data = series.data.assign(kms=pd.to_numeric(table["kms"]).to_numpy(float),
                              PetrolPrice=pd.to_numeric(table["PetrolPrice"]).to_numpy(float))
    return CountSeries(data, freq="M"), ref


@pytest.fixture(scope="module")
def sicily():
    table = pd.read_csv(SICILY)
    labels = [f"{y}-{m:02d}" for y, m in zip(table["year"], table["month"])]
    s = CountSeries.from_counts(table["aces"], labels=labels)
    s = CountSeries(s.data.assign(stdpop=table["stdpop"].to_numpy(float)), freq="M")
    ref = json.loads((REF / "sicily_glm.json").read_text())
    return s, ref


def _check_against_r(fit, r, names, ci):
    t = fit.terms.set_index("name")
    suffix = "_profile" if ci == "profile" else ""
    assert sorted(t.index) == sorted(names.get(k, k) for k in r["terms"])
    for theirs, rt in r["terms"].items():
        ours = t.loc[names.get(theirs, theirs)]
        assert_allclose(ours["rate_ratio"], rt["rate_ratio"], rtol=1e-6)
        assert_allclose(ours["se"], rt["se"], rtol=1e-6)
        assert_allclose([ours["ci_low"], ours["ci_high"]],
                        [rt["ci_low" + suffix], rt["ci_high" + suffix]], rtol=1e-5)
        assert_allclose(ours["p_value"], rt["p_value"], rtol=1e-4)  # a far tail magnifies 1e-8
    assert_allclose(fit.dispersion, r["dispersion"], rtol=1e-5)  # R stops IRLS at 1e-8
    assert_allclose(fit.pearson_chi2, r["pearson_chi2"], rtol=1e-5)
    assert_allclose(fit.fitted, r["fitted"], rtol=1e-6)
    assert_allclose(fit.resid_pearson, r["resid_pearson"], rtol=1e-5, atol=1e-8)
    assert_allclose(fit.resid_deviance, r["resid_deviance"], rtol=1e-5, atol=1e-8)
    if "loglik" in r:
        assert_allclose([fit.llf, fit.aic, fit.bic], [r["loglik"], r["aic"], r["bic"]], rtol=1e-8)
    else:
        assert fit.llf is None and fit.aic is None
    if "theta" in r:
        assert_allclose(fit.theta, r["theta"], rtol=1e-6)
        assert_allclose(fit.theta_se, r["theta_se"], rtol=1e-5)


@pytest.mark.parametrize("ci", ["wald", "profile"])
@pytest.mark.parametrize("family", ["poisson", "quasipoisson", "negbin"])
@pytest.mark.parametrize("spec", list(SEATBELTS_SPECS))
def test_seatbelts_models_equal_r(seatbelts_cov, family, spec, ci):
    """glm / glm.nb on Seatbelts: with and without harmonic(month, 2, 12), kms and
    PetrolPrice linear and logged; Wald (confint.default) and profile (confint) intervals."""
    series, ref = seatbelts_cov
    fit = fit_counts(series, family=family, trend=True, events=["1983-02-01:level"], ci=ci,
                     **SEATBELTS_SPECS[spec])
    assert fit.offset is None and fit.ci == ci and not fit.use_t
    _check_against_r(fit, ref[f"{family}_{spec}"], SEATBELTS_NAMES, ci)


@pytest.mark.parametrize("ci", ["wald", "profile"])
@pytest.mark.parametrize("model", list(SICILY_SPECS))
def test_sicily_tutorial_models_equal_r(sicily, model, ci):
    """Lopez Bernal et al. (2017) models 1-4: offset(log(stdpop)), harmonic(month, 2, 12),
    I(time - 36):smokban for the slope (1 in the first month of the ban)."""
    s, ref = sicily
    family, kw = SICILY_SPECS[model]
    fit = fit_counts(s, family=family, trend=True, exposure="stdpop", ci=ci, **kw)
    assert fit.offset == "log(stdpop)"
    _check_against_r(fit, ref["models"][model], SICILY_NAMES, ci)


def test_sicily_published_estimate(sicily):
    """The paper's seasonally adjusted model: RR 0.885 (95% CI 0.839-0.933), normal quantile."""
    s, _ = sicily
    fit = fit_counts(s, family="quasipoisson", trend=True, exposure="stdpop", seasonality="fourier:2",
                     events=["2005-01-01:level"])
    rr, lo, hi = fit.terms.set_index("name").loc["level:2005-01-01", ["rate_ratio", "ci_low", "ci_high"]]
    assert (round(rr, 3), round(lo, 3), round(hi, 3)) == (0.885, 0.839, 0.933)
    # with Student t (the old quasipoisson default) the interval is wider and no longer the paper's
    t = fit_counts(s, family="quasipoisson", trend=True, exposure="stdpop", seasonality="fourier:2",
                   events=["2005-01-01:level"], ci_dist="t").terms.set_index("name").loc["level:2005-01-01"]
    assert t["ci_low"] < lo and round(t["ci_low"], 3) != 0.839


def test_seatbelts_cli_covariates_profile_equal_r(capsys):
    ref = json.loads((REF / "seatbelts_glm.json").read_text())["models"]["negbin_time_law_logkms_logpetrol"]
    rc = main(["fit", str(SEATBELTS), "--time", "month", "--count", "DriversKilled", "--family", "negbin",
               "--trend", "--event", "1983-02-01", "--covariate", "log(kms)", "--covariate",
               "log(PetrolPrice)", "--ci", "profile", "--format", "json"])
    res = json.loads(capsys.readouterr().out)
    assert rc == 0 and res["ci"] == "profile" and res["ci_dist"] == "normal"
    law = {t["name"]: t for t in res["terms"]}["level:1983-02-01"]
    r = ref["terms"]["law"]
    assert_allclose(law["rate_ratio"], r["rate_ratio"], rtol=1e-6)
    assert_allclose([law["ci_low"], law["ci_high"]], [r["ci_low_profile"], r["ci_high_profile"]], rtol=1e-5)
    assert_allclose([res["theta"], res["theta_se"]], [ref["theta"], ref["theta_se"]], rtol=1e-5)
    assert_allclose(res["alpha"], 1 / ref["theta"], rtol=1e-6)
    assert res["dispersion"] == 1 and res["intercept"] == "baseline rate per month"
    text = render_text(res)
    assert f"theta {ref['theta']:.6g}" in text and "profile-likelihood intervals at 95%" in text


def test_standardized_covariates_are_r_scale(seatbelts_cov):
    """standardize=True is R's scale(): the same model, coefficients times the sample sd."""
    series, ref = seatbelts_cov
    raw = fit_counts(series, trend=True, events=["1983-02-01"], covariates=["kms", "log(PetrolPrice)"])
    z = fit_counts(series, trend=True, events=["1983-02-01"], covariates=["kms", "log(PetrolPrice)"],
                   standardize=True)
    assert z.term_names[2:4] == ["scale(kms)", "scale(log(PetrolPrice))"]
    sd = np.std(np.log(series.data["PetrolPrice"]), ddof=1)
    assert_allclose(z.params["scale(log(PetrolPrice))"], raw.params["log(PetrolPrice)"] * sd, rtol=1e-8)
    assert_allclose(z.params["level:1983-02-01"], raw.params["level:1983-02-01"], rtol=1e-8)
    assert_allclose(z.llf, raw.llf, rtol=1e-12)
    mu, s = z.design.scaling["scale(kms)"]
    assert_allclose([mu, s], [series.data["kms"].mean(), series.data["kms"].std(ddof=1)])


def test_covariate_missing_values_name_the_row(seatbelts_cov, tmp_path, capsys):
    from analysis.schema import ModelError
    series, _ = seatbelts_cov
    data = series.data.copy()
    data.loc[5, "kms"] = np.nan
    with pytest.raises(ModelError, match=r"covariate 'kms': row 5 \(1969-06\) has no value"):
        fit_counts(CountSeries(data, freq="M"), covariates=["kms"])
    data.loc[5, "kms"] = -1.0
    with pytest.raises(ModelError, match=r"log\(kms\): row 5 \(1969-06\) has -1; log needs positive"):
        fit_counts(CountSeries(data, freq="M"), covariates=["log(kms)"])
    with pytest.raises(ValueError, match="covariate column 'petrol' is not in the series"):
        fit_counts(series, covariates=["petrol"])
    text = SEATBELTS.read_text().splitlines()
    cells = text[7].split(",")
    cells[5] = ""  # kms of 1969-07, file row 8
    text[7] = ",".join(cells)
    bad = tmp_path / "seatbelts_gap.csv"
    bad.write_text("\n".join(text) + "\n")
    rc = main(["fit", str(bad), "--time", "month", "--count", "DriversKilled", "--family", "poisson",
               "--covariate", "kms"])
    err = capsys.readouterr().err
    assert rc == 1 and "row 8" in err and "kms" in err and "missing" in err


def test_countfit_statsmodels_names(seatbelts_cov):
    """params, bse, pvalues, conf_int, fittedvalues, residuals, llf/aic/bic, to_frame."""
    series, ref = seatbelts_cov
    r = ref["negbin_time_law_harm2"]
    fit = fit_counts(series, family="negbin", trend=True, events=["1983-02-01"], seasonality="fourier:2")
    law = "level:1983-02-01"
    assert_allclose(fit.params[law], r["terms"]["law"]["estimate"], rtol=1e-6)
    assert_allclose(fit.bse[law], r["terms"]["law"]["se"], rtol=1e-6)
    assert_allclose(fit.pvalues[law], r["terms"]["law"]["p_value"], rtol=1e-5)
    ci = fit.conf_int()
    assert list(ci.columns) == [0, 1] and list(ci.index) == fit.term_names
    assert_allclose(np.exp(ci.loc[law]), [r["terms"]["law"]["ci_low"], r["terms"]["law"]["ci_high"]], rtol=1e-5)
    prof = fit.conf_int(method="profile", exp=True)
    assert_allclose(prof.loc[law], [r["terms"]["law"]["ci_low_profile"], r["terms"]["law"]["ci_high_profile"]],
                    rtol=1e-5)
    ci90 = fit.conf_int(alpha=0.1)
    assert ci.loc[law, 0] < ci90.loc[law, 0] < ci90.loc[law, 1] < ci.loc[law, 1]
    assert_allclose(fit.fittedvalues.to_numpy(), r["fitted"], rtol=1e-6)
    assert fit.fittedvalues.index[0] == pd.Timestamp("1969-01-01")
    assert_allclose(fit.resid_deviance, r["resid_deviance"], rtol=1e-5)
    assert_allclose([fit.llf, fit.aic, fit.bic], [r["loglik"], r["aic"], r["bic"]], rtol=1e-8)
    frame = fit.to_frame()
    assert list(frame.columns)[:6] == ["coef", "std err", "z", "P>|z|", "[0.025", "0.975]"]
    assert frame.loc["intercept", "meaning"] == "baseline rate per month"
    assert frame.loc[law, "meaning"] == "rate ratio"
    assert_allclose(frame.loc[law, "exp(coef)"], r["terms"]["law"]["rate_ratio"], rtol=1e-6)
    text = fit.summary().as_text()
    assert "baseline rate per month" in text and "theta = 1/alpha" in text
    assert "\nintercept (baseline rate per month)  " in text  # the intercept row says what it is
    with pytest.raises(ValueError, match="method"):
        fit.conf_int(method="score")



def test_cli_model_options(capsys):
    """--ci-dist t, --slope-start 0, --seasonality harmonic:K give the Python fits; bad values exit 2."""
    table = pd.read_csv(SEATBELTS, dtype=str)
    series = CountSeries.from_table(table, time="month", count="DriversKilled", file=str(SEATBELTS))
    ref = json.loads((REF / "seatbelts_glm.json").read_text())["models"]["quasipoisson_time_law"]["terms"]["law"]
    base = ["fit", str(SEATBELTS), "--time", "month", "--count", "DriversKilled", "--trend", "--format", "json"]
    assert main(base + ["--family", "quasipoisson", "--event", "1983-02-01", "--ci-dist", "t"]) == 0
    res = json.loads(capsys.readouterr().out)
    law = {t["name"]: t for t in res["terms"]}["level:1983-02-01"]
    assert res["ci_dist"] == "t" and res["dispersion"] > 4
    assert_allclose([law["ci_low"], law["ci_high"]], [ref["ci_low_t"], ref["ci_high_t"]], rtol=1e-5)
    assert_allclose(law["p_value"], ref["p_value_t"], rtol=1e-4)
    assert main(base + ["--family", "poisson", "--event", "1983-02-01:slope", "--slope-start", "0",
                        "--seasonality", "harmonic:3"]) == 0
    res = json.loads(capsys.readouterr().out)
    fit = fit_counts(series, trend=True, events=["1983-02-01:slope"], slope_start=0, seasonality="harmonic:3")
    assert [t["name"] for t in res["terms"]] == fit.term_names
    assert fit.term_names[2:8] == ["sin1", "cos1", "sin2", "cos2", "sin4", "cos4"]
    assert_allclose([t["estimate"] for t in res["terms"]], fit.params.to_numpy(), rtol=1e-10)
    for bad in (["--seasonality", "fourier:2:x"], ["--ci", "score"], ["--slope-start", "2"]):
        with pytest.raises(SystemExit) as exc:
            main(base + ["--family", "poisson"] + bad)
        assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "period P must be a number above 1" in err
