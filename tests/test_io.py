"""Malformed inputs: every reader error names the file, the spreadsheet row and the column.

Each case writes a small file in ``tmp_path`` and pins the start of the message
(``<file>, row N, column 'name': ``) and the gist of its detail.
"""

from __future__ import annotations

import re

import pandas as pd
import pytest

from analysis.io import read_acled, read_events, read_reports, read_tallies, read_ucdp
from analysis.schema import InputError

REPORTS_HEAD = "report_id,date,date_precision,country,location,weapon,projectiles,fatalities,injuries\n"
R_OK = "R1,2024-01-02,day,Iraq,Al-Asad,drone,1,0,0\n"
TALLY_HEAD = "tally_id,since,as_of,count,bound,region,source\n"
T_OK = "T1,2023-10-17,2023-11-14,55,exact,all,Pentagon\n"
EVENT_HEAD = "event_id,date,end_date,kind,label\n"
E_OK = "E1,2024-01-28,,attack,Tower 22\n"
ACLED_HEAD = ("event_id_cnty,event_date,time_precision,event_type,sub_event_type,actor1,country,"
              "admin1,location,latitude,longitude,fatalities,source,notes\n")
A_OK = "IRQ1,2024-01-17,1,Explosions/Remote violence,Air/drone strike,Militia,Iraq,Anbar,Al-Asad,33.8,42.4,0,Reuters,\n"
UCDP_HEAD = "id,date_start,date_end,date_prec,country,where_coordinates,side_a,best,source_article\n"
U_OK = "101,2023-10-17,2023-10-17,1,Syria,al-Tanf,IS,2,Reuters\n"

READERS = {
    "reports": read_reports, "tallies": read_tallies, "events": read_events,
    "acled": read_acled, "ucdp": read_ucdp,
}

