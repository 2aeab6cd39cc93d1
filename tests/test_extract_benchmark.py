"""benchmarks/extract.py scores a known case right (synthetic articles and labels written for this test)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pandas as pd
import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench_extract", REPO / "benchmarks" / "extract.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


ARTS = [  # synthetic texts, not from any article
    {"url": "https://example.org/synthetic-a", "published": "2024-01-10",
     "text": "SYNTHETIC. Two rockets struck Erbil air base on Monday, injuring one soldier. "
             "U.S. forces have been attacked at least 60 times since October 17."},
    {"url": "https://example.org/synthetic-b", "published": "2024-01-12",
     "text": "SYNTHETIC. Three drones targeted the al-Tanf garrison on Thursday, without causing any casualties."},
]
COLS = "url,split,item,country,place,date_start,date_end,projectiles,fatalities,injuries,count,bound,region,since,as_of,background,note"
LABELS = [
    "https://example.org/synthetic-a,dev,incident,Iraq,Erbil,2024-01-08,2024-01-08,2,,1,,,,,,0,",
    "https://example.org/synthetic-a,dev,tally,,,,,,,,60,at_least,all,2023-10-17,2024-01-10,0,",
    # labelled wrong on purpose: Friday, four drones, one injured; and a tally the text does not hold
    "https://example.org/synthetic-b,heldout,incident,Syria,al-Tanf,2024-01-11,2024-01-12,4,0,1,,,,,,0,",
    "https://example.org/synthetic-b,heldout,incident,Syria,Conoco,2024-01-11,2024-01-11,,,,,,,,,0,",
    "https://example.org/synthetic-b,heldout,tally,,,,,,,,9,exact,all,2023-10-17,2024-01-12,0,",
]


def test_benchmark_scores_a_known_case(bench, tmp_path, capsys):
    texts = tmp_path / "synthetic.jsonl"
    texts.write_text("".join(json.dumps(a) + "\n" for a in ARTS))
    labels = tmp_path / "labels.csv"
    labels.write_text(COLS + "\n" + "\n".join(LABELS) + "\n")
    from analysis.extract import extract, read_articles
    ex = extract(read_articles([texts]))
    lab = pd.read_csv(labels, dtype=str, keep_default_na=False)
    dev = bench.evaluate(ex, lab, {ARTS[0]["url"]})
    assert (dev["incident_precision"], dev["incident_recall"]) == (1.0, 1.0)
    assert (dev["date_contains"], dev["projectiles_acc"], dev["casualties_acc"]) == (1.0, 1.0, 1.0)
    assert (dev["tally_precision"], dev["tally_recall"]) == (1.0, 1.0)
    held = bench.evaluate(ex, lab, {ARTS[1]["url"]})
    assert (held["incident_precision"], held["incident_recall"]) == (1.0, 0.5)  # Conoco is not in the text
    assert held["date_contains"] == 0.0  # a Thursday does not contain Jan 11-12
    assert held["projectiles_acc"] == 0.0  # 3 stated, 4 labelled
    assert held["casualties_acc"] == 0.5  # 0 killed right, 1 injured wrong
    assert held["tallies_predicted"] == 0 and held["tally_recall"] == 0.0
    assert bench.main(["--texts", str(texts), "--labels", str(labels)]) == 0
    out = capsys.readouterr().out
    assert "incident_precision" in out and "heldout" in out
