"""Coded event datasets (ACLED, UCDP GED): one incident per exported row, windows that
start where the data start, rates in one unit."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.duck import normalize_duckdb
from analysis.io import read_reports
from analysis.normalize import normalize

UCDP = Path(__file__).parent / "data" / "real" / "ucdp_ged_23_1_car_482.csv"


@pytest.fixture(scope="module")
def ucdp():
    return read_reports(UCDP)


@pytest.mark.parametrize("allocate", ["start", "split"])
@pytest.mark.parametrize("freq", ["W", "M"])
def test_real_ucdp_export_counts_every_event(ucdp, allocate, freq):
    assert len(ucdp) == 1848
    res = normalize(ucdp, freq=freq, allocate=allocate)
    assert res.ledger.counts() == {"counted": 1848, "merged": 0, "excluded": 0}
    assert res.series.total == pytest.approx(1848, abs=1e-9)
    assert res.ledger.check_conservation(res.series)
    # the window is the span of GED's own dates, never widened
    assert res.window == (pd.Timestamp(ucdp["date_start"].min()), pd.Timestamp(ucdp["date_end"].max()))


def test_real_ucdp_ledger_names_the_event_id_and_reports_mode_merges(ucdp):
    res = normalize(ucdp, freq="M")
    first = res.ledger.table.iloc[0]
    assert first["reason"] == f"counted as its own event (UCDP GED id {ucdp['report_id'].iloc[0]})"
    with pytest.warns(Warning):
        matched = normalize(ucdp, freq="M", dedupe="reports")
    # matched as news reports the export loses events: the undercount this default avoids.
    # Complete linkage, coarse places and the violence type and actors keep it to 174
    # (single linkage merged 366, one incident joining 37 events over 265 days)
    assert matched.ledger.counts()["merged"] == 174
    assert matched.series.total == 1848 - 174
    v = matched.variants.merge(ucdp[["report_id", "date_start", "date_end"]], on="report_id")
    g = v[v["status"] != "excluded"].groupby("incident_id")
    assert (g["date_start"].max() - g["date_end"].min()).dt.days.max() <= 1  # window_days=1
    assert g.size().max() == 5


def test_dedupe_off_on_a_canonical_table_and_bad_mode():
    r = pd.DataFrame({"report_id": ["a", "b", "c"], "country": "Iraq",
                      "location": ["Erbil", "Erbil", "Baghdad"],
                      "date_start": pd.to_datetime(["2024-01-01", "2024-01-01", "2024-01-09"])})
    r["date_end"] = r["date_start"]
    assert normalize(r).series.total == 2  # a report collection is matched by default
    off = normalize(r, dedupe="off")
    assert off.series.total == 3 and off.ledger.counts()["merged"] == 0
    assert off.ledger.table["reason"].iloc[1] == "counted as its own event (report_id b)"
    with pytest.raises(ValueError, match="dedupe must be one of"):
        normalize(r, dedupe="links")


def _saturday_file(path: Path, seed: int = 4) -> Path:
    """Seeded synthetic ACLED-shaped file: 3 events a day from Saturday 2022-01-01 for 26
    weeks, a third of them with time_precision 2 (week), one rate throughout."""
    rng = np.random.default_rng(seed)
    days = pd.date_range("2022-01-01", periods=26 * 7, freq="D")
    rows = []
    for d in days:
        for _ in range(rng.poisson(3.0)):
            rows.append((f"BRA{len(rows) + 1}", d.strftime("%Y-%m-%d"),
                         2 if rng.random() < 1 / 3 else 1, "Brazil", f"Place {rng.integers(50)}"))
    pd.DataFrame(rows, columns=["event_id_cnty", "event_date", "time_precision", "country",
                                "location"]).to_csv(path, index=False)
    return path


def test_file_starting_on_a_saturday_has_no_edge_changepoint(tmp_path):
    from analysis.changepoints import Pelt

    p = _saturday_file(tmp_path / "sat.csv")
    n_rows = len(pd.read_csv(p))
    for res in (normalize(read_reports(p), freq="W"), normalize_duckdb(p, freq="W")):
        s = res.series
        assert res.window[0] == pd.Timestamp("2022-01-01")  # the data's first day, a Saturday
        assert s.data["exposure"].iloc[0] == 2.0  # Saturday and Sunday of the first ISO week
        assert s.total == n_rows
        seg = Pelt(cost="poisson").fit(s.counts, exposure=s.period_exposure).predict(penalty="mbic")
        assert list(seg.changepoints) == []


def test_cli_dedupe_option_and_help(tmp_path, repo):
    p = _saturday_file(tmp_path / "sat.csv")
    n_rows = len(pd.read_csv(p))
    out = tmp_path / "s.csv"
    for extra, merged in (([], 0), (["--dedupe", "reports"], None)):
        proc = subprocess.run([sys.executable, "-m", "analysis.cli", "normalize", "--reports", str(p),
                               "--out", str(out), "--format", "json", *extra],
                              capture_output=True, text=True, cwd=repo)
        assert proc.returncode == 0, proc.stderr
        res = json.loads(proc.stdout)
        if merged == 0:
            assert res["merged"] == 0 and pd.read_csv(out)["count"].sum() == n_rows
        else:
            assert res["merged"] > 0  # same place within a day: matched as reports
    help_ = subprocess.run([sys.executable, "-m", "analysis.cli", "normalize", "--help"],
                           capture_output=True, text=True, cwd=repo).stdout
    assert "--dedupe" in help_ and "UCDP GED" in help_