# (id, reader, file content, row, column, regex on the detail)
CASES = [
    ("reports-missing-column", "reports",
     "report_id,date,location\nR1,2024-01-02,Al-Asad\n", 1, "country",
     r"lacks the required column 'country'"),
    ("reports-unknown-column", "reports",
     REPORTS_HEAD.replace("injuries", "colour") + R_OK, 1, "colour",
     r"unknown column 'colour'.*allowed columns are 'report_id', 'incident_id', 'date'.*'x_'"),
    ("reports-impossible-date", "reports",
     REPORTS_HEAD + R_OK + "R2,2024-02-30,day,Iraq,Erbil,rocket,2,0,0\n", 3, "date",
     r"cannot read '2024-02-30' as a date; write it as YYYY-MM-DD"),
    ("reports-text-date", "reports",
     REPORTS_HEAD + R_OK + R_OK.replace("R1", "R2") + "R3,last Tuesday,day,Iraq,Erbil,rocket,2,0,0\n",
     4, "date", r"cannot read 'last Tuesday' as a date"),
    ("reports-us-date", "reports",
     REPORTS_HEAD + "R1,01/02/2024,day,Iraq,Erbil,rocket,2,0,0\n", 2, "date",
     r"cannot read '01/02/2024' as a date"),
    ("reports-negative-count", "reports",
     REPORTS_HEAD + R_OK + "R2,2024-01-03,day,Iraq,Erbil,rocket,2,-2,0\n", 3, "fatalities",
     r"'-2' is negative; counts must be 0 or more"),
    ("reports-fractional-count", "reports",
     REPORTS_HEAD + R_OK + "R2,2024-01-03,day,Iraq,Erbil,rocket,2,0,2.5\n", 3, "injuries",
     r"'2.5' is not a whole number"),
    ("reports-exponent-count", "reports",
     REPORTS_HEAD + "R1,2024-01-03,day,Iraq,Erbil,rocket,1e3,0,0\n", 2, "projectiles",
     r"cannot read '1e3' as a count; write it as a whole number such as 1000"),
    ("reports-semicolon-separated", "reports",
     "report_id;date;country\nR1;2024-01-02;Iraq\n", 1, None,
     r"the header is one column 'report_id;date;country'.*separated by ';'.*comma-separated"),
    ("tallies-tab-separated", "tallies",
     "since\tas_of\tcount\n2023-10-17\t2023-11-14\t55\n", 1, None,
     r"separated by tabs"),
    ("reports-text-count", "reports",
     REPORTS_HEAD + "R1,2024-01-03,day,Iraq,Erbil,rocket,five,0,0\n", 2, "projectiles",
     r"cannot read 'five' as a count"),
    ("reports-end-before-start", "reports",
     "report_id,date_start,date_end,country\nR1,2024-01-01,2024-01-05,Iraq\n"
     "R2,2024-01-09,2024-01-05,Syria\n", 3, "date_end",
     r"date_end 2024-01-05 is before date_start 2024-01-09"),
    ("reports-start-after-implied-end", "reports",
     "report_id,date,date_start,date_precision,country\nR1,2024-01-03,2024-01-10,day,Iraq\n", 2,
     "date_start", r"date_end 2024-01-03 is before date_start 2024-01-10 \(the end of the day "),
    ("reports-date-outside-range", "reports",
     "report_id,date,date_start,date_end,country\nR1,2024-01-20,2024-01-01,2024-01-05,Iraq\n",
     2, "date", r"date 2024-01-20 is outside the range 2024-01-01 to 2024-01-05"),
    ("reports-duplicate-id", "reports",
     REPORTS_HEAD + R_OK + R_OK.replace("R1", "R2") + R_OK, 4, "report_id",
     r"'R1' appears twice, in rows 2 and 4"),
    ("reports-bad-precision", "reports",
     REPORTS_HEAD + R_OK + "R2,2024-01-03,fortnight,Iraq,Erbil,rocket,2,0,0\n", 3, "date_precision",
     r"'fortnight' is not an allowed value; use one of 'day', 'week', 'month', 'season', 'year'"),
    ("reports-blank-country", "reports",
     REPORTS_HEAD + R_OK + "R2,2024-01-03,day,,Erbil,rocket,2,0,0\n", 3, "country",
     r"the cell is blank but 'country' is required"),
    ("reports-blank-id", "reports",
     REPORTS_HEAD + R_OK + ",2024-01-03,day,Iraq,Erbil,rocket,2,0,0\n", 3, "report_id",
     r"the cell is blank but 'report_id' is required"),
    ("reports-end-without-start", "reports",
     "report_id,date,date_start,date_end,country\nR1,,,2024-01-05,Iraq\n", 2, "date_start",
     r"date_end is given but date_start \(and date\) are blank"),
    ("reports-no-date-column", "reports",
     "report_id,country\nR1,Iraq\n", 1, "date", r"needs a 'date' column"),
    ("reports-repeated-header", "reports",
     "report_id,date,country,date\nR1,2024-01-02,Iraq,2024-01-02\n", 1, "date",
     r"column name 'date' appears twice in the header \(columns 2 and 4\)"),
    ("tallies-as-of-before-since", "tallies",
     TALLY_HEAD + T_OK + "T2,2023-11-14,2023-11-01,60,exact,all,Pentagon\n", 3, "as_of",
     r"as_of 2023-11-01 is before since 2023-11-14"),
    ("tallies-bad-bound", "tallies",
     TALLY_HEAD + T_OK + "T2,2023-10-17,2023-11-20,60,roughly,all,Pentagon\n", 3, "bound",
     r"'roughly' is not an allowed value; use one of 'exact', 'at_least', 'more_than', "
     r"'about', 'at_most'"),
    ("tallies-negative-count", "tallies",
     TALLY_HEAD + "T1,2023-10-17,2023-11-14,-55,exact,all,Pentagon\n", 2, "count",
     r"'-55' is negative"),
    ("tallies-blank-count", "tallies",
     TALLY_HEAD + T_OK + "T2,2023-10-17,2023-11-20,,exact,all,Pentagon\n", 3, "count",
     r"the cell is blank but 'count' is required"),
    ("tallies-blank-since", "tallies",
     TALLY_HEAD + T_OK + "T2,,2023-11-20,60,exact,all,Pentagon\n", 3, "since",
     r"the cell is blank but 'since' is required"),
    ("tallies-duplicate-id", "tallies",
     TALLY_HEAD + T_OK + T_OK, 3, "tally_id", r"'T1' appears twice, in rows 2 and 3"),
    ("tallies-missing-as-of", "tallies",
     "since,count\n2023-10-17,55\n", 1, "as_of", r"lacks the required column 'as_of'"),
    ("tallies-unknown-column", "tallies",
     TALLY_HEAD.replace("source\n", "reporter\n") + T_OK, 1, "reporter",
     r"unknown column 'reporter' in a tallies table; allowed columns are 'tally_id', 'since'"),
    ("events-end-before-start", "events",
     EVENT_HEAD + E_OK + "E2,2024-02-02,2024-02-01,us_strike,Strikes\n", 3, "end_date",
     r"end_date 2024-02-01 is before date 2024-02-02"),
    ("events-duplicate-id", "events",
     EVENT_HEAD + E_OK + "E2,2024-02-02,,x,y\n" + E_OK, 4, "event_id",
     r"'E1' appears twice, in rows 2 and 4"),
    ("events-blank-label", "events",
     EVENT_HEAD + E_OK + "E2,2024-02-02,,us_strike,\n", 3, "label",
     r"the cell is blank but 'label' is required"),
    ("acled-bad-time-precision", "acled",
     ACLED_HEAD + A_OK + A_OK.replace("IRQ1", "IRQ2").replace(",1,", ",4,", 1), 3, "time_precision",
     r"'4' is not an allowed value; use one of 1 \(day\), 2 \(week\), 3 \(month\)"),
    ("acled-bad-date", "acled",
     ACLED_HEAD + A_OK.replace("2024-01-17", "2024/01/17"), 2, "event_date",
     r"cannot read '2024/01/17' as a date; write it as YYYY-MM-DD \(2022-02-23\), D Month YYYY "
     r"\(23 February 2022\) or day-month-year DD-MM-YYYY / DD/MM/YYYY"),
    ("acled-month-first-date", "acled",
     ACLED_HEAD + A_OK + A_OK.replace("IRQ1", "IRQ2").replace("2024-01-17", "01/17/2024"), 3,
     "event_date", r"'01/17/2024' is month-first \(there is no month 17\); ACLED writes "
     r"event_date as YYYY-MM-DD"),
    ("acled-negative-fatalities", "acled",
     ACLED_HEAD + A_OK + A_OK.replace("IRQ1", "IRQ2").replace(",0,Reuters", ",-1,Reuters"), 3,
     "fatalities", r"'-1' is negative"),
    ("acled-missing-date-column", "acled",
     "event_id_cnty,time_precision,country\nIRQ1,1,Iraq\n", 1, "event_date",
     r"lacks the required column 'event_date' of an ACLED export"),
    ("acled-bad-latitude", "acled",
     ACLED_HEAD + A_OK.replace("33.8", "north"), 2, "latitude", r"cannot read 'north' as a number"),
    ("acled-duplicate-id", "acled",
     ACLED_HEAD + A_OK + A_OK, 3, "event_id_cnty", r"'IRQ1' appears twice, in rows 2 and 3"),
    ("ucdp-end-before-start", "ucdp",
     UCDP_HEAD + U_OK + "102,2023-10-20,2023-10-18,2,Syria,x,IS,0,AP\n", 3, "date_end",
     r"date_end 2023-10-18 is before date_start 2023-10-20"),
    ("ucdp-bad-date-prec", "ucdp",
     UCDP_HEAD + U_OK.replace(",1,Syria", ",7,Syria"), 2, "date_prec",
     r"'7' is not an allowed value; use one of 1 \(day\), 2 \(week\), 3 \(week\), 4 \(month\), "
     r"5 \(year\)"),
    ("ucdp-negative-best", "ucdp",
     UCDP_HEAD + U_OK + "102,2023-10-20,2023-10-21,2,Syria,x,IS,-3,AP\n", 3, "best",
     r"'-3' is negative"),
    ("ucdp-blank-date-end", "ucdp",
     UCDP_HEAD + U_OK + "102,2023-10-20,,2,Syria,x,IS,3,AP\n", 3, "date_end",
     r"the cell is blank but 'date_end' is required"),
]


