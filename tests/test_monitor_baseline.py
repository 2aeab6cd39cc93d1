"""monitor(series, baseline=CountFit): the in-control model from a fit; NB BOCPD against brute
force; zero-rate baselines with a stated prior or floor. Series are seeded synthetic."""

import itertools

import numpy as np
import pandas as pd
import pytest
from scipy.special import betaln, gammaln

from analysis.models import fit_counts
from analysis.monitor import bocpd_negbin, bocpd_poisson, monitor
from analysis.series import CountSeries


@pytest.fixture(scope="module")
def weekly():
    rng = np.random.default_rng(11)  # synthetic: 3 per week for 60 weeks, then 7
    return CountSeries.from_counts(np.r_[rng.poisson(3, 60), rng.poisson(7, 15)], start="2022-01-03", freq="W")


def test_intercept_only_fit_equals_the_period_baseline(weekly):
    base = weekly.window("2022-01-03", "2022-09-05")  # 35 weeks
    fit = fit_counts(base)
    a = monitor(weekly, baseline=fit, n_sim=300, seed=2)
    b = monitor(weekly, baseline=("2022-01-03", "2022-09-05"), n_sim=300, seed=2)
    assert len(a) == len(b) == weekly.n - 35
    np.testing.assert_allclose(a["expected"], b["expected"], rtol=1e-9)
    assert a.attrs["calibration"].threshold == pytest.approx(b.attrs["calibration"].threshold, rel=1e-9)
    np.testing.assert_allclose(a["statistic"], b["statistic"], rtol=1e-9)
    assert a["alarm"].tolist() == b["alarm"].tolist()
    # the online detector on in-control means with a Gamma on their multiplier is the same model
    np.testing.assert_allclose(a["p_changed"], b["p_changed"], rtol=1e-9, atol=1e-12)
    assert a.attrs["rate"] is None and "poisson fit on 35 periods" in a.attrs["in_control"]


def test_trend_and_offset_extend_to_the_monitored_periods():
    t = np.arange(1, 41)
    rng = np.random.default_rng(3)  # synthetic monthly series, log rate 1 + 0.03 t
    s = CountSeries.from_counts(rng.poisson(np.exp(1 + 0.03 * t)), start="2020-01", freq="M")
    fit = fit_counts(s.window("2020-01-01", "2022-07-01"), trend=True, exposure="days")  # 30 months
    out = monitor(s, baseline=fit, threshold=10.0)
    b0, b1 = fit.params["intercept"], fit.params["trend"]
    days = s.period_days[30:]
    np.testing.assert_allclose(out["expected"], np.exp(b0 + b1 * t[30:]) * days, rtol=1e-10)
    assert "offset log(days)" in out.attrs["in_control"]


@pytest.mark.filterwarnings("ignore:the counts are over-dispersed")  # the full series has the change
def test_fit_baseline_refusals(weekly):
    with pytest.raises(ValueError, match="to its end"):
        monitor(weekly, baseline=fit_counts(weekly), threshold=5.0)
    other = CountSeries.from_counts(np.arange(1, 20), start="2022-01-05", freq="D")
    with pytest.raises(ValueError, match="not consecutive rows"):
        monitor(weekly, baseline=fit_counts(other), threshold=5.0)
    # calendar-month shares: a January-June baseline never saw August
    fit = fit_counts(weekly.window(None, "2022-07-04"), seasonality="calendar")
    with pytest.raises(ValueError, match="never saw"):
        monitor(weekly, baseline=fit, threshold=5.0)
    with pytest.raises(ValueError, match="rate_prior and min_rate"):
        monitor(weekly, baseline=fit_counts(weekly.window(None, "2022-06-06")), min_rate=1.0)


def test_zero_event_baseline_with_a_stated_prior_or_floor():
    y = np.r_[np.zeros(12), [0, 1, 0, 0, 3, 4]]  # synthetic: a silent baseline, then events
    s = CountSeries.from_counts(y, start="2024-02-05", freq="W")
    with pytest.raises(ValueError, match="rate_prior"):
        monitor(s, baseline=("2024-02-05", "2024-04-29"), n_sim=200)
    out = monitor(s, baseline=("2024-02-05", "2024-04-29"), rate_prior=(0.5, 1.0), n_sim=300, seed=3)
    assert out.attrs["rate"] == pytest.approx(0.5 / 13)
    assert "Gamma(0.5, 1) prior" in out.attrs["in_control"]
    np.testing.assert_allclose(out["expected"], 0.5 / 13)
    cal = out.attrs["calibration"]
    # counts this rare move the statistic in jumps: the attained ARL is the first one >= 52
    assert cal.arl >= 52 and cal.arl_se > 0 and cal.threshold > 0
    floor = monitor(s, baseline=("2024-02-05", "2024-04-29"), min_rate=0.1, threshold=4.0)
    assert floor.attrs["rate"] == 0.1 and "floored at the stated minimum 0.1" in floor.attrs["in_control"]
    # documented priors: baseline Gamma(0.5 + 0, 0.5 / 0.1) (mean the floor), new regimes Gamma(0.1, 0.1 / 0.1)
    ref = bocpd_poisson(y[12:], np.ones(6), expected_run_length=52, prior=(0.1, 1.0), baseline=(0.5, 5.0))
    np.testing.assert_allclose(floor["p_changed"], ref["p_changed"], rtol=1e-12)
    assert floor["p_changed"].iloc[-1] > 0.5 > floor["p_changed"].iloc[0]


