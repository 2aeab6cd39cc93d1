"""Search methods: optimal partitioning, PELT, binary segmentation, segment neighbourhood.

All four follow ruptures' ``fit``/``predict`` split: ``fit`` stores the cost's
cumulative sums once, ``predict(penalty=...)`` runs the search and returns a frozen
:class:`~analysis.changepoints.result.Segmentation`, so a penalty path reuses the
fitted cost. Every method honours ``min_size`` (rows per segment) and ``jump`` (changes
only at rows that are multiples of ``jump``; 1 = every row).

Examples
--------
>>> import numpy as np
>>> y = np.r_[np.full(20, 2.0), np.full(20, 9.0)]
>>> Pelt(cost="poisson").fit(y).predict(penalty="mbic").changepoints
(20,)
"""

from __future__ import annotations

import numpy as np

from ..schema import InputError, ModelError
from . import _compiled as K
from .costs import get_cost
from .penalties import resolve_penalty
from .result import Segmentation, segment_columns



def _check_count(name: str, v, *, optional: bool = True) -> None:
    """A number of changes: a non-negative integer (or None where ``optional``)."""
    if v is None and optional:
        return
    if v is None or isinstance(v, bool) or int(v) != v or v < 0:
        raise ValueError(f"`{name}` must be a non-negative integer, not {v!r}")

class _Search:
    method = ""

    def __init__(self, cost="poisson", min_size: int | None = None, jump: int = 1, **cost_params):
        self.cost = cost
        self.min_size = min_size
        self.jump = jump
        self.cost_params = cost_params
        if min_size is not None and (isinstance(min_size, bool) or int(min_size) != min_size
                                     or min_size < 1):
            raise ValueError(f"`min_size` must be a positive integer, not {min_size!r}")
        if isinstance(jump, bool) or int(jump) != jump or jump < 1:
            raise ValueError(f"`jump` must be a positive integer, not {jump!r}")

    # ------------------------------------------------------------------ fit
    def fit(self, signal, exposure=None):
        """Fit the cost to ``signal`` (CountSeries or array of shape (n,)); returns self."""
        cost = get_cost(self.cost, **self.cost_params)
        ms = cost.min_size if self.min_size is None else int(self.min_size)
        if cost.model == "normal-meanvar" and ms < 2:
            raise ValueError("`min_size` must be at least 2 for the 'normal-meanvar' cost "
                             "(a one-row segment has no variance)")
        cost.fit(signal, exposure)
        n = cost.n
        if n < ms:
            raise InputError(f"the series has {n} rows, fewer than the minimum segment length "
                             f"{ms}; lower `min_size` or use a longer series")
        if n == 0:
            raise InputError("the series is empty")
        self.cost_ = cost
        self.min_size_ = ms
        return self

    def _need_fit(self):
        if not hasattr(self, "cost_"):
            raise ModelError(f"{type(self).__name__} is not fitted; call .fit(signal) first")

    def fit_predict(self, signal, penalty="mbic", exposure=None) -> Segmentation:
        return self.fit(signal, exposure=exposure).predict(penalty=penalty)

    def refit_predict(self, y, penalty_spec) -> Segmentation:
        """Same settings on new data (used by the bootstrap); keeps the exposure."""
        from ._data import SignalData

        sig = self.cost_.signal
        clone = type(self).__new__(type(self))
        clone.__dict__.update({k: v for k, v in self.__dict__.items() if not k.endswith("_")})
        cost = self.cost_
        params = dict(self.cost_params)
        if cost.model == "negbin":
            params["alpha"] = cost.alpha_
        clone.cost = cost.model
        clone.cost_params = params
        clone.fit(SignalData(np.asarray(y, float), sig.exposure))
        return clone.predict(penalty=penalty_spec)

    # ------------------------------------------------------------------ result
    def _result(self, cps, pen, extra=None) -> Segmentation:
        cost = self.cost_
        sig = cost.signal
        cps = tuple(int(c) for c in cps)
        total = cost.sum_of_costs(cps, mbic=pen.mbic)
        attrs = {"rate_unit": "row" if sig.exposure is None else "exposure"}
        if cost.model == "negbin":
            attrs["alpha"] = cost.alpha_
        attrs.update(extra or {})
        return Segmentation(
            changepoints=cps,
            times=tuple(sig.label(c) for c in cps),
            segment_data=segment_columns(sig, cost, cps),
            cost=total, penalty=pen.value, penalised_cost=total + pen.value * len(cps),
            cost_name=cost.model, method=self.method, penalty_name=pen.name, n=sig.n,
            min_size=self.min_size_, attrs=attrs, estimator=self, penalty_spec=pen)

    def _pen(self, penalty):
        self._need_fit()
        return resolve_penalty(penalty, self.cost_.n, self.cost_.n_params)

    def __repr__(self) -> str:
        return (f"{type(self).__name__}(cost={self.cost!r}, min_size={self.min_size!r}, "
                f"jump={self.jump!r})")


