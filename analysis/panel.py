"""Panels: the same per-series analysis applied to every group, fanned out with Dask.

A panel is a grouped :class:`~analysis.series.CountSeries` (every country x event type x
region, say). :func:`run_panel` cuts it into one series per group, runs one *task* on
each (changepoints by default; the count model with events; or any picklable function)
and returns one tidy table with a row per group.

Where it runs (DESIGN section 8)
--------------------------------
``scheduler="sequential"``
    a plain loop in this process;
``scheduler=None`` or ``"local"``
    a ``dask.distributed`` ``LocalCluster`` of ``n_workers`` single-threaded worker
    processes, started for the call and closed after it;
``scheduler="HOST:PORT"`` (or ``"tcp://..."``)
    an existing Dask cluster, through ``distributed.Client(address)``; its workers must
    have this package installed at the same version;
a ``distributed.Client``
    used as given and left open.

Groups are sent to the workers in chunks (about eight per worker), so thousands of
short series do not each pay Dask's per-task overhead. Every path calls the same
function on the same chunks, so the sequential and distributed tables are identical.
A series whose task raises is recorded with the error text in the ``error`` column;
it never stops the run. A tqdm bar follows completed chunks when ``progress`` is true
and standard error is a terminal.
"""

from __future__ import annotations

import math
import sys
from typing import Any, Callable, Mapping

import numpy as np
import pandas as pd

from .series import CountSeries

__all__ = ["run_panel", "changepoint_task", "its_task", "summary_task", "TASKS"]


# ------------------------------------------------------------------------------ tasks
class _Rows:
    """The arrays of one group's rows, for tasks that need no CountSeries (it is cheap).

    Building a :class:`CountSeries` validates and sorts a table, which costs more than a
    PELT search on a few hundred rows; :func:`changepoint_task` takes this view instead.
    """

    __slots__ = ("counts", "exposure", "start", "days", "freq", "regular")

    def __init__(self, frame: pd.DataFrame, freq):
        order = np.argsort(frame["start"].to_numpy("datetime64[ns]"), kind="stable")
        start = frame["start"].to_numpy("datetime64[ns]")[order]
        end = frame["end"].to_numpy("datetime64[ns]")[order]
        self.counts = frame["count"].to_numpy(float)[order]
        self.start = pd.DatetimeIndex(start)
        self.days = ((end - start) / np.timedelta64(1, "D")).astype(float)
        ex = frame["exposure"].to_numpy(float)[order] if "exposure" in frame else self.days
        self.exposure = ex
        self.freq = freq
        self.regular = freq is not None

    def signal(self):
        """``(y, exposure)`` in the one unit of every rate (:attr:`CountSeries.rate_unit`):
        events per full period for a regular series (exposure = observed fraction of the
        period, None when every period is observed in full), per day for an irregular one."""
        if not self.regular:
            return self.counts, self.exposure
        frac = self.exposure / self.days
        return self.counts, (None if np.allclose(frac, 1.0) else frac)

    def labels_at(self, idx) -> list[str]:
        from ._time import format_labels
        return format_labels(self.start[list(idx)], self.freq) if len(idx) else []


def _segment_rates(seg) -> tuple[float, ...]:
    return tuple(float(r) for r in seg.segments["rate"].to_numpy(float))


