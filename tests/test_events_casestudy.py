"""The case study computed from the bundled data (analysis.casestudy)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from analysis.casestudy import PERIODS, case_study_answers, case_study_series, tally_point_path
from analysis.events.rates import rate_ratio_exact


@pytest.fixture(scope="module")
def built():
    return case_study_series()


@pytest.fixture(scope="module")
def answers():
    return case_study_answers()


def test_tally_point_path_is_monotone_and_inside_bounds(built):
    _, info = built
    path = info["tally_path"]
    pt = path["point"].to_numpy()
    assert np.all(np.diff(pt) >= 0)
    assert np.all(pt >= path["lower"].to_numpy()) and np.all(pt <= path["upper"].to_numpy())
    assert path["count"].sum() == pt[-1] == 170  # "about 170" by 2024-02-04, "more than 165" later
    # stated figures of exact statements are kept as they are
    exact = path[path["bound"] == "exact"]
    assert (exact["point"] == exact["stated"]).all()
    assert path.set_index("as_of").loc[pd.Timestamp("2024-01-18"), "point"] == 140


def test_series_conserves_tallies_and_incidents(built):
    series, info = built
    d = series.data
    assert series.freq == "W" and series.n == 46
    assert (d["start"].dt.day_of_week == 0).all() and (d["exposure"] == 7).all()
    assert np.array_equal(series.counts, np.round(series.counts))          # whole attacks
    tally_weeks = d["start"] < pd.Timestamp("2024-04-15")
    assert series.counts[tally_weeks.to_numpy()].sum() == 170                # the tally path's total
    lull = (d["start"] >= pd.Timestamp("2024-02-05")) & (d["start"] < pd.Timestamp("2024-04-15"))
    assert series.counts[lull.to_numpy()].sum() == 0                          # Reuters: none to 04-20
    inc = info["normalized"].incidents
    inc = inc[inc["counted"] & (pd.to_datetime(inc["date_start"]) >= pd.Timestamp("2024-04-21"))]
    assert series.counts[~tally_weeks.to_numpy()].sum() == len(inc)           # incidents after the tallies


def test_answers_periods_match_brute_force(answers):
    s = answers.series
    per = answers.tables["periods"].set_index("period")
    for name, (a, b) in PERIODS.items():
        m = (s.data["start"] >= pd.Timestamp(a)) & (s.data["end"] <= pd.Timestamp(b))
        assert per.loc[name, "count"] == s.counts[m.to_numpy()].sum()
        assert per.loc[name, "rate"] == pytest.approx(s.counts[m.to_numpy()].sum() / m.sum())


def test_answers_rate_ratios(answers):
    rr = answers.tables["rate_ratios"]
    per = answers.tables["periods"].set_index("period")
    exact = rr[rr["method"] == "exact conditional"].set_index("comparison")
    ref = rate_ratio_exact(per.loc["before_late_january", "count"], 98.0,
                           per.loc["after_late_january", "count"], 168.0)
    assert exact.loc["late_january", "rate_ratio"] == pytest.approx(ref["rate_ratio"])
    assert exact.loc["late_january", "ci_high"] < 0.1 and exact.loc["late_january", "p_value"] < 1e-10
    # the GLM on the same weeks estimates the same ratio of rates
    same = rr[rr["method"].str.contains("same weeks")].set_index("comparison")
    for comp in ("late_january", "talks"):
        assert same.loc[comp, "rate_ratio"] == pytest.approx(exact.loc[comp, "rate_ratio"], rel=1e-3)
    summer = exact.loc["summer_vs_spring"]
    assert summer["alternative"] == "greater"
    assert summer["p_value"] == pytest.approx(
        rate_ratio_exact(summer["k1"], 91.0, summer["k2"], 63.0, alternative="greater")["p_value"])


def test_answers_change_and_attribution(answers):
    att = answers.tables["attribution"]
    assert len(att) >= 1
    # the winter wave ends in early February 2024; every late-January event lies within 14 days
    first = att.iloc[0]
    assert pd.Timestamp("2024-01-22") <= first["change_date"] <= pd.Timestamp("2024-02-12")
    assert {"E007", "E008", "E009"} <= set(first["events_within"])
    assert first["lag_days"] == (first["change_date"] - first["nearest_date"]).days
    al = answers.tables["alignment"]
    assert set(al["null"]) == {"uniform", "shift"} and (al["draws"] == 9999).all()
    assert ((al["p_value"] > 0) & (al["p_value"] <= 1)).all()


def test_answers_comparison_and_outputs(answers):
    c = answers.tables["comparison"]
    assert c["delta_bic"].min() == 0 and c.loc[c["model"] == "no change", "delta_bic"].iloc[0] > 10
    assert c.attrs["best"] == c["model"].iloc[0]
    text = json.dumps(answers.to_dict(), allow_nan=False)
    assert "late_january" in text
    for key in ("changes", "late_january", "talks", "summer_rise", "comparison"):
        assert key in answers.sentences
    x = answers.tables["rate_ratios"].set_index(["comparison", "method"]).loc[("talks", "exact conditional")]
    assert f"{x['rate_ratio']:.3g}" in answers.sentences["talks"]
    cov = " ".join(answers.coverage)
    assert "August 2024" in cov and "winter" in cov


def test_answers_sensitivity_to_tally_rule(answers):
    sens = answers.tables["sensitivity"].set_index("tally_rule")
    assert sens.loc["stated", "total"] == answers.series.total
    assert sens.loc["lower", "total"] <= sens.loc["stated", "total"]
    # the winter-to-spring drop holds whichever end of the tallies' ranges is used
    assert (sens["rr_ci_high"] < 0.1).all()


def _has_bayes() -> bool:
    from analysis.changepoints import BayesianChangepoints
    return hasattr(BayesianChangepoints, "fit")


@pytest.mark.skipif(not _has_bayes(), reason="BayesianChangepoints not available in this checkout")
def test_answers_bayesian_side(answers):
    named = answers.numbers["named_events_bayes"]
    for eid in ("E007", "E008", "E009"):   # the change sits within 14 days of each
        assert named[eid]["p_change_within"] > 0.9 and named[eid]["log_bf"] > 1
    assert named["E014"]["p_change_within"] < 0.5 and named["E014"]["log_bf"] < 0.5
    ch = answers.tables["changes"]
    pelt = ch.loc[ch["method"] == "PELT", "change_date"].tolist()
    assert ch.loc[ch["method"] == "Bayes MAP", "change_date"].tolist()[:1] == pelt[:1]


def test_tally_point_path_lower_rule(built):
    _, info = built
    from analysis.datasets import load_case_study

    tallies = load_case_study().tallies
    low = tally_point_path(info["normalized"].tallies, tallies, rule="lower")
    assert np.array_equal(low["point"].to_numpy(), np.maximum.accumulate(low["lower"].to_numpy()))
    assert (low["point"] <= info["tally_path"]["point"].to_numpy()).all()
    with pytest.raises(ValueError, match="rule"):
        tally_point_path(info["normalized"].tallies, tallies, rule="middle")
