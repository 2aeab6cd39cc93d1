"""``incident-trends fit``: JSON contract, options and exit codes."""

from __future__ import annotations

import json

import numpy as np
import pytest
from numpy.testing import assert_allclose

from analysis.cli import main
from analysis.models import fit_counts
from analysis.synthetic import nb_level_change

KEYS = ["family", "n", "terms", "dispersion", "aic", "bic", "llf", "offset", "rate_unit",
        "pearson_chi2", "pearson_dispersion", "alpha", "alpha_se", "alpha_ci", "theta", "theta_se",
        "ci", "ci_dist", "level", "intercept"]
TERM_KEYS = ["name", "estimate", "se", "rate_ratio", "ci_low", "ci_high", "p_value"]


@pytest.fixture(scope="module")
def weekly(tmp_path_factory):
    s, truth = nb_level_change(n=60, change_at=30, seed=4)
    d = tmp_path_factory.mktemp("fit")
    path = d / "weekly.csv"
    lines = ["week,attacks,days"] + [f"{lab},{int(c)},7" for lab, c in zip(s.labels, s.counts)]
    path.write_text("\n".join(lines) + "\n")
    return s, truth, path, d


def run_json(capsys, *argv):
    rc = main(["fit", *map(str, argv), "--format", "json"])
    out, err = capsys.readouterr()
    return rc, (json.loads(out) if rc == 0 else None), err


def test_json_contract_and_values(weekly, capsys):
    s, truth, path, _ = weekly
    date = str(truth["change_date"].date())
    rc, res, _ = run_json(capsys, path, "--time", "week", "--count", "attacks", "--exposure", "days",
                          "--family", "negbin", "--trend", "--event", f"{date}:level+slope",
                          "--event", f"{date}:pulse")
    assert rc == 0
    assert list(res) == KEYS
    assert [t["name"] for t in res["terms"]] == ["intercept", "trend", f"level:{date}",
                                                 f"slope:{date}", f"pulse:{date}"]
    assert all(list(t) == TERM_KEYS for t in res["terms"])
    fit = fit_counts(s, family="negbin", trend=True, events=[f"{date}:level+slope", f"{date}:pulse"],
                     exposure="days")
    assert res["offset"] == "log(days)" and res["rate_unit"] == "per day"
    assert res["n"] == 60 and res["family"] == "negbin"
    assert_allclose([t["estimate"] for t in res["terms"]], fit.params.to_numpy(), rtol=1e-10)
    assert_allclose([res["aic"], res["bic"], res["llf"], res["dispersion"]],
                    [fit.aic, fit.bic, fit.llf, fit.dispersion], rtol=1e-10)


def test_level_option_and_quasipoisson_nulls(weekly, capsys):
    _, truth, path, _ = weekly
    date = str(truth["change_date"].date())
    base = [path, "--time", "week", "--count", "attacks", "--family", "quasipoisson", "--event", date]
    _, r95, _ = run_json(capsys, *base)
    _, r80, _ = run_json(capsys, *base, "--level", "0.8")
    t95, t80 = r95["terms"][1], r80["terms"][1]
    assert t95["name"] == f"level:{date}" and t95["estimate"] == t80["estimate"]
    assert t95["ci_low"] < t80["ci_low"] < t80["ci_high"] < t95["ci_high"]
    assert r95["aic"] is None and r95["llf"] is None and r95["bic"] is None
    assert r95["dispersion"] > 1


def test_events_file_drops_outside_events(weekly, capsys):
    s, truth, path, d = weekly
    date = str(truth["change_date"].date())
    ev = d / "events.csv"
    ev.write_text(f"event_id,date,end_date,kind,label\nE1,{date},,attack,inside\n"
                  "E2,2015-01-01,,talks,long before\n")
    rc, res, err = run_json(capsys, path, "--time", "week", "--count", "attacks", "--family", "poisson",
                            "--events-file", ev, "--events-kind", "level")
    assert rc == 0
    assert [t["name"] for t in res["terms"]] == ["intercept", f"level:{date}"]
    assert "2015-01-01 is outside the series" in err


