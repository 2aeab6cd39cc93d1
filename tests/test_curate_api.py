"""analysis.curate as a public API on any gathered file; the collection's rules as data."""

from __future__ import annotations

import subprocess
import sys

import pytest

from analysis import InputError
from analysis import curate as C


def _row(rid, **kw):
    base = {c: "" for c in C.GATHERED_COLUMNS}
    base.update(report_id=rid, date="2024-03-01", date_precision="day", country="Ruritania",
                location="North Base", weapon="drone", projectiles="1", us_casualties="none",
                source_url=f"https://example.org/{rid}")
    base.update(kw)
    return base


def test_gathered_rows_split_parse_and_check_countries():
    rows = [_row("A", us_casualties="3 killed; 34 wounded", projectiles="2+"),
            _row("B", location="East Depot", country="Borduria"),
            # one row, two attacks in two countries: placed by the gazetteer of the other rows
            _row("C", location="North Base; East Depot", country="Ruritania and Borduria",
                 projectiles="2 + 3", weapon="rockets"),
            # two countries, a place nobody locates: excluded with its reason
            _row("D", location="Hill 4; Hill 5", country="Ruritania and Borduria")]
    out, excluded = C.curate_gathered(rows, file="gathered.csv")
    got = {r["report_id"]: r for r in out}
    assert (got["A"]["fatalities"], got["A"]["injuries"], got["A"]["projectiles"]) == ("3", "34", "2")
    assert got["A"]["x_projectiles_bound"] == "at_least"
    assert [(got[k]["country"], got[k]["location"], got[k]["projectiles"]) for k in ("C-1", "C-2")] == [
        ("Ruritania", "North Base", "2"), ("Borduria", "East Depot", "3")]
    assert [e["report_id"] for e in excluded] == ["D"] and "2 countries" in excluded[0]["reason"]
    assert {r["x_raw_file"] for r in out} == {"gathered.csv"}


def test_read_gathered_maps_columns_and_names_bad_rows(tmp_path):
    p = tmp_path / "g.csv"
    p.write_text("id,date,country,location,casualties,url\nG1,2024-01-02,Ruritania,Base,2 wounded,https://x.org\n",
                 encoding="utf-8")
    rows = C.read_gathered(p, columns={"id": "report_id", "casualties": "us_casualties", "url": "source_url"})
    assert rows[0]["report_id"] == "G1" and rows[0]["us_casualties"] == "2 wounded" and rows[0]["weapon"] == ""
    out, _ = C.curate_gathered(rows, file=p.name)
    assert (out[0]["fatalities"], out[0]["injuries"], out[0]["source"]) == ("0", "2", "x.org")
    p.write_text("report_id,date\nG1,2024-01-02\nG1,2024-01-03\n", encoding="utf-8")
    with pytest.raises(InputError, match="duplicate id 'G1'") as e:
        C.read_gathered(p)
    assert e.value.row == 3 and e.value.column == "report_id"


def test_rules_file_overrides_and_counters(tmp_path):
    p = tmp_path / "curation.toml"
    p.write_text('[counters.official]\nname = "Ministry"\npattern = \'ministry|\\bspokesman\\b\'\n'
                 '[[counters.trackers]]\nname = "Watch"\npattern = "watch"\n'
                 '[tally_regions]\ntotal = "all"\nnorth = "North"\n'
                 '[report_overrides.A]\nchanges = {location = "South Base"}\nreason = "the page says so"\n'
                 '[counter_overrides.T9]\ncounter = "Ministry"\nreason = "an older ministry figure"\n',
                 encoding="utf-8")
    rules = C.load_rules(p)
    assert C.counter_of("the spokesman (via Watch TV)", rules=rules)[0] == "Ministry"  # the carrier is ignored
    assert C.counter_of("Watch monitor", rules=rules)[0] == "Watch"
    assert C.counter_of("Daily Planet", "T9", rules=rules) == ("Ministry", "override: an older ministry figure")
    out, _ = C.curate_gathered([_row("A")], rules=rules)
    assert out[0]["location"] == "South Base" and "the page says so" in out[0]["x_curation"]
    t = C.curate_tallies([{"tally_id": "T1", "as_of": "2024-01-05", "since": "2024-01-01", "total": "7",
                           "north": "3", "bound": "", "reporter": "ministry", "source_url": "u", "note": "",
                           "_row": 2}], file="t.csv", rules=rules)
    assert [(x["tally_id"], x["region"], x["count"], x["source"]) for x in t] == [
        ("T1-all", "all", "7", "Ministry"), ("T1-north", "North", "3", "Ministry")]
    p.write_text('[report_overrides.A]\nchanges = {location = "x"}\n', encoding="utf-8")
    with pytest.raises(InputError, match="reason") as e:
        C.load_rules(p)
    assert e.value.column == "report_overrides.A"
    p.write_text('[counters.official]\nname = "M"\npattern = "("\n', encoding="utf-8")
    with pytest.raises(InputError, match="regular expression"):
        C.load_rules(p)


def test_bundled_rules_are_data_next_to_the_raw_files(repo):
    rules = C.rules_for(repo / "data" / "raw")
    assert set(rules.report_overrides) == {"X015", "X058", "X059"}
    assert set(rules.counter_overrides) == {"T26", "T38", "T46", "U04"}
    assert rules.official[0] == "Pentagon" and rules.tally_regions[0] == ("total", "all")
    assert C.counter_of("Sabrina Singh (via CNN)", rules=rules)[0] == "Pentagon"


def test_python_m_curate_rebuilds_data_byte_for_byte(repo, tmp_path):
    r = subprocess.run([sys.executable, "-m", "analysis.curate", str(repo / "data" / "raw"), str(tmp_path)],
                       capture_output=True, text=True, cwd=repo)
    assert r.returncode == 0, r.stderr
    for name in C.OUTPUT_FILES:
        assert (tmp_path / name).read_bytes() == (repo / "data" / name).read_bytes(), name
