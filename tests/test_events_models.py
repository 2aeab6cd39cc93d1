"""Exact rates, rate ratios and the model comparison of analysis.events."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from scipy import stats
from scipy.special import gammaln

from analysis import CountSeries
from analysis.events import compare_models
from analysis.events.rates import period_rates, poisson_rate, rate_ratio_exact
from analysis.synthetic import nb_level_change, piecewise_poisson


# ------------------------------------------------------------------ exact rates
def test_poisson_rate_garwood_reference():
    # k = 0: upper = -log(0.025) = 3.6889; k = 10: chi-square form (Garwood 1936)
    r0 = poisson_rate(0, 1.0)
    assert r0["ci_low"] == 0 and r0["ci_high"] == pytest.approx(-np.log(0.025), rel=1e-9)
    r = poisson_rate(10, 4.0)
    assert r["rate"] == 2.5
    assert r["ci_low"] == pytest.approx(stats.chi2.ppf(0.025, 20) / 2 / 4, rel=1e-9)
    assert r["ci_high"] == pytest.approx(stats.chi2.ppf(0.975, 22) / 2 / 4, rel=1e-9)
    assert poisson_rate(10, 4.0, per=7)["rate"] == pytest.approx(17.5)


def test_rate_ratio_exact_interval_inverts_the_binomial_test():
    k1, e1, k2, e2 = 7, 10.0, 19, 8.0
    r = rate_ratio_exact(k1, e1, k2, e2)
    assert r["rate_ratio"] == pytest.approx((19 / 8) / (7 / 10))
    # at the interval's ends the one-sided binomial tails are exactly 2.5%
    share = lambda rr: rr * e2 / (e1 + rr * e2)  # noqa: E731
    assert stats.binom.sf(k2 - 1, k1 + k2, share(r["ci_low"])) == pytest.approx(0.025, rel=1e-6)
    assert stats.binom.cdf(k2, k1 + k2, share(r["ci_high"])) == pytest.approx(0.025, rel=1e-6)
    g = rate_ratio_exact(2, 13.0, 5, 9.0, alternative="greater")
    assert g["p_value"] == pytest.approx(stats.binom.sf(4, 7, 9 / 22))
    assert rate_ratio_exact(0, 5.0, 0, 5.0)["p_value"] == 1.0


def test_period_rates():
    s = CountSeries.from_counts([1, 2, 3, 4, 0, 0], start="2024-01-01", freq="W")
    t = period_rates(s, {"a": ("2024-01-01", "2024-01-29"), "b": ("2024-01-29", "2024-02-12")})
    assert t["count"].tolist() == [10.0, 0.0] and t["rows"].tolist() == [4, 2]
    assert t["rate"].tolist() == [2.5, 0.0]
    with pytest.raises(ValueError, match="no whole row"):
        period_rates(s, {"c": ("2025-01-01", "2025-02-01")})


# ------------------------------------------------------------- model comparison
@pytest.mark.parametrize("family", ["poisson", "negbin"])
def test_compare_models_event_at_change(family):
    s, truth = nb_level_change(n=104, change_at=52, base_rate=10, rate_ratio=0.4, alpha=0.05, seed=3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t = compare_models(s, [truth["change_date"]], family=family, segmentation=[52])
    t = t.set_index("model")
    assert t.attrs["best"] == "event ITS"
    # the same step: same likelihood; the free model pays for its estimated location
    assert t.loc["free changepoints", "llf"] == pytest.approx(t.loc["event ITS", "llf"], rel=1e-8)
    assert t.loc["free changepoints", "delta_bic"] == pytest.approx(np.log(104), rel=1e-6)
    assert t.loc["free changepoints", "delta_aic"] == pytest.approx(2.0, rel=1e-6)
    assert t.loc["no change", "delta_bic"] > 10
    extra = 1 if family == "negbin" else 0
    assert t["n_params"].to_dict() == {"event ITS": 2 + extra, "free changepoints": 3 + extra,
                                       "no change": 1 + extra}


@pytest.mark.filterwarnings("ignore::analysis.DispersionWarning")
def test_compare_models_poisson_llf_matches_closed_form():
    s, cpts = piecewise_poisson((3.0, 9.0, 2.0), (30, 25, 35), start="2023-01-02", freq="W", seed=4)
    y = s.counts
    t = compare_models(s, ["2023-07-03:level"], family="poisson", segmentation=list(cpts)).set_index("model")
    bounds = [0, *cpts, len(y)]
    llf = sum(y[a:b].sum() * np.log(y[a:b].mean()) - y[a:b].sum() for a, b in zip(bounds[:-1], bounds[1:]))
    llf -= gammaln(y + 1).sum()
    assert t.loc["free changepoints", "llf"] == pytest.approx(llf, rel=1e-8)
    assert t.loc["free changepoints", "n_params"] == 5
    assert t.loc["no change", "llf"] == pytest.approx(y.sum() * np.log(y.mean()) - y.sum()
                                                      - gammaln(y + 1).sum(), rel=1e-8)
    # the ITS step sits far from both true changes: the free model wins by BIC
    assert t.attrs["best"] == "free changepoints"


def test_compare_models_rejects_quasipoisson():
    s, _ = piecewise_poisson((3.0,), (20,), seed=1)
    with pytest.raises(ValueError, match="likelihood"):
        compare_models(s, [], family="quasipoisson", segmentation=[])
