"""Axes helpers shared by every plot: one way to get axes, dates, plain text, legends."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.legend import Legend

import numpy as np
import pandas as pd

from ..schema import InputError
from ._style import format_date_axis, project_style

__all__ = ["get_ax", "new_figure", "to_num", "set_date_axis", "plain_text", "place_legend",
           "legend_below", "integer_ticks", "bin_unit", "count_label",
           "require_columns", "as_frame", "renderer_of"]


def new_figure(figsize=None, **kwargs):
    """A new pyplot figure in the project style with constrained layout."""
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:  # pragma: no cover - matplotlib is a dependency
        raise ImportError("analysis.plots needs matplotlib: pip install matplotlib") from exc
    with project_style():
        return plt.figure(figsize=figsize, layout="constrained", **kwargs)


def get_ax(ax=None, *, figsize=None) -> Axes:
    """The axes to draw on: ``ax`` itself, or one new axes on a new figure.

    Parameters
    ----------
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; nothing else is created when given.
    figsize : tuple of float, optional
        Size of the new figure (inches) when ``ax`` is None.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> ax = get_ax(figsize=(4, 2))
    >>> get_ax(ax) is ax, ax.figure.get_size_inches().tolist()
    (True, [4.0, 2.0])
    >>> plt.close(ax.figure)
    """
    if ax is not None:
        if not hasattr(ax, "get_figure") or not hasattr(ax, "plot"):
            raise TypeError(f"`ax` must be a matplotlib Axes or None, not {type(ax).__name__}")
        return ax
    fig = new_figure(figsize=figsize)
    with project_style():
        return fig.add_subplot()


def to_num(values) -> np.ndarray:
    """Dates (strings, Timestamps, datetime64) -> matplotlib date numbers (NaT -> NaN)."""
    import matplotlib.dates as mdates

    idx = pd.DatetimeIndex(pd.to_datetime(pd.Index(values) if not np.isscalar(values) else [values]))
    arr = idx.as_unit("ns").to_numpy("datetime64[ns]")
    out = np.full(arr.shape, np.nan)
    ok = ~np.isnat(arr)
    if ok.any():
        out[ok] = mdates.date2num(arr[ok])
    return out


def set_date_axis(ax) -> None:
    """Declare the x axis of ``ax`` a date axis with the project's concise labels.

    The number of ticks follows the axes width (about one per 0.9 inch), so small
    panels do not crowd their labels.
    """
    ax.xaxis_date()
    fig = ax.get_figure(root=True)
    width_in = ax.get_position().width * fig.get_figwidth()
    format_date_axis(ax.xaxis, maxticks=int(min(9, max(4, width_in / 0.8))))


_FREQ_UNITS = {"D": "day", "W": "week", "M": "month", "Q": "quarter", "Y": "year", "A": "year"}
_DAY_RANGES = (((1, 1), "day"), ((7, 7), "week"), ((28, 31), "month"), ((89, 92), "quarter"),
               ((365, 366), "year"))


def bin_unit(start=None, end=None, freq=None, *, days=None) -> str | None:
    """The calendar unit of a series' bins ("week"), or None when they have none.

    From ``freq`` ("W", "M", "W-MON", ...) when given, else from the interval lengths
    (``end - start`` of dates, or ``days`` directly): every length must fall in one
    unit's range of days (1; 7; 28-31; 89-92; 365-366), so irregular intervals
    (tallies) give None.
    """
    if freq:
        key = str(freq).upper().split("-")[0]  # "W-MON" -> "W"; "MS", "QS", "YS" -> M, Q, Y
        return _FREQ_UNITS.get(key) or _FREQ_UNITS.get(key[:-1] if key.endswith("S") else None)
    if days is None:
        if start is None or end is None:
            return None
        days = to_num(end) - to_num(start)
    days = np.asarray(days, dtype=float)
    days = days[np.isfinite(days)]
    if not len(days):
        return None
    for (lo, hi), unit in _DAY_RANGES:
        if np.all((days >= lo - 1e-9) & (days <= hi + 1e-9)):
            return unit
    return None


def count_label(unit: str | None) -> str:
    """Y-axis label of counts per bin: "count per week", or "count"."""
    return f"count per {unit}" if unit else "count"


def integer_ticks(ax) -> None:
    """Whole-number ticks on the y axis (counts)."""
    from matplotlib.ticker import MaxNLocator

    ax.yaxis.set_major_locator(MaxNLocator(nbins="auto", steps=[1, 2, 5, 10], integer=True, min_n_ticks=3))


def plain_text(*texts) -> None:
    """Draw user-supplied strings literally: no mathtext parsing of ``$...$``."""
    for t in texts:
        if t is not None:
            t.set_parse_math(False)
            t.set_usetex(False)


def renderer_of(fig):
    """A renderer for measuring text before the figure is drawn."""
    canvas = fig.canvas
    if hasattr(canvas, "get_renderer"):
        return canvas.get_renderer()
    return fig._get_renderer()  # pragma: no cover - non-Agg canvases


def laid_out(fig):
    """Run ``fig``'s layout engine (if any, best effort) and return a renderer, so that
    what is measured next has the positions the saved figure will have."""
    renderer = renderer_of(fig)
    engine = fig.get_layout_engine()
    if engine is not None:
        try:
            engine.execute(fig)
        except Exception:  # pragma: no cover - layout is best effort here
            pass
    return renderer


def require_columns(frame, columns, *, name: str) -> None:
    """Raise InputError naming the first missing column of ``frame``."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InputError(f"`{name}` needs column(s) {missing}; it has {list(frame.columns)}",
                         column=missing[0])


