"""Runs killed with SIGKILL leave the old complete output or the new complete output.

Each test starts a real ``incident-trends`` process with ``INCIDENT_TRENDS_PAUSE_AT``
naming a checkpoint (:func:`analysis._atomic.checkpoint`); the process stops there and is
killed with SIGKILL from outside. What is on disk is then compared file by file (SHA-256)
with the old and the new complete output. Each test prints what it saw (``-s``).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from analysis import _atomic
from analysis.report import build_report, read_manifest, verify_files
from analysis.report.manifest import report_files
from analysis.report.provenance import sha256_file

from _small_report import write_small_spec

REPO = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL (POSIX)")


def _env(stage: str, marker: Path) -> dict:
    env = dict(os.environ, PYTHONPATH=str(REPO), MPLBACKEND="Agg")
    env[_atomic.PAUSE_AT] = stage
    env[_atomic.PAUSE_FILE] = str(marker)
    return env


def _start_paused(args: list[str], stage: str, tmp: Path) -> subprocess.Popen:
    """Start ``incident-trends ARGS`` and return once it waits at checkpoint ``stage``."""
    marker = tmp / f"paused-{stage}-{time.monotonic_ns()}"
    proc = subprocess.Popen([sys.executable, "-m", "analysis.cli", *args], env=_env(stage, marker),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 240
    while not (marker.exists() and marker.read_text().strip()):
        if proc.poll() is not None:
            out, err = proc.communicate()
            pytest.fail(f"run ended (exit {proc.returncode}) before checkpoint {stage!r}:\n{err[-3000:]}")
        if time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"checkpoint {stage!r} not reached")
        time.sleep(0.05)
    return proc


def _kill(proc: subprocess.Popen) -> None:
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate()
    assert proc.returncode == -signal.SIGKILL


def _snapshot(folder: Path) -> dict[str, str] | None:
    if not folder.exists():
        return None
    return {rel: sha256_file(folder / rel) for rel in report_files(folder)} | (
        {"manifest.json": sha256_file(folder / "manifest.json")} if (folder / "manifest.json").exists() else {})


def _state(snap, old, new) -> str:
    if snap is None:
        return "nothing"
    if snap == old:
        return "old complete"
    if snap == new:
        return "new complete"
    return "MIXED"


# --------------------------------------------------------------------------- report
@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    """The small spec, a second version of it (another title: every page differs), and
    the complete old and new reports, as file -> SHA-256."""
    d = tmp_path_factory.mktemp("spec")
    spec = write_small_spec(d)
    spec2 = d / "spec2.toml"
    spec2.write_text(spec.read_text().replace('title = "Synthetic small report"',
                                              'title = "Synthetic small report, second version"'))
    old = build_report(spec, tmp_path_factory.mktemp("old"))
    new = build_report(spec2, tmp_path_factory.mktemp("new"))
    return {"spec": spec, "spec2": spec2, "old_dir": old.out_dir,
            "old": _snapshot(old.out_dir), "new": _snapshot(new.out_dir)}


# stage -> what must be on disk after a SIGKILL there, when an old report exists
STAGES = [("report-figure", "old complete"),     # first figure saved into the staging folder
          ("report-manifest", "old complete"),   # staging folder complete, manifest written
          ("swap", "old complete"),              # just before the folders are exchanged
          ("swapped", "new complete")]           # exchanged, old copy not yet removed


@pytest.mark.parametrize("stage,expected", STAGES)
def test_killed_report_build_leaves_old_or_new_report(reports, tmp_path, stage, expected):
    root = tmp_path / "reports"
    root.mkdir()
    target = root / reports["old_dir"].name
    shutil.copytree(reports["old_dir"], target)
    proc = _start_paused(["report", str(reports["spec2"]), "--out", str(root), "--quiet"], stage, tmp_path)
    if stage == "report-figure":  # a second build meanwhile is refused at once, naming the first
        r = subprocess.run([sys.executable, "-m", "analysis.cli", "report", str(reports["spec2"]),
                            "--out", str(root), "--quiet"], env=dict(os.environ, PYTHONPATH=str(REPO)),
                           capture_output=True, text=True, timeout=240)
        assert r.returncode == 1 and "Traceback" not in r.stderr, r.stderr
        assert f"is being written by another process (PID {proc.pid}, lock file {root / '.synthetic-small.lock'})" \
            in r.stderr
        print(f"\nsecond build while the first holds the lock: exit 1, {r.stderr.strip()}")
    _kill(proc)
    seen = _state(_snapshot(target), reports["old"], reports["new"])
    print(f"\nSIGKILL at {stage!r} with an old report in place: {seen}; beside it: "
          f"{sorted(p.name for p in root.iterdir() if p != target)}")
    assert seen == expected
    assert verify_files(read_manifest(target), target) == []
    if stage not in ("report-manifest", "swapped"):
        return
    # the next build takes over the stale lock, removes the staging debris and completes
    build_report(reports["spec2"], root)
    assert _state(_snapshot(target), reports["old"], reports["new"]) == "new complete"
    assert sorted(p.name for p in root.iterdir()) == [target.name]


@pytest.mark.parametrize("stage,expected", [("report-figure", "nothing")])
def test_killed_first_build_leaves_nothing_or_new_report(reports, tmp_path, stage, expected):
    root = tmp_path / "reports"
    proc = _start_paused(["report", str(reports["spec2"]), "--out", str(root), "--quiet"], stage, tmp_path)
    _kill(proc)
    target = root / reports["old_dir"].name
    seen = _state(_snapshot(target), reports["old"], reports["new"])
    print(f"\nSIGKILL at {stage!r} on a first build: {seen}")
    assert seen == expected


def test_fallback_swap_interrupted_between_renames_is_restored(tmp_path, monkeypatch):
    """Without an atomic exchange, a run dying between 'old aside' and 'new in' leaves no
    target; the next build (under the lock) puts the old complete folder back first."""
    target = tmp_path / "rep"
    target.mkdir()
    (target / "a.txt").write_text("old")
    monkeypatch.setattr(_atomic, "_exchange", lambda a, b: False)

    def die(name):
        if name == "swap-aside":
            raise KeyboardInterrupt  # stands in for the kill: nothing after this line runs

    monkeypatch.setattr(_atomic, "checkpoint", die)
    with pytest.raises(KeyboardInterrupt):
        with _atomic.staged_dir(target) as stage:
            (stage / "a.txt").write_text("new")
    assert not target.exists()
    assert len(list(tmp_path.glob(".rep.old.*"))) == 1
    removed = _atomic.clean_stale(target)
    assert (target / "a.txt").read_text() == "old"
    assert [p.name.split(".")[2] for p in removed] == ["staging"]  # the new folder, unfinished
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rep"]


def test_atomic_exchange_swaps_folders(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir(), b.mkdir()
    (a / "x").write_text("A"), (b / "x").write_text("B")
    if not _atomic._exchange(a, b):
        pytest.skip("no renameat2(RENAME_EXCHANGE) on this system")
    assert (a / "x").read_text() == "B" and (b / "x").read_text() == "A"


# --------------------------------------------------------------------------- normalize
@pytest.fixture(scope="module")
def norm(tmp_path_factory):
    """Inputs for an old and a new normalize run (the new one reads one more file, so
    its series and its ledger both differ), and the two complete pairs."""
    d = tmp_path_factory.mktemp("norm")
    write_small_spec(d)
    more = pd.read_csv(d / "reports.csv").assign(report_id=lambda f: f["report_id"] + "b",
                                                  location="Elsewhere")
    more.to_csv(d / "more.csv", index=False)
    old_args = ["normalize", "--reports", str(d / "reports.csv"), "--freq", "W"]
    new_args = old_args + ["--reports", str(d / "more.csv")]

    def run(args, out):
        out.mkdir()
        r = subprocess.run([sys.executable, "-m", "analysis.cli", *args, "--out", str(out / "series.csv"),
                            "--ledger", str(out / "ledger.csv"), "--quiet"],
                           env=dict(os.environ, PYTHONPATH=str(REPO)), capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
        return {n: sha256_file(out / n) for n in ("series.csv", "ledger.csv")}

    old, new = run(old_args, d / "old"), run(new_args, d / "new")
    assert old["series.csv"] != new["series.csv"] and old["ledger.csv"] != new["ledger.csv"]
    return {"dir": d, "old_dir": d / "old", "old": old, "new": new, "new_args": new_args}


def _pair(folder: Path) -> dict:
    return {n: sha256_file(folder / n) for n in ("series.csv", "ledger.csv") if (folder / n).exists()}


@pytest.mark.parametrize("stage,expected", [("normalize-series", "old complete"),
                                            ("normalize-ledger", "old complete"),
                                            ("commit", "old complete")])
def test_killed_normalize_leaves_old_or_new_pair(norm, tmp_path, stage, expected):
    out = tmp_path / "out"
    shutil.copytree(norm["old_dir"], out)
    proc = _start_paused([*norm["new_args"], "--out", str(out / "series.csv"),
                          "--ledger", str(out / "ledger.csv"), "--quiet"], stage, tmp_path)
    _kill(proc)
    seen = _state(_pair(out), norm["old"], norm["new"])
    debris = sorted(p.name for p in out.iterdir() if p.name not in ("series.csv", "ledger.csv"))
    print(f"\nnormalize SIGKILL at {stage!r}: series+ledger {seen}; hidden debris {debris}")
    assert seen == expected
    assert all(n.startswith(".") and n.endswith(".tmp") for n in debris)
    # the next run removes the dead writer's temporary files and writes the new pair
    r = subprocess.run([sys.executable, "-m", "analysis.cli", *norm["new_args"], "--out", str(out / "series.csv"),
                        "--ledger", str(out / "ledger.csv"), "--quiet"],
                       env=dict(os.environ, PYTHONPATH=str(REPO)), capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert _pair(out) == norm["new"] and sorted(p.name for p in out.iterdir()) == ["ledger.csv", "series.csv"]


def test_normalize_killed_within_the_renames_is_completed_next_time(norm, tmp_path):
    """Between the two renames (a window of one system call, reached here only through
    the checkpoint) the new series sits beside the old ledger, with the journal; the next
    write of the pair, or recover_files, finishes the commit."""
    out = tmp_path / "out"
    shutil.copytree(norm["old_dir"], out)
    series, ledger = out / "series.csv", out / "ledger.csv"
    proc = _start_paused([*norm["new_args"], "--out", str(series), "--ledger", str(ledger), "--quiet"],
                         "commit-between", tmp_path)
    _kill(proc)
    now = _pair(out)
    journal = out / ".series.csv.commit.json"
    print(f"\nnormalize SIGKILL between the renames: series "
          f"{'new' if now['series.csv'] == norm['new']['series.csv'] else 'old'}, ledger "
          f"{'new' if now['ledger.csv'] == norm['new']['ledger.csv'] else 'old'}, journal {journal.exists()}")
    assert now == {"series.csv": norm["new"]["series.csv"], "ledger.csv": norm["old"]["ledger.csv"]}
    assert json.loads(journal.read_text())["renames"][1][1] == str(ledger.resolve())
    assert _atomic.recover_files(series, ledger) is True
    assert _pair(out) == norm["new"] and not journal.exists()
    assert sorted(p.name for p in out.iterdir()) == ["ledger.csv", "series.csv"]
