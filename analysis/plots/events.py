"""Event markers with labels that never collide.

Each event is a dashed vertical line across the axes (a shaded span when it has an
``end_date``). Its label sits in an *event track* above the axes, joined to the line by a
leader. Labels are laid out at draw time, in display coordinates, from their real text
extents, in one of two ways, whichever needs less height:

*lanes* (sparse events): horizontal labels; events are taken right to left and each
label goes to the lowest lane where (1) it overlaps no label of the same lane, (2) no
leader of a higher lane runs through it and (3) its own leader crosses no label of a
lower lane, so close events form a staircase. Rules 2 and 3 are dropped before a new
lane is opened (a label's white halo then hides the leader behind it);

*upright* (dense events): labels turned 90 degrees and spread sideways as little as
possible (least squares, at least one text height apart), with bent leaders.

The layout is redone on every draw, so it stays valid when the figure is resized or
saved at another dpi. The track is a child axes, so constrained layout keeps room for it
and the axes title goes above it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.axes import Axes

import numpy as np
import pandas as pd

from ._axes import as_frame, get_ax, require_columns, set_date_axis, to_num
from ._event_layout import EventTrack
from ._style import COLORS, project_style

__all__ = ["plot_events", "truncate_label"]

_TRACK_LABEL = "event-track"


def truncate_label(text, max_chars: int | None) -> str:
    """``text`` shortened to ``max_chars`` characters with an ellipsis (None: unchanged)."""
    text = " ".join(str(text).split())
    if max_chars is None or len(text) <= max_chars:
        return text
    if max_chars < 2:
        raise ValueError(f"`max_label_chars` must be at least 2 or None, got {max_chars}")
    return text[: max_chars - 1].rstrip(" ,;:-") + "\u2026"


def _track_of(ax, fontsize, color):
    for child in ax.child_axes:
        if child.get_label() == _TRACK_LABEL and hasattr(child, "_event_track"):
            return child._event_track
    track = ax.inset_axes([0.0, 1.0, 1.0, 0.01], label=_TRACK_LABEL, zorder=ax.get_zorder() + 1)
    track.set_axis_off()
    track.patch.set_visible(False)
    track.set_navigate(False)
    layout = EventTrack(ax, track, fontsize=fontsize, color=color)
    track.set_axes_locator(layout)
    track._event_track = layout
    return layout


def plot_events(events, *, ax=None, labels: bool | str = True, max_label_chars: int | None = 28,
                color=None, span_color=None, fontsize: float = 7.5, linestyle=(0, (4, 3)),
                clip_to_data: bool = True) -> Axes:
    """Vertical event markers with non-colliding labels; shaded spans for dated periods.

    Parameters
    ----------
    events : pandas.DataFrame
        Columns ``date`` and ``label`` (or the column named by ``labels``); optional
        ``end_date`` (INCLUSIVE last day; the span is shaded to the end of that day) and
        ``kind``. Rows with no date are skipped. Labels are drawn as plain text (no
        mathtext, no markup).
    ax : matplotlib.axes.Axes, optional
        Axes to draw on (usually after :func:`plot_counts`); a new figure when None.
    labels : bool or str
        True draws the ``label`` column, a string names another column to draw instead
        (e.g. ``"event_id"``: with more than a dozen events, short ids keyed to a table
        read better than long labels cut to ``max_label_chars``), False draws markers
        only (e.g. on a lower panel).
    max_label_chars : int or None
        Longer labels are cut with an ellipsis.
    color, span_color : color, optional
        Marker/label colour and span colour.
    fontsize : float
        Label size in points.
    linestyle
        Line style of the markers.
    clip_to_data : bool
        When the axes already holds data, skip events outside its x range and clip
        spans to it, so the range stays as it is. Otherwise autoscaling widens the range
        to show every event.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on. Label ``Text`` artists carry ``gid="event-label"`` and live
        in a child axes above ``ax`` (see the module notes); calling the function
        twice on one axes adds to the same track.

    Notes
    -----
    The labels need room above the axes: figures from this package and from
    ``project_style()`` use constrained layout, which makes that room (and moves the
    title above the labels). On a figure without a layout engine, leave a top margin
    (``fig.subplots_adjust(top=...)``) or call ``fig.set_layout_engine("constrained")``.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> import pandas as pd
    >>> ev = pd.DataFrame({"event_id": ["E1", "E2"], "date": ["2020-03-02", "2020-04-13"],
    ...                    "label": ["synthetic talks", "synthetic strike"]})
    >>> ax = plot_events(ev)
    >>> len(ax.lines)                  # one dashed line per event
    2
    >>> plt.close(ax.figure)
    """
    frame = as_frame(events, name="events")
    if isinstance(labels, (bool, np.bool_)):
        draw_labels, label_col = bool(labels), "label"
    elif isinstance(labels, str):
        draw_labels, label_col = True, labels
    else:
        raise TypeError(f"`labels` must be a bool or a column name, not {type(labels).__name__}")
    require_columns(frame, ["date"] + ([label_col] if draw_labels else []), name="events")
    if max_label_chars is not None and (not isinstance(max_label_chars, (int, np.integer))
                                        or max_label_chars < 2):
        raise ValueError(f"`max_label_chars` must be an int >= 2 or None, got {max_label_chars!r}")
    ax = get_ax(ax)
    color = color or COLORS["event"]
    span_color = span_color or COLORS["event_span"]
    had_data = ax.has_data()
    xlim = ax.get_xlim() if had_data else None
    x0 = to_num(frame["date"])
    x1 = (to_num(pd.to_datetime(frame["end_date"]) + pd.Timedelta(days=1))
          if "end_date" in frame.columns else np.full(len(frame), np.nan))
    if draw_labels:
        lab = frame[label_col].astype("object").where(frame[label_col].notna(), "").to_numpy()
    else:
        lab = np.full(len(frame), "", dtype=object)
    keep = np.isfinite(x0)
    if had_data and clip_to_data:
        lo, hi = xlim
        right = np.where(np.isfinite(x1), x1, x0)
        keep &= (right >= lo) & (x0 <= hi)
    idx = np.flatnonzero(keep)
    with project_style():
        for i in idx:
            if np.isfinite(x1[i]) and x1[i] > x0[i]:
                a, b = x0[i], x1[i]
                if xlim is not None and clip_to_data:  # keep the plotted range as it is
                    a, b = max(a, min(xlim)), min(b, max(xlim))
                ax.axvspan(a, b, color=span_color, alpha=0.35, lw=0, zorder=0.6, gid="event-span")
            ax.axvline(x0[i], color=color, lw=0.8, ls=linestyle, zorder=1.6, gid="event-marker")
        if not had_data and len(idx):
            # vertical lines alone autoscale to a far too wide range: set it, but leave
            # autoscaling on so data drawn later widens it as needed
            lo = np.nanmin(x0[idx])
            hi = np.nanmax(np.fmax(x0[idx], np.where(np.isfinite(x1[idx]), x1[idx], x0[idx])))
            margin = max((hi - lo) * 0.05, 1.0)
            ax.set_xlim(lo - margin, hi + margin)
            ax.set_autoscalex_on(True)
        set_date_axis(ax)
        if draw_labels and len(idx):
            track = _track_of(ax, fontsize, color)
            for i in idx:
                track.add(x0[i], truncate_label(lab[i], max_label_chars))
    return ax
