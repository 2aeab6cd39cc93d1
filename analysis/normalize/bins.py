"""Calendar binning of incidents into a zero-filled CountSeries.

Frequencies: ``D`` (days), ``W`` (ISO weeks, Monday to Sunday), ``M`` (calendar
months), ``Q`` (calendar quarters). Bins cover the *coverage window*: given as
``window=(start, end)`` or ``"START:END"`` (both days inclusive; either side may be left
open), or inferred from the incidents (first ``date_start`` to last ``date_end``) and,
in :func:`analysis.normalize.normalize`, the tallies (first ``since`` to last
``as_of``). Every bin that touches the window is present, zero-filled; its
``exposure`` is the number of its days inside the window, so a partial first or last
bin has a smaller exposure.

``groups`` (incident columns such as ``country`` or ``weapon``) make a panel: one
zero-filled series for every combination of group values that occurs in the
incidents (missing values become ``"unknown"``). ``n_reports`` is the number of
reports behind the incidents a bin receives (an incident split over several bins
counts its reports in each of them).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd

from ..schema import ALLOCATIONS, FREQUENCIES, SERIES_COLUMNS, InputError
from ..series import CountSeries
from .dates import allocate_split, allocate_start, in_window, progress_wanted

__all__ = ["bin_incidents", "bin_edges", "parse_window", "infer_window", "ImputedSeries",
           "MissingMeasureError"]


def _day(x) -> int:
    return int(np.datetime64(pd.Timestamp(x).normalize().to_datetime64(), "D").astype(np.int64))


def _ts(day: int) -> pd.Timestamp:
    return pd.Timestamp(np.datetime64(int(day), "D"))


def parse_window(window) -> tuple[pd.Timestamp | None, pd.Timestamp | None]:
    """``(start, end)`` of a window, both inclusive days (None where open).

    Parameters
    ----------
    window : None, str or pair
        ``"2023-10-17:2024-02-04"``, ``"2023-10-17:"``, ``(start, end)``.

    Examples
    --------
    >>> parse_window("2023-10-17:2024-02-04")
    (Timestamp('2023-10-17 00:00:00'), Timestamp('2024-02-04 00:00:00'))
    """
    if window is None:
        return None, None
    if isinstance(window, str):
        if window.count(":") != 1:
            raise ValueError(f"window must be 'START:END' (ISO days, either may be empty), not {window!r}")
        parts = window.split(":")
    else:
        parts = list(window)
        if len(parts) != 2:
            raise ValueError(f"window must be a pair (start, end), not {window!r}")
    out = []
    for p in parts:
        if p is None or (isinstance(p, str) and p.strip() == "") or (not isinstance(p, str) and pd.isna(p)):
            out.append(None)
            continue
        try:
            out.append(pd.Timestamp(p).normalize())
        except (ValueError, TypeError):
            raise ValueError(f"window: cannot read {p!r} as a date (use YYYY-MM-DD)") from None
    if out[0] is not None and out[1] is not None and out[1] < out[0]:
        raise ValueError(f"window end {out[1].date()} is before its start {out[0].date()}")
    return out[0], out[1]


def infer_window(incidents: pd.DataFrame | None = None, tallies: pd.DataFrame | None = None
                 ) -> tuple[pd.Timestamp | None, pd.Timestamp | None]:
    """Coverage window spanned by incidents and (dated) tallies, days inclusive.

    Examples
    --------
    >>> from analysis.normalize import normalize
    >>> from analysis.synthetic import toy_tables
    >>> reports, tallies = toy_tables()      # synthetic: two reports, one counter
    >>> res = normalize(reports, tallies, freq="W")
    >>> [str(d.date()) for d in infer_window(res.incidents, tallies)]
    ['2024-01-01', '2024-01-24']
    """
    lo, hi = [], []
    if incidents is not None and len(incidents):
        lo.append(pd.to_datetime(incidents["date_start"]).min())
        hi.append(pd.to_datetime(incidents["date_end"]).max())
    if tallies is not None and len(tallies):
        t = tallies[tallies["as_of"].notna()]
        if len(t):
            lo.append(pd.to_datetime(t["since"]).min())
            hi.append(pd.to_datetime(t["as_of"]).max())
    lo = [x for x in lo if pd.notna(x)]
    hi = [x for x in hi if pd.notna(x)]
    return (min(lo) if lo else None), (max(hi) if hi else None)


def bin_edges(freq: str, first_day: int, end_day: int) -> np.ndarray:
    """Bin edges (day numbers) of calendar bins covering ``[first_day, end_day)``.

    Examples
    --------
    >>> import pandas as pd
    >>> day = lambda d: (pd.Timestamp(d) - pd.Timestamp("1970-01-01")).days
    >>> [str(pd.Timestamp("1970-01-01") + pd.Timedelta(days=int(e))).split()[0]
    ...  for e in bin_edges("W", day("2024-01-01"), day("2024-01-18"))]
    ['2024-01-01', '2024-01-08', '2024-01-15', '2024-01-22']
    """
    d0 = np.datetime64(int(first_day), "D")
    d1 = np.datetime64(int(end_day) - 1, "D")
    if freq == "D":
        return np.arange(first_day, end_day + 1, dtype=np.int64)
    if freq == "W":
        # 1970-01-01 was a Thursday: day 4 (1970-01-05) is a Monday
        a = first_day - ((first_day - 4) % 7)
        b = (end_day - 1) - ((end_day - 1 - 4) % 7) + 7
        return np.arange(a, b + 1, 7, dtype=np.int64)
    m0 = d0.astype("datetime64[M]").astype(np.int64)
    m1 = d1.astype("datetime64[M]").astype(np.int64)
    step = 1
    if freq == "Q":
        step = 3
        m0 -= m0 % 3
        m1 -= m1 % 3
    months = np.arange(m0, m1 + step + 1, step, dtype=np.int64)
    return months.astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)


@dataclass(frozen=True)
class ImputedSeries:
    """``M`` integer series from multiple imputation of imprecise dates.

    The draws are held as a matrix; the ``M`` CountSeries are built on first access.

    Attributes
    ----------
    template : CountSeries
        Bins, exposure and groups shared by every imputation.
    draws : numpy.ndarray
        Counts, shape ``(M, rows of the template)``.
    n_reports : numpy.ndarray
        Reports behind each count, same shape.
    seed : int or None
    """

    template: CountSeries
    draws: np.ndarray
    n_reports: np.ndarray
    seed: Any = None
    attrs: Mapping[str, Any] = field(default_factory=dict)
    #: ``{"count_low": draws, "count_high": draws}`` of the fatality band, same shape as ``draws``
    bands: Mapping[str, np.ndarray] = field(default_factory=dict)

    def __len__(self) -> int:
        return int(self.draws.shape[0])

    @cached_property
    def series(self) -> tuple:
        """The imputed series, one CountSeries each."""
        out = []
        for m in range(len(self)):
            d = self.template.data.copy()
            d["count"] = self.draws[m]
            d["n_reports"] = self.n_reports[m].astype(np.int64)
            for k, v in self.bands.items():
                d[k] = v[m]
            out.append(CountSeries(d, freq=self.template.freq, groups=self.template.groups,
                                   attrs=dict(self.attrs, imputation=m + 1)))
        return tuple(out)

    def __iter__(self):
        return iter(self.series)

    def __getitem__(self, i) -> CountSeries:
        return self.series[i]

    @property
    def groups(self) -> tuple[str, ...]:
        return self.template.groups

    def panel(self) -> CountSeries:
        """All imputations as one panel with a leading ``imputation`` group (1..M)."""
        m = len(self)
        t = self.template.data
        d = t.loc[np.tile(np.arange(len(t)), m)].reset_index(drop=True)
        d["count"] = self.draws.reshape(-1)
        d["n_reports"] = self.n_reports.reshape(-1).astype(np.int64)
        for k, v in self.bands.items():
            d[k] = v.reshape(-1)
        d["imputation"] = np.repeat(np.arange(1, m + 1), len(t))
        return CountSeries(d, freq=self.template.freq, groups=("imputation",) + tuple(self.template.groups),
                           attrs=dict(self.attrs))

    def mean(self) -> CountSeries:
        """Mean count per bin over the imputations."""
        d = self.template.data.copy()
        d["count"] = self.draws.mean(axis=0)
        for k, v in self.bands.items():
            d[k] = v.mean(axis=0)
        return CountSeries(d, freq=self.template.freq, groups=self.template.groups, attrs=dict(self.attrs))


@dataclass(frozen=True)
class _Binned:
    result: Any  # CountSeries or ImputedSeries
    counted: np.ndarray  # per incident (in input order)
    clipped: np.ndarray
    window: tuple[pd.Timestamp, pd.Timestamp]


def _check_args(freq, allocate, n_imputations):
    if freq not in FREQUENCIES:
        raise ValueError(f"freq must be one of {FREQUENCIES}, not {freq!r}")
    if allocate not in ALLOCATIONS:
        raise ValueError(f"allocate must be one of {ALLOCATIONS}, not {allocate!r}")
    if allocate == "impute" and (not isinstance(n_imputations, (int, np.integer)) or n_imputations < 1):
        raise ValueError(f"n_imputations must be a positive integer, not {n_imputations!r}")


def allocate_counts(cs, ce, cg, cr, edges, ng: int, allocate: str, value=None, band=None):
    """Counts and reports per (group, bin) for the ``start`` and ``split`` rules.

    ``cs``/``ce`` are the incidents' first and last days clipped to the window, ``cg``
    their group codes, ``cr`` their report counts. ``value`` (optional) is what each
    incident adds to the series (its fatalities for ``measure="fatalities"``; 1 when
    None) and ``band`` an optional pair ``(low, high)`` of such arrays. Returns
    ``(count, n_reports, band_sums)``: arrays of length ``ng * (len(edges) - 1)``,
    group-major (``band_sums`` None without ``band``). Shared by the pandas and DuckDB
    engines so that both bin by one rule.
    """
    nb = len(edges) - 1
    if allocate == "start":
        item, b, w = allocate_start(cs, edges)
    else:
        item, b, w = allocate_split(cs, ce, edges)
    key = cg[item] * nb + b

    def total(v):
        out = np.bincount(key, weights=w if v is None else w * np.asarray(v, float)[item],
                          minlength=ng * nb)
        return np.rint(out) if allocate == "start" else out

    count = total(value)
    nrb = np.bincount(key, weights=cr[item], minlength=ng * nb)
    sums = None if band is None else (total(band[0]), total(band[1]))
    return count, nrb, sums


class MissingMeasureError(InputError):
    """A counted incident has no value of the measure (``index``: its position in the incidents)."""

    def __init__(self, message, index):
        super().__init__(message)
        self.index = int(index)


def binned_frame(edges, exposure, count, nrep_bins, *, combos=None, groups=()) -> pd.DataFrame:
    """The CountSeries table of binned counts (group-major rows, one per group and bin)."""
    nb = len(edges) - 1
    ng = len(combos) if groups else 1
    d = pd.DataFrame({
        "start": np.tile(edges[:-1], ng).astype("datetime64[D]").astype("datetime64[ns]"),
        "end": np.tile(edges[1:], ng).astype("datetime64[D]").astype("datetime64[ns]"),
        "count": count,
        "exposure": np.tile(exposure, ng),
        "n_reports": np.asarray(nrep_bins).astype(np.int64),
    })
    if groups:
        rep = combos.loc[np.repeat(np.arange(ng), nb)].reset_index(drop=True)
        for g in groups:
            d[g] = pd.array(rep[g].astype(str).to_numpy(), dtype="str")
    return d


def _bin(incidents: pd.DataFrame, *, freq="W", allocate="start", window=None, groups: Sequence[str] = (),
         n_imputations=20, seed=None, progress=None, default_window=None, value=None, band=None,
         measure: str = "incidents") -> _Binned:
    _check_args(freq, allocate, n_imputations)
    groups = (groups,) if isinstance(groups, str) else tuple(groups)
    for c in ("date_start", "date_end"):
        if c not in incidents.columns:
            raise InputError(f"the incidents lack column {c!r}")
    for g in groups:
        if g in SERIES_COLUMNS:
            raise ValueError(f"group column {g!r} has the name of a series column "
                             f"({', '.join(SERIES_COLUMNS)}); group by another column")
        if g not in incidents.columns:
            raise InputError(f"group column {g!r} is not an incident column; "
                             f"available: {sorted(map(str, incidents.columns))}", column=g)
    w_start, w_end = parse_window(window)
    edge_start = w_start is None
    if w_start is None or w_end is None:
        d_start, d_end = default_window if default_window is not None else infer_window(incidents)
        w_start = w_start if w_start is not None else d_start
        w_end = w_end if w_end is not None else d_end
    if w_start is None or w_end is None:
        raise ValueError("no coverage window: there are no dated incidents; pass window=(start, end)")
    if w_end < w_start:
        raise ValueError(f"window end {w_end.date()} is before its start {w_start.date()}")
    w0, w1 = _day(w_start), _day(w_end) + 1

    # canonical order (by incident_id) so that imputation draws do not depend on row order
    n = len(incidents)
    if "incident_id" in incidents.columns and n:
        import pyarrow as pa
        import pyarrow.compute as pc
        ids = pa.array(incidents["incident_id"].astype("str").to_numpy(object), type=pa.string())
        order = pc.sort_indices(ids).to_numpy()
    else:
        order = np.arange(n)
    need = ["date_start", "date_end"] + [c for c in ("n_reports",) if c in incidents.columns] + list(groups)
    inc = incidents[list(dict.fromkeys(need))].take(order)
    s = inc["date_start"].to_numpy().astype("datetime64[D]").astype(np.int64)
    e = inc["date_end"].to_numpy().astype("datetime64[D]").astype(np.int64)
    if n and (pd.isna(inc["date_start"]).any() or pd.isna(inc["date_end"]).any()):
        raise InputError("incidents must be dated (dedupe excludes undated reports)", column="date_start")
    nrep = (inc["n_reports"].to_numpy(np.int64) if "n_reports" in inc.columns else np.ones(n, np.int64))
    counted, clipped = in_window(s, e, w0, w1, allocate, edge_start=edge_start)
    edges = bin_edges(freq, w0, w1)
    nb = len(edges) - 1
    exposure = (np.minimum(edges[1:], w1) - np.maximum(edges[:-1], w0)).astype(float)

    if groups:
        gframe = inc[list(groups)].astype("str").fillna("unknown")
        gframe = gframe.where(gframe.ne(""), "unknown")
        combos = gframe.drop_duplicates().sort_values(list(groups)).reset_index(drop=True)
        gcode = pd.MultiIndex.from_frame(combos).get_indexer(pd.MultiIndex.from_frame(gframe))
        ng = len(combos)
    else:
        combos = None
        gcode = np.zeros(n, np.int64)
        ng = 1

    ci = np.flatnonzero(counted)
    cs = np.maximum(s[ci], w0)
    ce = np.minimum(e[ci], w1 - 1)
    cg = gcode[ci]
    cr = nrep[ci]
    cv = cb = None
    if value is not None:
        v = np.asarray(value, float)[order]
        miss = np.flatnonzero(np.isnan(v[ci]))
        if len(miss):
            raise MissingMeasureError(f"a counted incident has no {measure} figure",
                                      order[ci[miss[0]]])
        cv = v[ci]
        if band is not None:  # an incident without a range contributes its value to both sides
            bb = [np.asarray(b, float)[order][ci] for b in band]
            cb = tuple(np.where(np.isnan(x), cv, x) for x in bb)

    def frame(count, nrep_bins, sums=None):
        d = binned_frame(edges, exposure, count, nrep_bins, combos=combos, groups=groups)
        if sums is not None:
            d["count_low"], d["count_high"] = sums
        return d

    attrs = {"freq": freq, "allocate": allocate, "window": (str(w_start.date()), str(w_end.date())),
             "n_incidents": int(len(ci)), "n_clipped": int(clipped.sum()),
             "n_outside_window": int(n - len(ci)), "measure": measure}
    if allocate in ("start", "split"):
        count, nrb, sums = allocate_counts(cs, ce, cg, cr, edges, ng, allocate, value=cv, band=cb)
        result = CountSeries(frame(count, nrb, sums), freq=freq, groups=groups, attrs=attrs)
    else:
        rng = np.random.default_rng(seed)
        fixed = cs == ce
        kf = cg[fixed] * nb + np.searchsorted(edges, cs[fixed], side="right") - 1
        weights = [cv] + (list(cb) if cb is not None else [])  # the measure, then its band

        def fixed_sum(w):
            return np.bincount(kf, weights=None if w is None else w[fixed], minlength=ng * nb).astype(float)

        bases = [fixed_sum(w) for w in weights]
        base = bases[0]
        base_r = np.bincount(kf, weights=cr[fixed], minlength=ng * nb)
        vs, ve, vg, vr = cs[~fixed], ce[~fixed], cg[~fixed], cr[~fixed]
        vw = [None if w is None else w[~fixed] for w in weights]
        it = range(n_imputations)
        if progress_wanted(progress, n_imputations):
            from tqdm.std import tqdm
            it = tqdm(it, desc="imputing dates", unit="draw", file=None)
        all_draws = np.empty((len(weights), n_imputations, ng * nb))
        nreps = np.empty((n_imputations, ng * nb))
        for m in it:
            day = vs + rng.integers(0, ve - vs + 1)
            k = vg * nb + np.searchsorted(edges, day, side="right") - 1
            for j, w in enumerate(vw):
                all_draws[j, m] = bases[j] + np.bincount(k, weights=w, minlength=ng * nb)
            nreps[m] = base_r + np.bincount(k, weights=vr, minlength=ng * nb)
        draws = all_draws[0]
        fr = frame(base, base_r, (bases[1], bases[2]) if cb is not None else None)
        fr["_k"] = np.arange(len(fr))
        template = CountSeries(fr, freq=freq, groups=groups, attrs=attrs)
        perm = template.data["_k"].to_numpy()
        draws, nreps = draws[:, perm], nreps[:, perm]
        bands = ({"count_low": all_draws[1][:, perm], "count_high": all_draws[2][:, perm]}
                 if cb is not None else {})
        template = CountSeries(template.data.drop(columns="_k"), freq=freq, groups=groups, attrs=attrs)
        result = ImputedSeries(template, draws, nreps, seed=seed,
                               attrs=dict(attrs, n_imputations=n_imputations, seed=seed), bands=bands)
    back = np.empty(n, np.int64)
    back[order] = np.arange(n)
    return _Binned(result, counted[back], clipped[back], (w_start, w_end))


def bin_incidents(incidents: pd.DataFrame, *, freq: str = "W", allocate: str = "start", window=None,
                  groups: Sequence[str] = (), n_imputations: int = 20, seed=None,
                  progress=None) -> "CountSeries | ImputedSeries":
    """Count incidents per calendar bin over a zero-filled coverage window.

    Parameters
    ----------
    incidents : pandas.DataFrame
        Incidents from :func:`analysis.normalize.dedupe` (``date_start``, ``date_end``
        inclusive days; ``n_reports`` and group columns used when present).
    freq : {"D", "W", "M", "Q"}, default "W"
        Bin width; weeks are ISO weeks starting on Monday.
    allocate : {"start", "split", "impute"}, default "start"
        How an incident with a date interval is placed (:mod:`analysis.normalize.dates`).
    window : str or pair, optional
        Coverage window ``(start, end)``, inclusive days; inferred when missing.
    groups : sequence of str, optional
        Incident columns whose combinations make a panel.
    n_imputations : int, default 20
        Number of imputed series for ``allocate="impute"``.
    seed : int, optional
        Seed of the imputation draws.
    progress : bool, optional
        tqdm progress bar over imputations; by default shown only for 50 or more
        imputations when stderr is a terminal.

    Returns
    -------
    CountSeries or ImputedSeries
        ``ImputedSeries`` (``M`` CountSeries) for ``allocate="impute"``.

    Raises
    ------
    InputError
        Undated incidents, a missing ``date_start``/``date_end`` or group column.
    ValueError
        A bad ``freq``, ``allocate``, ``window`` or ``n_imputations``; a group named like a
        series column; no coverage window (no incidents and no ``window``).

    Examples
    --------
    >>> import pandas as pd
    >>> inc = pd.DataFrame({"date_start": pd.to_datetime(["2024-01-01", "2024-01-09"]),
    ...                     "date_end": pd.to_datetime(["2024-01-01", "2024-01-09"])})
    >>> bin_incidents(inc, freq="W").counts.tolist()
    [1.0, 1.0]
    """
    return _bin(incidents, freq=freq, allocate=allocate, window=window, groups=groups,
                n_imputations=n_imputations, seed=seed, progress=progress).result