def changepoint_task(series: CountSeries, *, method: str = "pelt", cost: str = "poisson",
                     penalty="mbic", min_size: int = 1, max_changes: int | None = None,
                     events=None, window_days: float = 14, draws: int = 999,
                     seed: int | None = 0) -> dict[str, Any]:
    """Changepoints of one series, with an optional alignment test against events.

    Parameters
    ----------
    series : CountSeries
        One (ungrouped) series (inside :func:`run_panel`, a light view of the group's
        rows with the same counts, exposure and time labels).
    method : {"pelt", "op", "binseg", "segneigh"}
    cost : {"poisson", "negbin", "normal", "normal-meanvar"}
    penalty : str or float
        ``aic``, ``bic``, ``mbic``, ``hq`` or a number.
    min_size : int
        Minimum segment length in rows.
    max_changes : int, optional
        For ``binseg`` (maximum) and ``segneigh`` (exact number of changes).
    events : sequence of date-like, optional
        Event dates; with at least one change, adds ``alignment_p`` from
        :func:`analysis.events.alignment_test` (uniform null over the series' span).
    draws, seed : int
        Monte Carlo draws and seed of the alignment test.

    Returns
    -------
    dict
        ``n_changes``, ``change_index`` (0-based first rows of new segments),
        ``change_time`` (their labels), ``segment_rates``, ``rate_first``, ``rate_last``,
        ``penalty`` (number used) and, with events, ``alignment_p``.

    Examples
    --------
    >>> from analysis.series import CountSeries
    >>> s = CountSeries.from_counts([1, 0, 2, 1, 0, 9, 8, 11, 10, 9], start="2024-01-01", freq="W")
    >>> out = changepoint_task(s, min_size=2)
    >>> out["change_time"], out["segment_rates"]
    (('2024-W06',), (0.8, 9.4))
    """
    from . import changepoints as cp

    if isinstance(series, _Rows):
        data, exposure = series.signal()
        starts = series.start
    else:
        pe = series.period_exposure  # events per full period (the units rule)
        data, starts = series.counts, series.start
        exposure = None if np.allclose(pe, 1.0) and series.is_regular else pe
    classes = {"pelt": cp.Pelt, "op": cp.OptimalPartitioning}
    if method in classes:
        search = classes[method](cost=cost, min_size=min_size)
    elif method == "binseg":
        search = cp.BinSeg(cost=cost, min_size=min_size, max_changes=max_changes or 5)
    elif method == "segneigh":
        search = cp.SegNeigh(cost=cost, min_size=min_size, n_changes=max_changes or 1)
    else:
        raise ValueError(f"method must be one of pelt, op, binseg, segneigh, not {method!r}")
    seg = search.fit(data, exposure=exposure).predict(penalty=penalty)
    idx = tuple(int(i) for i in seg.changepoints)
    if isinstance(series, _Rows):
        change_labels = series.labels_at(idx)
    else:
        labels = series.labels
        change_labels = [labels[i] for i in idx]
    rates = _segment_rates(seg)
    out = {
        "n_changes": len(idx),
        "change_index": idx,
        "change_time": tuple(change_labels),
        "segment_rates": rates,
        "rate_first": rates[0] if rates else float("nan"),
        "rate_last": rates[-1] if rates else float("nan"),
        "penalty": float(seg.penalty),
    }
    if events is not None:
        out["alignment_p"] = float("nan")
        if idx:
            from .events import alignment_test
            res = alignment_test([starts[i] for i in idx], list(events),
                                 window=(starts[0], starts[-1]), draws=draws, seed=seed)
            out["alignment_p"] = float(res.p_value)
    return out


def its_task(series: CountSeries, *, events, family: str = "poisson", kind: str = "level",
             trend: bool = True, level: float = 0.95) -> dict[str, Any]:
    """Interrupted time series of one series: the rate ratio of each event term.

    ``events`` is a sequence of dates (or ``"DATE:kind"`` strings); each enters
    :func:`analysis.models.fit_counts` as a term of ``kind``. Returns, per event term,
    ``rr:<name>``, ``ci_low:<name>``, ``ci_high:<name>`` and ``p:<name>``, plus ``aic``.

    Examples
    --------
    >>> from analysis.series import CountSeries
    >>> s = CountSeries.from_counts([1, 0, 2, 1, 0, 9, 8, 11, 10, 9], start="2024-01-01", freq="W")
    >>> round(its_task(s, events=["2024-02-05:level"], trend=False)["rr:level:2024-02-05"], 2)
    11.75
    """
    from .models import fit_counts

    terms = [e if isinstance(e, str) and ":" in e else f"{pd.Timestamp(e).date()}:{kind}"
             for e in events]
    fit = fit_counts(series, family=family, trend=trend, events=terms, level=level)
    out: dict[str, Any] = {}
    tab = fit.terms
    for _, r in tab[tab["name"].str.contains(":", regex=False)].iterrows():
        out[f"rr:{r['name']}"] = float(r["rate_ratio"])
        out[f"ci_low:{r['name']}"] = float(r["ci_low"])
        out[f"ci_high:{r['name']}"] = float(r["ci_high"])
        out[f"p:{r['name']}"] = float(r["p_value"])
    out["aic"] = float(fit.aic)
    return out


