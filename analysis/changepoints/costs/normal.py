"""Normal costs: change in mean (variance 1) and change in mean and variance."""

from __future__ import annotations

from .._data import SignalData, check_finite
from .base import BaseCost


class CostNormalMean(BaseCost):
    r"""Residual sum of squares: the normal cost for a change in mean with variance 1.

    .. math:: C = Q - S^2/m

    with :math:`Q` the sum of squares. This is R's ``mll_mean`` (``cpt.mean`` with
    ``test.stat = "Normal"``): twice the negative log-likelihood of a normal with known
    variance 1, up to a constant. R does not scale the data; neither does this cost. For
    data whose noise standard deviation is not 1, divide by an estimate of it first
    (R's documentation asks the same), e.g. ``y / mad(diff(y)) * sqrt(2)``.
    """

    model = "normal"
    code = 2
    n_params = 1

    def _check(self, sig: SignalData) -> None:
        check_finite(sig, self.model)


class CostNormalMeanVar(BaseCost):
    r"""Normal cost for a change in mean and variance (R's ``mll_meanvar``).

    .. math:: C = m\left(\log 2\pi + \log \hat\sigma^2 + 1\right),
              \qquad \hat\sigma^2 = \max\left(\frac{Q - S^2/m}{m}, 10^{-11}\right).

    R floors only non-positive variances; the floor here applies to every variance below
    1e-11 so that rounding in the cumulative sums cannot create spurious tiny variances.
    Two parameters change at a change (mean and variance).
    """

    model = "normal-meanvar"
    min_size = 2  # a variance needs two rows (R: minseglen 2 for meanvar)
    code = 3
    n_params = 2

    def _check(self, sig: SignalData) -> None:
        check_finite(sig, self.model)
