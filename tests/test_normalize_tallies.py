"""Tallies: cumulative -> intervals, bounds, duplicates, conflicts and their rules, parts checks."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.normalize import bound_range, tallies_to_intervals
from analysis.schema import InputError
from test_normalize_frames import shuffled, tallies_frame

SINCE = "2023-10-17"


def T(tid, as_of, count, bound="exact", region="all", source="Pentagon", since=SINCE, outlet=None):
    return {"tally_id": tid, "since": since, "as_of": as_of, "count": count, "bound": bound,
            "region": region, "source": source, "outlet": outlet}


def iv(res, source="Pentagon", region="all"):
    d = res.intervals
    d = d[(d["source"] == source) & (d["region"] == region)]
    return [(str(r.start.date()), str((r.end - pd.Timedelta(days=1)).date()),
             None if np.isnan(r.count) else r.count,
             None if np.isnan(r.lower) else r.lower, None if np.isnan(r.upper) else r.upper,
             r.exposure) for r in d.itertuples()]


@pytest.mark.parametrize("count, bound, expected", [
    (140, "exact", (140, 140)), (13, "at_least", (13, math.inf)), (175, "more_than", (176, math.inf)),
    (20, "at_most", (0, 20)), (78, "about", (70, 86)), (170, "about", (153, 187)), (0, "about", (0, 0)),
])
def test_bound_ranges(count, bound, expected):
    assert bound_range(count, bound) == expected


def test_exact_cumulative_tallies_become_interval_counts():
    res = tallies_to_intervals(tallies_frame([T("a", "2023-10-30", 23), T("b", "2023-10-24", 13),
                                              T("c", "2023-11-14", 55)]))
    assert iv(res) == [("2023-10-17", "2023-10-24", 13, None, None, 8),
                       ("2023-10-25", "2023-10-30", 10, None, None, 6),
                       ("2023-10-31", "2023-11-14", 32, None, None, 15)]
    s = res.get("Pentagon")
    s.check()
    assert s.total == 55
    assert res.ledger["status"].tolist() == ["counted"] * 3


def test_more_than_is_a_lower_bound_never_a_number():
    res = tallies_to_intervals(tallies_frame([T("afp", "2024-02-04", 175, "more_than", source="AFP")]))
    assert iv(res, "AFP") == [("2023-10-17", "2024-02-04", None, 176, math.inf, 111)]
    c = res.cumulative.iloc[0]
    assert (c["lower"], c["upper"]) == (176, math.inf)


def test_bounds_propagate_to_neighbouring_intervals():
    res = tallies_to_intervals(tallies_frame([T("a", "2023-10-24", 13, "at_least"), T("b", "2023-10-30", 23),
                                              T("c", "2023-11-09", 46, "about")]))
    # cumulative: [13, 23] (tightened by the later 23), 23, [41, 51]
    assert iv(res) == [("2023-10-17", "2023-10-24", None, 13, 23, 8),
                       ("2023-10-25", "2023-10-30", None, 0, 10, 6),
                       ("2023-10-31", "2023-11-09", None, 18, 28, 10)]


def test_repeated_statements_merge_and_consistent_ones_intersect():
    res = tallies_to_intervals(tallies_frame([
        T("T35", "2024-01-18", 140), T("T36", "2024-01-18", 140, "about"), T("T35b", "2024-01-18", 140),
        T("T44", "2024-02-04", 170, "about"), T("T43", "2024-02-04", 175, "more_than"),
    ]))
    lg = res.ledger.set_index("record_id")
    assert lg.loc["T35", "status"] == "counted"
    assert lg.loc["T35b", "reason"] == "duplicate statement of T35"
    assert lg.loc["T36", "status"] == "merged" and lg.loc["T36", "incident_id"] == "T35"
    cum = res.cumulative.set_index("as_of")
    assert (cum.loc["2024-01-18", "lower"], cum.loc["2024-01-18", "upper"]) == (140, 140)
    # about 170 = [153, 187] and more than 175 = [176, inf) -> [176, 187]
    assert (cum.loc["2024-02-04", "lower"], cum.loc["2024-02-04", "upper"]) == (176, 187)
    assert res.conflicts.empty


def test_stale_figure_is_excluded_under_latest():
    rows = [T("T23", "2023-11-23", 73), T("T26", "2023-11-27", 66), T("T28", "2023-12-07", 78, "about")]
    res = tallies_to_intervals(tallies_frame(rows), rule="latest")
    lg = res.ledger.set_index("record_id")
    assert lg.loc["T26", "status"] == "excluded"
    assert lg.loc["T26", "reason"].startswith("superseded stale tally: 66 on 2023-11-27 is below T23 73")
    c = res.conflicts.iloc[0]
    assert (c["kind"], c["rule"], c["excluded"]) == ("stale", "latest", "T26")
    assert [r[:2] for r in iv(res)] == [("2023-10-17", "2023-11-23"), ("2023-11-24", "2023-12-07")]
    assert iv(res)[1][2:5] == (None, 0, 13)


def test_stale_figure_kept_as_bounds_under_bounds():
    rows = [T("T23", "2023-11-23", 73), T("T26", "2023-11-27", 66)]
    res = tallies_to_intervals(tallies_frame(rows), rule="bounds")
    cum = res.cumulative.set_index("tally_id")
    assert (cum.loc["T23", "lower"], cum.loc["T23", "upper"]) == (66, 73)
    assert (cum.loc["T26", "lower"], cum.loc["T26", "upper"]) == (66, math.inf)
    assert (res.ledger["status"] == "counted").all()
    assert res.conflicts["kind"].tolist() == ["stale"]


@pytest.mark.parametrize("rule, kept, lower, upper", [
    ("latest", "late", 71, math.inf),
    ("preferred", "early", 66, 66),
    ("bounds", "early", 66, math.inf),
])
def test_same_day_conflict_rules(rule, kept, lower, upper):
    rows = [T("early", "2023-11-27", 66, outlet="Military Times"),
            T("late", "2023-11-27", 70, "more_than", outlet="AFP")]
    res = tallies_to_intervals(tallies_frame(rows), rule=rule, preferred_sources=["military times"])
    c = res.conflicts.iloc[0]
    assert (c["kind"], c["rule"]) == ("same_date", rule)
    assert c["values"] == "early: 66; late: [71, inf]"
    cum = res.cumulative.iloc[0]
    assert (cum["tally_id"], cum["lower"], cum["upper"]) == (kept, lower, upper)
    lg = res.ledger.set_index("record_id")
    other = "late" if kept == "early" else "early"
    assert lg.loc[kept, "status"] == "counted"
    assert lg.loc[other, "status"] == ("merged" if rule == "bounds" else "excluded")


def test_latest_means_last_in_the_input_not_row_position_in_the_frame():
    rows = [T("first", "2023-11-27", 66), T("second", "2023-11-27", 90)]
    a = tallies_to_intervals(tallies_frame(rows))
    b = tallies_to_intervals(shuffled(tallies_frame(rows), 1).iloc[::-1])
    assert a.cumulative["tally_id"].tolist() == b.cumulative["tally_id"].tolist() == ["second"]


def test_counters_are_separate_series_and_since_starts_a_new_chain():
    rows = [T("p1", "2023-11-14", 55), T("wi", "2023-11-14", 73, "about", source="Washington Institute",
                                          since="2023-10-18"),
            T("g", "2023-12-31", 160, "more_than", source="GTTAC"), T("p2", "2024-01-18", 140),
            T("r0", "2024-04-20", 0, since="2024-02-05")]
    res = tallies_to_intervals(tallies_frame(rows))
    assert res.sources == ["GTTAC", "Pentagon", "Washington Institute"]
    assert res.get("Pentagon").total == 140
    assert res.get("Pentagon", since="2024-02-05").counts.tolist() == [0]
    assert res.conflicts.empty  # 73 vs 55 is not a conflict: different counters
    p = res.panel()
    p.check()
    assert set(p.data["source"]) == {"GTTAC", "Pentagon", "Washington Institute"}


def test_parts_and_total_checked():
    rows = [T("a", "2023-11-14", 55), T("ai", "2023-11-14", 27, region="Iraq"), T("as", "2023-11-14", 28, region="Syria"),
            T("b", "2023-11-17", 62), T("bi", "2023-11-17", 29, region="Iraq"), T("bs", "2023-11-17", 30, region="Syria"),
            T("c", "2023-11-23", 73), T("ci", "2023-11-23", 40, region="Iraq"), T("cs", "2023-11-23", 37, region="Syria"),
            T("d", "2023-10-24", 13, "at_least"), T("di", "2023-10-24", 10, "at_least", region="Iraq")]
    ch = tallies_to_intervals(tallies_frame(rows)).checks.set_index("as_of")["status"]
    assert ch.to_dict() == {pd.Timestamp("2023-10-24"): "incomplete_parts", pd.Timestamp("2023-11-14"): "equal",
                            pd.Timestamp("2023-11-17"): "parts_below_total",
                            pd.Timestamp("2023-11-23"): "parts_exceed_total"}


def test_undated_tallies_are_excluded_with_the_reason():
    rows = [T("U01", None, 32, "at_least"), T("a", "2023-10-24", 13)]
    res = tallies_to_intervals(tallies_frame(rows))
    lg = res.ledger.set_index("record_id")
    assert lg.loc["U01", "status"] == "excluded"
    assert lg.loc["U01", "reason"].startswith("no as_of date")
    assert lg.loc["U01", "row"] == 2 and lg.loc["U01", "file"] == "mem_tallies.csv"


def test_bad_bound_and_rule():
    with pytest.raises(InputError, match=r"row 2, column 'bound'"):
        tallies_to_intervals(tallies_frame([T("a", "2023-10-24", 13, "roughly")]))
    with pytest.raises(ValueError, match="rule must be one of"):
        tallies_to_intervals(tallies_frame([T("a", "2023-10-24", 13)]), rule="newest")


# ------------------------------------------------------------------------------ properties
@st.composite
def tally_rows(draw):
    n = draw(st.integers(1, 14))
    rows = []
    for i in range(n):
        day = draw(st.integers(0, 40))
        rows.append(T(f"t{i:02d}", str((pd.Timestamp("2023-10-20") + pd.Timedelta(days=day)).date()),
                      draw(st.integers(0, 60)), draw(st.sampled_from(["exact", "exact", "at_least", "more_than",
                                                                       "about", "at_most"])),
                      region=draw(st.sampled_from(["all", "Iraq"])),
                      source=draw(st.sampled_from(["P", "Q"]))))
    return tallies_frame(rows)


@settings(max_examples=40, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(tally_rows(), st.sampled_from(["latest", "bounds"]), st.integers(0, 1000))
def test_tally_properties(t, rule, seed):
    res = tallies_to_intervals(t, rule=rule)
    # every row in the ledger once
    assert sorted(res.ledger["record_id"]) == sorted(t["tally_id"])
    lg = res.ledger
    counted = set(lg.loc[lg["status"] == "counted", "record_id"])
    assert set(lg.loc[lg["status"] == "merged", "incident_id"]) <= counted
    assert lg.loc[lg["status"] != "counted", "reason"].notna().all()
    # every counted statement founds one resolved cumulative range, which lists its merged rows
    assert sorted(res.cumulative["tally_id"]) == sorted(counted)
    assert res.cumulative["n_statements"].sum() == int((lg["status"] != "excluded").sum())
    # cumulative ranges are monotone and consistent per chain; intervals valid
    for _, ch in res.cumulative.groupby(["source", "region", "since"]):
        lo, hi = ch["lower"].to_numpy(), ch["upper"].to_numpy()
        assert np.all(lo[1:] >= lo[:-1]) and np.all(hi[1:] >= hi[:-1]) and np.all(lo <= hi)
    for s in res.series.values():
        s.check()
    # exact intervals sum to the last exact cumulative value of the chain
    for _, ch in res.intervals.groupby(["source", "region", "since"]):
        if ch["count"].notna().all():
            cum = res.cumulative
            assert ch["count"].sum() == cum.loc[cum["tally_id"] == ch["tally_id"].iloc[-1], "lower"].iloc[0]
    # order invariance
    res2 = tallies_to_intervals(shuffled(t, seed), rule=rule)
    pd.testing.assert_frame_equal(res.intervals, res2.intervals)
    pd.testing.assert_frame_equal(res.ledger.sort_values("record_id").reset_index(drop=True),
                                  res2.ledger.sort_values("record_id").reset_index(drop=True))


# ------------------------------------------------------------------------------ spelling and incomplete parts
def test_region_and_counter_spellings_form_one_chain():
    rows = [T("a", "2023-11-14", 55, region="All"), T("b", "2023-11-17", 62),
            T("c", "2023-11-20", 70, region="TOTAL", source="pentagon "),
            T("ai", "2023-11-14", 27, region="Iraq"), T("bi", "2023-11-17", 30, region="iraq")]
    res = tallies_to_intervals(tallies_frame(rows))
    assert res.sources == ["Pentagon"]
    assert iv(res) == [("2023-10-17", "2023-11-14", 55, None, None, 29),
                       ("2023-11-15", "2023-11-17", 7, None, None, 3),
                       ("2023-11-18", "2023-11-20", 8, None, None, 3)]
    assert [r[2] for r in iv(res, region="Iraq")] == [27, 3]


def test_a_part_missing_on_a_date_is_not_a_shortfall():
    rows = [T("a", "2023-11-14", 55), T("ai", "2023-11-14", 27, region="Iraq"),
            T("b", "2023-11-17", 62), T("bi", "2023-11-17", 30, region="Iraq"), T("bs", "2023-11-17", 32, region="Syria"),
            T("c", "2023-11-20", 70), T("ci", "2023-11-20", 75, region="Iraq")]
    ch = tallies_to_intervals(tallies_frame(rows)).checks.set_index("as_of")
    assert ch["status"].to_dict() == {pd.Timestamp("2023-11-14"): "incomplete_parts",
                                      pd.Timestamp("2023-11-17"): "equal",
                                      pd.Timestamp("2023-11-20"): "parts_exceed_total"}
    assert ch["regions"].tolist() == ["Iraq", "Iraq+Syria", "Iraq"]


def test_counters_that_disagree_are_reported_not_merged():
    rows = [T("p1", "2023-11-14", 55), T("p2", "2024-01-09", 127), T("p3", "2024-01-18", 140),
            T("wi", "2023-11-14", 73, "about", source="WI", since="2023-10-18"),
            T("g", "2023-12-31", 160, "more_than", source="GTTAC"),
            T("ok", "2023-12-01", 60, "at_least", source="AFP"),
            T("late", "2023-12-01", 40, source="Late", since="2023-11-15")]
    res = tallies_to_intervals(tallies_frame(rows))
    assert res.conflicts.empty  # no chain is touched
    assert res.get("Pentagon").total == 140
    d = res.disagreements
    got = {(r.source, r.tally_id, r.other_source, r.kind, r.lower, r.other_upper) for r in d.itertuples()}
    # WI counts from a day later, so it cannot exceed the Pentagon's 55 on 2023-11-14: about 73 is [65, 81]
    # GTTAC's more than 160 by 2023-12-31 cannot fit under the Pentagon's 127 on 2024-01-09
    assert got == {("WI", "wi", "Pentagon", "above", 65, 55), ("GTTAC", "g", "Pentagon", "above", 161, 127),
                   ("Pentagon", "p1", "WI", "below", 55, 81), ("Pentagon", "p2", "GTTAC", "below", 127, math.inf),
                   ("Pentagon", "p3", "GTTAC", "below", 140, math.inf)}
    # AFP's at least 60 and Late's 40 since 2023-11-15 fit the Pentagon's chain: no row
    assert not d["source"].isin(["AFP", "Late"]).any() and not d["other_source"].isin(["AFP", "Late"]).any()
    from analysis.normalize import normalize
    assert normalize(tallies=tallies_frame(rows)).summary()["tallies"]["disagreements"] == 5


def test_tally_id_repeated_across_files_is_an_input_error():
    a = tallies_frame([T("T1", "2023-10-24", 13), T("T2", "2023-10-30", 23)], file="a.csv")
    b = tallies_frame([T("T1", "2023-11-14", 55)], file="b.csv")
    both = pd.concat([a, b], ignore_index=True)
    with pytest.raises(InputError, match=r"^b.csv, row 2, column 'tally_id': duplicate tally_id 'T1' "
                                         r"\(also in a.csv row 2\)"):
        tallies_to_intervals(both)


def test_rows_without_tally_id_are_named_by_file_and_row_when_files_differ():
    a = tallies_frame([T(None, "2023-10-24", 13)], file="a.csv")
    b = tallies_frame([T(None, "2023-11-14", 55)], file="b.csv")
    lg = tallies_to_intervals(pd.concat([a, b], ignore_index=True)).ledger
    assert lg["record_id"].tolist() == ["a.csv row 2", "b.csv row 2"]
    assert tallies_to_intervals(a).ledger["record_id"].tolist() == ["row2"]