def summary_task(series: CountSeries) -> dict[str, Any]:
    """Descriptive figures of one series (no model): the cheapest panel task.

    Returns ``exposure`` (days), ``rate`` (events per full period, count /
    ``period_exposure``; per day for an irregular series), ``rate_unit``, ``mean`` and
    ``var`` of the counts per row, ``dispersion`` (var / mean; NaN when the mean is 0),
    ``zero_share`` and ``peak_time`` (label of the first row with the largest count).

    Examples
    --------
    >>> from analysis.series import CountSeries
    >>> s = CountSeries.from_counts([1, 0, 2, 1, 0, 9, 8, 11, 10, 9], start="2024-01-01", freq="W")
    >>> out = summary_task(s)
    >>> out["rate"], out["rate_unit"], out["peak_time"]
    (5.1, 'per week', '2024-W08')
    """
    y = series.counts
    if len(y) == 0:
        raise ValueError("the series has no rows")
    mean = float(np.mean(y))
    var = float(np.var(y, ddof=1)) if len(y) > 1 else float("nan")
    expo = float(np.sum(series.exposure))
    return {
        "exposure": expo,
        "rate": float(np.sum(y)) / float(np.sum(series.period_exposure)),
        "rate_unit": series.rate_unit,
        "mean": mean,
        "var": var,
        "dispersion": var / mean if mean > 0 else float("nan"),
        "zero_share": float(np.mean(y == 0)),
        "peak_time": series.labels[int(np.argmax(y))],
    }


#: Named tasks accepted by :func:`run_panel`.
TASKS: dict[str, Callable[..., Mapping[str, Any]]] = {
    "changepoints": changepoint_task,
    "its": its_task,
    "summary": summary_task,
}


# ------------------------------------------------------------------- chunk runner
def _run_chunk(func, options: Mapping[str, Any], keys: list[tuple], frame: pd.DataFrame,
               groups: tuple[str, ...], freq, attrs) -> list[dict[str, Any]]:
    """Run ``func`` on every group of ``frame`` (rows of ``keys`` only); never raises."""
    rows = []
    codes = frame["_group"].to_numpy()
    order = np.argsort(codes, kind="stable")
    bounds = np.searchsorted(codes[order], np.arange(len(keys) + 1))
    data = frame.drop(columns=["_group", *groups])
    for j, key in enumerate(keys):
        sub = data.iloc[order[bounds[j]:bounds[j + 1]]]
        row: dict[str, Any] = dict(zip(groups, key))
        row["n"] = len(sub)
        row["total"] = float(np.nansum(sub["count"].to_numpy(float)))
        try:
            if func is changepoint_task:
                s = _Rows(sub, freq)
            else:
                s = CountSeries(sub, freq=freq, attrs=dict(attrs, group=dict(zip(groups, key))))
            row.update(func(s, **options))
            row["error"] = None
        except Exception as exc:  # a failing series is recorded, never fatal
            row["error"] = f"{type(exc).__name__}: {exc}"
        rows.append(row)
    return rows


def _chunks(frame: pd.DataFrame, groups: tuple[str, ...], chunk_size: int):
    """Yield ``(keys, sub_frame)`` with ``_group`` holding the position within the chunk."""
    if groups:
        codes, uniques = pd.MultiIndex.from_frame(frame[list(groups)]).factorize(sort=True)
        keys = [tuple(k) for k in uniques]
    else:
        codes, keys = np.zeros(len(frame), np.int64), [()]
    codes = np.asarray(codes)
    order = np.argsort(codes, kind="stable")
    sorted_codes = codes[order]
    for lo in range(0, len(keys), chunk_size):
        hi = min(lo + chunk_size, len(keys))
        a, b = np.searchsorted(sorted_codes, [lo, hi])
        sub = frame.iloc[order[a:b]].copy()
        sub["_group"] = sorted_codes[a:b] - lo
        yield keys[lo:hi], sub


def _want_bar(progress: bool) -> bool:
    return bool(progress) and hasattr(sys.stderr, "isatty") and sys.stderr.isatty()