def _write(tmp_path, name, content) -> str:
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return str(path)


def _where(path, row, column=None) -> str:
    out = f"{path}, row {row}"
    if column is not None:
        out += f", column {column!r}"
    return re.escape(out + ": ")


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_malformed_input_names_file_row_column(tmp_path, case):
    name, reader, content, row, column, detail = case
    path = _write(tmp_path, f"{name}.csv", content)
    with pytest.raises(InputError, match="^" + _where(path, row, column) + ".*?" + detail) as info:
        READERS[reader](path)
    assert (info.value.file, info.value.row, info.value.column) == (path, row, column)


def test_distinct_malformed_cases_are_many():
    assert len({c[0] for c in CASES}) >= 15


def test_non_utf8_bytes_name_the_row_and_column(tmp_path):
    content = (REPORTS_HEAD + R_OK + R_OK.replace("R1", "R2")).encode() + \
        "R3,2024-01-03,day,Iraq,Caf\u00e9 Erbil,rocket,2,0,0\n".encode("latin-1")
    path = _write(tmp_path, "latin1.csv", content)
    with pytest.raises(InputError, match=_where(path, 4, "location") +
                       r"the cell holds bytes that are not UTF-8 \('Caf\\\\xe9 Erbil'\); save the file as UTF-8"):
        read_reports(path)


