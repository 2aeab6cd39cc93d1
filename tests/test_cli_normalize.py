"""``incident-trends normalize``: outputs, JSON summary, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from analysis.cli import main
from analysis.schema import LEDGER_COLUMNS, SERIES_COLUMNS

REPO = Path(__file__).resolve().parents[1]

REPORTS = """report_id,incident_id,date,date_precision,country,location,weapon,injuries,source
A1,,2024-01-02,day,Iraq,Ain al-Asad,rocket,2,AFP
A2,,2024-01-03,day,Iraq,Al-Asad air base,drone and rockets,5,Reuters
A3,,2024-01-09,day,Syria,Tanf,drone,,AFP
A4,,,,Syria,Tanf,drone,,AFP
A5,,2024-01-01,month,Iraq,Erbil,drone,,AFP
"""

TALLIES = """tally_id,since,as_of,count,bound,region,source
T1,2024-01-01,2024-01-07,3,exact,all,Pentagon
T2,2024-01-01,2024-01-14,5,at_least,all,Pentagon
T3,2024-01-01,,9,exact,all,Pentagon
"""


@pytest.fixture
def files(tmp_path):
    r = tmp_path / "reports.csv"
    r.write_text(REPORTS)
    t = tmp_path / "tallies.csv"
    t.write_text(TALLIES)
    return tmp_path, r, t


def _json(capsys):
    out = capsys.readouterr().out
    assert out.count("\n") == 1
    return json.loads(out)


def test_writes_series_and_ledger_and_prints_a_summary(files, capsys):
    d, r, t = files
    code = main(["normalize", "--reports", str(r), "--tallies", str(t), "--freq", "W",
                 "--window", "2024-01-01:2024-01-21", "--out", str(d / "out" / "s.csv"),
                 "--ledger", str(d / "l.csv"), "--tallies-out", str(d / "t.csv"), "--format", "json"])
    assert code == 0
    js = _json(capsys)
    assert js["rows_in"] == {"reports": 5, "tallies": 3}
    assert js["incidents"] == 3 and js["merged"] == 1 and js["total_count"] == 3
    assert js["excluded"] == {"reports": {"no date": 1}, "tallies": {"no as_of date": 1}}
    assert js["outputs"]["series"].endswith("s.csv") and js["outputs"]["tallies"].endswith("t.csv")
    s = pd.read_csv(d / "out" / "s.csv")
    assert list(s.columns) == list(SERIES_COLUMNS)
    assert s["start"].tolist() == ["2024-01-01", "2024-01-08", "2024-01-15"]
    assert s["count"].tolist() == [2, 1, 0]  # A1+A2 one incident, A5 (January) by its start
    assert s["n_reports"].tolist() == [3, 1, 0]
    lg = pd.read_csv(d / "l.csv")
    assert list(lg.columns) == list(LEDGER_COLUMNS)
    assert len(lg) == 8
    assert lg.set_index("record_id").loc["A2", "incident_id"] == "A1"
    tv = pd.read_csv(d / "t.csv")
    assert tv["count"].tolist()[0] == 3 and tv["lower"].tolist()[1] == 2


def test_groups_split_and_text_output(files, capsys):
    d, r, _ = files
    code = main(["normalize", "--reports", str(r), "--freq", "M", "--group", "country",
                 "--allocate", "split", "--out", str(d / "s.csv")])
    assert code == 0
    out = capsys.readouterr().out
    assert "3 incidents counted (1 report merged" in out
    s = pd.read_csv(d / "s.csv")
    assert list(s.columns) == list(SERIES_COLUMNS) + ["country"]
    assert s.groupby("country")["count"].sum().to_dict() == {"Iraq": 2.0, "Syria": 1.0}


def test_impute_writes_every_imputation(files, capsys):
    d, r, _ = files
    code = main(["normalize", "--reports", str(r), "--freq", "W", "--allocate", "impute",
                 "--imputations", "4", "--seed", "1", "--out", str(d / "s.csv"), "--format", "json"])
    assert code == 0
    assert _json(capsys)["total_count"] == 3
    s = pd.read_csv(d / "s.csv")
    assert s.groupby("imputation")["count"].sum().tolist() == [3.0] * 4


def test_bad_data_exits_1_naming_file_row_and_column(files, capsys):
    d, r, _ = files
    bad = d / "bad.csv"
    bad.write_text(REPORTS.replace("2024-01-09", "2024-13-09"))
    assert main(["normalize", "--reports", str(bad), "--out", str(d / "s.csv")]) == 1
    err = capsys.readouterr().err
    assert "bad.csv" in err and "row 4" in err and "'date'" in err


def test_unknown_group_column_exits_1(files, capsys):
    d, r, _ = files
    assert main(["normalize", "--reports", str(r), "--group", "province", "--out", str(d / "s.csv")]) == 1
    assert "group column 'province'" in capsys.readouterr().err


def test_usage_errors_exit_2(files, capsys):
    d, r, _ = files
    assert main(["normalize", "--out", str(d / "s.csv")]) == 2
    with pytest.raises(SystemExit) as e:
        main(["normalize", "--reports", str(r)])  # --out missing
    assert e.value.code == 2
    with pytest.raises(SystemExit) as e:
        main(["normalize", "--reports", str(r), "--out", "x.csv", "--window", "2024-01-01"])
    assert e.value.code == 2
    with pytest.raises(SystemExit) as e:
        main(["normalize", "--reports", str(r), "--out", "x.csv", "--freq", "Y"])
    assert e.value.code == 2


# ------------------------------------------------------------------------------ the installed console script
SCRIPT = Path(sys.executable).parent / "incident-trends"

CHAIN = """report_id,date,country,location,weapon
C1,2024-01-01,Iraq,Erbil,drone
C2,2024-01-02,Iraq,Erbil air base,drone
C3,2024-01-03,Iraq,Erbil,drone
C4,2024-01-20,Syria,Tanf,rocket
"""


@pytest.mark.skipif(not SCRIPT.exists(), reason="console script not installed next to the interpreter")
def test_console_script_contract(tmp_path):
    """DESIGN section 6 with the installed command: options, outputs, exit codes 0/1/2, JSON on stdout."""
    def run(*args):
        return subprocess.run([str(SCRIPT), "normalize", *map(str, args)], capture_output=True, text=True,
                              cwd=tmp_path)

    h = run("--help")
    assert h.returncode == 0
    for opt in ("--reports", "--input-format", "--tallies", "--freq", "--group", "--allocate", "--window",
                "--out", "--ledger", "--format"):
        assert opt in h.stdout
    r = tmp_path / "chain.csv"
    r.write_text(CHAIN)
    t = tmp_path / "t.csv"
    t.write_text(TALLIES)
    ok = run("--reports", r, "--tallies", t, "--freq", "W", "--group", "country", "--allocate", "split",
             "--window", "2024-01-01:2024-01-21", "--out", "s.csv", "--ledger", "l.csv", "--format", "json")
    assert ok.returncode == 0, ok.stderr
    # one JSON object and nothing else on stdout; the data warning goes to stderr
    assert ok.stdout.count("\n") == 1 and ok.stdout.startswith("{")
    js = json.loads(ok.stdout)
    # C1-C2 and C2-C3 match, C1-C3 do not: complete linkage splits the chain
    assert (js["incidents"], js["merged"], js["total_count"]) == (3, 1, 3.0)
    assert ok.stderr.startswith("incident-trends normalize: warning: 1 group of reports matches in a chain")
    assert "[C1; C2 | C3]" in ok.stderr
    assert "Traceback" not in ok.stderr and ok.stderr.count("\n") == 1
    assert len(js["warnings"]) == 1 and js["warnings"][0] in ok.stderr
    s = pd.read_csv(tmp_path / "s.csv")
    assert list(s.columns) == list(SERIES_COLUMNS) + ["country"]
    assert s.groupby("country")["count"].sum().to_dict() == {"Iraq": 2.0, "Syria": 1.0}
    lg = pd.read_csv(tmp_path / "l.csv")
    assert list(lg.columns) == list(LEDGER_COLUMNS) and len(lg) == 4 + 3
    assert lg.set_index("record_id").loc["C2", ["row", "status", "incident_id"]].tolist() == [3, "merged", "C1"]
    assert lg.set_index("record_id").loc["C3", ["row", "status", "incident_id"]].tolist() == [4, "counted", "C3"]

    bad = tmp_path / "bad.csv"
    bad.write_text(CHAIN.replace("C3,2024-01-03", "C3,2024-01-3x"))
    for args, file, row, col in [
        (("--reports", bad), "bad.csv", 4, "date"),
        (("--reports", r, "--reports", r), "chain.csv", 2, "report_id"),
        (("--tallies", r), "chain.csv", 1, "since"),
        (("--reports", "nope.csv"), "nope.csv", None, None),
    ]:
        p = run(*args, "--out", "x.csv", "--format", "json")
        assert p.returncode == 1, (args, p.stderr)
        assert p.stdout == ""
        where = f"{file}, row {row}, column '{col}'" if row else f"{file}: no such file"
        assert where in p.stderr and "Traceback" not in p.stderr
    for args in (("--reports", r, "--out", "x.csv", "--freq", "Y"), ("--reports", r),
                 ("--reports", r, "--out", "x.csv", "--window", "2024-02-01:2024-01-01"),
                 ("--reports", r, "--out", "x.csv", "--allocate", "middle"), ("--out", "x.csv"),
                 ("--tallies", t, "--out", "x.csv", "--group", "country")):
        p = run(*args)
        assert p.returncode == 2, (args, p.stderr)
        assert p.stdout == "" and "Traceback" not in p.stderr and "error" in p.stderr


def test_text_summary_uses_proper_plurals(files, capsys):
    d, r, t = files
    code = main(["normalize", "--reports", str(r), "--tallies", str(t), "--freq", "M",
                 "--out", str(d / "p.csv")])
    assert code == 0
    out = capsys.readouterr().out
    assert "(s)" not in out
    assert "excluded 1 row of reports: no date" in out and "excluded 1 row of tallies: no as_of date" in out
