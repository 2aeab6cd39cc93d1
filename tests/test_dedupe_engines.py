"""Both dedupe engines form the same incidents under complete linkage (random inputs)."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.duck import normalize_duckdb
from analysis.io import read_reports
from analysis.normalize import normalize

PLACES = ["Ain al-Asad", "Al Asad Airbase", "Erbil", "Erbil air base", "Anbar", "Iraq", "Raqqa", None]
WEAPONS = ["drone", "rocket", "drone and rockets", "missile", None]
EVENT_TYPES = ["Battles", "Explosions/Remote violence", None]


def _same(a, b):
    pd.testing.assert_frame_equal(a.series.data, b.series.data, check_exact=True)
    pd.testing.assert_frame_equal(a.ledger.table, b.ledger.table, check_exact=True)


@st.composite
def canonical_csv(draw, max_size=25):
    n = draw(st.integers(1, max_size))
    rows = []
    for i in range(n):
        start = pd.Timestamp("2024-01-01") + pd.Timedelta(days=draw(st.integers(0, 12)))
        length = draw(st.sampled_from([0, 0, 0, 1, 6]))
        dated = draw(st.integers(0, 9)) > 0
        rows.append({
            "report_id": f"r{draw(st.integers(0, 999)):03d}-{i}",
            "incident_id": draw(st.sampled_from([None] * 6 + ["X", "Y"])),
            "date_start": str(start.date()) if dated else None,
            "date_end": str((start + pd.Timedelta(days=length)).date()) if dated else None,
            "country": draw(st.sampled_from(["Iraq", "Syria"])),
            "location": draw(st.sampled_from(PLACES)),
            "weapon": draw(st.sampled_from(WEAPONS)),
            "x_event_type": draw(st.sampled_from(EVENT_TYPES)),
            "x_admin1": draw(st.sampled_from(["Anbar", "Raqqa", None])),
            "x_geo_precision": draw(st.sampled_from(["1", "2", "3", None])),
        })
    return pd.DataFrame(rows)


@settings(max_examples=25, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(canonical_csv(), st.integers(0, 3), st.booleans())
def test_engines_give_the_same_incidents_on_random_reports(tmp_path, table, window, weapon):
    path = tmp_path / "reports.csv"
    table.to_csv(path, index=False)
    kw = dict(freq="D", window_days=window, match_weapon=weapon, window="2023-12-30:2024-01-25")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        a = normalize(read_reports(path), **kw)
        b = normalize_duckdb(path, **kw)
    _same(a, b)
    # and every incident of reports without ids spans at most window_days
    v = a.variants.merge(table[["report_id", "date_start", "date_end", "incident_id"]]
                         .rename(columns={"incident_id": "given"}), on="report_id")
    v = v[(v["status"] != "excluded")]
    for _, g in v.groupby("incident_id"):
        if g["given"].isna().all():
            d0, d1 = pd.to_datetime(g["date_start"]), pd.to_datetime(g["date_end"])
            assert (d0.max() - d1.min()).days <= window


def _acled(rows):
    cols = ["event_id_cnty", "event_date", "time_precision", "event_type", "sub_event_type", "actor1",
            "actor2", "country", "admin1", "location", "geo_precision", "fatalities"]
    return pd.DataFrame(rows, columns=cols)


def test_acled_rows_matched_as_reports_need_the_same_actors_and_event_type_in_both_engines(tmp_path):
    rows = [
        # a, b: one place and day, same actors: one incident
        ["SYR1", "2017-06-01", 1, "Battles", "Armed clash", "IS", "SDF", "Syria", "Raqqa", "Tabqa", 1, 0],
        ["SYR2", "2017-06-01", 1, "Battles", "Armed clash", "IS", "SDF", "Syria", "Raqqa", "Tabqa", 1, 2],
        # another actor the same day: its own
        ["SYR3", "2017-06-01", 1, "Battles", "Armed clash", "HTS", "SDF", "Syria", "Raqqa", "Tabqa", 1, 0],
        # another event type: its own
        ["SYR4", "2017-06-01", 1, "Explosions/Remote violence", "Armed clash", "IS", "SDF", "Syria", "Raqqa",
         "Tabqa", 1, 0],
        # region-level (geo_precision 3, location = admin1): never on place alone
        ["SYR5", "2017-06-01", 1, "Battles", "Armed clash", "IS", "SDF", "Syria", "Raqqa", "Raqqa", 3, 0],
        ["SYR6", "2017-06-01", 1, "Battles", "Armed clash", "IS", "SDF", "Syria", "Raqqa", "Raqqa", 3, 0],
        ["SYR7", "2017-06-01", 1, "Battles", "Armed clash", "IS", "SDF", "Syria", "Raqqa", "Raqqa", 1, 0],
    ]
    path = tmp_path / "acled.csv"
    _acled(rows).to_csv(path, index=False)
    a = normalize(read_reports(path), freq="D", dedupe="reports")
    b = normalize_duckdb(path, freq="D", dedupe="reports")
    _same(a, b)
    assert a.ledger.table["status"].tolist() == ["counted", "merged"] + ["counted"] * 5
    assert a.series.total == 6
    # by default every ACLED row is its own event
    assert normalize_duckdb(path, freq="D").series.total == 7


@pytest.mark.parametrize("window", [0, 1, 3])
def test_engines_agree_on_the_case_study(data_dir, window):
    path = data_dir / "reports.csv"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _same(normalize(read_reports(path), freq="W", window_days=window),
              normalize_duckdb(path, freq="W", window_days=window))


def test_engines_agree_on_the_real_ucdp_sample_matched_as_reports():
    from pathlib import Path

    path = Path(__file__).parent / "data" / "real" / "ucdp_ged_23_1_car_482.csv"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        a = normalize(read_reports(path), freq="M", dedupe="reports")
        b = normalize_duckdb(path, freq="M", dedupe="reports")
    _same(a, b)
    assert a.ledger.counts() == {"counted": 1674, "merged": 174, "excluded": 0}
