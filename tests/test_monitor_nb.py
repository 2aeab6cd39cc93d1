"""The NB2 GLR detector: compiled statistic against brute-force maximisation, its ARL
calibration against an independent simulation, and ``monitor``'s choice of statistic.
Series are seeded synthetic."""

import numpy as np
import pytest
from scipy.optimize import minimize_scalar

from analysis.models import fit_counts
from analysis.monitor import calibrate_threshold, glr_path, monitor
from analysis.monitor.arl import nb_glr_maxpaths, run_lengths
from analysis.series import CountSeries


def _nb_llr(x, mu, alpha, kappa):
    return float(np.sum(kappa * x + (x + 1 / alpha) * np.log((1 + alpha * mu) / (1 + alpha * mu * np.exp(kappa)))))


def _brute_stat(x, mu, alpha, d, M=None, Mtilde=1):
    """max over starts and kappa by bounded scalar optimisation, no restarts."""
    n_all = len(x)
    stat, change = np.zeros(n_all), np.full(n_all, -1)
    lo_k, hi_k = {1: (0.0, 20.0), -1: (-18.0, 0.0), 0: (-18.0, 20.0)}[d]
    for n in range(max(Mtilde - 1, 0), n_all):
        vals = []
        ks = range(0 if M is None else max(0, n - M), n - (Mtilde - 1) + 1)
        for k in ks:
            xs, ms = x[k:n + 1], mu[k:n + 1]
            o = minimize_scalar(lambda t: -_nb_llr(xs, ms, alpha, t), bounds=(lo_k, hi_k), method="bounded",
                                options={"xatol": 1e-11})
            vals.append(max(-o.fun, 0.0 if d else -np.inf, _nb_llr(xs, ms, alpha, 0.0)))
        stat[n] = max(vals)
        change[n] = list(ks)[int(np.argmax(vals))]
    return stat, change


CASES = [  # (seed, n, direction, M, Mtilde, mean shape)
    (1, 14, "up", None, 1, "trend"), (2, 14, "down", None, 1, "trend"), (3, 12, "both", None, 1, "steps"),
    (4, 16, "up", 5, 1, "steps"), (5, 16, "down", 6, 2, "trend"), (6, 12, "up", None, 2, "steps")]


