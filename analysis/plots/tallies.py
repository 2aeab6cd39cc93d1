"""Cumulative tallies as a staircase per counter, with their bounds."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.axes import Axes

import numpy as np
import pandas as pd

from ._axes import integer_ticks, as_frame, get_ax, plain_text, require_columns, set_date_axis, to_num
from ._style import COLORS, PALETTE, project_style

__all__ = ["plot_tallies", "tally_bounds"]

_OTHER = "#9A9A9A"
_LINESTYLES = ("-", (0, (5, 2)), (0, (6, 2, 1.5, 2)), (0, (10, 3)), (0, (2, 1)))


def tally_bounds(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(value, lower, upper)`` of each tally row.

    From ``lower``/``upper`` columns when present, else from ``count`` and ``bound``:
    exact and about -> ``[c, c]``; at_least -> ``[c, inf)``; more_than -> ``[c + 1, inf)``;
    at_most -> ``[0, c]``. ``value`` is the count, or the finite bound when the count is
    missing.
    """
    n = len(frame)
    c = (pd.to_numeric(frame["count"], errors="coerce").to_numpy(float, na_value=np.nan)
         if "count" in frame.columns else np.full(n, np.nan))
    if {"lower", "upper"} <= set(frame.columns):
        lo = pd.to_numeric(frame["lower"], errors="coerce").to_numpy(float, na_value=np.nan)
        hi = pd.to_numeric(frame["upper"], errors="coerce").to_numpy(float, na_value=np.nan)
        lo = np.where(np.isnan(lo) & np.isfinite(c), c, lo)
        hi = np.where(np.isnan(hi) & np.isfinite(c), c, hi)
    else:
        bound = (frame["bound"].astype("object").fillna("exact").astype(str).str.strip().str.lower()
                 .replace("", "exact").to_numpy() if "bound" in frame.columns else np.full(n, "exact"))
        known = {"exact", "about", "at_least", "more_than", "at_most"}
        bad = [b for b in bound if b not in known]
        if bad:
            raise ValueError(f"`tallies` column 'bound' has {bad[0]!r}; allowed: {sorted(known)}")
        lo = np.where(bound == "more_than", c + 1, np.where(bound == "at_most", 0.0, c))
        hi = np.where(np.isin(bound, ["at_least", "more_than"]), np.inf, c)
    value = np.where(np.isfinite(c), c, np.where(np.isfinite(lo), lo, hi))
    return value, lo, hi


