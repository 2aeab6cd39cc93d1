"""Timed SIGKILLs of real ``report`` and ``normalize`` runs: what is left on disk.

    python benchmarks/kill_report.py [--kills 8] [--dir /tmp/incident-trends-kill]

The unit tests (``tests/test_kill_safety.py``) stop a run at named checkpoints; this
script uses no hook at all. It times one complete run of each command, then starts the
same run ``--kills`` times and kills it with SIGKILL after evenly spaced fractions from
30% to 100% of that time (the start is imports and computing), and classifies what is on disk: the old complete output, the new complete
output, nothing, or MIXED (a failure). Outputs are compared file by file by SHA-256
with complete runs. The report is a small synthetic one (``tests/_small_report.py``);
normalize reads a seeded synthetic file of 200,000 reports so that the ledger takes a
while to write. All data are synthetic. On a loaded machine the times stretch, so the
kill points fall at different stages from run to run.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))


def _snap(folder: Path):
    if not folder.exists():
        return None
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _cli(*args) -> list[str]:
    return [sys.executable, "-m", "analysis.cli", *map(str, args), "--quiet"]


def _env() -> dict:
    return dict(os.environ, PYTHONPATH=str(ROOT), MPLBACKEND="Agg")


def _timed(cmd) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, env=_env(), check=True, capture_output=True)
    return time.perf_counter() - t0


def _kill_after(cmd, seconds: float) -> str:
    p = subprocess.Popen(cmd, env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        p.wait(timeout=seconds)
        return "finished"
    except subprocess.TimeoutExpired:
        os.kill(p.pid, signal.SIGKILL)
        p.wait()
        return "killed"


def _state(snap, old, new) -> str:
    return ("nothing" if snap is None else "old complete" if snap == old
            else "new complete" if snap == new else "MIXED")


def report_kills(work: Path, kills: int) -> list[tuple]:
    from _small_report import write_small_spec
    spec = write_small_spec(work)
    spec2 = work / "spec2.toml"
    spec2.write_text(spec.read_text().replace('title = "Synthetic small report"', 'title = "Second version"'))
    ref_old, ref_new = work / "ref_old", work / "ref_new"
    subprocess.run(_cli("report", spec, "--out", ref_old), env=_env(), check=True, capture_output=True)
    total = _timed(_cli("report", spec2, "--out", ref_new))
    old, new = _snap(ref_old / "synthetic-small"), _snap(ref_new / "synthetic-small")
    rows = []
    for k in range(1, kills + 1):
        out = work / f"kill{k}"
        shutil.copytree(ref_old, out)
        at = total * (0.3 + 0.7 * k / (kills + 1))  # most of a build is imports and fitting
        how = _kill_after(_cli("report", spec2, "--out", out), at)
        rows.append(("report", f"{at:.1f} s of {total:.1f}", how,
                     _state(_snap(out / "synthetic-small"), old, new)))
    return rows


def normalize_kills(work: Path, kills: int) -> list[tuple]:
    rng = np.random.default_rng(2026)
    n = 200_000
    days = rng.integers(0, 3 * 365, size=n)
    frame = pd.DataFrame({"report_id": [f"SYN{i}" for i in range(n)],
                          "date": (pd.Timestamp("2021-01-01") + pd.to_timedelta(days, unit="D")).strftime("%Y-%m-%d"),
                          "country": rng.choice(["Aland", "Borduria", "Syldavia"], size=n),
                          "source": "synthetic benchmark data"})
    frame.to_csv(work / "big.csv", index=False)
    frame.iloc[: n // 2].to_csv(work / "half.csv", index=False)

    def cmd(inp, out):
        return _cli("normalize", "--reports", inp, "--freq", "W", "--out", out / "series.csv",
                    "--ledger", out / "ledger.csv")

    (work / "n_old").mkdir(), (work / "n_new").mkdir()
    subprocess.run(cmd(work / "half.csv", work / "n_old"), env=_env(), check=True, capture_output=True)
    total = _timed(cmd(work / "big.csv", work / "n_new"))
    old, new = _snap(work / "n_old"), _snap(work / "n_new")
    rows = []
    for k in range(1, kills + 1):
        out = work / f"nkill{k}"
        shutil.copytree(work / "n_old", out)
        at = total * (0.3 + 0.7 * k / (kills + 1))
        how = _kill_after(cmd(work / "big.csv", out), at)
        pair = {f: h for f, h in (_snap(out) or {}).items() if not f.startswith(".")}
        rows.append(("normalize", f"{at:.1f} s of {total:.1f}", how, _state(pair, old, new)))
    return rows


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--kills", type=int, default=8)
    ap.add_argument("--dir", default="/tmp/incident-trends-kill")
    args = ap.parse_args(argv)
    work = Path(args.dir)
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    (work / "report").mkdir()
    (work / "normalize").mkdir()
    rows = report_kills(work / "report", args.kills)
    rows += normalize_kills(work / "normalize", args.kills)
    print(f"{'command':<10} {'SIGKILL after':<16} {'run':<9} on disk")
    for r in rows:
        print(f"{r[0]:<10} {r[1]:<16} {r[2]:<9} {r[3]}")
    bad = [r for r in rows if r[3] == "MIXED"]
    print(f"{len(rows)} kills, {len(bad)} left a mix of old and new files")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
