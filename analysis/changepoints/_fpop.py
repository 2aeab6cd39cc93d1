"""Functional pruning (FPOP; Maidstone et al. 2017) for the Poisson cost: compiled kernel.

The exact penalised Poisson segmentation (no MBIC terms, ``min_size = 1``,
``jump = 1``) that :class:`~analysis.changepoints.Pelt` runs for that case. Its own
module so that the searches which do not use it do not load it (see
:mod:`analysis.changepoints._kernels` for the conventions: rows 0-based, cumulative
arrays of length ``n + 1`` with a leading zero, cost code 4 = whole counts with one
unit of exposure per row and ``LT[k] = log(k)``).

Storage: each live candidate keeps a handful of scalars in parallel arrays (start,
``F`` at the start, the cumulative count and exposure there, the hull ``[A, B]`` of its
rate set and ``log A``, ``log B``); the pieces its rate set had when it was created are
written once to flat arrays and never move. The rate set only ever shrinks by an
interval (a sublevel set of a convex function), so it is always those pieces cut to
the hull; the hull's ends are moved onto the pieces. With the logarithms of the hull's
ends kept, testing whether a candidate's set must shrink costs no ``log`` call; only
an actual cut runs Newton steps.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

#: most intervals in the rate set of a new FPOP candidate (more are merged, closest
#: first: a larger set, still exact)
_FP_K = 4
#: the new candidate's rate set is cut by the sets where the current best and the
#: newest candidates are cheaper (all candidates would cut more but cost more time;
#: fewer cuts leave a larger set, which is still exact)
_FP_J = 2


@njit(cache=True)
def _gmu(mu, E, S, c):
    """``2 (mu E - S log mu) - 2 S - c``: the Poisson cost of a segment at rate ``mu``
    (its minimum over ``mu`` is R's cost ``2 S (log E - log S)``) less ``c``."""
    if S > 0.0:
        if mu <= 0.0:
            return np.inf
        return 2.0 * (mu * E - S * math.log(mu)) - 2.0 * S - c
    return 2.0 * mu * E - c


@njit(cache=True)
def _gmu_log(mu, lmu, E, S, c):
    """:func:`_gmu` with ``lmu = log(mu)`` given (``-inf`` for ``mu = 0``)."""
    if S > 0.0:
        if mu <= 0.0:
            return np.inf
        return 2.0 * (mu * E - S * lmu) - 2.0 * S - c
    return 2.0 * mu * E - c


#: log(1 + 1e-12) and log(1 - 1e-12): the widening of a root, on the log scale
_LW_UP = math.log1p(1e-12)
_LW_DOWN = math.log1p(-1e-12)


@njit(cache=True)
def _left_root(E, S, c, lo, llo):
    """``(r, log r)``: a point ``r <=`` the smaller root of :func:`_gmu`, ``r >= lo``
    (``g(lo) >= 0``, ``S > 0``; ``llo = log(lo)``).

    Newton in ``u = log mu`` from a point where ``g >= 0`` on the decreasing branch of
    a convex function never passes the root; the result is widened by 1e-12."""
    # g(e^u) >= -2 S u - 2 S - c >= 0 for u <= -1 - c / (2 S)
    u = -1.0 - c / (2.0 * S)
    if lo > 0.0 and llo > u:
        u = llo
    for _ in range(100):
        mu = math.exp(u)
        h = 2.0 * (mu * E - S * u) - 2.0 * S - c
        if h <= 0.0:
            break
        d = 2.0 * (mu * E - S)
        if d >= 0.0:
            break
        step = h / d
        u -= step
        if -step <= 1e-13 * max(1.0, abs(u)):
            break
    r = math.exp(u) * (1.0 - 1e-12)
    if r > lo:
        return r, u + _LW_DOWN
    return lo, llo


@njit(cache=True)
def _right_root(E, S, c, hi, lhi, ghi):
    """``(r, log r)``: a point ``r >=`` the larger root of :func:`_gmu`, ``r <= hi``
    (``lhi = log(hi)``, ``ghi = g(hi) >= 0``); Newton in ``u = log mu`` from ``hi`` on
    the increasing branch (convex: it never passes the root), widened by 1e-12."""
    u = lhi
    h = ghi
    for _ in range(100):
        if h <= 0.0:
            break
        mu = math.exp(u) if u != lhi else hi
        d = 2.0 * (mu * E - S)
        if d <= 0.0:
            break
        step = h / d
        u -= step
        if step <= 1e-13 * max(1.0, abs(u)):
            break
        h = 2.0 * (math.exp(u) * E - S * u) - 2.0 * S - c
    r = math.exp(u) * (1.0 + 1e-12)
    if r < hi:
        return r, u + _LW_UP
    return hi, lhi


@njit(cache=True)
def fpop_poisson_kernel(code, cs, ce, LT, pen, rmin, rmax):
    """Exact penalised Poisson segmentation with functional pruning (FPOP; Maidstone
    et al. 2017), ``min_size = 1``, no MBIC terms; ``code`` 0 or 4.

    Each candidate start ``tau`` keeps the set of rates ``mu`` (up to ``_FP_K``
    intervals) at which it can still give the least cost: at each time ``t`` the rates
    where ``F[tau] + C_mu(tau, t) > F[t] + margin`` go (``C_mu`` is the cost at rate
    ``mu``, additive over rows, so candidate ``t`` is cheaper at ``mu`` for every later
    end), and the new candidate ``t`` starts without the rates at which an older
    candidate is already cheaper than ``F[t] - margin``. Each such set is an interval
    (the costs are convex in ``mu``); roots are found by Newton steps that stay on the
    safe side, and when a new candidate's set has more than ``_FP_K`` pieces the
    closest ones are merged (a larger set, so still exact). A candidate whose set is
    empty can never be the best and is dropped. Rates are restricted to
    ``[rmin, rmax]``, the range of the row rates, which holds every segment's rate
    estimate. ``margin`` (1e-11 relative) keeps rounding from dropping a candidate that
    ties, so ties still go to the earliest start. ``F`` is computed with the arithmetic
    of ``op_kernel``, so the result is the same. Returns ``F``, ``last`` and the
    largest candidate-set size.
    """
    n = cs.shape[0] - 1
    KP = _FP_K
    F = np.full(n + 1, np.inf)
    last = np.full(n + 1, -1, np.int64)
    F[0] = -pen
    ics = np.empty(n + 1 if code == 4 else 0, np.int64)
    if code == 4:
        for i in range(n + 1):
            ics[i] = np.int64(cs[i] + 0.5)
    # live candidates (np.empty leaves pages untouched until used: only the live
    # candidates, always at the front, cost memory)
    cand = np.empty(n + 1, np.int64)
    fc = np.empty(n + 1)
    ha = np.empty(n + 1)   # hull of the rate set
    hb = np.empty(n + 1)
    la = np.empty(n + 1)   # log of the hull's ends
    lb = np.empty(n + 1)
    p0 = np.empty(n + 1, np.int64)  # first piece in PL/PR, and the number of pieces
    pk = np.empty(n + 1, np.int64)
    wl = np.empty(n + 1)   # last roots of the "cheaper than t" sets (warm starts)
    wr = np.empty(n + 1)
    wll = np.empty(n + 1)  # and their logs
    wrl = np.empty(n + 1)
    vals = np.empty(n + 1)
    # pieces of every candidate's set at creation, written once
    PL = np.empty((n + 1) * KP)
    PR = np.empty((n + 1) * KP)
    npieces = 0
    jl = np.empty(_FP_J)
    jr = np.empty(_FP_J)
    # pieces of the next candidate
    ql = np.empty(2 * _FP_J + 2)
    qr = np.empty(2 * _FP_J + 2)
    nq = 1
    ql[0] = rmin
    qr[0] = rmax
    nc = 0
    maxc = 0
    nLT = LT.shape[0]
    lrmin = math.log(rmin) if rmin > 0.0 else -np.inf
    lrmax = math.log(rmax) if rmax > 0.0 else -np.inf
    for t in range(1, n + 1):
        if nq > 0:
            cand[nc] = t - 1
            fc[nc] = F[t - 1]
            p0[nc] = npieces
            pk[nc] = nq
            for k in range(nq):
                PL[npieces] = ql[k]
                PR[npieces] = qr[k]
                npieces += 1
            ha[nc] = ql[0]
            hb[nc] = qr[nq - 1]
            la[nc] = math.log(ql[0]) if ql[0] > 0.0 else -np.inf
            lb[nc] = math.log(qr[nq - 1]) if qr[nq - 1] > 0.0 else -np.inf
            wl[nc] = -1.0
            wr[nc] = -1.0
            nc += 1
        if nc > maxc:
            maxc = nc
        best = np.inf
        arg = -1
        # the segment costs, inline (a call taking arrays costs reference counting):
        # the arithmetic of _kernels.seg_cost, so F equals op_kernel's bit for bit
        if code == 4:
            st = ics[t]
            for i in range(nc):
                tau = cand[i]
                S = st - ics[tau]
                if S > 0:
                    lS = LT[S] if S < nLT else math.log(S)
                    v = fc[i] + 2.0 * S * (LT[t - tau] - lS)
                else:
                    v = fc[i] + 0.0
                vals[i] = v
                if v < best:
                    best = v
                    arg = i
        else:
            cst = cs[t]
            cet = ce[t]
            for i in range(nc):
                tau = cand[i]
                S = cst - cs[tau]
                if S > 0.0:
                    v = fc[i] + 2.0 * S * (math.log(cet - ce[tau]) - math.log(S))
                else:
                    v = fc[i] + 0.0
                vals[i] = v
                if v < best:
                    best = v
                    arg = i
        F[t] = best + pen
        last[t] = cand[arg]
        if t == n:
            break
        Ft = F[t]
        margin = 1e-11 * (1.0 + abs(Ft))
        cst = cs[t]
        cet = ce[t]
        j = 0
        nj = 0
        for i in range(nc):
            tau = cand[i]
            S = cst - cs[tau]
            E = cet - ce[tau]
            fci = fc[i]
            if nj < _FP_J and (i == arg or i == nc - 1):
                # rates at which tau is already cheaper than the next candidate (t): an
                # inner approximation, so the set left to t holds every rate it can win at
                cj = Ft - margin - fci
                m0 = S / E
                m = min(max(m0, rmin), rmax)
                if S > 0.0 and m == m0:
                    gm = (vals[i] - fci) - cj  # g at the segment's own rate: its minimum
                else:
                    gm = _gmu(m, E, S, cj)
                wl_new, wr_new = -1.0, -1.0
                wll_new, wrl_new = 0.0, 0.0
                if gm < 0.0:
                    l = rmin
                    if _gmu_log(rmin, lrmin, E, S, cj) >= 0.0:
                        # warm start from the last root when it is still left of this one
                        st, lst = rmin, lrmin
                        wli = wl[i]
                        if wli > rmin and wli < m and _gmu_log(wli, wll[i], E, S, cj) >= 0.0:
                            st, lst = wli, wll[i]
                        wl_new, wll_new = _left_root(E, S, cj, st, lst)
                        l = wl_new * (1.0 + 1e-9)
                    r = rmax
                    gr = _gmu_log(rmax, lrmax, E, S, cj)
                    if gr >= 0.0:
                        st, lst = rmax, lrmax
                        wri = wr[i]
                        if wri > m and wri < rmax:
                            gw = _gmu_log(wri, wrl[i], E, S, cj)
                            if gw >= 0.0:
                                st, lst, gr = wri, wrl[i], gw
                        wr_new, wrl_new = _right_root(E, S, cj, st, lst, gr)
                        r = wr_new * (1.0 - 1e-9)
                    if l < r:
                        jl[nj] = l
                        jr[nj] = r
                        nj += 1
                wl[i] = wl_new
                wr[i] = wr_new
                wll[i] = wll_new
                wrl[i] = wrl_new
            cc = Ft + margin - fci
            # the minimum over all rates is the segment cost: drop at once if even it
            # loses (the PELT rule), else cut the set to where the candidate wins
            if vals[i] - fci > cc + 1e-9 * (1.0 + abs(cc)):
                continue
            a, b = ha[i], hb[i]
            ga = _gmu_log(a, la[i], E, S, cc)
            gb = _gmu_log(b, lb[i], E, S, cc)
            if ga >= 0.0 or gb >= 0.0:
                # some end is above: cut (both ends below: the convex sublevel set holds
                # [a, b], nothing to cut)
                if ga >= 0.0 and gb >= 0.0:
                    m = min(max(S / E, a), b)
                    if _gmu(m, E, S, cc) >= 0.0:
                        continue
                lan, lbn = la[i], lb[i]
                if ga >= 0.0:
                    if S <= 0.0:
                        continue  # g increasing from g(a) >= 0: nothing below
                    a, lan = _left_root(E, S, cc, a, lan)
                if gb >= 0.0:
                    b, lbn = _right_root(E, S, cc, b, lbn, gb)
                # move the ends onto the pieces
                q0 = p0[i]
                q1 = q0 + pk[i]
                if q1 - q0 > 1:
                    k = q0
                    while k < q1 and PR[k] < a:
                        k += 1
                    if k == q1:
                        continue
                    if PL[k] > a:
                        a = PL[k]
                        lan = math.log(a) if a > 0.0 else -np.inf
                    k = q1 - 1
                    while k >= q0 and PL[k] > b:
                        k -= 1
                    if k < q0:
                        continue
                    if PR[k] < b:
                        b = PR[k]
                        lbn = math.log(b) if b > 0.0 else -np.inf
                if a > b:
                    continue
                ha[i] = a
                hb[i] = b
                la[i] = lan
                lb[i] = lbn
            if j != i:
                cand[j] = tau
                fc[j] = fci
                ha[j] = ha[i]
                hb[j] = hb[i]
                la[j] = la[i]
                lb[j] = lb[i]
                p0[j] = p0[i]
                pk[j] = pk[i]
                wl[j] = wl[i]
                wr[j] = wr[i]
                wll[j] = wll[i]
                wrl[j] = wrl[i]
            j += 1
        nc = j
        # the next candidate's set: [rmin, rmax] less the union of the J intervals
        nq = 0
        if nj == 0:
            ql[0] = rmin
            qr[0] = rmax
            nq = 1
        else:
            if nj == 2 and jl[1] < jl[0]:
                x, y = jl[0], jr[0]
                jl[0], jr[0] = jl[1], jr[1]
                jl[1], jr[1] = x, y
            cur = rmin
            for k in range(nj):
                if jl[k] > cur:
                    ql[nq] = cur
                    qr[nq] = jl[k]
                    nq += 1
                if jr[k] > cur:
                    cur = jr[k]
            if cur < rmax:
                ql[nq] = cur
                qr[nq] = rmax
                nq += 1
            while nq > KP:
                # merge the two neighbours with the smallest gap
                g = 0
                best_gap = np.inf
                for k in range(nq - 1):
                    d = ql[k + 1] - qr[k]
                    if d < best_gap:
                        best_gap = d
                        g = k
                qr[g] = qr[g + 1]
                for k in range(g + 1, nq - 1):
                    ql[k] = ql[k + 1]
                    qr[k] = qr[k + 1]
                nq -= 1
    return F, last, maxc
