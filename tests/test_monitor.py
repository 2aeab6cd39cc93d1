"""BOCPD against brute-force enumeration; ARL calibration against fresh simulation; edges."""

import itertools

import numpy as np
import pytest
from scipy.special import gammaln

from analysis.monitor import bocpd_poisson, calibrate_threshold, glr_path


def _seg_loglik(x, e, a, b):
    S, E = x.sum(), e.sum()
    return (gammaln(a + S) - gammaln(a) + a * np.log(b) - (a + S) * np.log(b + E)
            + np.sum(x * np.log(e)) - np.sum(gammaln(x + 1)))


def _brute_runlength(x, e, h, prior, baseline, t):
    """Enumerate every pattern of changes in periods 0..t (each with probability h)."""
    pr = np.zeros(t + 2)
    for c in itertools.product([0, 1], repeat=t + 1):
        cps = [i for i in range(t + 1) if c[i]]
        lp = sum(np.log(h) if ci else np.log1p(-h) for ci in c)
        bounds = [0] + cps + [t + 1]
        for j in range(len(bounds) - 1):
            s, f = bounds[j], bounds[j + 1]
            if f > s:
                a, b = baseline if s == 0 and 0 not in cps else prior
                lp += _seg_loglik(x[s:f], e[s:f], a, b)
        pr[t - cps[-1] if cps else -1] += np.exp(lp)
    return pr / pr.sum()


@pytest.mark.parametrize("x,e", [([0, 2, 1, 5, 4, 0], [1, 1, .5, 1, 1, 1]),
                                 ([3, 0, 0, 0, 7, 1, 2], [1, 1, 1, .25, 1, 1, 1])])
def test_bocpd_equals_brute_force_enumeration(x, e):
    x, e = np.array(x, float), np.array(e, float)
    r = bocpd_poisson(x, e, expected_run_length=5, prior=(1, .5), baseline=(2, 4), ks=(2,))
    for t in range(len(x)):
        pr = _brute_runlength(x, e, 0.2, (1, .5), (2, 4), t)
        np.testing.assert_allclose(r["runlength"][t, :t + 1], pr[:-1], atol=1e-12)
        np.testing.assert_allclose(r["p_changed"][t], 1 - pr[-1], atol=1e-12)
        np.testing.assert_allclose(r["p_short"][2][t], pr[:-1][:2].sum(), atol=1e-12)


def test_bocpd_zero_baseline_rate_and_exposure_gap():
    # a baseline with no events (Gamma(0.5, 20): rate near 0) and an unobserved period
    r = bocpd_poisson([0, 0, 0, 3], [1, 0, 1, 1], expected_run_length=26,
                      prior=(0.5, 0.5), baseline=(0.5, 20.0))
    assert np.all(np.isfinite(r["p_changed"]))
    assert r["p_changed"][1] == pytest.approx(r["p_changed"][0] + (1 - r["p_changed"][0]) / 26, rel=1e-9)
    assert r["p_changed"][3] > 0.5 > r["p_changed"][2]


def test_arl_calibration_reproduced_by_fresh_simulation():
    cal = calibrate_threshold([1.5] * 26, 26, n_sim=400, seed=4)
    assert cal.arl >= 26 and cal.censored < 0.1
    rng = np.random.default_rng(1234)
    H = 200
    rl = []
    for _ in range(300):
        _, alarm, _, _ = glr_path(rng.poisson(1.5, H), np.full(H, 1.5), threshold=cal.threshold)
        rl.append(np.flatnonzero(alarm)[0] + 1 if alarm.any() else H)
    rl = np.array(rl)
    se = np.hypot(cal.arl_se, rl.std(ddof=1) / np.sqrt(len(rl)))
    assert abs(rl.mean() - cal.arl) < 3 * se


def test_glr_edges():
    # zero in-control mean with events: infinite evidence, alarm at once, change at the event
    stat, alarm, change, _ = glr_path([0, 0, 2], [1.0, 0.0, 0.0], threshold=5)
    assert alarm.tolist() == [False, False, True] and change[2] == 2 and stat[2] == np.inf
    # an exposure gap (mu0 = 0, x = 0) leaves the statistic unchanged
    s1, *_ = glr_path([4, 0, 5], [1.0, 0.0, 1.0])
    s2, *_ = glr_path([4, 5], [1.0, 1.0])
    assert s1[[0, 2]].tolist() == pytest.approx(s2.tolist())
    # two-sided = the larger one-sided statistic
    x, mu = [0, 5, 0, 0, 0, 0], [2.0] * 6
    both = glr_path(x, mu, direction="both")[0]
    np.testing.assert_allclose(both, np.maximum(glr_path(x, mu)[0], glr_path(x, mu, direction="down")[0]))
    with pytest.raises(ValueError, match="in-control mean is 0"):
        calibrate_threshold([0.0, 0.0], 10)
    with pytest.raises(ValueError, match="direction"):
        glr_path([1], [1.0], direction="sideways")
