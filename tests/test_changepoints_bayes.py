"""Exact Bayesian posterior: brute-force enumeration, evidence, priors, scale."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy.special import gammaln

from analysis import CountSeries, InputError
from analysis.changepoints import BayesianChangepoints, EventPrior


def _enumerate(y, a, b, *, x=None, min_size=1, boundary_logp=None, length_logpmf=None,
               length_logsf=None):
    """Posterior by listing every segmentation (n <= 12)."""
    n = len(y)
    x = np.ones(n) if x is None else x
    rows = []
    for mask in range(2 ** (n - 1)):
        cps = [j + 1 for j in range(n - 1) if mask >> j & 1]
        bd = [0] + cps + [n]
        lens = np.diff(bd)
        if np.any(lens < min_size):
            continue
        if length_logpmf is not None:
            lp = sum(length_logpmf(L) for L in lens[:-1]) + length_logsf(lens[-1])
            if boundary_logp is not None:
                lp += sum(boundary_logp[c] for c in cps)
        else:
            lp = sum(math.log(boundary_logp[t]) if t in cps else math.log1p(-boundary_logp[t])
                     for t in range(1, n))
        ll = 0.0
        for s, e in zip(bd[:-1], bd[1:]):
            S, E = y[s:e].sum(), x[s:e].sum()
            ll += a * math.log(b) - math.lgamma(a) + math.lgamma(a + S) - (a + S) * math.log(b + E)
        ll += float(np.sum(y * np.log(x)) - gammaln(y + 1).sum())
        # posterior mean rate of each row given this segmentation
        rm = np.concatenate([np.full(e - s, (a + y[s:e].sum()) / (b + x[s:e].sum()))
                             for s, e in zip(bd[:-1], bd[1:])])
        rows.append((tuple(cps), lp, ll, rm))
    lp = np.array([r[1] for r in rows])
    ll = np.array([r[2] for r in rows])
    lp -= np.logaddexp.reduce(lp)
    joint = lp + ll
    ev = np.logaddexp.reduce(joint)
    post = np.exp(joint - ev)
    pc = np.zeros(n)
    pk = np.zeros(n)
    for (cps, _, _, _), w in zip(rows, post):
        for c in cps:
            pc[c] += w
        pk[len(cps)] += w
    rate_mean = np.sum(post[:, None] * np.array([r[3] for r in rows]), axis=0)
    return {"prob": pc, "pk": pk, "ev": ev, "map": rows[int(np.argmax(post))][0], "total": post.sum(),
            "rows": rows, "post": post, "rate_mean": rate_mean}


def _check(res, ref):
    assert ref["total"] == pytest.approx(1.0)
    assert res.prob_change == pytest.approx(ref["prob"], abs=1e-10)
    k = len(res.n_changes_posterior)
    assert res.n_changes_posterior == pytest.approx(ref["pk"][:k], abs=1e-10)
    assert ref["pk"][k:].sum() < 1e-10
    assert res.n_changes_posterior.sum() == pytest.approx(1.0, abs=1e-10)
    assert res.log_evidence == pytest.approx(ref["ev"], abs=1e-9)
    assert res.rate_mean == pytest.approx(ref["rate_mean"], rel=1e-10)
    n = res.n
    for lo in range(1, n):
        for hi in range(lo, n):
            any_change = sum(w for r, w in zip(ref["rows"], ref["post"]) if any(lo <= c <= hi for c in r[0]))
            assert res.prob_change_between(lo, hi) == pytest.approx(any_change, abs=1e-10)
    post = dict(zip([r[0] for r in ref["rows"]], ref["post"]))
    assert post[res.map_changepoints] == pytest.approx(max(post.values()), rel=1e-9)


@pytest.mark.parametrize("seed", range(12))
def test_posterior_equals_enumeration_boundary_prior(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 13))
    y = rng.poisson(np.r_[np.full(n // 2, 1.0), np.full(n - n // 2, 6.0)]).astype(float)
    x = rng.uniform(0.5, 2.0, n) if seed % 2 else None
    ms = 1 + seed % 3
    if n < ms:
        ms = 1
    a, b, p = 1.0 + seed / 4, 0.3 + seed / 10, 0.05 + seed / 40
    res = BayesianChangepoints((a, b), p, min_size=ms).fit(y, exposure=x)
    ref = _enumerate(y, a, b, x=x, min_size=ms, boundary_logp=np.full(n, p))
    _check(res, ref)


@pytest.mark.parametrize("seed", range(6))
def test_posterior_equals_enumeration_negbin_length_prior_and_events(seed):
    from scipy.stats import nbinom

    rng = np.random.default_rng(100 + seed)
    n = int(rng.integers(4, 13))
    y = rng.poisson(np.r_[np.full(n // 3, 4.0), np.full(n - n // 3, 0.5)]).astype(float)
    mean, size = 4.0, 2.0
    q = size / (size + mean - 1)
    pmf = lambda L: nbinom.logpmf(L - 1, size, q)  # noqa: E731
    sf = lambda L: nbinom.logsf(L - 2, size, q) if L > 1 else 0.0  # noqa: E731
    events = [3, 7] if seed % 2 else []
    ep = EventPrior(events, window_days=1, odds=5.0) if events else None
    boost = np.zeros(n)
    for t in range(1, n):
        if events and min(abs(t - e) for e in events) <= 1:
            boost[t] = math.log(5.0)
    ms = 1 + seed % 2
    res = BayesianChangepoints((2.0, 1.0), segment_length=("negbin", mean, size), min_size=ms,
                               event_prior=ep).fit(y)
    ref = _enumerate(y, 2.0, 1.0, min_size=ms, boundary_logp=boost if events else None,
                     length_logpmf=pmf, length_logsf=sf)
    _check(res, ref)


def test_event_prior_in_days_on_a_series():
    rng = np.random.default_rng(4)
    y = rng.poisson(np.r_[np.full(40, 2.0), np.full(40, 3.5)]).astype(float)
    s = CountSeries.from_counts(y, start="2024-01-01", freq="D")
    plain = BayesianChangepoints((1.0, 0.4), 0.01).fit(s)
    ev = BayesianChangepoints((1.0, 0.4), 0.01,
                              event_prior=EventPrior(["2024-02-10"], window_days=3, odds=20)).fit(s)
    near = slice(37, 44)  # 2024-02-07 .. 2024-02-13
    assert ev.prob_change[near].sum() > plain.prob_change[near].sum()
    assert ev.prior["near_rows"] == 7
    # Bayes factor between the two priors is the difference of the evidences
    assert np.isfinite(ev.log_evidence - plain.log_evidence)


def test_clear_steps_and_rate_band():
    y = np.r_[np.full(30, 1.0), np.full(30, 8.0), np.full(30, 3.0)]
    res = BayesianChangepoints((1.0, 0.25), 0.01).fit(y)
    assert res.map_changepoints == (30, 60)
    assert res.prob_change[30] > 0.95 and res.prob_change[58:63].sum() > 0.95
    assert np.argmax(res.n_changes_posterior) == 2
    assert res.rate_mean[10] == pytest.approx(31 / 30.25, rel=0.05)
    assert np.all(res.rate_lower <= res.rate_mean) and np.all(res.rate_mean <= res.rate_upper)
    li = res.location_intervals
    assert list(li["index"]) == [30, 60]
    assert (li["lower"] <= li["index"]).all() and (li["index"] <= li["upper"]).all()
    assert res.expected_changes == pytest.approx(res.prob_change.sum())


def test_coal_mining_posterior(data_dir):
    t = pd.read_csv(data_dir / "coal_mining_disasters.csv", dtype=str)
    s = CountSeries.from_table(t, time="year", count="count")
    res = BayesianChangepoints((1.0, 0.5), 1 / 112, min_size=2).fit(s)
    assert res.map_changepoints == (41,)
    li = res.location_intervals.iloc[0]
    assert int(li["lower"]) <= 41 <= int(li["upper"])
    assert 1885 <= int(li["lower_time"]) and int(li["upper_time"]) <= 1897
    d = res.to_dict()
    assert d["changepoints"] == [{"index": 41, "time": "1892"}]
    assert len(d["prob_change"]) == 112 and d["method"] == "bayes"


def test_no_overflow_at_5000_and_long_flat_series():
    rng = np.random.default_rng(9)
    n = 5000
    cps = np.sort(rng.choice(np.arange(100, n - 100), 10, replace=False))
    rates = np.r_[np.tile([2.0, 12.0], 5), 2.0]
    y = rng.poisson(np.repeat(rates, np.diff(np.r_[0, cps, n]))).astype(float)
    res = BayesianChangepoints(p_change=1 / n).fit(y)
    assert np.all(np.isfinite(res.prob_change)) and np.isfinite(res.log_evidence)
    assert res.n_changes_posterior.sum() == pytest.approx(1.0, abs=1e-6)
    assert len(res.map_changepoints) == len(cps)
    assert max(abs(a - b) for a, b in zip(res.map_changepoints, cps)) <= 3
    flat = BayesianChangepoints(p_change=0.001).fit(np.zeros(3000))
    assert flat.map_changepoints == () and np.isfinite(flat.log_evidence)


def test_bad_input():
    with pytest.raises(InputError, match="negative"):
        BayesianChangepoints().fit([1.0, -1.0, 2.0])
    with pytest.raises(InputError, match="whole number"):
        BayesianChangepoints().fit([1.0, 0.5, 2.0])
    with pytest.raises(InputError, match="minimum segment length"):
        BayesianChangepoints(min_size=5).fit([1.0, 2.0])
    with pytest.raises(ValueError, match="p_change"):
        BayesianChangepoints(p_change=1.5)
    with pytest.raises(ValueError, match="prior_rate"):
        BayesianChangepoints(prior_rate=(0, 1))


@pytest.mark.parametrize("seed", range(8))
def test_posterior_equals_enumeration_boundary_prior_with_events(seed):
    """p_change prior with an event prior (odds on the prior odds near events), exposure
    and a minimum segment length: prior normalised over the allowed segmentations."""
    rng = np.random.default_rng(300 + seed)
    n = int(rng.integers(4, 12))
    y = rng.poisson(np.r_[np.full(n // 2, 1.0), np.full(n - n // 2, 5.0)]).astype(float)
    x = rng.uniform(0.5, 2.0, n) if seed % 2 else None
    ms = 1 + seed % 3 if n >= 2 * (1 + seed % 3) else 1
    p, odds, ev = 0.1 + 0.05 * (seed % 4), 7.0, n // 2
    pt = np.full(n, p)
    for t in range(1, n):
        if abs(t - ev) <= 1:
            pt[t] = odds * p / (1 - p + odds * p)
    res = BayesianChangepoints((1.5, 0.7), p, min_size=ms,
                               event_prior=EventPrior([ev], window_days=1, odds=odds)).fit(y, exposure=x)
    _check(res, _enumerate(y, 1.5, 0.7, x=x, min_size=ms, boundary_logp=pt))


# ------------------------------------------------------------------ filtered recursions
#: filtered mode with nothing dropped or resampled: must equal the exact posterior
_NO_THIN = dict(mode="filtered", tol=1e-300, max_run_lengths=100_000)


@pytest.mark.parametrize("seed", range(8))
def test_filtered_without_thinning_equals_enumeration(seed):
    """The filtered recursions keep every run length when tol and the cap allow it, so
    they must then give the enumerated posterior: both priors, events, exposure,
    min_size."""
    from scipy.stats import nbinom

    rng = np.random.default_rng(500 + seed)
    n = int(rng.integers(4, 12))
    y = rng.poisson(np.r_[np.full(n // 2, 1.0), np.full(n - n // 2, 5.0)]).astype(float)
    x = rng.uniform(0.5, 2.0, n) if seed % 2 else None
    ms = 1 + seed % 2
    if seed < 4:
        p = 0.1 + 0.05 * seed
        res = BayesianChangepoints((1.5, 0.7), p, min_size=ms, **_NO_THIN).fit(y, exposure=x)
        ref = _enumerate(y, 1.5, 0.7, x=x, min_size=ms, boundary_logp=np.full(n, p))
    else:
        mean, size = 4.0, 2.0
        q = size / (size + mean - 1)
        pmf = lambda L: nbinom.logpmf(L - 1, size, q)  # noqa: E731
        sf = lambda L: nbinom.logsf(L - 2, size, q) if L > 1 else 0.0  # noqa: E731
        ev = n // 2
        boost = np.array([math.log(5.0) if abs(t - ev) <= 1 else 0.0 for t in range(n)])
        res = BayesianChangepoints((2.0, 1.0), segment_length=("negbin", mean, size), min_size=ms,
                                   event_prior=EventPrior([ev], window_days=1, odds=5.0),
                                   **_NO_THIN).fit(y)
        ref = _enumerate(y, 2.0, 1.0, min_size=ms, boundary_logp=boost, length_logpmf=pmf,
                         length_logsf=sf)
    assert res.prior["mode"] == "filtered"
    assert res.prior["discarded_mass"] == 0.0 and res.prior["resampled_mass"] == 0.0
    _check(res, ref)


def _pieces(n, seed):
    rng = np.random.default_rng(seed)
    cps = np.sort(rng.choice(np.arange(50, n - 50), 4, replace=False))
    lam = np.repeat(rng.uniform(1.0, 8.0, 5), np.diff(np.r_[0, cps, n]))
    return rng.poisson(lam).astype(float)


def test_filtered_close_to_exact_and_reports_what_it_drops():
    """On 1,500 rows the defaults (resampling down to 500 run lengths) stay within 1e-4
    of the exact P(change) and E[k]; a cap of 100 forces resampling, which is reported,
    keeps P(change) within 0.01 and still finds the exact MAP segmentation."""
    y = _pieces(1500, 11)
    kw = dict(prior_rate=(1.0, 0.25), p_change=5 / 1500, n_draws=100)
    ex = BayesianChangepoints(mode="exact", **kw).fit(y)
    fi = BayesianChangepoints(mode="filtered", **kw).fit(y)
    assert np.max(np.abs(fi.prob_change - ex.prob_change)) < 1e-4
    assert fi.expected_changes == pytest.approx(ex.expected_changes, abs=1e-3)
    assert fi.map_changepoints == ex.map_changepoints
    small = BayesianChangepoints(mode="filtered", max_run_lengths=100, **kw).fit(y)
    assert small.prior["resampled_mass"] > 0.1
    assert small.prior["retained_run_lengths"] <= 100 + 50 + 1
    assert small.map_changepoints == ex.map_changepoints
    assert np.max(np.abs(small.prob_change - ex.prob_change)) < 0.01
    assert small.expected_changes == pytest.approx(ex.expected_changes, abs=0.05)
    assert small.log_evidence == pytest.approx(ex.log_evidence, abs=0.05)


def test_auto_mode_switches_at_exact_max(monkeypatch):
    from analysis.changepoints import bayes

    monkeypatch.setattr(bayes, "EXACT_MAX", 60)
    y = _pieces(200, 3)[:61]
    assert BayesianChangepoints(p_change=0.05).fit(y[:60]).prior["mode"] == "exact"
    res = BayesianChangepoints(p_change=0.05).fit(y)
    assert res.prior["mode"] == "filtered"
    ex = BayesianChangepoints(p_change=0.05, mode="exact").fit(y)
    assert res.prob_change == pytest.approx(ex.prob_change, abs=1e-9)


@pytest.mark.parametrize("kw,msg", [({"mode": "fast"}, "mode"), ({"tol": 0.0}, "tol"),
                                    ({"tol": 1.5}, "tol"), ({"max_run_lengths": 0}, "max_run_lengths")])
def test_filtered_bad_arguments(kw, msg):
    with pytest.raises(ValueError, match=msg):
        BayesianChangepoints(**kw)


# ------------------------------------------------------------------ filtered kernel
def _filtered_call(y, x=None, **kw):
    """Fit in filtered mode and return the result with the arguments the compiled
    kernel received and what it returned."""
    from analysis.changepoints import _kernels as K

    seen = {}
    kernel = K.bayes_filtered

    def spy(*args):
        seen["args"] = args
        seen["out"] = kernel(*args)
        return seen["out"]

    K.bayes_filtered = spy
    try:
        res = BayesianChangepoints(mode="filtered", n_draws=50, **kw).fit(y, exposure=x)
    finally:
        K.bayes_filtered = kernel
    return res, seen["args"], seen["out"]


def _reference(args, tables=None):
    """The first (plain Python) implementation on the same arguments."""
    import _bayes_filtered_ref as R

    (cy, ce, a, b, LG, LB, tb, LEN, LENF, BOOST, NOCH, keep_log, ms, log_tol, cap, vkeep, seed,
     geo, normalised) = args
    tb = tb if tables is None else tables
    head = (cy, ce, a, b, LG, LB, tb, LEN, LENF, BOOST, NOCH)
    A, V, vlast, drop_f, res_f, kept_f = R.bayes_forward_filtered(
        *head, True, ms, log_tol, cap, vkeep, seed, geo)
    logZ0 = 0.0 if normalised else R.bayes_forward_filtered(
        *head, False, ms, log_tol, cap, vkeep, seed, geo)[0][-1]
    B, m1, m2, ps, pe, pw, dropped, drop_b, res_b, kept_b = R.bayes_backward_filtered(
        *head, A, keep_log, ms, log_tol, cap, vkeep, seed, geo)
    return (A, V, vlast, logZ0, B, m1, m2, ps, pe, pw, dropped, drop_f, res_f, kept_f, drop_b,
            res_b, kept_b)


def _same_as_reference(out, ref):
    A, V, vlast, logZ0, B, m1, m2, ps, pe, pw, dropped = out[:11]
    rA, rV, rvlast, rlogZ0, rB, rm1, rm2, rps, rpe, rpw, rdropped = ref[:11]
    fin = np.isfinite(rA)
    assert np.array_equal(np.isfinite(A), fin) and np.array_equal(np.isfinite(B), np.isfinite(rB))
    assert A[fin] == pytest.approx(rA[fin], rel=1e-12, abs=1e-9)
    assert V[fin] == pytest.approx(rV[fin], rel=1e-12, abs=1e-9)
    assert np.array_equal(vlast, rvlast)
    assert logZ0 == pytest.approx(rlogZ0, rel=1e-12, abs=1e-9)
    fb = np.isfinite(rB)
    assert B[fb] == pytest.approx(rB[fb], rel=1e-12, abs=1e-9)
    assert m1 == pytest.approx(rm1, rel=1e-9, abs=1e-12)
    assert m2 == pytest.approx(rm2, rel=1e-9, abs=1e-12)
    assert np.array_equal(ps, rps) and np.array_equal(pe, rpe)
    assert pw == pytest.approx(rpw, abs=1e-9)
    assert dropped == pytest.approx(rdropped, rel=1e-9, abs=1e-300)
    # masses dropped and resampled, largest number of runs kept: forward, backward
    for got, want in zip(out[11:], ref[11:]):
        assert got == pytest.approx(want, rel=1e-9, abs=1e-300)


@pytest.mark.parametrize("case", range(5))
def test_filtered_kernel_equals_first_implementation(case):
    """The compiled filtered kernel reproduces the first implementation (plain Python,
    tests/_bayes_filtered_ref.py) on series long enough for the cap to force resampling:
    the same run lengths are dropped and drawn (same seed, same uniforms), so the
    forward and backward sums, the MAP path, the moments, the kept segments and the
    reported masses agree to rounding. Flat prior with and without the likelihood
    tables, exposure, a negative-binomial length prior with min_size and events (the
    unnormalised prior needs the second forward pass)."""
    rng = np.random.default_rng(700 + case)
    n = 500
    y = _pieces(n, 700 + case)
    x = None
    tables = None
    kw = dict(p_change=4 / n, max_run_lengths=30)
    if case == 1:
        tables = 0  # lgamma and log computed, not looked up
    elif case == 2:
        x = rng.uniform(0.5, 2.0, n)
    elif case == 3:
        kw = dict(segment_length=("negbin", 120.0, 3.0), min_size=3, max_run_lengths=25,
                  event_prior=EventPrior([150, 320], window_days=5, odds=8.0))
    elif case == 4:
        kw = dict(p_change=4 / n, max_run_lengths=40, tol=1e-6, seed=11)
    res, args, out = _filtered_call(y, x, **kw)
    if tables is not None:
        from analysis.changepoints import _kernels as K

        args = args[:6] + (tables,) + args[7:]
        out = K.bayes_filtered(*args)
    assert out[12] > 0.5 and out[15] > 0.01  # resampling happened in both passes
    _same_as_reference(out, _reference(args))
    assert res.prior["resampled_mass"] == pytest.approx(out[12] + out[15])
    assert res.prior["discarded_mass"] == pytest.approx(out[11] + out[14])


def test_filtered_seeded_and_reproducible():
    """Same seed, same answer to the last bit; another seed draws other run lengths
    (the answers differ) yet both stay close to the exact posterior."""
    y = _pieces(1200, 21)
    kw = dict(prior_rate=(1.0, 0.25), p_change=5 / 1200, n_draws=100, max_run_lengths=60)
    ex = BayesianChangepoints(mode="exact", **kw).fit(y)
    r1 = BayesianChangepoints(mode="filtered", seed=3, **kw).fit(y)
    r2 = BayesianChangepoints(mode="filtered", seed=3, **kw).fit(y)
    r3 = BayesianChangepoints(mode="filtered", seed=4, **kw).fit(y)
    g1 = BayesianChangepoints(mode="filtered", seed=np.random.default_rng(5), **kw).fit(y)
    g2 = BayesianChangepoints(mode="filtered", seed=np.random.default_rng(5), **kw).fit(y)
    assert r1.prior["resampled_mass"] > 0.5
    for a, b in ((r1, r2), (g1, g2)):
        assert np.array_equal(a.prob_change, b.prob_change)
        assert np.array_equal(a.rate_mean, b.rate_mean)
        assert a.log_evidence == b.log_evidence
        assert a.location_intervals.equals(b.location_intervals)
    assert not np.array_equal(r1.prob_change, r3.prob_change)
    for r in (r1, r3, g1):
        assert np.max(np.abs(r.prob_change - ex.prob_change)) < 0.02
        assert r.map_changepoints == ex.map_changepoints
        assert r.expected_changes == pytest.approx(ex.expected_changes, abs=0.05)


def test_thinning_is_unbiased_and_keeps_cap():
    """Stratified optimal resampling (Fearnhead and Liu 2007): every run keeps, on
    average over seeds, exactly its weight (heavy ones stay with their weight, light
    ones survive with probability w / c and then weigh c), the number kept is the cap,
    and the vkeep best Viterbi scores always stay."""
    from numba import njit

    from analysis.changepoints import _kernels as K

    @njit
    def seed(s):
        np.random.seed(s)

    rng = np.random.default_rng(8)
    nc, cap, vkeep = 40, 12, 2
    w = rng.gamma(0.5, size=nc)
    w[[3, 17]] = [4.0, 3.0]  # above c: always kept
    w /= w.sum()
    vs = rng.normal(size=nc)
    best = set(np.argsort(vs)[-vkeep:])
    draws = 3000
    mean = np.zeros(nc)
    for d in range(draws):
        seed(d)
        PI = np.zeros((2, nc + 2), np.int64)
        PI[0, :nc] = np.arange(nc)
        PF = np.zeros((6, nc + 2))
        acc = np.zeros(2)
        logw = np.log(w)
        k = K._thin(PI, PF, nc, logw, vs, 0.0, 50.0, cap, vkeep, acc, np.zeros(nc + 2, np.bool_),
                    np.zeros(nc + 2), np.zeros((2, nc)), False)
        assert k == cap
        rows = PI[0, :k]
        assert best <= set(rows.tolist())
        assert np.all(np.diff(rows) > 0)  # order kept
        mean[rows] += w[rows] * np.exp(PF[2, :k])
    mean /= draws
    assert mean[[3, 17]] == pytest.approx(w[[3, 17]], rel=1e-12)
    # light runs: kept weight c with probability w / c, so sd <= sqrt(w c / draws)
    light = np.setdiff1d(np.arange(nc), [3, 17, *best])
    assert np.all(np.abs(mean[light] - w[light]) < 5 * np.sqrt(w[light] * 0.1 / draws))
    assert abs(mean.sum() - 1.0) < 1e-9 + 5 * np.sqrt(0.1 / draws)


def test_filtered_cap_below_viterbi_reserve():
    """A cap below twice the run lengths reserved for the MAP path (32) still thins
    down to the cap (the reserve shrinks to half the cap) and stays finite; from 8 run
    lengths on the evidence is close to the exact one, and with 30 the MAP segmentation
    is found. (Before, a reserve above the cap kept thinning from taking effect and the
    run lengths overflowed their buffer.)"""
    y = _pieces(1500, 11)
    kw = dict(prior_rate=(1.0, 0.25), p_change=5 / 1500, n_draws=100)
    ex = BayesianChangepoints(mode="exact", **kw).fit(y)
    for cap in (1, 8, 30):
        fi = BayesianChangepoints(mode="filtered", max_run_lengths=cap, **kw).fit(y)
        assert fi.prior["retained_run_lengths"] <= cap + cap // 2 + 1
        assert np.all(np.isfinite(fi.rate_mean)) and np.all(np.isfinite(fi.prob_change))
        if cap >= 8:
            assert fi.log_evidence == pytest.approx(ex.log_evidence, abs=0.5)
            assert np.max(np.abs(fi.prob_change - ex.prob_change)) < 0.2
    assert fi.map_changepoints == ex.map_changepoints
    assert fi.expected_changes == pytest.approx(ex.expected_changes, abs=1.0)
