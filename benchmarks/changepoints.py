"""Changepoint benchmark: figures printed, not asserted (issue 4, point 9).

Series: synthetic piecewise-constant Poisson counts with 10 true changes at seeded
random rows and seeded random rates in [1, 10] (labelled synthetic; no real data).

Rows printed
------------
* PELT, Poisson cost, MBIC, in process, at n = 1e4, 1e5, 1e6: ``fit + predict`` and
  ``predict`` alone (best of several runs after a warm-up that loads the cached
  kernels), with R's pruning rule (``pruning="r"``, what R's changepoint does and what
  ``"auto"`` uses above 10,000 rows) and with exact pruning (``pruning="exact"``; long
  first segments make it quadratic, see ``Pelt``);
* the exact Bayesian posterior at n = 1,000 and 5,000;
* the whole ``incident-trends changepoints`` process on a 1e6-row CSV (wall time);
* ruptures' ``Pelt(model="l2", min_size=2, jump=1)`` on the 1e4 series, as a ratio to
  our PELT (skipped with a note when ruptures is not installed; it is not a dependency).

The bar (R's changepoint C PELT, Poisson, MBIC, on this machine kind): 0.002 s at 1e4,
0.025 s at 1e5, 0.23 s at 1e6, 1.1 s for an ``Rscript`` process reading a 1e6-row CSV;
ruptures' Pelt took 56 s at 1e4. Run: ``python benchmarks/changepoints.py [--no-ruptures]``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

R_BAR = {10_000: 0.002, 100_000: 0.025, 1_000_000: 0.23}


def synthetic_series(n: int, n_changes: int = 10, seed: int = 2024):
    """Synthetic piecewise Poisson counts: (counts, true changepoints)."""
    rng = np.random.default_rng(seed)
    cps = np.sort(rng.choice(np.arange(1, n), n_changes, replace=False))
    rates = rng.uniform(1.0, 10.0, n_changes + 1)
    lam = np.repeat(rates, np.diff(np.r_[0, cps, n]))
    return rng.poisson(lam).astype(float), tuple(int(c) for c in cps)


CPU: dict = {}


def best_of(fn, repeat: int) -> float:
    """Least wall time over ``repeat`` runs; the least CPU time goes to ``CPU[fn]``."""
    times, cpu = [], []
    for _ in range(repeat):
        t, c = time.perf_counter(), time.process_time()
        fn()
        times.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    CPU["last"] = min(cpu)
    return min(times)


def bench_pelt(rows):
    from analysis.changepoints import Pelt

    Pelt("poisson").fit(np.array([1.0, 2.0, 3.0])).predict("mbic")  # load cached kernels
    out = {}
    for n in (10_000, 100_000, 1_000_000):
        y, cps = synthetic_series(n)
        repeat = 7 if n < 1_000_000 else 5
        for pruning in ("r", "exact"):
            if pruning == "exact" and n > 10_000:
                rows.append((f"PELT poisson MBIC n={n:.0e} exact", None, None,
                             "skipped: exact pruning is quadratic in the first segment"))
                continue
            est = Pelt("poisson", pruning=pruning).fit(y)
            seg = est.predict("mbic")
            t_pred = best_of(lambda: est.predict("mbic"), repeat if pruning == "r" else 2)
            c_pred = CPU["last"]
            t_all = best_of(lambda: Pelt("poisson", pruning=pruning).fit(y).predict("mbic"),
                            repeat if pruning == "r" else 2)
            c_all = CPU["last"]
            hit = sum(min(abs(c - t) for t in cps) <= 5 for c in seg.changepoints)
            note = (f"cpu {c_all:.4f}/{c_pred:.4f}; {len(seg.changepoints)} changes, {hit}/10 "
                    f"true within 5 rows; max candidates {seg.attrs['max_candidates']}")
            rows.append((f"PELT poisson MBIC n={n:.0e} {pruning}", t_all, t_pred, note))
            out[(n, pruning)] = t_all
    return out


def bench_bayes(rows):
    from analysis.changepoints import BayesianChangepoints

    BayesianChangepoints().fit(np.array([1.0, 2.0, 3.0]))
    for n in (1_000, 5_000):
        y, cps = synthetic_series(n)
        b = BayesianChangepoints(p_change=10 / n)
        b.fit(y)
        t = best_of(lambda: b.fit(y), 3)
        res = b.fit(y)
        rows.append((f"Bayes exact posterior n={n}", t, None,
                     f"cpu {CPU['last']:.3f}; MAP {len(res.map_changepoints)} changes; "
                     f"E[k] = {res.expected_changes:.2f}"))


def bench_cli(rows, n: int = 1_000_000):
    exe = shutil.which("incident-trends", path=str(Path(sys.executable).parent)) or "incident-trends"
    y, _ = synthetic_series(n)
    with tempfile.TemporaryDirectory() as tmp:
        f = Path(tmp) / "synthetic_counts.csv"
        with open(f, "w") as fh:
            fh.write("t,count\n")
            fh.write("\n".join(f"{i},{int(v)}" for i, v in enumerate(y)))
            fh.write("\n")
        cmd = [exe, "changepoints", str(f), "--time", "t", "--count", "count", "--format", "json"]
        subprocess.run(cmd, capture_output=True, check=True)  # warm the page cache
        import resource

        times, cpu = [], []
        for _ in range(5):
            r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
            t = time.perf_counter()
            p = subprocess.run(cmd, capture_output=True, text=True)
            times.append(time.perf_counter() - t)
            r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu.append(r1.ru_utime - r0.ru_utime + r1.ru_stime - r0.ru_stime)
            if p.returncode != 0:
                rows.append(("CLI process 1e6-row CSV", None, None, f"failed: {p.stderr.strip()}"))
                return
    rows.append(("CLI process 1e6-row CSV (wall)", min(times), None,
                 f"cpu (user+sys, all threads) min {min(cpu):.3f} s; wall median "
                 f"{statistics.median(times):.3f} s of 5"))


def bench_ruptures(rows, ours_1e4):
    try:
        import ruptures as rpt
    except ImportError:
        rows.append(("ruptures Pelt l2 n=1e4", None, None,
                     "skipped: ruptures not installed (pip install ruptures; not a dependency)"))
        return
    y, _ = synthetic_series(10_000)
    t = time.perf_counter()
    rpt.Pelt(model="l2", min_size=2, jump=1).fit(y.reshape(-1, 1)).predict(pen=3 * np.log(len(y)))
    t = time.perf_counter() - t
    rows.append(("ruptures Pelt l2 n=1e4", t, None,
                 f"{t / ours_1e4:.0f}x our PELT (poisson, MBIC, fit+predict)"))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--no-ruptures", action="store_true", help="skip the ruptures comparison")
    ap.add_argument("--no-cli", action="store_true", help="skip the CLI process timing")
    a = ap.parse_args(argv)
    rows: list = []
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cpus, load {os.getloadavg()[0]:.2f} "
          "(wall times on a busy machine overstate; cpu times are given in the notes)", flush=True)
    ours = bench_pelt(rows)
    bench_bayes(rows)
    if not a.no_cli:
        bench_cli(rows)
    if not a.no_ruptures:
        bench_ruptures(rows, ours[(10_000, "r")])
    w = max(len(r[0]) for r in rows)
    print(f"{'benchmark':<{w}}  {'fit+predict s':>13}  {'predict s':>9}  {'R bar s':>7}  notes")
    for name, t_all, t_pred, note in rows:
        n = next((k for k in R_BAR if f"n={k:.0e}" in name and "PELT" in name), None)
        bar = f"{R_BAR[n]:.3f}" if n else ("1.100" if name.startswith("CLI") else
                                           ("1.000" if name.startswith("Bayes") else ""))
        ta = "" if t_all is None else f"{t_all:.4f}"
        tp = "" if t_pred is None else f"{t_pred:.4f}"
        print(f"{name:<{w}}  {ta:>13}  {tp:>9}  {bar:>7}  {note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
