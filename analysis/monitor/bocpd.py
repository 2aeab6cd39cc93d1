"""Bayesian online changepoint detection (Adams and MacKay 2007) for counts with exposure.

Poisson-Gamma model (:func:`bocpd_poisson`): within a regime the rate (events per full
period) has a Gamma(a, b) prior, a period with exposure ``e`` has count ``Poisson(rate * e)``,
so the predictive is negative binomial with size ``a`` and probability ``b / (b + e)``.

Negative binomial model (:func:`bocpd_negbin`): a period with exposure ``e`` has count
``NB(size * e, p)`` (mean ``size e (1 - p) / p``, variance ``mean (1 + mean / (size e))``; so
with ``e = 1`` an NB2 count with ``alpha = 1 / size``), the regime's ``p`` has a Beta(a, b)
prior, and the predictive is beta-negative-binomial; ``size -> inf`` gives back the
Poisson-Gamma model (``b`` the Gamma shape, ``(a - 1) / size`` its rate).

The hazard is constant, ``1 / expected_run_length``. The regime running when monitoring
starts is the baseline regime: its prior is the baseline's posterior, so ``P(changed)`` — the
posterior mass off the baseline regime — is the probability that the rate now differs from the
baseline.
"""

from __future__ import annotations

import numpy as np
from scipy.special import betaln, gammaln


def _log_nb_pred(x, e, a, b):
    """log P(x | Gamma(a, b) rate, exposure e) (negative binomial predictive)."""
    return (gammaln(a + x) - gammaln(a) - gammaln(x + 1)
            + a * np.log(b / (b + e)) + x * np.log(e / (b + e)) if e > 0 else
            np.where(x == 0, 0.0, -np.inf) + 0 * a)


def bocpd_poisson(x, exposure, *, expected_run_length: float, prior=(1.0, 1.0),
                  baseline=None, ks=(4,)) -> dict:
    """Run-length posterior of the Poisson-Gamma BOCPD.

    Parameters
    ----------
    x, exposure : array-like
        Counts and exposures (in full periods) of the monitored periods.
    expected_run_length : float
        Prior mean regime length in periods (hazard ``1/expected_run_length``), > 1.
    prior : (a, b)
        Gamma shape and rate of a new regime's rate.
    baseline : (a, b) or None
        Gamma posterior of the baseline regime's rate (``prior`` updated with the baseline
        counts and exposure); None: the first regime starts from ``prior``.
    ks : sequence of int
        Report ``P(run length < k | data so far)`` for each ``k``.

    Returns
    -------
    dict
        ``runlength`` (n x (n+1) posterior over run lengths 0..t+1 at each t, with the
        baseline regime's mass in its own column ``-1`` = ``P(no change)``), ``p_changed``
        and ``p_short`` (dict k -> array).

    Examples
    --------
    >>> r = bocpd_poisson([0, 0, 5, 6], [1, 1, 1, 1], expected_run_length=20,
    ...                   prior=(1.0, 1.0), baseline=(1.5, 10.0))
    >>> bool(r["p_changed"][-1] > 0.9 > r["p_changed"][1])
    True
    """
    return _bocpd(x, exposure, expected_run_length=expected_run_length, prior=prior,
                  baseline=baseline, ks=ks, logpred=_log_nb_pred,
                  update=lambda a, b, x, e: (a + x, b + e))


def _log_bnb_pred(size):
    def f(x, e, a, b):
        """log P(x | NB(size * e, p), p ~ Beta(a, b)) (beta-negative-binomial predictive)."""
        r = size * e
        if r <= 0:
            return np.where(x == 0, 0.0, -np.inf) + 0 * a
        return (gammaln(r + x) - gammaln(r) - gammaln(x + 1) + betaln(a + r, b + x) - betaln(a, b))
    return f


def bocpd_negbin(x, exposure, *, size: float, expected_run_length: float, prior=(1.0, 1.0),
                 baseline=None, ks=(4,)) -> dict:
    """Run-length posterior of the negative binomial (Beta prior on ``p``) BOCPD.

    Parameters
    ----------
    x, exposure : array-like
        Counts and exposures (in full periods) of the monitored periods.
    size : float
        NB size per unit of exposure (``1 / alpha`` of an NB2 count per full period), > 0.
    expected_run_length : float
        Prior mean regime length in periods, > 1.
    prior, baseline : (a, b)
        Beta parameters of ``p`` for a new regime and for the baseline regime (None: prior).
    ks : sequence of int
        Report ``P(run length < k | data so far)`` for each ``k``.

    Returns
    -------
    dict
        As :func:`bocpd_poisson`.

    Examples
    --------
    >>> r = bocpd_negbin([0, 0, 5, 6], [1, 1, 1, 1], size=5.0, expected_run_length=20,
    ...                  prior=(1.5, 1.0), baseline=(51.0, 1.5))
    >>> bool(r["p_changed"][-1] > 0.9 > r["p_changed"][1])
    True
    """
    if not (np.isfinite(size) and size > 0):
        raise ValueError(f"size must be a positive number, not {size!r}")
    return _bocpd(x, exposure, expected_run_length=expected_run_length, prior=prior,
                  baseline=baseline, ks=ks, logpred=_log_bnb_pred(float(size)),
                  update=lambda a, b, x, e: (a + size * e, b + x))


def _bocpd(x, exposure, *, expected_run_length, prior, baseline, ks, logpred, update):
    x = np.asarray(x, float)
    e = np.asarray(exposure, float)
    n = len(x)
    if not expected_run_length > 1:
        raise ValueError(f"expected_run_length must be > 1 period, not {expected_run_length!r}")
    h = 1.0 / expected_run_length
    a0, b0 = map(float, prior)
    ab, bb = (a0, b0) if baseline is None else map(float, baseline)
    # state: log weights of new-regime run lengths 0..t (index r) plus the baseline regime
    logw = np.zeros(0)
    a = np.zeros(0)
    b = np.zeros(0)
    logbase = 0.0
    out = np.full((n, n + 2), 0.0)  # columns 0..n: run length r (periods in regime), n+1: baseline
    for t in range(n):
        # growth or change happens before observing x[t]; a change starts a run at r = 0
        grow = logw + np.log1p(-h)
        base_grow = logbase + np.log1p(-h)
        change = np.logaddexp.reduce(np.concatenate([logw, [logbase]])) + np.log(h)
        logw_new = np.concatenate([[change], grow])
        a_new = np.concatenate([[a0], a])
        b_new = np.concatenate([[b0], b])
        logw_new = logw_new + logpred(x[t], e[t], a_new, b_new)
        logbase = base_grow + float(logpred(x[t], e[t], np.array(ab), np.array(bb)))
        a, b = update(a_new, b_new, x[t], e[t])
        ab, bb = update(ab, bb, x[t], e[t])
        z = np.logaddexp.reduce(np.concatenate([logw_new, [logbase]]))
        logw, logbase = logw_new - z, logbase - z
        out[t, : t + 1] = np.exp(logw)   # index r: regime began r periods before t
        out[t, n + 1] = np.exp(logbase)
    p_changed = 1.0 - out[:, n + 1]
    p_short = {int(k): out[:, : int(k)].sum(1) for k in ks}
    return {"runlength": out, "p_changed": p_changed, "p_short": p_short}
