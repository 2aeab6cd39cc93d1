"""Negative binomial (NB2) cost with a fixed dispersion."""

from __future__ import annotations

import math

import numpy as np

from ...schema import InputError
from .._data import SignalData, check_counts
from .base import BaseCost


class CostNegBin(BaseCost):
    r"""Twice the negative NB2 log-likelihood of a segment with known dispersion.

    With mean :math:`\mu` and size :math:`r = 1/\alpha` (variance
    :math:`\mu + \alpha\mu^2`), the segment MLE is :math:`\hat\mu = S/m` and, dropping
    terms that depend only on single rows (they add up to the same constant for every
    segmentation),

    .. math:: C = -2\left[S \log\frac{\hat\mu}{r + \hat\mu} + m r \log\frac{r}{r + \hat\mu}\right],
              \qquad C = 0 \text{ if } S = 0.

    Parameters
    ----------
    alpha : float, optional
        NB2 dispersion. When None it is estimated once on the whole series by maximum
        likelihood under a constant mean (a global fit; with real changes this
        overstates the dispersion, which makes the search conservative), floored at
        1e-8 (the Poisson limit). The value used is kept in ``alpha_``.

    Notes
    -----
    The segment mean is per row: exposure must be constant (varying exposure has no
    closed-form NB segment MLE; use the poisson cost for it).
    """

    model = "negbin"
    code = 1
    n_params = 1
    is_count = True

    def __init__(self, alpha: float | None = None):
        super().__init__()
        if alpha is not None and not (np.isfinite(alpha) and alpha > 0):
            raise ValueError(f"`alpha` must be a positive number or None, not {alpha!r}")
        self.alpha = alpha

    def _check(self, sig: SignalData) -> None:
        check_counts(sig, self.model)
        if sig.exposure is not None and not np.allclose(sig.exposure, sig.exposure[0]):
            raise InputError("the 'negbin' cost needs a constant exposure per row; use the "
                             "'poisson' cost for series with varying exposure")

    def _after_fit(self, sig: SignalData) -> None:
        a = self.alpha if self.alpha is not None else estimate_alpha(sig.y)
        self.alpha_ = float(a)
        self.param = 1.0 / self.alpha_

    def __repr__(self) -> str:
        return f"CostNegBin(alpha={self.alpha!r})"


def estimate_alpha(y) -> float:
    """NB2 dispersion by maximum likelihood with one constant mean (floor 1e-8)."""
    y = np.asarray(y, float)
    mu = y.mean() if len(y) else 0.0
    if mu <= 0 or len(y) < 2 or y.var() <= mu:
        return 1e-8
    from scipy.optimize import minimize_scalar
    from scipy.special import gammaln

    def nll(la):
        r = math.exp(-la)
        return -np.sum(gammaln(y + r) - gammaln(r) + r * np.log(r / (r + mu))
                       + y * np.log(mu / (r + mu)))

    res = minimize_scalar(nll, bounds=(math.log(1e-8), math.log(1e4)), method="bounded")
    return float(max(math.exp(res.x), 1e-8))