def plot_tallies(tallies, *, ax=None, region=None, ylabel: str = "cumulative count",
                 legend: bool = True, max_colors: int = 7, source=None, chains: str = "region",
                 connect: bool = True) -> Axes:
    """Cumulative tallies: a staircase per counter (and region), with bounds.

    Parameters
    ----------
    tallies : pandas.DataFrame or object with ``.cumulative``
        One row per statement: ``since``, ``as_of`` (inclusive), ``source`` and either
        ``count`` with an optional ``bound`` (exact, about, at_least, more_than,
        at_most; the ``read_tallies`` layout) or ``lower``/``upper`` (the resolved
        ``TallyResult.cumulative`` layout, ``upper`` inf for open bounds); optional
        ``region``. Rows without ``as_of`` are skipped.
    ax : matplotlib.axes.Axes, optional
    region : str or list of str, optional
        Draw only these regions (default: all).
    ylabel : str
    legend : bool
        Legend outside the axes, right: colours are counters, line styles regions,
        markers the kind of bound.
    max_colors : int
        The counters with the most statements get distinct palette colours, at most
        this many; the others are drawn in grey as "other counters" (a colour-blind-safe
        palette has few distinguishable colours).
    source : str or list of str, optional
        Draw only these counters (default: all); e.g. the main counter in one panel and
        the others in a small one.
    chains : {"region", "since"}
        What the line styles tell apart: regions, or the chains of one counter counted from
        different days (a counter that starts again, "0 attacks since 5 February", is its
        own chain with its own style and legend entry).
    connect : bool
        Draw the thin dotted line from zero on ``since`` to each chain's first statement.

    Returns
    -------
    matplotlib.axes.Axes

    Notes
    -----
    Each chain (source, region, since) is a staircase through its statements: the
    value stated ``as_of`` a date is held until the next statement. A thin dotted line
    joins zero on ``since`` to the first statement (the path in between is unknown).
    Markers: filled circle = exact; open circle = about; open up-triangle = lower bound
    ("at least"/"more than", with an upward tick); open down-triangle = upper bound; a
    vertical bar joins a finite lower and upper bound.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> import pandas as pd
    >>> tallies = pd.DataFrame({"since": "2024-01-01", "as_of": ["2024-01-07", "2024-01-14", "2024-01-21"],
    ...                         "count": [3, 9, 14], "bound": ["exact", "more_than", "exact"],
    ...                         "source": "ministry", "region": "all"})
    >>> ax = plot_tallies(tallies)
    >>> len(ax.lines) > 0
    True
    >>> plt.close(ax.figure)
    """
    frame = tallies.cumulative if hasattr(tallies, "cumulative") and not isinstance(
        tallies, pd.DataFrame) else as_frame(tallies, name="tallies")
    require_columns(frame, ["since", "as_of", "source"], name="tallies")
    if "count" not in frame.columns and not {"lower", "upper"} <= set(frame.columns):
        require_columns(frame, ["count"], name="tallies")
    frame = frame.copy()
    if "region" not in frame.columns:
        frame["region"] = "all"
    frame["region"] = frame["region"].astype("object").fillna("all").astype(str)
    frame["source"] = frame["source"].astype("object").fillna("").astype(str)
    if region is not None:
        keep = [region] if isinstance(region, str) else list(region)
        frame = frame[frame["region"].isin(keep)]
    if source is not None:
        keep = [source] if isinstance(source, str) else list(source)
        frame = frame[frame["source"].isin(keep)]
    if chains not in ("region", "since"):
        raise ValueError(f"`chains` must be 'region' or 'since', not {chains!r}")
    frame["since"] = pd.to_datetime(frame["since"])
    frame["as_of"] = pd.to_datetime(frame["as_of"])
    frame = frame[frame["as_of"].notna()].reset_index(drop=True)
    value, lo, hi = tally_bounds(frame)
    frame["_v"], frame["_lo"], frame["_hi"] = value, lo, hi
    if "bound" in frame.columns:
        frame["_about"] = frame["bound"].astype("object").fillna("").astype(str).str.lower().eq("about")
    else:
        frame["_about"] = False
    ax = get_ax(ax)
    if not isinstance(max_colors, (int, np.integer)) or not 1 <= max_colors <= len(PALETTE):
        raise ValueError(f"`max_colors` must be an int in [1, {len(PALETTE)}], got {max_colors!r}")
    counts = frame.groupby("source").size()
    sources = sorted(counts.index, key=lambda s: (-int(counts[s]), s))
    if chains == "since":
        regions = sorted(pd.to_datetime(frame["since"]).dt.strftime("%Y-%m-%d").unique())
    else:
        regions = sorted(frame["region"].unique(), key=lambda r: (r != "all", r))
    colors = {s: (PALETTE[k] if k < max_colors else _OTHER) for k, s in enumerate(sources)}
    styles = {r: _LINESTYLES[k % len(_LINESTYLES)] for k, r in enumerate(regions)}
    with project_style():
        for (src, reg, since), g in frame.groupby(["source", "region", "since"], sort=True):
            g = g.sort_values("as_of", kind="stable")
            col = colors[src]
            ls = styles[pd.Timestamp(since).strftime("%Y-%m-%d") if chains == "since" else reg]
            x = to_num(g["as_of"])
            v = g["_v"].to_numpy(float)
            x0 = to_num([since])[0]
            ok = np.isfinite(v)
            lw = 1.4 if col != _OTHER else 1.0
            if ok.any():
                first = np.flatnonzero(ok)[0]
                if connect:
                    ax.plot([x0, x[first]], [0.0, v[first]], color=col, ls=(0, (1, 3)), lw=0.7,
                            alpha=0.6, zorder=2)
                if ok.sum() > 1:
                    ax.step(x[ok], v[ok], where="post", color=col, ls=ls, lw=lw, zorder=3)
            glo, ghi = g["_lo"].to_numpy(float), g["_hi"].to_numpy(float)
            about = g["_about"].to_numpy(bool)
            exact = np.isfinite(glo) & np.isfinite(ghi) & (glo == ghi)
            m = exact & ~about
            ax.scatter(x[m], v[m], marker="o", s=16, color=col, zorder=5, linewidths=0, clip_on=False)
            m = exact & about
            ax.scatter(x[m], v[m], marker="o", s=18, facecolor="white", edgecolor=col, lw=1.1, zorder=5,
                       clip_on=False)
            up = np.isfinite(glo) & ~np.isfinite(ghi)
            ax.scatter(x[up], glo[up], marker="^", s=26, facecolor="white", edgecolor=col, lw=1.1, zorder=5,
                       clip_on=False)
            down = np.isfinite(ghi) & (~np.isfinite(glo) | (glo <= 0)) & ~exact
            ax.scatter(x[down], ghi[down], marker="v", s=26, facecolor="white", edgecolor=col, lw=1.1,
                       zorder=5, clip_on=False)
            both = np.isfinite(glo) & np.isfinite(ghi) & (ghi > glo) & (glo > 0)
            if both.any():  # a translucent range bar, unlike the thin step risers
                ax.vlines(x[both], glo[both], ghi[both], color=col, lw=3.0, alpha=0.35, zorder=4,
                          capstyle="butt", gid="tally-range")
        set_date_axis(ax)
        ax.set_ylim(bottom=0)
        integer_ticks(ax)
        if ylabel:
            ax.set_ylabel(ylabel)
        if legend and len(frame):
            _legend(ax, sources, regions, colors, styles, frame, what=chains)
    return ax


