"""CSV rows read by DuckDB on several threads keep their spreadsheet row numbers.

The DuckDB engine reads a CSV in parallel pieces and numbers the rows afterwards from
the loaded table's row ids (insertion order kept). Known answers on seeded synthetic
files split into many pieces (a 64 KiB read buffer): every ledger row names the row its
report came from, and a fault deep in the file is named by its row.
"""

from __future__ import annotations

import numpy as np
import pytest

from analysis.duck import normalize_duckdb
from analysis.duck import read as duck_read
from analysis.schema import InputError

N = 30_000


@pytest.fixture
def small_buffers(monkeypatch):
    monkeypatch.setattr(duck_read, "CSV_BUFFER_BYTES", 1 << 16)


def _canonical(path, bad_row=None):
    rng = np.random.default_rng(7)
    days = rng.integers(0, 700, N)
    lines = ["report_id,date,country,location"]
    for i, d in enumerate(days):
        date = str(np.datetime64("2022-01-01") + int(d))
        lines.append(f"R{i},{date},Country-{i % 5},Place-{i % 97}")
    if bad_row is not None:
        lines[bad_row - 1] = f"R{bad_row - 2},2022-02-30,Country-0,Place-0"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_ledger_rows_follow_the_file_when_read_in_parallel(tmp_path, small_buffers):
    f = _canonical(tmp_path / "reports.csv")
    assert f.stat().st_size > 15 * (1 << 16)  # read in many pieces
    res = normalize_duckdb([str(f)], freq="W", threads=2, dedupe="off")
    t = res.ledger.table
    rows = t["row"].to_numpy(dtype=np.int64)
    ids = t["record_id"].astype(str).str.slice(1).astype(np.int64).to_numpy()
    assert len(t) == N
    np.testing.assert_array_equal(rows, ids + 2)


def test_a_fault_deep_in_a_parallel_read_names_its_row(tmp_path, small_buffers):
    f = _canonical(tmp_path / "reports.csv", bad_row=27_345)
    with pytest.raises(InputError) as err:
        normalize_duckdb([str(f)], threads=2)
    assert err.value.row == 27_345
    assert err.value.column == "date"


def test_acled_fault_deep_in_a_parallel_read_names_its_row(tmp_path, small_buffers):
    lines = ["event_id_cnty,event_date,time_precision,country,admin1,location,sub_event_type"]
    for i in range(N):
        lines.append(f"SYN{i},2023-0{1 + i % 9}-1{i % 10},1,Country-{i % 3},R-{i % 11},"
                     f"Place-{i % 50},Attack")
    lines[21_000 - 1] = "SYN20998,2023-01-10,7,Country-0,R-0,Place-0,Attack"
    f = tmp_path / "acled.csv"
    f.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        normalize_duckdb([str(f)], threads=2)
    assert err.value.row == 21_000
    assert err.value.column == "time_precision"
