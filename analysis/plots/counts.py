"""Counts over time: one bar (or step) per interval ``[start, end)``, bounds as markers."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.axes import Axes

import numpy as np

from ._axes import bin_unit, count_label, get_ax, integer_ticks, place_legend, set_date_axis, to_num
from ._style import COLORS, project_style

__all__ = ["plot_counts"]


def _series_parts(series):
    """start, end (date numbers), counts, lower, upper from a CountSeries or a frame."""
    data = series.data if hasattr(series, "data") else series
    for c in ("start", "end", "count"):
        if c not in data.columns:
            from ..schema import InputError
            raise InputError(f"`series` needs column {c!r}; it has {list(data.columns)}", column=c)
    s = to_num(data["start"])
    e = to_num(data["end"])
    y = data["count"].to_numpy(float)
    lo = data["lower"].to_numpy(float) if "lower" in data.columns else np.full(len(y), np.nan)
    hi = data["upper"].to_numpy(float) if "upper" in data.columns else np.full(len(y), np.nan)
    return s, e, y, lo, hi


def _stairs_edges(s, e, y):
    """Edges and values for ``Axes.stairs``, with NaN values over gaps between intervals."""
    edges, vals = [s[0]], []
    for i in range(len(s)):
        if i and s[i] > edges[-1] + 1e-9:  # gap: an unobserved stretch
            vals.append(np.nan)
            edges.append(s[i])
        vals.append(y[i])
        edges.append(e[i])
    return np.asarray(edges), np.asarray(vals, float)


def draw_bounds(ax, mid, lo, hi, *, color=None, label="bounds (censored)"):
    """Censored intervals: a bar from lower to upper, an up arrow for "at least", a down one for "at most"."""
    color = color or COLORS["bound"]
    lo_f, hi_f = np.isfinite(lo), np.isfinite(hi)
    both = lo_f & hi_f & (hi > lo)
    if both.any():
        ax.vlines(mid[both], lo[both], hi[both], color=color, lw=1.2, label=label, zorder=4)
        ax.scatter(np.r_[mid[both], mid[both]], np.r_[lo[both], hi[both]], marker="_", s=40,
                   color=color, lw=1.2, zorder=4)
    up = lo_f & ~hi_f
    if up.any():
        ax.scatter(mid[up], lo[up], marker="^", s=30, facecolor="white", edgecolor=color, lw=1.1,
                   label=("at least (lower bound)"), zorder=5)
    down = hi_f & ~lo_f
    if down.any():
        ax.scatter(mid[down], hi[down], marker="v", s=30, facecolor="white", edgecolor=color, lw=1.1,
                   label="at most (upper bound)", zorder=5)
    exact = lo_f & hi_f & (hi == lo)
    if exact.any():
        ax.scatter(mid[exact], lo[exact], marker="o", s=14, color=color, zorder=5)


def plot_counts(series, *, ax=None, kind: str = "bar", label=None, show_bounds: bool = True,
                color=None, ylabel="auto", spread=None, no_coverage=None, **style) -> Axes:
    """Counts over time, one bar spanning each interval ``[start, end)``.

    Parameters
    ----------
    series : CountSeries or pandas.DataFrame
        A single series (no groups; see :func:`plot_panel`) with columns ``start``,
        ``end``, ``count`` and optionally ``lower``, ``upper`` (censored rows).
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure is made when None.
    kind : {"bar", "step"}
        Bars of width ``end - start`` (edge-aligned), or a step line (gaps between
        intervals stay empty).
    label : str, optional
        Legend label of the counts (drawn literally, no mathtext).
    show_bounds : bool
        Draw bounds of censored rows: a vertical bar from ``lower`` to ``upper``, an
        open up-triangle at ``lower`` for "at least", a down-triangle at ``upper`` for
        "at most". A censored row with a missing count has no bar.
    color : color, optional
        Bar / line colour (default: the project's count colour).
    ylabel : str or None
        Y-axis label; ``"auto"`` names the bin ("count per week") from the series'
        frequency or, for a frame, from interval lengths that all match one calendar
        unit; else "count". None leaves the label alone.
    spread : array_like of bool, optional
        Rows whose counts were spread over their days from tally totals rather than dated
        one by one: drawn hatched in a lighter colour, with their own legend entry
        (``label`` names the others, "dated incidents" by default). Bar kind only.
    no_coverage : sequence of (start, end), optional
        Stretches (inclusive days) that no source covers: shaded behind the bars, so
        their zeros read as "nothing reported", not "nothing happened".
    **style
        Passed to ``Axes.bar`` or ``Axes.stairs``.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on. Bars are the first ``BarContainer`` in ``ax.containers``
        (one bar per row, height = count, NaN counts drawn with height 0).

    Examples
    --------
    >>> from analysis.synthetic import piecewise_poisson
    >>> s, _ = piecewise_poisson((2.0, 6.0), (20, 20), freq="W", seed=1)
    >>> ax = plot_counts(s)
    >>> len(ax.containers[0]) == s.n
    True
    >>> import matplotlib.pyplot as plt; plt.close(ax.figure)
    """
    if kind not in ("bar", "step"):
        raise ValueError(f"`kind` must be 'bar' or 'step', not {kind!r}")
    if getattr(series, "groups", ()):
        raise ValueError(f"`series` has groups {list(series.groups)}; draw one group with "
                         "series.select(...) or all of them with plot_panel(series)")
    ax = get_ax(ax)
    had_data = ax.has_data()
    s, e, y, lo, hi = _series_parts(series)
    color = color or COLORS["count"]
    with project_style():
        if len(s):
            if no_coverage is not None and len(no_coverage):
                for k, (a, b) in enumerate(no_coverage):
                    a_num, b_num = to_num([a])[0], to_num([b])[0] + 1.0   # inclusive last day
                    ax.axvspan(a_num, b_num, color=COLORS["no_coverage"], zorder=0, lw=0,
                               label="no source covers these days" if k == 0 else None)
            if kind == "bar":
                h = np.where(np.isfinite(y), y, 0.0)
                kw = dict(width=e - s, align="edge", color=color, edgecolor=COLORS["count_edge"],
                          linewidth=0.4 if len(s) < 150 else 0.0, label=label, zorder=2)
                kw.update(style)
                if spread is None:
                    ax.bar(s, h, **kw)
                else:
                    m = np.asarray(spread, bool)
                    if m.shape != h.shape:
                        raise ValueError(f"`spread` must have one value per row ({h.shape[0]}), "
                                         f"got shape {m.shape}")
                    kw["label"] = label or "dated incidents"
                    # every row keeps its bar (zero height where the other kind holds it), so
                    # ax.containers[0] still has one bar per row
                    ax.bar(s, np.where(m, 0.0, h), **kw)
                    kw_s = dict(kw, color=COLORS["spread"], edgecolor=color, hatch="////",
                                linewidth=0.4, label="spread from tally totals")
                    ax.bar(s[m], h[m], **{k: (v[m] if k == "width" else v) for k, v in kw_s.items()})
            else:
                edges, vals = _stairs_edges(s, e, y)
                kw = dict(color=color, linewidth=1.5, label=label, baseline=None, zorder=2)
                kw.update(style)
                ax.stairs(vals, edges, **kw)
            if show_bounds and (np.isfinite(lo).any() or np.isfinite(hi).any()):
                draw_bounds(ax, (s + e) / 2.0, lo, hi)
            if not had_data:
                ax.set_xlim(s.min(), e.max())
        set_date_axis(ax)
        ax.set_ylim(bottom=0)
        integer_ticks(ax)
        if ylabel == "auto":
            freq = getattr(series, "freq", None) if hasattr(series, "data") else None
            ylabel = count_label(bin_unit(freq=freq) if freq else bin_unit(days=e - s))
        if ylabel:
            ax.set_ylabel(ylabel)
        if label is not None or (show_bounds and (np.isfinite(lo).any() or np.isfinite(hi).any())):
            place_legend(ax)
    return ax