def _backtrack(last, n):
    out = []
    t = n
    while t > 0:
        tau = int(last[t])
        if tau < 0:
            raise ModelError("no segmentation satisfies the minimum segment length")
        if tau > 0:
            out.append(tau)
        t = tau
    return out[::-1]


class _Penalised(_Search):
    _kernel = None

    def predict(self, penalty="mbic") -> Segmentation:
        """Changepoints minimising the penalised cost.

        Parameters
        ----------
        penalty : {"mbic", "bic", "sic", "aic", "hq"} or float
            See :mod:`analysis.changepoints.penalties`.

        Returns
        -------
        Segmentation
        """
        pen = self._pen(penalty)
        code, cs, cq, ce, param, LT = self.cost_.kernel_args()
        if self._functional(pen):
            sig = self.cost_.signal
            r = sig.y if sig.exposure is None else sig.y / sig.exposure
            out = K.fpop_poisson_kernel(code, cs, ce, LT, pen.value, float(r.min()),
                                        float(r.max()))
            cps = _backtrack(out[1], self.cost_.n)
            return self._result(cps, pen, {"max_candidates": int(out[2]), "pruning": "exact",
                                           "functional": True})
        args = (code, cs, cq, ce, param, LT, pen.mbic, pen.value, self.min_size_, self.jump)
        out = type(self)._kernel(*args, *self._kernel_extra(pen.mbic))
        cps = _backtrack(out[1], self.cost_.n)
        extra = {"max_candidates": int(out[2]), "pruning": self._pruning_used(pen.mbic)} \
            if len(out) > 2 else None
        return self._result(cps, pen, extra)


    def _functional(self, pen) -> bool:
        return False


class OptimalPartitioning(_Penalised):
    """Exact optimal partitioning (Jackson et al. 2005), O(n^2).

    Parameters
    ----------
    cost : {"poisson", "negbin", "normal", "normal-meanvar"} or BaseCost
    min_size : int, optional
        Minimum rows per segment (default: 1; 2 for normal-meanvar).
    jump : int
        Consider changes only at multiples of ``jump``.
    **cost_params
        Passed to the cost (``alpha`` for negbin).

    Examples
    --------
    >>> from analysis.series import CountSeries
    >>> s = CountSeries.from_counts([1, 0, 2, 1, 0, 9, 8, 11, 10, 9], start="2024-01-01", freq="W")
    >>> seg = OptimalPartitioning(cost="poisson", min_size=2).fit(s).predict(penalty="mbic")
    >>> seg.changepoints, seg.times
    ((5,), ('2024-W06',))
    """

    method = "op"
    _kernel = staticmethod(K.op_kernel)

    def _kernel_extra(self, mbic: bool = True):
        return ()


