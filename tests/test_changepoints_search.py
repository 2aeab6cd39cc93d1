"""Exact searches against brute-force enumeration, known answers and bad input."""

from __future__ import annotations

import itertools
import math
import zlib

import numpy as np
import pandas as pd
import pytest

from analysis import CountSeries, InputError, ModelError
from analysis.changepoints import (
    COSTS, BinSeg, OptimalPartitioning, Pelt, SegNeigh, crops, detect_changepoints,
    resolve_penalty,
)

from _cpt_brute import brute_force, package_cost_matrix, segment_cost


def _random_series(rng, cost, n):
    kind = rng.integers(3)
    if cost in ("poisson", "negbin"):
        lam = rng.choice([0.3, 1.0, 3.0, 8.0], size=3)
        cuts = np.sort(rng.integers(0, n + 1, size=2))
        rates = np.repeat(lam, np.diff(np.r_[0, cuts, n]))
        return rng.poisson(rates).astype(float)
    if kind == 0:  # integer data: ties and zero variances are common
        return rng.integers(0, 4, size=n).astype(float)
    mu = rng.choice([0.0, 2.0, 5.0], size=3)
    cuts = np.sort(rng.integers(0, n + 1, size=2))
    return rng.normal(np.repeat(mu, np.diff(np.r_[0, cuts, n])), 1.0)


CASES = []
for cost, ms, pen in itertools.product(COSTS, (1, 2, 3), ("mbic", "bic", 2.5)):
    if cost == "normal-meanvar" and ms < 2:
        continue
    CASES.append((cost, ms, pen))


@pytest.mark.parametrize("cost,min_size,penalty", CASES)
def test_pelt_and_op_equal_brute_force(cost, min_size, penalty):
    """Segment costs computed directly from the rows (independent of the package).

    normal-meanvar: a segment of nearly equal values has a tiny variance, and any
    O(1) cost from cumulative sums loses digits there (cancellation in Q - S^2/m), so
    against the direct formula the tolerance is 1e-6; against the same segment costs
    enumerated exhaustively (below) the search itself is checked to 1e-9.
    """
    rng = np.random.default_rng(zlib.crc32(f"{cost}-{min_size}-{penalty}".encode()))
    tol = 1e-6 if cost == "normal-meanvar" else 1e-9
    # 2^(n-1) segmentations: n <= 14 keeps enumeration quick; 10 series per case
    for rep in range(10):
        n = int(rng.integers(max(1, min_size), 15))
        y = _random_series(rng, cost, n)
        kw = {"alpha": 0.4} if cost == "negbin" else {}
        pen = resolve_penalty(penalty, n, COSTS[cost].n_params)
        best, sols = brute_force(y, cost, pen.value, min_size, mbic=pen.mbic, tol=tol, **kw)
        for est in (Pelt(cost=cost, min_size=min_size, **kw),
                    OptimalPartitioning(cost=cost, min_size=min_size, **kw)):
            seg = est.fit(y).predict(penalty=penalty)
            assert seg.penalised_cost == pytest.approx(best, abs=tol), (y, seg)
            if len(sols) == 1:
                assert seg.changepoints == sols[0], (y, seg, sols)
            else:
                assert seg.changepoints in sols
            if cost == "normal-meanvar":
                C = package_cost_matrix(est.cost_, n, pen.mbic)
                best2, sols2 = brute_force(y, cost, pen.value, min_size, C=C)
                assert seg.penalised_cost == pytest.approx(best2, abs=1e-9)
                assert seg.changepoints in sols2


def test_brute_force_count():
    """The parametrised test above covers at least 300 random series."""
    assert len(CASES) * 10 >= 300


