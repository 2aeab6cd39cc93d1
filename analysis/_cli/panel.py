"""``incident-trends panel FILE --group COL...``: one analysis for every group.

FILE is either an incident-report file (canonical, ACLED or UCDP; CSV or Parquet),
normalised with ``--engine`` into a grouped weekly (``--freq``) series, or a table
already in the CountSeries layout (``start, end, count`` plus the group columns).
"""

from __future__ import annotations

import json
import os

import numpy as np

from ..schema import InputError
from ._args import min_size_for, nonneg_int, penalty, positive_int, scheduler, window

_TASKS = ("changepoints", "summary")


def add_parser(sub):
    p = sub.add_parser(
        "panel", help="changepoints (or a summary) for every group, fanned out with Dask",
        description="Normalise FILE into one series per group and run the same analysis on "
                    "each, on a Dask LocalCluster (default), an existing cluster "
                    "(--scheduler ADDRESS) or sequentially. A failing series is reported "
                    "in the 'error' column; it never stops the run.")
    p.add_argument("file", nargs="+", help="report file(s) (CSV or Parquet), or one series table")
    p.add_argument("--group", action="append", default=[], metavar="COL", required=True,
                   help="group column (repeat for several, e.g. --group country --group event_type)")
    p.add_argument("--input-format", choices=("auto", "canonical", "acled", "ucdp", "series"),
                   default="auto", help="how to read FILE (series: a CountSeries table)")
    p.add_argument("--engine", choices=("pandas", "duckdb", "auto"), default="auto",
                   help="normalisation engine (auto: duckdb for large files)")
    p.add_argument("--freq", choices=("D", "W", "M", "Q"), default="W", help="bin width")
    p.add_argument("--allocate", choices=("start", "split"), default="start",
                   help="how an imprecise date is allocated to bins")
    p.add_argument("--window", type=window, default=None, metavar="START:END",
                   help="coverage window, inclusive ISO days (default: inferred from the data)")
    p.add_argument("--dedupe", choices=("auto", "off", "reports"), default="auto",
                   help="matching of rows into incidents, as in 'normalize' (auto: ACLED and "
                        "UCDP GED rows are one event each; canonical reports are matched)")
    p.add_argument("--task", choices=_TASKS, default="changepoints")
    p.add_argument("--method", choices=("pelt", "op", "binseg", "segneigh"), default="pelt")
    p.add_argument("--cost", choices=("poisson", "negbin", "normal", "normal-meanvar"),
                   default="poisson")
    p.add_argument("--penalty", type=penalty, default="mbic",
                   help="aic, bic, sic, mbic (default), hq or a number, as in 'changepoints'")
    p.add_argument("--min-size", type=positive_int, default=None, metavar="N",
                   help="minimum rows per segment (default 1; 2 for normal-meanvar)")
    p.add_argument("--max-changes", type=nonneg_int, default=None, metavar="K",
                   help="binseg: at most K changes (default 5); segneigh: exactly K (default 1)")
    p.add_argument("--events", default=None, metavar="FILE",
                   help="events file: adds an alignment p-value per series")
    p.add_argument("--draws", type=positive_int, default=999,
                   help="draws of the alignment test (default 999)")
    p.add_argument("--scheduler", type=scheduler, default="local", metavar="ADDRESS",
                   help="'local' (a LocalCluster, default), 'sequential', or a Dask "
                        "scheduler address such as tcp://10.0.0.5:8786 (an address that does "
                        "not answer within 3 s is an error, before any work is done)")
    p.add_argument("--workers", type=positive_int, default=2, metavar="N",
                   help="worker processes of the LocalCluster")
    p.add_argument("--out", default=None, metavar="FILE",
                   help="write the table (CSV, or Parquet by extension)")
    return p


def _is_series_table(path: str) -> bool:
    if path.lower().endswith((".parquet", ".pq", ".parq")):
        import pyarrow as pa
        import pyarrow.parquet as pq
        try:
            cols = set(pq.read_schema(path).names)
        except (pa.ArrowException, OSError):
            return False  # the report reader names the fault (0 bytes, not Parquet, ...)
    else:
        with open(path, encoding="utf-8", errors="replace") as fh:
            cols = {c.strip().lower() for c in fh.readline().strip().split(",")}
    return {"start", "end", "count"} <= cols and "report_id" not in cols


