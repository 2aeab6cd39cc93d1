"""dedupe="link": reports linked to coded events, counts unchanged."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest

from analysis.io import read_reports
from analysis.normalize import normalize
from analysis.normalize.link import LINK_COLUMNS

ACLED = """event_id_cnty,event_date,time_precision,event_type,sub_event_type,actor1,actor2,country,admin1,location,geo_precision,fatalities
JOR1,2024-01-28,1,Explosions/Remote violence,Drone strike,Islamic Resistance in Iraq,Military Forces of the United States,Jordan,Mafraq,Tower 22,1,3
IRQ1,2024-01-20,1,Explosions/Remote violence,Shelling/artillery/missile attack,Islamic Resistance in Iraq,Military Forces of the United States,Iraq,Al Anbar,Ain al-Asad,1,0
IRQ2,2024-01-21,1,Explosions/Remote violence,Shelling/artillery/missile attack,Islamic Resistance in Iraq,Military Forces of the United States,Iraq,Al Anbar,Ain al-Asad,1,0
IRQ3,2024-01-22,1,Explosions/Remote violence,Drone strike,Islamic Resistance in Iraq,Military Forces of the United States,Iraq,Al Anbar,Al Anbar,3,0
"""
REPORTS = """report_id,date,country,location,weapon,source
n1,2024-01-28,Jordan,Tower 22 (Rukban),one-way attack drone,AP
n2,2024-01-20,Iraq,Al-Asad air base,ballistic missile,Reuters
n3,2024-01-22,Iraq,Al Anbar,drone,AFP
n4,2024-02-02,Syria,Tanf,drone,AFP
n5,,Iraq,Erbil,drone,AFP
"""


@pytest.fixture()
def files(tmp_path):
    a = tmp_path / "acled.csv"
    a.write_text(ACLED)
    r = tmp_path / "reports.csv"
    r.write_text(REPORTS)
    return a, r


def test_link_counts_the_coded_events_and_links_reports_with_evidence(files):
    a, r = files
    acled, reports = read_reports(a), read_reports(r)
    alone = normalize(acled, freq="D")
    res = normalize([acled, reports], freq="D", dedupe="link")
    # the counts are those of the event dataset alone
    pd.testing.assert_frame_equal(res.series.data, alone.series.data, check_exact=True)
    assert res.series.total == 4
    lg = res.ledger.table
    assert len(lg) == 4 + 5
    assert lg["status"].tolist() == ["counted"] * 4 + ["excluded"] * 5
    rep = lg[lg["file"] == str(r)].set_index("record_id")
    assert rep.loc["n1", "incident_id"] == "JOR1" and rep.loc["n2", "incident_id"] == "IRQ1"
    assert rep["incident_id"].iloc[2:].isna().all()
    assert rep.loc["n1", "reason"].startswith("linked to a coded event: ACLED event_id_cnty JOR1 (same country")
    assert rep.loc["n3", "reason"].startswith("not linked: no coded event")  # region-level event and place
    assert rep.loc["n5", "reason"].startswith("not linked: the report gives no date")
    assert res.ledger.check_conservation(res.series)
    links = res.links
    assert tuple(links.columns) == LINK_COLUMNS
    # n2 (missile, 01-20) matches IRQ1 (same day) and IRQ2 (a day later): both listed, IRQ1 first
    got = links[["report_id", "event_id", "rank", "n_candidates", "gap_days", "place_key", "weapon_match"]]
    assert got.values.tolist() == [
        ["n1", "JOR1", 1, 1, 0, "tower 22", "same class"],
        ["n2", "IRQ1", 1, 2, 0, "asad", "same class"],
        ["n2", "IRQ2", 2, 2, 1, "asad", "same class"],
    ]
    assert links["report_row"].tolist() == [2, 3, 3] and links["event_row"].tolist() == [2, 3, 4]
    assert res.summary()["links"] == {"pairs": 3, "reports_linked": 2, "reports_not_linked": 3}


def test_link_order_of_inputs_is_the_ledger_order(files):
    a, r = files
    res = normalize([read_reports(r), read_reports(a)], freq="D", dedupe="link")
    assert res.ledger.table["record_id"].tolist() == ["n1", "n2", "n3", "n4", "n5", "JOR1", "IRQ1", "IRQ2", "IRQ3"]
    assert res.series.total == 4


def test_link_needs_both_kinds_of_input_and_the_pandas_engine(files):
    from analysis.duck import normalize_duckdb

    a, r = files
    with pytest.raises(ValueError, match="dedupe='link' needs a coded event dataset"):
        normalize(read_reports(r), dedupe="link")
    with pytest.raises(ValueError, match="dedupe='link' needs .* report collection"):
        normalize(read_reports(a), dedupe="link")
    with pytest.raises(ValueError, match="dedupe='link' runs on the pandas engine"):
        normalize_duckdb([a, r], dedupe="link")


def test_cli_normalize_dedupe_link_writes_the_link_table_next_to_the_series(files, tmp_path, repo):
    a, r = files

    def run(*args):
        return subprocess.run([sys.executable, "-m", "analysis.cli", "normalize", *map(str, args)],
                              capture_output=True, text=True, cwd=repo)

    out = tmp_path / "out" / "series.csv"
    p = run("--reports", a, "--reports", r, "--dedupe", "link", "--freq", "D", "--out", out,
            "--ledger", tmp_path / "out" / "ledger.csv", "--format", "json")
    assert p.returncode == 0, p.stderr
    js = json.loads(p.stdout)
    path = tmp_path / "out" / "series.links.csv"
    assert js["outputs"]["links"] == str(path)
    assert js["total_count"] == 4.0 and js["links"]["reports_linked"] == 2
    links = pd.read_csv(path)
    assert links["event_id"].tolist() == ["JOR1", "IRQ1", "IRQ2"]
    own = tmp_path / "links.csv"
    p = run("--reports", a, "--reports", r, "--dedupe", "link", "--out", out, "--links", own)
    assert p.returncode == 0, p.stderr and own.exists()
    bad = run("--reports", r, "--links", own, "--out", out)
    assert bad.returncode == 2 and "--links applies to --dedupe link" in bad.stderr
    bad = run("--reports", a, "--reports", r, "--dedupe", "link", "--engine", "duckdb", "--out", out)
    assert bad.returncode == 2 and "--dedupe link" in bad.stderr
    h = " ".join(run("--help").stdout.split())
    # the default per input kind, and what link does
    assert "auto (default): ACLED and UCDP GED exports are coded event datasets, one incident per row" in h
    assert "canonical report tables are report collections, matched" in h
    assert "link: count the ACLED/UCDP rows as auto does" in h


def test_report_spec_key_dedupe(tmp_path, files):
    from analysis.report.spec import SpecError, load_spec

    for value, ok in (("link", True), ("reports", True), ("merge", False)):
        spec = tmp_path / f"s_{value}.toml"
        spec.write_text(f'name = "x"\ntitle = "x"\n[data]\nreports = ["acled.csv", "reports.csv"]\n'
                        f'[series]\ndedupe = "{value}"\n')
        if ok:
            assert load_spec(spec).series["dedupe"] == value
        else:
            with pytest.raises(SpecError, match="series.dedupe"):
                load_spec(spec)
    assert load_spec(tmp_path / "s_link.toml").series["window_days"] == 1
