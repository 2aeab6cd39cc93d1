"""Reference for the filtered Bayesian recursions: the first implementation, in plain Python.

The filtered forward and backward recursions as they were first written (one loop per
run length, weights recomputed from the cumulative arrays at every boundary), kept here
unchanged except that they run as plain Python and draw their stratified-resampling
uniforms from ``numpy.random.RandomState(seed)``, which gives the same Mersenne-Twister
stream as ``np.random.seed(seed)`` inside the compiled kernels. The compiled kernels in
``analysis.changepoints._kernels`` must reproduce them on short series; this file is
slow (pure Python) and is only for tests.
"""

from __future__ import annotations

import math

import numpy as np

_LSE_CUT = 40.0


def _int_cumsum(cy, tables):
    icy = np.zeros(cy.shape[0] if tables & 1 else 1, np.int64)
    if tables & 1:
        for i in range(cy.shape[0]):
            icy[i] = np.int64(cy[i] + 0.5)
    return icy



def _seg_ll(cy, ce, icy, s, e, a, b, c0, LG, LB, tables):
    """Log marginal likelihood of segment ``[s, e)`` (as :func:`_loglik_row`)."""
    if tables & 1:
        Si = icy[e] - icy[s]
        lgs = LG[Si]
        S = float(Si)
    else:
        S = cy[e] - cy[s]
        lgs = math.lgamma(a + S)
    if tables & 2:
        lb = LB[e - s]
    else:
        lb = math.log(b + ce[e] - ce[s])
    return c0 + lgs - (a + S) * lb


def _thin(cand, adj, logw, vs, nc, log_tol, cap, vkeep, lse, acc, rng):
    """Thin the run lengths ``cand[:nc]`` (oldest first; order is kept).

    ``logw`` are their log weights (``lse`` their log-sum-exp, so
    ``w = exp(logw - lse)`` sums to 1) and ``vs`` their Viterbi scores. The ``vkeep``
    best by ``vs`` always stay. Of the others, those with ``w < exp(-log_tol)`` are
    dropped (their mass is added to ``acc[0]``). If more than ``cap`` remain, the
    rest are thinned to ``cap`` by Fearnhead and Liu's (2007) stratified optimal
    resampling: with ``c`` solving ``sum(min(1, w / c)) = slots``, every run with
    ``w >= c`` stays and the lighter ones are resampled with a stratified draw, each
    survivor carrying weight ``c`` (``adj += log(c / w)``), so the weights stay
    unbiased; the mass so resampled is added to ``acc[1]``. Returns the new count.
    """
    keep = np.zeros(nc, np.bool_)
    nv = 0
    if vkeep > 0:
        if nc <= vkeep:
            for i in range(nc):
                keep[i] = True
            return nc
        tv = np.sort(vs[:nc])[nc - vkeep]
        for i in range(nc):
            if vs[i] >= tv and nv < vkeep:
                keep[i] = True
                nv += 1
    slots = cap - nv
    free = 0
    thr = -log_tol
    for i in range(nc):
        if not keep[i]:
            if logw[i] - lse < thr:
                acc[0] += math.exp(logw[i] - lse)
                logw[i] = -np.inf
            else:
                free += 1
    if free > slots and slots > 0:
        w = np.empty(free)
        k = 0
        for i in range(nc):
            if not keep[i] and logw[i] > -np.inf:
                w[k] = math.exp(logw[i] - lse)
                k += 1
        ws = np.sort(w)[::-1]
        tail = ws.sum()
        c = tail / slots
        kk = 0
        while kk < slots and ws[kk] >= c:
            tail -= ws[kk]
            kk += 1
            c = tail / (slots - kk) if slots > kk else np.inf
        u = rng.random_sample() * c
        cum = 0.0
        for i in range(nc):
            if keep[i] or logw[i] == -np.inf:
                continue
            wi = math.exp(logw[i] - lse)
            if wi >= c:
                keep[i] = True
                continue
            acc[1] += wi
            lo = cum
            cum += wi
            # a stratum point u + j c falls in [lo, cum)
            j = math.ceil((lo - u) / c) if lo > u else 0.0
            if u + j * c < cum:
                keep[i] = True
                adj[i] += math.log(c / wi)
    else:
        for i in range(nc):
            if logw[i] > -np.inf:
                keep[i] = True
    j = 0
    for i in range(nc):
        if keep[i]:
            cand[j] = cand[i]
            adj[j] = adj[i]
            j += 1
    return j


