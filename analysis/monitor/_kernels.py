"""Compiled kernels of the NB2 GLR detector (R ``surveillance``'s ``glr_nb_window``).

Every kernel is a numba ``njit`` function with ``cache=True``: the first call compiles it and
writes the machine code next to this file, later processes load it from disk. This module is
the only one of :mod:`analysis.monitor` that imports numba, and :mod:`.glr` / :mod:`.arl`
import it only when an NB2 statistic is computed, so ``import analysis.monitor`` stays light.

Conventions
-----------
Periods are 0-based. The statistic at period ``n`` maximises, over candidate starts ``k`` in
``lo .. hi`` (``lo = 0`` without a window, else ``max(0, n - M)``; ``hi = n - (Mtilde - 1)``),
the NB2 log likelihood ratio of a multiplicative change ``exp(kappa)`` of the in-control means
``mu`` on periods ``k .. n``:

    l(n, k) = sum_i kappa x_i + (x_i + 1/alpha) log((1 + alpha mu_i) / (1 + alpha mu_i e^kappa)).

``kappa`` is found as surveillance's C code finds it: Newton-Raphson on the score with the
observed information, started at the previous start's (clamped) estimate (0.5 for the first
start), stopped when a step moves less than 1e-6, after 1000 steps or once ``kappa <= -18``;
then clamped to ``kappa >= 0`` (direction 1), ``<= 0`` (-1) or left free (0). Starts are
scanned forwards with a strict ``>``, so ties go to the earliest start (the estimated change
time). Two shortcuts give what the iteration converges to without iterating: a start whose
clamped estimate is 0 is recognised from the score at 0 (``O(1)`` from cumulative sums; the
log likelihood is concave in ``kappa``) and scores exactly 0; a segment with events and one
in-control mean ``m`` has ``exp(kappa) = sum(x) / (L m)`` in closed form (``O(1)``). Other
segments cost ``O(L)`` per Newton step, so the statistic at ``n`` costs ``O(n^2)`` without a
window and ``O(M^2)`` with one.

Periods with ``mu_i = 0`` and ``x_i = 0`` (no exposure) contribute nothing. A segment with
events but no in-control mean is infinite evidence of an increase (``+inf``, ``kappa = +inf``)
and none of a decrease (0); surveillance's C code divides by zero there.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

KAPPA_FLOOR = -18.0
STEP_TOL = 1e-6
MAX_ITER = 1000


@njit(cache=True)
def _score(x, mu, alpha, k, n, kappa):
    e = math.exp(kappa)
    s = 0.0
    for i in range(k, n + 1):
        s += (x[i] - e * mu[i]) / (1.0 + alpha * e * mu[i])
    return s


@njit(cache=True)
def _bisect_score(x, mu, alpha, k, n):
    """Root of the (decreasing) score in [-19, 40] by bisection: the fallback when Newton
    leaves ``|kappa| < 50`` or returns NaN (the C code has no fallback)."""
    lo, hi = -19.0, 40.0
    if _score(x, mu, alpha, k, n, lo) <= 0.0:
        return lo
    if _score(x, mu, alpha, k, n, hi) >= 0.0:
        return hi
    for _ in range(100):
        mid = 0.5 * (lo + hi)
        if _score(x, mu, alpha, k, n, mid) > 0.0:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


@njit(cache=True)
def _segment(x, mu, alpha, k, n, kappa0, d, cx, cmu):
    """(l(n, k), clamped kappa) for one segment; Newton from ``kappa0`` as the C code."""
    sx = cx[n + 1] - cx[k]
    sm = cmu[n + 1] - cmu[k]
    if sm <= 0.0:
        if sx > 0.0 and d >= 0:
            return math.inf, math.inf
        return 0.0, 0.0
    kold = 0.4
    knew = kappa0
    it = 0
    while knew > KAPPA_FLOOR and abs(knew - kold) > STEP_TOL and it < MAX_ITER:
        it += 1
        kold = knew
        e = math.exp(kold)
        score = 0.0
        fisher = 0.0
        for i in range(k, n + 1):
            r = 1.0 / (1.0 + alpha * e * mu[i])
            score += (x[i] - e * mu[i]) * r
            fisher += mu[i] * (alpha * x[i] + 1.0) * r * r
        knew = kold + score / (e * fisher)
    if not (abs(knew) < 50.0):
        knew = _bisect_score(x, mu, alpha, k, n)
    if d == 1:
        kap = max(0.0, knew)
    elif d == -1:
        kap = min(0.0, knew)
    else:
        kap = knew
    if kap == 0.0:
        return 0.0, 0.0
    e = math.exp(kap)
    lnk = 0.0
    ia = 1.0 / alpha
    for i in range(k, n + 1):
        lnk += kap * x[i] + (x[i] + ia) * math.log((1.0 + alpha * mu[i]) / (1.0 + alpha * mu[i] * e))
    return lnk, kap


@njit(cache=True)
def _constant(x, m, alpha, k, n, cx, d):
    """(l(n, k), clamped kappa) of a segment with one in-control mean ``m > 0`` and events:
    the score's root is ``exp(kappa) = sum(x) / (L m)`` (what the C code's iteration converges
    to, within its 1e-6 step, i.e. to about 1e-12)."""
    S = cx[n + 1] - cx[k]
    L = n - k + 1
    kap = math.log(S / (L * m))
    if d == 1:
        kap = max(0.0, kap)
    elif d == -1:
        kap = min(0.0, kap)
    if kap == 0.0:
        return 0.0, 0.0
    lnk = kap * S + (S + L / alpha) * math.log((1.0 + alpha * m) / (1.0 + alpha * m * math.exp(kap)))
    return lnk, kap


@njit(cache=True)
def nb_glr_at(x, mu, alpha, d, n, lo, hi, cs0, cm0, cx, cmu, same):
    """Statistic at period ``n`` over starts ``lo .. hi``: (value, argmax start, its kappa).

    ``cs0`` / ``cm0`` are cumulative sums (leading zero) of ``x / (1 + alpha mu)`` and
    ``mu / (1 + alpha mu)``: the score at ``kappa = 0`` of segment ``k .. n`` is
    ``(cs0[n+1] - cs0[k]) - (cm0[n+1] - cm0[k])``. ``cx`` / ``cmu`` are those of ``x`` / ``mu`` and
    ``same[k]`` the last period from ``k`` on with the in-control mean of ``k``: a segment
    with one positive mean and events has the closed form of :func:`_constant`."""
    best = -1e99
    arg = -1
    bk = 0.0
    kappa_ml = 0.5
    for k in range(lo, hi + 1):
        s0 = (cs0[n + 1] - cs0[k]) - (cm0[n + 1] - cm0[k])
        if (d == 1 and s0 <= 0.0) or (d == -1 and s0 >= 0.0):
            # concave log likelihood: the MLE is on the clamped side, l(n, k) = 0
            lnk = 0.0
            kappa_ml = 0.0
        elif same[k] >= n and mu[k] > 0.0 and cx[n + 1] - cx[k] > (n - k + 1) * mu[k] * 1e-7:
            # (kappa > log(1e-7) > -18: the C iteration would not have stopped at its floor)
            lnk, kappa_ml = _constant(x, mu[k], alpha, k, n, cx, d)
        else:
            lnk, kappa_ml = _segment(x, mu, alpha, k, n, kappa_ml, d, cx, cmu)
            if not math.isfinite(kappa_ml):
                kappa_ml = 0.5
        if lnk > best:
            best = lnk
            arg = k
            bk = kappa_ml if lnk != 0.0 else 0.0
    return best, arg, bk


@njit(cache=True)
def _cums(x, mu, alpha):
    n = x.shape[0]
    cs0 = np.zeros(n + 1)
    cm0 = np.zeros(n + 1)
    cx = np.zeros(n + 1)
    cmu = np.zeros(n + 1)
    same = np.empty(n, np.int64)
    for i in range(n):
        q = 1.0 + alpha * mu[i]
        cs0[i + 1] = cs0[i] + x[i] / q
        cm0[i + 1] = cm0[i] + mu[i] / q
        cx[i + 1] = cx[i] + x[i]
        cmu[i + 1] = cmu[i] + mu[i]
    for i in range(n - 1, -1, -1):
        same[i] = same[i + 1] if i + 1 < n and mu[i + 1] == mu[i] else i
    return cs0, cm0, cx, cmu, same


@njit(cache=True)
def nb_glr_path(x, mu, alpha, d, threshold, M, Mtilde):
    """The detector with restarts (``M < 0``: no window). Returns statistic, alarm, change
    (0-based start of the maximising segment, -1 before the first statistic), kappa."""
    N = x.shape[0]
    stat = np.zeros(N)
    alarm = np.zeros(N, np.bool_)
    change = np.full(N, -1, np.int64)
    kap = np.zeros(N)
    begin = 0
    while begin < N:
        xs = x[begin:]
        ms = mu[begin:]
        cs0, cm0, cx, cmu, same = _cums(xs, ms, alpha)
        fired = False
        for n in range(max(Mtilde - 1, 0), xs.shape[0]):
            lo = 0 if M < 0 else max(0, n - M)
            hi = n - (Mtilde - 1)
            if hi < lo:
                continue
            v, a, kk = nb_glr_at(xs, ms, alpha, d, n, lo, hi, cs0, cm0, cx, cmu, same)
            stat[begin + n] = v
            change[begin + n] = begin + a
            kap[begin + n] = kk
            if v >= threshold:
                alarm[begin + n] = True
                begin = begin + n + 1
                fired = True
                break
        if not fired:
            break
    return stat, alarm, change, kap


@njit(cache=True)
def nb_glr_maxpaths(X, mu, alpha, d, M, Mtilde, out, next_n, stop_at):
    """Running maximum of the statistic without restarts on each row of ``X`` (simulated
    in-control counts, means ``mu``), written into ``out``: the first period it reaches a
    threshold is the run length of the detector at that threshold.

    Row ``s`` is continued from period ``next_n[s]`` (0 for a fresh row) until its running
    maximum reaches ``stop_at`` or the row ends, and ``next_n[s]`` is updated, so a caller
    can raise ``stop_at`` and resume. Entries from ``next_n[s]`` on stay 0; the first
    period with ``out >= h`` is exact for every ``h <= stop_at``."""
    S, N = X.shape
    for s in range(S):
        n = next_n[s]
        if n >= N:
            continue
        run = out[s, n - 1] if n > 0 else 0.0
        if run >= stop_at:
            continue
        x = X[s]
        cs0, cm0, cx, cmu, same = _cums(x, mu, alpha)
        while n < N:
            lo = 0 if M < 0 else max(0, n - M)
            hi = n - (Mtilde - 1)
            if hi >= lo:
                v, a, kk = nb_glr_at(x, mu, alpha, d, n, lo, hi, cs0, cm0, cx, cmu, same)
                if v > run:
                    run = v
            out[s, n] = run
            n += 1
            if run >= stop_at:
                break
        next_n[s] = n
