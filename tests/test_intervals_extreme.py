"""Rate intervals at extreme counts: scipy at moderate shapes, mpmath at large ones."""

from __future__ import annotations

import mpmath
import numpy as np
import pandas as pd
import pytest
from scipy import special, stats

from analysis.changepoints import Pelt, garwood
from analysis.changepoints.intervals import EXACT_SHAPE_MAX, gamma_quantile
from analysis.events.rates import poisson_rate
from analysis.schema import InputError

PROBS = [1e-9, 1e-6, 0.025, 0.5, 0.975, 1 - 1e-9]


def _temme_P(a, x):
    """P(a, x) by Temme's uniform expansion at 80 digits (error O(a**-2.5))."""
    with mpmath.workdps(80):
        a, x = mpmath.mpf(a), mpmath.mpf(x)
        lam = x / a
        d = lam - 1
        eta = mpmath.sign(d) * mpmath.sqrt(2 * (d - mpmath.log(lam)))
        c0 = 1 / d - 1 / eta
        c1 = 1 / eta ** 3 - 1 / d ** 3 - 1 / d ** 2 - 1 / (12 * d)
        r = mpmath.exp(-a * eta ** 2 / 2) / mpmath.sqrt(2 * mpmath.pi * a) * (c0 + c1 / a)
        return 1 - (mpmath.erfc(eta * mpmath.sqrt(a / 2)) / 2 + r)


def _ref_quantile(p, a, start):
    """Root of P(a, x) = p at 80 digits by Newton's method (Temme's expansion for P above
    a = 1e5, mpmath's exact series below)."""
    with mpmath.workdps(80):
        a, p = mpmath.mpf(a), mpmath.mpf(p)
        x = mpmath.mpf(start) * (1 + mpmath.mpf(10) ** -12)  # never exactly a (eta = 0)
        for _ in range(6):
            P = mpmath.gammainc(a, 0, x, regularized=True) if a <= 1e5 else _temme_P(a, x)
            dens = mpmath.exp((a - 1) * mpmath.log(x) - x - mpmath.loggamma(a))
            x -= (P - p) / dens
        return x


@pytest.mark.parametrize("a", [1e4, 1e5])
def test_temme_reference_matches_mpmath_exact_series(a):
    for p in (0.025, 0.975):
        x = special.gammaincinv(a, p)
        exact = mpmath.gammainc(a, 0, x, regularized=True)
        assert float(abs(_temme_P(a, x) - exact)) < 1e-13


@pytest.mark.parametrize("a", [0.3, 1.0, 7.5, 40.0, 1e3, 2.5e4, 3e5, EXACT_SHAPE_MAX])
def test_matches_scipy_at_moderate_shapes(a):
    q = gamma_quantile(PROBS, a, 2.5)
    ref = stats.gamma.ppf(PROBS, a, scale=2.5)
    np.testing.assert_allclose(q, ref, rtol=1e-12)


@pytest.mark.parametrize("a", [5.0001e5, 1e6, 3.3e7, 1e9, 4.7e11, 1e14, 1e15, 2 ** 53, 1e17, 1e18])
def test_matches_mpmath_at_large_shapes(a):
    q = gamma_quantile(PROBS, a)
    for p, x in zip(PROBS, q):
        r = _ref_quantile(p, a, x)
        assert float(abs(x - r) / r) < 1e-13, (a, p, x, r)


def test_continuous_across_the_switch():
    a = np.array([EXACT_SHAPE_MAX, np.nextafter(EXACT_SHAPE_MAX, np.inf)])
    for p in PROBS:
        lo, hi = gamma_quantile(p, a)
        # scipy's inversion is itself good to ~5e-12 in the 1e-6 and 1e-9 tails at this shape
        assert abs(hi - lo) / lo < (1e-11 if min(p, 1 - p) <= 1e-6 else 1e-14)


def test_invalid_arguments_give_nan():
    q = gamma_quantile([0.5, 0.0, 1.0, 0.5, 0.5], [1.0, 1.0, 1.0, -1.0, np.inf])
    assert q[0] == pytest.approx(np.log(2)) and np.isnan(q[1:]).all()


@pytest.mark.parametrize("S", [1e12, 1e15, 1e18])
def test_garwood_at_huge_counts(S):
    lo, hi = garwood([S], [24])
    est = S / 24
    assert lo[0] < est < hi[0]
    # the half-widths are z * sqrt(S) / E to first order (and + 1 / E for the upper)
    z = special.ndtri(0.975)
    assert (est - lo[0]) == pytest.approx(z * np.sqrt(S) / 24, rel=1e-5)
    assert (hi[0] - est) == pytest.approx(z * np.sqrt(S) / 24, rel=1e-5)


def test_garwood_1e15_upper_above_estimate_and_monotone():
    S = np.array([1e15 - 1e3, 1e15, 1e15 + 1e3])
    lo, hi = garwood(S, 24)
    assert (hi > S / 24).all() and (lo < S / 24).all()
    assert (np.diff(lo) > 0).all() and (np.diff(hi) > 0).all()
    lo30, hi30 = garwood([1e30], [1])
    assert lo30[0] < 1e30 < hi30[0]


def test_poisson_rate_at_1e18():
    r = poisson_rate(1e18, 2.0)
    assert r["ci_low"] < r["rate"] == 5e17 < r["ci_high"]
    assert r["ci_high"] - r["ci_low"] == pytest.approx(2 * special.ndtri(0.975) * 1e9 / 2, rel=1e-6)


def test_count_cost_refuses_counts_above_2_53():
    y = np.full(24, 10.0)
    y[7] = 1e30
    with pytest.raises(InputError, match=r"count 1e\+30 \(element 7\) is above 2\*\*53"):
        Pelt("poisson").fit(y)
    y[7] = 2.0 ** 53  # the largest exact count is accepted
    Pelt("poisson").fit(y).predict(penalty=10.0)


def test_cli_refuses_1e30_naming_the_row(tmp_path, capsys):
    from analysis.cli import main

    f = tmp_path / "huge.csv"
    pd.DataFrame({"year": range(2000, 2024), "count": [10] * 7 + [1e30] + [10] * 16}).to_csv(f, index=False)
    code = main(["changepoints", str(f), "--time", "year", "--count", "count"])
    err = capsys.readouterr().err
    assert code == 1
    assert "2**53" in err and "row 9" in err and "Traceback" not in err
