"""Fitted values of a count model, with the counterfactual band."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.axes import Axes

import numpy as np

from ._axes import (as_frame, bin_unit, count_label, get_ax, place_legend, require_columns,
                    set_date_axis, to_num)
from ._style import COLORS, project_style

__all__ = ["plot_fit"]


def _with_note(label: str, note: str) -> str:
    """``label`` followed by ``note`` (" (95% CI)"), merging parentheses: "a (b; 95% CI)"."""
    label = str(label)
    if label.endswith(")") and note.startswith(" (") and note.endswith(")"):
        return f"{label[:-1]}; {note[2:]}"
    return label + note


def plot_fit(pred, *, ax=None, level: float | None = 0.95, show_observed: bool = True,
             cf_label: str = "counterfactual (no event terms)", ylabel: str | None = "auto") -> Axes:
    """Observed counts, fitted mean with its interval, and the counterfactual band.

    Parameters
    ----------
    pred : pandas.DataFrame
        ``CountFit.predict()`` layout: ``start``, ``end``, ``observed``, ``mean``,
        ``ci_low``, ``ci_high``; optionally ``cf_mean``, ``cf_low``, ``cf_high`` (the
        prediction with event terms switched off). Values are expected counts per row.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure when None.
    level : float or None
        Confidence level of the intervals, for the legend ("95% CI"); None leaves it out.
    show_observed : bool
        Draw the observed counts as points at mid-interval.
    cf_label : str
        Legend label of the counterfactual; the interval note joins a trailing
        parenthesis ("counterfactual (no event terms; 95% CI)").
    ylabel : str or None
        Y-axis label; ``"auto"`` names the bin from the interval lengths ("count per
        week"), as :func:`plot_counts` does.

    Returns
    -------
    matplotlib.axes.Axes

    Notes
    -----
    Values are drawn at interval midpoints. The counterfactual is drawn only from the
    first row where it differs from the fitted mean (before the event the two coincide).

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from analysis.synthetic import piecewise_poisson
    >>> s, _ = piecewise_poisson((2.0, 6.0), (20, 20), freq="W", seed=1)
    >>> from analysis.models import fit_counts
    >>> fit = fit_counts(s, family="poisson", events=["2020-05-18:level"])
    >>> ax = plot_fit(fit.predict())
    >>> len(ax.lines), len(ax.collections)      # fitted mean; observed counts and the mean's band
    (1, 2)
    >>> plt.close(ax.figure)
    """
    frame = as_frame(pred, name="pred")
    require_columns(frame, ["start", "end", "mean", "ci_low", "ci_high"]
                    + (["observed"] if show_observed else []), name="pred")
    if level is not None and not (0 < level < 1):
        raise ValueError(f"`level` must be in (0, 1) or None, got {level!r}")
    ax = get_ax(ax)
    s, e = to_num(frame["start"]), to_num(frame["end"])
    mid = (s + e) / 2.0
    ci = f" ({level:.0%} CI)" if level is not None else " and interval"
    with project_style():
        if show_observed:
            ax.scatter(mid, frame["observed"].to_numpy(float), s=9, color=COLORS["observed"],
                       zorder=4, label="observed", linewidths=0, clip_on=False)
        ax.fill_between(mid, frame["ci_low"].to_numpy(float), frame["ci_high"].to_numpy(float),
                        color=COLORS["fit"], alpha=0.22, lw=0, zorder=2)
        ax.plot(mid, frame["mean"].to_numpy(float), color=COLORS["fit"], lw=1.8, zorder=3,
                label=_with_note("fitted mean", ci))
        if "cf_mean" in frame.columns:
            m = frame["mean"].to_numpy(float)
            cf = frame["cf_mean"].to_numpy(float)
            differs = np.flatnonzero(np.abs(cf - m) > 1e-9 * np.maximum(1.0, np.abs(m)))
            if len(differs):
                k = max(int(differs[0]) - 1, 0)  # join the fitted line at the row before
                sl = slice(k, None)
                if {"cf_low", "cf_high"} <= set(frame.columns):
                    ax.fill_between(mid[sl], frame["cf_low"].to_numpy(float)[sl],
                                    frame["cf_high"].to_numpy(float)[sl],
                                    facecolor=COLORS["counterfactual"], alpha=0.14, lw=0, zorder=2,
                                    hatch=None)
                ax.plot(mid[sl], cf[sl], color=COLORS["counterfactual"], lw=1.6, ls=(0, (5, 2)),
                        zorder=3, label=_with_note(cf_label, ci) if {"cf_low", "cf_high"} <= set(frame.columns)
                        else cf_label)
        if len(s):
            ax.set_xlim(s.min(), e.max())
        ax.set_ylim(bottom=0)
        set_date_axis(ax)
        if ylabel == "auto":
            ylabel = count_label(bin_unit(days=e - s))
        if ylabel:
            ax.set_ylabel(ylabel)
        place_legend(ax)
    return ax
