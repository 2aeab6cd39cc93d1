"""Real-format readers: ACLED (31-column export shape from the codebook) and UCDP GED
(real 23.1 sample), dates, precision intervals, typed columns, both engines."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.duck import normalize_duckdb
from analysis.io import read_reports
from analysis.io.acled import ACLED_EXPORT_COLUMNS
from analysis.normalize import normalize
from analysis.schema import InputError

DATA = Path(__file__).parent / "data"
ACLED = DATA / "synthetic" / "acled_export_synthetic.csv"
UCDP = DATA / "real" / "ucdp_ged_23_1_car_482.csv"


def _raw(path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def test_acled_fixture_has_the_31_codebook_columns_in_order_and_is_labelled_synthetic():
    raw = _raw(ACLED)
    assert tuple(raw.columns) == ACLED_EXPORT_COLUMNS and len(ACLED_EXPORT_COLUMNS) == 31
    assert raw["event_id_cnty"].str.startswith("SYN").all()
    assert raw["notes"].str.startswith("Synthetic event").all()


def test_acled_fixture_is_regenerated_byte_identical(tmp_path):
    import importlib.util

    spec = importlib.util.spec_from_file_location("mk", DATA / "synthetic" / "make_acled_fixture.py")
    mk = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mk)
    out = tmp_path / "a.csv"
    mk.make().to_csv(out, index=False, lineterminator="\n")
    assert out.read_bytes() == ACLED.read_bytes()


def test_acled_typed_columns():
    df = read_reports(ACLED)
    raw = _raw(ACLED)
    assert str(df["x_geo_precision"].dtype) == "Int64"
    assert df["x_geo_precision"].tolist() == raw["geo_precision"].astype(int).tolist()
    assert str(df["x_timestamp"].dtype) == "datetime64[s, UTC]"
    assert (df["x_timestamp"].astype("int64") == raw["timestamp"].astype("int64")).all()
    for c in ("actor1", "actor2", "inter1", "inter2", "sub_event_type"):
        assert df[f"x_{c}"].dtype == "str"
        assert df[f"x_{c}"].fillna("").tolist() == raw[c].tolist()
    assert df["actor"].tolist() == raw["actor1"].tolist()
    assert df["weapon"].tolist() == raw["sub_event_type"].tolist()
    assert df["fatalities"].sum() == raw["fatalities"].astype(int).sum()


def test_acled_legacy_numeric_inter_codes_read_as_codebook_names(tmp_path):
    p = tmp_path / "old.csv"
    p.write_text("event_id_cnty,event_date,time_precision,country,inter1,inter2\n"
                 "A1,2022-02-23,1,Mali,1,7\nA2,2022-02-23,1,Mali,State forces,\n")
    df = read_reports(p)
    assert df["x_inter1"].tolist() == ["State forces", "State forces"]
    assert df["x_inter2"].tolist()[0] == "Civilians" and pd.isna(df["x_inter2"][1])


@pytest.mark.parametrize("bad,column,msg", [
    ("geo_precision", "geo_precision", r"'4' is not an allowed value; use one of 1 \(the town\)"),
    ("timestamp", "timestamp", r"cannot read '2022-02-23' as a Unix timestamp"),
])
def test_acled_typed_column_errors_name_the_cell(tmp_path, bad, column, msg):
    p = tmp_path / "bad.csv"
    good, value = ("1", "4") if bad == "geo_precision" else ("1676909320", "2022-02-23")
    p.write_text(f"event_id_cnty,event_date,time_precision,country,{column}\n"
                 f"A1,2022-02-23,1,Mali,{good}\nA2,2022-02-23,1,Mali,{value}\n")
    with pytest.raises(InputError, match=f"^{p}, row 3, column '{column}': " + msg):
        read_reports(p)


# ------------------------------------------------------------------------- dates
FORMS = {"iso": "%Y-%m-%d", "export": "%d %B %Y", "abbrev": "%d %b %Y", "dash": "%d-%m-%Y",
         "slash": "%d/%m/%Y"}


@pytest.mark.parametrize("form", list(FORMS))
def test_acled_event_date_forms_read_alike_in_both_engines(tmp_path, form):
    raw = _raw(ACLED)
    raw["event_date"] = pd.to_datetime(raw["event_date"]).dt.strftime(FORMS[form])
    p = tmp_path / f"{form}.csv"
    raw.to_csv(p, index=False)
    ref = read_reports(ACLED)
    got = read_reports(p)
    pd.testing.assert_series_equal(got["date_start"], ref["date_start"])
    pd.testing.assert_series_equal(got["date_end"], ref["date_end"])
    a = normalize(got, freq="W")
    b = normalize_duckdb(p, freq="W")
    pd.testing.assert_frame_equal(a.series.data, b.series.data)
    assert a.series.total == b.series.total == len(raw)


@pytest.mark.parametrize("engine", ["pandas", "duckdb"])
def test_month_first_dates_are_refused_naming_the_format(tmp_path, engine):
    p = tmp_path / "us.csv"
    p.write_text("event_id_cnty,event_date,time_precision,country\n"
                 "A1,03/04/2022,1,Mali\nA2,02/23/2022,1,Mali\n")
    msg = (f"^{p}, row 3, column 'event_date': '02/23/2022' is month-first \\(there is no month "
           r"23\); ACLED writes event_date as YYYY-MM-DD \(2022-02-23\), D Month YYYY "
           r"\(23 February 2022\) or day-month-year DD-MM-YYYY / DD/MM/YYYY \(23-02-2022, 23/02/2022\)")
    with pytest.raises(InputError, match=msg):
        read_reports(p) if engine == "pandas" else normalize_duckdb(p)


@pytest.mark.parametrize("engine", ["pandas", "duckdb"])
def test_unreadable_acled_date_names_the_forms(tmp_path, engine):
    p = tmp_path / "bad.csv"
    p.write_text("event_id_cnty,event_date,time_precision,country\nA1,23.02.2022,1,Mali\n")
    with pytest.raises(InputError, match=f"^{p}, row 2, column 'event_date': cannot read "
                                         r"'23.02.2022' as a date; write it as YYYY-MM-DD"):
        read_reports(p) if engine == "pandas" else normalize_duckdb(p)


def test_time_precision_intervals_follow_the_codebook(tmp_path):
    # 2 = the middle of the week is recorded (Wednesday for Sun-Sat, Thursday for Mon-Sun);
    # 3 = the month's midpoint, or its first or last day
    p = tmp_path / "tp.csv"
    p.write_text("event_id_cnty,event_date,time_precision,country\n"
                 "A1,2022-02-23,1,Mali\nA2,2022-02-23,2,Mali\nA3,24 February 2022,2,Mali\n"
                 "A4,15-02-2022,3,Mali\nA5,01/02/2022,3,Mali\nA6,2022-02-28,3,Mali\n")
    df = read_reports(p)
    got = list(zip(df.date_start.dt.strftime("%Y-%m-%d"), df.date_end.dt.strftime("%Y-%m-%d")))
    assert got == [("2022-02-23", "2022-02-23"), ("2022-02-20", "2022-02-26"),
                   ("2022-02-21", "2022-02-27"), ("2022-02-01", "2022-02-28"),
                   ("2022-02-01", "2022-02-28"), ("2022-02-01", "2022-02-28")]
    assert df.date_precision.tolist() == ["day", "week", "week", "month", "month", "month"]
    for allocate in ("start", "split"):
        a = normalize(df, freq="D", allocate=allocate, window="2022-02-01:2022-02-28")
        b = normalize_duckdb(p, freq="D", allocate=allocate, window="2022-02-01:2022-02-28")
        pd.testing.assert_frame_equal(a.series.data, b.series.data)


# ---------------------------------------------------------------------------- UCDP
@pytest.fixture(scope="module")
def ucdp():
    with pytest.warns(Warning, match="20 event"):
        return read_reports(UCDP)


def test_ucdp_typed_columns_and_fatality_range(ucdp):
    raw = _raw(UCDP)
    for c in ("where_prec", "event_clarity", "type_of_violence", "low", "high"):
        assert str(ucdp[f"x_{c}"].dtype) == "Int64"
        assert ucdp[f"x_{c}"].tolist() == raw[c].astype(int).tolist()
    for c in ("dyad_name", "side_a", "side_b"):
        assert ucdp[f"x_{c}"].dtype == "str"
    assert int(ucdp["fatalities"].sum()) == 14948  # best
    assert int(ucdp["x_low"].sum()) == 13721 and int(ucdp["x_high"].sum()) == 17760
    # ISO timestamps 2009-02-20T00:00:00 give the day; the interval is GED's own
    assert ucdp["date_start"].iloc[0] == pd.Timestamp("2009-02-20")
    assert (ucdp["date_end"] - ucdp["date_start"]).dt.days.max() > 300


def test_ucdp_non_midnight_time_is_refused(tmp_path):
    p = tmp_path / "g.csv"
    p.write_text("id,date_start,date_end,date_prec,country,best\n"
                 "1,2009-02-20T13:00:00,2009-02-20T00:00:00,1,Chad,1\n")
    with pytest.raises(InputError, match=f"^{p}, row 2, column 'date_start': cannot read"):
        read_reports(p)


@pytest.mark.parametrize("allocate", ["start", "split"])
@pytest.mark.parametrize("freq", ["W", "M"])
def test_duckdb_reads_ucdp_with_the_pandas_series_and_ledger(ucdp, allocate, freq):
    a = normalize(ucdp, freq=freq, allocate=allocate)
    b = normalize_duckdb(UCDP, freq=freq, allocate=allocate)
    pd.testing.assert_frame_equal(a.series.data, b.series.data)
    pd.testing.assert_frame_equal(a.ledger.table, b.ledger.table)
    assert b.ledger.counts() == {"counted": 1848, "merged": 0, "excluded": 0}
    assert b.ledger.table["reason"].iloc[0] == f"counted as its own event (UCDP GED id {ucdp['report_id'][0]})"


def test_ucdp_groups_without_prefix_in_both_engines(ucdp):
    a = normalize(ucdp, freq="M", groups=["type_of_violence"])
    b = normalize_duckdb(UCDP, freq="M", groups=["type_of_violence"])
    assert a.series.groups == ("x_type_of_violence",)
    pd.testing.assert_frame_equal(a.series.data, b.series.data)
    tot = a.series.data.groupby("x_type_of_violence")["count"].sum()
    assert tot.to_dict() == {"1": 401.0, "2": 371.0, "3": 1076.0}


def test_acled_groups_without_prefix(tmp_path):
    df = read_reports(ACLED)
    res = normalize(df, freq="M", groups=["geo_precision", "admin1"])
    assert res.series.groups == ("x_geo_precision", "x_admin1")
    tot = res.series.data.groupby("x_geo_precision")["count"].sum()
    want = _raw(ACLED)["geo_precision"].value_counts()
    assert {k: int(v) for k, v in tot.items()} == {k: int(v) for k, v in want.items()}
