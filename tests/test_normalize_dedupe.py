"""dedupe: place keys, weapon classes, matching rules, explicit ids, ranges, order invariance."""

from __future__ import annotations

import itertools
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.normalize import dedupe, incidents_to_reports, location_key, weapon_classes, weapon_label
from analysis.normalize.keys import compatible
from analysis.schema import InputError
from test_normalize_frames import reports_frame, shuffled


# ------------------------------------------------------------------------------ keys
def test_al_asad_spellings_share_one_key():
    names = ["Ain al-Asad", "Ain al-Assad", "Al Asad Airbase", "Al-Asad air base",
             "near Al-Asad air base", "AIN AL-ASAD AIRBASE", "the Al-Asad garrison"]
    assert location_key(names).tolist() == ["asad"] * len(names)


@pytest.mark.parametrize("a, b", [
    ("Green Village (Omar oil field)", "Green Village"),
    ("Mission Support Site Euphrates", "MSS Euphrates"),
    ("ash-Shaddadi", "Al-Shaddadi"),
    ("Ḥasakah", "Hasakah"),
    ("al-Tanf garrison", "Tanf"),
    ("Erbil Air Base", "Erbil airport"),
])
def test_spelling_variants_match(a, b):
    ka, kb = location_key([a, b]).tolist()
    assert ka == kb != ""


@pytest.mark.parametrize("a, b", [("Erbil", "Harir"), ("Tower 22", "Tower 2x"), ("Green Village", "Euphrates")])
def test_different_places_differ(a, b):
    ka, kb = location_key([a, b]).tolist()
    assert ka != kb


def test_python_and_arrow_engines_give_equal_keys():
    from analysis.normalize.keys import _location_keys_unique

    names = pd.Series(["Ain al-Asad", "Ḥasakah", "ash-Shaddadi", "aaaaab  bbb--ccc", None, "", "x(y",
                       "Çölü_base", "el-Foo al Bar", "MSS Euphrates", "Ба́гдад", "بغداد", "Tower 22"], dtype="str")
    a = _location_keys_unique(names, engine="python")
    b = _location_keys_unique(names, engine="arrow")
    assert a.tolist() == b.tolist()


def test_missing_and_generic_only_names_give_empty_key():
    assert location_key([None, "", "air base", "near the base"]).tolist() == ["", "", "", ""]


def test_aliases_join_names_no_rule_can():
    k = location_key(["Rumalyn", "Rmelan"], aliases={"Rmelan": "Rumalyn"}).tolist()
    assert k[0] == k[1] == "rumalyn"


def test_weapon_classes_and_labels():
    masks, names = weapon_classes(["drone", "rockets", "drone and rockets", "one-way attack UAV", None,
                                   "unknown", "mixed", "Katyusha", "ballistic missile", "grenade"])
    labels = weapon_label(masks, names).tolist()
    assert labels == ["drone", "rocket", "drone+rocket", "drone", "unknown", "unknown", "unknown",
                      "rocket", "missile", "grenade"]
    d, r, dr, u = masks[0], masks[1], masks[2], masks[4]
    assert compatible([d, d, dr, dr, u, u], [r, d, d, r, r, d]).tolist() == [False, True, True, True, True, True]


# ------------------------------------------------------------------------------ known answers
def _day(d):
    return {"date": d}


