"""Thresholds for a target in-control average run length (ARL), by seeded simulation."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .glr import _check_direction, _poisson_llr


@dataclass(frozen=True)
class ARLCalibration:
    """Threshold calibrated for ``target`` in-control ARL.

    ``arl`` is the simulated ARL at ``threshold`` and ``arl_se`` its Monte-Carlo standard
    error (sd of the run lengths over ``sqrt(n_sim)``); ``censored`` is the share of
    simulated runs without an alarm within ``horizon`` periods (counted as ``horizon``).
    ``statistic`` is the GLR statistic calibrated ("poisson" or "nb", the NB2 statistic with
    dispersion ``alpha``), ``alpha`` the NB2 dispersion of the simulated in-control counts
    (0: Poisson) and ``M`` the detector's window (None: none)."""

    target: float
    threshold: float
    arl: float
    arl_se: float
    n_sim: int
    horizon: int
    censored: float
    seed: int
    alpha: float = 0.0
    statistic: str = "poisson"
    M: int | None = None


def simulate_in_control(mu0, n_sim: int, *, seed: int = 0, alpha: float = 0.0) -> np.ndarray:
    """``n_sim`` seeded in-control series, shape (n_sim, len(mu0)): Poisson(mu0) counts, or
    with ``alpha > 0`` NB2 counts (``var = mu + alpha mu^2``: Poisson with a Gamma(1/alpha,
    alpha) multiplier per period)."""
    mu0 = np.asarray(mu0, float)
    rng = np.random.default_rng(seed)
    if alpha > 0:
        lam = mu0 * rng.gamma(1.0 / alpha, alpha, size=(n_sim, len(mu0)))
        return rng.poisson(lam).astype(float)
    return rng.poisson(mu0, size=(n_sim, len(mu0))).astype(float)


def nb_glr_maxpaths(mu0, n_sim: int, *, alpha: float, direction: str = "up", M: int | None = None,
                    Mtilde: int = 1, seed: int = 0) -> np.ndarray:
    """Running maximum of the (no-restart) NB2 GLR statistic (dispersion ``alpha``) on
    ``n_sim`` NB2 in-control series with means ``mu0`` and the same ``alpha``; shape
    (n_sim, len(mu0)). Compiled (:mod:`analysis.monitor._kernels`)."""
    mp, resume = _nb_runner(mu0, n_sim, alpha=alpha, direction=direction, M=M, Mtilde=Mtilde, seed=seed)
    resume(np.inf)
    return mp


def _nb_runner(mu0, n_sim, *, alpha, direction, M, Mtilde, seed):
    """(running maxima, resume(stop_at)): paths computed only until their running maximum
    reaches ``stop_at``, resumed when it is raised (:func:`analysis.monitor._kernels.nb_glr_maxpaths`)."""
    from ._kernels import nb_glr_maxpaths as kernel

    d = _check_direction(direction)
    if not (np.isfinite(alpha) and alpha > 0):
        raise ValueError(f"the NB2 GLR needs a dispersion alpha > 0, not {alpha!r}")
    mu0 = np.asarray(mu0, float)
    x = simulate_in_control(mu0, n_sim, seed=seed, alpha=alpha)
    out = np.zeros_like(x)
    next_n = np.zeros(n_sim, np.int64)
    args = (x, mu0, float(alpha), d, -1 if M is None else int(M), int(Mtilde), out, next_n)

    def resume(stop_at: float) -> bool:
        """Continue to ``stop_at``; True when every path has run to the horizon."""
        kernel(*args, float(stop_at))
        return bool(np.all(next_n >= x.shape[1]))

    return out, resume


def poisson_glr_maxpaths(mu0, n_sim: int, *, direction: str = "up", M: int | None = None,
                         seed: int = 0, alpha: float = 0.0) -> np.ndarray:
    """Running maximum of the (no-restart) Poisson GLR statistic on ``n_sim`` in-control
    series with means ``mu0``; shape (n_sim, len(mu0)). Vectorised over simulations.

    ``alpha > 0`` draws the in-control counts from NB2 (``var = mu + alpha mu^2``, a
    Gamma(1/alpha, alpha) multiplier per period), so the threshold of the Poisson statistic
    is calibrated for over-dispersed in-control counts."""
    d = _check_direction(direction)
    mu0 = np.asarray(mu0, float)
    x = simulate_in_control(mu0, n_sim, seed=seed, alpha=alpha)
    cx = np.concatenate([np.zeros((n_sim, 1)), np.cumsum(x, 1)], 1)
    cm = np.concatenate([[0.0], np.cumsum(mu0)])
    stat = np.zeros((n_sim, len(mu0)))
    for n in range(len(mu0)):
        lo, hi = (0, n) if M is None else (max(0, n - M), n - 1)
        if hi < lo:
            continue
        ks = np.arange(lo, hi + 1)
        stat[:, n] = _poisson_llr(cx[:, n + 1:n + 2] - cx[:, ks], (cm[n + 1] - cm[ks])[None, :], d).max(1)
    return np.maximum.accumulate(stat, axis=1)


