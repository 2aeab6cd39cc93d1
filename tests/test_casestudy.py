"""The bundled case study end to end: loaders, tallies, deduplication, ledger.

Known answers come from the raw files and data/raw/SOURCES-NOTES.md: the Pentagon's
140 attacks (57 Iraq / 83 Syria) by 2024-01-18, AFP's "more than 175 this winter", the
independent trackers' 73 and "more than 160", the four Tower 22 reports (25 to 47
injured) and the two Green Village attacks of 2023-11-08.
"""

from __future__ import annotations

import csv
import math
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.datasets import (
    CASE_STUDY_ALIASES, CaseStudy, data_path, load_case_study, load_coal_mining, load_exclusions,
)
from analysis.normalize import dedupe, normalize, tallies_to_intervals
from analysis.schema import LEDGER_COLUMNS, LEDGER_STATUSES

REPO = Path(__file__).resolve().parents[1]
RAW = REPO / "data" / "raw"
PENTAGON_START = "2023-10-17"


def _raw(name: str) -> list[dict]:
    with open(RAW / name, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def case() -> CaseStudy:
    return load_case_study()


@pytest.fixture(scope="module")
def tally_result(case):
    return tallies_to_intervals(case.tallies, rule="latest")


@pytest.fixture(scope="module")
def dd(case):
    return dedupe(case.reports)


@pytest.fixture(scope="module")
def result(case):
    return normalize(case.reports, case.tallies, freq="W")


def _cumulative(tr, source, region="all", since=PENTAGON_START) -> pd.DataFrame:
    c = tr.cumulative
    c = c[(c["source"] == source) & (c["region"] == region)
          & (pd.to_datetime(c["since"]) == pd.Timestamp(since))]
    return c.assign(as_of=pd.to_datetime(c["as_of"])).set_index("as_of").sort_index()


# ------------------------------------------------------------------------ loaders
def test_load_case_study(case):
    reports, tallies, events = case  # a NamedTuple unpacks
    assert (len(reports), len(tallies), len(events)) == (92, 101, 32)
    assert set(reports["_file"]) == {"data/reports.csv"}
    assert set(tallies["_file"]) == {"data/tallies.csv"}
    assert reports["_row"].tolist() == list(range(2, 94))
    assert reports["source_url"].notna().all() and tallies["source_url"].notna().all()
    assert str(reports["injuries"].dtype) == "Int64"
    assert reports["date_start"].notna().all()
    # week precision becomes the ISO week (Mon-Sun) that contains the date
    x058 = reports.set_index("report_id").loc["X058"]
    assert (x058["date_start"], x058["date_end"]) == (pd.Timestamp("2023-12-11"), pd.Timestamp("2023-12-17"))
    assert tallies["as_of"].isna().sum() == 10
    assert events["date"].min() == pd.Timestamp("2023-10-07")
    ex = load_exclusions()
    assert ex["report_id"].tolist() == ["X013", "X031"] and (ex["reason"] != "").all()


def test_data_dir_override(tmp_path):
    for name in ("reports.csv", "tallies.csv", "events.csv", "coal_mining_disasters.csv"):
        shutil.copy(data_path(name), tmp_path / name)
    cs = load_case_study(data_dir=tmp_path)
    assert len(cs.reports) == 92
    assert cs.reports["_file"].iloc[0].endswith("reports.csv")
    assert load_coal_mining(data_dir=tmp_path).total == 191
    with pytest.raises(FileNotFoundError, match="no data file 'nope.csv'.*available: .*reports.csv"):
        data_path("nope.csv", data_dir=tmp_path)
    assert data_path(data_dir=tmp_path) == tmp_path
    assert data_path() == REPO / "data"
    with pytest.raises(TypeError, match="name must be"):
        data_path(3)


def test_coal_mining():
    s = load_coal_mining()
    assert s.freq == "Y" and len(s) == 112
    assert s.labels[:3] == ["1851", "1852", "1853"] and s.labels[-1] == "1962"
    raw = {int(r["year"]): int(r["count"]) for r in _raw("coal_mining_disasters.csv")}
    assert s.counts.tolist() == [float(raw[y]) for y in range(1851, 1963)]
    assert s.total == 191
    # the well-known fall in the rate around 1890: 3.1 a year before, under 1 after
    years = np.arange(1851, 1963)
    assert s.counts[years <= 1890].mean() > 3 * s.counts[years > 1890].mean()
    s.check()


# ------------------------------------------------------------------------ tallies
def test_pentagon_intervals_sum_to_140_with_country_split(tally_result):
    tr = tally_result
    for region, total in (("all", 140), ("Iraq", 57), ("Syria", 83)):
        cum = _cumulative(tr, "Pentagon", region)
        at = cum.loc[pd.Timestamp("2024-01-18")]
        assert (at["lower"], at["upper"]) == (total, total)
        s = tr.get("Pentagon", region, since=PENTAGON_START).data
        s = s[s["end"] <= pd.Timestamp("2024-01-19")]
        # the intervals tile [2023-10-17, 2024-01-19) with no gap or overlap
        assert s["start"].iloc[0] == pd.Timestamp(PENTAGON_START)
        assert (s["start"].iloc[1:].to_numpy() == s["end"].iloc[:-1].to_numpy()).all()
        assert s["end"].iloc[-1] == pd.Timestamp("2024-01-19")
        # monotone: no interval can have a negative count
        lo = s["count"].fillna(s["lower"]).to_numpy(float)
        hi = s["count"].fillna(s["upper"]).to_numpy(float)
        assert (lo >= 0).all() and (hi >= lo).all()
        # the interval counts add up to the stated total
        assert lo.sum() <= total <= hi.sum()
        # and wherever two successive statements are exact the count is their difference
        exact = cum[(cum["lower"] == cum["upper"])]
        for _, row in s.iterrows():
            a, b = row["start"] - pd.Timedelta(days=1), row["end"] - pd.Timedelta(days=1)
            if a in exact.index and b in exact.index:
                assert row["count"] == exact.loc[b, "lower"] - exact.loc[a, "lower"]
    last = tr.get("Pentagon", "all", since=PENTAGON_START).data
    last = last[last["end"] == pd.Timestamp("2024-01-19")].iloc[0]
    assert last["count"] == 140 - 127 and last["start"] == pd.Timestamp("2024-01-10")
    chk = tr.checks
    row = chk[(chk["source"] == "Pentagon") & (pd.to_datetime(chk["as_of"]) == pd.Timestamp("2024-01-18"))]
    assert len(row) == 1 and row["status"].iloc[0] == "equal"
    assert (row["parts_lower"].iloc[0], row["total_lower"].iloc[0]) == (140, 140)
    assert not (chk["status"].isin(["parts_exceed_total", "parts_below_total"])).any()


def test_stale_figure_is_not_a_fall(tally_result):
    # 66 (32/34) on 2023-11-27 after 73 (36/37) on 2023-11-23: an older figure repeated
    tr = tally_result
    cum = _cumulative(tr, "Pentagon", "all")
    assert (cum["lower"].diff().dropna() >= 0).all()
    assert cum.loc[pd.Timestamp("2023-11-27"), "lower"] >= 73
    led = tr.ledger.set_index("record_id")
    for tid in ("T26-all", "T26-iraq", "T26-syria"):
        assert led.loc[tid, "status"] == "excluded"
    assert set(tr.conflicts["excluded"].str.split("; ").explode()) >= {"T26-all", "T26-iraq", "T26-syria"}


def test_more_than_175_is_a_lower_bound_to_early_february(tally_result, case):
    tr = tally_result
    t43 = case.tallies.set_index("tally_id").loc["T43-all"]
    assert (t43["count"], t43["bound"]) == (175, "more_than")
    afp = tr.get("AFP").data
    assert len(afp) == 1
    row = afp.iloc[0]
    assert row["start"] == pd.Timestamp("2023-10-17")
    assert row["end"] == pd.Timestamp("2024-02-05")  # through 2024-02-04, end exclusive
    assert math.isnan(row["count"])  # not the number 175
    assert row["lower"] == 176 and math.isinf(row["upper"])
    # the Pentagon's own end-of-wave figures stay bounds too: "more than 165" by mid-February
    cum = _cumulative(tr, "Pentagon", "all")
    assert cum.loc[pd.Timestamp("2024-02-13"), "lower"] >= 166
    assert math.isinf(cum.loc[pd.Timestamp("2024-02-13"), "upper"])


def test_independent_trackers_are_separate_conflicting_series(tally_result, case):
    tr = tally_result
    assert {"Pentagon", "Washington Institute Militia Monitor", "GTTAC"} <= set(tr.sources)
    wi = _cumulative(tr, "Washington Institute Militia Monitor", since="2023-10-18")
    g = _cumulative(tr, "GTTAC")
    p = _cumulative(tr, "Pentagon")
    wi_at = wi.loc[pd.Timestamp("2023-11-14")]
    assert wi_at["lower"] <= 73 <= wi_at["upper"]  # "about 73"
    assert g.loc[pd.Timestamp("2023-12-31"), "lower"] == 161  # "more than 160"
    # the Pentagon's series is untouched by them ...
    assert tuple(p.loc[pd.Timestamp("2023-11-14"), ["lower", "upper"]]) == (55, 55)
    assert tuple(p.loc[pd.Timestamp("2024-01-09"), ["lower", "upper"]]) == (127, 127)
    pent_ids = "; ".join(tr.intervals.loc[tr.intervals["source"] == "Pentagon", "tally_ids"])
    assert "T18" not in pent_ids and "T32" not in pent_ids
    # ... and they conflict with it: ranges for the same day that cannot both hold
    assert wi_at["lower"] > p.loc[pd.Timestamp("2023-11-14"), "upper"]
    # GTTAC's more than 160 by 2023-12-31 exceeds the Pentagon's exact 127 on 2024-01-09
    assert g.loc[pd.Timestamp("2023-12-31"), "lower"] > p.loc[pd.Timestamp("2024-01-09"), "upper"]
    led = tr.ledger.set_index("record_id")
    assert led.loc["T18-all", "status"] == "counted" and led.loc["T32-all", "status"] == "counted"


def test_undated_tallies_are_excluded_with_their_reason(result):
    lg = result.ledger.table
    und = lg[lg["record_id"].astype(str).str.match(r"U0[1-4]-")]
    assert len(und) == 10
    assert (und["status"] == "excluded").all()
    assert und["reason"].astype(str).str.startswith("no as_of date").all()


# ------------------------------------------------------------------------ incidents
def _incident_of(dd, report_id) -> str:
    v = dd.variants.set_index("report_id")
    return str(v.loc[report_id, "incident_id"])


def test_tower_22_is_one_incident_with_an_injury_range(dd):
    ids = {_incident_of(dd, r) for r in ("R011", "R012", "R013", "R014")}
    assert len(ids) == 1
    inc = dd.incidents.set_index("incident_id").loc[ids.pop()]
    assert (inc["injuries_min"], inc["injuries_max"]) == (25, 47)
    assert (inc["fatalities_min"], inc["fatalities_max"]) == (3, 3)
    assert inc["country"] == "Jordan"
    # the gathered reports of the same attack (X017-X020) join it too
    assert {_incident_of(dd, r) for r in ("X017", "X018", "X019", "X020")} == {inc.name}
    assert inc["n_reports"] == 8
    # no other incident in Jordan
    assert (dd.incidents["country"] == "Jordan").sum() == 1


def test_green_village_attacks_stay_two_incidents(dd):
    a, b = _incident_of(dd, "R001"), _incident_of(dd, "R002")
    assert (a, b) == ("GV-2023-11-08-a", "GV-2023-11-08-b")
    inc = dd.incidents.set_index("incident_id")
    assert inc.loc[a, "injuries_min"] == 3 and inc.loc[b, "injuries_max"] == 0
    # the split parts of the gathered row about the same two attacks follow them
    assert (_incident_of(dd, "X005-1"), _incident_of(dd, "X005-2")) == (a, b)
    # the two parts of a row that describes two attacks at one place stay apart
    assert _incident_of(dd, "X002-1") != _incident_of(dd, "X002-2")


def test_conflicting_accounts_of_one_attack_merge_into_ranges(dd):
    # Ain al-Asad 2024-07-25: four rockets / a drone and three rockets / two inside the
    # base / base not struck: one incident, the weapon kinds and counts kept, not averaged
    ids = {_incident_of(dd, r) for r in ("R018", "R019", "R020", "R021", "X027", "X028", "X029")}
    assert len(ids) == 1
    inc = dd.incidents.set_index("incident_id").loc[ids.pop()]
    assert set(inc["weapon"].split("+")) == {"drone", "rocket"}
    assert (inc["projectiles_min"], inc["projectiles_max"]) == (4, 4)
    # Ain al-Asad 2024-08-05: injuries "several" / at least 5 / 7
    aug = dd.incidents.set_index("incident_id").loc[_incident_of(dd, "R024")]
    assert (aug["injuries_min"], aug["injuries_max"]) == (5, 7)
    assert {_incident_of(dd, r) for r in ("X022", "X035", "X036", "X038")} == {aug.name}
    # Rumalyn 2024-08-09: first no injuries, later 8
    rum = dd.incidents.set_index("incident_id").loc[_incident_of(dd, "X054")]
    assert (rum["injuries_min"], rum["injuries_max"]) == (0, 8)


def test_case_study_aliases_join_spellings(case, dd):
    # Rumalyn 2024-04-21: "Rumalyn", "Rumalyn coalition base (Hasaka)" and, with the
    # case-study aliases, "Rumaylan base Hasaka" are one place
    assert _incident_of(dd, "X025") != _incident_of(dd, "R015")
    with_alias = dedupe(case.reports, aliases=CASE_STUDY_ALIASES)
    ids = {_incident_of(with_alias, r) for r in ("R015", "R016", "X024", "X025")}
    assert len(ids) == 1
    inc = with_alias.incidents.set_index("incident_id").loc[ids.pop()]
    assert (inc["projectiles_min"], inc["projectiles_max"]) == (5, 6)
    # "US base in NE Syria (from Zummar)" names no base: it stays apart (data/README.md)
    assert _incident_of(with_alias, "X026") not in {_incident_of(with_alias, "R015")}
    assert with_alias.n_incidents == dd.n_incidents - 1


# ------------------------------------------------------------------------ ledger
def test_every_input_row_is_in_the_ledger(result, case):
    lg = result.ledger.table
    assert list(lg.columns) == list(LEDGER_COLUMNS)
    assert set(lg["status"].astype(str)) <= set(LEDGER_STATUSES)
    for table, frame, path in (("reports", case.reports, "data/reports.csv"),
                               ("tallies", case.tallies, "data/tallies.csv")):
        t = lg[lg["table"] == table]
        assert len(t) == len(frame)
        assert sorted(zip(t["file"].astype(str), t["row"].astype(int))) == [
            (path, r) for r in range(2, len(frame) + 2)]
        ids = frame["report_id" if table == "reports" else "tally_id"]
        assert sorted(t["record_id"].astype(str)) == sorted(ids.astype(str))
        assert t.loc[t["status"] != "counted", "reason"].notna().all()
    # conservation: the weekly series counts exactly the counted incidents
    assert result.ledger.check_conservation(result.series)
    n_counted = int((lg[lg["table"] == "reports"]["status"] == "counted").sum())
    assert result.series.total == n_counted == int(result.incidents["counted"].sum())
    summary = result.ledger.summary()
    assert summary.groupby("table")["rows"].sum().to_dict() == {"reports": 92, "tallies": 101}


def test_every_raw_row_is_accounted_for(result, case):
    """From the verbatim raw files to the ledger: nothing is lost on the way."""
    lg = result.ledger.table
    report_fate = dict(zip(lg.loc[lg["table"] == "reports", "record_id"].astype(str),
                           lg.loc[lg["table"] == "reports", "status"].astype(str)))
    raw_of = case.reports.groupby("x_raw_id")["report_id"].apply(list).to_dict()
    excluded = set(load_exclusions()["report_id"])
    for r in _raw("incidents.csv") + _raw("incidents_extended_raw.csv"):
        rid = r["report_id"]
        assert (rid in raw_of) != (rid in excluded), rid
        for part in raw_of.get(rid, []):
            assert report_fate[part] in LEDGER_STATUSES
    tally_ids = set(lg.loc[lg["table"] == "tallies", "record_id"].astype(str).str.split("-").str[0])
    assert tally_ids == {r["tally_id"] for r in _raw("tallies.csv") + _raw("tallies_undated.csv")}
    assert case.events["event_id"].tolist() == [r["event_id"] for r in _raw("events.csv")]


@pytest.mark.parametrize("allocate", ["start", "split"])
def test_conservation_for_each_allocation(case, allocate):
    res = normalize(case.reports, None, freq="M", allocate=allocate)
    assert res.ledger.check_conservation(res.series)
    assert res.series.total == pytest.approx(res.ledger.counts("reports")["counted"])
    res.series.check()


def test_conservation_with_imputation(case):
    res = normalize(case.reports, None, freq="W", allocate="impute", n_imputations=5, seed=3)
    assert res.ledger.check_conservation(list(res.imputations))
    again = normalize(case.reports, None, freq="W", allocate="impute", n_imputations=5, seed=3)
    assert res.series.data.equals(again.series.data)


def test_data_readme_figures_match_the_files(dd):
    """The counts data/README.md states are the counts of the files and of deduplication."""
    import re
    text = (REPO / "data" / "README.md").read_text(encoding="utf-8")
    files = text.split("## Files", 1)[1].split("\n## ", 1)[0]
    stated = {m.group(1): int(m.group(2)) for m in re.finditer(r"^\| `([a-z_]+\.csv)` \| (\d+) \|", files, re.M)}
    assert set(stated) == {"reports.csv", "reports_excluded.csv", "tallies.csv", "events.csv",
                           "coal_mining_disasters.csv", "sicily.csv"}
    for name, n in stated.items():
        with open(REPO / "data" / name, newline="", encoding="utf-8") as fh:
            assert sum(1 for _ in csv.DictReader(fh)) == n, name
    m = re.search(r"\((\d+) incidents from (\d+) reports, at the default\s+settings\)", text)
    assert m and (int(m.group(1)), int(m.group(2))) == (dd.n_incidents, len(dd.variants))
