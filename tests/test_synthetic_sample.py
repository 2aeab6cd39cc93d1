"""The bundled synthetic sample (data/synthetic/, labelled synthetic) and its report."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from analysis.synthetic import SAMPLE_SEED, acled_sample, write_acled_sample


def test_committed_files_are_what_the_seeded_code_writes(repo, tmp_path):
    written = write_acled_sample(tmp_path)
    for name, path in written.items():
        assert (repo / "data" / "synthetic" / name).read_bytes() == path.read_bytes(), name


def test_sample_truth_and_labels():
    tables, truth = acled_sample(SAMPLE_SEED)
    a, t = tables["acled"], tables["tallies"]
    assert sum(truth["weekly"]) == truth["n_events"] and len(a) == truth["n_listed"] < truth["n_events"]
    assert (a["country"] == "Synthetica").all() and a["event_id_cnty"].str.startswith("SYN-").all()
    assert a["notes"].str.contains("synthetic").all() and t["notes"].str.startswith("synthetic").all()
    true = t["notes"].str.extract(r"total (\d+)")[0].astype(int)
    ok = {"exact": true == t["count"], "at_least": t["count"] <= true, "more_than": t["count"] < true,
          "about": (t["count"] - true).abs() <= 0.1 * true}
    for bound, m in ok.items():
        assert m[t["bound"] == bound].all(), bound
    assert truth["change_dates"] == ["2022-05-23", "2022-09-12"]
    again, _ = acled_sample(SAMPLE_SEED)
    pd.testing.assert_frame_equal(again["acled"], a)


def test_synthetic_report_reads_the_sample_as_acled(repo):
    from analysis.io import read_reports
    from analysis.normalize import normalize
    r = read_reports(repo / "data" / "synthetic" / "acled_sample.csv")
    led = normalize(reports=r, freq="W").ledger.table
    assert len(r) == 221 and (led["status"] == "counted").sum() == 221   # each row its own event
    assert led["reason"].astype(str).str.contains("ACLED event_id_cnty SYN-0001").any()


def test_synthetic_report_is_reproduced_and_states_synthetic(repo):
    from analysis.report import load_spec, reproduce
    spec = repo / "specs" / "synthetic-acled.toml"
    assert reproduce(load_spec(spec), repo / "reports" / "synthetic-acled") == []
    res = json.loads((repo / "reports" / "synthetic-acled" / "results.json").read_text())
    assert set(res["questions"]) == {"compare", "alignment", "model_comparison", "sensitivity", "coverage",
                                     "monitoring"}
    md = (repo / "reports" / "synthetic-acled" / "report.md").read_text()
    assert md.startswith("# SYNTHETIC DATA") and "Synthetic, seeded data" in md
    truth = json.loads((repo / "data" / "synthetic" / "truth.json").read_text())
    assert truth["change_dates"][0] in res["questions"]["alignment"]["numbers"]["changes"]
    n = res["questions"]["compare"]["numbers"]
    assert n["rr_ceasefire_exact"] < 1 < n["rr_talks_exact"]
    assert np.isclose(n["rr_ceasefire_exact"], (n["count_after_ceasefire"] / 15) / (n["count_before_ceasefire"] / 19))
