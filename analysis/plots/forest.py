"""Rate-ratio forest plot."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.axes import Axes

import numpy as np
import pandas as pd

from ._axes import as_frame, get_ax, plain_text, require_columns
from ._style import COLORS, project_style

__all__ = ["plot_forest"]

def _ticks(lo, hi):
    """Tick values on a log axis: the densest of 1-2-5, 1-5, 1-10 steps with at most 7."""
    t = np.array([])
    for mult in ((1, 2, 5), (1, 5), (1,)):
        vals = np.array(sorted(m * 10.0 ** e for e in range(-4, 5) for m in mult))
        t = vals[(vals >= lo) & (vals <= hi)]
        if len(t) <= 7:
            break
    if len(t) < 3:  # a narrow range: plain steps (e.g. 0.9, 1, 1.1)
        from matplotlib.ticker import MaxNLocator

        t = MaxNLocator(5).tick_values(lo, hi)
        t = t[(t >= lo) & (t <= hi) & (t > 0)]
    return t


def plot_forest(terms, *, ax=None, color=None, show_values: bool = True,
                xlabel: str = "rate ratio (log scale)", level: float | None = 0.95, labels=None) -> Axes:
    """Rate ratios with intervals on a log axis, a reference line at 1.

    Parameters
    ----------
    terms : pandas.DataFrame or CountFit
        ``name``, ``rate_ratio``, ``ci_low``, ``ci_high`` (e.g. ``CountFit.terms``,
        filtered to the terms of interest; a fit itself gives all terms but the
        intercept). Drawn top to bottom in row order.
    ax : matplotlib.axes.Axes, optional
    color : color, optional
    show_values : bool
        Write "RR (low-high)" right of the axes.
    xlabel : str
    level : float or None
        Confidence level, for the value column's header.
    labels : mapping or sequence of str, optional
        Row labels to show instead of the term names: a mapping from ``name`` (names it
        lacks keep their own text) or one string per row, e.g.
        ``{"level:2024-01-28": "Tower 22 attack (E007), step"}``.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from analysis.synthetic import piecewise_poisson
    >>> s, _ = piecewise_poisson((2.0, 6.0), (20, 20), freq="W", seed=1)
    >>> from analysis.models import fit_counts
    >>> fit = fit_counts(s, family="poisson", events=["2020-05-18:level"])
    >>> ax = plot_forest(fit)
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['level:2020-05-18']
    >>> plt.close(ax.figure)
    """
    if not isinstance(terms, pd.DataFrame) and isinstance(getattr(terms, "terms", None), pd.DataFrame):
        terms = terms.terms[terms.terms["name"] != "intercept"]  # a fitted model
    frame = as_frame(terms, name="terms")
    require_columns(frame, ["name", "rate_ratio", "ci_low", "ci_high"], name="terms")
    rr = frame["rate_ratio"].to_numpy(float)
    lo = frame["ci_low"].to_numpy(float)
    hi = frame["ci_high"].to_numpy(float)
    if np.any(rr[np.isfinite(rr)] <= 0) or np.any(lo[np.isfinite(lo)] <= 0):
        raise ValueError("`terms` rate ratios and interval bounds must be positive (log axis)")
    names = [str(v) for v in frame["name"].tolist()]
    if labels is not None:
        if isinstance(labels, dict) or hasattr(labels, "keys"):
            names = [str(labels.get(n, n)) for n in names]
        else:
            labels = [str(v) for v in labels]
            if len(labels) != len(names):
                raise ValueError(f"`labels` must give one label per row ({len(names)}), got {len(labels)}")
            names = labels
    ax = get_ax(ax, figsize=(6.5, 0.45 * len(frame) + 1.4))
    color = color or COLORS["fit"]
    y = np.arange(len(frame))[::-1].astype(float)
    with project_style():
        ax.hlines(y, lo, hi, color=color, lw=1.8, zorder=3, gid="forest-ci")
        ax.scatter(rr, y, marker="s", s=36, color=color, zorder=4, linewidths=0, gid="forest-point")
        ax.axvline(1.0, color=COLORS["reference"], lw=1.0, ls=(0, (4, 3)), zorder=1, gid="reference")
        ax.set_xscale("log")
        vals = np.r_[lo, hi, rr, 1.0]
        vals = vals[np.isfinite(vals) & (vals > 0)]
        vmin, vmax = vals.min(), vals.max()
        pad = (np.log10(vmax) - np.log10(vmin)) * 0.08 + 0.02
        xmin, xmax = 10 ** (np.log10(vmin) - pad), 10 ** (np.log10(vmax) + pad)
        ax.set_xlim(xmin, xmax)
        t = _ticks(xmin, xmax)
        from matplotlib.ticker import FixedLocator, FuncFormatter, NullLocator

        if len(t) >= 2:
            ax.xaxis.set_major_locator(FixedLocator(t))
            ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.4g}"))
            ax.xaxis.set_minor_locator(NullLocator())
        ax.set_yticks(y, labels=names)
        ax.tick_params(axis="y", length=0)
        plain_text(*ax.get_yticklabels())
        ax.set_ylim(-0.7, len(frame) - 0.3)
        ax.grid(True, axis="x")
        ax.grid(False, axis="y")
        ax.spines["left"].set_visible(False)
        if xlabel:
            ax.set_xlabel(xlabel)
        if show_values:
            from matplotlib.transforms import blended_transform_factory

            tr = blended_transform_factory(ax.transAxes, ax.transData)
            head = f"RR ({level:.0%} CI)" if level is not None else "RR (interval)"
            ax.text(1.03, len(frame) - 0.45, head, transform=tr, ha="left", va="bottom",
                    fontsize=8, fontweight="bold", clip_on=False, gid="forest-values")
            for yi, r, a, b in zip(y, rr, lo, hi):
                ax.text(1.03, yi, f"{r:.2f} ({a:.2f}\u2013{b:.2f})", transform=tr, ha="left",
                        va="center", fontsize=8, clip_on=False, gid="forest-values")
    return ax
