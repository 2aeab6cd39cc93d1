"""Prospective GLR and CUSUM detectors for a change in the rate of counts.

The statistics, candidate change times and restart rule are those of R
``surveillance::algo.glrpois`` / ``algo.glrnb`` (Hoehle and Paul 2008, intercept chart):
for a segment ``k..n`` of counts ``x`` with in-control means ``mu0`` the log likelihood
ratio of a multiplicative change ``exp(kappa)`` is maximised over ``kappa`` (constrained
to ``kappa >= 0`` for an increase, ``<= 0`` for a decrease, free for ``both``) and over
``k``; an alarm sounds when it reaches the threshold, and the detector then restarts on
the next period with no memory. The maximising ``k`` is the estimated change time.
"""

from __future__ import annotations

import numpy as np

_DIRS = {"up": 1, "down": -1, "both": 0}


def _check_direction(direction: str) -> int:
    if direction not in _DIRS:
        raise ValueError(f"direction must be 'up', 'down' or 'both', not {direction!r}")
    return _DIRS[direction]


def _starts(n: int, M: int | None, Mtilde: int, family: str) -> tuple[int, int]:
    """Inclusive range ``lo..hi`` of candidate starts ``k`` for a segment ending at ``n``
    (0-based), exactly as surveillance's C code."""
    if family == "poisson" and M is not None:
        return max(0, n - M), n - Mtilde
    if family == "poisson":
        return 0, n
    return (0 if M is None else max(0, n - M)), n - (Mtilde - 1)


def _first_n(M: int | None, Mtilde: int, family: str) -> int:
    if family == "poisson" and M is not None:
        return Mtilde
    return max(Mtilde - 1, 0)


def _poisson_llr(sx, sm, d: int):
    """max over kappa of kappa*sx + (1 - e^kappa)*sm, kappa restricted by direction d.

    Uses 0*log(0) = 0: a segment without events scores ``sm`` against a decrease
    (the limit kappa -> -inf) and 0 against an increase. Segments with ``sm == 0``
    and ``sx == 0`` carry no information and score 0; ``sm == 0 < sx`` scores +inf."""
    sx = np.asarray(sx, float)
    sm = np.asarray(sm, float)
    with np.errstate(divide="ignore", invalid="ignore"):
        free = np.where(sx > 0, sx * np.log(sx / sm) - sx + sm, sm)
    free = np.where(sm > 0, free, np.where(sx > 0, np.inf, 0.0))
    if d == 0:
        return free
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio_side = np.sign(sx - sm) == d
    return np.where(ratio_side, free, 0.0)


