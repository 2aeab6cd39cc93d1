"""Exact Bayesian changepoints for counts: the product-partition posterior.

Model (Barry and Hartigan 1992; Fearnhead 2006): the rows split into contiguous
segments; within a segment the counts are Poisson with rate ``lambda`` per unit
exposure, ``lambda ~ Gamma(a, b)`` independently per segment (shape ``a``, rate ``b``);
a prior weighs each segmentation. The rates integrate out in closed form,

.. math:: p(y_{s:e}) = \\prod_i \\frac{x_i^{y_i}}{y_i!}\\;
          \\frac{b^a}{\\Gamma(a)}\\,\\frac{\\Gamma(a + S)}{(b + E)^{a + S}},

so forward and backward sums over all segmentations (in log space, O(n^2)) give the
exact posterior: probability of a change at each row, number of changes, MAP
segmentation, rate at each row, and the evidence ``log p(y)``.

Priors on segmentations
-----------------------
``p_change``
    each boundary between rows is a change with probability ``p`` independently
    (geometric segment lengths with mean ``1/p``);
``segment_length=("negbin", mean, size)`` or ``("geometric", mean)``
    a renewal prior: segment lengths ``1 + NB(size, mean - 1)`` (the last segment is
    censored: its weight is the survival function);
``event_prior=EventPrior(dates, window_days, odds)``
    multiplies the prior odds of a change at every boundary within ``window_days`` of a
    listed event by ``odds``.
``min_size`` forbids shorter segments. The prior is always normalised over the allowed
segmentations, so ``log_evidence`` is a proper marginal likelihood and Bayes factors
between priors are differences of ``log_evidence``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .._summary import Summary

import math
from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np

from ..schema import InputError
from . import _compiled as K
from ._data import SignalData, as_signal, check_counts

#: for series longer than EXACT_COUNT_MAX rows, segments whose posterior probability is
#: below exp(KEEP_LOG) are left out of the number-of-changes recursion; the summed
#: probability of those segments bounds the mass missed and is reported
#: (``BayesResult.prior["count_mass_bound"]``); shorter series keep every segment
KEEP_LOG = -30.0
EXACT_COUNT_MAX = 300
#: ``mode="auto"`` runs the exact O(n^2) recursions up to this many rows and the filtered
#: ones (O(n x retained run lengths) time, O(n) memory) beyond. At 5,000 rows the exact
#: posterior takes about 0.5 s and 0.1 GiB on an idle 2-core machine; its time and memory
#: grow as n^2 (10 s and 1.9 GiB at 20,000). The filtered one with the default cap differs
#: from it by at most 4e-4 in ``prob_change`` at 5,000 rows and 8e-4 at 20,000, with the
#: same MAP segmentation (``benchmarks/bayes_filter_error.py``), so below 5,000 rows,
#: where exact is affordable, exact is used. A ten-year daily series (3,650 rows) stays
#: exact.
EXACT_MAX = 5_000
#: default relative weight below which the filtered recursions drop a run length
FILTER_TOL = 1e-12
#: default number of run lengths the filtered recursions resample down to
FILTER_CAP = 500
#: run lengths kept for the Viterbi (MAP) recursion whatever their weight (at most half
#: of ``max_run_lengths``, so that thinning always gets down to the cap)
FILTER_VKEEP = 32
#: filtered mode: segments less probable than exp(FILTER_KEEP_LOG) are left out of the
#: number-of-changes recursion and the draws (memory stays O(n); the mass left out is
#: reported as ``prior["count_mass_bound"]``)
FILTER_KEEP_LOG = -20.0
_NO_SEGMENTATION = "no segmentation satisfies the prior (check min_size against the series length)"


@dataclass(frozen=True)
class EventPrior:
    """Extra prior mass for changes near listed events.

    Parameters
    ----------
    dates : sequence of dates (or of row indices for plain arrays)
    window_days : float
        A boundary (the first row of a possible new segment) is "near" an event when
        its start is within this many days (rows, for plain arrays) of the event.
    odds : float
        Factor on the prior odds of a change at a near boundary (> 0).
    """

    dates: Sequence[Any]
    window_days: float = 7.0
    odds: float = 10.0

    def __post_init__(self):
        if not (self.odds > 0 and np.isfinite(self.odds)):
            raise ValueError(f"`odds` must be a positive number, not {self.odds!r}")
        if not (self.window_days >= 0):
            raise ValueError(f"`window_days` must be >= 0, not {self.window_days!r}")

    def near(self, sig: SignalData) -> np.ndarray:
        """Boolean mask over rows 0..n-1: boundary at row t is near an event."""
        n = sig.n
        if sig.starts is not None:
            import pandas as pd

            d = pd.to_datetime(pd.Series(list(self.dates))).to_numpy("datetime64[ns]")
            pos = sig.starts.astype("datetime64[ns]").astype(np.int64) / 86400e9
            ev = d.astype(np.int64) / 86400e9
        else:
            pos = np.arange(n, dtype=float)
            ev = np.asarray(self.dates, float)
        if len(ev) == 0:
            return np.zeros(n, bool)
        dist = np.min(np.abs(pos[:, None] - ev[None, :]), axis=1)
        return dist <= self.window_days


@dataclass(frozen=True, eq=False)
class BayesResult:
    """Posterior summaries of :class:`BayesianChangepoints`.

    Attributes
    ----------
    prob_change : ndarray, shape (n,)
        P(a new segment starts at row t | data); 0 at row 0.
    n_changes_posterior : ndarray
        P(k changes | data) for k = 0, 1, ... (up to where the mass is exhausted).
    map_changepoints : tuple of int
        The single most probable segmentation.
    map_segmentation : Segmentation
        Its segment table (rates with Garwood intervals).
    rate_mean, rate_lower, rate_upper : ndarray, shape (n,)
        Posterior mean rate per unit exposure at each row (exact) and an approximate
        ``level`` credible band: quantiles of one Gamma matched to the posterior mean
        and variance of the rate. The exact posterior is a mixture of Gammas over the
        segments covering the row; inside a well-determined segment the band is close
        to its quantiles (within a few percent), but near an uncertain change the
        mixture is bimodal and the band can be off by much more (on 12 rows with a
        change at row 6, the 95% band at row 5 was 0.03-4.46 against exact mixture
        quantiles 0.24-5.22). Read it as a guide, not as exact credible limits.
    location_intervals : pandas.DataFrame
        For each MAP change: ``index``, ``time``, ``lower``, ``upper`` (equal-tailed
        ``level`` interval of the change location over posterior draws: in each draw,
        the change nearest the MAP change within the stretch between the midpoints to
        its neighbouring MAP changes), ``lower_time``, ``upper_time``, ``detected``
        (share of draws with a change in the stretch), ``mass`` (expected number of
        changes in the stretch) and ``prob`` (``prob_change`` at the MAP row).
    log_evidence : float
        log p(data | prior), including the per-row terms, so it compares across priors.
    expected_changes : float
    prior : dict
    labels : list or None
    """

    prob_change: np.ndarray
    n_changes_posterior: np.ndarray
    map_changepoints: tuple
    map_segmentation: Any
    rate_mean: np.ndarray
    rate_lower: np.ndarray
    rate_upper: np.ndarray
    location_intervals: pd.DataFrame
    log_evidence: float
    expected_changes: float
    prior: dict = field(default_factory=dict)
    labels: list | None = None
    level: float = 0.95
    #: (start, end, posterior probability) of the segments kept by the recursions
    segment_probs: tuple | None = field(default=None, repr=False)

    @property
    def n(self) -> int:
        return len(self.prob_change)

    def prob_change_between(self, first: int, last: int) -> float:
        """Posterior probability of at least one change at rows ``first .. last``.

        A change at row ``t`` means a new segment starts there (as in ``prob_change``).
        There is no change in the block exactly when one segment covers rows
        ``first - 1 .. last``, so the probability is one minus the summed posterior
        probability of the segments ``[s, e)`` with ``s < first`` and ``e > last``.
        Unlike ``prob_change[first:last + 1].sum()`` (the expected number of changes)
        it stays a probability when several changes fit in the block. Exact for
        series of up to 300 rows; beyond, segments with posterior probability below
        ``exp(-30)`` are left out (their total is ``prior["count_mass_bound"]``).

        Parameters
        ----------
        first, last : int
            Rows (0-based, inclusive); clipped to ``1 .. n - 1``.

        Returns
        -------
        float
        """
        first, last = max(int(first), 1), min(int(last), self.n - 1)
        if first > last:
            return 0.0
        if self.segment_probs is None:
            raise ValueError("this result carries no segment probabilities")
        ps, pe, pp = self.segment_probs
        covered = float(pp[(ps < first) & (pe > last)].sum())
        return float(min(1.0, max(0.0, 1.0 - covered)))

    def to_dict(self) -> dict:
        """CLI JSON: the MAP segmentation plus ``prob_change`` and posterior summaries."""
        d = self.map_segmentation.to_dict()
        d["method"] = "bayes"
        d["penalty"] = None
        d["prob_change"] = [float(p) for p in self.prob_change]
        d["n_changes_posterior"] = [float(p) for p in self.n_changes_posterior]
        d["log_evidence"] = float(self.log_evidence)
        d["location_intervals"] = [
            {k: (None if v is None or (isinstance(v, float) and not np.isfinite(v)) else
                 (int(v) if isinstance(v, (np.integer,)) else v))
             for k, v in r.items()}
            for r in self.location_intervals.to_dict("records")]
        return d

    def to_frame(self) -> pd.DataFrame:
        """Per-row table: time, prob_change, rate_mean, rate_lower, rate_upper."""
        import pandas as pd

        return pd.DataFrame({"time": self.labels if self.labels is not None else np.arange(self.n),
                             "prob_change": self.prob_change, "rate_mean": self.rate_mean,
                             "rate_lower": self.rate_lower, "rate_upper": self.rate_upper})

    def summary(self) -> Summary:
        """Expected number of changes, the MAP changes with their location intervals.

        A :class:`~analysis._summary.Summary` (text with ``print``, HTML in a notebook).
        """
        from .._format import plural
        from .._summary import Summary

        times = self.map_segmentation.times
        where = ", ".join(f"{t} (row {c})" for c, t in zip(self.map_changepoints, times)) or "none"
        header = (f"Bayesian changepoints (Poisson-Gamma), {self.n} rows: expected number of "
                  f"changes {self.expected_changes:.3g}; MAP segmentation: "
                  f"{plural(len(self.map_changepoints), 'change')}: {where}")
        notes = [f"log evidence {self.log_evidence:.6g}; location intervals at level {self.level:g}"]
        return Summary(header, self.location_intervals, notes)

    def _repr_html_(self) -> str:
        return self.summary()._repr_html_()

    def __repr__(self) -> str:
        return (f"BayesResult(n={self.n}, expected_changes={self.expected_changes:.4g}, "
                f"map_changepoints={self.map_changepoints}, "
                f"times={tuple(self.map_segmentation.times)})")


class BayesianChangepoints:
    """Exact posterior over segmentations of a count series (Poisson-Gamma).

    Parameters
    ----------
    prior_rate : (float, float), optional
        Shape ``a`` and rate ``b`` of the Gamma prior on each segment's rate per unit
        exposure. Default: ``a = 1`` and ``b = 1 / (overall rate)``, an exponential
        prior centred on the series' mean rate.
    p_change : float, optional
        Prior probability of a change at each boundary (default ``1 / n``: one change
        expected a priori). Ignored when ``segment_length`` is given.
    segment_length : tuple, optional
        ``("geometric", mean)`` or ``("negbin", mean, size)`` renewal prior.
    min_size : int
        Minimum rows per segment.
    event_prior : EventPrior, optional
    level : float
        Credible level for the rate band and the location intervals.
    n_draws : int
        Posterior draws of whole segmentations used for the location intervals.
    seed : int or numpy Generator
        Seed for those draws (everything else is deterministic).
    mode : {"auto", "exact", "filtered"}
        ``"exact"``: the forward-backward sums over every segment, O(n^2) time and
        memory. ``"filtered"``: the same recursions over the starts (forward) and ends
        (backward) of the current segment that keep a relative weight of at least
        ``tol`` (at most ``max_run_lengths`` of them; Fearnhead and Liu 2007), O(n)
        memory; the posterior mass dropped is ``prior["discarded_mass"]``.
        ``"auto"`` (default): exact up to ``EXACT_MAX`` = 5,000 rows, filtered beyond.
        The mode used is ``prior["mode"]``.
    tol : float
        Filtered mode: relative weight below which a run length is dropped.
    max_run_lengths : int
        Filtered mode: run lengths kept after thinning (thinning starts above 1.5 times
        as many). The 32 with the best MAP scores (at most half of them) are kept
        whatever their weight; the others are resampled, seeded by ``seed``.

    Examples
    --------
    >>> import numpy as np
    >>> y = np.r_[np.full(30, 1.0), np.full(30, 6.0)]
    >>> res = BayesianChangepoints(prior_rate=(1.0, 0.5), p_change=0.01).fit(y)
    >>> res.map_changepoints, round(float(res.prob_change[30]), 3)
    ((30,), 0.948)
    """

    def __init__(self, prior_rate=None, p_change: float | None = None, *,
                 segment_length=None, min_size: int = 1, event_prior: EventPrior | None = None,
                 level: float = 0.95, n_draws: int = 2000, seed=0, mode: str = "auto",
                 tol: float = FILTER_TOL, max_run_lengths: int = FILTER_CAP):
        if prior_rate is not None:
            a, b = prior_rate
            if not (a > 0 and b > 0 and np.isfinite(a) and np.isfinite(b)):
                raise ValueError(f"`prior_rate` must be two positive numbers (shape, rate), not {prior_rate!r}")
        if p_change is not None and not (0 < p_change < 1):
            raise ValueError(f"`p_change` must be in (0, 1), not {p_change!r}")
        if segment_length is not None:
            kind = segment_length[0]
            if kind not in ("geometric", "negbin") or \
                    len(segment_length) != (2 if kind == "geometric" else 3) or segment_length[1] <= 1:
                raise ValueError("`segment_length` must be ('geometric', mean) or ('negbin', mean, size) "
                                 f"with mean > 1, not {segment_length!r}")
        if isinstance(min_size, bool) or int(min_size) != min_size or min_size < 1:
            raise ValueError(f"`min_size` must be a positive integer, not {min_size!r}")
        if not (0 < level < 1):
            raise ValueError(f"`level` must be in (0, 1), not {level!r}")
        if mode not in ("auto", "exact", "filtered"):
            raise ValueError(f"`mode` must be 'auto', 'exact' or 'filtered', not {mode!r}")
        if not (0 < tol < 1):
            raise ValueError(f"`tol` must be in (0, 1), not {tol!r}")
        if isinstance(max_run_lengths, bool) or int(max_run_lengths) != max_run_lengths \
                or max_run_lengths < 1:
            raise ValueError(f"`max_run_lengths` must be a positive integer, not {max_run_lengths!r}")
        self.mode = mode
        self.tol = float(tol)
        self.max_run_lengths = int(max_run_lengths)
        self.prior_rate = prior_rate
        self.p_change = p_change
        self.segment_length = segment_length
        self.min_size = int(min_size)
        self.event_prior = event_prior
        self.level = level
        self.n_draws = int(n_draws)
        self.seed = seed

    # ------------------------------------------------------------------ prior
    def _prior_arrays(self, sig: SignalData):
        n = sig.n
        ms = self.min_size
        L = np.arange(n + 1)
        LEN = np.zeros(n + 1)
        LENF = np.zeros(n + 1)
        BOOST = np.zeros(n + 1)
        NOCH = np.zeros(n + 1)
        near = self.event_prior.near(sig) if self.event_prior is not None else np.zeros(n, bool)
        desc: dict = {"min_size": ms}
        if self.segment_length is None:
            p = self.p_change if self.p_change is not None else 1.0 / n
            pt = np.full(n, p)
            if self.event_prior is not None:
                o = self.event_prior.odds
                pt = np.where(near, o * p / (1 - p + o * p), p)
            # boundary t (row t starts a segment), t = 1..n-1
            BOOST[1:n] = np.log(pt[1:n])
            NOCH[1:n] = np.cumsum(np.log1p(-pt[1:n]))
            NOCH[n] = NOCH[n - 1]
            desc.update(kind="p_change", p_change=p)
            normalised = ms == 1
        else:
            from scipy.special import gammaln, nbdtrc

            kind = self.segment_length[0]
            mean = float(self.segment_length[1])
            size = 1.0 if kind == "geometric" else float(self.segment_length[2])
            # L - 1 ~ NB(size, prob q) with mean size (1 - q) / q = mean - 1
            q = size / (size + mean - 1.0)
            k = np.maximum(L - 1, 0).astype(float)
            with np.errstate(divide="ignore"):
                LEN = (gammaln(k + size) - gammaln(size) - gammaln(k + 1)
                       + size * math.log(q) + k * math.log1p(-q))
                # last segment: P(length >= L) = P(L - 1 >= k) = 1 - F(k - 1)
                sf = np.where(k > 0, nbdtrc(np.maximum(k - 1, 0), size, q), 1.0)
                LENF = np.log(sf)
            LEN[0] = LENF[0] = -np.inf
            if self.event_prior is not None:
                BOOST[1:n] = np.where(near[1:n], math.log(self.event_prior.odds), 0.0)
            desc.update(kind=kind, mean=mean, size=size)
            normalised = ms == 1 and self.event_prior is None
        if ms > 1:
            LEN[:ms] = -np.inf
            LENF[:ms] = -np.inf
        if self.event_prior is not None:
            desc.update(events=int(len(self.event_prior.dates)), window_days=self.event_prior.window_days,
                        odds=self.event_prior.odds, near_rows=int(near[1:].sum()))
        return LEN, LENF, BOOST, NOCH, normalised, desc

    # ------------------------------------------------------------------ fit
    def fit(self, series, exposure=None) -> BayesResult:
        """Compute the posterior for ``series`` (CountSeries or array of counts).

        Parameters
        ----------
        series : CountSeries or array_like of shape (n,)
        exposure : array_like, optional
            See :func:`analysis.changepoints._data.as_signal`.

        Returns
        -------
        BayesResult
        """
        sig = as_signal(series, exposure)
        check_counts(sig, "bayes (Poisson-Gamma)")
        n = sig.n
        if n < self.min_size:
            raise InputError(f"the series has {n} rows, fewer than the minimum segment length "
                             f"{self.min_size}")
        y = sig.y
        x = np.ones(n) if sig.exposure is None else sig.exposure
        if self.prior_rate is None:
            rate = y.sum() / x.sum()
            a, b = 1.0, 1.0 / max(rate, 1e-3 / x.mean())
        else:
            a, b = map(float, self.prior_rate)
        cy = np.r_[0.0, np.cumsum(y)]
        ce = np.r_[0.0, np.cumsum(x)]
        total = int(round(cy[-1]))
        tables = 0
        LG = np.zeros(1)
        LB = np.zeros(1)
        if total <= 20_000_000:
            from scipy.special import gammaln

            LG = gammaln(a + np.arange(total + 1, dtype=float))
            tables |= 1
        if sig.exposure is None:
            LB = np.log(b + np.arange(n + 1, dtype=float))
            tables |= 2
        LEN, LENF, BOOST, NOCH, normalised, desc = self._prior_arrays(sig)
        mode = self.mode if self.mode != "auto" else ("exact" if n <= EXACT_MAX else "filtered")
        keep = -np.inf if n <= EXACT_COUNT_MAX else KEEP_LOG
        args = (cy, ce, a, b, LG, LB, tables, LEN, LENF, BOOST, NOCH)
        ms = self.min_size
        if mode == "exact":
            A, V, vlast = K.bayes_forward(*args, True)
            logZ = A[n]
            if not np.isfinite(logZ):
                raise InputError(_NO_SEGMENTATION)
            logZ0 = 0.0 if normalised else K.bayes_forward(*args, False)[0][n]
            B, m1, m2, ps, pe, pw, dropped = K.bayes_backward(*args, A, keep)
            desc.update(mode="exact")
        else:
            seed = int(np.random.default_rng(self.seed).integers(2**31)) \
                if not isinstance(self.seed, np.random.Generator) else int(self.seed.integers(2**31))
            # geometric prior: the weight of a segment ending at e and that of a run
            # lasting past it differ by a constant, which saves a pass of exps
            geo = bool(np.all(LEN[ms:] == 0.0) and np.all(LENF[ms:] == 0.0))
            (A, V, vlast, logZ0, B, m1, m2, ps, pe, pw, dropped, drop_f, res_f, kept_f, drop_b,
             res_b, kept_b) = K.bayes_filtered(
                *args, keep if n <= EXACT_COUNT_MAX else max(keep, FILTER_KEEP_LOG), ms,
                -math.log(self.tol), self.max_run_lengths,
                min(FILTER_VKEEP, self.max_run_lengths // 2), seed, geo, normalised)
            logZ = A[n]
            if not np.isfinite(logZ):
                raise InputError(_NO_SEGMENTATION)
            desc.update(mode="filtered", tol=self.tol, max_run_lengths=self.max_run_lengths,
                        discarded_mass=float(drop_f + drop_b), resampled_mass=float(res_f + res_b),
                        retained_run_lengths=int(max(kept_f, kept_b)))
        const = float(np.sum(y * np.log(x)) - np.sum(_lgamma1(y)))
        log_evidence = float(logZ - logZ0 + const)
        prob = np.zeros(n)
        prob[1:] = np.exp(np.minimum(A[1:n] + B[1:n] - logZ, 0.0))
        pk = K.count_posterior(n, ps, pe, pw, max(1e-12, 2.0 * dropped))
        last_k = int(np.max(np.flatnonzero(pk > 0))) if np.any(pk > 0) else 0
        pk = pk[:last_k + 1]
        # MAP
        cps = []
        t = n
        while t > 0:
            s = int(vlast[t])
            if s > 0:
                cps.append(s)
            t = s
        cps = tuple(cps[::-1])
        # rate band
        var = np.maximum(m2 - m1 * m1, 0.0)
        lo, hi = _gamma_band(m1, var, self.level)
        from .costs import CostPoisson
        from .result import Segmentation, segment_columns
        cost = CostPoisson().fit(sig)
        segs = segment_columns(sig, cost, cps, self.level)
        mapseg = Segmentation(changepoints=cps, times=tuple(sig.label(c) for c in cps),
                              segment_data=segs, cost=float("nan"), penalty=float("nan"),
                              penalised_cost=float("nan"), cost_name="poisson", method="bayes-map",
                              penalty_name="prior", n=n, min_size=self.min_size,
                              attrs={"rate_unit": "row" if sig.exposure is None else "exposure"})
        desc.update(prior_rate=(a, b), count_mass_bound=float(dropped))
        return BayesResult(
            prob_change=prob, n_changes_posterior=pk, map_changepoints=cps,
            map_segmentation=mapseg, rate_mean=m1, rate_lower=lo, rate_upper=hi,
            location_intervals=_locations(prob, cps, sig, self.level, n, ps, pe, pw,
                                          self.n_draws, self.seed),
            log_evidence=log_evidence, expected_changes=float(prob.sum()), prior=desc,
            labels=sig.labels, level=self.level,
            segment_probs=(ps, pe, np.exp(np.minimum(pw + A[pe] + B[pe] - logZ, 0.0))))


def _lgamma1(y):
    from scipy.special import gammaln
    return gammaln(y + 1.0)


def _gamma_band(mean, var, level):
    """Quantiles of the Gamma with the given mean and variance (point mass if var = 0)."""
    n = len(mean)
    lo = mean.copy()
    hi = mean.copy()
    ok = (var > 1e-300) & (mean > 0)
    if ok.any():
        shape = mean[ok] ** 2 / var[ok]
        scale = var[ok] / mean[ok]
        q = (1 - level) / 2
        from .intervals import gamma_quantile
        lo[ok] = gamma_quantile(q, shape, scale)
        hi[ok] = gamma_quantile(1 - q, shape, scale)
    return lo[:n], hi[:n]


def _locations(prob, cps, sig, level, n, ps, pe, pw, n_draws, seed) -> pd.DataFrame:
    """Credible interval for the location of each MAP change.

    Segmentations are drawn from the exact posterior; in each draw the change nearest
    to a MAP change ``c`` within the stretch between the midpoints to its neighbouring
    MAP changes is that change's location. The interval is the equal-tailed ``level``
    range of those locations; ``detected`` is the share of draws with a change in the
    stretch, ``mass`` the expected number of changes there and ``prob`` is
    ``prob_change`` at ``c``.
    """
    import pandas as pd

    q = (1 - level) / 2
    cps = list(cps)
    cols = ["index", "time", "lower", "upper", "lower_time", "upper_time", "detected", "mass", "prob"]
    if not cps:
        return pd.DataFrame([], columns=cols)
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    per = max(64, 4 * (len(cps) + 2))
    U = rng.random(n_draws * per)
    od, oc = K.sample_segmentations(n, ps, pe, pw, U, per)
    arr = np.asarray(cps, float)
    mids = np.r_[-np.inf, (arr[:-1] + arr[1:]) / 2.0, np.inf]
    which = np.searchsorted(mids, oc, side="right") - 1
    rows = []
    for j, c in enumerate(cps):
        sel = which == j
        d, loc = od[sel], oc[sel]
        # nearest change to c in each draw
        best = {}
        for di, li in zip(d.tolist(), loc.tolist()):
            if di not in best or abs(li - c) < abs(best[di] - c):
                best[di] = li
        v = np.array(sorted(best.values()), float)
        if len(v):
            lo = int(np.floor(np.quantile(v, q)))
            hi = int(np.ceil(np.quantile(v, 1 - q)))
        else:
            lo = hi = int(c)
        left = int(np.ceil(mids[j])) if np.isfinite(mids[j]) else 1
        right = int(np.floor(mids[j + 1])) if np.isfinite(mids[j + 1]) else n - 1
        rows.append({"index": int(c), "time": sig.label(c), "lower": lo, "upper": hi,
                     "lower_time": sig.label(lo), "upper_time": sig.label(hi),
                     "detected": len(best) / max(n_draws, 1),
                     "mass": float(prob[max(left, 1):right + 1].sum()), "prob": float(prob[c])})
    return pd.DataFrame(rows, columns=cols)
