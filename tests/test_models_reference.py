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
