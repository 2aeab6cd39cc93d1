"""Layout of event labels above an axes (used by :func:`analysis.plots.plot_events`).

Labels are placed at draw time, in display coordinates, from their real text extents;
see :mod:`analysis.plots.events` for the rules. :class:`EventTrack` is also the axes
locator of the child axes that holds the labels, so constrained layout reserves room
for them and the parent's title goes above them.
"""

from __future__ import annotations

import numpy as np

from ._axes import plain_text

__all__ = ["EventTrack"]


class EventTrack:
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