@pytest.mark.parametrize("seed,n,direction,M,Mtilde,shape", CASES)
def test_nb_statistic_equals_brute_force_maximisation(seed, n, direction, M, Mtilde, shape):
    rng = np.random.default_rng(seed)
    # "steps": constant stretches (the closed-form path) between jumps; "trend": all distinct
    mu = np.repeat([1.5, 4.0, 0.7, 2.5], n // 4 + 1)[:n] if shape == "steps" else np.exp(0.3 + 0.08 * np.arange(n))
    x = rng.poisson(mu * rng.gamma(2.5, 0.4, n) * np.r_[np.ones(n // 2), np.full(n - n // 2, 1.8)]).astype(float)
    d = {"up": 1, "down": -1, "both": 0}[direction]
    stat, alarm, change, _ = glr_path(x, mu, family="nb", alpha=0.4, direction=direction, M=M, Mtilde=Mtilde)
    ref, ref_change = _brute_stat(x, mu, 0.4, d, M, Mtilde)
    assert not alarm.any()
    # segments without events against a decrease: kappa stops near -18 in both (1e-7 level)
    np.testing.assert_allclose(stat, ref, rtol=0, atol=1e-6)
    ok = stat > 1e-6  # where a change estimate is meaningful
    assert ok.sum() >= 3
    assert change[ok].tolist() == ref_change[ok].tolist()


def test_nb_closed_form_for_constant_means_equals_the_iteration():
    rng = np.random.default_rng(7)
    x = rng.poisson(3.0, 40).astype(float)
    mu = np.full(40, 3.0)
    a = glr_path(x, mu, family="nb", alpha=0.3, direction="both")
    # the same means, one of them perturbed by a relative 1e-13: no segment through it is constant
    mu2 = mu.copy()
    mu2[20] *= 1 + 1e-13
    b = glr_path(x, mu2, family="nb", alpha=0.3, direction="both")
    np.testing.assert_allclose(a[0], b[0], rtol=0, atol=1e-9)
    assert a[2].tolist() == b[2].tolist()


def test_nb_glr_edges():
    # events without in-control mean: infinite evidence of an increase, none of a decrease
    stat, alarm, change, kap = glr_path([0, 0, 2], [1.0, 0.0, 0.0], family="nb", alpha=0.5, threshold=5)
    # (starts 1 and 2 tie at +inf; the NB2 scan, like the C code's, keeps the earliest)
    assert alarm.tolist() == [False, False, True] and change[2] == 1 and stat[2] == np.inf
    assert glr_path([0, 0, 2], [1.0, 0.0, 0.0], family="nb", alpha=0.5, direction="down")[0][2] < np.inf
    # an exposure gap (mu0 = 0, x = 0) leaves the statistic unchanged
    s1 = glr_path([4, 0, 5], [1.0, 0.0, 1.5], family="nb", alpha=0.5)[0]
    s2 = glr_path([4, 5], [1.0, 1.5], family="nb", alpha=0.5)[0]
    np.testing.assert_allclose(s1[[0, 2]], s2, rtol=1e-12)
    # alpha -> 0: the NB2 statistic tends to the Poisson one
    x, mu = [1, 6, 2, 7, 0, 5], [2.0, 2.5, 2.0, 3.0, 2.0, 2.5]
    np.testing.assert_allclose(glr_path(x, mu, family="nb", alpha=1e-7)[0], glr_path(x, mu)[0], rtol=1e-5)
    with pytest.raises(ValueError, match="alpha > 0"):
        glr_path(x, mu, family="nb", alpha=0.0)
    with pytest.raises(ValueError, match="family"):
        glr_path(x, mu, family="zip")


def test_nb_calibration_stops_early_but_equals_full_paths():
    mu = 2.0 * (1 + 0.5 * np.sin(2 * np.pi * np.arange(26) / 26))
    cal = calibrate_threshold(mu, 26, alpha=0.4, n_sim=300, seed=5)
    assert cal.statistic == "nb" and cal.alpha == 0.4
    mp = nb_glr_maxpaths(np.resize(mu, cal.horizon), 300, alpha=0.4, seed=5)  # every path to the horizon
    lo, hi = 0.0, float(mp.max()) + 1e-9
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if run_lengths(mp, mid).mean() < 26 else (lo, mid)
    assert cal.threshold == pytest.approx(hi, rel=1e-9)
    assert cal.arl == pytest.approx(run_lengths(mp, hi).mean())


@pytest.mark.parametrize("direction,M", [("up", None), ("down", 26)])
def test_nb_arl_calibration_reproduced_by_an_independent_simulation(direction, M):
    """Counts drawn by numpy's negative_binomial (not the Gamma-Poisson draws of the
    calibration), the detector run as monitor runs it (glr_path with restarts): the first
    alarm's mean period agrees with the calibrated ARL within the Monte-Carlo errors."""
    mu = np.exp(1.0 + 0.01 * np.arange(52))  # a trend: every segment takes the iteration
    alpha, target = 0.35, 26
    cal = calibrate_threshold(mu, target, alpha=alpha, direction=direction, M=M, n_sim=500, seed=11)
    assert cal.statistic == "nb" and cal.arl >= target and cal.censored < 0.1
    H = cal.horizon
    m = np.resize(mu, H)
    rng = np.random.default_rng(2024)
    rl = []
    for _ in range(500):
        x = rng.negative_binomial(1 / alpha, 1 / (1 + alpha * m)).astype(float)
        alarm = glr_path(x, m, family="nb", alpha=alpha, direction=direction, M=M, threshold=cal.threshold)[1]
        rl.append(np.flatnonzero(alarm)[0] + 1 if alarm.any() else H)
    rl = np.array(rl)
    se = np.hypot(cal.arl_se, rl.std(ddof=1) / np.sqrt(len(rl)))
    assert abs(rl.mean() - cal.arl) < 3 * se
    # and the Poisson statistic's threshold on the same counts is a different number
    pois = calibrate_threshold(mu, target, alpha=alpha, direction=direction, M=M, n_sim=500, seed=11,
                               statistic="poisson")
    assert pois.statistic == "poisson" and abs(pois.threshold - cal.threshold) > 0.5


@pytest.fixture(scope="module")
def nb_series():
    rng = np.random.default_rng(8)  # synthetic NB2 weekly counts, mean 4, alpha 0.5, then mean 12
    y = rng.poisson(np.r_[np.full(60, 4.0), np.full(20, 12.0)] * rng.gamma(2.0, 0.5, 80))
    return CountSeries.from_counts(y, start="2022-01-03", freq="W")


def test_monitor_picks_the_nb2_glr_for_an_nb2_fit(nb_series):
    fit = fit_counts(nb_series.window(None, "2022-10-03"), family="negbin")  # 39 weeks
    assert fit.alpha > 0.1
    out = monitor(nb_series, baseline=fit, arl=26, n_sim=400, seed=1)
    cal = out.attrs["calibration"]
    assert out.attrs["detector"] == "nb" and cal.statistic == "nb"
    assert cal.alpha == pytest.approx(fit.alpha) and out.attrs["observation"] == "negbin"
    assert out.attrs["detector_description"].startswith(f"NB2 GLR (alpha {fit.alpha:.4g}")
    stat, alarm, change, _ = glr_path(out["count"].to_numpy(), out["expected"].to_numpy(), family="nb",
                                      alpha=fit.alpha, threshold=cal.threshold)
    np.testing.assert_allclose(out["statistic"], stat, rtol=1e-12)
    assert out["alarm"].tolist() == alarm.tolist() and alarm.any()
    starts = out["start"].to_numpy()
    assert out["change_start"][alarm].tolist() == list(starts[change[alarm]])
    # the Poisson statistic on request: threshold calibrated on the same NB2 counts
    pois = monitor(nb_series, baseline=fit, arl=26, n_sim=400, seed=1, detector="poisson")
    assert pois.attrs["detector"] == "poisson" and "NB2 in-control counts" in pois.attrs["detector_description"]
    assert pois.attrs["calibration"].statistic == "poisson"
    plain = calibrate_threshold(out["expected"].to_numpy(), 26, n_sim=400, seed=1)  # Poisson counts
    assert pois.attrs["calibration"].threshold > plain.threshold + 1  # over-dispersion needs more


@pytest.mark.filterwarnings("ignore:the counts are over-dispersed")  # a Poisson fit on NB2 counts
def test_monitor_keeps_the_poisson_glr_otherwise(nb_series):
    fit = fit_counts(nb_series.window(None, "2022-10-03"))
    a = monitor(nb_series, baseline=fit, arl=26, n_sim=300, seed=1)
    b = monitor(nb_series, baseline=("2022-01-03", "2022-10-03"), arl=26, n_sim=300, seed=1)
    for out in (a, b):
        assert out.attrs["detector"] == "poisson" and out.attrs["calibration"].statistic == "poisson"
        assert out.attrs["detector_description"] == "Poisson GLR (as R surveillance::glrpois)"
    with pytest.raises(ValueError, match="needs alpha"):
        monitor(nb_series, baseline=fit, threshold=3.0, detector="nb")
    with pytest.raises(ValueError, match="detector must be"):
        monitor(nb_series, baseline=fit, threshold=3.0, detector="cusum")
    # a period baseline with a stated alpha is an NB2 in-control model
    c = monitor(nb_series, baseline=("2022-01-03", "2022-10-03"), arl=26, n_sim=300, seed=1, alpha=0.5)
    assert c.attrs["detector"] == "nb" and c.attrs["calibration"].alpha == 0.5


def test_cli_model_negbin_runs_and_names_the_nb2_glr(nb_series, tmp_path, capsys):
    import json

    from analysis.cli import main

    path = tmp_path / "s.csv"
    nb_series.to_csv(path)
    args = ["monitor", str(path), "--baseline", "2022-01-03:2022-10-03", "--freq", "W", "--arl", "26",
            "--n-sim", "300", "--seed", "4"]
    assert main(args + ["--model", "negbin", "--format", "json"]) == 0
    res = json.loads(capsys.readouterr().out)
    fit = fit_counts(CountSeries.read_csv(path, freq="W").window("2022-01-03", "2022-10-03"), family="negbin")
    api = monitor(nb_series, baseline=fit, arl=26, n_sim=300, seed=4)
    assert res["model"] == "negbin" and res["detector"] == "nb" and res["arl"]["statistic"] == "nb"
    assert res["alpha"] == pytest.approx(fit.alpha, rel=1e-9) and res["rate"] is None
    assert res["threshold"] == pytest.approx(api.attrs["calibration"].threshold, rel=1e-12)
    np.testing.assert_allclose([p["statistic"] for p in res["periods"]], api["statistic"], rtol=1e-12)
    assert [p["alarm"] for p in res["periods"]] == api["alarm"].tolist()
    assert main(args + ["--model", "negbin", "--window", "26"]) == 0
    text = capsys.readouterr().out
    assert "detector NB2 GLR (alpha" in text and "window 26 periods" in text
    assert main(args + ["--format", "json"]) == 0  # the baseline's rate: Poisson GLR
    res = json.loads(capsys.readouterr().out)
    assert res["model"] == "rate" and res["detector"] == "poisson" and res["alpha"] is None
    assert main(args + ["--trend"]) == 2
    assert "--trend and --seasonality need --model" in capsys.readouterr().err
    assert main(args + ["--model", "negbin", "--min-rate", "1"]) == 2
    with pytest.raises(SystemExit) as exc:
        main(args + ["--window", "0"])
    assert exc.value.code == 2