def test_non_utf8_bytes_after_multiline_cell(tmp_path):
    content = ("report_id,date,country,notes\nR1,2024-01-02,Iraq,\"two\nlines\"\n").encode() + \
        "R2,2024-01-03,Syria,d\u00e9j\u00e0 vu\n".encode("cp1252")
    path = _write(tmp_path, "cp1252.csv", content)
    with pytest.raises(InputError, match=_where(path, 3, "notes") + "the cell holds bytes"):
        read_reports(path)


def test_non_utf8_header(tmp_path):
    path = _write(tmp_path, "head.csv", "report_id,pa\u00efs\nR1,Iraq\n".encode("latin-1"))
    with pytest.raises(InputError, match=_where(path, 1, "#2") + "the cell holds bytes"):
        read_reports(path)


# (id, reader, content, row, regex): faults of a whole row or file, no single column
ROW_CASES = [
    ("zero-bytes", "reports", b"", 1, r"the file is empty \(0 bytes\)"),
    ("header-only", "reports", REPORTS_HEAD, 2, r"the file has a header but no data rows"),
    ("header-only-tallies", "tallies", TALLY_HEAD, 2, r"the file has a header but no data rows"),
    ("blank-line", "reports", REPORTS_HEAD + R_OK + "\n" + R_OK.replace("R1", "R2"), 3,
     r"the row is empty \(every cell is blank\); delete it"),
    ("commas-only-line", "events", EVENT_HEAD + E_OK + ",,,,\n", 3, r"the row is empty"),
    ("trailing-blank-line", "tallies", TALLY_HEAD + T_OK + "\n", 3, r"the row is empty"),
    ("too-many-fields", "events", EVENT_HEAD + E_OK + "E2,2024-02-02,,strike,Strikes, on Syria\n", 3,
     r"the row has 6 fields but the header has 5"),
    ("too-few-fields", "events", EVENT_HEAD + E_OK + E_OK.replace("E1", "E2") + "E3,2024-02-02\n", 4,
     r"the row has 2 fields but the header has 5"),
    ("unknown-format", "reports", "a,b\n1,2\n", 1, r"cannot tell the format from the header"),
    ("blank-first-line", "reports", "\n" + REPORTS_HEAD + R_OK, 1, r"the file has no header row"),
    ("utf-16", "tallies", (TALLY_HEAD + T_OK).encode("utf-16"), 1,
     r"the file is UTF-16 text; save it as UTF-8"),
]


@pytest.mark.parametrize("case", ROW_CASES, ids=[c[0] for c in ROW_CASES])
def test_malformed_rows_name_file_and_row(tmp_path, case):
    name, reader, content, row, detail = case
    path = _write(tmp_path, f"{name}.csv", content)
    with pytest.raises(InputError, match="^" + _where(path, row) + ".*?" + detail) as info:
        READERS[reader](path)
    assert (info.value.file, info.value.row, info.value.column) == (path, row, None)


