"""The frozen result of every search: :class:`Segmentation`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

import numpy as np

from .._format import plural
from ._data import SignalData
from .intervals import garwood


@dataclass(frozen=True, eq=False)
class Segmentation:
    """A segmentation of a series into segments of constant rate (or mean).

    Attributes
    ----------
    changepoints : tuple of int
        0-based index of the first row of each new segment (the value R's changepoint
        package reports as a ``cpt``: the last row of a segment, counted from 1).
    times : tuple
        Time label of each change row as written in the source (row indices for
        plain arrays).
    segments : pandas.DataFrame
        (Built on first use from ``segment_data``, the same columns as a dict of
        arrays, so a search needs no pandas.) One row per segment: ``start``, ``end`` (row indices, ``end`` exclusive),
        ``n`` (rows), ``sum``, ``exposure``, ``rate`` (sum per unit exposure; for the
        normal costs the mean), ``ci_low``, ``ci_high`` (exact Garwood interval for
        the count costs; mean +- 1.96 standard errors for the normal costs), ``var``
        (normal costs) and ``time_start``/``time_end`` (labels of the first and last
        row) when the input had labels.
    cost : float
        Sum of the segment costs (with the MBIC ``log(m)`` terms when the penalty is
        MBIC), without the penalty.
    penalty : float
        Penalty per change that was used.
    penalised_cost : float
        ``cost + penalty * len(changepoints)``.
    cost_name, method, penalty_name : str
    n, min_size : int
    attrs : mapping
        Extras: ``rate_unit`` ("row" or "day" of exposure), ``alpha`` (negbin), ...
    """

    changepoints: tuple
    times: tuple
    segment_data: Mapping[str, Any]
    cost: float
    penalty: float
    penalised_cost: float
    cost_name: str
    method: str
    penalty_name: str
    n: int
    min_size: int
    attrs: Mapping[str, Any] = field(default_factory=dict)
    estimator: Any = field(default=None, repr=False, compare=False)
    penalty_spec: Any = field(default=None, repr=False, compare=False)

    @property
    def segments(self):
        """The segment table as a pandas DataFrame (see the class docstring)."""
        df = self.__dict__.get("_segments_df")
        if df is None:
            import pandas as pd

            df = pd.DataFrame(dict(self.segment_data))
            object.__setattr__(self, "_segments_df", df)
        return df

    @property
    def n_changes(self) -> int:
        return len(self.changepoints)

    def to_dict(self) -> dict:
        """The CLI JSON object (DESIGN section 6)."""
        t = self.segment_data
        labelled = "time_start" in t
        segs = []
        for i in range(len(t["start"])):
            d = {"start": int(t["start"][i]), "end": int(t["end"][i]), "n": int(t["n"][i]),
                 "rate": float(t["rate"][i]), "ci_low": float(t["ci_low"][i]),
                 "ci_high": float(t["ci_high"][i])}
            if labelled:
                d["time_start"] = t["time_start"][i]
                d["time_end"] = t["time_end"][i]
            segs.append(d)
        return {"cost": self.cost_name, "method": self.method, "penalty": float(self.penalty),
                "changepoints": [{"index": int(c), "time": _jsonable(t)}
                                 for c, t in zip(self.changepoints, self.times)],
                "segments": segs}

    def summary(self) -> "SegmentationSummary":
        """A renderable summary (``as_text()``, ``as_markdown()``, HTML in notebooks)."""
        return SegmentationSummary(self)

    def bootstrap(self, n_boot: int = 200, *, level: float = 0.95, seed=None,
                  quiet: bool = False) -> pd.DataFrame:
        """Parametric bootstrap interval for each change location (see
        :func:`analysis.changepoints.intervals.bootstrap_locations`)."""
        from .intervals import bootstrap_locations

        return bootstrap_locations(self, n_boot=n_boot, level=level, seed=seed, quiet=quiet)

    def _repr_html_(self) -> str:
        return self.summary()._repr_html_()

    def __repr__(self) -> str:
        return (f"Segmentation(method={self.method!r}, cost={self.cost_name!r}, "
                f"penalty={self.penalty_name}:{self.penalty:.4g}, changepoints={self.changepoints}, "
                f"times={self.times})")


class SegmentationSummary:
    """Header line plus the segment table of a :class:`Segmentation`; never prints."""

    def __init__(self, seg: Segmentation):
        self.seg = seg

    @property
    def header(self) -> str:
        s = self.seg
        where = ", ".join(f"{t} (row {c})" for c, t in zip(s.changepoints, s.times)) or "none"
        return (f"{s.method} / {s.cost_name} cost / {s.penalty_name} penalty {s.penalty:.4g}, "
                f"min size {s.min_size}: {plural(s.n_changes, 'change')}: {where}")

    def table(self) -> pd.DataFrame:
        cols = [c for c in ("time_start", "time_end", "start", "end", "n", "sum", "exposure", "rate",
                            "ci_low", "ci_high") if c in self.seg.segments.columns]
        return self.seg.segments[cols]

    def as_text(self) -> str:
        return self.header + "\n" + self.table().to_string(index=False, float_format=lambda v: f"{v:.4g}")

    def as_markdown(self) -> str:
        t = self.table()
        head = "| " + " | ".join(t.columns) + " |\n|" + "---|" * len(t.columns)
        body = "\n".join("| " + " | ".join(f"{v:.4g}" if isinstance(v, float) else str(v) for v in row)
                         + " |" for row in t.itertuples(index=False))
        return f"{self.header}\n\n{head}\n{body}"

    def _repr_html_(self) -> str:
        import html

        return f"<p>{html.escape(self.header)}</p>" + self.table().to_html(index=False)

    def __str__(self) -> str:
        return self.as_text()


def _jsonable(v):
    if isinstance(v, (np.integer,)):
        return int(v)
    return v


def segment_table(sig: SignalData, cost, changepoints, level: float = 0.95) -> pd.DataFrame:
    """Segment statistics for a list of changepoints (see :class:`Segmentation`)."""
    import pandas as pd

    return pd.DataFrame(segment_columns(sig, cost, changepoints, level))


def segment_columns(sig: SignalData, cost, changepoints, level: float = 0.95) -> dict:
    """:func:`segment_table` as a dict of column arrays (no pandas)."""
    n = sig.n
    b = np.r_[0, np.asarray(changepoints, int), n].astype(np.int64)
    s, e = b[:-1], b[1:]
    y = sig.y
    m = (e - s).astype(np.int64)
    S = np.add.reduceat(y, s)
    E = m.astype(float) if sig.exposure is None else np.add.reduceat(sig.exposure, s)
    out = {"start": s, "end": e, "n": m, "sum": S, "exposure": E}
    if cost.is_count:
        rate = S / E
        lo, hi = garwood(S, E, level)
    else:
        yc = y - cost.shift
        Sc = np.add.reduceat(yc, s)
        Q = np.add.reduceat(yc * yc, s)
        var = np.maximum(Q - Sc * Sc / m, 0.0) / np.maximum(m - 1, 1)
        var = np.where(m > 1, var, np.nan)
        rate = S / m
        from statistics import NormalDist

        z = NormalDist().inv_cdf(0.5 + level / 2)
        half = z * np.sqrt(var / m)
        lo, hi = rate - half, rate + half
        out["var"] = var
    out.update(rate=rate, ci_low=lo, ci_high=hi)
    if sig.labels is not None:
        out["time_start"] = [sig.labels[i] for i in s]
        out["time_end"] = [sig.labels[i - 1] for i in e]
    return out
