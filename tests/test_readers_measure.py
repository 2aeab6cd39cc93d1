"""Fatalities as a measure: the series sums ACLED ``fatalities`` / UCDP GED ``best`` per bin
(GED's low/high as a band), and conservation holds for it: the sum of the series equals the
sum over the counted rows of the ledger, for every allocation rule and both engines."""

from __future__ import annotations

import json
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.duck import normalize_duckdb
from analysis.io import read_reports
from analysis.normalize import normalize
from analysis.schema import InputError

DATA = Path(__file__).parent / "data"
ACLED = DATA / "synthetic" / "acled_export_synthetic.csv"
UCDP = DATA / "real" / "ucdp_ged_23_1_car_482.csv"
FILES = {"acled": ACLED, "ucdp": UCDP}


@pytest.fixture(scope="module")
def frames():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # GED's 20 non-nested estimates
        return {k: read_reports(p) for k, p in FILES.items()}


def _counted_sum(res, col="fatalities"):
    t = res.ledger.table
    return float(t.loc[t["status"] == "counted", col].astype(float).sum())


@pytest.mark.parametrize("name", ["acled", "ucdp"])
@pytest.mark.parametrize("allocate", ["start", "split", "impute"])
@pytest.mark.parametrize("freq", ["W", "M"])
def test_fatality_series_total_equals_the_rows_fatalities(frames, name, allocate, freq):
    df = frames[name]
    res = normalize(df, freq=freq, allocate=allocate, measure="fatalities", seed=3, n_imputations=4)
    total = float(df["fatalities"].sum())  # the full data window: every row is counted
    assert total == {"acled": 353.0, "ucdp": 14948.0}[name]
    for _, sub in (res.series.data.groupby("imputation") if allocate == "impute"
                   else [(None, res.series.data)]):
        assert sub["count"].sum() == pytest.approx(total, abs=1e-8)
        if name == "ucdp":  # GED's range: low and high summed the same way
            assert sub["count_low"].sum() == pytest.approx(13721, abs=1e-8)
            assert sub["count_high"].sum() == pytest.approx(17760, abs=1e-8)
        else:
            assert "count_low" not in sub.columns
    assert _counted_sum(res) == total
    assert res.ledger.check_conservation(res.series)
    assert res.series.attrs["measure"] == "fatalities"


@pytest.mark.parametrize("name,window", [("acled", None), ("acled", "2022-03-01:2022-09-30"),
                                         ("ucdp", None), ("ucdp", "2019-03-10:2020-08-20")])
@pytest.mark.parametrize("allocate", ["start", "split"])
def test_both_engines_give_one_fatality_series_and_ledger(frames, name, allocate, window):
    a = normalize(frames[name], freq="W", allocate=allocate, measure="fatalities", window=window)
    b = normalize_duckdb(FILES[name], freq="W", allocate=allocate, measure="fatalities", window=window)
    pd.testing.assert_frame_equal(a.series.data, b.series.data)
    pd.testing.assert_frame_equal(a.ledger.table, b.ledger.table)
    for res in (a, b):
        assert res.ledger.check_conservation(res.series)
        assert res.series.total == pytest.approx(_counted_sum(res), abs=1e-8)


def test_windowed_total_is_the_counted_events_fatalities(frames):
    df = frames["ucdp"]
    w0, w1 = pd.Timestamp("2013-01-01"), pd.Timestamp("2014-12-31")
    res = normalize(df, freq="M", allocate="start", measure="fatalities", window=(w0, w1))
    inside = (df["date_start"] >= w0) & (df["date_start"] <= w1)
    assert res.series.total == float(df.loc[inside, "fatalities"].sum())
    assert res.ledger.counts()["counted"] == int(inside.sum())