def test_text_output(weekly, capsys):
    _, truth, path, _ = weekly
    rc = main(["fit", str(path), "--time", "week", "--count", "attacks", "--family", "poisson",
               "--seasonality", "fourier:1", "--cov-type", "HAC", "--quiet"])
    out, err = capsys.readouterr()
    assert rc == 0 and out.startswith("family poisson, n = 60") and err == ""  # --quiet
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = fit_counts(weekly[0], family="poisson", seasonality="fourier:1", cov_type="HAC")
    assert out.splitlines()[1].startswith("offset none; rates per week")
    rows = {line.split()[0]: line.split()[1:] for line in out.splitlines()[4:]}
    assert list(rows) == ["intercept", "sin1", "cos1"]
    for name, vals in rows.items():
        r = fit.terms.set_index("name").loc[name]
        assert_allclose([float(v) for v in vals[:5]],
                        r[["estimate", "se", "rate_ratio", "ci_low", "ci_high"]].to_numpy(float), rtol=1e-5)
    assert f"AIC {fit.aic:.6g}" in out


def test_errors_and_exit_codes(weekly, capsys, tmp_path):
    _, _, path, _ = weekly
    rc, _, err = run_json(capsys, path, "--time", "week", "--count", "attacks", "--family", "poisson",
                          "--event", "2030-01-01")
    assert rc == 1 and f"{path}: event 2030-01-01 is outside the series" in err
    rc, _, err = run_json(capsys, path, "--time", "wk", "--count", "attacks", "--family", "poisson")
    assert rc == 1 and "column 'wk'" in err and "weekly.csv" in err
    bad = tmp_path / "bad.csv"
    bad.write_text("week,attacks\n2024-W01,3\n2024-W02,three\n")
    rc, _, err = run_json(capsys, bad, "--time", "week", "--count", "attacks", "--family", "poisson")
    assert rc == 1 and "row 3" in err and "'attacks'" in err
    zero = tmp_path / "zero.csv"
    zero.write_text("month,n\n" + "".join(f"2024-{m:02d},0\n" for m in range(1, 13)))
    rc, _, err = run_json(capsys, zero, "--time", "month", "--count", "n", "--family", "negbin")
    assert rc == 1 and f"{zero}: every count is zero" in err
    for argv in (["--family", "gamma"], ["--family", "poisson", "--event", "2024-01-01:step"],
                 ["--family", "poisson", "--level", "95"], ["--family", "poisson", "--seasonality", "weekly"]):
        with pytest.raises(SystemExit) as exc:
            main(["fit", str(path), "--time", "week", "--count", "attacks", *argv])
        assert exc.value.code == 2
    capsys.readouterr()


def test_monthly_fractional_event_through_cli(tmp_path, capsys):
    rng = np.random.default_rng(9)
    y = np.r_[rng.poisson(20, 12), rng.poisson(10, 12)]
    f = tmp_path / "m.csv"
    f.write_text("month,n\n" + "".join(f"{2022 + i // 12}-{i % 12 + 1:02d},{v}\n" for i, v in enumerate(y)))
    rc, res, _ = run_json(capsys, f, "--time", "month", "--count", "n", "--family", "poisson",
                          "--event", "2022-12-16")
    assert rc == 0
    from analysis import CountSeries
    s = CountSeries.from_counts(y, start="2022-01", freq="M")
    fit = fit_counts(s, family="poisson", events=["2022-12-16"])
    # December 2022 has 31 days, 16 of them (16th..31st) on or after the event
    assert_allclose(fit.design.exog["level:2022-12-16"].to_numpy()[10:14], [0, 16 / 31, 1, 1], rtol=0, atol=1e-15)
    rr = res["terms"][1]
    assert rr["name"] == "level:2022-12-16"
    for t, (_, row) in zip(res["terms"], fit.terms.iterrows()):
        assert_allclose([t[c] for c in TERM_KEYS[1:]], row[TERM_KEYS[1:]].to_numpy(float), rtol=1e-10)
    # the two halves are 12 months of rate 20 and 12 of rate 10: the ratio is near 0.5
    assert 0.4 < rr["rate_ratio"] < 0.6 and rr["ci_low"] < 0.5 < rr["ci_high"]


# --------------------------------------------------------------------- the console script
def _console():
    import shutil
    import sys
    from pathlib import Path
    exe = Path(sys.executable).with_name("incident-trends")
    if exe.exists():
        return [str(exe)]
    found = shutil.which("incident-trends")  # installed elsewhere on PATH
    return [found] if found else [sys.executable, "-m", "analysis.cli"]


