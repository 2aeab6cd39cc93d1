"""Changepoint segments with rate intervals, and the Bayesian change-probability panel."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.axes import Axes

import numpy as np
import pandas as pd

from ._axes import (as_frame, get_ax, legend_below, new_figure, place_legend, require_columns,
                    set_date_axis, to_num)
from ._style import COLORS, project_style

__all__ = ["plot_segments", "plot_change_probability", "series_with_probability"]


def _segment_times(frame, series):
    """Start and (exclusive) end of each segment as date numbers."""
    if series is not None and {"start", "end"} <= set(frame.columns):
        st = to_num(series.data["start"]) if hasattr(series, "data") else to_num(series["start"])
        en = to_num(series.data["end"]) if hasattr(series, "data") else to_num(series["end"])
        i0 = frame["start"].to_numpy(int)
        i1 = frame["end"].to_numpy(int) - 1
        if i0.min() < 0 or i1.max() >= len(st):
            raise ValueError("`segments` row indices do not fit `series` "
                             f"({len(st)} rows); pass the series that was segmented")
        return st[i0], en[i1]
    require_columns(frame, ["time_start", "time_end"], name="segments")
    ts, te = frame["time_start"], frame["time_end"]
    if pd.api.types.is_datetime64_any_dtype(ts):
        return to_num(ts), to_num(te)  # time_end is the exclusive end
    # time labels ("2024-W05", "2024-01", ...): first and last row of each segment
    from .._time import period_bounds

    s0, _, _ = period_bounds(ts.astype(str).tolist())
    _, e1, _ = period_bounds(te.astype(str).tolist())
    return to_num(s0), to_num(e1)


def plot_segments(segments, *, ax=None, per="bin", series=None, color=None,
                  label="segment rate", level: float | None = 0.95, show_changes: bool = True,
                  change_label: str = "change (segment boundary)", legend: bool = True) -> Axes:
    """Changepoint segments: the rate of each segment with its interval.

    Parameters
    ----------
    segments : pandas.DataFrame or Segmentation
        ``Segmentation.segments`` (or the Segmentation itself): ``rate``, ``ci_low``, ``ci_high`` (per unit of
        exposure) and the segment times, either ``time_start``/``time_end`` (time labels
        of the first and last row, e.g. "2024-W05", or datetimes with ``time_end``
        exclusive) or row indices ``start``/``end`` (end exclusive) with ``series``.
        ``n`` and ``exposure`` are needed for ``per="bin"``.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on (usually after :func:`plot_counts`); a new figure when None.
    per : {"bin", "exposure"} or float
        Units of the drawn rate: ``"bin"`` multiplies by the segment's mean exposure
        per row (``exposure / n``), giving expected counts per bin comparable with the
        bars of :func:`plot_counts`; ``"exposure"`` draws the rate as given; a number
        multiplies by it (e.g. ``7`` for a weekly rate when exposure is in days).
    series : CountSeries, optional
        The segmented series, for exact interval bounds from row indices.
    color : color, optional
    label : str
        Legend label.
    level : float or None
        Confidence level for the legend.
    show_changes : bool
        Dotted vertical lines at the changes (boundaries between segments).
    change_label : str
        Legend label of the change lines.
    legend : bool
        Place the legend (:func:`~analysis.plots._axes.place_legend`); False leaves it to
        the caller (e.g. one legend for stacked panels).

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from analysis.synthetic import piecewise_poisson
    >>> s, _ = piecewise_poisson((2.0, 6.0), (20, 20), freq="W", seed=1)
    >>> from analysis.changepoints import Pelt
    >>> seg = Pelt(cost="poisson", min_size=2).fit(s).predict(penalty="mbic")
    >>> ax = plot_segments(seg, series=s)
    >>> seg.changepoints, len(ax.lines)
    ((20,), 3)
    >>> plt.close(ax.figure)
    """
    if not isinstance(segments, pd.DataFrame) and isinstance(getattr(segments, "segments", None),
                                                             pd.DataFrame):
        segments = segments.segments  # a Segmentation
    frame = as_frame(segments, name="segments")
    require_columns(frame, ["rate", "ci_low", "ci_high"], name="segments")
    if isinstance(per, str):
        if per not in ("bin", "exposure"):
            raise ValueError(f"`per` must be 'bin', 'exposure' or a positive number, not {per!r}")
        if per == "bin":
            require_columns(frame, ["n", "exposure"], name="segments")
            factor = frame["exposure"].to_numpy(float) / frame["n"].to_numpy(float)
        else:
            factor = np.ones(len(frame))
    else:
        if not (np.isscalar(per) and float(per) > 0):
            raise ValueError(f"`per` must be 'bin', 'exposure' or a positive number, not {per!r}")
        factor = np.full(len(frame), float(per))
    ax = get_ax(ax)
    had_data = ax.has_data()
    t0, t1 = _segment_times(frame, series)
    rate = frame["rate"].to_numpy(float) * factor
    lo = frame["ci_low"].to_numpy(float) * factor
    hi = frame["ci_high"].to_numpy(float) * factor
    color = color or COLORS["segment"]
    ci = f" ({level:.0%} CI)" if level is not None else ""
    with project_style():
        for k in range(len(frame)):
            ax.fill_between([t0[k], t1[k]], [lo[k]] * 2, [hi[k]] * 2, color=color, alpha=0.2, lw=0,
                            zorder=3, label=("_" if k else "") + "rate interval" + ci)
            ax.plot([t0[k], t1[k]], [rate[k]] * 2, color=color, lw=2.2, solid_capstyle="butt",
                    zorder=4, label=("_" if k else "") + label)
        if show_changes:
            for k, x in enumerate(t0[1:]):
                ax.axvline(x, color=color, lw=0.9, ls=(0, (1, 1.5)), zorder=3.5, gid="change-marker",
                           label=change_label if k == 0 else "_")
        if not had_data and len(frame):
            ax.set_xlim(t0.min(), t1.max())
        ax.set_ylim(bottom=0)
        set_date_axis(ax)
        if legend:
            place_legend(ax)
    return ax


def plot_change_probability(times, prob, *, ax=None, color=None, threshold: float | None = 0.5,
                            ylabel="P(change)") -> Axes:
    """Posterior probability that a new segment starts at each row.

    Parameters
    ----------
    times : array_like of datetimes, or CountSeries
        Start of each row (``series.start``); a change at row ``i`` happens at its start.
    prob : array_like of float, shape (n,)
        ``BayesResult.prob_change``; values in [0, 1].
    ax : matplotlib.axes.Axes, optional
    color : color, optional
    threshold : float or None
        Draw a faint reference line at this probability.
    ylabel : str

    Returns
    -------
    matplotlib.axes.Axes
        Stems are one ``LineCollection`` (gid ``"change-probability"``).

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from analysis.synthetic import piecewise_poisson
    >>> s, _ = piecewise_poisson((2.0, 6.0), (20, 20), freq="W", seed=1)
    >>> from analysis.changepoints import BayesianChangepoints
    >>> post = BayesianChangepoints(p_change=0.05).fit(s)
    >>> ax = plot_change_probability(s.start, post.prob_change)
    >>> len(ax.lines)
    1
    >>> plt.close(ax.figure)
    """
    t = times.start if hasattr(times, "start") and hasattr(times, "counts") else times
    x = to_num(t)
    p = np.asarray(prob, dtype=float)
    if p.ndim != 1 or len(p) != len(x):
        raise ValueError(f"`prob` must be 1-D with one value per time ({len(x)}), got shape {p.shape}")
    if np.any((p < -1e-9) | (p > 1 + 1e-9)):
        raise ValueError("`prob` values must lie in [0, 1]")
    ax = get_ax(ax)
    had_data = ax.has_data()
    color = color or COLORS["probability"]
    with project_style():
        ax.vlines(x, 0, p, color=color, lw=1.6, zorder=3, gid="change-probability",
                  label="P(change) at the period's start")
        if threshold is not None:
            ax.axhline(threshold, color=COLORS["reference"], lw=0.7, ls=(0, (3, 3)), zorder=1)
        ax.set_ylim(0, 1.02)
        ax.set_yticks([0, 0.5, 1])
        if not had_data and len(x):
            step = np.median(np.diff(x)) if len(x) > 1 else 1.0
            ax.set_xlim(x.min() - step / 2, x.max() + step)
        set_date_axis(ax)
        if ylabel:
            ax.set_ylabel(ylabel)
    return ax


def series_with_probability(series, prob, events=None, fig=None, *, height_ratios=(3, 1),
                            figsize=(10, 5), event_labels=True, max_label_chars: int | None = 28,
                            segments=None, xlabel: str | None = None) -> tuple[Axes, Axes]:
    """Counts on top, change probability below, on two stacked axes sharing x.

    Unlike the ``plot_*`` functions this one *creates axes*: on ``fig`` when given
    (which must be empty), else on a new figure (project style, constrained layout).
    With ``segments`` the segment rates are drawn on the top panel too, and the figure
    gets one legend for both panels, under the lower panel's axis (never over data or
    event lines).

    Parameters
    ----------
    series : CountSeries
    prob : array_like
        One probability per row of ``series``.
    events : pandas.DataFrame, optional
        Drawn with :func:`plot_events` (labels on the top panel, markers on both).
    fig : matplotlib.figure.Figure, optional
    height_ratios : tuple
    figsize : tuple
        Size of a new figure.
    event_labels : bool or str
        ``labels`` of :func:`plot_events` for the top panel (e.g. ``"event_id"``).
    max_label_chars : int or None
        ``max_label_chars`` of :func:`plot_events` (None: labels drawn whole).
    segments : pandas.DataFrame or Segmentation, optional
        Drawn with :func:`plot_segments` on the top panel.
    xlabel : str, optional
        Label of the shared x axis (under the lower panel).

    Returns
    -------
    (ax_top, ax_bottom) : tuple of matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from analysis.synthetic import piecewise_poisson
    >>> s, _ = piecewise_poisson((2.0, 6.0), (20, 20), freq="W", seed=1)
    >>> from analysis.changepoints import BayesianChangepoints
    >>> post = BayesianChangepoints(p_change=0.05).fit(s)
    >>> top, bottom = series_with_probability(s, post.prob_change)
    >>> len(top.figure.axes), top.get_shared_x_axes().joined(top, bottom)
    (2, True)
    >>> plt.close(top.figure)
    """
    from .counts import plot_counts
    from .events import plot_events

    if fig is None:
        fig = new_figure(figsize=figsize)
    elif fig.axes:
        raise ValueError("`fig` must be empty; series_with_probability adds its own two axes")
    with project_style():
        ax_top, ax_bot = fig.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": list(height_ratios)})
    plot_counts(series, ax=ax_top)
    plot_change_probability(series.start, prob, ax=ax_bot)
    ax_bot.set_xlim(ax_top.get_xlim())
    has_events = events is not None and len(events)
    if has_events:
        plot_events(events, ax=ax_top, labels=event_labels, max_label_chars=max_label_chars)
        plot_events(events, ax=ax_bot, labels=False)
    ax_top.tick_params(labelbottom=False)
    if xlabel:
        ax_bot.set_xlabel(xlabel)
    fig.align_ylabels([ax_top, ax_bot])
    if segments is not None:
        plot_segments(segments, ax=ax_top, legend=False)
        extra = []
        if has_events:
            from matplotlib.lines import Line2D
            from matplotlib.patches import Patch
            extra.append((Line2D([], [], color=COLORS["event"], lw=0.8, ls=(0, (4, 3))), "listed event"))
            if any(a.get_gid() == "event-span" for a in ax_top.patches):
                extra.append((Patch(color=COLORS["event_span"], alpha=0.35, lw=0), "event with an end date"))
        legend_below(ax_bot, [ax_top, ax_bot], extra=extra)
    return ax_top, ax_bot