def run_lengths(maxpath: np.ndarray, threshold: float) -> np.ndarray:
    """First period (1-based) whose statistic reaches ``threshold``; ``horizon`` if none."""
    hit = maxpath >= threshold
    return np.where(hit.any(1), hit.argmax(1) + 1, maxpath.shape[1])


def calibrate_threshold(mu0, target: float, *, direction: str = "up", M: int | None = None,
                        n_sim: int = 1000, horizon: int | None = None, seed: int = 0,
                        alpha: float = 0.0, statistic: str | None = None) -> ARLCalibration:
    """Threshold of the GLR detector with in-control ARL ``target``.

    In-control series repeat ``mu0`` cyclically up to ``horizon`` periods (default
    ``4 * target``), Poisson or, with ``alpha > 0``, NB2 counts; the threshold is found by
    bisection on the simulated ARL. ``statistic`` is the detector's: "nb" (the NB2 GLR with
    dispersion ``alpha``, the default when ``alpha > 0``) or "poisson" (the default for
    Poisson counts; with ``alpha > 0``, the Poisson statistic's threshold under over-dispersed
    in-control counts). ``M`` is the detector's window; it bounds the NB2 statistic's work.

    Examples
    --------
    >>> cal = calibrate_threshold([2.0] * 52, 52, n_sim=300, seed=1)
    >>> bool(abs(cal.arl - 52) < 4 * cal.arl_se + 1), cal.n_sim
    (True, 300)
    """
    if not target > 1:
        raise ValueError(f"target ARL must be > 1 period, not {target!r}")
    mu0 = np.asarray(mu0, float)
    if len(mu0) == 0 or not np.all(np.isfinite(mu0)) or np.any(mu0 < 0):
        raise ValueError("in-control means must be finite and >= 0, with at least one period")
    if not np.any(mu0 > 0):
        raise ValueError("the in-control mean is 0 in every period: an increase is certain at the "
                         "first event and no threshold controls the ARL")
    H = int(horizon or max(4 * target, 20))
    mu = np.resize(mu0, H)
    if not (np.isfinite(alpha) and alpha >= 0):
        raise ValueError(f"alpha must be a finite number >= 0, not {alpha!r}")
    stat = statistic or ("nb" if alpha > 0 else "poisson")
    if stat not in ("poisson", "nb"):
        raise ValueError(f"statistic must be 'poisson' or 'nb', not {statistic!r}")
    if stat == "nb":
        # each path runs only until its running maximum passes a level whose simulated ARL
        # reaches the target; crossings of every threshold up to that level are then exact
        mp, resume = _nb_runner(mu, n_sim, alpha=alpha, direction=direction, M=M, Mtilde=1, seed=seed)
        level = 0.5
        while not resume(level) and run_lengths(mp, level).mean() < target:
            level *= 1.1
        top = level if run_lengths(mp, level).mean() >= target else float(np.max(mp)) + 1e-9
    else:
        mp = poisson_glr_maxpaths(mu, n_sim, direction=direction, M=M, seed=seed, alpha=alpha)
        top = float(np.max(mp)) + 1e-9
    lo, hi = 0.0, top
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        if run_lengths(mp, mid).mean() < target:
            lo = mid
        else:
            hi = mid
    rl = run_lengths(mp, hi)
    return ARLCalibration(target=float(target), threshold=hi, arl=float(rl.mean()),
                          arl_se=float(rl.std(ddof=1) / np.sqrt(n_sim)), n_sim=int(n_sim), horizon=H,
                          censored=float(np.mean(~(mp >= hi).any(1))), seed=int(seed),
                          alpha=float(alpha), statistic=stat, M=M)
