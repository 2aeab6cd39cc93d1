"""CSV diagnosis: streamed (memory bounded whatever the file's size), a header of any
width read whole, and the DuckDB engine's faults told in the pandas reader's words."""

from __future__ import annotations

import tracemalloc

import pytest

from analysis.duck import normalize_duckdb
from analysis.io import read_reports
from analysis.io._csv import _read_header, diagnose_csv
from analysis.schema import InputError

HEADER = "event_id_cnty,event_date,time_precision,country,location\n"

FAULTS = {
    "latin1": (HEADER + "A1,2022-01-01,1,Brazil,Rio\nA2,2022-01-02,1,Brazil,S\xe3o Paulo\n").encode("latin-1"),
    "extra_field": (HEADER + "A1,2022-01-01,1,Brazil,Rio\nA2,2022-01-02,1,Brazil,Rio,x\n").encode(),
    "missing_field": (HEADER + "A1,2022-01-01,1,Brazil,Rio\nA2,2022-01-02,1,Brazil\n").encode(),
    "header_only": HEADER.encode(),
    "blank_lines_only": (HEADER + "\n\n").encode(),
    "utf16": HEADER.encode("utf-16"),
    "semicolons": HEADER.replace(",", ";").encode() + b"A1;2022-01-01;1;Brazil;Rio\n",
}

EXPECTED = {
    "latin1": "row 3, column 'location': the cell holds bytes that are not UTF-8 ('S\\\\xe3o Paulo')",
    "extra_field": "row 3: the row has 6 fields but the header has 5",
    "missing_field": "row 3: the row has 4 fields but the header has 5",
    "header_only": "row 2: the file has a header but no data rows",
    "blank_lines_only": "row 2: the row is empty (every cell is blank)",
    "utf16": "row 1: the file is UTF-16 text; save it as UTF-8",
    "semicolons": "row 1: the header is one column",
}


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_duckdb_engine_names_file_row_and_column_as_the_pandas_reader(tmp_path, fault):
    path = tmp_path / f"{fault}.csv"
    path.write_bytes(FAULTS[fault])
    with pytest.raises(InputError) as pandas_err:
        read_reports(path)
    with pytest.raises(InputError) as duck_err:
        normalize_duckdb(path)
    assert str(duck_err.value) == str(pandas_err.value)
    assert str(duck_err.value).startswith(f"{path}, ") and EXPECTED[fault] in str(duck_err.value)


def test_duckdb_engine_names_a_row_longer_than_it_reads(tmp_path):
    path = tmp_path / "long.csv"
    path.write_text(HEADER + "A1,2022-01-01,1,Brazil,Rio\nA2,2022-01-02,1,Brazil," + "x" * 2_500_000 + "\n")
    assert len(read_reports(path)) == 2  # the pandas reader reads it
    with pytest.raises(InputError, match=r"long.csv, row 3: the row is longer \(2,500,023 bytes\) than "
                                         r"the duckdb engine reads.*--engine pandas"):
        normalize_duckdb(path)


def test_diagnosis_streams_the_file(tmp_path):
    """A fault on the last row of a 2.4 MB file: the diagnosis names it, and the Python
    memory it holds at its peak stays within 1 MiB (the whole file as one string, as
    before, was 2.4 MB of bytes plus 2.4 MB of text)."""
    path = tmp_path / "big.csv"
    row = "SYN{},2022-01-01,1,Brazil,Some place with a longish name\n"
    n = 40_000
    with open(path, "w") as fh:
        fh.write(HEADER)
        fh.writelines(row.format(i) for i in range(n))
        fh.write("BAD,2022-01-01,1,Brazil\n")
    assert path.stat().st_size > 2.3e6
    tracemalloc.start()
    try:
        with pytest.raises(InputError, match=rf"row {n + 2}: the row has 4 fields but the header has 5"):
            diagnose_csv(str(path))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 2**20, peak


def test_header_wider_than_a_mebibyte_is_read_whole(tmp_path):
    """150,000 columns (1.3 MB of header, more than the 1 MiB the probe used to read,
    which cut it to about 116,000 columns): the header is read whole and the message
    counts every column."""
    k = 150_000
    path = tmp_path / "wide.csv"
    path.write_text(",".join(f"col{j}" for j in range(k)) + "\n" + "1,2,3\n")
    assert path.stat().st_size > 2**20
    assert len(_read_header(str(path), "wide.csv")) == k
    with pytest.raises(InputError, match=rf"wide.csv, row 2: the row has 3 fields but the header has {k}"):
        diagnose_csv(str(path))
