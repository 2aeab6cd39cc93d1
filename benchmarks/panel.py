"""Benchmark: a 2,000-series panel from 10 million reports.

    python benchmarks/panel.py [--reports 10000000] [--engines pandas duckdb]
                               [--dir /tmp/incident-trends-bench] [--format csv|parquet]

1. Normalisation of a seeded synthetic ACLED-shaped file (10M reports, 2,000 groups
   country x admin1 x event_type, weekly bins over three years): time and peak memory
   per engine, each in a fresh subprocess (see ``benchmarks/normalize.py``).
2. Changepoints (PELT, Poisson cost, MBIC) for every group: sequentially in one process
   and on a 2-worker ``dask.distributed`` LocalCluster (start-up included).
All data are synthetic; files live in ``--dir``, never in the repository.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from normalize import GROUPS, make_file, measure, table  # noqa: E402


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reports", type=int, default=10_000_000)
    ap.add_argument("--engines", nargs="+", default=["pandas", "duckdb"])
    ap.add_argument("--format", default="parquet", choices=("csv", "parquet"))
    ap.add_argument("--dir", default=os.path.join("/tmp", "incident-trends-bench"))
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args(argv)
    path = make_file(args.reports, args.dir, args.format)
    rows = []
    for engine in args.engines:
        r = measure(engine, path)
        r.update(n=args.reports, engine=engine, format=args.format)
        rows.append(r)
        print(table(rows[-1:]).splitlines()[-1], file=sys.stderr)

    from analysis.duck import normalize_duckdb
    from analysis.panel import run_panel

    series = normalize_duckdb(path, groups=GROUPS, freq="W", incidents=False).series
    n_series = series.data[list(series.groups)].drop_duplicates().shape[0]
    timing = {}
    tables = {}
    for name, sched in (("sequential", "sequential"), (f"LocalCluster x{args.workers}", "local")):
        t0, c0 = time.perf_counter(), time.process_time()
        tables[name] = run_panel(series, task="changepoints", scheduler=sched, n_workers=args.workers,
                                 cost="poisson", penalty="mbic", progress=False)
        timing[name] = (time.perf_counter() - t0, time.process_time() - c0)
    a, b = tables.values()
    same = a.equals(b)
    print(f"panel: {args.reports:,} synthetic reports, {n_series:,} weekly series of "
          f"{len(series.data) // max(n_series, 1)} weeks")
    print("normalisation")
    print(table(rows))
    print("changepoints for every series (PELT, poisson, MBIC)")
    print(f"{'scheduler':>16} {'seconds':>8} {'cpu s (this process)':>21} {'failed':>7}")
    for name, (secs, cpu) in timing.items():
        print(f"{name:>16} {secs:>8.1f} {cpu:>21.1f} {int(tables[name]['error'].notna().sum()):>7}")
    print(f"tables identical: {same}; mean changes per series: {a['n_changes'].mean():.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
