"""analysis.questions: comparisons, bounds sensitivity, coverage caveats, event questions,
model comparison. Known answers on small synthetic series (labelled synthetic), and the
case study's numbers against the exact tests computed by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis.events.rates import rate_ratio_exact
from analysis.questions import (Comparison, bounds_sensitivity, compare, coverage_caveats,
                                event_questions, model_comparison)
from analysis.series import CountSeries


def _weekly(counts, start="2024-01-01", n_reports=None):
    st = pd.date_range(start, periods=len(counts), freq="7D")
    d = {"start": st, "end": st + pd.Timedelta(days=7), "count": counts}
    if n_reports is not None:
        d["n_reports"] = n_reports
    return CountSeries(pd.DataFrame(d), freq="W", attrs={"name": "synthetic"})


# ----------------------------------------------------------------------- compare
def test_around_an_event_splits_whole_weeks_and_leaves_the_gap_out():
    s = _weekly([9, 11, 10, 10, 50, 2, 3, 1, 2, 4])
    # event on Wednesday 2024-01-31 to Friday 2024-02-02: the week of 01-29 is the gap
    c = Comparison.around("drop", "2024-01-31", until="2024-02-02").resolve(s)
    assert (str(c.first.start.date()), str(c.first.end.date())) == ("2024-01-01", "2024-01-29")
    assert (str(c.second.start.date()), str(c.second.end.date())) == ("2024-02-05", "2024-03-11")
    g = Comparison.around("drop", "2024-01-31", until="2024-02-02", gap=1, end="2024-03-04").resolve(s)
    assert (str(g.first.end.date()), str(g.second.start.date()), str(g.second.end.date())) == (
        "2024-01-22", "2024-02-12", "2024-03-04")
    # an event on a period's first day: that period counts as after (the GLM step convention)
    m = Comparison.around("m", "2024-01-29").resolve(s)
    assert str(m.first.end.date()) == "2024-01-29" and str(m.second.start.date()) == "2024-01-29"


def test_exact_rates_ratio_and_test_equal_hand_computation():
    s = _weekly([9, 11, 10, 10, 50, 2, 3, 1, 2, 4])
    r = compare(s, [Comparison.around("drop", "2024-01-31", until="2024-02-02", alternative="less")],
                family="poisson")
    per = r.periods.set_index("period")
    assert per.loc["before_drop", "count"] == 40 and per.loc["after_drop", "count"] == 12
    assert per.loc["before_drop", "rate"] == pytest.approx(10.0)    # per week
    g = stats.gamma.ppf([0.025, 0.975], [40, 41]) / 4                # Garwood, 4 weeks
    assert per.loc["before_drop", ["ci_low", "ci_high"]].tolist() == pytest.approx(g, rel=1e-9)
    x = r.exact.iloc[0]
    assert x["rate_ratio"] == pytest.approx((12 / 5) / (40 / 4))
    # conditional on 52 events, the after-share is Binomial(52, 5/9) under equal rates
    assert x["p_value"] == pytest.approx(stats.binomtest(12, 52, 5 / 9, alternative="less").pvalue)
    ci = stats.binomtest(12, 52).proportion_ci(0.95, method="exact")
    assert [x["ci_low"], x["ci_high"]] == pytest.approx([p / (1 - p) * 4 / 5 for p in (ci.low, ci.high)])
    # Poisson GLM with one step on the same weeks: the same ratio of rates (MLE), Wald CI
    same = r.glm[r.glm["method"].str.contains("same weeks")].iloc[0]
    assert same["rate_ratio"] == pytest.approx(x["rate_ratio"], rel=1e-8)
    se = np.sqrt(1 / 40 + 1 / 12)
    assert [same["ci_low"], same["ci_high"]] == pytest.approx(
        list(x["rate_ratio"] * np.exp(np.array([-1, 1]) * 1.959963984540054 * se)), rel=1e-6)
    n = r.numbers()
    assert n["count_after_drop"] == 12 and n["rr_drop_exact"] == x["rate_ratio"]
    assert "one-sided" not in r.sentences()["drop"]  # event sentences state rates and ratios
    assert "12 events in 5 weeks" in r.sentences()["drop"]


def test_two_periods_one_sided_with_glm_and_reversed_order():
    s = _weekly([1, 0, 2, 1, 0, 0, 4, 3, 5, 2])
    c = Comparison.periods("rise", ("2024-01-01", "2024-02-05"), ("2024-02-05", "2024-03-11"),
                           first_name="early", second_name="late", alternative="greater", glm=True)
    r = compare(s, [c], family="poisson")
    x = r.exact.iloc[0]
    assert (x["count_before"], x["count_after"]) == (4.0, 14.0)
    assert x["p_value"] == pytest.approx(stats.binomtest(14, 18, 0.5, alternative="greater").pvalue)
    assert "one-sided exact conditional test: a significant rise at the 5% level" in r.sentences()["rise"]
    # the later period listed first: the GLM ratio is still second over first
    rev = compare(s, [Comparison.periods("fall", ("2024-02-05", "2024-03-11"), ("2024-01-01", "2024-02-05"),
                                         glm=True)], family="poisson")
    assert rev.glm["rate_ratio"].iloc[0] == pytest.approx(4 / 14)
    assert rev.exact["rate_ratio"].iloc[0] == pytest.approx(4 / 14)


def test_chained_event_comparisons_share_the_glms():
    s = _weekly([10, 12, 11, 9, 2, 1, 2, 3, 1, 6, 7, 5], start="2024-01-01")
    comps = [Comparison.around("a", "2024-01-29", end="2024-03-04"),
             Comparison.around("b", "2024-03-04", start="2024-01-29")]
    r = compare(s, comps, family="poisson")
    assert set(r.model_terms["model"]) == {"same weeks", "all weeks"}
    same = r.glm[r.glm["method"].str.contains("same weeks")].set_index("comparison")
    ex = r.exact.set_index("comparison")
    for k in ("a", "b"):   # chained periods: the steps estimate the exact ratios
        assert same.loc[k, "rate_ratio"] == pytest.approx(ex.loc[k, "rate_ratio"], rel=1e-8)
    with pytest.raises(ValueError, match="unique"):
        compare(s, [comps[0], comps[0]])
    with pytest.raises(ValueError, match="no whole row"):
        compare(s, [Comparison.around("late", "2024-03-25")])
    with pytest.raises(ValueError, match="alternative"):
        Comparison.around("x", "2024-02-01", alternative="up")


def test_case_study_comparisons_match_the_exact_tests():
    from analysis.datasets import case_study_series
    s = case_study_series().series
    comps = [Comparison.around("late_january", "2024-01-28", until="2024-02-02", end="2024-07-22"),
             Comparison.around("talks", "2024-07-22", start="2024-02-05")]
    r = compare(s, comps)
    ex = r.exact.set_index("comparison")
    ref = rate_ratio_exact(144, 98.0, 4, 168.0)
    assert ex.loc["late_january", "rate_ratio"] == pytest.approx(ref["rate_ratio"]) == pytest.approx(0.0162037, rel=1e-5)
    assert ex.loc["talks", ["count_before", "count_after"]].tolist() == [4.0, 4.0]
    same = r.glm[r.glm["method"].str.contains("same weeks")].set_index("comparison")
    for comp in ("late_january", "talks"):
        assert same.loc[comp, "rate_ratio"] == pytest.approx(ex.loc[comp, "rate_ratio"], rel=1e-6)


# -------------------------------------------------------------------- sensitivity
def test_bounds_sensitivity_moves_totals_as_the_statements_allow():
    from analysis.io import read_reports, read_tallies
    rep = read_reports(pd.DataFrame({"report_id": ["r1", "r2"], "date": ["2024-02-14", "2024-02-20"],
                                     "country": "X", "location": ["a", "b"], "source": "synthetic"}))
    # "more than 30" by Jan 14 (31+), "about 60" by Jan 28 (54-66), synthetic
    tal = read_tallies(pd.DataFrame({"tally_id": ["t1", "t2"], "since": "2024-01-01",
                                     "as_of": ["2024-01-14", "2024-01-28"], "count": [30, 60],
                                     "bound": ["more_than", "about"], "region": "all", "source": "ministry"}))
    comp = Comparison.around("drop", "2024-01-29")
    r = bounds_sensitivity(rep, tal, source="ministry", window=("2024-01-01", "2024-03-04"),
                           comparisons=[comp], min_size=1)
    tot = r.changes.set_index("bounds")["total"]
    assert tot.to_dict() == {"lower": 54 + 2, "stated": 60 + 2, "upper": 66 + 2}
    rr = r.ratios.set_index("bounds")
    assert rr.loc["upper", "count_before"] == 66 and rr.loc["lower", "count_after"] == 2
    assert rr.loc["stated", "rate_ratio"] == pytest.approx((2 / 5) / (60 / 4))
    assert r.numbers()["upper_total"] == 68
    text = r.sentences(noun="attacks")["bounds"]
    assert "lowest counts" in text and "(56 attacks in all)" in text


# ----------------------------------------------------------------------- coverage
def test_coverage_states_gaps_and_the_last_event():
    s = _weekly([2, 1, 0, 0, 0, 0, 1, 0, 0], n_reports=[2, 1, 0, 0, 0, 0, 1, 0, 0])
    inc = pd.DataFrame({"date_start": pd.to_datetime(["2024-01-02", "2024-01-09", "2024-02-13"]),
                        "date_end": pd.to_datetime(["2024-01-02", "2024-01-09", "2024-02-13"]),
                        "counted": True})
    r = coverage_caveats(s, incidents=inc, noun="attacks", min_gap=3)
    assert r.facts["gaps"] == [["2024-01-15", "2024-02-11"]]
    assert r.facts["last_event"] == "2024-02-13" and r.facts["periods_after_last"] == 2
    text = " ".join(r.caveats)
    assert "from 2024-01-15 to 2024-02-11 (4 weeks)" in text and "the 2 weeks after it" in text
    assert "Weekly bins" in text
    assert coverage_caveats(s, incidents=inc, min_gap=5).facts["gaps"] == []


def test_case_study_coverage_is_computed():
    from analysis.datasets import case_study_series
    c = case_study_series()
    r = coverage_caveats(c.series, incidents=c.normalized.incidents, combined=c,
                         tally_intervals=c.normalized.tallies.intervals, noun="attacks")
    f = r.facts
    assert f["tally_span"] == ["2023-10-17", "2024-04-20"] and f["tally_total"] == 170
    assert f["zero_intervals"] == [["2024-02-05", "2024-04-20", "Pentagon"]]
    assert f["last_event"] == "2024-08-09" and f["periods_after_last"] == 3
    assert f["gaps"] == [["2024-04-29", "2024-07-14"]]


# ---------------------------------------------------------- events and model comparison
def test_event_questions_and_model_comparison_on_a_clear_change():
    from analysis.changepoints import BayesianChangepoints, detect_changepoints
    rng = np.random.default_rng(7)
    counts = np.r_[rng.poisson(12, 15), rng.poisson(2, 15)].astype(float)
    s = _weekly(counts)                                       # synthetic: the change at row 15
    seg = detect_changepoints(s, method="pelt", cost="poisson", penalty="mbic", min_size=2)
    assert list(seg.changepoints) == [15]
    change = s.start[15]
    events = pd.DataFrame({"event_id": ["A", "B"], "date": [change - pd.Timedelta(days=3),
                                                           change + pd.Timedelta(days=60)],
                           "end_date": pd.NaT, "kind": "x", "label": ["near", "far"], "source_url": ""})
    b = BayesianChangepoints(p_change=0.02, min_size=2).fit(s)
    q = event_questions(s, seg, events, bayes=b, named=["A"], nulls=["uniform", "shift"], draws=199, seed=1)
    att = q.tables["attribution"].iloc[0]
    assert att["nearest_event"] == "A" and att["lag_days"] == 3
    assert q.numbers["changes"] == [str(change.date())]
    assert q.numbers["named_events_bayes"]["A"]["p_change_within"] > 0.9
    assert set(q.tables["alignment"]["null"]) == {"uniform", "shift"}
    assert "nearest event A" in q.sentences["changes"]
    with pytest.raises(ValueError, match="not in the event list"):
        event_questions(s, seg, events, named=["Z"])
    mc = model_comparison(s, {"at A": [f"{events['date'][0].date()}:level"]}, family="poisson",
                          segmentation=seg)
    assert mc.best == mc.table["model"].iloc[0] and mc.table["delta_bic"].iloc[0] == 0
    assert mc.table.set_index("model").loc["no change", "delta_bic"] > 10
    assert mc.sentence().startswith(f"By BIC the best model is '{mc.best}'")


def test_event_labels_are_never_cut_short_in_sentences_and_tables():
    from analysis.changepoints import detect_changepoints
    from analysis.questions import event_questions
    from analysis.report.narrative import change_sentences

    s = CountSeries.from_counts([1, 0, 2, 1, 0, 9, 8, 11, 10, 9], start="2024-01-01", freq="W")
    label = ("Synthetic event with a long label that runs on past seventy characters and ends with "
             "its last word")
    ev = pd.DataFrame({"event_id": ["E1"], "date": ["2024-02-04"], "label": [label]})
    seg = detect_changepoints(s, penalty="mbic", min_size=2)
    q = event_questions(s, seg, ev, draws=99, bayes_factors=False)
    assert label in q.sentences["changes"] and "..." not in q.sentences["changes"]
    (sentence,) = change_sentences(seg, s, q.tables["attribution"])
    assert label in sentence and "\u2026" not in sentence
