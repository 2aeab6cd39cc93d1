"""Functional pruning (FPOP) for the Poisson cost: the same optimum as OP, exactly."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.changepoints import OptimalPartitioning, Pelt, crops


def _series(seed: int, n: int, exposure: bool):
    rng = np.random.default_rng(seed)
    k = int(rng.integers(1, 5))
    cuts = np.sort(rng.choice(np.arange(1, n), min(k - 1, n - 1), replace=False)) if n > 1 else []
    lam = np.repeat(rng.uniform(0.0, 8.0, len(cuts) + 1), np.diff(np.r_[0, cuts, n]).astype(int))
    x = rng.uniform(0.3, 3.0, n) if exposure else None
    y = rng.poisson(lam * (1.0 if x is None else x)).astype(float)
    return y, x


@settings(max_examples=150, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), n=st.integers(1, 70), exposure=st.booleans(),
       pen=st.sampled_from([0.0, 0.3, 2.0, 5.0, 12.0, "bic", "aic", "hq"]))
def test_fpop_equals_optimal_partitioning(seed, n, exposure, pen):
    """Random piecewise Poisson series, with and without exposure, penalties from 0 up:
    FPOP (the default PELT search for this cost) returns OP's changepoints and cost."""
    y, x = _series(seed, n, exposure)
    if pen == "hq" and n < 3:
        pen = 1.0
    fp = Pelt("poisson").fit(y, exposure=x).predict(pen)
    op = OptimalPartitioning("poisson").fit(y, exposure=x).predict(pen)
    assert fp.attrs.get("functional") is True
    assert fp.changepoints == op.changepoints
    assert fp.penalised_cost == pytest.approx(op.penalised_cost, rel=1e-12, abs=1e-9)


def test_fpop_on_a_long_series_equals_the_pruned_search():
    """2,000 rows and BIC: FPOP equals PELT's exact pruning (which
    equals OP; OP itself is too slow to run here often) and keeps far fewer candidates."""
    rng = np.random.default_rng(5)
    lam = np.repeat([3.0, 1.0, 0.5, 7.0, 2.0], 400)
    y = rng.poisson(lam).astype(float)
    fp = Pelt("poisson").fit(y).predict("bic")
    pe = Pelt("poisson", pruning="r").fit(y).predict("bic")
    assert "functional" not in pe.attrs
    assert fp.changepoints == pe.changepoints
    assert fp.attrs["max_candidates"] < pe.attrs["max_candidates"] / 3


def test_crops_uses_fpop_and_matches_op_on_a_grid():
    y, _ = _series(11, 120, False)
    res = crops(y, "poisson", beta_min=1.0, beta_max=40.0)
    # a search at each end, one per segmentation found between them and one per
    # interval between neighbours confirmed: at most 2m - 1 for m segmentations
    m = len(res.table)
    assert m == 26 and m <= res.n_runs <= 2 * m - 1
    for beta in np.linspace(1.0, 40.0, 25):
        want = OptimalPartitioning("poisson").fit(y).predict(float(beta))
        got = res.segmentation_for(float(beta))
        # at a boundary of the path two segmentations tie; compare costs there
        if tuple(got) != want.changepoints:
            alt = OptimalPartitioning("poisson").fit(y)
            assert alt.cost_.sum_of_costs(got) + beta * len(got) == pytest.approx(
                want.penalised_cost, rel=1e-9)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), n=st.integers(200, 1500), exposure=st.booleans(),
       zeros=st.booleans(), pen=st.sampled_from([0.5, 3.0, "bic", 25.0]))
def test_fpop_equals_pelt_on_longer_series(seed, n, exposure, zeros, pen):
    """Longer series (many live candidates, rate sets cut many times, sets of several
    pieces), with long zero stretches or not: FPOP returns the same F at every row as
    PELT's pruning, which is exact for this cost without MBIC and with min_size 1."""
    from analysis.changepoints import _kernels as K
    from analysis.changepoints._fpop import fpop_poisson_kernel

    rng = np.random.default_rng(seed)
    k = int(rng.integers(1, 12))
    cuts = np.sort(rng.choice(np.arange(1, n), k - 1, replace=False))
    rates = rng.uniform(0.0 if zeros else 0.5, 12.0, k)
    if zeros:
        rates[rng.random(k) < 0.4] = 0.0
    lam = np.repeat(rates, np.diff(np.r_[0, cuts, n]).astype(int))
    x = rng.uniform(0.3, 3.0, n) if exposure else None
    y = rng.poisson(lam * (1.0 if x is None else x)).astype(float)
    fp = Pelt("poisson").fit(y, exposure=x)
    value = fp._pen(pen).value
    code, cs, cq, ce, param, LT = fp.cost_.kernel_args()
    r = y if x is None else y / x
    F1, last1, _ = fpop_poisson_kernel(code, cs, ce, LT, value, float(r.min()), float(r.max()))
    F2, last2, _ = K.pelt_kernel(code, cs, cq, ce, param, LT, False, value, 1, 1, False)
    np.testing.assert_array_equal(F1, F2)
    np.testing.assert_array_equal(last1, last2)
