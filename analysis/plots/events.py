"""Event markers with labels that never collide.

Each event is a dashed vertical line across the axes (a shaded span when it has an
``end_date``). Its label sits in an *event track* above the axes, joined to the line by a
short leader. Labels are laid out at draw time, in display coordinates, from their real
text extents: events are taken right to left and each label goes to the lowest lane where

1. it overlaps no label of the same lane (plus padding),
2. no leader of a label in a higher lane runs through it, and
3. its own leader crosses no label of a lower lane,

so close events form a staircase. When that would need a new lane, rules 2 and 3 are
dropped first (a label's white halo then hides the leader behind it), so the number of
lanes stays the least that keeps labels apart. Because the layout is redone on every draw, it stays
valid when the figure is resized or saved at another dpi. The track is a child axes, so
constrained layout keeps room for it and the axes title goes above it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._axes import as_frame, get_ax, plain_text, require_columns, set_date_axis, to_num
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


class _EventTrack:
    """Label layout for one axes; also the axes locator of the track (a child axes)."""

    def __init__(self, ax, track, *, fontsize, color, gap_pt=2.5, pad_pt=6.0, stub_pt=4.0,
                 spacing=1.35):
        self.ax = ax
        self.track = track
        self.fontsize = fontsize
        self.color = color
        self.gap_pt, self.pad_pt, self.stub_pt, self.spacing = gap_pt, pad_pt, stub_pt, spacing
        self.xs: list[float] = []
        self.texts = []
        self.leaders = []
        self.lanes: list[int] = []

    def add(self, x: float, text: str):
        from matplotlib.lines import Line2D
        from matplotlib.transforms import IdentityTransform

        t = self.track.text(0, 0, text, transform=IdentityTransform(), fontsize=self.fontsize,
                            color=self.color, va="center", ha="left", clip_on=False,
                            gid="event-label", zorder=3,
                            bbox=dict(boxstyle="square,pad=0.1", facecolor="white",
                                      edgecolor="none", alpha=0.9))
        plain_text(t)
        line = Line2D([], [], transform=IdentityTransform(), color=self.color, lw=0.6,
                      clip_on=False, gid="event-leader", zorder=2)
        self.track.add_artist(line)
        self.xs.append(float(x))
        self.texts.append(t)
        self.leaders.append(line)

    # ------------------------------------------------------------------ layout
    def _lanes(self, xpx, sizes, order, box, gap, pad, max_lanes):
        """Horizontal labels in lanes; returns (lanes, spans), or None past ``max_lanes``."""
        n = len(xpx)
        m = len(order)
        P_lane = np.empty(m, int)  # placed labels: lane, extent [a, b], leader x
        P_a, P_b, P_x = np.empty(m), np.empty(m), np.empty(m)
        k = 0
        lanes = [-1] * n
        spans = [(0.0, 0.0)] * n
        for i in sorted(order, key=lambda i: (-xpx[i], i)):
            x, (w, _) = xpx[i], sizes[i]
            fits_left = x + gap + w <= box.x1 + 1.0
            fits_right = x - gap - w >= box.x0 - 1.0
            anchors = ["left", "right"] if (fits_left or not fits_right) else ["right", "left"]
            if not fits_right:
                anchors = ["left"]
            L, A, B, X = P_lane[:k], P_a[:k], P_b[:k], P_x[:k]
            top = int(L.max()) + 1 if k else 0
            choice = None
            # strict pass: no crossing of leaders and labels; relaxed pass: labels only
            # avoid each other (a label's white halo then hides the leader behind it)
            for strict in (True, False):
                for lane in range(top + (0 if strict else 1)):
                    for anc in anchors:
                        a, b = (x + gap, x + gap + w) if anc == "left" else (x - gap - w, x - gap)
                        if np.any((L == lane) & (A < b + pad) & (B > a - pad)):
                            continue
                        if strict and (np.any((L > lane) & (X > a - pad) & (X < b + pad))
                                       or np.any((L < lane) & (A - 0.5 <= x) & (x <= B + 0.5))):
                            continue
                        choice = (lane, a, b)
                        break
                    if choice:
                        break
                if choice:
                    break
            lane, a, b = choice
            if lane + 1 > max_lanes:
                return None
            P_lane[k], P_a[k], P_b[k], P_x[k] = lane, a, b, x
            k += 1
            lanes[i] = lane
            spans[i] = (a, b)
        return lanes, spans

    @staticmethod
    def _spread(x, sep, lo, hi):
        """Positions closest to sorted ``x`` (least squares) at least ``sep`` apart, in [lo, hi].

        Pool-adjacent-violators on ``x_i - i*sep`` (isotonic regression), then clipped.
        """
        n = len(x)
        if n == 0:
            return np.asarray(x, float)
        if (n - 1) * sep > hi - lo:
            sep = (hi - lo) / max(n - 1, 1)
        z = np.asarray(x, float) - sep * np.arange(n)
        blocks: list[list[float]] = []  # [mean, weight]
        for v in z:
            blocks.append([v, 1.0])
            while len(blocks) > 1 and blocks[-2][0] > blocks[-1][0]:
                m2, w2 = blocks.pop()
                m1, w1 = blocks.pop()
                blocks.append([(m1 * w1 + m2 * w2) / (w1 + w2), w1 + w2])
        q = np.concatenate([np.full(int(w), m) for m, w in blocks])
        q = np.clip(q, lo, hi - (n - 1) * sep)
        return q + sep * np.arange(n)

    def layout(self, renderer):
        """Place every label; return the track's height in display pixels.

        Two layouts are measured: horizontal labels in lanes, and labels turned upright
        and spread sideways (leaders bend to reach them). The one needing less height
        is used, so sparse events get one line of text and dense clusters stay compact.
        """
        ax = self.ax
        ax.get_xlim()  # settle autoscaling before reading transData
        box = ax.bbox
        p2px = renderer.points_to_pixels
        gap, pad, stub = p2px(self.gap_pt), p2px(self.pad_pt), p2px(self.stub_pt)
        n = len(self.xs)
        if n == 0:
            return 0.0
        xpx = ax.transData.transform(np.c_[self.xs, np.zeros(n)])[:, 0]
        visible = np.isfinite(xpx) & (xpx >= box.x0 - 0.5) & (xpx <= box.x1 + 0.5)
        order = [i for i in range(n) if visible[i]]
        fig = ax.get_figure(root=True)
        key = (type(renderer).__name__, id(renderer), p2px(72.0), fig.dpi, len(self.texts))
        if getattr(self, "_size_key", None) != key:
            sizes = []
            for t in self.texts:
                t.set_rotation(0)
                t.set_position((0, 0))
                bb = t.get_window_extent(renderer)
                sizes.append((bb.width, bb.height))
            self._sizes, self._size_key = sizes, key
        sizes = self._sizes
        text_h = max(h for _, h in sizes)
        lane_h = text_h * self.spacing
        for i in range(n):
            if i not in order:
                self.texts[i].set_visible(False)
                self.leaders[i].set_visible(False)
        if not order:
            return 0.0
        elbow = p2px(8.0)
        h_upright = stub + elbow + gap + max(sizes[i][0] for i in order) + p2px(1.0)
        # lanes are used while they need no more height than upright labels
        max_lanes = max(1, int((h_upright - stub - p2px(1.0)) // lane_h))
        res = self._lanes(xpx, sizes, order, box, gap, pad, max_lanes)
        if res is not None:
            lanes, spans = res
            h_lanes = stub + (max(lanes) + 1) * lane_h + p2px(1.0)
        self.mode = "lanes" if res is not None else "upright"
        if self.mode == "lanes":
            for i in order:
                y = box.y1 + stub + (lanes[i] + 0.5) * lane_h
                t, line = self.texts[i], self.leaders[i]
                t.set_visible(True)
                t.set_rotation(0)
                t.set_rotation_mode("default")
                t.set_horizontalalignment("left")
                t.set_verticalalignment("center")
                t.set_position((spans[i][0], y))
                line.set_visible(True)
                line.set_data([xpx[i], xpx[i]], [box.y1, y])
            self.lanes = lanes
            return h_lanes
        srt = sorted(order, key=lambda i: (xpx[i], i))
        sep = text_h * 1.15
        pos = self._spread(xpx[srt], sep, box.x0 + sep / 2, box.x1 - sep / 2)
        y_bend, y_text = box.y1 + stub, box.y1 + stub + elbow
        for i, p in zip(srt, pos):
            t, line = self.texts[i], self.leaders[i]
            t.set_visible(True)
            t.set_rotation(90)
            t.set_rotation_mode("anchor")
            t.set_horizontalalignment("left")
            t.set_verticalalignment("center")
            t.set_position((p, y_text + gap))
            line.set_visible(True)
            line.set_data([xpx[i], xpx[i], p, p], [box.y1, y_bend, y_text - p2px(1.0), y_text])
        self.lanes = [0 if i in order else -1 for i in range(n)]
        return h_upright

    def __call__(self, _ax, renderer):
        """Axes locator of the track: the band above the parent axes, in figure coordinates."""
        from matplotlib.transforms import Bbox

        height = self.layout(renderer)
        box = self.ax.bbox
        disp = Bbox.from_bounds(box.x0, box.y1, box.width, max(height, 1e-3))
        fig = self.ax.get_figure(root=False)
        return fig.transSubfigure.inverted().transform_bbox(disp)


def _track_of(ax, fontsize, color):
    for child in ax.child_axes:
        if child.get_label() == _TRACK_LABEL and hasattr(child, "_event_track"):
            return child._event_track
    track = ax.inset_axes([0.0, 1.0, 1.0, 0.01], label=_TRACK_LABEL, zorder=ax.get_zorder() + 1)
    track.set_axis_off()
    track.patch.set_visible(False)
    track.set_navigate(False)
    layout = _EventTrack(ax, track, fontsize=fontsize, color=color)
    track.set_axes_locator(layout)
    track._event_track = layout
    return layout


def plot_events(events, *, ax=None, labels: bool = True, max_label_chars: int | None = 28,
                color=None, span_color=None, fontsize: float = 7.5, linestyle=(0, (4, 3)),
                clip_to_data: bool = True):
    """Vertical event markers with non-colliding labels; shaded spans for dated periods.

    Parameters
    ----------
    events : pandas.DataFrame
        Columns ``date`` and ``label``; optional ``end_date`` (INCLUSIVE last day; the
        span is shaded to the end of that day) and ``kind``. Rows with no date are
        skipped. Labels are drawn as plain text (no mathtext, no markup).
    ax : matplotlib.axes.Axes, optional
        Axes to draw on (usually after :func:`plot_counts`); a new figure when None.
    labels : bool
        Draw the labels (False: markers only, e.g. on a lower panel).
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
    """
    frame = as_frame(events, name="events")
    require_columns(frame, ["date", "label"], name="events")
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
    lab = frame["label"].astype("object").where(frame["label"].notna(), "").to_numpy()
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
        if labels and len(idx):
            track = _track_of(ax, fontsize, color)
            for i in idx:
                track.add(x0[i], truncate_label(lab[i], max_label_chars))
    return ax
