"""The review loop end to end through the CLI, on a synthetic article written for this test.

``extract`` writes ``review.csv``; ``normalize --reviewed`` refuses it while decisions are
blank, counts it with ``--accept-all``, and drops a row the reviewer marked ``reject``.
Also: the gazetteer ships as package data (a wheel without ``places.csv`` could not resolve
a single place).
"""

from __future__ import annotations

import tomllib
from fnmatch import fnmatch
from pathlib import Path

import pandas as pd

from analysis.cli import main

REPO = Path(__file__).resolve().parents[1]

SYNTHETIC = (  # synthetic text written for this test, not taken from any article
    "SYNTHETIC. Two rockets struck Erbil air base on Monday, injuring one soldier. "
    "On Wednesday, three drones targeted the al-Tanf garrison and were shot down, without causing any "
    "casualties. U.S. forces have been attacked at least 60 times since October 17."
)


def test_places_csv_ships_as_package_data():
    cfg = tomllib.loads((REPO / "pyproject.toml").read_text())
    globs = cfg["tool"]["setuptools"]["package-data"]["analysis.extract"]
    assert any(fnmatch("places.csv", g) for g in globs)
    assert (REPO / "analysis" / "extract" / "places.csv").is_file()


def test_review_loop_through_the_cli(tmp_path, capsys):
    art = tmp_path / "synthetic-review.txt"
    art.write_text(SYNTHETIC)
    out = tmp_path / "ex"
    assert main(["extract", str(art), "--published", "2024-01-12", "--url", "https://example.org/synthetic",
                 "--out", str(out)]) == 0
    review = pd.read_csv(out / "review.csv", dtype=str, keep_default_na=False)
    reps = review[review["table"] == "reports"]
    assert sorted(reps["location"]) == ["Erbil", "al-Tanf"]
    assert sorted(reps["date_start"]) == ["2024-01-08", "2024-01-10"]
    assert (review["decision"] == "").all()
    html = (out / "review.html").read_text()
    assert "<mark" in html and "<script" not in html

    # blank decisions: refused, naming file, row and column
    series = tmp_path / "series.csv"
    assert main(["normalize", "--reviewed", str(out / "review.csv"), "--out", str(series)]) != 0
    err = capsys.readouterr().err
    assert "review.csv" in err and "decision" in err and "--accept-all" in err

    # accept all: both incidents counted
    ledger = tmp_path / "ledger.csv"
    assert main(["normalize", "--reviewed", str(out / "review.csv"), "--accept-all", "--freq", "D",
                 "--out", str(series), "--ledger", str(ledger)]) == 0
    s = pd.read_csv(series)
    assert int(s["count"].sum()) == 2
    led = pd.read_csv(ledger)
    assert "x_span_text" in led.columns and led["x_span_text"].notna().any()

    # reject the al-Tanf row: one incident left, the rejection in the ledger with its note
    review["decision"] = "accept"
    tanf = (review["table"] == "reports") & (review["location"] == "al-Tanf")
    review.loc[tanf, "decision"] = "reject"
    review.loc[tanf, "review_note"] = "synthetic: reviewer says duplicate"
    marked = tmp_path / "marked.csv"
    review.to_csv(marked, index=False)
    assert main(["normalize", "--reviewed", str(marked), "--freq", "D", "--out", str(series),
                 "--ledger", str(ledger)]) == 0
    s = pd.read_csv(series)
    assert int(s["count"].sum()) == 1
    led = pd.read_csv(ledger)
    assert led.astype(str).apply(lambda c: c.str.contains("reviewer says duplicate")).any().any()


def test_review_table_in_memory_and_find_article(tmp_path, monkeypatch):
    from analysis.extract import Article, extract, find_article, read_review, review_frame
    from analysis.schema import InputError
    from datetime import date
    import pytest

    ex = extract([Article("synthetic-mem", SYNTHETIC, date(2024, 1, 12), "https://example.org/synthetic")])
    rf = review_frame(ex)
    with pytest.raises(InputError, match="not reviewed"):
        read_review(rf)
    rf.loc[rf["location"] == "al-Tanf", "decision"] = "reject"
    rv = read_review(rf, accept_all=True)
    assert sorted(rv.reports["location"]) == ["Erbil"]
    assert set(rv.rows["review"]) == {"accepted (--accept-all)", "rejected"}
    # find_article: $INCIDENT_TRENDS_ARTICLES first, None when nowhere
    (tmp_path / "synthetic-article.txt").write_text("SYNTHETIC.")
    monkeypatch.setenv("INCIDENT_TRENDS_ARTICLES", str(tmp_path))
    assert find_article("synthetic-article.txt") == tmp_path / "synthetic-article.txt"
    assert find_article("no-such-synthetic-article.txt") is None


def test_extracted_tables_do_not_bypass_the_review(tmp_path, capsys):
    art = tmp_path / "synthetic-bypass.txt"
    art.write_text(SYNTHETIC)
    out = tmp_path / "ex"
    assert main(["extract", str(art), "--published", "2024-01-12", "--out", str(out)]) == 0
    capsys.readouterr()
    for opt, name in (("--reports", "reports.csv"), ("--tallies", "tallies.csv")):
        code = main(["normalize", opt, str(out / name), "--out", str(tmp_path / "s.csv")])
        err = capsys.readouterr().err
        assert code == 1, (opt, err)
        assert f"{name}, row 2, column 'x_extraction_rule'" in err and "--reviewed" in err
    code = main(["normalize", "--reports", str(out / "reports.csv"), "--engine", "duckdb",
                 "--out", str(tmp_path / "s.csv")])
    assert code == 1 and "x_extraction_rule" in capsys.readouterr().err
    # the reviewed path still counts them
    assert main(["normalize", "--reviewed", str(out / "review.csv"), "--accept-all", "--freq", "D",
                 "--out", str(tmp_path / "s.csv")]) == 0


def test_text_output_uses_proper_plurals(tmp_path, capsys):
    art = tmp_path / "synthetic-plurals.txt"
    art.write_text(SYNTHETIC)
    assert main(["extract", str(art), "--published", "2024-01-12", "--out", str(tmp_path / "ex")]) == 0
    out = capsys.readouterr().out
    assert "(s)" not in out and "(ies)" not in out
    assert out.startswith("read 1 article: 2 reports of 2 incidents, 1 tally, 0 events")
    assert main(["normalize", "--reviewed", str(tmp_path / "ex" / "review.csv"), "--out",
                 str(tmp_path / "s.csv")]) == 1
    assert "3 of 3 candidates are not reviewed" in capsys.readouterr().err


def test_python_normalize_refuses_unreviewed_extractions():
    import pytest

    from analysis.extract import Article, extract, read_review, review_frame
    from analysis.normalize import normalize
    from analysis.schema import InputError

    ex = extract([Article("synthetic", SYNTHETIC, __import__("datetime").date(2024, 1, 12))])
    with pytest.raises(InputError, match="2 reports rows extracted from text have not passed the review"):
        normalize(ex.reports, freq="D")
    with pytest.raises(InputError, match="1 tallies row extracted from text has not passed the review"):
        normalize(tallies=ex.tallies)
    rv = read_review(review_frame(ex), accept_all=True)
    assert normalize(rv.reports, rv.tallies, freq="D").series.total == 2.0