def _legend(ax, sources, regions, colors, styles, frame, what="region"):
    from matplotlib.lines import Line2D

    h, lab = [], []
    others = [s for s in sources if colors[s] == _OTHER]
    for s in sources:
        if colors[s] != _OTHER:
            h.append(Line2D([], [], color=colors[s], lw=2))
            lab.append(s)
    if others:
        h.append(Line2D([], [], color=_OTHER, lw=1.5))
        lab.append(f"{len(others)} other counter" + ("s" if len(others) > 1 else ""))
    if len(regions) > 1:
        for r in regions:
            h.append(Line2D([], [], color="#555555", ls=styles[r], lw=1.4))
            lab.append(f"region: {r}" if what == "region" else f"counted from {r}")
    ink = COLORS["bound"]
    lo, hi = frame["_lo"].to_numpy(float), frame["_hi"].to_numpy(float)
    exact = np.isfinite(lo) & np.isfinite(hi) & (lo == hi)
    if exact.any():
        h.append(Line2D([], [], ls="", marker="o", color=ink, ms=4))
        lab.append("exact")
    if frame["_about"].any():
        h.append(Line2D([], [], ls="", marker="o", mfc="white", mec=ink, ms=4.5))
        lab.append("about")
    if (np.isfinite(lo) & ~np.isfinite(hi)).any():
        h.append(Line2D([], [], ls="", marker="^", mfc="white", mec=ink, ms=5))
        lab.append("at least / more than")
    if (np.isfinite(lo) & np.isfinite(hi) & (hi > lo) & (lo > 0)).any():
        h.append(Line2D([], [], color=ink, lw=3.0, alpha=0.35))
        lab.append("range (lower to upper)")
    if (np.isfinite(hi) & ~exact & (~np.isfinite(lo) | (lo <= 0))).any():
        h.append(Line2D([], [], ls="", marker="v", mfc="white", mec=ink, ms=5))
        lab.append("at most")
    leg = ax.legend(h, lab, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0)
    plain_text(*leg.get_texts())
