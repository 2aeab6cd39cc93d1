"""DuckDB skips blank CSV lines when it numbers rows; its messages must still name the right row.

Known answer: a repeated report id on spreadsheet row 5 after a blank row 3. Both engines name
the blank row first, in the same words (the pandas reader refuses blank rows).
"""

from __future__ import annotations

import pytest

from analysis.duck import normalize_duckdb
from analysis.io import read_reports
from analysis.normalize import normalize
from analysis.schema import InputError


def test_blank_row_before_a_fault_is_named_by_both_engines(tmp_path):
    f = tmp_path / "reports.csv"
    f.write_text("report_id,date,country,location\nA,2024-01-01,Iraq,Erbil\n\n"
                 "B,2024-01-02,Iraq,Erbil\nB,2024-01-03,Iraq,Erbil\n", encoding="utf-8")
    with pytest.raises(InputError) as duck:
        normalize_duckdb([str(f)])
    with pytest.raises(InputError) as pand:
        normalize(read_reports(str(f)))
    assert duck.value.row == pand.value.row == 3
    assert str(duck.value) == str(pand.value)
    assert "row is empty" in str(duck.value)


def test_fault_without_blank_rows_keeps_duckdb_numbering(tmp_path):
    f = tmp_path / "reports.csv"
    f.write_text("report_id,date,country,location\nA,2024-01-01,Iraq,Erbil\n"
                 "B,2024-01-02,Iraq,Erbil\nB,2024-01-03,Iraq,Erbil\n", encoding="utf-8")
    with pytest.raises(InputError) as duck:
        normalize_duckdb([str(f)])
    assert duck.value.row == 4 and "report_id" in str(duck.value)