class Pelt(_Penalised):
    """PELT (Killick, Fearnhead and Eckley 2012).

    With exact pruning it gives the same segmentation as :class:`OptimalPartitioning`
    (ties go to the earliest start in both), also with MBIC and with ``min_size > 1``.
    R's ``changepoint`` prunes with ``K = 0`` even with MBIC's ``log(m)`` terms; that
    is fast but not exact (on random small series it misses the optimum in about 1 case
    in 1000; on UK Seatbelts drivers killed it finds 18 changes where the optimum has
    16). The exact rule (see :func:`_kernels.pelt_kernel` for the proof) drops a
    candidate for good only when a change at the current row beats it at every later
    end, and otherwise holds it back for as long as the segmentation through the
    current best last change provably beats it, which keeps long segments cheap.
    Exactness rests on the computed segment costs never rising under a split: true for
    the Poisson and negative binomial costs; ``normal-meanvar`` (its variance floor) and
    the normal costs on values of 1e4 and more can break it, and there
    :class:`OptimalPartitioning` is the exact search.
    ``pruning`` chooses:

    ``"exact"``, ``"auto"`` (default)
        exact, at any length;
    ``"r"``
        R's rule (same answers as R's PELT).

    Without MBIC R's rule is exact for ``min_size = 1``. With the Poisson
    cost, no MBIC, ``min_size = 1`` and ``jump = 1``, ``"auto"`` and ``"exact"`` use
    functional pruning instead (FPOP, Maidstone et al. 2017; see
    :func:`_fpop.fpop_poisson_kernel`): the same optimum, but near-linear with
    small penalties such as BIC, where PELT keeps every candidate of a segment
    (``attrs["functional"]`` is then true).
    The rule used is in ``Segmentation.attrs["pruning"]``.

    Parameters
    ----------
    cost : {"poisson", "negbin", "normal", "normal-meanvar"} or BaseCost
    min_size : int, optional
        Minimum rows per segment (default: 1; 2 for normal-meanvar).
    jump : int
    pruning : {"auto", "exact", "r"}
    **cost_params

    Examples
    --------
    >>> import numpy as np
    >>> seg = Pelt(cost="normal", min_size=2).fit(np.r_[np.zeros(10), np.full(10, 5.0)]).predict("bic")
    >>> seg.changepoints, [round(r, 2) for r in seg.segments["rate"]]
    ((10,), [0.0, 5.0])
    """

    method = "pelt"
    _kernel = staticmethod(K.pelt_kernel)

    def __init__(self, cost="poisson", min_size: int | None = None, jump: int = 1,
                 pruning: str = "auto", **cost_params):
        super().__init__(cost, min_size, jump, **cost_params)
        if pruning not in ("auto", "exact", "r"):
            raise ValueError(f"`pruning` must be 'auto', 'exact' or 'r', not {pruning!r}")
        self.pruning = pruning

    def _pruning_used(self, mbic: bool = True) -> str:
        return "r" if self.pruning == "r" else "exact"

    def _kernel_extra(self, mbic: bool = True):
        return (self._pruning_used(mbic) == "exact",)

    def _functional(self, pen) -> bool:
        """Functional pruning (FPOP) for the Poisson cost without MBIC, ``min_size = 1``
        and ``jump = 1``: exact like the exact rule, and near-linear even with small
        penalties (BIC), where PELT's pruning keeps every candidate of a segment."""
        return (self.pruning != "r" and not pen.mbic and self.cost_.model == "poisson"
                and self.min_size_ == 1 and self.jump == 1)


class SegNeigh(_Search):
    """Segment neighbourhood (Auger and Lawrence 1989): the best segmentation with
    exactly ``n_changes`` changes, or, with ``n_changes=None``, the best penalised one
    among 0..``max_changes`` changes (as R's ``SegNeigh``, whose ``Q`` counts segments:
    R's ``Q`` is ``max_changes + 1``; R's ``BinSeg`` ``Q`` counts changes, as
    :class:`BinSeg` ``max_changes`` does). O(K n^2).

    With the MBIC penalty the ``log(m)`` segment terms are part of the minimised cost.

    Examples
    --------
    >>> from analysis.series import CountSeries
    >>> s = CountSeries.from_counts([1, 0, 2, 1, 0, 9, 8, 11, 10, 9], start="2024-01-01", freq="W")
    >>> SegNeigh(cost="poisson", n_changes=1, min_size=2).fit(s).predict(penalty="mbic").times
    ('2024-W06',)
    """

    method = "segneigh"

    def __init__(self, cost="poisson", n_changes: int | None = None, max_changes: int = 5,
                 min_size: int | None = None, jump: int = 1, **cost_params):
        super().__init__(cost, min_size, jump, **cost_params)
        _check_count("n_changes", n_changes)
        _check_count("max_changes", max_changes)
        self.n_changes = n_changes
        self.max_changes = max_changes

    def predict(self, penalty="mbic") -> Segmentation:
        pen = self._pen(penalty)
        if self.jump != 1:
            raise ValueError("SegNeigh supports jump=1 only")
        code, cs, cq, ce, param, LT = self.cost_.kernel_args()
        n, ms = self.cost_.n, self.min_size_
        kmax = self.n_changes if self.n_changes is not None else self.max_changes
        possible = n // ms - 1
        if self.n_changes is not None and kmax > possible:
            raise ModelError(f"{kmax} changes need at least {(kmax + 1) * ms} rows with "
                             f"min_size={ms}; the series has {n}")
        kmax = min(kmax, possible)
        D, arg = K.segneigh_kernel(code, cs, cq, ce, param, LT, pen.mbic, kmax, ms)
        if self.n_changes is not None:
            k = kmax
        else:
            tot = D[:, n] + pen.value * np.arange(kmax + 1)
            k = int(np.argmin(tot))
        cps = []
        t = n
        for j in range(k, 0, -1):
            tau = int(arg[j, t])
            cps.append(tau)
            t = tau
        return self._result(cps[::-1], pen, {"cost_by_k": D[:, n].tolist()})


