"""BinSeg against a line-by-line Python transcription of R changepoint's C ``binseg``
(``BinSeg_one_func_minseglen.c``): every step rescans every row, the gains start at 0,
``max_which`` takes the first largest, and ``op_cps`` counts the leading capped gains
with ``2 * likeout >= pen``. (R's ``changepoint`` cannot be installed here, so its
loop is reproduced rather than run.)"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.changepoints import BinSeg, resolve_penalty
from _cpt_brute import segment_cost


def r_binseg(y, cost, pen, Q, minseglen, mbic, **kw):
    """R's binseg on 0-based cumulative indices: returns (cptsout, likeout, op_cps)."""
    n = len(y)

    def cst(s, e):
        # after a step without a positive gain R's tau holds row 0 twice and it costs
        # an empty segment, whose value is never used
        return segment_cost(y, s, e, cost, mbic=mbic, **kw) if e > s else 0.0

    tau = [0, n]
    oldmax = 1.7e308
    cptsout, likeout = [], []
    for q in range(Q):
        lam = [0.0] * n
        i = 1
        start, end = tau[0], tau[1]
        null = -0.5 * cst(start, end)
        for j in range(2, n - 2):
            if j == end:
                start = end
                i += 1
                end = tau[i]
                null = -0.5 * cst(start, end)
            elif j - start - 1 >= minseglen and end - j >= minseglen:
                lam[j] = -0.5 * cst(start, j) - 0.5 * cst(j, end) - null
        maxval, which = lam[0], 0
        for p in range(1, n):
            if lam[p] > maxval:
                maxval, which = lam[p], p
        cptsout.append(which)
        likeout.append(oldmax if oldmax <= maxval else maxval)
        oldmax = likeout[-1]
        tau = sorted(tau + [which])
    op = 0
    while op < Q and 2 * likeout[op] >= pen:
        op += 1
    return cptsout, likeout, op


@settings(max_examples=80, deadline=None, derandomize=True)
@given(st.integers(0, 2**32 - 1), st.integers(8, 120), st.sampled_from(["poisson", "normal"]),
       st.integers(1, 6), st.sampled_from([1, 2, 3]), st.sampled_from(["mbic", "bic", 3.0]))
def test_binseg_equals_r_loop(seed, n, cost, Q, minseglen, penalty):
    rng = np.random.default_rng(seed)
    k = int(rng.integers(0, 4))
    cuts = np.sort(rng.choice(np.arange(1, n), size=k, replace=False))
    lens = np.diff(np.r_[0, cuts, n])
    if cost == "poisson":
        y = rng.poisson(np.repeat(rng.choice([0.0, 0.5, 2.0, 7.0, 15.0], len(lens)), lens))
    else:
        y = rng.normal(np.repeat(rng.choice([0.0, 1.0, 4.0], len(lens)), lens), 1.0)
    y = y.astype(float)
    pen = resolve_penalty(penalty, n, 1)
    cpts, like, op = r_binseg(y, cost, pen.value, Q, minseglen, pen.mbic)
    seg = BinSeg(cost, max_changes=Q, min_size=minseglen).fit(y).predict(penalty)
    # R keeps looping after the first step without a positive gain (its change is row
    # 0, its gain 0, and so on after it); the package stops there
    real = next((i for i, c in enumerate(cpts) if c == 0), Q)
    path = seg.attrs["path"]
    assert len(path) == real + 1
    assert [sorted(p) for p in path[1:]] == [sorted(cpts[:i + 1]) for i in range(real)]
    assert seg.attrs["gains"] == pytest.approx([2 * v for v in like[:real]], rel=1e-9, abs=1e-9)
    assert seg.changepoints == tuple(sorted(cpts[:min(op, real)]))
