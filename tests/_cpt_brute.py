"""Brute-force references for the changepoint tests: every segmentation enumerated."""

from __future__ import annotations

import math

import numpy as np


def segment_cost(y, s, e, cost, *, mbic=False, alpha=None, exposure=None):
    """Cost of rows s..e-1 computed directly from the rows (no cumulative sums)."""
    seg = np.asarray(y[s:e], float)
    m = e - s
    S = seg.sum()
    if cost == "poisson":
        if S <= 0:
            return 0.0  # R: mbic_meanvar_poisson returns 0 for a zero-sum segment
        E = m if exposure is None else float(np.sum(exposure[s:e]))
        c = 2 * S * (math.log(E) - math.log(S))
    elif cost == "negbin":
        r = 1.0 / alpha
        if S <= 0:
            c = 0.0
        else:
            mu = S / m
            c = -2 * sum(yi * math.log(mu / (r + mu)) + r * math.log(r / (r + mu)) for yi in seg)
    elif cost == "normal":
        c = float(np.sum((seg - seg.mean()) ** 2))
    elif cost == "normal-meanvar":
        v = max(float(np.mean((seg - seg.mean()) ** 2)), 1e-11)
        c = m * (math.log(2 * math.pi) + math.log(v) + 1)
    else:
        raise ValueError(cost)
    return c + (math.log(m) if mbic else 0.0)


def cost_matrix(y, cost, **kw):
    n = len(y)
    C = np.full((n + 1, n + 1), np.inf)
    for s in range(n):
        for e in range(s + 1, n + 1):
            C[s, e] = segment_cost(y, s, e, cost, **kw)
    return C


def package_cost_matrix(cost_obj, n, mbic=False):
    """Segment costs from a fitted package cost (its O(1) cumulative-sum formula)."""
    C = np.full((n + 1, n + 1), np.inf)
    for s in range(n):
        for e in range(s + 1, n + 1):
            C[s, e] = cost_obj.error(s, e, mbic=mbic)
    return C


def all_segmentations(n, min_size=1):
    """Boolean starts matrix (rows = segmentations) and the next-start index matrix."""
    k = n - 1
    masks = np.arange(2 ** k, dtype=np.int64)
    bits = ((masks[:, None] >> np.arange(k)) & 1).astype(bool)  # bit j: change at row j+1
    is_start = np.ones((len(masks), n), bool)
    is_start[:, 1:] = bits
    nxt = np.full((len(masks), n), n, np.int64)
    cur = np.full(len(masks), n, np.int64)
    for s in range(n - 1, -1, -1):
        nxt[:, s] = cur
        cur = np.where(is_start[:, s], s, cur)
    ok = np.all(~is_start | (nxt - np.arange(n) >= min_size), axis=1)
    return is_start[ok], nxt[ok]


def brute_force(y, cost, pen, min_size=1, *, mbic=False, n_changes=None, C=None, tol=1e-9, **kw):
    """All optimal segmentations (within ``tol``) of the penalised cost.

    ``C`` (optional) is a matrix of segment costs ``C[s, e]``; by default they are
    computed directly from the rows. Returns (best cost, list of optimal changepoints).
    """
    n = len(y)
    if C is None:
        C = cost_matrix(y, cost, mbic=mbic, **kw)
    is_start, nxt = all_segmentations(n, min_size)
    cols = np.arange(n)
    segc = np.where(is_start, C[cols[None, :], nxt], 0.0)
    k = is_start.sum(axis=1) - 1
    tot = segc.sum(axis=1) + pen * k
    if n_changes is not None:
        tot = np.where(k == n_changes, tot, np.inf)
    best = tot.min()
    opt = np.flatnonzero(tot <= best + tol)
    sols = [tuple(int(j) for j in np.flatnonzero(is_start[i])[1:]) for i in opt]
    return best, sols