def _drop_or_thin(cand, adj, xp, xv, nc, lse, mv, log_tol, cap, vkeep, acc, rng):
    """Per boundary: drop the run lengths whose weight (``exp(xp - lse)``) and Viterbi
    score (``xv``, best ``mv``) are both below ``exp(-log_tol)`` of the total and the
    best (mass to ``acc[0]``); above ``1.5 cap`` run lengths, thin to ``cap`` with
    :func:`_thin`. Returns the new count."""
    if nc > cap + cap // 2:
        return _thin(cand, adj, xp, xv, nc, log_tol, cap, vkeep, lse, acc, rng)
    j = 0
    for i in range(nc):
        if xp[i] - lse >= -log_tol or xv[i] >= mv - log_tol:
            cand[j] = cand[i]
            adj[j] = adj[i]
            j += 1
        else:
            acc[0] += math.exp(xp[i] - lse)
    return j


def bayes_forward_filtered(cy, ce, a, b, LG, LB, tables, LEN, LENF, BOOST, NOCH, use_lik,
                           min_size, log_tol, cap, vkeep, seed, geo):
    """:func:`bayes_forward` over a filtered set of segment starts (run lengths).

    At each boundary ``e`` the starts ``s`` of the current segment carry the weight
    of the run (``A[s]``, the prior that the segment lasts past ``e - s`` rows and
    the likelihood of rows ``s..e-1``). Starts whose weight falls below
    ``exp(-log_tol)`` of the total are dropped; when more than ``1.5 cap`` remain they
    are thinned to ``cap`` by :func:`_thin` (stratified optimal resampling, seeded by
    ``seed``), always keeping the ``vkeep`` best for the Viterbi recursion. Memory
    O(n + cap), time O(n cap). Returns ``A, V, vlast``, the mass dropped below the
    tolerance, the mass resampled and the largest number of starts retained.
    """
    rng = np.random.RandomState(seed)
    n = cy.shape[0] - 1
    A = np.full(n + 1, -np.inf)
    V = np.full(n + 1, -np.inf)
    AN = np.full(n + 1, -np.inf)
    VN = np.full(n + 1, -np.inf)
    vlast = np.full(n + 1, -1, np.int64)
    A[0] = 0.0
    V[0] = 0.0
    AN[0] = -NOCH[0]
    VN[0] = -NOCH[0]
    c0 = a * math.log(b) - math.lgamma(a)
    icy = _int_cumsum(cy, tables)
    size = cap + cap // 2 + 2
    cand = np.empty(size, np.int64)
    adj = np.zeros(size)
    xa = np.empty(size)
    xp = np.empty(size)
    xv = np.empty(size)
    acc = np.zeros(2)
    nc = 0
    maxc = 0
    for e in range(min_size, n + 1):
        s_new = e - min_size
        if AN[s_new] > -np.inf:
            cand[nc] = s_new
            adj[nc] = 0.0
            nc += 1
        if nc > maxc:
            maxc = nc
        if e == n:
            be = NOCH[n - 1]
            L = LENF
        else:
            be = BOOST[e] + NOCH[e - 1]
            L = LEN
        mx = -np.inf
        mp = -np.inf
        mv = -np.inf
        vbest = -np.inf
        va = -1
        for i in range(nc):
            s = cand[i]
            ll = _seg_ll(cy, ce, icy, s, e, a, b, c0, LG, LB, tables) if use_lik else 0.0
            t = L[e - s] + be + ll
            x = AN[s] + t + adj[i]
            xa[i] = x
            if x > mx:
                mx = x
            y = VN[s] + t
            if y > vbest:
                vbest = y
                va = s
            # run-length weight: the segment lasts past e - s rows
            xp[i] = AN[s] + LENF[e - s] + ll + adj[i]
            xv[i] = VN[s] + LENF[e - s] + ll
            if xp[i] > mp:
                mp = xp[i]
            if xv[i] > mv:
                mv = xv[i]
        if nc == 0:
            continue
        lse = -np.inf
        if mx > -np.inf:
            tot = 0.0
            cut = mx - _LSE_CUT
            for i in range(nc):
                if xa[i] > cut:
                    tot += math.exp(xa[i] - mx)
            A[e] = mx + math.log(tot)
            V[e] = vbest
            vlast[e] = va
            if e < n:
                AN[e] = A[e] - NOCH[e]
                VN[e] = V[e] - NOCH[e]
            if geo:
                lse = A[e] - be  # the run-length weights are the terms less be
        if e == n or mp == -np.inf:
            continue
        if not geo or lse == -np.inf:
            tot = 0.0
            for i in range(nc):
                tot += math.exp(xp[i] - mp)
            lse = mp + math.log(tot)
        nc = _drop_or_thin(cand, adj, xp, xv, nc, lse, mv, log_tol, cap, vkeep, acc, rng)
    return A, V, vlast, acc[0], acc[1], maxc


