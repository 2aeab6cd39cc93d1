"""Imprecise dates: put each incident's interval ``[date_start, date_end]`` into bins.

Three allocation rules (``allocate=``):

``start``
    the whole incident goes to the bin that holds ``date_start``. It is counted when
    ``date_start`` lies in the coverage window.
``split``
    the incident is spread over the bins its interval overlaps, each bin getting the
    fraction of the interval's days that fall in it (counts become fractional).
``impute``
    ``M`` seeded draws of one day, uniform over the interval's days, give ``M``
    integer series (multiple imputation); combine estimates over them with Rubin's rules.

For ``split`` and ``impute`` an incident is counted when its interval overlaps the
window; an interval that sticks out of the window is clipped to it (the ledger says
so), so every counted incident adds exactly 1 to the series total under every rule.

All days are integer day numbers (days since 1970-01-01); intervals are inclusive,
bin edges half-open.
"""

from __future__ import annotations

import sys

import numpy as np

__all__ = ["in_window", "allocate_start", "allocate_split", "draw_days", "progress_wanted"]


def in_window(s: np.ndarray, e: np.ndarray, w0: int, w1: int, allocate: str,
              edge_start: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Which incidents are counted, and which of them are clipped to the window.

    With ``allocate="start"`` an incident is counted when its first day is in the window.
    ``edge_start=True`` (the window's start was inferred from the data, so nothing was
    observed before it) also counts an incident whose interval begins before the window
    but reaches into it: it is clipped, and placed on the window's first day.

    Returns
    -------
    counted, clipped : numpy.ndarray of bool
    """
    if allocate == "start":
        if edge_start:
            counted = (e >= w0) & (s < w1)
            return counted, counted & (s < w0)
        counted = (s >= w0) & (s < w1)
        return counted, np.zeros_like(counted)
    counted = (e >= w0) & (s < w1)
    clipped = counted & ((s < w0) | (e >= w1))
    return counted, clipped


def _bin_of(days: np.ndarray, edges: np.ndarray) -> np.ndarray:
    return np.searchsorted(edges, days, side="right") - 1


def allocate_start(s: np.ndarray, edges: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Bin index of each start day; weights are all 1.

    Returns
    -------
    item, bin, weight : numpy.ndarray
        ``item`` indexes the input incidents.
    """
    item = np.arange(len(s))
    return item, _bin_of(s, edges), np.ones(len(s))


def allocate_split(s: np.ndarray, e: np.ndarray, edges: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Fractions of each interval ``[s, e]`` (inclusive days) per overlapped bin.

    The fractions of one incident sum to 1 (the last piece takes the remainder, so
    the sum is exact in floating point up to one rounding).

    Returns
    -------
    item, bin, weight : numpy.ndarray
        One entry per (incident, overlapped bin).

    Examples
    --------
    >>> import numpy as np
    >>> allocate_split(np.array([0]), np.array([3]), np.array([-2, 2, 9]))
    (array([0, 0]), array([0, 1]), array([0.5, 0.5]))
    """
    length = (e - s + 1).astype(float)
    b0 = _bin_of(s, edges)
    b1 = _bin_of(e, edges)
    k = b1 - b0 + 1
    item = np.repeat(np.arange(len(s)), k)
    first = np.repeat(np.cumsum(k) - k, k)
    b = np.repeat(b0, k) + (np.arange(len(item)) - first)
    lo = np.maximum(s[item], edges[b])
    hi = np.minimum(e[item] + 1, edges[b + 1])
    w = (hi - lo) / length[item]
    multi = k > 1
    if multi.any():
        starts = np.cumsum(k) - k
        seg_sum = np.add.reduceat(w, starts)
        # remainder correction on the last piece of multi-bin incidents
        w[(starts + k - 1)[multi]] += 1.0 - seg_sum[multi]
    return item, b, w


def draw_days(s: np.ndarray, e: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One uniform day in each ``[s, e]`` (inclusive)."""
    return s + rng.integers(0, e - s + 1)


def progress_wanted(progress, n_steps: int, threshold: int = 50) -> bool:
    """Show a progress bar? ``None`` means: when long and stderr is a terminal."""
    if progress is None:
        try:
            return n_steps >= threshold and sys.stderr.isatty()
        except (AttributeError, ValueError):
            return False
    return bool(progress)
