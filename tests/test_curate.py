"""Curation of the bundled case study: rules, conservation of raw rows, no drift."""

from __future__ import annotations

import csv
import hashlib
import shutil
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from analysis import InputError
from analysis import curate as C

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "data"
RAW = DATA / "raw"


def _rows(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def reports():
    return _rows(DATA / "reports.csv")


@pytest.fixture(scope="module")
def excluded():
    return _rows(DATA / "reports_excluded.csv")


@pytest.fixture(scope="module")
def tallies():
    return _rows(DATA / "tallies.csv")


# ------------------------------------------------------------------ build / no drift
def test_committed_tables_equal_the_build(tmp_path):
    written = C.build_all(RAW, tmp_path)
    assert sorted(written) == sorted(C.OUTPUT_FILES)
    for name in C.OUTPUT_FILES:
        assert (tmp_path / name).read_bytes() == (DATA / name).read_bytes(), (
            f"data/{name} differs from what analysis.curate builds; run python -m analysis.curate")


def test_build_never_touches_raw(tmp_path):
    before = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in RAW.iterdir()}
    C.build_all(RAW, tmp_path / "out")
    after = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in RAW.iterdir()}
    assert before == after
    with pytest.raises(ValueError, match="raw files are never rewritten"):
        C.build_all(RAW, RAW)


