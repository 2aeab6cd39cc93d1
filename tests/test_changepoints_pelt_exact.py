"""Exact PELT (the default search) against optimal partitioning (full O(n^2) dynamic
programming): with MBIC, minimum segment lengths, jumps, exposure and every cost, on
series long enough for candidates to be held back, merged and released."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.changepoints import COSTS, OptimalPartitioning, Pelt

SEATBELTS = Path(__file__).parent / "reference" / "data" / "seatbelts.csv"


def _same(a, b):
    assert a.changepoints == b.changepoints
    assert a.penalised_cost == pytest.approx(b.penalised_cost, rel=1e-12, abs=1e-9)


def test_seatbelts_drivers_killed_exact_where_r_rule_is_not():
    """UK Seatbelts (R's datasets), drivers killed per month, Poisson with MBIC: R's
    pruning rule keeps 18 changes, the optimum (optimal partitioning) has 16; the
    default search finds the optimum."""
    y = pd.read_csv(SEATBELTS)["DriversKilled"].to_numpy(float)
    op = OptimalPartitioning("poisson").fit(y).predict("mbic")
    pelt = Pelt("poisson").fit(y).predict("mbic")
    r = Pelt("poisson", pruning="r").fit(y).predict("mbic")
    assert len(op.changepoints) == 16 and len(r.changepoints) == 18
    _same(pelt, op)
    assert pelt.attrs["pruning"] == "exact"
    assert r.penalised_cost > op.penalised_cost + 0.1


def _piecewise(rng, n, kind):
    k = int(rng.integers(0, 5))
    cuts = np.sort(rng.choice(np.arange(1, n), size=min(k, n - 1), replace=False))
    lens = np.diff(np.r_[0, cuts, n])
    if kind == "count":
        rates = rng.choice([0.0, 0.2, 1.0, 2.0, 2.5, 6.0, 20.0], size=len(lens))
        return rng.poisson(np.repeat(rates, lens)).astype(float)
    mu = rng.choice([0.0, 0.5, 1.0, 4.0], size=len(lens))
    return rng.normal(np.repeat(mu, lens), 1.0)


@settings(max_examples=60, deadline=None, derandomize=True)
@given(st.integers(0, 2**32 - 1), st.integers(60, 500), st.sampled_from([1, 1, 2, 3]),
       st.sampled_from([1, 1, 2]), st.sampled_from(["mbic", "mbic", "bic", 4.0, 0.5]),
       st.booleans())
def test_poisson_pelt_equals_op(seed, n, min_size, jump, penalty, exposure):
    """Poisson cost (the default, also with exposure): every series is long enough for
    several sweeps, merges and releases of held-back candidates."""
    rng = np.random.default_rng(seed)
    y = _piecewise(rng, n, "count")
    x = rng.uniform(0.5, 3.0, n) if exposure else None
    a = Pelt("poisson", min_size=min_size, jump=jump).fit(y, exposure=x).predict(penalty)
    b = OptimalPartitioning("poisson", min_size=min_size, jump=jump).fit(y, exposure=x) \
        .predict(penalty)
    _same(a, b)


@settings(max_examples=40, deadline=None, derandomize=True)
@given(st.integers(0, 2**32 - 1), st.integers(40, 300), st.sampled_from(sorted(COSTS)),
       st.sampled_from([1, 2, 3]), st.sampled_from(["mbic", "bic", 2.0]))
def test_every_cost_pelt_equals_op(seed, n, cost, min_size, penalty):
    rng = np.random.default_rng(seed)
    if cost == "normal-meanvar":
        min_size = max(min_size, 2)
    y = _piecewise(rng, n, "count" if cost in ("poisson", "negbin") else "real")
    kw = {"alpha": 0.3} if cost == "negbin" else {}
    a = Pelt(cost, min_size=min_size, **kw).fit(y).predict(penalty)
    b = OptimalPartitioning(cost, min_size=min_size, **kw).fit(y).predict(penalty)
    _same(a, b)


@pytest.mark.parametrize("rate", [0.05, 3.0, 40.0])
def test_long_homogeneous_series_holds_candidates_back(rate):
    """4,000 rows of one rate, MBIC: the optimum (OP) has no change; exact pruning keeps
    a few dozen candidates active where dropping only for good keeps them all."""
    y = np.random.default_rng(int(rate * 100)).poisson(rate, 4000).astype(float)
    a = Pelt("poisson").fit(y).predict("mbic")
    b = OptimalPartitioning("poisson").fit(y).predict("mbic")
    _same(a, b)
    assert a.changepoints == ()
    assert a.attrs["max_candidates"] < 200


def test_small_rate_steps_and_zero_runs():
    """Steps too small to detect at once (candidates near the change stay close to the
    best for long) and runs of zeros (no MBIC term on a zero-sum segment, as in R)."""
    rng = np.random.default_rng(7)
    lam = np.r_[np.full(700, 2.0), np.full(700, 2.3), np.zeros(150), np.full(600, 2.0),
                np.full(50, 0.1), np.full(500, 5.0)]
    y = rng.poisson(lam).astype(float)
    for pen in ("mbic", "bic", 3.0):
        for ms in (1, 3):
            _same(Pelt("poisson", min_size=ms).fit(y).predict(pen),
                  OptimalPartitioning("poisson", min_size=ms).fit(y).predict(pen))
