"""Small multiples: one panel per group of a CountSeries."""

from __future__ import annotations

import math

import numpy as np

from ._axes import bin_unit, count_label, new_figure, plain_text
from ._style import project_style

__all__ = ["plot_panel"]


def plot_panel(series, *, ncols: int = 3, sharey: bool = False, fig=None, kind: str = "bar",
               max_panels: int | None = None, panel_size=(3.2, 2.0)) -> np.ndarray:
    """One small count plot per group, on a grid sharing the time axis.

    Like :func:`series_with_probability` this *creates axes*: on ``fig`` when given
    (it must be empty), else on a new figure (project style, constrained layout).

    Parameters
    ----------
    series : CountSeries
        With group columns (an ungrouped series gives one panel).
    ncols : int
        Panels per row.
    sharey : bool
        Share the count axis across panels (compare levels) or not (compare shapes).
    fig : matplotlib.figure.Figure, optional
    kind : {"bar", "step"}
        Passed to :func:`plot_counts`.
    max_panels : int, optional
        Draw at most this many groups (in group order).
    panel_size : tuple of float
        Inches per panel for a new figure.

    Returns
    -------
    numpy.ndarray of matplotlib.axes.Axes
        One Axes per drawn group, in group order (unused grid cells are hidden).

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from analysis.synthetic import piecewise_poisson
    >>> s, _ = piecewise_poisson((2.0, 6.0), (20, 20), freq="W", seed=1)
    >>> import pandas as pd
    >>> from analysis.series import CountSeries
    >>> frame = pd.concat([s.to_frame().assign(country=c) for c in ("A", "B")])
    >>> axes = plot_panel(CountSeries(frame, freq="W", groups=("country",)))
    >>> len(axes)
    2
    >>> plt.close(axes[0].figure)
    """
    from .counts import plot_counts

    if not isinstance(ncols, (int, np.integer)) or ncols < 1:
        raise ValueError(f"`ncols` must be a positive int, got {ncols!r}")
    if not hasattr(series, "iter_groups"):
        raise TypeError(f"`series` must be a CountSeries, not {type(series).__name__}")
    groups = list(series.iter_groups())
    if max_panels is not None:
        groups = groups[: int(max_panels)]
    if not groups:
        raise ValueError("`series` has no rows to draw")
    n = len(groups)
    ncols = min(int(ncols), n)
    nrows = math.ceil(n / ncols)
    if fig is None:
        fig = new_figure(figsize=(panel_size[0] * ncols, panel_size[1] * nrows + 0.3))
    elif fig.axes:
        raise ValueError("`fig` must be empty; plot_panel adds its own grid of axes")
    with project_style():
        grid = fig.subplots(nrows, ncols, sharex=True, sharey=sharey, squeeze=False)
    flat = grid.ravel()
    for k, (key, sub) in enumerate(groups):
        ax = flat[k]
        plot_counts(sub, ax=ax, kind=kind, ylabel=None)
        name = " / ".join(str(v) for v in key) if key else "all"
        with project_style():
            ax.set_title(name, loc="left", fontsize=9, fontweight="bold")
        plain_text(ax.title)
        if k % ncols == 0:
            ax.set_ylabel(count_label(bin_unit(freq=getattr(series, "freq", None))))
    for ax in flat[n:]:
        ax.set_visible(False)
    # a panel whose neighbour below is hidden shows its own date labels
    for k in range(n):
        if k + ncols >= n:
            flat[k].tick_params(labelbottom=True)
    return flat[:n]