def _open_client(scheduler, n_workers: int):
    """Return ``(client, owned_objects)`` for a scheduler spec."""
    import logging

    from distributed import Client, LocalCluster

    if isinstance(scheduler, Client):
        return scheduler, []
    if scheduler in (None, "local"):
        cluster = LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True,
                               dashboard_address=None, silence_logs=logging.ERROR)
        client = Client(cluster)
        return client, [client, cluster]
    client = _connect(str(scheduler))
    return client, [client]


def _probe(address: str, timeout: float) -> None:
    """For a ``tcp://host:port`` (or ``host:port``) address, one plain TCP connection
    first: a refused or unknown host fails at once, where distributed retries until its
    timeout."""
    import socket

    from .schema import SchedulerError
    rest = address.split("://", 1)[1] if "://" in address else address
    if "://" in address and not address.startswith("tcp://"):
        return
    host, _, port = rest.rpartition(":")
    host = host.strip("[]")
    if not host or not port.isdigit():
        return
    try:
        socket.create_connection((host, int(port)), timeout=timeout).close()
    except OSError as exc:
        why = exc.strerror or str(exc) or type(exc).__name__
        raise SchedulerError(f"cannot reach the Dask scheduler at {address} ({why}); check the "
                             "address and that the scheduler runs, or use --scheduler local "
                             "(a LocalCluster) or sequential") from None


#: Seconds to wait for a scheduler given by address before giving up.
CONNECT_TIMEOUT = 3.0


def _connect(address: str, timeout: float = CONNECT_TIMEOUT):
    """A Client of the scheduler at ``address``, or one clear SchedulerError.

    distributed would wait its configured 30 s and raise a chain of tracebacks (and log
    more); here the wait is ``timeout`` seconds, distributed's own logging is held back
    while connecting, and the failure is one line naming the address.
    """
    import logging

    from distributed import Client

    from .schema import SchedulerError
    _probe(address, timeout)
    loggers = [logging.getLogger(n) for n in ("distributed", "tornado", "asyncio")]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.CRITICAL + 1)
    try:
        client = Client(address, timeout=timeout)
    except Exception as exc:  # OSError, TimeoutError, a garbled reply: one message for all
        if isinstance(exc, (OSError, TimeoutError)):
            why = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            what = f"cannot reach the Dask scheduler at {address} within {timeout:g} s ({why})"
        else:  # something listens there, but it does not speak Dask's protocol
            what = (f"the service at {address} did not answer as a Dask scheduler "
                    f"({type(exc).__name__} while connecting)")
        raise SchedulerError(f"{what}; check the address and that the scheduler runs, or use "
                             "--scheduler local (a LocalCluster) or sequential") from None
    finally:
        for lg, lv in zip(loggers, levels):
            lg.setLevel(lv)
    return client