def as_frame(obj, *, name: str) -> pd.DataFrame:
    """A DataFrame from a DataFrame, a mapping of columns or a list of records."""
    if isinstance(obj, pd.DataFrame):
        return obj
    if obj is None:
        raise TypeError(f"`{name}` must be a DataFrame, not None")
    try:
        return pd.DataFrame(obj)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"`{name}` must be a DataFrame or convertible to one: {exc}") from None


# --------------------------------------------------------------------------- legends
_CORNERS = ("upper left", "upper right", "lower right", "lower left", "upper center")


def _densify(xy: np.ndarray, k: int = 12) -> np.ndarray:
    """Points along a polyline, so long segments count where they cross a box."""
    xy = xy[np.all(np.isfinite(xy), axis=1)]
    if len(xy) < 2:
        return xy
    t = np.linspace(0.0, 1.0, k)[:, None, None]
    return (xy[:-1][None] * (1 - t) + xy[1:][None] * t).reshape(-1, 2)


def _ink_axes_coords(ax, *, events: bool = False) -> tuple[np.ndarray, list]:
    """Points (N, 2) and rectangles [(x0, y0, x1, y1)] of the ink, in axes coordinates.

    With ``events=False`` the data ink: everything but event markers and spans (gid
    starting with "event"); with ``events=True`` only those markers and spans.
    """
    from matplotlib.collections import Collection
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch, Rectangle

    to_axes = ax.transAxes.inverted()
    pts, rects = [], []
    for art in ax.get_children():
        gid = art.get_gid() or ""
        if not art.get_visible() or art is ax.patch or gid.startswith("event") != events:
            continue
        if isinstance(art, Line2D):
            data = art.get_xydata()
            if len(data):
                pts.append(_densify(to_axes.transform(art.get_transform().transform(data))))
        elif isinstance(art, Rectangle):
            bb = art.get_window_extent()
            b = to_axes.transform([[bb.x0, bb.y0], [bb.x1, bb.y1]])
            if np.all(np.isfinite(b)) and (b[1] - b[0]).any():
                rects.append((b[0, 0], b[0, 1], b[1, 0], b[1, 1]))
        elif isinstance(art, Patch):
            path = art.get_transform().transform_path(art.get_path())
            for poly in path.to_polygons(closed_only=False):
                pts.append(_densify(to_axes.transform(poly)))
        elif isinstance(art, Collection):
            trans = art.get_transform()
            for path in art.get_paths():
                if len(path.vertices) == 0:
                    continue
                for poly in trans.transform_path(path).to_polygons(closed_only=False):
                    pts.append(_densify(to_axes.transform(poly)))
            offs = art.get_offsets()
            if len(offs) and art.get_offset_transform() is not None:
                xy = to_axes.transform(art.get_offset_transform().transform(offs))
                pts.append(xy[np.all(np.isfinite(xy), axis=1)])
    pts = [p for p in pts if len(p)]
    P = np.concatenate(pts) if pts else np.empty((0, 2))
    return P, rects


def _hits(P, rects, box) -> bool:
    x0, y0, x1, y1 = box
    hit = bool(len(P)) and bool(np.any((P[:, 0] >= x0) & (P[:, 0] <= x1)
                                       & (P[:, 1] >= y0) & (P[:, 1] <= y1)))
    return hit or any(r[0] < x1 and r[2] > x0 and min(r[1], r[3]) < y1 and max(r[1], r[3]) > y0
                      for r in rects)


def place_legend(ax, *, ncols: int = 1, title=None):
    """Legend in an empty corner of the data, else outside the axes on the right.

    The figure's layout is run first, so sizes are those of the final figure. The
    candidate corners are tried in order; a corner free of data and of event markers is
    preferred, then one free of data (the legend then gets a white backing, so event
    lines do not run through its text). When every corner holds data the legend goes
    outside: in one row under the x tick labels when that fits the axes width, else
    right of the axes, so it never hides data. Returns the legend, or None
    when no artist has a label.
    """
    with project_style():  # legend look (no frame, font size) whoever calls
        return _place_legend(ax, ncols=ncols, title=title)


