"""Intervals: exact Poisson (Garwood) rate intervals and bootstrap change locations."""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd

from ..schema import InputError, ModelError


def garwood(counts, exposure, level: float = 0.95):
    r"""Exact Poisson confidence interval for a rate (Garwood 1936).

    For a total count :math:`S` over exposure :math:`E`,

    .. math:: \left[\frac{\chi^2_{2S}(\alpha/2)}{2E},\;
                    \frac{\chi^2_{2S+2}(1-\alpha/2)}{2E}\right],

    with lower limit 0 when :math:`S = 0`. Non-integer totals (split allocations) use
    the same formula through the Gamma distribution (:math:`\chi^2_{2S}/2 \sim
    \mathrm{Gamma}(S)`).

    Parameters
    ----------
    counts, exposure : array_like
        Total count and exposure of each segment.
    level : float
        Coverage, in (0, 1).

    Returns
    -------
    lower, upper : ndarray

    Examples
    --------
    >>> lo, hi = garwood([0, 10], [1, 1])
    >>> [round(float(v), 4) for v in (lo[0], hi[0], lo[1], hi[1])]
    [0.0, 3.6889, 4.7954, 18.3904]
    """
    from ._kernels import gamma_ppf

    if not (0 < level < 1):
        raise ValueError(f"`level` must be in (0, 1), not {level!r}")
    S = np.atleast_1d(np.asarray(counts, float))
    E = np.atleast_1d(np.asarray(exposure, float))
    S, E = np.broadcast_arrays(S, E)
    a = (1 - level) / 2
    scale = 1.0 / E
    lo = np.zeros(S.shape)
    pos = S > 0
    if pos.any():
        lo[pos] = gamma_ppf(np.full(pos.sum(), a), np.ascontiguousarray(S[pos]),
                            np.ascontiguousarray(scale[pos]))
    hi = gamma_ppf(np.full(S.size, 1 - a), np.ascontiguousarray(S + 1.0).ravel(),
                   np.ascontiguousarray(scale).ravel()).reshape(S.shape)
    return lo, hi


def bootstrap_locations(seg, *, n_boot: int = 200, level: float = 0.95, seed=None,
                        quiet: bool = False) -> pd.DataFrame:
    """Parametric bootstrap interval for the location of each change of a segmentation.

    Data are simulated from the fitted piecewise model (Poisson with each segment's
    rate times the row exposure; NB2 with the cost's dispersion; normal with each
    segment's mean and, for normal-meanvar, its variance, for the normal cost variance
    1 as the cost assumes), and the same search with the same penalty is run on each
    replicate. In each replicate, the detected change nearest to an original change,
    within the stretch between the midpoints to its neighbours, is its location; the
    interval is the equal-tailed ``level`` range of those locations.

    Parameters
    ----------
    seg : Segmentation
        From :class:`~analysis.changepoints.Pelt` (or another search) with
        ``seg.estimator`` set.
    n_boot : int
    level : float
    seed : int or numpy Generator, optional
    quiet : bool
        No progress bar (a tqdm bar appears on a terminal when the run takes over 1 s).

    Returns
    -------
    pandas.DataFrame
        One row per change: ``index``, ``time``, ``lower``, ``upper`` (row indices,
        first row of the new segment), ``lower_time``, ``upper_time``, ``detected``
        (share of replicates with a matching change).
    """
    from tqdm.std import tqdm

    est = seg.estimator
    if est is None:
        raise ValueError("this segmentation has no estimator attached; use Pelt(...).fit(...).predict(...)")
    cost = est.cost_
    sig = cost.signal
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    cps = np.asarray(seg.changepoints, int)
    n = sig.n
    bounds = np.r_[0, cps, n]
    seg_id = np.repeat(np.arange(len(bounds) - 1), np.diff(bounds))
    segs = seg.segments
    x = sig.exposure if sig.exposure is not None else np.ones(n)
    if cost.model == "poisson":
        lam = segs["rate"].to_numpy()[seg_id] * x
        draw = lambda: rng.poisson(lam).astype(float)  # noqa: E731
    elif cost.model == "negbin":
        mu = segs["rate"].to_numpy()[seg_id] * x
        r = cost.param
        draw = lambda: rng.poisson(rng.gamma(r, mu / r)).astype(float)  # noqa: E731
    else:
        mean = segs["rate"].to_numpy()[seg_id]
        if cost.model == "normal-meanvar":
            sd = np.sqrt(np.maximum(segs["var"].to_numpy(), 1e-11))[seg_id]
        else:
            sd = np.ones(n)
        draw = lambda: rng.normal(mean, sd)  # noqa: E731
    mids = np.r_[-np.inf, (cps[:-1] + cps[1:]) / 2.0, np.inf] if len(cps) else np.array([])
    found = [[] for _ in cps]
    bar = tqdm(range(n_boot), desc="bootstrap", delay=1.0, leave=False,
               disable=quiet or not sys.stderr.isatty())
    for _ in bar:
        yb = draw()
        try:
            sb = est.refit_predict(yb, seg.penalty_spec)
        except (InputError, ModelError):  # a degenerate replicate finds nothing
            continue
        nearest: dict[int, int] = {}
        for c in sb.changepoints:
            j = int(np.searchsorted(mids, c, side="right")) - 1
            if 0 <= j < len(cps) and (j not in nearest or abs(c - cps[j]) < abs(nearest[j] - cps[j])):
                nearest[j] = c
        for j, c in nearest.items():
            found[j].append(c)
    q = (1 - level) / 2
    rows = []
    for j, c in enumerate(cps):
        f = np.asarray(found[j], float)
        lo = int(np.floor(np.quantile(f, q))) if len(f) else None
        hi = int(np.ceil(np.quantile(f, 1 - q))) if len(f) else None
        rows.append({"index": int(c), "time": sig.label(int(c)), "lower": lo, "upper": hi,
                     "lower_time": sig.label(lo) if lo is not None else None,
                     "upper_time": sig.label(hi) if hi is not None else None,
                     "detected": len(f) / n_boot})
    return pd.DataFrame(rows, columns=["index", "time", "lower", "upper", "lower_time",
                                       "upper_time", "detected"])