def _load_series(args):
    """Return ``(frame_or_series, groups, freq, engine_used)``."""
    import pandas as pd  # here, not at import: `incident-trends changepoints` needs no pandas

    paths = list(args.file)
    for p in paths:
        if not os.path.exists(p):
            raise InputError("no such file", file=p)
    fmt = args.input_format
    if fmt == "series" or (fmt == "auto" and len(paths) == 1 and _is_series_table(paths[0])):
        if len(paths) != 1:
            raise InputError("a series table is read from one file", file=paths[1])
        path = paths[0]
        from ..series import CountSeries
        from ._table import read_table
        frame = read_table(path)
        for g in args.group:
            if g not in frame.columns:
                raise InputError(f"no group column {g!r}; the file has {list(frame.columns)}",
                                 file=path, row=1, column=g)
        # the intervals and exposure as written; the frequency is the file's own (a
        # monthly 'normalize' output stays monthly whatever --freq says)
        series = CountSeries.from_intervals(frame, groups=tuple(args.group), file=path, label=None)
        return series, tuple(args.group), series.freq, "none"
    from ..duck import normalize_engine
    res, engine = normalize_engine(paths, engine=args.engine, input_format=fmt, freq=args.freq,
                                   groups=tuple(args.group), allocate=args.allocate,
                                   window=args.window, dedupe=args.dedupe)
    return res.series, res.series.groups, args.freq, engine


def run(args) -> dict:
    import time

    from ..panel import run_panel

    if args.cost == "normal-meanvar" and args.min_size == 1:
        # the message 'changepoints' gives, before any series is searched
        return _usage("`min_size` must be at least 2 for the 'normal-meanvar' cost "
                      "(a one-row segment has no variance)")
    # an address is tried first: an unreachable scheduler fails in seconds, not after
    # the normalisation (one line, exit 1)
    target = args.scheduler
    if target not in ("local", "sequential"):
        from ..panel import _connect
        target = _connect(target)
    try:
        t0 = time.perf_counter()
        data, groups, freq, engine = _load_series(args)
        t1 = time.perf_counter()
        options: dict = {}
        if args.task == "changepoints":
            options = dict(method=args.method, cost=args.cost, penalty=args.penalty,
                           min_size=min_size_for(args.cost, args.min_size),
                           max_changes=args.max_changes)
            if args.events:
                import pandas as pd

                from ..io import read_events
                ev = read_events(args.events)
                options.update(events=list(pd.DatetimeIndex(ev["date"])), draws=args.draws)
        table = run_panel(data, groups, task=args.task, scheduler=target,
                          n_workers=args.workers, freq=freq, progress=not args.quiet, **options)
        t2 = time.perf_counter()
    finally:
        if not isinstance(target, str):
            target.close()
    flat = flatten(table)
    if args.out:
        from .._atomic import atomic_path
        with atomic_path(args.out) as tmp:  # complete or not at all
            if args.out.lower().endswith((".parquet", ".pq")):
                flat.to_parquet(tmp, index=False)
            else:
                flat.to_csv(tmp, index=False, lineterminator="\n")
    rows = json.loads(table.to_json(orient="records", date_format="iso"))
    return {
        "groups": list(groups),
        "n_series": int(len(table)),
        "n_failed": int(table["error"].notna().sum()),
        "task": args.task,
        "engine": engine,
        "scheduler": args.scheduler,
        "seconds": {"normalize": round(t1 - t0, 3), "panel": round(t2 - t1, 3)},
        "out": args.out,
        "rows": rows if not args.out else rows[:0],
    }


def _usage(msg: str):
    import sys
    print(f"incident-trends panel: error: {msg}", file=sys.stderr)
    return 2


def flatten(table: pd.DataFrame) -> pd.DataFrame:
    """The panel table with tuple cells joined by ``;`` (for CSV)."""
    out = table.copy()
    for c in out.columns:
        if out[c].dtype == object and out[c].map(lambda v: isinstance(v, tuple)).any():
            out[c] = out[c].map(lambda v: ";".join(_fmt(x) for x in v)
                                if isinstance(v, tuple) else v)
    return out


def _fmt(x) -> str:
    if isinstance(x, (float, np.floating)):
        return repr(float(x))
    return str(x)


def render_text(res: dict) -> str:
    lines = [f"{res['n_series']} series by {', '.join(res['groups'])} "
             f"({res['n_failed']} failed), task {res['task']}, engine {res['engine']}, "
             f"scheduler {res['scheduler']}; normalise {res['seconds']['normalize']} s, "
             f"panel {res['seconds']['panel']} s"]
    if res["out"]:
        lines.append(f"wrote {res['out']}")
    else:
        for r in res["rows"][:20]:
            keys = ", ".join(str(r[g]) for g in res["groups"])
            extra = (f"error: {r['error']}" if r.get("error") else
                     f"changes at {r.get('change_time')}" if "change_time" in r else
                     f"total {r['total']:g}")
            lines.append(f"  {keys}: n={r['n']} {extra}")
        if len(res["rows"]) > 20:
            lines.append(f"  ... {len(res['rows']) - 20} more (use --out FILE)")
    return "\n".join(lines)
