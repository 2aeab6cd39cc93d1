"""Panels: the same per-series task over every group, sequential and on Dask."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from analysis.panel import run_panel, summary_task
from analysis.synthetic import piecewise_poisson


def _panel_frame(n_groups=50, seed0=0):
    frames = []
    for g in range(n_groups):
        s, _ = piecewise_poisson((1.0 + g % 3, 6.0, 2.0), (30, 30, 30), seed=seed0 + g,
                                 freq="W", start="2021-01-04")
        frames.append(s.data.assign(country=f"C{g % 5}", region=f"R{g:02d}"))
    return pd.concat(frames, ignore_index=True)


@pytest.fixture(scope="module")
def frame():
    f = _panel_frame()
    # one broken series: a negative count must be recorded, not stop the run
    f.loc[f["region"] == "R07", "count"] = -1.0
    return f


@pytest.fixture(scope="module")
def sequential(frame):
    return run_panel(frame, ["country", "region"], scheduler="sequential", freq="W", progress=False)


def test_sequential_table_has_one_row_per_group_with_known_changes(sequential):
    assert len(sequential) == 50
    assert list(sequential.columns[:4]) == ["country", "region", "n", "total"]
    assert sequential[["country", "region"]].equals(
        sequential[["country", "region"]].sort_values(["country", "region"]).reset_index(drop=True))
    ok = sequential[sequential["error"].isna()]
    assert len(ok) == 49
    # true changes at rows 30 and 60; MBIC finds two changes near them
    assert (ok["n_changes"] == 2).mean() > 0.9
    two = ok[ok["n_changes"] == 2]
    dist = np.abs(np.array(two["change_index"].tolist()) - [30, 60])
    assert np.all(dist <= 5) and np.median(dist) <= 1
    # segment rates are the segment means (count per week)
    row = ok.iloc[0]
    f = _panel_frame(1, seed0=0)
    a, b = row["change_index"]
    y = f["count"].to_numpy()
    assert row["segment_rates"] == pytest.approx((y[:a].mean(), y[a:b].mean(), y[b:].mean()))


def test_failing_series_is_recorded_with_its_error(sequential):
    bad = sequential[sequential["region"] == "R07"].iloc[0]
    assert "count" in bad["error"] and bad["error"].startswith("InputError")
    assert pd.isna(bad["n_changes"]) and bad["n"] == 90


def test_dask_local_cluster_equals_sequential_exactly(frame, sequential):
    dask = run_panel(frame, ["country", "region"], scheduler="local", n_workers=2, freq="W",
                     progress=False)
    pd.testing.assert_frame_equal(dask, sequential, check_exact=True)


def test_chunk_size_does_not_change_the_table(frame, sequential):
    one = run_panel(frame, ["country", "region"], scheduler="sequential", chunk_size=1, freq="W",
                    progress=False)
    pd.testing.assert_frame_equal(one, sequential, check_exact=True)


def test_countseries_input_and_summary_task():
    f = _panel_frame(4)
    from analysis.series import CountSeries
    s = CountSeries(f, freq="W", groups=("country", "region"))
    tab = run_panel(s, task=summary_task, scheduler="sequential", progress=False)
    assert tab["region"].tolist() == ["R00", "R01", "R02", "R03"]
    y = f.loc[f["region"] == "R02", "count"].to_numpy()
    r = tab.iloc[2]
    assert r["total"] == y.sum() and r["mean"] == pytest.approx(y.mean())
    # fully observed weeks: events per week (the units rule)
    assert r["rate"] == pytest.approx(y.sum() / len(y)) and r["rate_unit"] == "per week"


def test_bad_arguments_name_the_argument(frame):
    with pytest.raises(ValueError, match="task must be one of"):
        run_panel(frame, ["country"], task="nope", scheduler="sequential")
    with pytest.raises(ValueError, match="groups: no column"):
        run_panel(frame, ["province"], scheduler="sequential")
    with pytest.raises(ValueError, match="n_workers"):
        run_panel(frame, ["country"], n_workers=0)
    with pytest.raises(TypeError, match="CountSeries or a DataFrame"):
        run_panel([1, 2, 3], ["country"])


def test_cli_panel_on_reports_file_json(tmp_path, repo):
    from analysis.synthetic import acled_like_reports
    table, _ = acled_like_reports(3000, n_groups=6, days=2 * 365, seed=5)
    path = tmp_path / "acled.csv"
    table.to_csv(path, index=False)
    out = tmp_path / "panel.csv"
    proc = subprocess.run(
        [sys.executable, "-m", "analysis.cli", "panel", str(path), "--group", "country",
         "--group", "event_type", "--scheduler", "sequential", "--format", "json",
         "--out", str(out)], capture_output=True, text=True, cwd=repo)
    assert proc.returncode == 0, proc.stderr
    res = json.loads(proc.stdout)
    assert res["groups"] == ["country", "x_event_type"] and res["n_failed"] == 0
    tab = pd.read_csv(out)
    assert len(tab) == res["n_series"] == 6
    # every row has its own event_id_cnty: a coded event dataset counts each row
    assert tab["total"].sum() == 3000
    proc = subprocess.run(
        [sys.executable, "-m", "analysis.cli", "panel", str(path), "--group", "country",
         "--dedupe", "reports", "--scheduler", "sequential", "--format", "json",
         "--out", str(out)], capture_output=True, text=True, cwd=repo)
    assert proc.returncode == 0, proc.stderr
    assert pd.read_csv(out)["total"].sum() == 3000 - 300  # matched as reports: 10% merged


def test_cli_usage_and_data_errors(tmp_path, repo):
    bad = tmp_path / "bad.csv"
    bad.write_text("event_id_cnty,event_date,time_precision,country\nA1,2024-13-01,1,Iraq\n")
    proc = subprocess.run([sys.executable, "-m", "analysis.cli", "panel", str(bad), "--group",
                           "country", "--scheduler", "sequential"], capture_output=True, text=True,
                          cwd=repo)
    assert proc.returncode == 1 and "row 2" in proc.stderr and "event_date" in proc.stderr
    proc = subprocess.run([sys.executable, "-m", "analysis.cli", "panel", str(bad)],
                          capture_output=True, text=True, cwd=repo)
    assert proc.returncode == 2


def test_panel_row_equals_the_task_on_the_countseries(frame, sequential):
    """The panel's light row view gives what the task gives on a full CountSeries."""
    from analysis.panel import changepoint_task
    from analysis.series import CountSeries
    sub = frame[frame["region"] == "R12"].drop(columns=["country", "region"])
    direct = changepoint_task(CountSeries(sub, freq="W"))
    row = sequential[sequential["region"] == "R12"].iloc[0]
    for k, v in direct.items():
        assert row[k] == v, k
