"""Penalties (R changepoint definitions) and the CROPS path over a penalty range.

With ``p`` parameters changing at a change (1 for poisson, negbin and normal, 2 for
normal-meanvar) and ``n`` rows, the penalty per change is

========  =====================================
aic       ``2 (p + 1)``
bic, sic  ``(p + 1) log n``
hq        ``2 (p + 1) log log n``
mbic      ``(p + 2) log n``, plus ``log(m)`` added to the cost of every segment of
          ``m`` rows (Zhang and Siegmund 2007, as R's ``changepoint`` applies it)
number    that value (a non-negative float, or a string holding one)
========  =====================================

As in R (``mbic_meanvar_poisson`` in ``cost_general_functions.c``), the Poisson cost of
a segment whose counts sum to zero stays 0 under MBIC: no ``log(m)`` is added to it.
With ``n`` the number of rows, the penalties are those R's ``penalty_decision`` uses.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

PENALTIES = ("aic", "bic", "sic", "mbic", "hq")


@dataclass(frozen=True)
class Penalty:
    """A resolved penalty: ``value`` per change, ``mbic`` flag, and its ``name``."""

    value: float
    mbic: bool
    name: str


def resolve_penalty(penalty, n: int, n_params: int) -> Penalty:
    """Turn ``penalty`` (name or number) into a :class:`Penalty` for ``n`` rows.

    Examples
    --------
    >>> round(resolve_penalty("mbic", 112, 1).value, 4)
    14.1555
    >>> resolve_penalty("7.5", 10, 1)
    Penalty(value=7.5, mbic=False, name='manual')
    """
    if isinstance(penalty, Penalty):
        return penalty
    p = n_params
    if isinstance(penalty, str):
        key = penalty.strip().lower()
        if key in ("bic", "sic"):
            return Penalty((p + 1) * math.log(n), False, key)
        if key == "aic":
            return Penalty(2.0 * (p + 1), False, key)
        if key == "hq":
            if n < 3:
                raise ValueError("the 'hq' penalty needs at least 3 rows (log log n)")
            return Penalty(2.0 * (p + 1) * math.log(math.log(n)), False, key)
        if key == "mbic":
            return Penalty((p + 2) * math.log(n), True, key)
        try:
            penalty = float(key)
        except ValueError:
            raise ValueError(f"`penalty` must be one of {list(PENALTIES)} or a non-negative "
                             f"number, not {penalty!r}") from None
    if isinstance(penalty, bool) or not isinstance(penalty, (int, float, np.integer, np.floating)):
        raise ValueError(f"`penalty` must be one of {list(PENALTIES)} or a non-negative number, "
                         f"not {penalty!r}")
    v = float(penalty)
    if not (math.isfinite(v) and v >= 0):
        raise ValueError(f"a numeric `penalty` must be finite and >= 0, not {penalty!r}")
    return Penalty(v, False, "manual")


@dataclass(frozen=True)
class CropsResult:
    """Every distinct optimal segmentation for penalties in ``[beta_min, beta_max]``.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per segmentation, most changes first: ``n_changes``, ``cost``
        (unpenalised), ``beta_low``, ``beta_high`` (the penalty range, within
        ``[beta_min, beta_max]``, over which it is optimal) and ``changepoints`` (tuple).
    beta_min, beta_max : float
    cost_name : str
    n_runs : int
        Searches run to find the path (at most twice the number of segmentations).
    """

    table: pd.DataFrame
    beta_min: float
    beta_max: float
    cost_name: str
    n_runs: int = 0

    def segmentation_for(self, beta: float) -> tuple:
        """Changepoints optimal at penalty ``beta``."""
        t = self.table
        row = t[(t["beta_low"] <= beta) & (beta <= t["beta_high"])]
        if row.empty:
            raise ValueError(f"beta {beta} is outside [{self.beta_min}, {self.beta_max}]")
        return row["changepoints"].iloc[0]

    def to_dict(self) -> dict:
        return {"cost": self.cost_name, "beta_min": self.beta_min, "beta_max": self.beta_max,
                "path": [{"n_changes": int(r.n_changes), "cost": float(r.cost),
                          "beta_low": float(r.beta_low), "beta_high": float(r.beta_high),
                          "changepoints": list(r.changepoints)}
                         for r in self.table.itertuples(index=False)]}


def crops(series, cost="poisson", beta_min: float = 1.0, beta_max: float = 100.0, *,
          min_size: int | None = None, exposure=None, **cost_params) -> CropsResult:
    """Changepoints for a range of penalties (Haynes, Eckley and Fearnhead 2017).

    Runs exact PELT at the ends of ``[beta_min, beta_max]`` and at the penalties where
    two known optimal segmentations cost the same, until no new segmentation appears.
    Every segmentation optimal for some penalty in the range is returned once, with
    its unpenalised cost and number of changes.

    Parameters
    ----------
    series : CountSeries or array_like
    cost : str or BaseCost
    beta_min, beta_max : float
        Penalty range, ``0 <= beta_min < beta_max``.
    min_size : int, optional
    exposure : array_like, optional
    **cost_params
        Passed to the cost (e.g. ``alpha`` for negbin).

    Returns
    -------
    CropsResult

    Examples
    --------
    >>> from analysis.series import CountSeries
    >>> s = CountSeries.from_counts([1, 0, 2, 1, 0, 9, 8, 11, 10, 9], start="2024-01-01", freq="W")
    >>> path = crops(s, beta_min=1, beta_max=50, min_size=2)
    >>> path.table[["n_changes", "beta_low", "beta_high", "changepoints"]].round(2).values.tolist()
    [[1, 1.0, 42.66, (5,)], [0, 42.66, 50.0, ()]]
    """
    from .search import Pelt

    if not (0 <= beta_min < beta_max and math.isfinite(beta_max)):
        raise ValueError(f"need 0 <= beta_min < beta_max < inf, got {beta_min}, {beta_max}")
    est = Pelt(cost=cost, min_size=min_size, **cost_params).fit(series, exposure=exposure)
    seen: dict[int, tuple[float, tuple]] = {}
    runs = [0]

    def run(beta):
        runs[0] += 1
        seg = est.predict(penalty=float(beta))
        m = len(seg.changepoints)
        seen.setdefault(m, (seg.cost, seg.changepoints))
        return m, seg.cost

    lo = run(beta_min)
    hi = run(beta_max)
    stack = [(beta_min, lo, beta_max, hi)]
    while stack:
        b0, (m0, q0), b1, (m1, q1) = stack.pop()
        if m0 <= m1 + 1:
            continue
        bint = (q1 - q0) / (m0 - m1)
        if not (b0 < bint < b1):
            continue
        mi, qi = run(bint)
        if mi in (m0, m1):
            continue
        stack.append((b0, (m0, q0), bint, (mi, qi)))
        stack.append((bint, (mi, qi), b1, (m1, q1)))
    # keep the lower convex hull: segmentation m is optimal where beta*m + cost is least
    ms = sorted(seen, reverse=True)
    rows = []
    for m in ms:
        q, cps = seen[m]
        lo_b, hi_b = beta_min, beta_max
        for m2 in ms:
            if m2 == m:
                continue
            q2 = seen[m2][0]
            bx = (q2 - q) / (m - m2)  # beta where the two cost the same
            if m2 < m:
                hi_b = min(hi_b, bx)
            else:
                lo_b = max(lo_b, bx)
        if lo_b <= hi_b + 1e-9:
            rows.append({"n_changes": m, "cost": q, "beta_low": lo_b, "beta_high": hi_b,
                         "changepoints": cps})
    import pandas as pd

    table = pd.DataFrame(rows, columns=["n_changes", "cost", "beta_low", "beta_high", "changepoints"])
    return CropsResult(table, float(beta_min), float(beta_max), est.cost_.model, runs[0])
