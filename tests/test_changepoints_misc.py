"""Garwood intervals, bootstrap intervals, property tests, import weight."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import chi2

from analysis.changepoints import COSTS, OptimalPartitioning, Pelt, garwood


def test_garwood_matches_chi2_quantiles():
    S = np.array([0, 1, 5, 127, 64, 10_000, 2.5])
    E = np.array([1.0, 2.0, 3.0, 41.0, 71.0, 50.0, 1.0])
    lo, hi = garwood(S, E)
    ref_lo = np.where(S > 0, chi2.ppf(0.025, 2 * S) / 2 / E, 0.0)
    ref_hi = chi2.ppf(0.975, 2 * S + 2) / 2 / E
    assert lo == pytest.approx(ref_lo, rel=1e-10)
    assert hi == pytest.approx(ref_hi, rel=1e-10)
    lo90, hi90 = garwood([10], [1], level=0.9)
    assert lo90[0] == pytest.approx(chi2.ppf(0.05, 20) / 2, rel=1e-10)
    with pytest.raises(ValueError, match="level"):
        garwood([1], [1], level=1.5)


@pytest.mark.parametrize("level", [0.5, 0.9, 0.95, 0.999])
def test_garwood_large_counts_and_levels(level):
    """Counts up to 1e9 (a segment of a long daily series): the incomplete-gamma
    expansions need O(sqrt(S)) terms; a fixed 10,000 left the interval off by 1e-7."""
    S = np.array([0.3, 3.0, 1e5, 1e6, 1e7, 3e7, 1e9])
    E = np.array([1.0, 2.0, 7.0, 1.0, 1e4, 3.0, 1e6])
    lo, hi = garwood(S, E, level=level)
    a = 1 - level
    assert lo == pytest.approx(chi2.ppf(a / 2, 2 * S) / 2 / E, rel=1e-9)
    assert hi == pytest.approx(chi2.ppf(1 - a / 2, 2 * S + 2) / 2 / E, rel=1e-9)


def test_bootstrap_interval_covers_true_change():
    rng = np.random.default_rng(8)
    y = rng.poisson(np.r_[np.full(50, 2.0), np.full(50, 6.0)]).astype(float)
    seg = Pelt("poisson").fit(y).predict("mbic")
    assert len(seg.changepoints) == 1
    bt = seg.bootstrap(100, seed=1, quiet=True)
    r = bt.iloc[0]
    assert r["lower"] <= seg.changepoints[0] <= r["upper"]
    assert r["lower"] <= 50 <= r["upper"]
    assert r["upper"] - r["lower"] < 20 and r["detected"] > 0.9
    assert bt.equals(seg.bootstrap(100, seed=1, quiet=True))


@settings(max_examples=60, deadline=None, derandomize=True)
@given(st.lists(st.integers(0, 12), min_size=1, max_size=30), st.sampled_from(["poisson", "normal"]),
       st.integers(1, 4), st.sampled_from(["mbic", "bic", "aic", 1.0]))
def test_exact_pelt_equals_op(y, cost, min_size, penalty):
    y = np.asarray(y, float)
    if len(y) < min_size:
        return
    a = Pelt(cost, min_size=min_size, pruning="exact").fit(y).predict(penalty)
    b = OptimalPartitioning(cost, min_size=min_size).fit(y).predict(penalty)
    assert a.penalised_cost == pytest.approx(b.penalised_cost, abs=1e-9)
    assert a.changepoints == b.changepoints
    assert all(s >= min_size for s in a.segments["n"])


@settings(max_examples=40, deadline=None, derandomize=True)
@given(st.lists(st.integers(0, 9), min_size=2, max_size=40), st.sampled_from(["bic", "aic", 3.0]))
def test_r_rule_is_exact_without_mbic(y, penalty):
    """With min_size 1 and no MBIC term, R's pruning rule (K = 0) is exact."""
    y = np.asarray(y, float)
    a = Pelt("poisson", pruning="r").fit(y).predict(penalty)
    b = OptimalPartitioning("poisson").fit(y).predict(penalty)
    assert a.changepoints == b.changepoints


def test_sum_of_costs_and_registry():
    y = np.r_[np.zeros(5), np.full(5, 3.0)]
    c = COSTS["normal"]().fit(y)
    assert c.sum_of_costs([5]) == pytest.approx(0.0, abs=1e-12)
    assert c.sum_of_costs([]) == pytest.approx(np.sum((y - y.mean()) ** 2))
    assert set(COSTS) == {"poisson", "negbin", "normal", "normal-meanvar"}


def test_import_analysis_stays_light():
    code = ("import sys, analysis; import analysis.changepoints as _ ;"
            "print(','.join(m for m in ('statsmodels','matplotlib','dask','tqdm') if m in sys.modules))")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert p.returncode == 0 and p.stdout.strip() == ""
    p = subprocess.run([sys.executable, "-c", "import sys, analysis; print('numba' in sys.modules)"],
                       capture_output=True, text=True, timeout=120)
    assert p.stdout.strip() == "False"


def test_summary_renders_without_printing(capsys):
    seg = Pelt().fit(np.r_[np.full(20, 1.0), np.full(20, 8.0)]).predict("mbic")
    sm = seg.summary()
    assert capsys.readouterr().out == ""
    assert "1 change: 20 (row 20)" in sm.as_text()
    assert sm.as_markdown().count("\n|") == 4 and "<table" in sm._repr_html_()