def _place_legend(ax, *, ncols, title):
    handles, labels = ax.get_legend_handles_labels()
    if ax.legend_ is not None:
        ax.legend_.remove()
    if not handles:
        return None
    renderer = laid_out(ax.get_figure(root=True))
    ax.get_xlim(), ax.get_ylim()  # settle autoscaling
    data = _ink_axes_coords(ax)
    marks = _ink_axes_coords(ax, events=True)
    to_axes = ax.transAxes.inverted()
    scores = []
    for loc in _CORNERS:
        leg = ax.legend(handles, labels, loc=loc, ncols=ncols, title=title)
        bb = leg.get_window_extent(renderer)
        leg.remove()
        (x0, y0), (x1, y1) = to_axes.transform([[bb.x0, bb.y0], [bb.x1, bb.y1]])
        box = (x0 - 0.02, y0 - 0.03, x1 + 0.02, y1 + 0.03)
        scores.append((_hits(*data, box), _hits(*marks, box)))
    free = [k for k, s in enumerate(scores) if s == (False, False)]
    free = free or [k for k, s in enumerate(scores) if not s[0]]
    if free:
        leg = ax.legend(handles, labels, loc=_CORNERS[free[0]], ncols=ncols, title=title)
        if scores[free[0]][1]:
            # over event markers only: a white backing keeps the dashed lines out of the text
            leg.set_frame_on(True)
            leg.get_frame().set(facecolor="white", edgecolor="none", alpha=0.92)
            leg.set_zorder(6)
    else:
        leg = _legend_below(ax, handles, labels, renderer, title=title)
        if leg is None:
            leg = ax.legend(handles, labels, loc="upper left", bbox_to_anchor=(1.01, 1.0),
                            borderaxespad=0.0, ncols=ncols, title=title)
    plain_text(*leg.get_texts())
    return leg


def legend_below(ax, axes=None, *, extra=()) -> Legend | None:
    """One legend for several panels, under the x axis of ``ax`` (the lowest panel).

    The handles of every axes in ``axes`` (default: ``ax`` alone) are gathered, in order
    and without repeated labels, with ``extra`` ``(handle, label)`` pairs after them; the
    panels' own legends are removed. The legend goes in rows under the tick labels and
    the axis label of ``ax`` (as many columns as fit its width), so it covers no data and
    no event line. Returns the legend, or None when nothing has a label.
    """
    with project_style():
        axes = list(axes) if axes is not None else [ax]
        handles, labels = [], []
        for a in axes:
            for h, lab in zip(*a.get_legend_handles_labels()):
                if lab not in labels:
                    handles.append(h)
                    labels.append(lab)
            if a.legend_ is not None:
                a.legend_.remove()
        for h, lab in extra:
            if lab not in labels:
                handles.append(h)
                labels.append(lab)
        if not handles:
            return None
        renderer = laid_out(ax.get_figure(root=True))
        leg = None
        n = len(handles)
        for ncols in range(n, 0, -1):
            leg = _legend_below(ax, handles, labels, renderer, ncols=ncols)
            if leg is not None:
                rows = -(-n // ncols)
                balanced = -(-n // rows)  # as few columns as the same rows need: even rows
                if balanced != ncols:
                    leg.remove()
                    leg = _legend_below(ax, handles, labels, renderer, ncols=balanced)
                break
        if leg is None:  # no x tick labels on ``ax``: right of it
            leg = ax.legend(handles, labels, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0)
        plain_text(*leg.get_texts())
        return leg


def _legend_below(ax, handles, labels, renderer, *, title=None, ncols=None):
    """One row of legend under the x tick labels, when it fits the axes width; else None.

    A wide axes loses less room this way than with a legend column on its right. The
    offset below the axes is fixed in points (the tick labels' height), so the legend
    stays clear of them when the layout engine resizes the axes. Axes whose x tick
    labels are hidden (an upper panel sharing x) get None: a legend there would sit on
    the panel below.
    """
    from matplotlib.transforms import ScaledTranslation

    if not any(t.get_visible() and t.get_text() for t in ax.get_xticklabels()):
        return None
    fig = ax.get_figure(root=True)
    xa = ax.xaxis.get_tightbbox(renderer)
    drop_px = max(ax.bbox.y0 - xa.y0, 0.0) if xa is not None else 0.0
    drop_in = drop_px / fig.dpi + 4.0 / 72.0
    trans = ax.transAxes + ScaledTranslation(0.0, -drop_in, fig.dpi_scale_trans)
    leg = ax.legend(handles, labels, loc="upper center", bbox_to_anchor=(0.5, 0.0), bbox_transform=trans,
                    borderaxespad=0.0, ncols=ncols or len(handles), title=title)
    if leg.get_window_extent(renderer).width > ax.bbox.width:
        leg.remove()
        return None
    return leg
