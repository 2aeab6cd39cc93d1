"""Compiled kernels for the changepoint searches and the Bayesian recursions.

Every kernel is a numba ``njit`` function with ``cache=True``: the first call compiles
it and writes the machine code next to this file, later processes load it from disk.
This module is the only one that imports numba, and only :mod:`analysis.changepoints`
imports this module, so ``import analysis`` stays light.

Conventions
-----------
Rows are 0-based; a segment ``[s, e)`` holds rows ``s .. e-1``. Cumulative arrays have
length ``n + 1`` with a leading zero, so a segment's sum is ``cs[e] - cs[s]``.

Cost codes (see :mod:`analysis.changepoints.costs`): 0 poisson, 1 negbin, 2 normal
(mean, variance 1), 3 normal-meanvar, 4 poisson with whole counts and one unit of
exposure per row, where ``LT[k] = log(k)`` is tabulated so a segment costs no ``log``
call. ``mbic`` adds ``log(m)`` to a segment's cost
(R's changepoint package, ``mbic_*`` cost functions; the Poisson cost of a segment
with zero sum stays 0, as in R).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

POISSON, NEGBIN, NORMAL, MEANVAR = 0, 1, 2, 3
_BIG = np.int64(2**62)
VAR_FLOOR = 1e-11
_LOG2PI = math.log(2.0 * math.pi)


@njit(cache=True)
def seg_cost(code, cs, cq, ce, s, e, param, mbic, LT):
    """Cost of segment ``[s, e)`` from cumulative sums (R's changepoint definitions)."""
    m = e - s
    S = cs[e] - cs[s]
    if code == 4:
        if S <= 0.0:
            return 0.0
        lm = LT[m]
        c = 2.0 * S * (lm - LT[np.int64(S + 0.5)])
        if mbic:
            c += lm
        return c
    if code == 0:
        if S <= 0.0:
            return 0.0
        E = ce[e] - ce[s]
        c = 2.0 * S * (math.log(E) - math.log(S))
    elif code == 1:
        # NB2 with size r = param, per-row mean mu = S / m (constant exposure)
        if S <= 0.0:
            c = 0.0
        else:
            r = param
            mu = S / m
            c = -2.0 * (S * math.log(mu / (r + mu)) + m * r * math.log(r / (r + mu)))
    elif code == 2:
        c = (cq[e] - cq[s]) - S * S / m
    else:
        v = ((cq[e] - cq[s]) - S * S / m) / m
        if v < VAR_FLOOR:
            v = VAR_FLOOR
        c = m * (_LOG2PI + math.log(v) + 1.0)
    if mbic:
        c += math.log(m)
    return c


@njit(cache=True)
def segment_costs(code, cs, cq, ce, bounds, param, mbic, LT):
    """Cost of each segment ``[bounds[i], bounds[i+1])``."""
    k = bounds.shape[0] - 1
    out = np.empty(k)
    for i in range(k):
        out[i] = seg_cost(code, cs, cq, ce, bounds[i], bounds[i + 1], param, mbic, LT)
    return out


@njit(cache=True)
def op_kernel(code, cs, cq, ce, param, LT, mbic, pen, min_size, jump):
    """Optimal partitioning (Jackson et al. 2005): exact, O(n^2).

    Returns ``F`` (``F[t]`` = optimal penalised cost of rows ``0..t-1``, counting
    ``pen`` once per change) and ``last`` (``last[t]`` = start of the last segment).
    Ties go to the earliest start. Changes only at multiples of ``jump``.
    """
    n = cs.shape[0] - 1
    F = np.full(n + 1, np.inf)
    last = np.full(n + 1, -1, np.int64)
    F[0] = -pen
    for t in range(min_size, n + 1):
        best = np.inf
        arg = -1
        for tau in range(0, t - min_size + 1, jump):
            if F[tau] == np.inf:
                continue
            v = F[tau] + seg_cost(code, cs, cq, ce, tau, t, param, mbic, LT) + pen
            if v < best:
                best = v
                arg = tau
        F[t] = best
        last[t] = arg
    return F, last


@njit(cache=True)
def pelt_kernel(code, cs, cq, ce, param, LT, mbic, pen, min_size, jump, exact):
    """PELT (Killick et al. 2012) with exact pruning; same answer as :func:`op_kernel`.

    A candidate ``tau`` is pruned at time ``t`` when
    ``F[tau] + C(tau, t) + K > F[t]``; it is then dropped from time ``t + min_size`` on
    (earlier ends cannot use ``t`` as a last change). ``K = 0`` for the likelihood
    costs; with the MBIC ``log(m)`` term ``K = log(1/(t - tau) + 1/(n - t))``, the
    smallest value of ``log(m1 + m2) - log(m1) - log(m2)`` over future ends, which
    keeps the search exact. With ``exact=False`` the rule is R's ``PELT.c``: ``K = 0``
    and pruning at once, which is exact for the likelihood costs with ``min_size = 1``
    but with MBIC can (rarely) drop the optimal segmentation; it is what makes MBIC
    fast on long homogeneous stretches, where exact pruning keeps every candidate.
    Returns ``F``, ``last`` and the largest candidate-set size.
    """
    n = cs.shape[0] - 1
    F = np.full(n + 1, np.inf)
    last = np.full(n + 1, -1, np.int64)
    F[0] = -pen
    # candidate arrays: start row, F at the start, its cumulative count (code 4),
    # the last value and the row from which it is pruned
    cand = np.empty(n + 1, np.int64)
    fc = np.empty(n + 1)
    sc = np.empty(n + 1, np.int64)
    kill = np.empty(n + 1, np.int64)
    vals = np.empty(n + 1)
    ics = np.empty(n + 1 if code == 4 else 0, np.int64)
    if code == 4:
        for i in range(n + 1):
            ics[i] = np.int64(cs[i] + 0.5)
    nc = 0
    maxc = 0
    for t in range(min_size, n + 1):
        tn = t - min_size
        if F[tn] < np.inf and tn % jump == 0:
            cand[nc] = tn
            fc[nc] = F[tn]
            if code == 4:
                sc[nc] = ics[tn]
            kill[nc] = _BIG
            nc += 1
        # drop candidates whose pruning has taken effect
        j = 0
        for i in range(nc):
            if kill[i] > t:
                cand[j] = cand[i]
                fc[j] = fc[i]
                sc[j] = sc[i]
                kill[j] = kill[i]
                j += 1
        nc = j
        if nc > maxc:
            maxc = nc
        best = np.inf
        arg = -1
        if code == 4:
            st = ics[t]
            for i in range(nc):
                S = st - sc[i]
                if S > 0:
                    lm = LT[t - cand[i]]
                    c = 2.0 * S * (lm - LT[S])
                    if mbic:
                        c += lm
                else:
                    c = 0.0
                v = fc[i] + c
                vals[i] = v
                if v < best:
                    best = v
                    arg = i
        else:
            for i in range(nc):
                v = fc[i] + seg_cost(code, cs, cq, ce, cand[i], t, param, mbic, LT)
                vals[i] = v
                if v < best:
                    best = v
                    arg = i
        if arg < 0:
            continue
        F[t] = best + pen
        last[t] = cand[arg]
        if t < n:
            rem = n - t
            Ft = best + pen
            for i in range(nc):
                if kill[i] == _BIG:
                    K = 0.0
                    if mbic and exact:
                        K = math.log(1.0 / (t - cand[i]) + 1.0 / rem)
                    if vals[i] + K > Ft:
                        kill[i] = t + min_size if exact else t + 1
    return F, last, maxc


@njit(cache=True)
def segneigh_kernel(code, cs, cq, ce, param, LT, mbic, n_changes, min_size):
    """Segment neighbourhood (Auger and Lawrence 1989): best cost with exactly k changes.

    ``D[k, t]`` is the least cost of rows ``0..t-1`` in ``k + 1`` segments; ``arg[k, t]``
    the start of the last one. Ties go to the earliest start.
    """
    n = cs.shape[0] - 1
    K = n_changes
    D = np.full((K + 1, n + 1), np.inf)
    arg = np.full((K + 1, n + 1), -1, np.int64)
    for t in range(min_size, n + 1):
        D[0, t] = seg_cost(code, cs, cq, ce, 0, t, param, mbic, LT)
        arg[0, t] = 0
    for k in range(1, K + 1):
        for t in range((k + 1) * min_size, n + 1):
            best = np.inf
            a = -1
            for tau in range(k * min_size, t - min_size + 1):
                prev = D[k - 1, tau]
                if prev == np.inf:
                    continue
                v = prev + seg_cost(code, cs, cq, ce, tau, t, param, mbic, LT)
                if v < best:
                    best = v
                    a = tau
            D[k, t] = best
            arg[k, t] = a
    return D, arg


@njit(cache=True)
def best_split(code, cs, cq, ce, param, LT, mbic, s, e, min_size):
    """Best single split of ``[s, e)``: ``(tau, gain)`` with gain = cost drop (or -1, -inf)."""
    whole = seg_cost(code, cs, cq, ce, s, e, param, mbic, LT)
    best = -np.inf
    arg = -1
    for tau in range(s + min_size, e - min_size + 1):
        g = whole - seg_cost(code, cs, cq, ce, s, tau, param, mbic, LT) \
            - seg_cost(code, cs, cq, ce, tau, e, param, mbic, LT)
        if g > best:
            best = g
            arg = tau
    return arg, best


# --------------------------------------------------------------------- Bayesian
@njit(cache=True)
def _seg_loglik(cy, ce, s, e, a, b, lga, alogb, LG, LB, tables):
    """Log marginal likelihood of a Poisson-Gamma(a, b) segment (up to row constants)."""
    S = cy[e] - cy[s]
    if tables & 1:
        lgs = LG[np.int64(S + 0.5)]
    else:
        lgs = math.lgamma(a + S)
    if tables & 2:
        lb = LB[e - s]
    else:
        lb = math.log(b + ce[e] - ce[s])
    return alogb - lga + lgs - (a + S) * lb


@njit(cache=True)
def _cohesion(s, e, n, LEN, LENF, BOOST, NOCH):
    """Log prior weight of segment ``[s, e)`` (``e == n``: the last segment)."""
    if e == n:
        return LENF[e - s] + NOCH[n - 1] - NOCH[s]
    return LEN[e - s] + BOOST[e] + NOCH[e - 1] - NOCH[s]


@njit(cache=True)
def bayes_forward(cy, ce, a, b, LG, LB, tables, LEN, LENF, BOOST, NOCH, use_lik):
    """Forward sums ``A`` and Viterbi scores ``V`` over segmentations of ``0..e-1``.

    ``A[e]`` = log of the summed weight of all segmentations of rows ``0..e-1`` whose
    last segment ends at ``e`` (for ``e == n`` with the last-segment prior), so
    ``A[n]`` is the log normaliser. ``V``/``vlast`` give the MAP segmentation.
    """
    n = cy.shape[0] - 1
    A = np.full(n + 1, -np.inf)
    V = np.full(n + 1, -np.inf)
    vlast = np.full(n + 1, -1, np.int64)
    A[0] = 0.0
    V[0] = 0.0
    buf = np.empty(n + 1)
    lga = math.lgamma(a)
    alogb = a * math.log(b)
    for e in range(1, n + 1):
        mx = -np.inf
        vbest = -np.inf
        va = -1
        for s in range(e):
            if A[s] == -np.inf:
                buf[s] = -np.inf
                continue
            w = _cohesion(s, e, n, LEN, LENF, BOOST, NOCH)
            if w == -np.inf:
                buf[s] = -np.inf
                continue
            if use_lik:
                w += _seg_loglik(cy, ce, s, e, a, b, lga, alogb, LG, LB, tables)
            x = A[s] + w
            buf[s] = x
            if x > mx:
                mx = x
            y = V[s] + w
            if y > vbest:
                vbest = y
                va = s
        if mx == -np.inf:
            continue
        acc = 0.0
        for s in range(e):
            if buf[s] > mx - 745.0:
                acc += math.exp(buf[s] - mx)
        A[e] = mx + math.log(acc)
        V[e] = vbest
        vlast[e] = va
    return A, V, vlast


@njit(cache=True)
def bayes_backward(cy, ce, a, b, LG, LB, tables, LEN, LENF, BOOST, NOCH, A, keep_log):
    """Backward sums ``B`` and the posterior quantities that need both directions.

    ``B[s]`` = log summed weight of segmentations of rows ``s..n-1`` that start a
    segment at ``s``. While sweeping, the posterior probability of each segment
    ``P(s, e) = exp(A[s] + w(s, e) + B[e] - A[n])`` feeds difference arrays for the
    posterior mean and second moment of the rate at every row; segments with
    ``log P > keep_log`` are returned (``ps, pe, pw`` = start, end, log weight) for the
    count-of-changes recursion.
    """
    n = cy.shape[0] - 1
    B = np.full(n + 1, -np.inf)
    B[n] = 0.0
    logZ = A[n]
    lga = math.lgamma(a)
    alogb = a * math.log(b)
    buf = np.empty(n + 1)
    d1 = np.zeros(n + 1)
    d2 = np.zeros(n + 1)
    cap = 1024
    ps = np.empty(cap, np.int64)
    pe = np.empty(cap, np.int64)
    pw = np.empty(cap)
    npairs = 0
    for s in range(n - 1, -1, -1):
        mx = -np.inf
        for e in range(s + 1, n + 1):
            if B[e] == -np.inf:
                buf[e] = -np.inf
                continue
            w = _cohesion(s, e, n, LEN, LENF, BOOST, NOCH)
            if w == -np.inf:
                buf[e] = -np.inf
                continue
            w += _seg_loglik(cy, ce, s, e, a, b, lga, alogb, LG, LB, tables)
            x = w + B[e]
            buf[e] = x
            if x > mx:
                mx = x
            if A[s] > -np.inf:
                lp = A[s] + x - logZ
                if lp > -745.0:
                    p = math.exp(lp)
                    S = cy[e] - cy[s]
                    E = ce[e] - ce[s]
                    mu = (a + S) / (b + E)
                    m2 = mu * (a + S + 1.0) / (b + E)
                    d1[s] += p * mu
                    d1[e] -= p * mu
                    d2[s] += p * m2
                    d2[e] -= p * m2
                if lp > keep_log:
                    if npairs == cap:
                        cap *= 2
                        ps2 = np.empty(cap, np.int64)
                        pe2 = np.empty(cap, np.int64)
                        pw2 = np.empty(cap)
                        ps2[:npairs] = ps[:npairs]
                        pe2[:npairs] = pe[:npairs]
                        pw2[:npairs] = pw[:npairs]
                        ps, pe, pw = ps2, pe2, pw2
                    ps[npairs] = s
                    pe[npairs] = e
                    pw[npairs] = w
                    npairs += 1
        if mx == -np.inf:
            continue
        acc = 0.0
        for e in range(s + 1, n + 1):
            if buf[e] > mx - 745.0:
                acc += math.exp(buf[e] - mx)
        B[s] = mx + math.log(acc)
    mean = np.cumsum(d1)[:n]
    second = np.cumsum(d2)[:n]
    return B, mean, second, ps[:npairs], pe[:npairs], pw[:npairs]


@njit(cache=True)
def count_posterior(n, ps, pe, pw, logZ, tol):
    """Posterior of the number of changes from the kept segments (sorted by end).

    ``alpha_k[e]`` sums segmentations of ``0..e-1`` into ``k + 1`` segments; the loop
    stops when the probabilities found add up to ``1 - tol`` or no mass is left.
    """
    npairs = ps.shape[0]
    prev = np.full(n + 1, -np.inf)
    prev[0] = 0.0
    out = np.zeros(n)
    total = 0.0
    for k in range(n):
        cur = np.full(n + 1, -np.inf)
        mxs = np.full(n + 1, -np.inf)
        for i in range(npairs):
            x = prev[ps[i]] + pw[i]
            if x > mxs[pe[i]]:
                mxs[pe[i]] = x
        acc = np.zeros(n + 1)
        for i in range(npairs):
            x = prev[ps[i]] + pw[i]
            if x > -np.inf:
                acc[pe[i]] += math.exp(x - mxs[pe[i]])
        alive = False
        for e in range(1, n + 1):
            if acc[e] > 0.0:
                cur[e] = mxs[e] + math.log(acc[e])
                if e < n:
                    alive = True
        if cur[n] > -np.inf:
            out[k] = math.exp(cur[n] - logZ)
            total += out[k]
        if total >= 1.0 - tol or not alive:
            break
        prev = cur
    return out


# -------------------------------------------------------- incomplete gamma inverse
@njit(cache=True)
def _gammainc(a, x):
    """Regularised lower incomplete gamma P(a, x) (series / continued fraction)."""
    if x <= 0.0:
        return 0.0
    lg = a * math.log(x) - x - math.lgamma(a)
    if x < a + 1.0:
        term = 1.0 / a
        tot = term
        ap = a
        for _ in range(10000):
            ap += 1.0
            term *= x / ap
            tot += term
            if abs(term) < abs(tot) * 1e-16:
                break
        return min(1.0, tot * math.exp(lg))
    tiny = 1e-300
    bb = x + 1.0 - a
    c = 1.0 / tiny
    d = 1.0 / bb
    h = d
    for i in range(1, 10000):
        an = -i * (i - a)
        bb += 2.0
        d = an * d + bb
        if abs(d) < tiny:
            d = tiny
        c = bb + an / c
        if abs(c) < tiny:
            c = tiny
        d = 1.0 / d
        dl = d * c
        h *= dl
        if abs(dl - 1.0) < 1e-16:
            break
    return max(0.0, 1.0 - math.exp(lg) * h)


@njit(cache=True)
def gamma_ppf(q, shape, scale):
    """Quantile of Gamma(shape, scale) by bracketing and bisection (relative 1e-13)."""
    out = np.empty(q.shape[0])
    for i in range(q.shape[0]):
        a = shape[i]
        if not (a > 0.0) or not (scale[i] > 0.0):
            out[i] = np.nan
            continue
        p = q[i]
        lo = 0.0
        hi = max(1.0, a)
        while _gammainc(a, hi) < p:
            hi *= 2.0
        for _ in range(200):
            mid = 0.5 * (lo + hi)
            if _gammainc(a, mid) < p:
                lo = mid
            else:
                hi = mid
            if hi - lo <= 1e-13 * hi:
                break
        out[i] = 0.5 * (lo + hi) * scale[i]
    return out
