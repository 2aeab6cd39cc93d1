"""The README's examples run as written and give the bundled report's numbers.

The Python block is a doctest (its printed output is checked), and the objects it leaves
behind are compared with ``reports/coalition-attacks/results.json``; every command of the
command-line block except ``report`` and ``reproduce`` (which ``make report`` and
``make reproduce`` run on the same specs) is run in a scratch folder that sees ``data/``.
"""

from __future__ import annotations

import doctest
import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _blocks(lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", README, flags=re.S)


@pytest.fixture(scope="module")
def python_run():
    (block,) = [b for b in _blocks("python") if ">>>" in b]
    test = doctest.DocTestParser().get_doctest(block, {}, "README", "README.md", 0)
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
    out = []
    runner.run(test, out=out.append, clear_globs=False)
    return runner.summarize(verbose=False), test.globs, "".join(out)


def test_python_block_prints_what_it_says(python_run):
    (failed, attempted), _, report = python_run
    assert attempted >= 15
    assert failed == 0, report


def test_python_block_gives_the_report_numbers(python_run):
    _, g, _ = python_run
    res = json.loads((ROOT / "reports" / "coalition-attacks" / "results.json").read_text(encoding="utf-8"))
    assert g["series"].total == res["series"]["total"] and g["series"].n == res["series"]["n"]
    assert list(g["seg"].changepoints) == [c["index"] for c in res["changepoints"]["changepoints"]]
    terms = {t["name"]: t for t in res["model"]["terms"]}
    for _, row in g["fit"].terms.iterrows():
        for col in ("rate_ratio", "ci_low", "ci_high"):
            assert row[col] == pytest.approx(terms[row["name"]][col], rel=1e-9), (row["name"], col)
    q = res["questions"]["compare"]["numbers"]
    exact = g["res"].exact.iloc[0]
    assert exact["rate_ratio"] == pytest.approx(q["rr_talks_exact"], rel=1e-12)
    assert [exact["ci_low"], exact["ci_high"]] == pytest.approx(q["rr_talks_exact_ci"], rel=1e-12)
    assert exact["p_value"] == pytest.approx(q["p_talks_exact"], rel=1e-12)


def _commands() -> list[tuple[list[str], list[str]]]:
    """(argv, expected output lines) of each command; ``# -> LINE`` under a command is a line of its output."""
    (block,) = [b for b in _blocks("bash") if "incident-trends normalize" in b]
    joined = block.replace("\\\n", " ")
    cmds = []
    for line in joined.splitlines():
        line = line.strip()
        if line.startswith("# -> ") and cmds:
            cmds[-1][1].append(line[len("# -> "):])
            continue
        line = line.split("#", 1)[0].strip()
        if line.startswith("incident-trends "):
            cmds.append((shlex.split(line), []))
    return cmds


def _squash(text: str) -> str:
    return " ".join(text.split())


def test_command_line_block_runs_as_written_and_prints_what_it_says(tmp_path):
    os.symlink(ROOT / "data", tmp_path / "data")
    cmds = _commands()
    assert [c[1] for c, _ in cmds] == ["normalize", "fit", "changepoints", "panel", "report", "reproduce"]
    assert all(expected for c, expected in cmds if c[1] not in ("report", "reproduce"))
    env = {**os.environ, "MPLBACKEND": "Agg", "PYTHONPATH": str(ROOT)}
    outputs = {}
    for cmd, expected in cmds:
        if cmd[1] in ("report", "reproduce"):
            continue
        proc = subprocess.run([sys.executable, "-m", "analysis.cli", *cmd[1:]], cwd=tmp_path, env=env,
                              capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0, (cmd, proc.stderr[-2000:])
        if "--format" in cmd and "json" in cmd:
            json.loads(proc.stdout)
        printed = _squash(proc.stdout + "\n" + proc.stderr)
        for line in expected:
            assert _squash(line) in printed, (cmd[1], line, printed[-2000:])
        outputs[cmd[1]] = proc.stdout
    assert (tmp_path / "weekly.csv").is_file() and (tmp_path / "panel.csv").is_file()
    # the sentence under the block names the CLI's late-January rate ratio and the report's
    term = next(ln for ln in outputs["fit"].splitlines() if ln.startswith("level:2024-01-28"))
    cli_rr = float(term.split()[3])
    res = json.loads((ROOT / "reports" / "coalition-attacks" / "results.json").read_text(encoding="utf-8"))
    report_rr = {t["name"]: t for t in res["model"]["terms"]}["level:2024-01-28"]["rate_ratio"]
    which = _squash(README[README.index("**Which series.**"):].split("\n\n", 1)[0])
    assert f"rate ratio of {cli_rr:.3f}" in which and f"finds {report_rr:.3f}" in which


def test_readme_states_how_bounds_enter_as_the_report_does():
    res = json.loads((ROOT / "reports" / "coalition-attacks" / "results.json").read_text(encoding="utf-8"))
    assert any("'more than N' as N + 1" in n for n in res["series"]["source"]["notes"])
    assert '"more than N" as N + 1' in " ".join(README.split())
    assert "never a rounded number" not in README