def test_build_is_deterministic(tmp_path):
    C.build_all(RAW, tmp_path / "a")
    C.build_all(RAW, tmp_path / "b")
    for name in C.OUTPUT_FILES:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_module_entry_point(tmp_path, capsys):
    assert C.main([str(RAW), str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "reports.csv: 92 rows" in out and "tallies.csv: 101 rows" in out


def test_coal_mining_file_is_the_raw_copy():
    assert (DATA / "coal_mining_disasters.csv").read_bytes() == (RAW / "coal_mining_disasters.csv").read_bytes()
    rows = _rows(DATA / "coal_mining_disasters.csv")
    assert [int(r["year"]) for r in rows] == list(range(1851, 1963))
    assert sum(int(r["count"]) for r in rows) == 191  # Jarrett (1979): 191 disasters


# ------------------------------------------------------------------ conservation
def test_every_raw_report_is_curated_or_excluded(reports, excluded):
    clean = _rows(RAW / "incidents.csv")
    ext = _rows(RAW / "incidents_extended_raw.csv")
    assert len(clean) == 24 and len(ext) == 60
    curated_from = {}
    for r in reports:
        curated_from.setdefault(r["x_raw_id"], []).append(r)
    excl_ids = [r["report_id"] for r in excluded]
    assert sorted(excl_ids) == ["X013", "X031"]
    for r in clean + ext:
        rid = r["report_id"]
        assert (rid in curated_from) != (rid in excl_ids), rid  # exactly one fate
    assert set(curated_from) | set(excl_ids) == {r["report_id"] for r in clean + ext}
    # 24 verbatim + 50 one-to-one + 18 parts of 8 split rows
    assert len(reports) == 92
    sizes = {k: len(v) for k, v in curated_from.items() if len(v) > 1}
    assert sizes == {"X002": 2, "X046": 2, "X005": 2, "X008": 2, "X011": 2, "X049": 2,
                     "X050": 2, "X057": 4}


def test_rows_keep_their_url_and_ids(reports, excluded):
    raw = {r["report_id"]: r for r in _rows(RAW / "incidents.csv") + _rows(RAW / "incidents_extended_raw.csv")}
    ids = [r["report_id"] for r in reports]
    assert len(ids) == len(set(ids))
    for r in reports:
        src = raw[r["x_raw_id"]]
        assert r["source_url"] == src["source_url"] != ""
        assert r["date"] == src["date"]
        if r["x_part"]:
            i, k = r["x_part"].split(" of ")
            assert r["report_id"] == f"{r['x_raw_id']}-{i}"
            assert r["notes"].startswith(f"part {i} of {k} of report {r['x_raw_id']}")
        else:
            assert r["report_id"] == r["x_raw_id"]
    for r in excluded:
        assert r["source_url"] == raw[r["report_id"]]["source_url"]
        assert "country" in r["reason"]


def test_clean_file_is_renamed_only(reports):
    clean = {r["report_id"]: r for r in _rows(RAW / "incidents.csv")}
    rename = {"us_killed": "fatalities", "us_injured": "injuries", "claimed_by": "actor",
              "note": "notes"}
    out = [r for r in reports if r["x_raw_file"] == "incidents.csv"]
    assert [r["report_id"] for r in out] == list(clean)
    for r in out:
        for col, value in clean[r["report_id"]].items():
            assert r[rename.get(col, col)] == value


def test_curated_columns_are_canonical(reports):
    from analysis.schema import REPORT_COLUMNS
    names = {c.name for c in REPORT_COLUMNS}
    assert set(C.REPORT_OUTPUT_COLUMNS) - names == {c for c in C.REPORT_OUTPUT_COLUMNS if c.startswith("x_")}
    assert list(reports[0]) == list(C.REPORT_OUTPUT_COLUMNS)
    for r in reports:
        assert r["country"] in {"Iraq", "Syria", "Jordan"}
        if r["x_raw_file"] == "incidents.csv":
            assert r["weapon"] in {"drone", "rocket", "mixed"}
        else:
            assert r["weapon"] in {"", "drone", "rocket", "missile", "drone+rocket", "rocket+missile"}
        assert r["date_precision"] in {"day", "week"}
        for col in ("projectiles", "fatalities", "injuries"):
            assert r[col] == "" or (r[col].isdigit()), (r["report_id"], col)


# ------------------------------------------------------------------ specific rows
def _by_id(reports):
    return {r["report_id"]: r for r in reports}


def test_split_rows(reports):
    rows = _by_id(reports)
    a, b = rows["X002-1"], rows["X002-2"]
    assert a["x_raw_id"] == b["x_raw_id"] == "X002"
    assert a["source_url"] == b["source_url"]
    assert (a["projectiles"], a["injuries"], a["fatalities"]) == ("", "", "0")
    assert "21" in a["x_curation"] and a["x_casualties_raw"].startswith("21 minor injuries")
    # places distributed when their number equals the number of attacks
    assert [rows[f"X011-{i}"]["location"] for i in (1, 2)] == ["Al-Harir air base", "Ain al-Asad"]
    assert [rows[f"X046-{i}"]["location"] for i in (1, 2)] == ["MSS Euphrates", "MSS Green Village"]
    # a two-country row is placed by the gazetteer, per place
    assert [(rows[f"X057-{i}"]["location"], rows[f"X057-{i}"]["country"]) for i in (1, 2, 3, 4)] == [
        ("Al-Asad", "Iraq"), ("Erbil", "Iraq"), ("MSS Euphrates", "Syria"), ("MSS Green Village", "Syria")]
    assert all(rows[f"X057-{i}"]["weapon"] == "" for i in (1, 2, 3, 4))
    # "multiple + 1" at two places: terms follow the places
    assert (rows["X050-1"]["projectiles"], rows["X050-2"]["projectiles"]) == ("", "1")
    # a zero casualty figure holds for every part
    assert rows["X049-1"]["injuries"] == rows["X049-2"]["injuries"] == "0"
    # one place and two attacks: both parts keep the whole location, and explicit
    # incident ids keep them apart (the clean file's ids where it names the same attacks)
    assert rows["X005-1"]["location"] == rows["X005-2"]["location"] == "Omar oil field / MSS Green Village"
    assert (rows["X005-1"]["incident_id"], rows["X005-2"]["incident_id"]) == ("GV-2023-11-08-a", "GV-2023-11-08-b")
    assert (rows["X002-1"]["incident_id"], rows["X002-2"]["incident_id"]) == ("X002-1", "X002-2")
    assert (rows["X049-1"]["incident_id"], rows["X049-2"]["incident_id"]) == ("X049-1", "X049-2")
    assert rows["X011-1"]["incident_id"] == rows["X057-1"]["incident_id"] == ""
    assert {r["report_id"] for r in reports if r["incident_id"]} == {
        "R001", "R002", "X002-1", "X002-2", "X005-1", "X005-2", "X049-1", "X049-2"}


def test_single_rows(reports):
    rows = _by_id(reports)
    assert (rows["X001"]["projectiles"], rows["X001"]["x_projectiles_bound"]) == ("2", "at_least")
    assert "lower bound" not in rows["X001"]["notes"]  # raw note untouched
    assert "at least 2" in rows["X001"]["x_curation"]
    assert rows["X010"]["projectiles"] == ""
    assert (rows["X017"]["fatalities"], rows["X017"]["injuries"]) == ("3", "25")
    assert (rows["X018"]["fatalities"], rows["X018"]["injuries"]) == ("3", "34")
    assert (rows["X036"]["injuries"], rows["X036"]["x_injuries_bound"]) == ("5", "at_least")
    assert rows["X035"]["injuries"] == "7"
    assert rows["X040"]["injuries"] == ""  # "several" US; the Iraqi casualty is not counted
    assert rows["X024"]["country"] == "Syria" and "Zummar" not in rows["X024"]["location"]
    assert rows["X025"]["location"] == "Rumaylan base Hasaka"
    assert rows["X020"]["actor"] == "" and rows["X019"]["actor"].startswith("Islamic Resistance")
    assert rows["X058"]["date_precision"] == rows["X059"]["date_precision"] == "week"
    assert rows["X015"]["location"] == "Erbil"
    assert rows["X060"]["fatalities"] == rows["X060"]["injuries"] == ""
    assert rows["X003"]["source"] == "nytimepost.com"
    # overlaps with the clean file stay separate reports
    assert {"R018", "X028", "X029", "X027"} <= set(rows)


def test_raw_text_columns_hold_the_raw_text(reports):
    """x_*_raw keep the raw cell even where a row-specific override changed the value."""
    raw = {r["report_id"]: r for r in _rows(RAW / "incidents_extended_raw.csv")}
    cols = {"x_projectiles_raw": "projectiles", "x_casualties_raw": "us_casualties",
            "x_weapon_raw": "weapon", "x_country_raw": "country", "x_location_raw": "location"}
    ext = [r for r in reports if r["x_raw_file"] == "incidents_extended_raw.csv"]
    assert len(ext) == 68
    for r in ext:
        for x, c in cols.items():
            assert r[x] == raw[r["x_raw_id"]][c], (r["report_id"], x)
    x015 = _by_id(reports)["X015"]
    assert x015["location"] == "Erbil"
    assert x015["x_location_raw"] == "(Erbil per other reports; location not in excerpt)"


# ------------------------------------------------------------------ parsers
@pytest.mark.parametrize("text,value,bound", [
    ("4", 4, "exact"), ("2+", 2, "at_least"), ("1+", 1, "at_least"), ("5+", 5, "at_least"),
    ("multiple", None, ""), ("several", None, ""), ("", None, ""),
    ("multiple (most intercepted; some impacted)", None, ""),
    ("1 (militia outlet claimed 2)", 1, "exact"),
    ("2 on base + 1 on nearby village", 3, "exact"),
    ("4 + (1 drone + 3 rockets)", None, ""),
    ("2 attacks", None, ""),
])
def test_parse_projectiles(text, value, bound):
    p = C.parse_projectiles(text)
    assert (p.value, p.bound) == (value, bound)
    if bound == "at_least":
        assert "at least" in p.note


@given(st.integers(0, 10_000))
def test_parse_projectiles_plus_is_a_lower_bound(n):
    assert C.parse_projectiles(f"{n}+") == C.Parsed(n, "at_least", f"projectiles: at least {n} (raw '{n}+')")
    assert C.parse_projectiles(str(n)).value == n
    assert C.attacks_in(f"{n} attacks") == n


@pytest.mark.parametrize("text,fat,inj,inj_bound", [
    ("3 killed; 34 wounded", 3, 34, "exact"),
    ("3 killed; 34 wounded (8 evacuated)", 3, 34, "exact"),
    ("21 minor injuries (19 TBI)", 0, 21, "exact"),
    ("21 minor injuries (19 TBI) across Oct 18 attacks; one US contractor died of cardiac "
     "arrest while sheltering", 0, 21, "exact"),
    ("none", 0, 0, "exact"), ("none reported", 0, 0, "exact"),
    ("initially no injuries reported", 0, 0, "exact"),
    ("1 concussion", 0, 1, "exact"), ("3 injured (2 TBI)", 0, 3, "exact"),
    ("1 critical + 2 wounded", 0, 3, "exact"),
    ("4 service members + 1 contractor injured", 0, 5, "exact"),
    ("at least 5 US personnel (1 serious)", 0, 5, "at_least"),
    ("at least 5 (Reuters) / 7 service members and civilians (AP)", 0, 5, "at_least"),
    ("7 injured (5 service members + 2 contractors); 2 evacuated", 0, 7, "exact"),
    ("8 service members treated for TBI/smoke inhalation (3 returned to duty)", 0, 8, "exact"),
    ("8 US troops with non-serious injuries; minor infrastructure damage", 0, 8, "exact"),
    ("several US personnel evaluated for TBI; 1 Iraqi service member wounded", 0, None, ""),
    ("several injured (DoD); Iraqi source: no damage", 0, None, ""),
    ("not stated", None, None, ""), ("", None, None, ""),
])
def test_parse_casualties(text, fat, inj, inj_bound):
    f, i = C.parse_casualties(text)
    assert (f.value, i.value, i.bound) == (fat, inj, inj_bound)


@pytest.mark.parametrize("text,weapon", [
    ("one-way attack drones", "drone"), ("armed drone", "drone"), ("drones (claimed)", "drone"),
    ("Katyusha rockets from truck launcher", "rocket"), ("122mm rocket", "rocket"),
    ("multi-rocket", "rocket"), ("close-range ballistic missile", "missile"),
    ("ballistic missiles and rockets", "rocket+missile"),
    ("multi-rocket + one-way attack drones", "drone+rocket"),
    ("unspecified", None), ("rockets/drones (unspecified)", None),
])
def test_normalize_weapon(text, weapon):
    assert C.normalize_weapon(text) == weapon


def test_places_and_keys():
    assert C.split_places("Al-Asad; Erbil; MSS Euphrates; MSS Green Village")[0] == [
        "Al-Asad", "Erbil", "MSS Euphrates", "MSS Green Village"]
    places, dropped = C.split_places("Rumalyn coalition base (Hasaka) - rockets launched from Zummar Nineveh")
    assert places == ["Rumalyn coalition base (Hasaka)"] and dropped == ["rockets launched from Zummar Nineveh"]
    assert C.split_places("Omar oil field / MSS Green Village")[0] == ["Omar oil field / MSS Green Village"]
    keys = {C.place_key(n) for n in ("Ain al-Asad", "Ain al-Assad", "Al-Asad Airbase", "Al-Asad")}
    assert len(keys) == 1
    assert C.place_key("Mission Support Site Euphrates") == C.place_key("MSS Euphrates")
    gaz = C.build_gazetteer([{"country": "Iraq", "location": "Erbil Air Base"},
                             {"country": "Syria", "location": "Erbil"},
                             {"country": "Syria", "location": "MSS Euphrates and Green Village"},
                             {"country": "Iraq and Syria", "location": "Al-Asad"}])
    assert gaz == {C.place_key("Euphrates"): "Syria", C.place_key("Green Village"): "Syria"}


# ------------------------------------------------------------------ tallies
PENTAGON = {f"T{i:02d}" for i in range(1, 50)} - {"T18", "T20", "T22", "T32", "T33", "T40",
                                                  "T41", "T42", "T43", "T46", "T48", "T49"}


def test_tally_counters(tallies):
    counter = {}
    for r in tallies:
        counter.setdefault(r["tally_id"].split("-")[0], set()).add(r["source"])
    assert all(len(v) == 1 for v in counter.values())
    counter = {k: v.pop() for k, v in counter.items()}
    assert {k for k, v in counter.items() if v == "Pentagon" and k.startswith("T")} == PENTAGON
    assert counter["T18"] == "Washington Institute Militia Monitor"
    assert counter["T32"] == "GTTAC"
    assert counter["T22"] == "Islamic Resistance in Iraq claims"
    assert counter["T20"] == "Antiwar.com"
    assert counter["T43"] == "AFP"
    assert counter["T30"] == "Pentagon"  # "via Antiwar.com" names the carrier, not the counter
    assert counter["T46"] == "Washington Examiner"
    assert {counter[u] for u in ("U01", "U02", "U03", "U04")} == {"Pentagon"}


def test_tallies_long_layout(tallies):
    raw = _rows(RAW / "tallies.csv") + _rows(RAW / "tallies_undated.csv")
    cells = sum(1 for r in raw for c in ("total", "iraq", "syria", "jordan") if r[c] != "")
    assert len(tallies) == cells == 101
    by_id = {r["tally_id"]: r for r in tallies}
    assert len(by_id) == len(tallies)
    for r in raw:
        for col, region in (("total", "all"), ("iraq", "Iraq"), ("syria", "Syria"), ("jordan", "Jordan")):
            tid = f"{r['tally_id']}-{region.lower()}"
            if r[col] == "":
                assert tid not in by_id
                continue
            t = by_id[tid]
            assert (t["count"], t["region"], t["since"], t["as_of"], t["bound"]) == (
                r[col], region, r["since"], r["as_of"], r["bound"])
            assert (t["outlet"], t["source_url"], t["notes"]) == (r["reporter"], r["source_url"], r["note"])
    assert {r["tally_id"] for r in tallies if r["as_of"] == ""} == {
        "U01-all", "U01-iraq", "U01-syria", "U02-all", "U03-all", "U03-iraq", "U03-syria",
        "U04-all", "U04-iraq", "U04-syria"}
    t35 = [by_id[f"T35-{g}"]["count"] for g in ("all", "iraq", "syria")]
    assert t35 == ["140", "57", "83"]


def test_events_are_copied():
    assert _rows(DATA / "events.csv") == _rows(RAW / "events.csv")


# ------------------------------------------------------------------ bad raw input
def _copy_raw(tmp_path) -> Path:
    d = tmp_path / "raw"
    shutil.copytree(RAW, d)
    return d


def test_duplicate_raw_id_names_row_and_column(tmp_path):
    d = _copy_raw(tmp_path)
    p = d / "incidents_extended_raw.csv"
    lines = p.read_text(encoding="utf-8").splitlines(keepends=True)
    p.write_text("".join(lines + [lines[1]]), encoding="utf-8")
    with pytest.raises(InputError, match=r"row 62, column 'report_id': duplicate id 'X001'"):
        C.build_tables(d)


def test_bad_header_and_count(tmp_path):
    d = _copy_raw(tmp_path)
    p = d / "tallies.csv"
    text = p.read_text(encoding="utf-8")
    p.write_text(text.replace("tally_id,as_of,since,total", "tally_id,asof,since,total", 1), encoding="utf-8")
    with pytest.raises(InputError, match=r"tallies.csv, row 1, column 'as_of'"):
        C.build_tables(d)
    p.write_text(text.replace("T01,2023-10-24,2023-10-17,13,", "T01,2023-10-24,2023-10-17,13x,", 1),
                 encoding="utf-8")
    with pytest.raises(InputError, match=r"row 2, column 'total'.*not a whole number"):
        C.build_tables(d)
