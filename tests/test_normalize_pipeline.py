"""normalize(): ledger completeness, conservation, window exclusions, idempotence; reconcile."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.normalize import (Ledger, coverage, incidents_to_reports, normalize, spread_tallies,
                                tallies_to_intervals)
from analysis.schema import LEDGER_COLUMNS
from analysis.series import CountSeries
from test_normalize_dedupe import report_rows
from test_normalize_frames import reports_frame, shuffled, tallies_frame


def R(rid, date, loc="Erbil", country="Iraq", **kw):
    return {"report_id": rid, "country": country, "location": loc, "date": date, **kw}


# ------------------------------------------------------------------------------ pipeline
def test_every_row_is_accounted_for_with_a_reason():
    reports = reports_frame([
        R("a", "2024-01-02"), R("b", "2024-01-03", loc="Erbil air base"), R("c", None),
        R("d", "2023-12-01"), R("e", "2024-01-20", loc="Tanf", country="Syria"),
    ])
    tallies = tallies_frame([
        {"tally_id": "t1", "since": "2024-01-01", "as_of": "2024-01-14", "count": 5, "source": "P"},
        {"tally_id": "t2", "since": "2024-01-01", "as_of": None, "count": 9, "source": "P"},
    ])
    res = normalize(reports, tallies, freq="W", window="2024-01-01:2024-01-31")
    lg = res.ledger.table
    assert list(lg.columns) == list(LEDGER_COLUMNS)
    assert len(lg) == len(reports) + len(tallies)
    by = lg.set_index("record_id")
    assert by.loc["a", "status"] == "counted"
    assert (by.loc["b", "status"], by.loc["b", "incident_id"]) == ("merged", "a")
    assert by.loc["c", "reason"].startswith("no date")
    assert by.loc["d", "reason"] == "outside window: incident d starts outside 2024-01-01 to 2024-01-31"
    assert by.loc["t2", "reason"].startswith("no as_of date")
    assert by.loc["a", "row"] == 2 and by.loc["a", "file"] == "mem_reports.csv"
    assert res.series.counts.tolist() == [1, 0, 1, 0, 0]
    assert res.ledger.check_conservation(res.series)
    summ = res.ledger.summary()
    assert summ.set_index(["table", "status", "reason"])["rows"].to_dict() == {
        ("reports", "counted", ""): 2, ("reports", "merged", "matched"): 1,
        ("reports", "excluded", "no date"): 1, ("reports", "excluded", "outside window"): 1,
        ("tallies", "counted", ""): 1, ("tallies", "excluded", "no as_of date"): 1}
    s = res.summary()
    assert s["rows_in"] == {"reports": 5, "tallies": 2}
    assert s["incidents"] == 2 and s["merged"] == 1 and s["total_count"] == 2
    assert s["excluded"]["reports"] == {"no date": 1, "outside window": 1}


def test_window_is_inferred_from_incidents_and_tallies():
    reports = reports_frame([R("a", "2024-01-10")])
    tallies = tallies_frame([{"tally_id": "t", "since": "2023-12-01", "as_of": "2024-02-15", "count": 3}])
    res = normalize(reports, tallies, freq="M")
    assert res.window == (pd.Timestamp("2023-12-01"), pd.Timestamp("2024-02-15"))
    assert res.series.counts.tolist() == [0, 1, 0]
    assert res.series.exposure.tolist() == [31, 31, 15]


def test_clipped_incident_is_noted_in_the_ledger():
    reports = reports_frame([{"report_id": "m", "country": "Iraq", "date_start": "2024-01-01",
                              "date_end": "2024-01-31"}])
    res = normalize(reports, freq="W", allocate="split", window="2024-01-15:2024-02-29")
    assert res.series.total == pytest.approx(1)
    assert res.ledger.table.loc[0, "reason"].startswith("clipped to window")
    assert res.ledger.check_conservation(res.series)


def test_impute_series_is_a_panel_and_each_imputation_conserves():
    reports = reports_frame([{"report_id": f"m{i}", "country": "Iraq", "date_start": "2024-01-01",
                              "date_end": "2024-03-31"} for i in range(4)])
    res = normalize(reports, freq="M", allocate="impute", n_imputations=7, seed=3)
    assert res.series.groups == ("imputation",)
    assert len(res.imputations) == 7
    assert res.ledger.check_conservation(res.series)
    assert res.ledger.check_conservation(list(res.imputations))
    assert res.summary()["total_count"] == 4


def test_conservation_failure_is_reported():
    reports = reports_frame([R("a", "2024-01-02")])
    res = normalize(reports)
    bad = CountSeries(res.series.data.assign(count=res.series.counts + 1), freq="W")
    with pytest.raises(AssertionError, match="counts sum to 2 but the ledger counts 1 reports rows"):
        res.ledger.check_conservation(bad)


def test_tallies_only_gives_the_tally_panel():
    tallies = tallies_frame([
        {"tally_id": "a", "since": "2023-10-17", "as_of": "2023-10-24", "count": 13, "source": "P"},
        {"tally_id": "b", "since": "2023-10-17", "as_of": "2023-10-30", "count": 23, "source": "P"},
    ])
    res = normalize(tallies=tallies)
    assert res.series.groups == ("source", "region", "since")
    assert res.series.counts.tolist() == [13, 10]
    assert res.incidents is None and res.ledger.counts("tallies")["counted"] == 2


def test_several_report_frames_and_duplicate_ids_across_them():
    a = reports_frame([R("a", "2024-01-02")], file="one.csv")
    b = reports_frame([R("b", "2024-01-09", loc="Tanf")], file="two.csv")
    assert normalize([a, b]).series.total == 2
    from analysis.schema import InputError
    with pytest.raises(InputError, match="two.csv, row 2, column 'report_id'"):
        normalize([a, reports_frame([R("a", "2024-01-09")], file="two.csv")])


def test_group_by_weapon_panel():
    reports = reports_frame([R("a", "2024-01-02", weapon="drone"), R("b", "2024-01-02", weapon="rocket"),
                             R("c", "2024-01-10", loc="Tanf", weapon="drone")])
    s = normalize(reports, groups=["weapon"]).series
    assert s.select(weapon="drone").counts.tolist() == [1, 1]
    assert s.select(weapon="rocket").counts.tolist() == [1, 0]


@pytest.mark.filterwarnings("ignore::analysis.schema.DataWarning")
@settings(max_examples=25, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(report_rows(), st.sampled_from(["start", "split", "impute"]), st.sampled_from(["W", "M"]),
       st.sampled_from([None, "2024-01-05:2024-01-25"]), st.integers(0, 1000))
def test_pipeline_properties(reports, allocate, freq, window, seed):
    if not reports["date_start"].notna().any() and window is None:
        return
    res = normalize(reports, freq=freq, allocate=allocate, window=window, n_imputations=3, seed=1)
    lg = res.ledger.table
    # every row once; conservation for every allocation rule and each imputation
    assert sorted(lg["record_id"]) == sorted(reports["report_id"])
    assert res.ledger.check_conservation(res.series)
    assert res.ledger.counts("reports")["counted"] == int(res.incidents["counted"].sum())
    # every merged or excluded row has a readable reason; merged rows name a counted incident;
    # the counted incidents hold exactly the counted and merged rows
    off = lg[lg["status"] != "counted"]
    assert off["reason"].notna().all() and (off["reason"].str.len() > 5).all()
    kept = lg[lg["status"] != "excluded"]
    counted_ids = set(res.incidents.loc[res.incidents["counted"], "incident_id"])
    assert set(kept["incident_id"]) == counted_ids
    assert int(res.incidents.loc[res.incidents["counted"], "n_reports"].sum()) == len(kept)
    # ledger rows point at the input rows
    back = reports.set_index("report_id").loc[lg["record_id"], "_row"].to_numpy()
    assert (lg["row"].to_numpy() == back).all()
    # order invariance: same series and ledger
    res2 = normalize(shuffled(reports, seed), freq=freq, allocate=allocate, window=window, n_imputations=3, seed=1)
    pd.testing.assert_frame_equal(res.series.data, res2.series.data)
    pd.testing.assert_frame_equal(lg.sort_values("record_id").reset_index(drop=True),
                                  res2.ledger.table.sort_values("record_id").reset_index(drop=True))
    # idempotence: normalising the counted incidents again changes nothing
    inc = res.incidents[res.incidents["counted"]]
    if len(inc):
        again = normalize(incidents_to_reports(inc), freq=freq, allocate=allocate, window=res.window,
                          n_imputations=3, seed=1)
        pd.testing.assert_frame_equal(again.series.data[["start", "end", "count", "exposure"]],
                                      res.series.data[["start", "end", "count", "exposure"]])
        assert again.ledger.counts("reports")["merged"] == 0


def test_ledger_validates_status():
    from analysis.normalize.ledger import ledger_frame
    with pytest.raises(ValueError, match="ledger status must be one of"):
        Ledger(ledger_frame(record_id=["a"], status=["lost"], n=1))


# ------------------------------------------------------------------------------ reconcile
def _tally_series():
    t = tallies_frame([
        {"tally_id": "a", "since": "2024-01-01", "as_of": "2024-01-10", "count": 10, "source": "P"},
        {"tally_id": "b", "since": "2024-01-01", "as_of": "2024-01-20", "count": 14, "source": "P"},
        {"tally_id": "c", "since": "2024-01-01", "as_of": "2024-01-25", "count": 14, "bound": "at_least",
         "source": "P"},
    ])
    return tallies_to_intervals(t).get("P")


def _incidents(days, country="Iraq"):
    d = pd.to_datetime(days).astype("datetime64[ns]")
    return pd.DataFrame({"incident_id": [f"i{k}" for k in range(len(days))], "date_start": d, "date_end": d,
                         "country": country})


def test_coverage_ratio_per_interval():
    cov = coverage(_incidents(["2024-01-02", "2024-01-03", "2024-01-12", "2024-01-30"]), _tally_series())
    assert cov["incident_count"].tolist() == [2, 1, 0]
    assert cov["coverage"].tolist()[:2] == [0.2, 0.25]
    assert math.isnan(cov["coverage"].iloc[2])
    assert (cov["tally_lower"].iloc[2], cov["tally_upper"].iloc[2]) == (0, math.inf)
    assert cov["coverage_low"].iloc[2] == 0


def test_spread_follows_incident_timing_and_conserves():
    s = _tally_series()
    daily = spread_tallies(s, _incidents(["2024-01-02", "2024-01-03", "2024-01-03", "2024-01-12"]))
    daily.check()
    c = daily.data.set_index(daily.data["start"].dt.strftime("%m-%d"))["count"]
    assert c["01-02"] == pytest.approx(10 / 3) and c["01-03"] == pytest.approx(20 / 3)
    assert c["01-01"] == 0 and c["01-12"] == pytest.approx(4)
    for row in s.data.itertuples():
        m = (daily.data["start"] >= row.start) & (daily.data["start"] < row.end)
        if not np.isnan(row.count):
            assert daily.data.loc[m, "count"].sum() == pytest.approx(row.count, abs=1e-12)
    # the bounded last interval has no incidents: uniform bounds, count unknown
    last = daily.data[daily.data["start"] >= "2024-01-21"]
    assert last["count"].isna().all() and np.isinf(last["upper"]).all() and (last["lower"] == 0).all()


def test_spread_without_incidents_is_uniform():
    daily = spread_tallies(_tally_series())
    first = daily.data[daily.data["start"] < "2024-01-11"]["count"]
    np.testing.assert_allclose(first, 1.0)
    assert daily.data[daily.data["start"] < "2024-01-21"]["count"].sum() == pytest.approx(14)


def test_normalize_reads_a_raw_table_or_a_path_as_read_reports_does(tmp_path):
    import pandas as pd
    import pytest

    from analysis.io import read_reports
    from analysis.normalize import normalize
    from analysis.schema import InputError

    raw = pd.DataFrame({"report_id": ["r1", "r2", "r3"], "date": ["2024-01-03", "2024-01-03", "2024-01-20"],
                        "country": "X", "location": ["a", "a", "b"], "source": ["news", "wire", "news"]})
    expected = normalize(read_reports(raw), freq="W")
    got = normalize(raw, freq="W")                      # a 'date' column, not yet read: was KeyError
    assert got.series.counts.tolist() == expected.series.counts.tolist() == [1.0, 0.0, 1.0]
    raw.to_csv(tmp_path / "r.csv", index=False)
    assert normalize(str(tmp_path / "r.csv"), freq="W").series.total == 2.0
    bad = raw.assign(date=["2024-01-03", "2024-13-01", "2024-01-20"])
    with pytest.raises(InputError, match="row 3, column 'date'"):
        normalize(bad, freq="W")