def test_ain_al_asad_reports_merge_with_ranges_kept():
    r = reports_frame([
        {"report_id": "R18", "country": "Iraq", "location": "Ain al-Assad", "weapon": "rocket",
         "projectiles": 4, "injuries": 0, **_day("2024-07-25"), "source": "AFP"},
        {"report_id": "R19", "country": "Iraq", "location": "Ain al-Asad air base",
         "weapon": "drone and rockets", "projectiles": 4, **_day("2024-07-25"), "source": "AFP"},
        {"report_id": "R20", "country": "Iraq", "location": "Al-Asad Airbase", "weapon": "rocket",
         "projectiles": 2, "injuries": 1, **_day("2024-07-26"), "source": "Reuters"},
        {"report_id": "R21", "country": "Iraq", "location": "near Al-Asad air base", "weapon": "drone",
         **_day("2024-07-25"), "source": "Reuters"},
    ])
    res = dedupe(r, window_days=1)
    inc = res.incidents
    assert len(inc) == 1
    row = inc.iloc[0]
    assert row["incident_id"] == "R18"
    assert row["n_reports"] == 4
    assert row["weapon"] == "drone+rocket"
    assert (row["projectiles_min"], row["projectiles_max"]) == (2, 4)
    assert (row["injuries_min"], row["injuries_max"]) == (0, 1)
    assert row["report_ids"] == "R18; R19; R20; R21"
    assert row["sources"] == "AFP; Reuters"
    # intervals 07-25 and 07-26 do not overlap: the hull is kept and flagged
    assert (row["date_start"], row["date_end"]) == (pd.Timestamp("2024-07-25"), pd.Timestamp("2024-07-26"))
    assert bool(row["date_conflict"])
    assert res.ledger["status"].tolist() == ["counted", "merged", "merged", "merged"]


def test_drone_and_rocket_alone_do_not_merge():
    r = reports_frame([
        {"report_id": "a", "country": "Iraq", "location": "Erbil", "weapon": "drone", **_day("2024-01-01")},
        {"report_id": "b", "country": "Iraq", "location": "Erbil", "weapon": "rocket", **_day("2024-01-01")},
    ])
    assert dedupe(r).incidents["incident_id"].tolist() == ["a", "b"]
    assert dedupe(r, match_weapon=False).incidents["incident_id"].tolist() == ["a"]


def test_window_days_controls_the_gap():
    r = reports_frame([
        {"report_id": "a", "country": "Iraq", "location": "Erbil", **_day("2024-01-01")},
        {"report_id": "b", "country": "Iraq", "location": "Erbil", **_day("2024-01-03")},
    ])
    assert dedupe(r, window_days=1).n_incidents == 2
    assert dedupe(r, window_days=2).n_incidents == 1
    assert dedupe(r, window_days=0).n_incidents == 2


def test_country_must_match():
    r = reports_frame([
        {"report_id": "a", "country": "Iraq", "location": "Tanf", **_day("2024-01-01")},
        {"report_id": "b", "country": "Syria", "location": "Tanf", **_day("2024-01-01")},
    ])
    assert dedupe(r).n_incidents == 2


def test_imprecise_interval_merges_and_intersection_is_kept():
    r = reports_frame([
        {"report_id": "m", "country": "Iraq", "location": "Erbil", "date_start": "2024-01-01",
         "date_end": "2024-01-31"},
        {"report_id": "d", "country": "Iraq", "location": "Erbil", **_day("2024-01-20")},
    ])
    inc = dedupe(r).incidents
    assert len(inc) == 1
    assert inc.loc[0, "incident_id"] == "d"
    assert inc.loc[0, "date_start"] == inc.loc[0, "date_end"] == pd.Timestamp("2024-01-20")
    assert not inc.loc[0, "date_conflict"]


def test_green_village_explicit_ids_keep_two_incidents():
    r = reports_frame([
        {"report_id": "R001", "incident_id": "GV-a", "country": "Syria", "location": "Green Village (Omar oil field)",
         "weapon": "rocket", **_day("2023-11-08")},
        {"report_id": "R002", "incident_id": "GV-b", "country": "Syria", "location": "Green Village (Omar oil field)",
         "weapon": "rocket", **_day("2023-11-08")},
    ])
    res = dedupe(r)
    assert res.incidents["incident_id"].tolist() == ["GV-a", "GV-b"]
    assert res.ledger["status"].tolist() == ["counted", "counted"]


def test_same_explicit_id_always_merges_even_far_apart():
    r = reports_frame([
        {"report_id": "a", "incident_id": "X", "country": "Iraq", "location": "Erbil", **_day("2024-01-01")},
        {"report_id": "b", "incident_id": "X", "country": "Syria", "location": "Tanf", "weapon": "drone",
         **_day("2024-03-01")},
    ])
    from analysis.schema import DataWarning
    with pytest.warns(DataWarning, match="incident_id 'X' is shared by reports in Iraq, Syria"):
        res = dedupe(r)
    assert res.incidents["incident_id"].tolist() == ["X"]
    assert res.ledger["reason"].tolist()[1] == "same incident_id"