class BinSeg(_Search):
    """Binary segmentation (Scott and Knott 1974) with up to ``max_changes`` changes.

    Greedily adds, up to ``Q = max_changes`` times, the split that lowers the total cost
    most over every current segment, as R's ``changepoint`` does (``binseg`` in
    ``BinSeg_one_func_minseglen.c``, read from its source; see
    :func:`_kernels.binseg_kernel`): R's loop needs ``min_size + 1`` rows left of a
    split and ``min_size`` right of it, no split before row 2 or after row ``n - 3``,
    takes the first split in row order among equal drops and only drops above 0 (the
    path ends at the first step without one). The cost drop of step ``q`` is capped at
    the drop of step ``q - 1`` (so the sequence is non-increasing) and the search keeps
    the leading splits whose capped drop is at least the penalty: it stops at the first
    split that does not pay for itself, even if a later split would. Approximate (not
    guaranteed optimal); each segment's best split is kept, so only the two new parts
    are scanned after a split.
    ``attrs["path"]`` holds the nested segmentations found and ``attrs["gains"]`` the
    capped cost drops.

    Examples
    --------
    >>> from analysis.series import CountSeries
    >>> s = CountSeries.from_counts([1, 0, 2, 1, 0, 9, 8, 11, 10, 9], start="2024-01-01", freq="W")
    >>> BinSeg(cost="poisson", max_changes=2, min_size=2).fit(s).predict(penalty="mbic").changepoints
    (5,)
    """

    method = "binseg"

    def __init__(self, cost="poisson", max_changes: int = 5, min_size: int | None = None,
                 jump: int = 1, **cost_params):
        super().__init__(cost, min_size, jump, **cost_params)
        _check_count("max_changes", max_changes, optional=False)
        self.max_changes = max_changes

    def predict(self, penalty="mbic") -> Segmentation:
        pen = self._pen(penalty)
        if self.jump != 1:
            raise ValueError("BinSeg supports jump=1 only")
        code, cs, cq, ce, param, LT = self.cost_.kernel_args()
        found, drops = K.binseg_kernel(code, cs, cq, ce, param, LT, pen.mbic, self.min_size_,
                                       int(self.max_changes))
        cps: list[int] = []
        path = [list(cps)]
        for tau in found.tolist():
            cps = sorted(cps + [tau])
            path.append(cps)
        gains = np.minimum.accumulate(drops)
        k = 0
        while k < len(gains) and gains[k] >= pen.value:
            k += 1
        return self._result(path[k], pen, {"path": [list(p) for p in path],
                                           "gains": [float(g) for g in gains]})


METHODS = {"pelt": Pelt, "op": OptimalPartitioning, "binseg": BinSeg, "segneigh": SegNeigh}


def detect_changepoints(series, method: str = "pelt", cost="poisson", penalty="mbic",
                        min_size: int | None = None, *, exposure=None, max_changes: int = 5,
                        n_changes: int | None = None, **cost_params) -> Segmentation:
    """One-call changepoint search.

    Parameters
    ----------
    series : CountSeries or array_like
    method : {"pelt", "op", "binseg", "segneigh"}
    cost : {"poisson", "negbin", "normal", "normal-meanvar"}
    penalty : {"mbic", "bic", "sic", "aic", "hq"} or float
    min_size : int, optional
    exposure : array_like, optional
    max_changes : int
        Q for binseg and for segneigh without ``n_changes``.
    n_changes : int, optional
        Exactly this many changes (segneigh).

    Returns
    -------
    Segmentation

    Examples
    --------
    >>> from analysis.series import CountSeries
    >>> s = CountSeries.from_counts([1, 0, 2, 1, 0, 9, 8, 11, 10, 9], start="2024-01-01", freq="W")
    >>> seg = detect_changepoints(s, method="pelt", cost="poisson", penalty="mbic", min_size=2)
    >>> seg.changepoints, seg.segments["rate"].round(2).tolist()
    ((5,), [0.8, 9.4])
    """
    if method not in METHODS:
        raise ValueError(f"`method` must be one of {sorted(METHODS)}, not {method!r}")
    if method in ("pelt", "op"):
        est = METHODS[method](cost=cost, min_size=min_size, **cost_params)
    elif method == "binseg":
        est = BinSeg(cost=cost, max_changes=max_changes, min_size=min_size, **cost_params)
    else:
        est = SegNeigh(cost=cost, n_changes=n_changes, max_changes=max_changes,
                       min_size=min_size, **cost_params)
    return est.fit(series, exposure=exposure).predict(penalty=penalty)
