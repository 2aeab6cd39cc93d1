"""Poisson cost (R changepoint ``meanvar.poisson``), with exposure."""

from __future__ import annotations

import numpy as np

from .._data import SignalData, check_counts
from .base import BaseCost


class CostPoisson(BaseCost):
    r"""Twice the negative Poisson log-likelihood of a segment, up to additive constants.

    For a segment with count sum :math:`S` and exposure sum :math:`E` (the number of
    rows when no exposure is given), the rate estimate is :math:`S/E` and

    .. math:: C = 2 S (\log E - \log S), \qquad C = 0 \text{ if } S = 0,

    which is R's ``mll_meanvar_poisson`` (``changepoint`` package) with the segment
    length replaced by its exposure. One parameter (the rate) changes at a change.
    Under MBIC, ``log(m)`` (m = rows) is added except when :math:`S = 0` (as in R).
    """

    model = "poisson"
    code = 0
    n_params = 1
    is_count = True

    def _check(self, sig: SignalData) -> None:
        check_counts(sig, self.model)

    def _after_fit(self, sig: SignalData) -> None:
        # whole counts and one unit per row: every log in a segment cost is log(k) of an
        # integer k; tabulate k <= n once (kernel code 4; larger sums call log). Code 4
        # takes segment sums as int64 differences of the cumulative sums: only while
        # those are exact (total up to 2**53; beyond, and past 2**63 the int64
        # overflowed) does it give the float path's numbers
        if sig.exposure is None and self.cs[-1] <= 2.0 ** 53:
            size = self.n + 1
            LT = np.arange(size, dtype=float)
            LT[0] = 1.0  # log(0) is never used: zero-sum segments cost 0
            np.log(LT, out=LT)
            self.LT = LT
            self.kcode = 4
