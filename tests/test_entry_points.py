"""One answer per entry point: the CLI, the Python API and ``panel`` give the same series,
and ``fit``/``changepoints`` read back what ``normalize`` writes (its intervals and
exposure), so a normalised file gives the numbers the in-memory series gives."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.changepoints import detect_changepoints
from analysis.cli import main
from analysis.io import read_reports
from analysis.models import fit_counts
from analysis.normalize import normalize
from analysis.panel import run_panel
from analysis.series import CountSeries


def _events(path: Path, seed: int = 11) -> Path:
    """Seeded synthetic ACLED-shaped file (labelled synthetic): from Saturday 2022-01-01,
    30 weeks; Brazil at 2 events a day throughout, India at 1 a day then 4 a day from
    2022-04-02; a quarter of the rows with time_precision 2 (week)."""
    rng = np.random.default_rng(seed)
    days = pd.date_range("2022-01-01", periods=30 * 7, freq="D")
    rows = []
    for country, rates in (("Brazil", (2.0, 2.0)), ("India", (1.0, 4.0))):
        for d in days:
            lam = rates[1] if d >= pd.Timestamp("2022-04-02") else rates[0]
            for _ in range(rng.poisson(lam)):
                rows.append((f"SYN{len(rows) + 1}", d.strftime("%Y-%m-%d"),
                             2 if rng.random() < 0.25 else 1, country,
                             f"Place {rng.integers(40)}", "Battles"))
    pd.DataFrame(rows, columns=["event_id_cnty", "event_date", "time_precision", "country",
                                "location", "event_type"]).to_csv(path, index=False)
    return path


def cli(capsys, *argv):
    """Run the command in-process: ``(exit code, JSON object or None, stderr)``."""
    capsys.readouterr()
    rc = main([str(a) for a in argv])
    cap = capsys.readouterr()
    as_json = rc == 0 and "json" in [str(a) for a in argv]
    return rc, (json.loads(cap.out) if as_json else None), cap.err


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("entry")
    src = _events(d / "events.csv")
    india = d / "india.csv"
    t = pd.read_csv(src)
    t[t["country"] == "India"].to_csv(india, index=False)
    return {"dir": d, "events": src, "india": india}


def test_cli_normalize_api_and_panel_give_one_series(files, capsys):
    out = files["dir"] / "series.csv"
    rc, summary, err = cli(capsys, "normalize", "--reports", files["events"], "--group", "country",
                           "--out", out, "--format", "json", "--quiet")
    assert rc == 0, err
    api = normalize(read_reports(files["events"]), groups=("country",))
    back = CountSeries.read_csv(out, groups=("country",))
    assert back.freq == "W" == api.series.freq
    cols = ["start", "end", "count", "exposure", "n_reports", "country"]
    pd.testing.assert_frame_equal(back.data[cols], api.series.data[cols], check_dtype=False)
    assert summary["total_count"] == api.series.total == len(pd.read_csv(files["events"]))
    # the first ISO week holds Saturday and Sunday only: exposure 2 days
    assert back.data.groupby("country")["exposure"].first().tolist() == [2.0, 2.0]
    # panel normalises the same file the same way
    rc, pan, err = cli(capsys, "panel", files["events"], "--group", "country", "--task", "summary",
                       "--scheduler", "sequential", "--engine", "pandas", "--format", "json", "--quiet")
    assert rc == 0, err
    rows = {r["country"]: r for r in pan["rows"]}
    for (country,), sub in api.series.iter_groups():
        assert rows[country]["n"] == sub.n
        assert rows[country]["total"] == pytest.approx(sub.total, abs=1e-9)
        assert rows[country]["exposure"] == pytest.approx(float(sub.exposure.sum()), abs=1e-9)
        assert rows[country]["rate_unit"] == "per week"


@pytest.mark.parametrize("suffix", ["csv", "parquet"])
def test_changepoints_reads_normalize_output_as_the_in_memory_series(files, capsys, suffix):
    out = files["dir"] / f"india_series.{suffix}"
    rc, _, err = cli(capsys, "normalize", "--reports", files["india"], "--out", out, "--quiet")
    assert rc == 0, err
    series = normalize(read_reports(files["india"])).series
    assert series.data["exposure"].iloc[0] == 2.0 and not series.fully_observed
    rc, res, err = cli(capsys, "changepoints", out, "--time", "start", "--count", "count",
                       "--format", "json")
    assert rc == 0, err
    mem = detect_changepoints(series, method="pelt", cost="poisson", penalty="mbic")
    assert [c["index"] for c in res["changepoints"]] == list(mem.changepoints)
    assert len(mem.changepoints) == 1  # the change in India's rate, not an edge artefact
    assert [s["n"] for s in res["segments"]] == mem.segments["n"].tolist()
    np.testing.assert_allclose([s["rate"] for s in res["segments"]], mem.segments["rate"], rtol=1e-12)
    assert res["exposure"] == "period_exposure" and res["rate_unit"] == "per week"
    # rates per week: the later segment is near 4 a day = 28 a week, not 4 (one-day rows)
    assert res["segments"][-1]["rate"] == pytest.approx(28, rel=0.15)
    # panel's changepoint task on the same file: the same changes and rates
    tab = run_panel(series.data.assign(country="India"), ["country"], scheduler="sequential",
                    freq="W", progress=False)
    assert list(tab.loc[0, "change_index"]) == list(mem.changepoints)
    np.testing.assert_allclose(tab.loc[0, "segment_rates"], mem.segments["rate"], rtol=1e-12)


def test_fit_reads_normalize_output_as_the_in_memory_series(files, capsys):
    out = files["dir"] / "india_fit.csv"
    rc, _, err = cli(capsys, "normalize", "--reports", files["india"], "--out", out, "--quiet")
    assert rc == 0, err
    series = normalize(read_reports(files["india"])).series
    rc, res, err = cli(capsys, "fit", out, "--time", "start", "--count", "count", "--family",
                       "poisson", "--trend", "--event", "2022-04-02", "--format", "json", "--quiet")
    assert rc == 0, err
    mem = fit_counts(series, family="poisson", trend=True, events=["2022-04-02"]).to_dict()
    assert res["n"] == mem["n"] == series.n == 31  # weeks, not one-day periods
    assert res["offset"] == mem["offset"] == "log(period_exposure)"
    assert res["rate_unit"] == mem["rate_unit"] == "per week"
    assert [t["name"] for t in res["terms"]] == [t["name"] for t in mem["terms"]]
    for a, b in zip(res["terms"], mem["terms"]):
        for k in ("estimate", "se", "ci_low", "ci_high"):
            assert a[k] == pytest.approx(b[k], rel=1e-10, abs=1e-12)
    assert res["aic"] == pytest.approx(mem["aic"], rel=1e-12)
    # the step from 1 to 4 events a day: a rate ratio near 4
    level = next(t for t in res["terms"] if t["name"].startswith("level:"))
    assert level["rate_ratio"] == pytest.approx(4, rel=0.2)


def test_fully_observed_normalize_output_has_no_offset_and_plain_tables_none(files, capsys):
    out = files["dir"] / "full.csv"
    # a window of whole ISO weeks: every bin observed in full
    rc, _, err = cli(capsys, "normalize", "--reports", files["india"], "--window",
                     "2022-01-03:2022-07-24", "--out", out, "--quiet")
    assert rc == 0, err
    rc, res, err = cli(capsys, "fit", out, "--time", "start", "--count", "count", "--family",
                       "poisson", "--format", "json", "--quiet")
    assert rc == 0, err
    assert res["offset"] is None and res["rate_unit"] == "per week" and res["n"] == 29
    # the same counts as a plain table of ISO-week labels: no offset unless asked, same fit
    t = pd.read_csv(out)
    plain = files["dir"] / "plain.csv"
    weeks = CountSeries.from_intervals(t, label=None).labels
    assert weeks[:2] == ["2022-W01", "2022-W02"]
    pd.DataFrame({"week": weeks, "n": t["count"]}).to_csv(plain, index=False)
    rc, res2, err = cli(capsys, "fit", plain, "--time", "week", "--count", "n", "--family",
                        "poisson", "--trend", "--format", "json")
    assert rc == 0 and "periods missing" not in err, err
    assert res2["offset"] is None and res2["n"] == 29
    rc, trend, err = cli(capsys, "fit", out, "--time", "start", "--count", "count", "--family",
                         "poisson", "--trend", "--format", "json")
    assert rc == 0, err
    assert trend["terms"][1]["estimate"] == pytest.approx(res2["terms"][1]["estimate"], rel=1e-12)
    assert res2["terms"][0]["estimate"] == pytest.approx(trend["terms"][0]["estimate"], rel=1e-12)
    # an explicit column still wins: log(exposure) in days, rates per day
    rc, res3, err = cli(capsys, "fit", out, "--time", "start", "--count", "count", "--family",
                        "poisson", "--exposure", "exposure", "--format", "json", "--quiet")
    assert rc == 0, err
    assert res3["offset"] == "log(exposure)"
    assert np.exp(res3["terms"][0]["estimate"]) * 7 == pytest.approx(
        np.exp(res["terms"][0]["estimate"]), rel=1e-9)


def test_monthly_and_irregular_intervals_keep_their_frequency(tmp_path, capsys):
    t = pd.DataFrame({"start": ["2024-01-01", "2024-02-01", "2024-03-01"],
                      "end": ["2024-02-01", "2024-03-01", "2024-04-01"],
                      "count": [31, 29, 62], "exposure": [31, 29, 31]})
    assert CountSeries.from_intervals(t).freq == "M"
    p = tmp_path / "m.csv"
    t.to_csv(p, index=False)
    rc, res, err = cli(capsys, "changepoints", p, "--time", "start", "--count", "count",
                       "--penalty", "0", "--format", "json")
    assert rc == 0, err
    assert res["exposure"] is None and res["rate_unit"] == "per row"  # full months: per row
    irregular = t.assign(end=["2024-01-20", "2024-03-01", "2024-04-01"], exposure=[19, 29, 31])
    s = CountSeries.from_intervals(irregular)
    assert s.freq is None and s.rate_unit == "per day"


def test_grouped_or_broken_interval_files_are_refused_naming_row_and_column(files, tmp_path, capsys):
    grouped = files["dir"] / "grouped.csv"
    rc, _, err = cli(capsys, "normalize", "--reports", files["events"], "--group", "country",
                     "--out", grouped, "--quiet")
    assert rc == 0, err
    n_weeks = len(pd.read_csv(grouped)) // 2
    rc, _, err = cli(capsys, "fit", grouped, "--time", "start", "--count", "count", "--family", "poisson")
    assert rc == 1
    assert f"grouped.csv, row {n_weeks + 2}, column 'start'" in err and "'panel --group'" in err
    assert "Traceback" not in err
    bad = tmp_path / "bad.csv"
    pd.DataFrame({"start": ["2024-01-01", "2024-01-08"], "end": ["2024-01-08", "2024-01-15"],
                  "count": [1, 2], "exposure": [7, 9]}).to_csv(bad, index=False)
    rc, _, err = cli(capsys, "changepoints", bad, "--time", "start", "--count", "count")
    assert rc == 1 and "bad.csv, row 3, column 'exposure'" in err and "more than the 7 days" in err
    pd.DataFrame({"start": ["2024-01-01", "2024-01-08"], "end": ["2024-01-08", "2024-01-05"],
                  "count": [1, 2]}).to_csv(bad, index=False)
    rc, _, err = cli(capsys, "fit", bad, "--time", "start", "--count", "count", "--family", "poisson")
    assert rc == 1 and "bad.csv, row 3, column 'end'" in err
