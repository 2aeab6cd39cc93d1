"""Changepoint benchmark: figures printed, never asserted (issue 14, point 7).

Series: synthetic piecewise-constant Poisson counts with 10 true changes at seeded
random rows and seeded random rates in [1, 10] (labelled synthetic; no real data).

For each n (default 1e4, 1e5, 1e6) it prints, as the median of ``--repeat`` runs
(default 3; the machine is shared, so wall times are noisy and the medians say more
than any single run):

* in-process times of PELT (Poisson, MBIC; ``pruning="auto"``, ``"exact"`` and ``"r"``,
  and Poisson with BIC, which runs FPOP), CROPS (Poisson, FPOP at each penalty, over
  penalties from ``log n`` to ``10 log n``: :data:`CROPS_RANGE`), BinSeg (Poisson, MBIC, Q = 10) and the Bayesian posterior
  (default settings, i.e. the exact recursions for short series and the filtered ones
  above :data:`analysis.changepoints.bayes.EXACT_MAX`), each run in a fresh worker
  process that first loads the compiled kernels; the peak memory column is the
  worker's peak resident set above its resident set after that warm-up, and the notes
  give the median CPU time of the worker (less sensitive to other work on the machine
  than the wall time) and, for the Bayesian posterior, the worker's whole peak resident
  set ("process peak");
* the whole ``incident-trends changepoints`` process (wall time and peak RSS) on a CSV
  of the series;
* R's ``changepoint`` (``cpt.meanvar``, Poisson, MBIC, PELT and BinSeg Q = 10) on the
  same files in the same run, when ``Rscript`` has that package; otherwise a line says
  why it was skipped and the ratios use R's figures from issue 14 (measured on this
  machine kind, not in this run): PELT 2.2 / 28 / 211 ms at 1e4 / 1e5 / 1e6, a whole
  ``Rscript`` process about 0.2 s at 1e4.

A measurement whose extrapolated time is over ``--budget`` seconds (quadratic methods
at large n) is skipped with a note; the Bayesian posterior (linear in n, with targets at
1e5 and 1e6) always runs. Run:
``python benchmarks/changepoints.py [--n 1e4,1e5] [--repeat 3] [--only pelt,bayes]``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

#: R's in-process PELT (Poisson, MBIC) from issue 14, seconds (not measured here)
R_ISSUE_PELT = {10_000: 0.0022, 100_000: 0.028, 1_000_000: 0.211}
#: R's whole process (Rscript + library + read.csv + cpt.meanvar) at 1e4, from issue 14
R_ISSUE_PROCESS = {10_000: 0.2}

HERE = Path(__file__).resolve()


def synthetic_series(n: int, n_changes: int = 10, seed: int = 2024):
    """Synthetic piecewise Poisson counts: (counts, true changepoints)."""
    rng = np.random.default_rng(seed)
    cps = np.sort(rng.choice(np.arange(1, n), n_changes, replace=False))
    rates = rng.uniform(1.0, 10.0, n_changes + 1)
    lam = np.repeat(rates, np.diff(np.r_[0, cps, n]))
    return rng.poisson(lam).astype(float), tuple(int(c) for c in cps)


# ----------------------------------------------------------------------------- worker
def _maxrss_mib() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _task(kind: str, y):
    """A zero-argument callable running ``kind`` on ``y``, and a summary function."""
    from analysis.changepoints import BayesianChangepoints, BinSeg, Pelt

    if kind.startswith("pelt-"):
        pruning, pen = {"pelt-auto": ("auto", "mbic"), "pelt-exact": ("exact", "mbic"),
                        "pelt-r": ("r", "mbic"), "pelt-bic": ("auto", "bic")}[kind]

        def run():
            return Pelt("poisson", pruning=pruning).fit(y).predict(pen)

        def info(seg):
            return {"changes": len(seg.changepoints), "cost": seg.penalised_cost,
                    "pruning": seg.attrs.get("pruning"),
                    "max_candidates": seg.attrs.get("max_candidates")}
        return run, info
    if kind == "crops":
        import math

        from analysis.changepoints import crops

        lo, hi = CROPS_RANGE
        n = len(y)

        def run():
            return crops(y, "poisson", beta_min=lo * math.log(n), beta_max=hi * math.log(n))

        def info(res):
            t = res.table
            return {"segmentations": len(t), "penalty_runs": getattr(res, "n_runs", None),
                    "changes": f"{int(t['n_changes'].min())}-{int(t['n_changes'].max())}",
                    "range": f"[{lo:g}, {hi:g}] log n"}
        return run, info
    if kind == "binseg":
        def run():
            return BinSeg("poisson", max_changes=10).fit(y).predict("mbic")

        def info(seg):
            return {"changes": len(seg.changepoints), "cost": seg.penalised_cost}
        return run, info
    if kind == "bayes":
        def run():
            return BayesianChangepoints(p_change=10 / len(y), n_draws=200).fit(y)

        def info(res):
            return {"map_changes": len(res.map_changepoints),
                    "expected_changes": round(res.expected_changes, 3),
                    "mode": res.prior.get("mode", "exact"),
                    "discarded_mass": res.prior.get("discarded_mass")}
        return run, info
    raise ValueError(kind)


def worker(kind: str, n: int, repeat: int) -> None:
    y, _ = synthetic_series(n)
    warm, _ = synthetic_series(200)
    run_small, _ = _task(kind, warm)
    run_small()  # load (or compile) the kernels this task uses
    if kind == "bayes":  # 200 rows run the exact recursions; load the filtered ones too
        from analysis.changepoints import BayesianChangepoints

        BayesianChangepoints(p_change=0.05, n_draws=20, mode="filtered").fit(warm)
    base = _maxrss_mib()
    run, info = _task(kind, y)
    times, cpu, out = [], [], None
    for _ in range(repeat):
        out = None  # the previous result is not part of this run's peak memory
        t = time.perf_counter()
        c = time.process_time()
        out = run()
        times.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    peak = _maxrss_mib()
    print(json.dumps({"times": times, "cpu": cpu, "peak_mib": peak - base, "base_mib": base,
                      "process_peak_mib": peak, "info": info(out)}, default=float))


def _in_worker(kind: str, n: int, repeat: int) -> dict:
    p = subprocess.run([sys.executable, str(HERE), "--worker", kind, str(n), str(repeat)],
                       capture_output=True, text=True)
    if p.returncode != 0:
        return {"error": (p.stderr.strip().splitlines() or ["killed"])[-1]}
    return json.loads(p.stdout.strip().splitlines()[-1])


# ----------------------------------------------------------------------------- process
def _process_rss(cmd: list[str]) -> tuple[float, float, int, str]:
    t = time.perf_counter()
    with tempfile.TemporaryFile() as fo:
        p = subprocess.Popen(cmd, stdout=fo, stderr=subprocess.DEVNULL)
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t
        p.returncode = os.waitstatus_to_exitcode(status)
        fo.seek(0)
        out = fo.read().decode()
    return wall, ru.ru_maxrss / 1024.0, p.returncode, out


def write_csv(path: Path, y) -> None:
    with open(path, "w") as fh:
        fh.write("t,count\n")
        fh.write("\n".join(f"{i},{int(v)}" for i, v in enumerate(y)))
        fh.write("\n")


R_SCRIPT = r"""
suppressMessages(library(changepoint))
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1])
y <- d$count
reps <- as.integer(args[2])
tp <- c(); tb <- c()
for (i in seq_len(reps)) {
  t0 <- proc.time()[["elapsed"]]; a <- cpt.meanvar(y, test.stat = "Poisson", method = "PELT", penalty = "MBIC")
  tp <- c(tp, proc.time()[["elapsed"]] - t0)
  t0 <- proc.time()[["elapsed"]]; b <- cpt.meanvar(y, test.stat = "Poisson", method = "BinSeg", Q = 10, penalty = "MBIC")
  tb <- c(tb, proc.time()[["elapsed"]] - t0)
}
cat(sprintf('{"pelt": %.6f, "binseg": %.6f, "pelt_cpts": [%s], "binseg_cpts": [%s]}\n', median(tp), median(tb),
            paste(cpts(a), collapse = ","), paste(cpts(b), collapse = ",")))
