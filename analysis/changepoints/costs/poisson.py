"""Poisson cost (R changepoint ``meanvar.poisson``), with exposure."""

from __future__ import annotations

from .._data import SignalData, check_counts
from .base import BaseCost


class CostPoisson(BaseCost):
    r"""Twice the negative Poisson log-likelihood of a segment, up to additive constants.

    For a segment with count sum :math:`S` and exposure sum :math:`E` (the number of
    rows when no exposure is given), the rate estimate is :math:`S/E` and

    .. math:: C = 2 S (\log E - \log S), \qquad C = 0 \text{ if } S = 0,

    which is R's ``mll_meanvar_poisson`` (``changepoint`` package) with the segment
    length replaced by its exposure. One parameter (the rate) changes at a change.
    """

    model = "poisson"
    code = 0
    n_params = 1
    is_count = True

    def _check(self, sig: SignalData) -> None:
        check_counts(sig, self.model)
