"""The monitoring chart: counts against the in-control mean, the GLR statistic against its
threshold, alarms with their estimated change times, the online probability of a change."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.axes import Axes

import numpy as np
import pandas as pd

from ._axes import new_figure, place_legend, require_columns, set_date_axis, to_num
from ._style import COLORS, project_style

__all__ = ["plot_monitor"]

_ALARM = "#CC79A7"  # Okabe-Ito reddish purple: alarms and estimated change times


def _bins_label(r) -> str:
    """What the x axis of the monitor panels shows: the rows' bins."""
    from ._axes import bin_unit

    unit = bin_unit(r["start"], r["end"]) if len(r) else None
    if unit == "week" and (pd.DatetimeIndex(r["start"]).day_of_week == 0).all():
        return "week (bars span Monday to Sunday)"
    return unit or "date"


def plot_monitor(result, ax=None, *, events=None, event_labels=True, show_run_length: bool = False,
                 figsize=(10, 6.5), xlabel: str | None = "auto") -> tuple[Axes, Axes, Axes]:
    """Three stacked panels of a :func:`~analysis.monitor.monitor` result.

    Top: counts (bars), the in-control mean (step line), alarms (triangles) and the estimated
    change time of each alarm (dotted lines, also on the other panels). Middle: the GLR
    statistic against its threshold. Bottom: the online probability that the rate differs
    from the baseline (``p_changed``), optionally ``P(run length < k)``.

    Unlike most ``plot_*`` functions this one draws on three axes: ``ax`` is None (a new
    figure) or a sequence of three Axes to draw on.

    Parameters
    ----------
    result : pandas.DataFrame
        The frame :func:`~analysis.monitor.monitor` returns.
    ax : None or sequence of three matplotlib.axes.Axes
    events : pandas.DataFrame, optional
        Drawn with :func:`plot_events` (labels on the top panel, markers on all three).
    event_labels : bool or str
        ``labels`` of :func:`plot_events` on the top panel.
    show_run_length : bool
        Also draw ``p_run_lt_k`` (dashed) on the bottom panel.
    figsize : tuple
        Size of a new figure.
    xlabel : str or None
        Label of the shared x axis (under the bottom panel); ``"auto"`` names the bins
        ("week (bars span Monday to Sunday)" for weekly rows starting on Mondays), None
        none.

    Returns
    -------
    (ax_counts, ax_statistic, ax_probability) : tuple of matplotlib.axes.Axes
        Artists carry gids: ``"monitor-expected"``, ``"monitor-alarms"``,
        ``"monitor-change"`` (one per alarm and panel), ``"monitor-statistic"``,
        ``"monitor-threshold"``, ``"monitor-p-changed"``, ``"monitor-run-length"``.

    Raises
    ------
    TypeError
        ``ax`` is neither None nor three Axes.
    InputError
        ``result`` lacks a column of the monitor frame.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from analysis.synthetic import piecewise_poisson
    >>> s, _ = piecewise_poisson((2.0, 6.0), (20, 20), freq="W", seed=1)
    >>> from analysis.monitor import monitor
    >>> res = monitor(s, baseline=("2020-01-06", "2020-05-11"), threshold=5.0)
    >>> a_counts, a_stat, a_prob = plot_monitor(res)
    >>> str(res.loc[res["alarm"], "start"].iloc[0].date())      # the rate rose in the week of 2020-05-18
    '2020-05-25'
    >>> plt.close(a_counts.figure)
    """
    from .counts import plot_counts
    from .events import plot_events

    cols = ["start", "end", "count", "expected", "statistic", "threshold", "alarm", "change_start",
            "p_changed"]
    require_columns(result, cols, name="result")
    if ax is None:
        fig = new_figure(figsize=figsize)
        with project_style():
            axes = fig.subplots(3, 1, sharex=True, gridspec_kw={"height_ratios": [3, 1.6, 1.4]})
    else:
        axes = list(ax) if isinstance(ax, (list, tuple, np.ndarray)) else None
        if axes is None or len(axes) != 3 or not all(hasattr(a, "plot") for a in axes):
            raise TypeError("`ax` must be None or a sequence of three matplotlib Axes "
                            "(counts, statistic, probability)")
        fig = axes[0].get_figure(root=True)
    a_cnt, a_stat, a_prob = axes
    r = result.reset_index(drop=True)
    t0, t1 = to_num(r["start"]), to_num(r["end"])
    edges = np.r_[t0, t1[-1:]] if len(r) else np.array([])
    alarm = r["alarm"].to_numpy(bool)
    with project_style():
        plot_counts(r[["start", "end", "count"]], ax=a_cnt, label="count", ylabel="auto")
        if len(r):
            exp = r["expected"].to_numpy(float)
            a_cnt.stairs(exp, edges, color=COLORS["fit"], lw=1.4, label="in-control mean",
                         gid="monitor-expected", zorder=4)
            mid = (t0 + t1) / 2
            a_cnt.scatter(mid[alarm], r["count"].to_numpy(float)[alarm], marker="v", s=36, color=_ALARM,
                          zorder=5, label="alarm", gid="monitor-alarms")
            a_stat.stairs(r["statistic"].to_numpy(float), edges, color=COLORS["observed"], lw=1.3,
                          label="GLR statistic", gid="monitor-statistic")
            a_stat.stairs(r["threshold"].to_numpy(float), edges, color=_ALARM, lw=1.0, ls=(0, (4, 2)),
                          label="threshold", gid="monitor-threshold")
            a_prob.stairs(r["p_changed"].to_numpy(float), edges, color=COLORS["probability"], lw=1.5,
                          label="P(rate changed)", gid="monitor-p-changed")
            if show_run_length and "p_run_lt_k" in r:
                k = result.attrs.get("k", "k")
                a_prob.stairs(r["p_run_lt_k"].to_numpy(float), edges, color=COLORS["probability"], lw=1.0,
                              ls=(0, (2, 2)), label=f"P(run length < {k})", gid="monitor-run-length")
            changes = to_num(pd.DatetimeIndex(r.loc[alarm, "change_start"]))
            for j, c in enumerate(changes):
                for a in axes:
                    a.axvline(c, color=_ALARM, lw=0.9, ls=(0, (1, 2)), zorder=2, gid="monitor-change",
                              label="estimated change" if (a is a_cnt and j == 0) else None)
        a_stat.set_ylabel("GLR statistic")
        a_stat.set_ylim(bottom=0)
        a_prob.set_ylabel("P(rate changed)")
        a_prob.set_ylim(0, 1.02)
        a_prob.set_yticks([0, 0.5, 1])
        if events is not None and len(events):
            plot_events(events, ax=a_cnt, labels=event_labels)
            plot_events(events, ax=a_stat, labels=False)
            plot_events(events, ax=a_prob, labels=False)
        for a in axes:
            set_date_axis(a)
        for a in axes[:2]:
            a.tick_params(labelbottom=False)
        if xlabel == "auto":
            xlabel = _bins_label(r)
        if xlabel:
            a_prob.set_xlabel(xlabel)
        fig.align_ylabels(list(axes))
        for a in axes:
            place_legend(a)
    return a_cnt, a_stat, a_prob
