"""Benchmark: read + dedupe + bin of seeded synthetic ACLED-shaped files, per engine.

    python benchmarks/normalize.py [--sizes 1000000 10000000] [--engines pandas duckdb]
                                   [--cases reports events]
                                   [--dir /tmp/incident-trends-bench] [--format csv|parquet]

Two cases:

``reports``
    A report collection: 10% second reports of an earlier row, matched into incidents
    (``dedupe="reports"``).
``events``
    A coded event dataset, as an ACLED export is: every row a distinct event with its
    own ``event_id_cnty``, counted as its own incident with no matching (the default
    ``dedupe="auto"`` for ACLED input). The series total must equal the number of rows.

Files are generated once (seed 2026, 10% week/month dates, 2,000 groups over three
years) and kept in ``--dir`` (never in the repository). Each measurement runs in a
fresh subprocess: wall time of ``normalize`` from the file (read, dedupe, weekly binning
by country x admin1 x event_type, ledger) and the peak resident memory of that process
(``resource.getrusage``, which includes the interpreter and imports, about 0.2 GiB),
with the CPU time it used (user + system, all threads: on a machine shared with other
work the wall time grows, the CPU time much less). All data are synthetic.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

SEED = 2026
GROUPS = ("country", "admin1", "event_type")


#: the ``dedupe=`` of each case and the share of second reports in its file
CASES = {"reports": ("reports", 0.1), "events": ("auto", 0.0)}


def make_file(n: int, directory: str, fmt: str = "csv", n_groups: int = 2000,
              case: str = "reports") -> str:
    """Write (once) a seeded synthetic ACLED-shaped file of ``n`` rows; return its path."""
    os.makedirs(directory, exist_ok=True)
    dup_rate = CASES[case][1]
    tag = "" if case == "reports" else "_events"
    path = os.path.join(directory, f"acled_synthetic_{n}_{n_groups}g{tag}.{fmt}")
    if os.path.exists(path):
        return path
    from analysis.synthetic import acled_like_reports

    t0 = time.perf_counter()
    table, _ = acled_like_reports(n, n_groups=n_groups, start="2021-01-01", days=3 * 365,
                                  dup_rate=dup_rate, seed=SEED)
    tmp = path + ".part"
    if fmt == "parquet":
        table.to_parquet(tmp, index=False)
    else:
        table.to_csv(tmp, index=False)
    os.replace(tmp, path)
    print(f"  wrote {path} ({os.path.getsize(path) / 2**20:.0f} MiB) in "
          f"{time.perf_counter() - t0:.0f} s", file=sys.stderr)
    return path


_CHILD = r"""
import json, resource, sys, time
engine, path, dedupe = sys.argv[1], sys.argv[2], sys.argv[4]
groups = tuple(sys.argv[3].split(","))
t0 = time.perf_counter()
from analysis.duck import normalize_engine
res, used = normalize_engine(path, engine=engine, freq="W", groups=groups, dedupe=dedupe,
                             **({"incidents": False} if engine == "duckdb" else {}))
secs = time.perf_counter() - t0
ru = resource.getrusage(resource.RUSAGE_SELF)
peak = ru.ru_maxrss * 1024
print(json.dumps({"seconds": secs, "peak_bytes": peak, "cpu_seconds": ru.ru_utime + ru.ru_stime, "series_rows": len(res.series.data),
                  "n_series": int(res.series.data[list(res.series.groups)].drop_duplicates().shape[0]),
                  "total": float(res.series.total), "ledger_rows": len(res.ledger.table),
                  "merged": int(res.ledger.counts()["merged"])}))
"""


def measure(engine: str, path: str, groups=GROUPS, timeout: float = 1800, dedupe: str = "reports") -> dict:
    """Run one normalisation in a subprocess; return its time and peak memory."""
    proc = subprocess.run([sys.executable, "-c", _CHILD, engine, path, ",".join(groups), dedupe],
                          capture_output=True, text=True, timeout=timeout)
    if proc.returncode != 0:
        return {"error": proc.stderr.strip().splitlines()[-1] if proc.stderr else "failed"}
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    return json.loads(lines[-1])


def table(rows) -> str:
    head = (f"{'rows':>11} {'case':>7} {'format':>7} {'engine':>7} {'seconds':>8} {'cpu s':>7} "
            f"{'peak GiB':>9} {'series rows':>12} {'ledger rows':>12} {'merged':>8} {'total':>11}")
    out = [head, "-" * len(head)]
    for r in rows:
        if "error" in r:
            out.append(f"{r['n']:>11,} {r['case']:>7} {r['format']:>7} {r['engine']:>7}  "
                       f"failed: {r['error']}")
            continue
        out.append(f"{r['n']:>11,} {r['case']:>7} {r['format']:>7} {r['engine']:>7} {r['seconds']:>8.1f} "
                   f"{r.get('cpu_seconds', float('nan')):>7.1f} {r['peak_bytes'] / 2**30:>9.2f} "
                   f"{r['series_rows']:>12,} {r['ledger_rows']:>12,} {r['merged']:>8,} {r['total']:>11,.0f}")
    return "\n".join(out)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 10_000_000])
    ap.add_argument("--engines", nargs="+", default=["pandas", "duckdb"])
    ap.add_argument("--format", nargs="+", default=["csv"], choices=("csv", "parquet"))
    ap.add_argument("--cases", nargs="+", default=list(CASES), choices=tuple(CASES),
                    help="reports: matched report collection; events: coded event dataset, no matching")
    ap.add_argument("--dir", default=os.path.join("/tmp", "incident-trends-bench"))
    args = ap.parse_args(argv)
    rows = []
    bad = []
    for n in args.sizes:
        for case in args.cases:
            for fmt in args.format:
                path = make_file(n, args.dir, fmt, case=case)
                for engine in args.engines:
                    r = measure(engine, path, dedupe=CASES[case][0])
                    r.update(n=n, engine=engine, format=fmt, case=case)
                    rows.append(r)
                    print(table(rows[-1:]).splitlines()[-1], file=sys.stderr)
                    if case == "events" and "error" not in r and (r["merged"] or r["total"] != n):
                        bad.append(r)
    print("normalize: read + dedupe + weekly bins by country x admin1 x event_type (synthetic data)")
    print(table(rows))
    for r in bad:  # an event dataset must keep every row
        print(f"CONSERVATION FAILED: {r['engine']} {r['format']}: total {r['total']:,.0f} "
              f"for {r['n']:,} events, {r['merged']} merged", file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