# ------------------------------------------------------------------------ run_panel
def run_panel(series_or_frame, groups=None, task="changepoints", *, scheduler=None,
              n_workers: int = 2, chunk_size: int | None = None, freq: str | None = None,
              progress: bool = True, **options) -> pd.DataFrame:
    """Apply one per-series task to every group of a panel.

    Parameters
    ----------
    series_or_frame : CountSeries or pandas.DataFrame
        A grouped series, or a table in the CountSeries layout (``start, end, count``
        and optional ``exposure, lower, upper, n_reports``) with group columns.
    groups : sequence of str, optional
        Group columns; default: the series' own ``groups``.
    task : {"changepoints", "its", "summary"} or callable
        A name from :data:`TASKS` or a function ``f(series, **options) -> dict`` of
        scalars (module-level, so Dask can send it to worker processes).
    scheduler : None, "local", "sequential", str address or distributed.Client
        Where to run (see the module notes). Default: a LocalCluster.
    n_workers : int, default 2
        Worker processes of the LocalCluster (ignored otherwise).
    chunk_size : int, optional
        Groups per Dask task; default about eight chunks per worker.
    freq : str, optional
        Frequency of a table input (a CountSeries brings its own).
    progress : bool, default True
        Show a tqdm bar on a terminal.
    **options
        Passed to the task (e.g. ``cost="poisson", penalty="mbic", events=[...]``).

    Returns
    -------
    pandas.DataFrame
        One row per group, sorted by the group keys: the keys, ``n`` (rows), ``total``
        (sum of counts), the task's columns, and ``error`` (None when the task
        succeeded, else ``"ExceptionType: message"``).

    Examples
    --------
    >>> from analysis.synthetic import piecewise_poisson
    >>> s, _ = piecewise_poisson((1.0, 8.0), (30, 30), seed=3)
    >>> frame = s.data.assign(region="north")
    >>> tab = run_panel(frame, ["region"], scheduler="sequential", freq="D", progress=False)
    >>> print(tab.loc[0, ["region", "n", "n_changes"]].to_string())
    region       north
    n               60
    n_changes        1
    """
    if isinstance(series_or_frame, CountSeries):
        frame, attrs = series_or_frame.data, dict(series_or_frame.attrs)
        freq = series_or_frame.freq if freq is None else freq
        groups = series_or_frame.groups if groups is None else groups
    elif isinstance(series_or_frame, pd.DataFrame):
        frame, attrs = series_or_frame, {}
    else:
        raise TypeError(f"series_or_frame must be a CountSeries or a DataFrame, "
                        f"not {type(series_or_frame).__name__}")
    groups = tuple([groups] if isinstance(groups, str) else (groups or ()))
    missing = [g for g in groups if g not in frame.columns]
    if missing:
        raise ValueError(f"groups: no column(s) {missing}; the table has {list(frame.columns)}")
    for col in ("start", "end", "count"):
        if col not in frame.columns:
            raise ValueError(f"series_or_frame: needs column {col!r} (CountSeries layout)")
    if isinstance(task, str):
        if task not in TASKS:
            raise ValueError(f"task must be one of {sorted(TASKS)} or a callable, not {task!r}")
        func = TASKS[task]
    elif callable(task):
        func = task
    else:
        raise TypeError("task must be a task name or a callable")
    if not (isinstance(n_workers, (int, np.integer)) and n_workers >= 1):
        raise ValueError(f"n_workers must be a positive integer, not {n_workers!r}")
    attrs.pop("group", None)

    n_groups = int(frame[list(groups)].drop_duplicates().shape[0]) if groups else 1
    if chunk_size is None:
        chunk_size = max(1, math.ceil(n_groups / (8 * int(n_workers))))
    if not (isinstance(chunk_size, (int, np.integer)) and chunk_size >= 1):
        raise ValueError(f"chunk_size must be a positive integer, not {chunk_size!r}")
    chunks = list(_chunks(frame, groups, int(chunk_size)))

    from tqdm.std import tqdm

    bar = tqdm(total=n_groups, unit="series", disable=not _want_bar(progress), leave=False,
               desc="panel")
    results: list[list[dict]] = [None] * len(chunks)  # type: ignore[list-item]
    try:
        if scheduler == "sequential":
            for i, (keys, sub) in enumerate(chunks):
                results[i] = _run_chunk(func, options, keys, sub, groups, freq, attrs)
                bar.update(len(keys))
        else:
            from distributed import as_completed

            client, owned = _open_client(scheduler, int(n_workers))
            try:
                futures, where = [], {}
                for i, (keys, sub) in enumerate(chunks):
                    fut = client.submit(_run_chunk, func, options, keys, sub, groups, freq,
                                        attrs, pure=False)
                    futures.append(fut)
                    where[fut.key] = (i, len(keys))
                for fut in as_completed(futures):
                    i, k = where[fut.key]
                    results[i] = fut.result()
                    bar.update(k)
            finally:
                for obj in owned:
                    obj.close()
    finally:
        bar.close()
    rows = [r for chunk in results for r in chunk]
    table = pd.DataFrame(rows)
    if "error" not in table.columns:
        table["error"] = None
    for c in table.columns:
        if c in groups or c == "error" or table[c].dtype != object:
            continue
        vals = table[c].dropna()
        if len(vals) and all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in vals):
            table[c] = pd.array(table[c].tolist(), dtype="Int64")
    for c in table.columns:  # whole-number task columns with gaps (failed series) stay integers
        if c not in groups and c != "n" and table[c].dtype == float and table[c].isna().any():
            vals = table[c].dropna().to_numpy()
            if c in ("n_changes",) and np.all(vals == np.round(vals)):
                table[c] = pd.array([None if pd.isna(v) else int(v) for v in table[c]], dtype="Int64")
    cols = [c for c in table.columns if c != "error"] + ["error"]
    return table[cols]

