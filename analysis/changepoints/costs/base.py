"""Base class of the segment costs (the ruptures ``BaseCost`` interface)."""

from __future__ import annotations

import numpy as np

from ...schema import ModelError
from .._data import SignalData, as_signal


class BaseCost:
    """A segment cost computed in O(1) from cumulative sums.

    Subclasses set ``model`` (registry name), ``code`` (kernel code), ``n_params``
    (parameters that change at a changepoint, used by the penalties) and implement
    :meth:`_check`. After :meth:`fit`, ``cs``, ``cq``, ``ce`` hold the cumulative sums of
    the observations, their squares and the exposure (each of length ``n + 1``).

    Index convention: a segment ``[start, end)`` holds rows ``start .. end-1``; a list
    of changepoints holds the first row of each new segment (0-based).
    """

    model: str = ""
    code: int = -1
    n_params: int = 1
    min_size: int = 1
    #: counts (poisson, negbin) or real values (normal costs)
    is_count: bool = False

    def __init__(self):
        self.param = 0.0
        self.signal: SignalData | None = None

    # ------------------------------------------------------------------ fitting
    def fit(self, signal, exposure=None) -> "BaseCost":
        """Store the cumulative sums of ``signal``.

        Parameters
        ----------
        signal : CountSeries or array_like of shape (n,)
        exposure : array_like of shape (n,), optional
            Exposure per row (only the poisson cost uses it; see
            :func:`analysis.changepoints._data.as_signal` for CountSeries).

        Returns
        -------
        self
        """
        sig = as_signal(signal, exposure)
        self._check(sig)
        y = sig.y
        self.signal = sig
        self.shift = 0.0
        if not self.is_count and len(y):
            # residual sums of squares do not depend on a shift; centring keeps the
            # cumulative sums of squares accurate
            self.shift = float(np.mean(y))
            y = y - self.shift
        n = len(y)
        self.cs = np.zeros(n + 1)
        np.cumsum(y, out=self.cs[1:])
        if self.is_count:
            self.cq = np.zeros(1)  # sums of squares are not used by the count costs
        else:
            self.cq = np.zeros(n + 1)
            np.cumsum(y * y, out=self.cq[1:])
        self.ce = np.zeros(n + 1)
        if sig.exposure is None:
            self.ce[1:] = np.arange(1, n + 1, dtype=float)
        else:
            np.cumsum(sig.exposure, out=self.ce[1:])
        self.LT = np.zeros(1)
        self.kcode = self.code
        self._after_fit(sig)
        return self

    def _check(self, sig: SignalData) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def _after_fit(self, sig: SignalData) -> None:
        pass

    @property
    def n(self) -> int:
        return len(self.cs) - 1

    def _need_fit(self):
        if self.signal is None:
            raise ModelError(f"the {self.model!r} cost is not fitted; call .fit(signal) first")

    # ------------------------------------------------------------------ costs
    def error(self, start: int, end: int, *, mbic: bool = False) -> float:
        """Cost of segment ``[start, end)``; ``mbic=True`` adds ``log(end - start)``."""
        from .._compiled import seg_cost

        self._need_fit()
        if not (0 <= start < end <= self.n):
            raise ValueError(f"segment [{start}, {end}) is outside 0..{self.n}")
        return float(seg_cost(self.kcode, self.cs, self.cq, self.ce, int(start), int(end),
                              float(self.param), bool(mbic), self.LT))

    def sum_of_costs(self, changepoints, *, mbic: bool = False) -> float:
        """Total cost of the segmentation with the given changepoints (unpenalised)."""
        from .._compiled import segment_costs

        self._need_fit()
        bounds = np.array([0, *sorted(int(c) for c in changepoints), self.n], dtype=np.int64)
        return float(segment_costs(self.kcode, self.cs, self.cq, self.ce, bounds,
                                   float(self.param), bool(mbic), self.LT).sum())

    def kernel_args(self) -> tuple:
        """Arguments ``(code, cs, cq, ce, param, LT)`` for the compiled kernels."""
        self._need_fit()
        return self.kcode, self.cs, self.cq, self.ce, float(self.param), self.LT

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"