#: name -> (file text, extra arguments, exit code, texts the stderr must hold)
SUBPROCESS_CASES = {
    "ok_with_warning": ("week,attacks\n2024-W01,3\n2024-W02,4\n2024-W03,5\n2024-W04,2\n2024-W05,8\n",
                        ["--family", "negbin", "--event", "2024-01-17"], 0,
                        ["warning:", "boundary 0"]),
    "missing_column": ("week,n\n2024-W01,3\n", ["--family", "poisson"], 1,
                       ["case.csv", "row 1", "column 'attacks'"]),
    "unparseable_time": ("week,attacks\n2024-W01,3\n2024-13-45,4\n2024-W03,5\n", ["--family", "poisson"], 1,
                         ["case.csv", "row 3", "column 'week'", "2024-13-45"]),
    "negative_count": ("week,attacks\n2024-W01,3\n2024-W02,-4\n2024-W03,5\n", ["--family", "poisson"], 1,
                       ["case.csv", "row 3", "column 'attacks'", "-4"]),
    "unknown_family": ("week,attacks\n2024-W01,3\n2024-W02,4\n", ["--family", "gamma"], 2,
                       ["invalid choice: 'gamma'"]),
}


@pytest.fixture(scope="module")
def console_runs(tmp_path_factory):
    """Every case of SUBPROCESS_CASES through the console script, run concurrently."""
    import subprocess
    procs = {}
    for name, (text, extra, _, _) in SUBPROCESS_CASES.items():
        d = tmp_path_factory.mktemp(name)
        (d / "case.csv").write_text(text)
        time_col = text.split(",", 1)[0]
        procs[name] = subprocess.Popen(
            [*_console(), "fit", "case.csv", "--time", time_col, "--count", "attacks", *extra,
             "--format", "json"], cwd=d, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return {name: (p.wait(timeout=120), p.stdout.read(), p.stderr.read()) for name, p in procs.items()}


@pytest.mark.parametrize("name", list(SUBPROCESS_CASES))
def test_console_script_exit_codes_and_streams(console_runs, name):
    rc, out, err = console_runs[name]
    _, _, want_rc, texts = SUBPROCESS_CASES[name]
    assert rc == want_rc, err
    assert "Traceback" not in err
    for t in texts:
        assert t in err
    if rc == 0:  # exactly one JSON object on stdout, nothing else; warnings on stderr
        assert out.endswith("}\n") and out.count("\n") == 1
        res = json.loads(out)
        assert list(res) == KEYS and res["family"] == "negbin"
    else:
        assert out == ""


def test_negative_count_and_bad_hac_lag_in_process(weekly, capsys, tmp_path):
    _, _, path, _ = weekly
    f = tmp_path / "inf.csv"
    f.write_text("week,attacks\n2024-W01,3\n2024-W02,inf\n2024-W03,2\n")
    rc, _, err = run_json(capsys, f, "--time", "week", "--count", "attacks", "--family", "poisson")
    assert rc == 1 and "inf.csv, row 3, column 'attacks'" in err and "not finite" in err
    with pytest.raises(SystemExit) as exc:
        main(["fit", str(path), "--time", "week", "--count", "attacks", "--family", "poisson",
              "--cov-type", "HAC", "--hac-maxlags", "-1"])
    assert exc.value.code == 2
    rc = main(["fit", str(path), "--time", "week", "--count", "attacks", "--family", "poisson",
               "--seasonality", "fourier:30"])
    _, err = capsys.readouterr()
    assert rc == 2 and "must be below 26.09" in err and "Traceback" not in err


def test_explicit_event_outside_is_an_error_even_with_an_events_file(weekly, capsys):
    _, _, path, d = weekly
    ev = d / "events_ok.csv"
    ev.write_text("event_id,date,end_date,kind,label\nE2,2015-01-01,,talks,long before\n")
    rc, _, err = run_json(capsys, path, "--time", "week", "--count", "attacks", "--family", "poisson",
                          "--events-file", ev, "--event", "2030-01-01")
    assert rc == 1 and "event 2030-01-01 is outside the series" in err