# ------------------------------------------------------------------ NB BOCPD
def _bnb_seg(x, e, size, a, b):
    r = size * e
    ok = r > 0
    if np.any((~ok) & (x > 0)):
        return -np.inf
    x, r = x[ok], r[ok]
    return float(np.sum(gammaln(r + x) - gammaln(r) - gammaln(x + 1)) + betaln(a + r.sum(), b + x.sum())
                 - betaln(a, b))


def _brute(x, e, h, size, prior, baseline, t):
    pr = np.zeros(t + 2)
    for c in itertools.product([0, 1], repeat=t + 1):
        cps = [i for i in range(t + 1) if c[i]]
        lp = sum(np.log(h) if ci else np.log1p(-h) for ci in c)
        bounds = [0] + cps + [t + 1]
        for j in range(len(bounds) - 1):
            s, f = bounds[j], bounds[j + 1]
            if f > s:
                a, b = baseline if s == 0 and 0 not in cps else prior
                lp += _bnb_seg(x[s:f], e[s:f], size, a, b)
        pr[t - cps[-1] if cps else -1] += np.exp(lp)
    return pr / pr.sum()


@pytest.mark.parametrize("x,e,size", [([0, 2, 1, 5, 4, 0], [1, 1, .5, 1, 1, 1], 2.0),
                                      ([3, 0, 0, 0, 7, 1, 2], [1, 1, 1, 0, 1, 1, 1], 0.7)])
def test_bocpd_negbin_equals_brute_force_enumeration(x, e, size):
    x, e = np.array(x, float), np.array(e, float)
    r = bocpd_negbin(x, e, size=size, expected_run_length=5, prior=(2.0, 1.0), baseline=(9.0, 3.0), ks=(2,))
    for t in range(len(x)):
        pr = _brute(x, e, 0.2, size, (2.0, 1.0), (9.0, 3.0), t)
        np.testing.assert_allclose(r["runlength"][t, :t + 1], pr[:-1], atol=1e-12)
        np.testing.assert_allclose(r["p_changed"][t], 1 - pr[-1], atol=1e-12)
        np.testing.assert_allclose(r["p_short"][2][t], pr[:-1][:2].sum(), atol=1e-12)


def test_bocpd_negbin_tends_to_poisson_gamma():
    x, e = np.array([0, 2, 1, 5, 4, 0.]), np.array([1, 1, .5, 1, 1, 1])
    size = 1e7
    pg = bocpd_poisson(x, e, expected_run_length=5, prior=(1.0, 0.5), baseline=(2.0, 4.0))
    nb = bocpd_negbin(x, e, size=size, expected_run_length=5, prior=(1 + size * 0.5, 1.0),
                      baseline=(1 + size * 4.0, 2.0))
    np.testing.assert_allclose(nb["p_changed"], pg["p_changed"], atol=1e-5)
    with pytest.raises(ValueError, match="size must be a positive"):
        bocpd_negbin(x, e, size=0, expected_run_length=5)


def test_cli_rate_prior_states_the_in_control_model(tmp_path, capsys):
    import json

    from analysis.cli import main

    s = CountSeries.from_counts(np.r_[np.zeros(12), [0, 1, 0, 0, 3, 4]], start="2024-02-05", freq="W")
    path = tmp_path / "s.csv"
    s.to_csv(path)
    args = ["monitor", str(path), "--baseline", "2024-02-05:2024-04-29", "--freq", "W", "--n-sim", "200"]
    assert main(args + ["--format", "json"]) == 1
    assert "rate_prior" in capsys.readouterr().err
    assert main(args + ["--rate-prior", "0.5,1", "--format", "json"]) == 0
    res = json.loads(capsys.readouterr().out)
    assert res["rate"] == pytest.approx(0.5 / 13) and "Gamma(0.5, 1) prior" in res["in_control"]
    with pytest.raises(SystemExit) as exc:
        main(args + ["--rate-prior", "0.5"])
    assert exc.value.code == 2
    assert main(args + ["--min-rate", "0.2", "--threshold", "3"]) == 0
    assert "floored at the stated minimum 0.2" in capsys.readouterr().out