def test_matched_reports_count_the_lowest_figure_and_conserve(frames):
    # dedupe="reports" merges rows as news reports: an incident adds its lowest figure
    df = frames["ucdp"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = normalize(df, freq="M", measure="fatalities", dedupe="reports")
    assert res.ledger.counts()["merged"] > 0
    # the lowest best of each incident's reports, from the reports themselves
    v = res.variants[["report_id", "incident_id"]].merge(
        df[["report_id", "fatalities"]], on="report_id")
    lowest = v.groupby("incident_id")["fatalities"].min()
    counted = res.incidents.loc[res.incidents["counted"], "incident_id"]
    want = float(lowest.loc[list(counted)].sum())
    assert res.series.total == want < 14948
    assert res.ledger.check_conservation(res.series)


def test_conservation_check_can_fail(frames):
    from analysis.normalize.ledger import Ledger

    res = normalize(frames["acled"], freq="M", measure="fatalities")
    t = res.ledger.table.copy()
    t.loc[0, "fatalities"] = t.loc[0, "fatalities"] + 5
    with pytest.raises(AssertionError, match="count sums to 353 but the counted reports rows of "
                                             "the ledger hold 358 fatalities"):
        Ledger(t).check_conservation(res.series)


@pytest.mark.parametrize("engine", ["pandas", "duckdb"])
def test_a_counted_event_without_a_figure_is_an_error(tmp_path, engine):
    p = tmp_path / "a.csv"
    p.write_text("event_id_cnty,event_date,time_precision,country,fatalities\n"
                 "A1,2022-02-23,1,Mali,2\nA2,2022-02-24,1,Mali,\n")
    msg = (f"^{p}, row 3, column 'fatalities': incident A2 is counted but no report of it gives "
           "a fatalities figure")
    with pytest.raises(InputError, match=msg):
        if engine == "pandas":
            normalize(read_reports(p), measure="fatalities")
        else:
            normalize_duckdb(p, measure="fatalities")
    # outside the window it is not counted, so no figure is needed
    got = (normalize(read_reports(p), measure="fatalities", window="2022-02-23:2022-02-23")
           if engine == "pandas" else
           normalize_duckdb(p, measure="fatalities", window="2022-02-23:2022-02-23"))
    assert got.series.total == 2.0


def test_bad_measure_and_tallies_only():
    with pytest.raises(ValueError, match="measure must be one of 'incidents', 'fatalities'"):
        normalize(pd.DataFrame({"report_id": ["a"], "country": "X",
                                "date_start": pd.to_datetime(["2024-01-01"]),
                                "date_end": pd.to_datetime(["2024-01-01"])}), measure="deaths")


# ------------------------------------------------------------------ property tests
@st.composite
def acled_rows(draw):
    n = draw(st.integers(1, 40))
    days = draw(st.lists(st.integers(0, 120), min_size=n, max_size=n))
    prec = draw(st.lists(st.sampled_from([1, 1, 2, 3]), min_size=n, max_size=n))
    fat = draw(st.lists(st.integers(0, 50), min_size=n, max_size=n))
    d = pd.Timestamp("2022-01-01") + pd.to_timedelta(days, unit="D")
    return pd.DataFrame({"event_id_cnty": [f"SYN{i}" for i in range(n)],
                         "event_date": d.strftime("%d %B %Y"), "time_precision": prec,
                         "country": "SYN-A", "location": [f"Town {i % 3}" for i in range(n)],
                         "fatalities": fat})


@st.composite
def windows(draw):
    if draw(st.booleans()):
        return None
    a = draw(st.integers(-20, 100))
    b = draw(st.integers(a, 140))
    t0 = pd.Timestamp("2022-01-01")
    return ((t0 + pd.Timedelta(days=a)).date().isoformat(), (t0 + pd.Timedelta(days=b)).date().isoformat())


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(table=acled_rows(), window=windows(), allocate=st.sampled_from(["start", "split", "impute"]),
       freq=st.sampled_from(["D", "W", "M"]))
def test_property_fatality_conservation_pandas(tmp_path, table, window, allocate, freq):
    p = tmp_path / "h.csv"
    table.to_csv(p, index=False)
    res = normalize(read_reports(p), freq=freq, allocate=allocate, window=window,
                    measure="fatalities", n_imputations=3, seed=1)
    assert res.ledger.check_conservation(res.series)
    counted = res.ledger.table["status"] == "counted"
    ids = res.ledger.table.loc[counted, "record_id"]
    want = float(table.set_index("event_id_cnty").loc[list(ids), "fatalities"].sum())
    m = 3 if allocate == "impute" else 1
    assert res.series.total == pytest.approx(m * want, abs=1e-8)
    if window is None:
        assert want == float(table["fatalities"].sum())


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(table=acled_rows(), window=windows(), allocate=st.sampled_from(["start", "split"]),
       freq=st.sampled_from(["D", "W", "M"]))
def test_property_engines_agree_on_fatalities(tmp_path, table, window, allocate, freq):
    p = tmp_path / "h.csv"
    table.to_csv(p, index=False)
    a = normalize(read_reports(p), freq=freq, allocate=allocate, window=window, measure="fatalities")
    b = normalize_duckdb(p, freq=freq, allocate=allocate, window=window, measure="fatalities")
    pd.testing.assert_frame_equal(a.series.data, b.series.data)
    pd.testing.assert_frame_equal(a.ledger.table, b.ledger.table)
    assert b.ledger.check_conservation(b.series)


# ---------------------------------------------------------------------------- CLI
@pytest.mark.parametrize("engine", ["pandas", "duckdb"])
def test_cli_measure_fatalities(tmp_path, repo, engine):
    out, led = tmp_path / "s.csv", tmp_path / "l.csv"
    proc = subprocess.run([sys.executable, "-m", "analysis.cli", "normalize", "--reports", str(UCDP),
                           "--measure", "fatalities", "--freq", "M", "--engine", engine,
                           "--out", str(out), "--ledger", str(led), "--format", "json"],
                          capture_output=True, text=True, cwd=repo)
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout)
    assert summary["measure"] == "fatalities" and summary["total_count"] == 14948
    s, lg = pd.read_csv(out), pd.read_csv(led)
    assert list(s.columns[:9]) == ["start", "end", "count", "exposure", "lower", "upper",
                                   "n_reports", "count_low", "count_high"]
    assert s["count"].sum() == lg["fatalities"].sum() == 14948
    assert (s["count_low"].sum(), s["count_high"].sum()) == (13721, 17760)
    help_ = subprocess.run([sys.executable, "-m", "analysis.cli", "normalize", "--help"],
                           capture_output=True, text=True, cwd=repo).stdout
    assert "--measure" in help_
