"""docs/cli-json.md lists exactly the JSON keys each subcommand emits.

Every command runs on the bundled data (``data/``; a synthetic article for ``extract`` and the
small synthetic report spec for ``report`` / ``reproduce``) with the options that add keys;
the union of the key paths it emits must equal the key paths its section of the page lists,
so neither the page nor the output can drift.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
from pathlib import Path

import pytest
from _small_report import write_small_spec

from analysis.cli import COMMANDS, main

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
DOC = ROOT / "docs" / "cli-json.md"
SYNTHETIC_ARTICLE = (  # synthetic text written for this test, not taken from any article
    "SYNTHETIC. Two rockets struck Erbil air base on Monday, injuring one soldier. "
    "On Wednesday, U.S. warplanes struck Kataib Hezbollah sites near al-Qaim in retaliation for the attack.")


def documented() -> dict[str, set[str]]:
    """Key paths per command from the page's tables (first cell of each row, in backticks)."""
    out: dict[str, set[str]] = {}
    cmd = None
    for line in DOC.read_text(encoding="utf-8").splitlines():
        m = re.match(r"## incident-trends (\w+)$", line)
        if m:
            cmd = m.group(1)
            out[cmd] = set()
            continue
        m = re.match(r"\| `([^`]+)` \|", line)
        if m and cmd:
            out[cmd].add(m.group(1))
    return out


def key_paths(obj, doc: set[str], groups=(), prefix: str = "") -> set[str]:
    """Key paths of ``obj``; the keys of a map the page writes as ``prefix.<name>`` (a level
    with no fixed key listed) collapse to that placeholder, and so do the group columns of
    panel rows (``rows[].<group column>``)."""
    found: set[str] = set()
    if isinstance(obj, dict):
        level = {p[len(prefix) + 1:] if prefix else p for p in doc
                 if (p.startswith(prefix + ".") if prefix else True)}
        level = {p for p in level if "." not in p.replace("[]", "") or p.startswith("<")}
        fixed = {p for p in level if not p.startswith("<")}
        holders = sorted(p for p in level if p.startswith("<"))
        for k, v in obj.items():
            name = k
            if holders and (k in groups or not fixed) and k not in fixed:
                name = holders[0]
            path = f"{prefix}.{name}" if prefix else name
            found.add(path)
            found |= key_paths(v, doc, groups, path)
    elif isinstance(obj, list):
        for v in obj:
            found |= key_paths(v, doc, groups, prefix + "[]")
    return found


def _json(argv, rc=0):
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        code = main(argv)
    assert code == rc, (code, argv)
    return json.loads(buf.getvalue())


@pytest.fixture(scope="module")
def emitted(tmp_path_factory):
    """{command: [JSON object, ...]} over the runs that together reach every key."""
    t = tmp_path_factory.mktemp("cli-json")
    art = t / "synthetic-article.txt"
    art.write_text(SYNTHETIC_ARTICLE)
    weekly = str(t / "weekly.csv")
    acled = str(DATA / "synthetic" / "acled_sample.csv")
    coal = str(DATA / "coal_mining_disasters.csv")
    runs: dict[str, list] = {c: [] for c in COMMANDS}
    runs["extract"].append(_json(["extract", str(art), "--published", "2024-01-12", "--out", str(t / "ex"),
                                  "--format", "json", "--quiet"]))
    runs["normalize"] += [
        _json(["normalize", "--reports", str(DATA / "reports.csv"), "--tallies", str(DATA / "tallies.csv"),
               "--freq", "W", "--out", weekly, "--ledger", str(t / "ledger.csv"), "--format", "json"]),
        _json(["normalize", "--reports", str(DATA / "reports.csv"), "--reviewed", str(t / "ex" / "review.csv"),
               "--accept-all", "--freq", "W", "--out", str(t / "w2.csv"), "--format", "json"]),
        _json(["normalize", "--reports", acled, "--input-format", "acled", "--measure", "fatalities",
               "--freq", "M", "--out", str(t / "f.csv"), "--format", "json"]),
        _json(["normalize", "--reports", acled, "--reports", str(DATA / "reports.csv"), "--dedupe", "link",
               "--freq", "W", "--out", str(t / "l.csv"), "--format", "json"])]
    runs["fit"] += [
        _json(["fit", weekly, "--time", "start", "--count", "count", "--family", "negbin",
               "--event", "2024-01-28:level", "--format", "json", "--quiet"]),
        _json(["fit", coal, "--time", "year", "--count", "count", "--family", "poisson", "--segmented",
               "--format", "json", "--quiet"])]
    runs["changepoints"] += [
        _json(["changepoints", coal, "--time", "year", "--count", "count", "--penalty", "mbic",
               "--min-size", "2", "--format", "json"]),
        _json(["changepoints", coal, "--time", "year", "--count", "count", "--method", "bayes",
               "--format", "json", "--quiet"]),
        _json(["changepoints", weekly, "--time", "start", "--count", "count", "--bootstrap", "20",
               "--events", str(DATA / "events.csv"), "--format", "json", "--quiet"])]
    panel = ["panel", acled, "--input-format", "acled", "--group", "country", "--scheduler", "sequential",
             "--format", "json", "--quiet"]
    runs["panel"] += [_json(panel + ["--events", str(DATA / "synthetic" / "events.csv"), "--draws", "99"]),
                      _json(panel + ["--task", "summary"])]
    mon = ["monitor", weekly, "--baseline", "2024-03-04:2024-06-24", "--freq", "W", "--n-sim", "100",
           "--format", "json"]
    runs["monitor"] += [_json(mon), _json(mon + ["--model", "negbin", "--quiet"])]
    spec = write_small_spec(t)
    runs["report"].append(_json(["report", str(spec), "--out", str(t / "reports"), "--format", "json",
                                 "--quiet"]))
    rdir = t / "reports" / "synthetic-small"
    (rdir / "report.md").write_text((rdir / "report.md").read_text() + "\nedited\n")
    runs["reproduce"].append(_json(["reproduce", str(spec), "--report-dir", str(rdir), "--format", "json",
                                    "--quiet"], rc=1))
    return runs


def test_every_command_has_a_section():
    assert set(documented()) == set(COMMANDS)


@pytest.mark.parametrize("command", COMMANDS)
def test_documented_keys_equal_emitted_keys(emitted, command):
    doc = documented()[command]
    got: set[str] = set()
    for obj in emitted[command]:
        got |= key_paths(obj, doc, groups=tuple(obj.get("groups", ())))
    assert got - doc == set(), f"{command}: emitted but not in docs/cli-json.md"
    assert doc - got == set(), f"{command}: in docs/cli-json.md but not emitted by the runs"


def test_key_paths_collapse_maps_and_flag_unknown_keys():
    doc = {"excluded", "excluded.reports", "excluded.reports.<reason>", "rows", "rows[].<group column>",
           "rows[].n"}
    obj = {"excluded": {"reports": {"duplicate": 2, "no date": 1}},
           "rows": [{"country": "A", "n": 3, "surprise": 1}]}
    assert key_paths(obj, doc, groups=("country",)) == {
        "excluded", "excluded.reports", "excluded.reports.<reason>", "rows", "rows[].<group column>",
        "rows[].n", "rows[].surprise"}
