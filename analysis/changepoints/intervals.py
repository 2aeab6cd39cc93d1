"""Intervals: exact Poisson (Garwood) rate intervals and bootstrap change locations."""

from __future__ import annotations

import sys

import numpy as np

from ..schema import InputError, ModelError


def garwood(counts, exposure, level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
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
        lo[pos] = gamma_quantile(a, S[pos], scale[pos])
    hi = gamma_quantile(1 - a, S + 1.0, scale)
    return lo, hi


#: Above this shape the quantile comes from Wilson-Hilferty plus one Newton step (the
#: exact inversion is then both slow and no more accurate than the approximation,
#: whose relative error is below 1e-13 there, while the exact inversion drifts to 1e-9
#: in the far tails at shape 1e6).
EXACT_SHAPE_MAX = 5e5


def gamma_quantile(p, shape, scale=1.0):
    r"""Quantile of the Gamma(``shape``, ``scale``) distribution, fast and accurate at any shape.

    Up to ``shape`` = :data:`EXACT_SHAPE_MAX` this is scipy's exact inversion
    (:func:`scipy.special.gammaincinv`). Beyond, it is the Wilson-Hilferty cube-root
    normal approximation

    .. math:: x_0 = a\left(1 - \frac{1}{9a} + z_p\sqrt{\frac{1}{9a}}\right)^3

    refined by one Newton step on :math:`P(a, x) = p`, with the density written in
    the cancellation-free form :math:`f(x) = \exp(-a\,(t - \log(1+t)))\sqrt{a/(2\pi)}
    \,e^{-\epsilon(a)}/x` (:math:`t = x/a - 1`, :math:`\epsilon` Stirling's
    correction), so that counts up to 1e18 and beyond are handled in constant time.

    Parameters
    ----------
    p : float or array_like
        Probabilities in (0, 1).
    shape : array_like
        Shape parameters (> 0); NaN where not positive and finite.
    scale : float or array_like

    Returns
    -------
    ndarray

    Examples
    --------
    >>> q = gamma_quantile(0.975, [11.0, 1e15 + 1])
    >>> round(float(q[0]), 4), bool(q[1] > 1e15)
    (18.3904, True)
    """
    from scipy import special

    p, a, s = np.broadcast_arrays(np.asarray(p, float), np.asarray(shape, float),
                                  np.asarray(scale, float))
    out = np.full(a.shape, np.nan)
    ok = np.isfinite(a) & (a > 0) & (s > 0) & (p > 0) & (p < 1)
    small = ok & (a <= EXACT_SHAPE_MAX)
    if small.any():
        out[small] = special.gammaincinv(a[small], p[small])
    big = ok & ~small
    if big.any():
        out[big] = _wilson_hilferty_newton(p[big], a[big])
    return out * s


def _log1pmx(t):
    """``log(1 + t) - t`` without cancellation for small ``|t|``."""
    t = np.asarray(t, float)
    out = np.log1p(t) - t
    m = np.abs(t) < 0.05
    if m.any():
        tm = t[m]
        k = np.arange(2, 18)[:, None]
        out[m] = -np.sum(((-tm) ** k) / k, axis=0)
    return out


def _temme_tails(a, x):
    r"""``(P(a, x), Q(a, x))`` by Temme's uniform expansion (two terms; for large ``a``).

    :math:`Q = \tfrac12\operatorname{erfc}(\eta\sqrt{a/2}) + R`,
    :math:`R = e^{-a\eta^2/2}(c_0(\eta) + c_1(\eta)/a)/\sqrt{2\pi a}`, with
    :math:`\eta = \operatorname{sign}(\lambda - 1)\sqrt{2(\lambda - 1 - \log\lambda)}`,
    :math:`\lambda = x/a`. The error is O(a**-2.5): below 1e-16 for ``a`` > 5e5, where
    scipy's ``gammainc`` loses up to all digits in the tails.
    """
    from scipy import special

    d = x / a - 1.0
    eta = np.sign(d) * np.sqrt(-2.0 * _log1pmx(d))
    small = np.abs(eta) < 1e-3
    with np.errstate(divide="ignore", invalid="ignore"):
        c0 = np.where(small, -1.0 / 3.0 + eta / 12.0 - 2.0 * eta ** 2 / 135.0,
                      1.0 / d - 1.0 / eta)
        c1 = np.where(np.abs(eta) < 0.1, -1.0 / 540.0 - eta / 288.0,
                      1.0 / eta ** 3 - 1.0 / d ** 3 - 1.0 / d ** 2 - 1.0 / (12.0 * d))
    r = np.exp(-a * eta ** 2 / 2.0) / np.sqrt(2.0 * np.pi * a) * (c0 + c1 / a)
    u = eta * np.sqrt(a / 2.0)
    return 0.5 * special.erfc(-u) - r, 0.5 * special.erfc(u) + r


def _wilson_hilferty_newton(p, a):
    from scipy import special

    z = special.ndtri(p)
    c = 1.0 / (9.0 * a)
    x = a * (1.0 - c + z * np.sqrt(c)) ** 3
    # One Newton step on P(a, x) = p (on Q = 1 - p in the upper half, so that neither
    # tail loses digits); the density in Temme's form avoids subtracting numbers of
    # size a log a (lgamma(a)).
    t = x / a - 1.0
    stirling = 1.0 / (12.0 * a) - 1.0 / (360.0 * a ** 3)
    f = np.exp(a * _log1pmx(t) + 0.5 * np.log(a / (2.0 * np.pi)) - stirling - np.log(x))
    P, Q = _temme_tails(a, x)
    resid = np.where(p <= 0.5, P - p, (1.0 - p) - Q)
    with np.errstate(divide="ignore", invalid="ignore"):
        step = np.where(f > 0, resid / f, 0.0)
    # the start is within a relative 1e-4 of the root for a > 5e5 and p in (1e-12, 1 - 1e-12)
    step = np.where(np.isfinite(step) & (np.abs(step) < 1e-3 * x), step, 0.0)
    return x - step


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

    Examples
    --------
    >>> from analysis.series import CountSeries
    >>> s = CountSeries.from_counts([1, 0, 2, 1, 0, 9, 8, 11, 10, 9], start="2024-01-01", freq="W")
    >>> from analysis.changepoints import Pelt
    >>> seg = Pelt(cost="poisson", min_size=2).fit(s).predict(penalty="mbic")
    >>> bootstrap_locations(seg, n_boot=50, seed=1, quiet=True)[["time", "lower_time", "upper_time"]].values.tolist()
    [['2024-W06', '2024-W06', '2024-W06']]
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
    import pandas as pd

    return pd.DataFrame(rows, columns=["index", "time", "lower", "upper", "lower_time",
                                       "upper_time", "detected"])