def test_missing_file(tmp_path):
    path = str(tmp_path / "nope.csv")
    with pytest.raises(InputError, match=re.escape(f"{path}: no such file")):
        read_reports(path)


def test_spreadsheet_workbook_is_refused(tmp_path):
    path = _write(tmp_path, "tallies.xlsx", b"PK\x03\x04")
    with pytest.raises(InputError, match=re.escape(f"{path}: spreadsheet workbooks are not read")):
        read_tallies(path)


def test_compressed_csv_errors_name_row_and_column(tmp_path):
    import gzip

    body = (REPORTS_HEAD + R_OK).encode() + "R2,2024-01-03,day,Iraq,Caf\u00e9,rocket,2,0,0\n".encode("latin-1")
    path = _write(tmp_path, "r.csv.gz", gzip.compress(body))
    with pytest.raises(InputError, match=_where(path, 3, "location") + "the cell holds bytes"):
        read_reports(path)


def test_row_numbers_count_records_not_lines(tmp_path):
    # a quoted cell spanning three lines is one spreadsheet row: the fault is on row 3
    content = ("report_id,date,country,notes\n"
               "R1,2024-01-02,Iraq,\"first line\nsecond line\nthird\"\n"
               "R2,2024-13-01,Syria,\n")
    path = _write(tmp_path, "multiline.csv", content)
    with pytest.raises(InputError, match=_where(path, 3, "date")):
        read_reports(path)


def test_row_number_exact_across_reader_blocks(tmp_path, monkeypatch):
    # small blocks force many Arrow chunks; the located row must still be exact
    from analysis.io import _csv
    from analysis.synthetic import acled_like_reports

    monkeypatch.setattr(_csv, "_BLOCK_SIZE", 1 << 16)
    table, _ = acled_like_reports(5000, seed=11)
    table.loc[3777, "fatalities"] = -4
    path = str(tmp_path / "acled.csv")
    table.to_csv(path, index=False)
    with pytest.raises(InputError, match=_where(path, 3779, "fatalities") + "'-4' is negative"):
        read_reports(path)


def test_duplicate_ids_across_files_name_both(tmp_path):
    a = _write(tmp_path, "a.csv", REPORTS_HEAD + R_OK)
    b = _write(tmp_path, "b.csv", REPORTS_HEAD + R_OK.replace("R1", "R9") + R_OK)
    with pytest.raises(InputError, match=_where(b, 3, "report_id") +
                       re.escape(f"'R1' appears twice: also in {a} row 2")):
        read_reports([a, b])


def test_parquet_errors_name_row_and_column(tmp_path):
    path = str(tmp_path / "t.parquet")
    pd.DataFrame({"since": pd.to_datetime(["2023-10-17", "2023-10-17"]),
                  "as_of": pd.to_datetime(["2023-11-14", "2023-11-20"]),
                  "count": [55, -60]}).to_parquet(path)
    with pytest.raises(InputError, match=_where(path, 3, "count") + "'-60' is negative"):
        read_tallies(path)


def test_dataframe_input_errors_name_row_and_column():
    frame = pd.DataFrame({"event_id": ["E1", "E2"], "date": ["2024-01-01", "2024-01-32"],
                          "label": ["a", "b"]})
    with pytest.raises(InputError, match=_where("<DataFrame>", 3, "date")):
        read_events(frame)


def test_format_argument_is_checked(tmp_path):
    path = _write(tmp_path, "r.csv", REPORTS_HEAD + R_OK)
    with pytest.raises(ValueError, match=r"`format` must be one of 'auto', 'canonical', 'acled', 'ucdp'; got 'xls'"):
        read_reports(path, format="xls")


def test_forcing_the_wrong_format_names_missing_columns(tmp_path):
    path = _write(tmp_path, "r.csv", REPORTS_HEAD + R_OK)
    with pytest.raises(InputError, match=_where(path, 1, "event_id_cnty") + "the header lacks the required columns 'event_id_cnty', 'event_date', 'time_precision' of an ACLED export"):
        read_reports(path, format="acled")
