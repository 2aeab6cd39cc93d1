"""CSV outputs: atomic, and formula-neutralised text cells (OWASP CSV injection rule)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.cli import main
from analysis.io.write import FORMULA_TRIGGERS, neutralise_formulas, write_csv

HOSTILE = ["=HYPERLINK(\"http://x\",\"y\")", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A2)", "\tx"]


def test_carriage_return_and_tab_cells():
    f = pd.DataFrame({"t": ["\rx", "\tx", "x\r"], "n": [1, 2, 3]})
    assert neutralise_formulas(f)["t"].tolist() == ["'\rx", "'\tx", "x\r"]


def test_text_cells_neutralised_numeric_untouched(tmp_path):
    f = pd.DataFrame({"text": HOSTILE + ["plain", "a=b", "'already"],
                      "count": np.arange(-4, 4), "rate": np.linspace(-1.5, 2.5, 8)})
    p = write_csv(f, tmp_path / "out.csv")
    back = pd.read_csv(p, keep_default_na=False)
    assert back["text"].tolist() == ["'" + s for s in HOSTILE] + ["plain", "a=b", "'already"]
    assert back["count"].tolist() == list(range(-4, 4))
    np.testing.assert_array_equal(back["rate"].to_numpy(), f["rate"].to_numpy())
    assert sorted(x.name for x in tmp_path.iterdir()) == ["out.csv"]  # no temporary left


def test_raw_writes_verbatim_and_leaves_frame_alone(tmp_path):
    f = pd.DataFrame({"text": HOSTILE, "cat": pd.Categorical(["=1"] * 5)})
    before = f.copy()
    back = pd.read_csv(write_csv(f, tmp_path / "raw.csv", raw=True), keep_default_na=False)
    assert back["text"].tolist()[:4] == HOSTILE[:4]
    write_csv(f, tmp_path / "safe.csv")
    safe = pd.read_csv(tmp_path / "safe.csv")
    assert (safe["cat"] == "'=1").all()
    pd.testing.assert_frame_equal(f, before)  # the caller's frame is not modified


def test_every_trigger_listed():
    assert set(FORMULA_TRIGGERS) == {"=", "+", "-", "@", "\t", "\r"}


def test_failed_write_keeps_old_file(tmp_path):
    p = tmp_path / "out.csv"
    p.write_text("old\n")

    class Boom(pd.DataFrame):
        def to_csv(self, *a, **k):
            raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        write_csv(Boom({"a": [1]}), p)
    assert p.read_text() == "old\n" and sorted(x.name for x in tmp_path.iterdir()) == ["out.csv"]


REPORTS = """report_id,incident_id,date,date_precision,country,location,weapon,injuries,source
=HYPERLINK(1),,2024-01-02,day,@SUM(A1),Ain al-Asad,rocket,2,AFP
+cmd,,2024-01-03,day,Iraq,Al-Asad air base,drone,5,Reuters
"""


@pytest.mark.parametrize("raw", [False, True])
def test_normalize_outputs(tmp_path, capsys, raw):
    r = tmp_path / "reports.csv"
    r.write_text(REPORTS)
    out, led = tmp_path / "series.csv", tmp_path / "ledger.csv"
    code = main(["normalize", "--reports", str(r), "--freq", "M", "--group", "country",
                 "--out", str(out), "--ledger", str(led), *(["--raw-csv"] if raw else [])])
    assert code in (0, None), capsys.readouterr().err
    q = "" if raw else "'"
    series = pd.read_csv(out)
    assert set(series["country"]) == {q + "@SUM(A1)", "Iraq"}
    assert series["count"].sum() == 2
    ledger = pd.read_csv(led)
    assert set(ledger["record_id"]) == {q + "=HYPERLINK(1)", q + "+cmd"}
    assert ledger["row"].tolist() == [2, 3]


def test_carriage_return_in_a_text_cell_reads_back_whole(tmp_path):
    """A CR inside a cell is quoted (the file then ends lines with CRLF, RFC 4180): no row splits."""
    f = pd.DataFrame({"note": ["first\rsecond", "\rleading", "plain"], "count": [1, 2, 3]})
    raw = write_csv(f, tmp_path / "raw.csv", raw=True)
    back = pd.read_csv(raw)
    assert back.shape == (3, 2) and back["note"].tolist() == f["note"].tolist()
    assert open(raw, "rb").read().startswith(b'note,count\r\n"first\rsecond",1\r\n')
    safe = pd.read_csv(write_csv(f, tmp_path / "safe.csv"))
    assert safe["note"].tolist() == ["first\rsecond", "'\rleading", "plain"]
    # without a CR the lines end with \n, as before
    assert b"\r" not in open(write_csv(f.iloc[2:], tmp_path / "lf.csv"), "rb").read()
