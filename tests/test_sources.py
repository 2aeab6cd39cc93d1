"""analysis.normalize.sources: tallies where they reach, incidents elsewhere (known answers)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.io import read_reports, read_tallies
from analysis.normalize import normalize, tallies_and_incidents, tally_point_path


def _reports(dates, country="X"):
    return read_reports(pd.DataFrame({"report_id": [f"r{i}" for i in range(len(dates))], "date": dates,
                                      "country": country,
                                      "location": [f"place {i}" for i in range(len(dates))],
                                      "source": "synthetic"}))


def _tallies(rows):
    return read_tallies(pd.DataFrame([{"tally_id": f"t{i}", "since": s, "as_of": a, "count": c, "bound": b,
                                       "region": "all", "source": "ministry"}
                                      for i, (s, a, c, b) in enumerate(rows)]))


def test_weekly_counts_switch_from_tallies_to_incidents():
    # 14 by Jan 7, 21 by Jan 14 (exact), then two incidents in the list
    rep = _reports(["2024-01-03", "2024-01-20", "2024-01-24"])   # the first lies inside the tallies
    tal = _tallies([("2024-01-01", "2024-01-07", 14, "exact"), ("2024-01-01", "2024-01-14", 21, "exact")])
    c = tallies_and_incidents(rep, tal, source="ministry", window=("2024-01-01", "2024-01-29"))
    assert c.series.counts.tolist() == [14.0, 7.0, 1.0, 1.0]
    assert c.series.data["tally_days"].tolist() == [7, 7, 0, 0]
    assert c.series.data["n_reports"].tolist() == [0, 0, 1, 1]   # reports of tally days are not counted
    assert [str(d.date()) for d in c.switch_dates] == ["2024-01-15"]
    assert [str(d.date()) for d in c.tally_span] == ["2024-01-01", "2024-01-14"]
    assert c.incidents_in_tally_span == 1.0
    assert "ministry" in c.rule and "2024-01-14" in c.notes[0] and "holds only 1 events" in c.notes[0]
    # spread uniformly: 2 per day in week 1, 1 per day in week 2
    d = c.daily.set_index("day")["count"]
    assert (d["2024-01-01":"2024-01-07"] == 2).all() and (d["2024-01-08":"2024-01-14"] == 1).all()


def test_window_before_tallies_takes_incidents_and_monthly_bins():
    rep = _reports(["2023-12-05", "2023-12-20", "2024-02-10"])
    tal = _tallies([("2024-01-01", "2024-01-31", 31, "exact")])
    c = tallies_and_incidents(rep, tal, source="ministry", window=("2023-12-01", "2024-03-01"), freq="M")
    assert c.series.counts.tolist() == [2.0, 31.0, 1.0]
    assert c.series.exposure.tolist() == [31.0, 31.0, 29.0]
    assert [str(d.date()) for d in c.switch_dates] == ["2024-01-01", "2024-02-01"]


def test_uneven_interval_is_rounded_with_totals_kept():
    # 10 attacks over 3 days: 3.33 a day, whole attacks per day by rounding the cumulative path
    rep = _reports(["2024-01-20"])
    tal = _tallies([("2024-01-01", "2024-01-03", 10, "exact"), ("2024-01-01", "2024-01-14", 10, "exact")])
    c = tallies_and_incidents(rep, tal, source="ministry", window=("2024-01-01", "2024-01-22"))
    d = c.daily["count"].to_numpy()
    assert d[:3].tolist() == [3.0, 4.0, 3.0] and d[:14].sum() == 10
    assert np.array_equal(d, np.round(d))


@pytest.mark.parametrize("bounds,points", [("lower", [11, 15, 18]), ("stated", [11, 15, 20]),
                                           ("upper", [15, 15, 22])])
def test_point_path_bounds_rules(bounds, points):
    # "more than 10" (11 or more) on Jan 7, exactly 15 on Jan 14, "about 20" on Jan 21 (band 10%: 18-22)
    tal = _tallies([("2024-01-01", "2024-01-07", 10, "more_than"), ("2024-01-01", "2024-01-14", 15, "exact"),
                    ("2024-01-01", "2024-01-21", 20, "about")])
    norm = normalize(tallies=tal)
    path = tally_point_path(norm.tallies, tal, source="ministry", bounds=bounds)
    assert path["point"].tolist() == points
    assert path["count"].sum() == points[-1]
    assert str(path["interval_start"].iloc[0].date()) == "2024-01-01"


def test_upper_rule_keeps_stated_figure_when_open_ended():
    tal = _tallies([("2024-01-01", "2024-01-07", 10, "exact"), ("2024-01-01", "2024-01-14", 12, "at_least")])
    path = tally_point_path(normalize(tallies=tal).tallies, tal, source="ministry", bounds="upper")
    assert path["point"].tolist() == [10.0, 12.0]


def test_bad_arguments_are_named():
    rep = _reports(["2024-01-20"])
    tal = _tallies([("2024-01-01", "2024-01-07", 14, "exact")])
    with pytest.raises(ValueError, match="boundaries"):
        tallies_and_incidents(rep, tal, source="ministry", window=("2024-01-02", "2024-01-29"))
    with pytest.raises(ValueError, match="bounds must be one of"):
        tallies_and_incidents(rep, tal, source="ministry", window=("2024-01-01", "2024-01-29"), bounds="mid")
    with pytest.raises(ValueError, match="no cumulative tallies of source 'army'"):
        tallies_and_incidents(rep, tal, source="army", window=("2024-01-01", "2024-01-29"))
    with pytest.raises(ValueError, match="freq"):
        tallies_and_incidents(rep, tal, source="ministry", window=("2024-01-01", "2024-01-29"), freq="Q")


def test_case_study_series_conserves_tallies_and_incidents():
    from analysis.datasets import case_study_series
    c = case_study_series()
    s, d = c.series, c.series.data
    assert s.freq == "W" and s.n == 46 and (d["start"].dt.day_of_week == 0).all()
    assert np.array_equal(s.counts, np.round(s.counts))
    path = c.tally_path
    assert np.all(np.diff(path["point"]) >= 0) and path["count"].sum() == path["point"].iloc[-1] == 170
    assert path.set_index("as_of").loc[pd.Timestamp("2024-01-18"), "point"] == 140
    tally_weeks = (d["start"] < pd.Timestamp("2024-04-15")).to_numpy()
    assert s.counts[tally_weeks].sum() == 170
    inc = c.normalized.incidents
    inc = inc[inc["counted"] & (pd.to_datetime(inc["date_start"]) >= pd.Timestamp("2024-04-21"))]
    assert s.counts[~tally_weeks].sum() == len(inc)
    assert [str(x.date()) for x in c.switch_dates] == ["2023-10-17", "2024-04-21"]
    low = tally_point_path(c.normalized.tallies, __import__("analysis").load_case_study().tallies,
                           source="Pentagon", since="2023-10-17", bounds="lower")
    assert np.array_equal(low["point"].to_numpy(), np.maximum.accumulate(low["lower"].to_numpy()))
    assert (low["point"].to_numpy() <= path["point"].to_numpy()).all()


def test_tallies_only_keeps_the_periods_the_tallies_count():
    tal = _tallies([("2024-01-01", "2024-01-07", 14, "exact"), ("2024-01-01", "2024-01-21", 35, "exact")])
    c = tallies_and_incidents(None, tal, source="ministry", window=("2024-01-01", "2024-02-05"))
    s = c.tallies_only()
    # 14 in week 1; 21 over the next 14 days, 1.5 a day, rounded along the cumulative path
    assert s.n == 3 and s.counts.tolist() == [14.0, 11.0, 10.0]
    assert str(s.start[0].date()) == "2024-01-01" and str(s.end[-1].date()) == "2024-01-22"
    assert "tallies only" in s.attrs["source_of_counts"]
    with pytest.raises(ValueError, match="reach no day"):
        tallies_and_incidents(None, tal, source="ministry", window=("2024-01-22", "2024-02-05"))
    short = _tallies([("2024-01-01", "2024-01-03", 10, "exact")])   # three days: no whole week
    with pytest.raises(ValueError, match="no whole period"):
        tallies_and_incidents(None, short, source="ministry", window=("2024-01-01", "2024-01-15")).tallies_only()


def test_dedupe_rule_reaches_the_incident_days():
    # two reports of one attack (same place, next day) after the tallies stop: matched by
    # default, two incidents with dedupe="off" (the spec's series.dedupe reaches this path)
    rep = read_reports(pd.DataFrame({"report_id": ["a", "b"], "date": ["2024-01-16", "2024-01-17"],
                                     "country": "X", "location": "Base One", "source": "synthetic"}))
    tal = _tallies([("2024-01-01", "2024-01-14", 21, "exact")])
    kw = dict(source="ministry", window=("2024-01-01", "2024-01-29"))
    assert tallies_and_incidents(rep, tal, **kw).series.counts.tolist() == [11.0, 10.0, 1.0, 0.0]
    off = tallies_and_incidents(rep, tal, dedupe="off", **kw)
    assert off.series.counts.tolist() == [11.0, 10.0, 2.0, 0.0]