def bayes_backward_filtered(cy, ce, a, b, LG, LB, tables, LEN, LENF, BOOST, NOCH, A, keep_log,
                            min_size, log_tol, cap, vkeep, seed, geo):
    """:func:`bayes_backward` over a filtered set of segment ends.

    The mirror of :func:`bayes_forward_filtered`: going back from the end, the ends
    ``e`` of the segment that starts at ``s`` are weighed by the prior that it lasts
    at least ``e - s`` rows, the likelihood and ``B[e]``, and dropped or resampled
    by the same rules. Returns what :func:`bayes_backward` returns, then the mass
    dropped below the tolerance, the mass resampled and the largest number of ends
    retained.
    """
    rng = np.random.RandomState(seed)
    n = cy.shape[0] - 1
    B = np.full(n + 1, -np.inf)
    B[n] = 0.0
    logZ = A[n]
    BN = np.full(n + 1, -np.inf)
    c0 = a * math.log(b) - math.lgamma(a)
    icy = _int_cumsum(cy, tables)
    d1 = np.zeros(n + 1)
    d2 = np.zeros(n + 1)
    size = cap + cap // 2 + 2
    cand = np.empty(size, np.int64)
    adj = np.zeros(size)
    xs = np.empty(size)
    xp = np.empty(size)
    xv = np.empty(size)
    acc = np.zeros(2)
    pcap = 1024
    ps = np.empty(pcap, np.int64)
    pe = np.empty(pcap, np.int64)
    pw = np.empty(pcap)
    npairs = 0
    dropped_pairs = 0.0
    nc = 0
    maxc = 0
    for s in range(n - min_size, -1, -1):
        e_new = s + min_size
        if e_new == n or BN[e_new] > -np.inf:
            cand[nc] = e_new
            adj[nc] = 0.0
            nc += 1
        if nc > maxc:
            maxc = nc
        ns = NOCH[s]
        mx = -np.inf
        mp = -np.inf
        mv = -np.inf
        for i in range(nc):
            e = cand[i]
            ll = _seg_ll(cy, ce, icy, s, e, a, b, c0, LG, LB, tables)
            if e == n:
                x = LENF[n - s] + NOCH[n - 1] - ns + ll
                y = x
            else:
                x = LEN[e - s] - ns + ll + BN[e]
                y = LENF[e - s] - ns + ll + BN[e]
            xs[i] = x + adj[i]
            xp[i] = y + adj[i]
            xv[i] = y
            if xs[i] > mx:
                mx = xs[i]
            if xp[i] > mp:
                mp = xp[i]
            if y > mv:
                mv = y
        lse = -np.inf
        if mx > -np.inf:
            tot = 0.0
            cut = mx - _LSE_CUT
            for i in range(nc):
                if xs[i] > cut:
                    tot += math.exp(xs[i] - mx)
            B[s] = mx + math.log(tot)
            if geo:
                lse = B[s]  # with a geometric prior the two weights coincide
            if s > 0:
                BN[s] = BOOST[s] + NOCH[s - 1] + B[s]
            if A[s] > -np.inf:
                cut = logZ - A[s] - _LSE_CUT
                for i in range(nc):
                    x = xs[i]
                    if x <= cut:
                        continue
                    e = cand[i]
                    lp = A[s] + x - logZ
                    p = math.exp(lp)
                    S = cy[e] - cy[s]
                    E = ce[e] - ce[s]
                    mu = (a + S) / (b + E)
                    m2 = mu * (a + S + 1.0) / (b + E)
                    d1[s] += p * mu
                    d1[e] -= p * mu
                    d2[s] += p * m2
                    d2[e] -= p * m2
                    if lp <= keep_log:
                        dropped_pairs += p
                        continue
                    if npairs == pcap:
                        pcap *= 2
                        ps2 = np.empty(pcap, np.int64)
                        pe2 = np.empty(pcap, np.int64)
                        pw2 = np.empty(pcap)
                        ps2[:npairs] = ps[:npairs]
                        pe2[:npairs] = pe[:npairs]
                        pw2[:npairs] = pw[:npairs]
                        ps, pe, pw = ps2, pe2, pw2
                    ps[npairs] = s
                    pe[npairs] = e
                    pw[npairs] = A[s] + x - B[e] - A[e]
                    npairs += 1
        if s == 0 or mp == -np.inf:
            continue
        if not geo or lse == -np.inf:
            tot = 0.0
            for i in range(nc):
                tot += math.exp(xp[i] - mp)
            lse = mp + math.log(tot)
        nc = _drop_or_thin(cand, adj, xp, xv, nc, lse, mv, log_tol, cap, vkeep, acc, rng)
    mean = np.cumsum(d1)[:n]
    second = np.cumsum(d2)[:n]
    return (B, mean, second, ps[:npairs], pe[:npairs], pw[:npairs], dropped_pairs, acc[0],
            acc[1], maxc)