def glr_path(x, mu0, *, family: str = "poisson", alpha: float = 0.0, direction: str = "up",
             threshold: float = np.inf, M: int | None = None, Mtilde: int = 1,
             empty_segments: str = "limit") -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Run the GLR detector with restarts.

    ``empty_segments`` sets how a segment without events scores against a decrease:
    ``"limit"`` (default) takes the limit kappa -> -inf, i.e. its summed in-control mean;
    ``"skip"`` leaves it out of the maximum, as surveillance's C code does (its
    ``0 * log(0)`` evaluates to NaN there). The two agree for ``direction="up"``. It is a
    Poisson matter: the NB2 statistic (``family="nb"``, dispersion ``alpha``; compiled in
    :mod:`analysis.monitor._kernels`, which follows surveillance's Newton iteration) scores an
    empty segment near its limit, as the C code does.

    ``M`` is surveillance's window (starts at most ``M`` periods back; None: all since the
    last restart) and bounds the work per period, ``O(M)`` starts each of ``O(M)`` periods
    for the NB2 statistic; ``Mtilde`` the fewest periods a segment spans.

    Returns ``(statistic, alarm, change, kappa)`` arrays over the periods: the statistic
    since the last restart, alarm flags, the estimated change period (0-based index into
    ``x``) of the segment that maximised the statistic, and its log rate ratio.

    Examples
    --------
    >>> import numpy as np
    >>> stat, alarm, change, kappa = glr_path(np.array([1, 0, 2, 1, 6, 7, 5, 8]), np.full(8, 1.0), direction="up")
    >>> np.round(stat, 2).tolist()
    [0.0, 0.0, 0.39, 0.22, 5.75, 13.33, 17.25, 26.67]
    >>> change.tolist()                         # the estimated change row at each period
    [0, 1, 2, 2, 4, 4, 4, 4]
    """
    d = _check_direction(direction)
    if empty_segments not in ("limit", "skip"):
        raise ValueError(f"empty_segments must be 'limit' or 'skip', not {empty_segments!r}")
    if family not in ("poisson", "nb"):
        raise ValueError(f"family must be 'poisson' or 'nb', not {family!r}")
    x = np.asarray(x, float)
    mu0 = np.asarray(mu0, float)
    if x.shape != mu0.shape or x.ndim != 1:
        raise ValueError(f"counts and in-control means must be 1-d of one length, not {x.shape} and {mu0.shape}")
    if M is not None and M < 1:
        raise ValueError(f"M must be a positive window length or None, not {M!r}")
    if Mtilde < 1:
        raise ValueError(f"Mtilde must be >= 1, not {Mtilde!r}")
    if family == "nb":
        if not (np.isfinite(alpha) and alpha > 0):
            raise ValueError(f"the NB2 GLR needs a dispersion alpha > 0, not {alpha!r}")
        from ._kernels import nb_glr_path

        stat, alarm, change, kap = nb_glr_path(x, mu0, float(alpha), d, float(threshold),
                                               -1 if M is None else int(M), int(Mtilde))
        return stat, alarm, change, kap
    n_all = len(x)
    stat = np.zeros(n_all)
    change = np.full(n_all, -1)
    kap = np.zeros(n_all)
    alarm = np.zeros(n_all, bool)
    begin = 0
    while begin < n_all:
        xs, ms = x[begin:], mu0[begin:]
        cx = np.concatenate([[0.0], np.cumsum(xs)])
        cm = np.concatenate([[0.0], np.cumsum(ms)])
        fired = False
        for n in range(_first_n(M, Mtilde, family), len(xs)):
            lo, hi = _starts(n, M, Mtilde, family)
            if hi < lo:
                continue
            ks = np.arange(lo, hi + 1)
            sx = cx[n + 1] - cx[ks]
            sm = cm[n + 1] - cm[ks]
            vals = _poisson_llr(sx, sm, d)
            if empty_segments == "skip" and d <= 0:
                vals = np.where(sx > 0, vals, -np.inf)
                if not (sx > 0).any():
                    continue
            # the C code scans k backwards with a strict '>': ties go to the latest start
            j = len(ks) - 1 - int(np.argmax(vals[::-1]))
            with np.errstate(divide="ignore", invalid="ignore"):
                kk = np.log(sx[j] / sm[j]) if sm[j] > 0 else np.inf
            kk = d * max(0.0, d * kk) if d else kk
            stat[begin + n] = vals[j]
            change[begin + n] = begin + ks[j]
            kap[begin + n] = kk
            if vals[j] >= threshold:
                alarm[begin + n] = True
                begin = begin + n + 1
                fired = True
                break
        if not fired:
            break
    return stat, alarm, change, kap


def cusum_path(x, mu0, *, kappa: float, threshold: float = np.inf) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Poisson LR-CUSUM for a known change ``exp(kappa)`` (R ``algo.glrpois`` with ``theta``):
    ``S_n = max(0, S_{n-1} + kappa x_n + (1 - e^kappa) mu0_n)``, alarm when ``S_n > threshold``,
    restart at 0. The change estimate is the period after the CUSUM last stood at 0.

    Examples
    --------
    >>> import numpy as np
    >>> stat, alarm, change = cusum_path(np.array([1, 0, 2, 1, 6, 7, 5, 8]), np.full(8, 1.0), kappa=2.0, threshold=5.0)
    >>> np.round(stat, 2).tolist()
    [0.0, 0.0, 0.0, 0.0, 5.61, 7.61, 3.61, 13.22]
    >>> alarm.tolist()
    [False, False, False, False, True, True, False, True]
    """
    x = np.asarray(x, float)
    mu0 = np.asarray(mu0, float)
    z = kappa * x + (1 - np.exp(kappa)) * mu0
    stat = np.zeros(len(x))
    alarm = np.zeros(len(x), bool)
    change = np.full(len(x), -1)
    s, last0 = 0.0, 0
    for i, zi in enumerate(z):
        s = max(0.0, s + zi)
        if s == 0.0:
            last0 = i + 1
        stat[i] = s
        change[i] = min(last0, i) if s > 0 else -1
        if s > threshold:
            alarm[i] = True
            s, last0 = 0.0, i + 1
    return stat, alarm, change
