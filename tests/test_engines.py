"""The DuckDB engine gives the pandas engine's series and ledger, exactly."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.duck import AUTO_DUCKDB_BYTES, choose_engine, normalize_duckdb, normalize_engine
from analysis.io import read_reports
from analysis.normalize import normalize
from analysis.schema import InputError
from analysis.synthetic import acled_like_reports


def _same(a, b):
    pd.testing.assert_frame_equal(a.series.data, b.series.data, check_exact=True)
    assert a.series.groups == b.series.groups and a.series.freq == b.series.freq
    assert a.series.attrs == b.series.attrs
    pd.testing.assert_frame_equal(a.ledger.table, b.ledger.table, check_exact=True)


@pytest.fixture(scope="module")
def acled_200k(tmp_path_factory):
    """Seeded ACLED-shaped file: 200,000 reports, 10% second reports, 10% week/month dates."""
    table, truth = acled_like_reports(200_000, n_groups=200, seed=11)
    path = tmp_path_factory.mktemp("engines") / "acled_200k.csv"
    table.to_csv(path, index=False)
    return path, truth, read_reports(path)


@pytest.mark.parametrize("allocate,freq,window", [
    ("start", "W", None),
    ("split", "M", "2021-03-10:2023-06-20"),
])
def test_engines_identical_on_200k_acled_rows(acled_200k, allocate, freq, window):
    """Matched as news reports (``dedupe="reports"``), the engines agree row for row."""
    path, truth, reports = acled_200k
    groups = ("country", "x_event_type")
    kw = dict(groups=groups, allocate=allocate, freq=freq, window=window, dedupe="reports")
    a = normalize_duckdb(path, **kw)
    b = normalize(reports, **kw)
    _same(a, b)
    counts = a.ledger.counts()
    assert counts["counted"] + counts["merged"] + counts["excluded"] == 200_000
    assert a.ledger.check_conservation(a.series)
    if window is None:
        assert counts["merged"] == truth["n_duplicates"]
        assert a.series.total == truth["n_incidents"]
    else:
        assert counts["excluded"] > 0 and a.series.attrs["n_clipped"] > 0


@pytest.mark.filterwarnings("ignore:.*in a chain but not all pairwise:analysis.schema.DataWarning")
def test_engines_identical_on_the_case_study(data_dir):
    """Explicit incident ids, place-name variants, weapons, windows, groups by derived columns."""
    path = data_dir / "reports.csv"
    reports = read_reports(path)
    for kw in (dict(), dict(allocate="split", freq="D", window="2023-11-01:2024-01-15"),
               dict(groups=("weapon", "location_key"), window="2023-11-01:2024-01-15"),
               dict(match_weapon=False, window_days=3, groups=("country",))):
        _same(normalize_duckdb(path, **kw), normalize(reports, **kw))


def test_engines_identical_with_undated_and_explicit_ids(tmp_path):
    text = ("report_id,incident_id,date,date_start,date_end,date_precision,country,location,weapon\n"
            "a,,2024-01-02,,,,Iraq,Ain al-Asad,rocket\n"
            "b,,2024-01-03,,,,Iraq,Al Asad Airbase,drone and rockets\n"
            "c,X1,2024-01-03,,,,Iraq,al-Asad air base,rocket\n"
            "d,X1,,,,,Iraq,,\n"
            "e,,,,,,Iraq,Erbil,\n"
            "f,,,2024-01-01,2024-01-31,,Syria,Rumalyn,rocket\n"
            "g,,2024-01-20,,,week,Syria,Rmelan,rockets\n"
            "h,Y2,,,,,Syria,,\n")
    path = tmp_path / "r.csv"
    path.write_text(text)
    reports = read_reports(path)
    for kw in (dict(), dict(aliases={"Rmelan": "Rumalyn"}), dict(allocate="split", freq="D")):
        a, b = normalize_duckdb(path, **kw), normalize(reports, **kw)
        _same(a, b)
    st = dict(zip(a.ledger.table["record_id"], a.ledger.table["status"]))
    assert st["d"] == "merged" and st["e"] == "excluded" and st["h"] == "excluded"


def test_bad_data_names_file_row_and_column(tmp_path):
    p = tmp_path / "bad.csv"
    p.write_text("event_id_cnty,event_date,time_precision,country\nA1,2024-01-01,1,Iraq\n"
                 "A2,2024-02-30,1,Iraq\n")
    with pytest.raises(InputError, match=r"bad.csv, row 3, column 'event_date'.*2024-02-30"):
        normalize_duckdb(p)
    p.write_text("event_id_cnty,event_date,time_precision,country\nA1,2024-01-01,4,Iraq\n")
    with pytest.raises(InputError, match=r"row 2, column 'time_precision'"):
        normalize_duckdb(p)
    p.write_text("event_id_cnty,event_date,time_precision,country\nA1,2024-01-01,1,Iraq\n"
                 "A1,2024-01-02,1,Iraq\n")
    with pytest.raises(InputError, match=r"row 3, column 'event_id_cnty'"):
        normalize_duckdb(p)
    p.write_text("event_id_cnty,event_date,country\nA1,2024-01-01,Iraq\n")
    with pytest.raises(InputError, match=r"row 1, column 'time_precision'"):
        normalize_duckdb(p)
    p.write_text("id,date_start,date_end,date_prec,country,best\n1,2024-01-01,2024-01-01,1,Iraq,0\n"
                 "2,2024-01-03,2024-01-02,2,Iraq,0\n")
    with pytest.raises(InputError, match=r"row 3, column 'date_end': date_end 2024-01-02 is before "
                                         r"date_start 2024-01-03"):
        normalize_duckdb(p)  # UCDP GED exports are read by this engine too
    with pytest.raises(ValueError, match="impute"):
        normalize_duckdb(p, allocate="impute")


def test_engine_choice(tmp_path, data_dir):
    path = data_dir / "reports.csv"
    assert choose_engine(path) == "pandas"  # far below AUTO_DUCKDB_BYTES
    assert AUTO_DUCKDB_BYTES == 256 * 2**20
    assert choose_engine(path, "duckdb") == "duckdb"
    with pytest.raises(ValueError, match="engine must be one of"):
        choose_engine(path, "spark")
    res, used = normalize_engine(path, engine="duckdb", groups=("country",))
    assert used == "duckdb" and res.series.groups == ("country",)


def test_parquet_input_equals_csv(tmp_path):
    table, _ = acled_like_reports(5000, n_groups=20, seed=3)
    csv, pq = tmp_path / "a.csv", tmp_path / "a.parquet"
    table.to_csv(csv, index=False)
    table.to_parquet(pq, index=False)
    a = normalize_duckdb(pq, groups=("admin1",))
    b = normalize(read_reports(csv), groups=("x_admin1",))
    pd.testing.assert_frame_equal(a.series.data, b.series.data, check_exact=True)
    pd.testing.assert_frame_equal(a.ledger.table.drop(columns="file"),
                                  b.ledger.table.drop(columns="file"), check_exact=True)
    assert set(a.ledger.table["file"]) == {str(pq)}


def test_padded_cells_and_export_dates_read_as_the_pandas_reader(tmp_path):
    text = ("event_id_cnty,event_date,time_precision,event_type,country,admin1,location,sub_event_type\n"
            " A1 , 2024-01-03 , 2 ,Battles, Iraq ,Anbar, Ain al-Asad ,Air/drone strike\n"
            "A2,15 January 2024,1,Battles,Iraq,\u00a0Anbar,Al Asad Airbase,Air/drone strike\n"
            "A3,16-January-2024,3, Battles ,Syria,Deir ez-Zor,\u1e24asakah,Armed clash \n"
            "A4,2024-01-16,1,Battles,Iraq,Anbar,Ain al-Assad,Air/drone strike\n")
    p = tmp_path / "padded.csv"
    p.write_text(text, encoding="utf-8")
    for kw in (dict(groups=("country", "admin1", "event_type"), dedupe="reports"),
               dict(allocate="split", freq="D", dedupe="reports")):
        a = normalize_duckdb(p, **kw)
        b = normalize(read_reports(p), **{**kw, "groups": tuple(
            g if g == "country" else f"x_{g}" for g in kw.get("groups", ()))})
        pd.testing.assert_frame_equal(a.series.data, b.series.data, check_exact=True)
        pd.testing.assert_frame_equal(a.ledger.table, b.ledger.table, check_exact=True)
    assert a.ledger.counts()["merged"] == 1  # A4 joins A2 (same place, next day)
    # by default an ACLED export is a coded event dataset: one incident per row, both engines
    a, b = normalize_duckdb(p), normalize(read_reports(p))
    _same(a, b)
    assert a.ledger.counts() == {"counted": 4, "merged": 0, "excluded": 0}
    reasons = a.ledger.table["reason"].tolist()
    assert reasons[1] == "counted as its own event (ACLED event_id_cnty A2)"
    # A1 is dated within the week of Monday 2024-01-01, but the file's first day is 2024-01-03
    assert a.window[0] == pd.Timestamp("2024-01-03")
    assert reasons[0] == "clipped to window: date interval cut to 2024-01-03 to 2024-01-16"


@pytest.mark.parametrize("allocate", ["start", "split"])
def test_event_datasets_count_every_row_both_engines(acled_200k, allocate):
    """Conservation on a coded event dataset: the series total is the number of rows."""
    path, truth, reports = acled_200k
    a = normalize_duckdb(path, groups=("country",), allocate=allocate, freq="M")
    b = normalize(reports, groups=("country",), allocate=allocate, freq="M")
    _same(a, b)
    assert a.ledger.counts() == {"counted": 200_000, "merged": 0, "excluded": 0}
    assert a.series.total == pytest.approx(200_000, abs=1e-6)
    off = normalize(reports, groups=("country",), allocate=allocate, freq="M", dedupe="off")
    pd.testing.assert_frame_equal(off.series.data, b.series.data)


def test_normalize_cli_engine_duckdb_writes_the_same_files(tmp_path, repo, data_dir):
    import json
    import subprocess
    import sys
    out = {}
    for eng in ("pandas", "duckdb"):
        s, lg = tmp_path / f"s_{eng}.csv", tmp_path / f"l_{eng}.csv"
        proc = subprocess.run(
            [sys.executable, "-m", "analysis.cli", "normalize", "--reports", str(data_dir / "reports.csv"),
             "--engine", eng, "--group", "country", "--out", str(s), "--ledger", str(lg),
             "--format", "json"], capture_output=True, text=True, cwd=repo)
        assert proc.returncode == 0, proc.stderr
        out[eng] = (s.read_text(), lg.read_text(), json.loads(proc.stdout))
    assert out["pandas"][0] == out["duckdb"][0]
    assert out["pandas"][1] == out["duckdb"][1]
    assert out["pandas"][2]["total_count"] == out["duckdb"][2]["total_count"]
    proc = subprocess.run(
        [sys.executable, "-m", "analysis.cli", "normalize", "--reports", str(data_dir / "reports.csv"),
         "--tallies", str(data_dir / "tallies.csv"), "--engine", "duckdb", "--out",
         str(tmp_path / "x.csv")], capture_output=True, text=True, cwd=repo)
    assert proc.returncode == 2 and "--engine duckdb" in proc.stderr