"""

R_PROCESS = r"""
suppressMessages(library(changepoint))
d <- read.csv(commandArgs(trailingOnly = TRUE)[1])
a <- cpt.meanvar(d$count, test.stat = "Poisson", method = "PELT", penalty = "MBIC")
cat(length(cpts(a)), "\n")
"""


def r_available() -> tuple[bool, str]:
    rs = shutil.which("Rscript")
    if rs is None:
        return False, "Rscript is not on PATH"
    p = subprocess.run([rs, "-e", "quit(status = !requireNamespace('changepoint', quietly = TRUE))"],
                       capture_output=True, text=True)
    if p.returncode != 0:
        return False, ("R package 'changepoint' is not installed (CRAN is unreachable from this "
                       "machine); ratios use R's figures from issue 14, measured on this machine "
                       "kind, not in this run")
    return True, ""


def _bayes_filtered() -> bool:
    """Whether the package has the linear-memory (filtered) posterior."""
    from analysis.changepoints import bayes

    return hasattr(bayes, "EXACT_MAX")


# ----------------------------------------------------------------------------- main
KINDS = ("pelt-auto", "pelt-exact", "pelt-r", "pelt-bic", "crops", "binseg", "bayes")
#: CROPS penalty range, in units of log(n) (BIC is 2 log n for the Poisson cost)
CROPS_RANGE = (1.0, 10.0)
#: kind -> exponent of the growth of its run time with n, used to skip figures over budget
GROWTH = {"pelt-exact": 2.0, "pelt-bic": 1.0, "crops": 1.0, "bayes": 1.0, "pelt-auto": 1.0, "pelt-r": 1.0,
          "binseg": 1.0}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", default="1e4,1e5,1e6", help="comma-separated series lengths")
    ap.add_argument("--repeat", type=int, default=3, help="runs per figure (median printed)")
    ap.add_argument("--only", default="", help="comma-separated subset of: " + ", ".join(KINDS)
                    + ", cli")
    ap.add_argument("--budget", type=float, default=60.0,
                    help="skip a figure whose extrapolated run time exceeds this (s)")
    ap.add_argument("--worker", nargs=3, metavar=("KIND", "N", "REPEAT"), help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.worker:
        worker(a.worker[0], int(a.worker[1]), int(a.worker[2]))
        return 0
    ns = [int(float(v)) for v in a.n.split(",")]
    only = set(filter(None, a.only.split(","))) or set(KINDS) | {"cli"}
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cpus, load average "
          f"{os.getloadavg()[0]:.2f} at start: the machine is shared, figures are medians of "
          f"{a.repeat} runs and still noisy", flush=True)
    from analysis.changepoints import _aot

    print("search kernels: " + ("compiled ahead of time (current build)" if _aot.load() is not None
                                else "numba JIT (no current ahead-of-time build: "
                                     "python -m analysis.changepoints._build)"), flush=True)
    have_r, why = r_available()
    if not have_r:
        print(f"R comparison skipped: {why}", flush=True)
    rows = []
    last_time: dict[str, tuple[int, float]] = {}
    exe = shutil.which("incident-trends", path=str(Path(sys.executable).parent)) or "incident-trends"
    with tempfile.TemporaryDirectory() as tmp:
        for n in ns:
            y, _ = synthetic_series(n)
            f = Path(tmp) / f"synthetic_counts_{n}.csv"
            write_csv(f, y)
            r_res = None
            if have_r:
                p = subprocess.run(["Rscript", "-e", R_SCRIPT, str(f), str(a.repeat)],
                                   capture_output=True, text=True)
                r_res = json.loads(p.stdout.strip().splitlines()[-1]) if p.returncode == 0 else None
            for kind in KINDS:
                if kind not in only:
                    continue
                if kind == "bayes" and n > 20_000 and not _bayes_filtered():
                    rows.append((n, kind, None, None, None,
                                 "skipped: the exact posterior needs O(n^2) memory (23 GiB at 1e5)"))
                    continue
                if kind in last_time:
                    n0, t0 = last_time[kind]
                    if kind == "bayes" and n0 <= 5_000:
                        n0 = 0  # exact below 5,000 rows: no basis for the filtered time
                    est = t0 * (n / n0) ** GROWTH[kind] * a.repeat if n0 else 0.0
                    if est > a.budget and kind != "bayes":
                        rows.append((n, kind, None, None, None,
                                     f"skipped: about {est:.0f} s for {a.repeat} runs "
                                     f"(> --budget {a.budget:.0f} s)"))
                        continue
                res = _in_worker(kind, n, a.repeat)
                if "error" in res:
                    rows.append((n, kind, None, None, None, f"failed: {res['error']}"))
                    last_time[kind] = (n, float("inf"))
                    continue
                med = statistics.median(res["times"])
                last_time[kind] = (n, med)
                ref = None
                if kind in ("pelt-auto", "pelt-exact", "pelt-r"):
                    ref = r_res["pelt"] if r_res else R_ISSUE_PELT.get(n)
                elif kind == "binseg" and r_res:
                    ref = r_res["binseg"]
                ratio = f"{med / ref:.2f}x R" if ref else ""
                info = ", ".join(f"{k} {v}" for k, v in res["info"].items() if v is not None)
                if res.get("cpu"):
                    info = f"cpu {statistics.median(res['cpu']):.3f} s, {info}"
                if kind == "bayes":
                    info += f", process peak {res['process_peak_mib']:.0f} MiB"
                rows.append((n, kind, med, min(res["times"]), res["peak_mib"], f"{ratio}  {info}"))
            if "cli" in only:
                cmd = [exe, "changepoints", str(f), "--time", "t", "--count", "count",
                       "--format", "json"]
                _process_rss(cmd)  # page cache warm
                runs = [_process_rss(cmd) for _ in range(a.repeat)]
                if any(r[2] != 0 for r in runs):
                    rows.append((n, "cli process", None, None, None, "failed"))
                else:
                    walls = [r[0] for r in runs]
                    med = statistics.median(walls)
                    ref_note = ""
                    if have_r:
                        rp = [_process_rss(["Rscript", "-e", R_PROCESS, str(f)])
                              for _ in range(a.repeat)]
                        rmed = statistics.median(r[0] for r in rp)
                        ref_note = f"{med / rmed:.2f}x Rscript ({rmed:.3f} s)"
                    elif n in R_ISSUE_PROCESS:
                        ref_note = f"{med / R_ISSUE_PROCESS[n]:.2f}x Rscript (issue figure)"
                    rows.append((n, "cli process", med, min(walls),
                                 statistics.median(r[1] for r in runs),
                                 f"{ref_note}  peak RSS is the whole process"))
            if r_res:
                rows.append((n, "R PELT / BinSeg", r_res["pelt"], None, None,
                             f"binseg {r_res['binseg']:.4f} s; cpts {r_res['pelt_cpts']}"))
    print(f"{'n':>9}  {'benchmark':<12} {'median s':>9} {'min s':>9} {'peak MiB':>9}  notes")
    for n, kind, med, mn, mem, note in rows:
        f = (lambda v, p: "" if v is None else f"{v:.{p}f}")
        print(f"{n:>9}  {kind:<12} {f(med, 4):>9} {f(mn, 4):>9} {f(mem, 1):>9}  {note}")
    print(f"load average {os.getloadavg()[0]:.2f} at the end", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