@pytest.mark.parametrize("cost", ["poisson", "normal"])
def test_pelt_exact_on_longer_series_with_exposure(cost):
    """n up to 18 with varying exposure (poisson) and min sizes; PELT == OP == brute force."""
    rng = np.random.default_rng(11)
    for rep in range(6):
        n = int(rng.integers(12, 19))
        x = rng.uniform(0.5, 3.0, n) if cost == "poisson" else None
        y = rng.poisson(np.r_[np.full(n // 2, 1.0), np.full(n - n // 2, 5.0)] * (x if x is not None else 1)
                        ).astype(float) if cost == "poisson" else rng.normal(np.r_[np.zeros(n // 2), np.full(n - n // 2, 3.0)])
        ms = int(rng.integers(1, 4))
        best, sols = brute_force(y, cost, 3.0, ms, exposure=x) if cost == "poisson" else \
            brute_force(y, cost, 3.0, ms)
        for E in (Pelt, OptimalPartitioning):
            seg = E(cost=cost, min_size=ms).fit(y, exposure=x).predict(3.0)
            assert seg.penalised_cost == pytest.approx(best, abs=1e-9)
            assert seg.changepoints in sols


@pytest.mark.parametrize("cost", list(COSTS))
def test_segneigh_equals_brute_force(cost):
    rng = np.random.default_rng(5)
    kw = {"alpha": 0.3} if cost == "negbin" else {}
    ms = 2 if cost == "normal-meanvar" else 1
    for rep in range(12):
        n = int(rng.integers(6, 13))
        y = _random_series(rng, cost, n)
        for k in range(0, min(3, n // ms - 1) + 1):
            best, sols = brute_force(y, cost, 0.0, ms, n_changes=k, **kw)
            seg = SegNeigh(cost=cost, n_changes=k, min_size=ms, **kw).fit(y).predict(0.0)
            assert len(seg.changepoints) == k
            assert seg.cost == pytest.approx(best, abs=1e-9)
            assert seg.changepoints in sols


def test_cost_error_matches_direct_formula():
    rng = np.random.default_rng(2)
    y = rng.poisson(3, 30).astype(float)
    x = rng.uniform(0.5, 2, 30)
    c = COSTS["poisson"]().fit(y, exposure=x)
    for s, e in [(0, 30), (3, 9), (10, 11)]:
        assert c.error(s, e) == pytest.approx(segment_cost(y, s, e, "poisson", exposure=x), abs=1e-10)
        assert c.error(s, e, mbic=True) == pytest.approx(
            segment_cost(y, s, e, "poisson", exposure=x, mbic=True), abs=1e-10)
    z = rng.normal(1e6, 1, 50)  # large offset: centring keeps the sums of squares exact
    for name in ("normal", "normal-meanvar"):
        c = COSTS[name]().fit(z)
        assert c.error(5, 40) == pytest.approx(segment_cost(z, 5, 40, name), rel=1e-9, abs=1e-7)


# ------------------------------------------------------------------- known answers
STEP = np.r_[np.full(15, 2.0), np.full(12, 12.0), np.full(18, 5.0)]


@pytest.mark.parametrize("cost", list(COSTS))
@pytest.mark.parametrize("method", ["pelt", "op", "binseg", "segneigh"])
def test_noiseless_steps_exact(cost, method):
    ms = 2 if cost == "normal-meanvar" else 1
    kw = {"alpha": 0.01} if cost == "negbin" else {}
    seg = detect_changepoints(STEP, method=method, cost=cost, penalty="mbic", min_size=ms,
                              n_changes=2 if method == "segneigh" else None, **kw)
    assert seg.changepoints == (15, 27)
    assert list(seg.segments["rate"]) == pytest.approx([2.0, 12.0, 5.0])


def test_coal_mining_one_change_at_1892(data_dir):
    table = pd.read_csv(data_dir / "coal_mining_disasters.csv", dtype=str)
    s = CountSeries.from_table(table, time="year", count="count")
    assert s.n == 112 and s.labels[0] == "1851" and s.labels[-1] == "1962"
    for E in (Pelt, OptimalPartitioning):
        seg = E(cost="poisson", min_size=2).fit(s).predict(penalty="mbic")
        assert seg.changepoints == (41,)
        assert seg.times == ("1892",)
        assert seg.penalty == pytest.approx(3 * math.log(112))
        r = seg.segments
        assert list(r["time_start"]) == ["1851", "1892"]
        assert list(r["time_end"]) == ["1891", "1962"]
        assert round(r["rate"].iloc[0], 2) == 3.10 and round(r["rate"].iloc[1], 2) == 0.90
        assert r["sum"].tolist() == [127.0, 64.0]
        # exact Poisson (Garwood) interval for 127 events in 41 years
        assert r["ci_low"].iloc[0] == pytest.approx(2.5822970, rel=1e-6)
        assert r["ci_high"].iloc[0] == pytest.approx(3.6855099, rel=1e-6)


def _nile():
    sm = pytest.importorskip("statsmodels.datasets.nile")
    d = sm.load_pandas().data
    return d["year"].astype(int).to_numpy(), d["volume"].to_numpy(float)


def test_nile_mean_change_1898_1899():
    """Nile flows 1871-1970: one change in mean, first new row 28 (1899), R's cpt 28.

    R's normal mean cost (``mll_mean``) is the residual sum of squares: a normal
    likelihood with variance 1, data not scaled. On the raw flows (sd ~ 170) it splits
    almost everywhere, so the data are divided by a noise scale first, as R's
    documentation asks: a robust one (MAD of first differences / sqrt 2) or the plain
    standard deviation give the same single change.
    """
    years, v = _nile()
    d = np.diff(v)
    robust = np.median(np.abs(d - np.median(d))) * 1.4826 / math.sqrt(2)
    for sd in (robust, v.std()):
        for E in (Pelt, OptimalPartitioning):
            m = E(cost="normal").fit(v / sd).predict("mbic")
            assert m.changepoints == (28,)
            assert m.times == (28,)
    assert years[28] == 1899 and years[27] == 1898
    assert m.segments["rate"].iloc[0] * sd == pytest.approx(v[:28].mean())
    # raw data with the variance-1 cost: many spurious changes (why R says to scale)
    assert len(Pelt(cost="normal").fit(v).predict("mbic").changepoints) > 10


def test_nile_meanvar():
    """normal-meanvar finds the same change; with min_size 2 it also isolates rows 4-5,
    two identical flows (1160, 1160) whose zero variance hits the 1e-11 floor."""
    years, v = _nile()
    assert v[4] == v[5] == 1160.0
    assert Pelt(cost="normal-meanvar", min_size=2).fit(v).predict("mbic").changepoints == (4, 6, 28)
    assert Pelt(cost="normal-meanvar", min_size=3).fit(v).predict("mbic").changepoints == (28,)


def test_index_matches_r_cpt():
    """R reports cpt = last row of a segment counted from 1 = our 0-based first new row."""
    y = np.r_[np.zeros(10), np.full(10, 10.0)]
    seg = Pelt(cost="normal").fit(y).predict("bic")
    assert seg.changepoints == (10,)
    assert seg.segments["end"].iloc[0] == 10 and seg.segments["start"].iloc[1] == 10


def test_binseg_greedy_path_and_max_changes():
    y = STEP
    seg = BinSeg(cost="poisson", max_changes=1).fit(y).predict("mbic")
    assert seg.changepoints == (15,) or seg.changepoints == (27,)
    assert len(seg.attrs["path"]) == 2


def test_crops_every_segmentation_once():
    rng = np.random.default_rng(3)
    y = rng.poisson(np.r_[np.full(30, 2.0), np.full(30, 6.0), np.full(30, 3.0)]).astype(float)
    res = crops(y, "poisson", beta_min=0.5, beta_max=60)
    t = res.table
    assert list(t["n_changes"]) == sorted(t["n_changes"], reverse=True)
    assert t["n_changes"].is_unique
    est = Pelt("poisson").fit(y)
    for r in t.itertuples():
        beta = (r.beta_low + r.beta_high) / 2
        seg = est.predict(beta)
        assert seg.changepoints == r.changepoints
        assert seg.cost == pytest.approx(r.cost)
    # a dense grid of penalties finds nothing CROPS missed
    found = {est.predict(b).changepoints for b in np.linspace(0.5, 60, 400)}
    assert found <= set(t["changepoints"])


# ------------------------------------------------------------------------ bad input
@pytest.mark.parametrize("bad,msg", [
    ([1, 2, np.nan, 3], "missing"),
    ([1, -2, 3, 3], "negative"),
    ([1, 2.5, 3, 3], "whole number"),
])
@pytest.mark.parametrize("cost", ["poisson", "negbin"])
def test_bad_counts_are_clear_errors(bad, msg, cost):
    with pytest.raises(InputError, match=msg):
        Pelt(cost=cost).fit(np.asarray(bad, float))


def test_bad_counts_from_a_table_name_the_row():
    t = pd.DataFrame({"year": ["2001", "2002", "2003"], "count": ["1", "-1", "2"]})
    s = CountSeries.from_table(t, time="year", count="count", file="x.csv")
    with pytest.raises(InputError, match=r"x.csv, row 3, column 'count'.*negative"):
        Pelt().fit(s)


def test_nan_with_normal_cost_and_short_series():
    with pytest.raises(InputError, match="not finite"):
        Pelt(cost="normal").fit([1.0, np.inf, 2.0])
    with pytest.raises(InputError, match="fewer than the minimum segment length"):
        Pelt(min_size=5).fit([1, 2, 3])
    with pytest.raises(ValueError, match="at least 2"):
        Pelt(cost="normal-meanvar", min_size=1).fit(np.arange(5.0))
    with pytest.raises(ValueError, match="min_size"):
        Pelt(min_size=0)
    with pytest.raises(ValueError, match="penalty"):
        Pelt().fit([1, 2, 3]).predict("xyz")
    with pytest.raises(ModelError, match="need at least"):
        SegNeigh(n_changes=3, min_size=2).fit([1, 2, 3, 4, 5]).predict()


@pytest.mark.parametrize("cost", list(COSTS))
@pytest.mark.parametrize("y", [np.zeros(50), np.full(50, 4.0)])
def test_constant_series_have_no_change(cost, y):
    ms = 2 if cost == "normal-meanvar" else 1
    for method in ("pelt", "op", "binseg", "segneigh"):
        seg = detect_changepoints(y, method=method, cost=cost, min_size=ms,
                                  **({"alpha": 0.5} if cost == "negbin" else {}))
        assert seg.changepoints == ()
        assert seg.segments["rate"].iloc[0] == pytest.approx(y[0])


def test_jump_restricts_change_rows():
    y = np.r_[np.full(13, 1.0), np.full(13, 9.0)]
    seg = Pelt(cost="poisson", jump=5).fit(y).predict("mbic")
    assert all(c % 5 == 0 for c in seg.changepoints)
    assert OptimalPartitioning(cost="poisson", jump=5).fit(y).predict("mbic").changepoints == seg.changepoints


def test_negbin_alpha_estimated_and_reported():
    rng = np.random.default_rng(0)
    mu = 5.0
    y = rng.poisson(rng.gamma(2.0, mu / 2.0, 400)).astype(float)  # alpha = 0.5
    seg = Pelt(cost="negbin").fit(y).predict("mbic")
    assert 0.3 < seg.attrs["alpha"] < 0.7
    assert seg.changepoints == ()


def test_pelt_equals_brute_force_at_n20():
    """A few longer series (2^19 segmentations each), Poisson with MBIC and min size 2."""
    rng = np.random.default_rng(20)
    for rep in range(4):
        y = rng.poisson(np.r_[np.full(7, 1.0), np.full(6, 6.0), np.full(7, 2.0)]).astype(float)
        pen = resolve_penalty("mbic", 20, 1)
        best, sols = brute_force(y, "poisson", pen.value, 2, mbic=True)
        for E in (Pelt, OptimalPartitioning):
            seg = E(cost="poisson", min_size=2).fit(y).predict("mbic")
            assert seg.penalised_cost == pytest.approx(best, abs=1e-9)
            assert seg.changepoints in sols


@pytest.mark.parametrize("pruning", ["exact", "r"])
@pytest.mark.parametrize("penalty", ["mbic", "bic"])
def test_jump_pelt_equals_op_and_brute_force(pruning, penalty):
    """With jump > 1 a candidate may only be pruned against a row that can be a change;
    pruning against any row dropped optimal segmentations (about 1 series in 60)."""
    rng = np.random.default_rng(zlib.crc32(f"jump-{pruning}-{penalty}".encode()))
    for rep in range(150):
        n = int(rng.integers(4, 15))
        y = rng.poisson(np.repeat(rng.choice([0.05, 0.5, 3.0], 3),
                                  np.diff(np.r_[0, np.sort(rng.integers(0, n + 1, 2)), n]))).astype(float)
        jump = int(rng.integers(2, 4))
        pen = resolve_penalty(penalty, n, 1)
        # brute force restricted to changes at multiples of jump
        from _cpt_brute import all_segmentations, cost_matrix
        C = cost_matrix(y, "poisson", mbic=pen.mbic)
        starts, nxt = all_segmentations(n)
        ok = ~np.any(starts[:, 1:] & (np.arange(1, n) % jump != 0), axis=1)
        cols = np.arange(n)
        tot = np.where(starts, C[cols[None, :], nxt], 0.0).sum(axis=1) + pen.value * (starts.sum(axis=1) - 1)
        best_j = tot[ok].min()
        op = OptimalPartitioning(cost="poisson", jump=jump).fit(y).predict(penalty)
        pelt = Pelt(cost="poisson", jump=jump, pruning=pruning).fit(y).predict(penalty)
        assert op.penalised_cost == pytest.approx(best_j, abs=1e-9)
        if pruning == "exact" or not pen.mbic:
            assert pelt.penalised_cost == pytest.approx(best_j, abs=1e-9), (y.tolist(), jump)
            assert pelt.changepoints == op.changepoints
        assert all(c % jump == 0 for c in pelt.changepoints)


def test_exact_pruning_with_zero_sum_poisson_segments():
    """Under MBIC a Poisson segment summing to zero gets no log(m), so the MBIC pruning
    bound K = log(1/m1 + 1/m2) > 0 does not hold for it; with a small MBIC-type penalty
    the uncapped rule split an all-zero series into single rows."""
    from analysis.changepoints.penalties import Penalty

    y = np.zeros(5)
    for v in (0.0, 0.1, 0.5):
        pen = Penalty(v, True, "mbic-like")
        seg = Pelt(cost="poisson", pruning="exact").fit(y).predict(pen)
        assert seg.changepoints == () and seg.penalised_cost == 0.0
    rng = np.random.default_rng(77)
    for rep in range(300):
        n = int(rng.integers(3, 14))
        y = rng.poisson(rng.choice([0.0, 0.1, 0.4, 2.0], n)).astype(float)
        pen = Penalty(float(rng.choice([0.05, 0.3, 1.0])), True, "mbic-like")
        best, sols = brute_force(y, "poisson", pen.value, mbic=True)
        seg = Pelt(cost="poisson", pruning="exact").fit(y).predict(pen)
        assert seg.penalised_cost == pytest.approx(best, abs=1e-9), y.tolist()
        assert seg.changepoints in sols


def test_binseg_stops_at_first_split_below_the_penalty_as_r():
    """R's binseg keeps the leading splits whose (capped, non-increasing) cost drop is at
    least the penalty. A bump in the middle: no single split pays for itself (drop 5.42
    < 2 log 46), so R reports no change even though the second split would drop 41.5."""
    y = np.r_[np.zeros(20), np.full(6, 3.0), np.zeros(20)]
    rss = lambda v: float(np.sum((v - v.mean()) ** 2))  # noqa: E731
    g1 = rss(y) - rss(y[:20]) - rss(y[20:])
    g2 = rss(y[20:]) - rss(y[20:26]) - rss(y[26:])
    pen = 2 * math.log(46)
    assert g1 < pen < g2
    seg = BinSeg(cost="normal", max_changes=3).fit(y).predict("bic")
    assert seg.changepoints == ()
    assert seg.attrs["path"][:3] == [[], [20], [20, 26]]
    assert seg.attrs["gains"][:2] == pytest.approx([g1, g1])  # the second drop is capped at the first
    # a penalty below the first drop keeps both splits (the third is worth 0)
    seg = BinSeg(cost="normal", max_changes=3).fit(y).predict(g1 - 0.01)
    assert seg.changepoints == (20, 26)


@pytest.mark.parametrize("cost,min_size", [("poisson", 2), ("normal", 3), ("normal-meanvar", 2),
                                           ("negbin", 1)])
def test_crops_against_op_on_a_fine_penalty_grid(cost, min_size):
    """Every segmentation OP finds on 800 penalties in [beta_min, beta_max] is in the
    CROPS table, and each table row is OP's answer inside its penalty range."""
    rng = np.random.default_rng(zlib.crc32(f"crops-{cost}".encode()))
    n = 60
    kw = {"alpha": 0.3} if cost == "negbin" else {}
    lengths = np.diff(np.r_[0, np.sort(rng.choice(np.arange(5, n - 5), 3, replace=False)), n])
    if cost in ("poisson", "negbin"):
        y = rng.poisson(np.repeat([1.0, 6.0, 2.0, 9.0], lengths)).astype(float)
    else:
        y = rng.normal(np.repeat([0.0, 1.5, -1.0, 2.0], lengths), np.repeat([1.0, 0.5, 2.0, 1.0], lengths))
    res = crops(y, cost, beta_min=0.5, beta_max=40.0, min_size=min_size, **kw)
    op = OptimalPartitioning(cost=cost, min_size=min_size, **kw).fit(y)
    grid = np.r_[np.linspace(0.5, 40.0, 400), np.geomspace(0.5, 40.0, 400)]
    found = {op.predict(float(b)).changepoints for b in grid}
    assert found <= set(res.table["changepoints"])
    assert len(res.table) >= 3
    for r in res.table.itertuples():
        seg = op.predict((r.beta_low + r.beta_high) / 2)
        assert seg.changepoints == r.changepoints and seg.cost == pytest.approx(r.cost, abs=1e-9)
        assert min(seg.segments["n"]) >= min_size