def test_report_without_id_joins_the_explicit_incident_it_matches():
    r = reports_frame([
        {"report_id": "a", "incident_id": "X", "country": "Iraq", "location": "Erbil", **_day("2024-01-01")},
        {"report_id": "b", "country": "Iraq", "location": "Erbil air base", **_day("2024-01-02")},
    ])
    res = dedupe(r)
    assert res.incidents["incident_id"].tolist() == ["X"]
    assert res.variants["incident_id"].tolist() == ["X", "X"]


def test_a_free_report_never_bridges_two_explicit_incidents():
    r = reports_frame([
        {"report_id": "a", "incident_id": "X", "country": "Iraq", "location": "Erbil", **_day("2024-01-01")},
        {"report_id": "b", "incident_id": "Y", "country": "Iraq", "location": "Erbil", **_day("2024-01-03")},
        {"report_id": "c", "country": "Iraq", "location": "Erbil", **_day("2024-01-02")},
    ])
    res = dedupe(r)
    assert sorted(res.incidents["incident_id"]) == ["X", "Y"]
    assert res.variants.set_index("report_id").loc["c", "incident_id"] == "X"  # tie -> smallest id
    assert "also matched 1 other" in res.ledger.set_index("record_id").loc["c", "reason"]


def test_undated_reports_are_excluded_unless_their_id_has_a_dated_report():
    r = reports_frame([
        {"report_id": "a", "incident_id": "X", "country": "Iraq", "location": "Erbil", **_day("2024-01-01")},
        {"report_id": "b", "incident_id": "X", "country": "Iraq", "location": "Erbil", "injuries": 9},
        {"report_id": "c", "country": "Iraq", "location": "Erbil"},
        {"report_id": "d", "incident_id": "Z", "country": "Iraq", "location": "Erbil"},
    ])
    res = dedupe(r)
    lg = res.ledger.set_index("record_id")
    assert lg["status"].tolist() == ["counted", "merged", "excluded", "excluded"]
    assert lg.loc["c", "reason"].startswith("no date")
    inc = res.incidents
    assert inc["n_reports"].tolist() == [2]
    assert (inc.loc[0, "injuries_min"], inc.loc[0, "injuries_max"]) == (9, 9)


def test_duplicate_report_id_is_an_input_error():
    r = reports_frame([
        {"report_id": "a", "country": "Iraq", **_day("2024-01-01")},
        {"report_id": "a", "country": "Iraq", **_day("2024-01-02")},
    ])
    with pytest.raises(InputError, match=r"row 3, column 'report_id': duplicate report_id 'a'"):
        dedupe(r)


def test_bad_window_days_is_a_value_error():
    r = reports_frame([{"report_id": "a", "country": "Iraq", **_day("2024-01-01")}])
    with pytest.raises(ValueError, match="window_days"):
        dedupe(r, window_days=-1)


