"""``incident-trends changepoints``: JSON contract, index convention, errors, fast path."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from analysis.cli import main


def _run(argv, capsys):
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_coal_json_contract(data_dir, capsys):
    code, out, err = _run(["changepoints", str(data_dir / "coal_mining_disasters.csv"), "--time", "year",
                           "--count", "count", "--min-size", "2", "--format", "json"], capsys)
    assert code == 0, err
    d = json.loads(out)
    assert list(d)[:5] == ["cost", "method", "penalty", "changepoints", "segments"]
    assert d["cost"] == "poisson" and d["method"] == "pelt"
    assert d["penalty"] == pytest.approx(3 * np.log(112))
    assert d["changepoints"] == [{"index": 41, "time": "1892"}]
    s0, s1 = d["segments"]
    assert {k: s0[k] for k in ("start", "end", "n")} == {"start": 0, "end": 41, "n": 41}
    assert round(s0["rate"], 2) == 3.10 and round(s1["rate"], 2) == 0.90
    assert s0["ci_low"] < s0["rate"] < s0["ci_high"]
    assert (s0["time_start"], s0["time_end"], s1["time_start"]) == ("1851", "1891", "1892")


@pytest.mark.parametrize("method", ["pelt", "op", "binseg", "segneigh", "bayes"])
def test_every_method_on_steps(tmp_path, capsys, method):
    y = np.r_[np.full(20, 1), np.full(20, 9), np.full(20, 3)]
    f = tmp_path / "s.csv"
    pd.DataFrame({"week": [f"2024-W{i + 1:02d}" for i in range(52)] + [f"2025-W{i + 1:02d}" for i in range(8)],
                  "n": y}).to_csv(f, index=False)
    argv = ["changepoints", str(f), "--time", "week", "--count", "n", "--method", method, "--format", "json"]
    if method == "segneigh":
        argv += ["--n-changes", "2"]
    code, out, err = _run(argv, capsys)
    assert code == 0, err
    d = json.loads(out)
    assert [c["index"] for c in d["changepoints"]] == [20, 40]
    assert [c["time"] for c in d["changepoints"]] == ["2024-W21", "2024-W41"]
    if method == "bayes":
        assert len(d["prob_change"]) == 60 and d["penalty"] is None
        assert d["prob_change"][20] > 0.9
        assert sum(d["n_changes_posterior"]) == pytest.approx(1.0, abs=1e-9)


def test_exposure_rates_and_fast_path_dates(tmp_path, capsys):
    f = tmp_path / "d.csv"
    days = pd.date_range("2024-01-01", periods=30, freq="D").strftime("%Y-%m-%d")
    y = np.r_[np.full(15, 2), np.full(15, 20)]
    x = np.r_[np.full(15, 1.0), np.full(15, 2.0)]
    pd.DataFrame({"day": days, "k": y, "hours": x}).to_csv(f, index=False)
    code, out, err = _run(["changepoints", str(f), "--time", "day", "--count", "k", "--exposure", "hours",
                           "--format", "json"], capsys)
    assert code == 0, err
    d = json.loads(out)
    assert d["changepoints"] == [{"index": 15, "time": "2024-01-16"}]
    assert [s["rate"] for s in d["segments"]] == pytest.approx([2.0, 10.0])


def test_penalty_number_and_normal_cost(tmp_path, capsys):
    f = tmp_path / "n.csv"
    pd.DataFrame({"year": range(1900, 1940), "v": np.r_[np.zeros(20), np.full(20, 4.0)]}).to_csv(f, index=False)
    code, out, _ = _run(["changepoints", str(f), "--time", "year", "--count", "v", "--cost", "normal",
                         "--penalty", "5", "--format", "json"], capsys)
    d = json.loads(out)
    assert code == 0 and d["penalty"] == 5.0 and d["changepoints"] == [{"index": 20, "time": "1920"}]


def test_bootstrap_location_intervals(data_dir, capsys):
    code, out, err = _run(["changepoints", str(data_dir / "coal_mining_disasters.csv"), "--time", "year",
                           "--count", "count", "--min-size", "2", "--bootstrap", "60", "--seed", "3",
                           "--quiet", "--format", "json"], capsys)
    assert code == 0, err
    li = json.loads(out)["location_intervals"][0]
    assert li["index"] == 41 and li["lower"] <= 41 <= li["upper"]
    assert 1880 <= int(li["lower_time"]) <= 1892 <= int(li["upper_time"]) <= 1905
    assert 0.5 < li["detected"] <= 1.0
    code2, out2, _ = _run(["changepoints", str(data_dir / "coal_mining_disasters.csv"), "--time", "year",
                           "--count", "count", "--min-size", "2", "--bootstrap", "60", "--seed", "3",
                           "--quiet", "--format", "json"], capsys)
    assert out2 == out  # seeded


@pytest.mark.parametrize("rows,msg,where", [
    (["1,4", "2,-1", "3,2"], "negative", "row 3, column 'n'"),
    (["1,4", "2,1.5", "3,2"], "whole number", "row 3, column 'n'"),
    (["1,4", "2,", "3,2"], "missing", "row 3, column 'n'"),
    (["1,4", "2,x", "3,2"], "not a number", "row 3, column 'n'"),
    (["2001,4", "2001,2", "2003,2"], "increase", "row 3, column 't'"),
])
def test_bad_data_exit_1_with_location(tmp_path, capsys, rows, msg, where):
    f = tmp_path / "bad.csv"
    f.write_text("t,n\n" + "\n".join(rows) + "\n")
    code, out, err = _run(["changepoints", str(f), "--time", "t", "--count", "n", "--format", "json"], capsys)
    assert code == 1 and out == ""
    assert msg in err and where in err and str(f) in err


def test_usage_errors_exit_2(data_dir, capsys):
    f = str(data_dir / "coal_mining_disasters.csv")
    for extra in (["--penalty", "huge"], ["--cost", "l2"], ["--min-size", "0"], ["--method", "dynp"]):
        with pytest.raises(SystemExit) as e:
            main(["changepoints", f, "--time", "year", "--count", "count", *extra])
        assert e.value.code == 2
    code, out, err = _run(["changepoints", f, "--time", "year", "--count", "count", "--method", "bayes",
                           "--cost", "normal"], capsys)
    assert code == 2 and "Poisson-Gamma" in err and out == ""
    code, out, err = _run(["changepoints", f, "--time", "year", "--count", "count", "--min-size", "200",
                           "--format", "json"], capsys)
    assert code == 1 and "minimum segment length" in err


def test_constant_series_no_change(tmp_path, capsys):
    f = tmp_path / "z.csv"
    pd.DataFrame({"year": range(2000, 2020), "n": 0}).to_csv(f, index=False)
    code, out, _ = _run(["changepoints", str(f), "--time", "year", "--count", "n", "--format", "json"], capsys)
    d = json.loads(out)
    assert code == 0 and d["changepoints"] == [] and d["segments"][0]["rate"] == 0.0
    assert d["segments"][0]["ci_low"] == 0.0 and d["segments"][0]["ci_high"] == pytest.approx(-np.log(0.025) / 20, rel=1e-10)


def test_process_json_only_and_no_heavy_imports(data_dir):
    """A real process: one JSON object on stdout; statsmodels/matplotlib/dask never load."""
    code = ("import sys, runpy; sys.argv=['incident-trends','changepoints',%r,'--time','year',"
            "'--count','count','--min-size','2','--format','json'];"
            "from analysis.cli import main; rc=main();"
            "bad=[m for m in ('statsmodels','matplotlib','dask') if m in sys.modules];"
            "sys.stderr.write('HEAVY:'+','.join(bad)); sys.exit(rc)") % str(data_dir / "coal_mining_disasters.csv")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)["changepoints"] == [{"index": 41, "time": "1892"}]
    assert p.stderr.strip().endswith("HEAVY:")


def test_events_attribution(tmp_path, capsys):
    rng = np.random.default_rng(1)
    days = pd.date_range("2024-01-01", periods=120, freq="D").strftime("%Y-%m-%d")
    y = rng.poisson(np.r_[np.full(60, 2.0), np.full(60, 7.0)])
    f = tmp_path / "s.csv"
    pd.DataFrame({"day": days, "n": y}).to_csv(f, index=False)
    ev = tmp_path / "events.csv"
    pd.DataFrame({"event_id": ["E1", "E2"], "date": ["2024-02-27", "2024-04-15"], "end_date": ["", ""],
                  "kind": ["ceasefire", "talks"], "label": ["a", "b"], "source_url": ["", ""]}
                 ).to_csv(ev, index=False)
    code, out, err = _run(["changepoints", str(f), "--time", "day", "--count", "n", "--events", str(ev),
                           "--window", "7", "--format", "json"], capsys)
    assert code == 0, err
    d = json.loads(out)
    assert d["changepoints"] == [{"index": 60, "time": "2024-03-01"}]
    a = d["attribution"][0]
    assert a["index"] == 60 and a["nearest_event"] == "E1" and a["lag_days"] == 3
    assert 0 < d["alignment"]["p_value"] <= 1 and d["alignment"]["draws"] > 0


def test_console_script_exit_codes_and_one_json_object(tmp_path):
    """The installed ``incident-trends`` script in real processes (run concurrently):
    0 with exactly one JSON object on stdout, 1 for bad data (message naming file, row
    and column on stderr, nothing on stdout), 2 for bad usage, never a traceback."""
    from pathlib import Path

    script = Path(sys.executable).parent / "incident-trends"
    assert script.exists()

    def table(name, rows, head="month,n"):
        f = tmp_path / name
        f.write_text(head + "\n" + "\n".join(rows) + "\n")
        return str(f)

    months = [f"2023-{m:02d}" for m in range(1, 13)] + [f"2024-{m:02d}" for m in range(1, 13)]
    good = table("good.csv", [f"{t},{v}" for t, v in zip(months, [1] * 12 + [9] * 12)])
    cases = {
        "ok": ([good], 0, None),
        "nan": ([table("nan.csv", ["2024-01,1", "2024-02,NaN", "2024-03,2"])], 1, "row 3, column 'n'"),
        "negative": ([table("neg.csv", ["2024-01,1", "2024-02,-3", "2024-03,2"])], 1,
                     "row 3, column 'n': count -3 is negative"),
        "fraction": ([table("frac.csv", ["2024-01,1", "2024-02,2", "2024-03,2.5"])], 1,
                     "row 4, column 'n': count 2.5 is not a whole number"),
        "too_few": ([table("few.csv", ["2024-01,1", "2024-02,2"]), "--min-size", "3"], 1,
                    "few.csv: the series has 2 rows, fewer than the minimum segment length 3"),
        "unknown_cost": ([good, "--cost", "l1"], 2, "invalid choice"),
        "meanvar_min_size_1": ([good, "--cost", "normal-meanvar", "--min-size", "1"], 2,
                               "`min_size` must be at least 2"),
        "negbin_alpha": ([good, "--cost", "negbin", "--alpha", "-1"], 2, "`alpha` must be a positive"),
    }
    procs = {k: subprocess.Popen([str(script), "changepoints", *argv[:1], "--time", "month", "--count", "n",
                                  *argv[1:], "--format", "json"],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for k, (argv, _, _) in cases.items()}
    for k, p in procs.items():
        out, err = p.communicate(timeout=120)
        _, code, msg = cases[k]
        assert p.returncode == code, (k, err)
        assert "Traceback" not in err, (k, err)
        if code:
            assert out == "" and msg in err, (k, err)
            continue
        d = json.loads(out)  # exactly one object: json.loads rejects trailing text
        assert out.count("\n") == 1
        assert list(d) == ["cost", "method", "penalty", "changepoints", "segments", "pruning",
                           "exposure", "rate_unit"]
        assert d["pruning"] == "exact"
        assert d["changepoints"] == [{"index": 12, "time": "2024-01"}]  # label as written
        assert [set(s) >= {"start", "end", "n", "rate", "ci_low", "ci_high"} for s in d["segments"]] == [True] * 2
        assert [(s["start"], s["end"], s["n"], s["rate"]) for s in d["segments"]] == [(0, 12, 12, 1.0),
                                                                                      (12, 24, 12, 9.0)]


def test_pruning_rule_reported(tmp_path, capsys):
    """--pruning auto is exact at any length, also with MBIC beyond 10,000 rows (where it
    used R's rule before the exact rule held long segments back); --pruning r runs R's
    rule; the JSON says which rule ran."""
    f = tmp_path / "long.csv"
    n = 10_001
    pd.DataFrame({"t": np.arange(n), "n": np.random.default_rng(0).poisson(2.0, n)}).to_csv(f, index=False)
    rules = {}
    for pen in ("mbic", "bic"):
        code, out, err = _run(["changepoints", str(f), "--time", "t", "--count", "n", "--penalty", pen,
                               "--format", "json"], capsys)
        assert code == 0, err
        rules[pen] = json.loads(out)["pruning"]
    assert rules == {"mbic": "exact", "bic": "exact"}
    code, out, _ = _run(["changepoints", str(f), "--time", "t", "--count", "n", "--pruning", "r",
                         "--format", "json"], capsys)
    assert json.loads(out)["pruning"] == "r"


def test_text_output_counts_changes_in_words(data_dir, capsys):
    code, out, _ = _run(["changepoints", str(data_dir / "coal_mining_disasters.csv"), "--time", "year",
                         "--count", "count", "--min-size", "2"], capsys)
    assert code == 0
    assert out.splitlines()[1] == "1 change: 1892 (row 41)"