def test_a_chain_of_matches_is_split_into_incidents_that_all_match():
    # a-b and b-c within one day; a-c two days apart: complete linkage keeps a-c apart
    r = reports_frame([
        {"report_id": f"r{i}", "country": "Iraq", "location": "Erbil", **_day(f"2024-01-0{i + 1}")}
        for i in range(3)
    ])
    from analysis.schema import DataWarning
    with pytest.warns(DataWarning, match=r"1 group of reports matches in a chain but not all pairwise"
                                         r".*\[r0; r1 \| r2\]"):
        assert dedupe(r, window_days=1).incidents["report_ids"].tolist() == ["r0; r1", "r2"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # all three pairwise within two days: one incident, no warning
        assert dedupe(r, window_days=2).incidents["report_ids"].tolist() == ["r0; r1; r2"]


def test_a_long_chain_of_daily_reports_never_becomes_one_incident():
    # 30 daily reports of one place: single linkage made one incident of 30 days
    r = reports_frame([
        {"report_id": f"r{i:02d}", "country": "Syria", "location": "Raqqa",
         **_day(str((pd.Timestamp("2017-06-01") + pd.Timedelta(days=i)).date()))} for i in range(30)
    ])
    with pytest.warns(Warning):
        inc = dedupe(r, window_days=1).incidents
    assert inc["n_reports"].tolist() == [2] * 15
    assert ((inc["date_end"] - inc["date_start"]).dt.days <= 1).all()


def test_country_and_region_level_places_never_match_on_place_alone():
    r = reports_frame([
        {"report_id": "a", "country": "Syria", "location": "Syria", **_day("2017-06-01")},
        {"report_id": "b", "country": "Syria", "location": "Syria", **_day("2017-06-01")},
        {"report_id": "c", "country": "Syria", "location": "Raqqa", "x_admin1": "Raqqa", **_day("2017-06-01")},
        {"report_id": "d", "country": "Syria", "location": "Raqqa", "x_admin1": "Raqqa", **_day("2017-06-01")},
        {"report_id": "e", "country": "Syria", "location": "Tabqa", "x_where_prec": "4", **_day("2017-06-01")},
        {"report_id": "f", "country": "Syria", "location": "Tabqa", "x_where_prec": "4", **_day("2017-06-01")},
        {"report_id": "g", "country": "Syria", "location": "Manbij", "x_geo_precision": "3", **_day("2017-06-01")},
        {"report_id": "h", "country": "Syria", "location": "Manbij", "x_geo_precision": "3", **_day("2017-06-01")},
        {"report_id": "i", "country": "Syria", "location": "Kobani", "x_where_prec": "2",
         "x_geo_precision": "1", **_day("2017-06-01")},
        {"report_id": "j", "country": "Syria", "location": "Kobane", "x_where_prec": "3",
         "x_geo_precision": "2", **_day("2017-06-01")},
    ])
    res = dedupe(r, aliases={"Kobane": "Kobani"})
    assert res.incidents["incident_id"].tolist() == list("abcdefghi")
    assert res.incidents.set_index("incident_id").loc["i", "report_ids"] == "i; j"
    # an explicit id still joins them
    r2 = r.assign(incident_id=pd.Series(["X", "X"] + [None] * 8, dtype="str"))
    assert dedupe(r2, aliases={"Kobane": "Kobani"}).n_incidents == 8


@pytest.mark.parametrize("col, a, b, merged", [
    ("x_event_type", "Battles", "Explosions/Remote violence", False),
    ("x_event_type", "Battles", " battles ", True),
    ("x_event_type", "Battles", None, True),
    ("x_type_of_violence", "1", "3", False),
    ("x_actor2", "Civilians (Syria)", "Military Forces of Syria (2000-)", False),
    ("x_side_b", "IS", "IS", True),
])
def test_event_type_violence_type_and_second_actor_must_agree(col, a, b, merged):
    r = reports_frame([
        {"report_id": "a", "country": "Syria", "location": "Raqqa", col: a, **_day("2017-06-01")},
        {"report_id": "b", "country": "Syria", "location": "Raqqa", col: b, **_day("2017-06-01")},
    ])
    assert dedupe(r).n_incidents == (1 if merged else 2)


def test_actor_is_compared_between_coded_rows_only():
    rows = [
        {"report_id": "a", "country": "Iraq", "location": "Erbil", "actor": "Iran-aligned militants",
         **_day("2023-12-25")},
        {"report_id": "b", "country": "Iraq", "location": "Erbil", "actor": "Kataib Hezbollah",
         **_day("2023-12-25")},
    ]
    r = reports_frame(rows)
    assert dedupe(r).n_incidents == 1  # news accounts name the claimant differently
    coded = r.copy()
    coded.attrs["event_id"] = "ACLED event_id_cnty"
    assert dedupe(coded).n_incidents == 2
    assert dedupe(r.assign(_coded=[True, True])).n_incidents == 2
    assert dedupe(r.assign(_coded=[True, False])).n_incidents == 1


# ------------------------------------------------------------------------------ properties
PLACES = ["Ain al-Asad", "Al Asad Airbase", "Erbil", "Erbil air base", "Tanf", None]
WEAPONS = ["drone", "rocket", "drone and rockets", "missile", None]


@st.composite
def report_rows(draw, *, explicit=True, weapons=WEAPONS, max_size=18):
    n = draw(st.integers(0, max_size))
    rows = []
    for i in range(n):
        start = draw(st.integers(0, 20))
        length = draw(st.sampled_from([0, 0, 0, 6, 2]))
        dated = draw(st.integers(0, 9)) > 0
        r = {"report_id": f"r{i:02d}", "country": draw(st.sampled_from(["Iraq", "Syria"])),
             "location": draw(st.sampled_from(PLACES)), "weapon": draw(st.sampled_from(weapons)),
             "injuries": draw(st.one_of(st.none(), st.integers(0, 50)))}
        if dated:
            d0 = pd.Timestamp("2024-01-01") + pd.Timedelta(days=start)
            r["date_start"] = str(d0.date())
            r["date_end"] = str((d0 + pd.Timedelta(days=length)).date())
        if explicit and draw(st.integers(0, 5)) == 0:
            r["incident_id"] = draw(st.sampled_from(["X", "Y"]))
        rows.append(r)
    return reports_frame(rows)


def _brute_force_incidents(r: pd.DataFrame, window: int):
    """Plain O(n^2) reference of the rule for rows without explicit ids: rows by
    (date_start, date_end, more weapon classes first, report_id); each joins the
    incident with most reports (then the earliest formed) all of whose reports it
    matches (a weapon pair without a common class needs a third report sharing one
    with each); else it starts one."""
    keys = location_key(r["location"]).tolist()
    masks, _ = weapon_classes(r["weapon"])
    masks = [int(m) for m in masks]
    n = len(r)
    s, e = r["date_start"], r["date_end"]

    def match(i, j):
        if r["country"][i].lower() != r["country"][j].lower() or keys[i] != keys[j]:
            return False
        return max(0, (s[j] - e[i]).days, (s[i] - e[j]).days) <= window

    def weapon_ok(i, inc):
        mi = masks[i]
        return all(not mi or not masks[x] or mi & masks[x] or any(masks[c] & mi and masks[c] & masks[x]
                                                                  for c in inc) for x in inc)

    rows = [i for i in range(n) if not pd.isna(s[i]) and keys[i]]
    rows.sort(key=lambda i: (s[i], e[i], -bin(masks[i]).count("1"), r["report_id"][i]))
    incidents: list[list[int]] = []
    for i in rows:
        best = None
        for k, inc in enumerate(incidents):
            if all(match(i, x) for x in inc) and weapon_ok(i, inc):
                if best is None or len(inc) > len(incidents[best]):
                    best = k
        if best is None:
            incidents.append([i])
        else:
            incidents[best].append(i)
    groups = [[r["report_id"][i] for i in inc] for inc in incidents]
    groups += [[r["report_id"][i]] for i in range(n) if not pd.isna(s[i]) and not keys[i]]
    return sorted(sorted(g) for g in groups)


@pytest.mark.filterwarnings("ignore::analysis.schema.DataWarning")
@settings(max_examples=40, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(report_rows(explicit=False), st.integers(0, 3))
def test_incidents_equal_the_all_pairs_reference(r, window):
    res = dedupe(r, window_days=window)
    v = res.variants[res.variants["status"] != "excluded"]
    got = sorted(sorted(g["report_id"].tolist()) for _, g in v.groupby("incident_id"))
    assert got == _brute_force_incidents(r, window)
    # incident id = smallest report id of its reports
    for iid, g in v.groupby("incident_id"):
        assert iid == min(g["report_id"])


@pytest.mark.filterwarnings("ignore::analysis.schema.DataWarning")
@settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(report_rows(max_size=30), st.integers(0, 3), st.booleans())
def test_no_incident_spans_more_than_the_window_and_every_row_is_accounted_for(r, window, weapon):
    res = dedupe(r, window_days=window, match_weapon=weapon)
    v = res.variants.merge(r[["report_id", "date_start", "date_end", "incident_id", "country"]]
                           .rename(columns={"incident_id": "given"}), on="report_id")
    for iid, g in v[v["status"] != "excluded"].groupby("incident_id"):
        free = g[g["given"].isna()]
        if g["given"].isna().all():
            # earliest to latest report: every pair within the window
            assert (g["date_start"].max() - g["date_end"].min()).days <= window
        for _, x in free.iterrows():  # a report without id matched every report of its place
            same = g[(g["location_key"] == x["location_key"]) & g["date_start"].notna()
                     & (g["country"].str.lower() == x["country"].lower())]
            assert (same["date_start"].max() - x["date_end"]).days <= window
            assert (x["date_start"] - same["date_end"].min()).days <= window
    # conservation: every row counted, merged or excluded with a reason
    lg = res.ledger
    assert len(lg) == len(r)
    assert set(lg["status"]) <= {"counted", "merged", "excluded"}
    assert lg.loc[lg["status"] != "counted", "reason"].notna().all()
    assert (lg["status"] == "counted").sum() == res.n_incidents
    assert res.incidents["n_reports"].sum() == (lg["status"] != "excluded").sum()


def _canon(res):
    inc = res.incidents.sort_values("incident_id").reset_index(drop=True)
    lg = res.ledger.sort_values("record_id").reset_index(drop=True)
    return inc, lg


@pytest.mark.filterwarnings("ignore::analysis.schema.DataWarning")
@settings(max_examples=30, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(report_rows(), st.integers(0, 2), st.integers(0, 10_000))
def test_order_invariance(r, window, seed):
    a_inc, a_lg = _canon(dedupe(r, window_days=window))
    b_inc, b_lg = _canon(dedupe(shuffled(r, seed), window_days=window))
    pd.testing.assert_frame_equal(a_inc, b_inc)
    pd.testing.assert_frame_equal(a_lg, b_lg)


@pytest.mark.filterwarnings("ignore::analysis.schema.DataWarning")
@settings(max_examples=30, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(report_rows(), st.integers(0, 2))
def test_idempotent_on_its_own_incidents(r, window):
    res = dedupe(r, window_days=window)
    again = dedupe(incidents_to_reports(res.incidents), window_days=window).incidents
    cols = ["incident_id", "date_start", "date_end", "country", "weapon"]
    pd.testing.assert_frame_equal(again[cols], res.incidents[cols])


@pytest.mark.filterwarnings("ignore::analysis.schema.DataWarning")
@settings(max_examples=30, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(report_rows(explicit=False, weapons=["rocket", None]), st.integers(0, 2))
def test_idempotent_without_ids_when_weapons_never_conflict(r, window):
    # with one known weapon class, incidents of one place are more than the window apart,
    # so matching the incidents again (ids dropped) merges nothing
    res = dedupe(r, window_days=window)
    rep = incidents_to_reports(res.incidents).drop(columns=["incident_id"])
    assert dedupe(rep, window_days=window).n_incidents == res.n_incidents


@pytest.mark.filterwarnings("ignore::analysis.schema.DataWarning")
def test_counts_conserve_rows():
    rng = np.random.default_rng(3)
    n = 400
    r = reports_frame([
        {"report_id": f"r{i:04d}", "country": "Iraq", "location": f"P{rng.integers(0, 20)}",
         "weapon": ["drone", "rocket", None][rng.integers(0, 3)],
         **_day(str((pd.Timestamp("2024-01-01") + pd.Timedelta(days=int(rng.integers(0, 60)))).date()))}
        for i in range(n)
    ])
    res = dedupe(r)
    assert res.incidents["n_reports"].sum() == n
    assert (res.ledger["status"] == "counted").sum() == res.n_incidents
    assert (res.ledger["status"] == "merged").sum() == n - res.n_incidents


# ------------------------------------------------------------------------------ suspect merges are flagged
def test_duplicate_report_id_across_files_names_the_first_row_too():
    from analysis.normalize import normalize

    a = reports_frame([{"report_id": "a", "country": "Iraq", **_day("2024-01-01")}], file="one.csv")
    b = reports_frame([{"report_id": "b", "country": "Iraq", **_day("2024-01-02")},
                       {"report_id": "a", "country": "Iraq", **_day("2024-01-03")}], file="two.csv")
    with pytest.raises(InputError, match=r"^two.csv, row 3, column 'report_id': duplicate report_id 'a' "
                                         r"\(also in one.csv row 2\)"):
        normalize([a, b])


def test_unknown_weapon_no_longer_bridges_drone_and_rocket_and_is_warned_about():
    from analysis.schema import DataWarning

    r = reports_frame([
        {"report_id": "a", "country": "Iraq", "location": "Erbil", "weapon": "drone", **_day("2024-01-01")},
        {"report_id": "b", "country": "Iraq", "location": "Erbil", "weapon": "rocket", **_day("2024-01-01")},
        {"report_id": "c", "country": "Iraq", "location": "Erbil", "weapon": None, **_day("2024-01-01")},
    ])
    with pytest.warns(DataWarning, match=r"\[a; c \| b\]"):
        res = dedupe(r)
    assert res.incidents["report_ids"].tolist() == ["a; c", "b"]


def test_explicit_id_across_countries_is_warned_about():
    from analysis.schema import DataWarning

    r = reports_frame([
        {"report_id": "a", "incident_id": "7", "country": "Iraq", "location": "Erbil", **_day("2024-01-01")},
        {"report_id": "b", "incident_id": "7", "country": "Syria", "location": "Tanf", **_day("2024-01-01")},
    ])
    with pytest.warns(DataWarning, match=r"incident_id '7' is shared by reports in Iraq, Syria"):
        res = dedupe(r)
    assert res.incidents["country"].tolist() == ["Iraq"]


def test_clean_merges_and_the_case_study_raise_no_warning(data_dir):
    import warnings

    from analysis.datasets import CASE_STUDY_ALIASES
    from analysis.io import read_reports

    r = reports_frame([
        {"report_id": "a", "country": "Iraq", "location": "Erbil", "weapon": "drone", **_day("2024-01-01")},
        {"report_id": "b", "country": "Iraq", "location": "Erbil air base", "weapon": None, **_day("2024-01-02")},
        {"report_id": "c", "country": "Iraq", "location": "Erbil", "weapon": "drone and rockets",
         **_day("2024-01-02")},
    ])
    case = read_reports(data_dir / "reports.csv")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert dedupe(r).n_incidents == 1
        dedupe(case)
        dedupe(case, aliases=CASE_STUDY_ALIASES)


def test_a_report_naming_both_weapons_explains_the_merge_without_warning():
    # the 2024-07-25 Ain al-Asad accounts: rockets, a drone, and "a drone and rockets"
    r = reports_frame([
        {"report_id": "a", "country": "Iraq", "location": "Ain al-Asad", "weapon": "rocket", **_day("2024-07-25")},
        {"report_id": "b", "country": "Iraq", "location": "Al Asad Airbase", "weapon": "drone",
         **_day("2024-07-25")},
        {"report_id": "c", "country": "Iraq", "location": "Ain al-Assad", "weapon": "drone and rockets",
         **_day("2024-07-25")},
    ])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert dedupe(r).incidents["weapon"].tolist() == ["drone+rocket"]


def test_incidents_written_as_reports_read_back_as_canonical_reports(tmp_path):
    from analysis.io import read_reports, write_reports

    r = reports_frame([
        {"report_id": "m", "country": "Iraq", "location": "Erbil", "date_start": "2024-01-01",
         "date_end": "2024-01-31"},
        {"report_id": "w", "country": "Syria", "location": "Tanf", "date_start": "2024-01-08",
         "date_end": "2024-01-14"},
        {"report_id": "d", "country": "Syria", "location": "Tanf", **_day("2024-03-01")},
    ])
    inc = dedupe(r).incidents
    rep = incidents_to_reports(inc)
    assert rep["date_precision"].tolist() == ["month", "week", "day"]
    write_reports(rep, tmp_path / "inc.csv")
    back = read_reports(tmp_path / "inc.csv")
    assert back["report_id"].tolist() == back["incident_id"].tolist() == ["m", "w", "d"]
    assert dedupe(back).incidents["incident_id"].tolist() == inc["incident_id"].tolist()
