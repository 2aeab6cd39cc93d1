"""Event catalogue, attribution and the alignment test (analysis.events)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis import InputError
from analysis.events import (EventCatalogue, alignment_test, attach_attribution, attribute_changes,
                             attribution_pairs, change_dates_of, event_posterior, nearest_distance,
                             validate_events)
from analysis.synthetic import piecewise_poisson


def _events(rows):
    return pd.DataFrame(rows, columns=["event_id", "date", "end_date", "kind", "label"])


# --------------------------------------------------------------------- catalogue
def test_validate_sorts_and_types():
    df = _events([("B", "2024-03-01", None, "talks", "b"), ("A", "2024-01-10", "2024-01-12", "strike", "a")])
    out = validate_events(df)
    assert out["event_id"].tolist() == ["A", "B"]
    assert out["date"].dtype == "datetime64[ns]"
    assert pd.isna(out["end_date"].iloc[1]) and out["end_date"].iloc[0] == pd.Timestamp("2024-01-12")


@pytest.mark.parametrize("rows,row,column,msg", [
    ([("A", "2024-01-10", None, "k", "a"), ("A", "2024-01-11", None, "k", "b")], 3, "event_id", "duplicate"),
    ([("A", "2024-01-10", None, "k", "a"), ("B", "", None, "k", "b")], 3, "date", "missing"),
    ([("A", "2024-13-10", None, "k", "a")], 2, "date", "cannot read"),
    ([("A", "2024-01-10", "2024-01-01", "k", "a")], 2, "end_date", "before"),
])
def test_validate_errors_name_row_and_column(rows, row, column, msg):
    with pytest.raises(InputError, match=msg) as exc:
        validate_events(_events(rows))
    assert exc.value.row == row and exc.value.column == column


def test_validate_missing_column():
    with pytest.raises(InputError, match="label"):
        validate_events(pd.DataFrame({"event_id": ["A"], "date": ["2024-01-01"]}))


def test_catalogue_reads_bundled_file_and_selects():
    from analysis.datasets import data_path
    cat = EventCatalogue.read(data_path("events.csv"))
    assert len(cat) == 32 and cat.ids[0] == "E024"
    strikes = cat.select(kinds="us_strike", start="2024-01-01", end="2024-02-29")
    assert strikes.ids == ["E020", "E027", "E009", "E010"]
    # the truce lasts 2023-11-24..30: a date inside it has lag 0
    lags = cat.lags("2023-11-27").set_index("event_id")["lag_days"]
    assert lags["E033"] == 0 and lags["E026"] == 5 and lags["E006"] == -6


def test_catalogue_read_errors_name_file_and_row(tmp_path):
    p = tmp_path / "ev.csv"
    p.write_text("event_id,date,end_date,kind,label\nA,2024-01-01,,k,a\nB,2024-02-30,,k,b\n")
    with pytest.raises(InputError, match=r"ev\.csv, row 3, column 'date'"):
        EventCatalogue.read(p)


def test_nearest_prefers_earlier_event_on_ties_and_reports_all_ties():
    cat = EventCatalogue(_events([("A", "2024-01-01", None, "k", "a"), ("B", "2024-01-11", None, "k", "b"),
                                  ("C", "2024-01-11", None, "k", "c")]))
    near = cat.nearest("2024-01-06")  # 5 days after A, 5 days before B and C
    assert near["event_id"].tolist() == ["A", "B", "C"]
    assert near["lag_days"].tolist() == [5, -5, -5]
    t = attribute_changes(["2024-01-06"], cat)
    assert t.loc[0, "nearest_event"] == "A" and t.loc[0, "tied_events"] == ("A", "B", "C")


def test_windows_use_end_date():
    cat = EventCatalogue(_events([("T", "2023-11-24", "2023-11-30", "truce", "t")]))
    w = cat.windows(14)
    assert w.loc[0, "window_start"] == pd.Timestamp("2023-11-10")
    assert w.loc[0, "window_end"] == pd.Timestamp("2023-12-14")
    assert cat.within("2023-12-14", 14)["event_id"].tolist() == ["T"]
    assert cat.within("2023-12-15", 14).empty


# ------------------------------------------------------------------- attribution
@pytest.fixture(scope="module")
def at_near_far():
    """Synthetic daily series (labelled synthetic) with three strong changes; events placed
    exactly at the first change, 3 days before the second, 60 days before the third."""
    series, cpts = piecewise_poisson(rates=(2.0, 12.0, 3.0, 15.0), lengths=(100, 90, 110, 100),
                                     start="2022-01-01", freq="D", seed=11)
    dates = change_dates_of(series, cpts)
    events = _events([
        ("AT", dates[0].strftime("%Y-%m-%d"), None, "synthetic", "event at the first change"),
        ("NEAR", (dates[1] - pd.Timedelta(days=3)).strftime("%Y-%m-%d"), None, "synthetic", "3 days before"),
        ("FAR", (dates[2] - pd.Timedelta(days=60)).strftime("%Y-%m-%d"), None, "synthetic", "60 days before"),
    ])
    return series, cpts, dates, events


def test_attribution_at_near_far(at_near_far):
    series, cpts, dates, events = at_near_far
    t = attribute_changes(dates, events, window_days=14, index=list(cpts))
    assert t["nearest_event"].tolist() == ["AT", "NEAR", "FAR"]
    assert t["lag_days"].tolist() == [0.0, 3.0, 60.0]          # change minus event
    assert t["n_within"].tolist() == [1, 1, 0]
    assert t["events_within"].tolist() == [("AT",), ("NEAR",), ()]
    assert t["index"].tolist() == list(cpts)
    pairs = attribution_pairs(dates, events, window_days=14)
    assert pairs[["change", "event_id", "lag_days"]].values.tolist() == [[0, "AT", 0.0], [1, "NEAR", 3.0]]


def test_attribution_of_detected_changes(at_near_far):
    """PELT finds the three changes; attribution gives lags 0, +3 and +60 days."""
    from analysis.changepoints import Pelt

    series, cpts, dates, events = at_near_far
    seg = Pelt(cost="poisson").fit(series).predict(penalty="mbic")
    assert seg.changepoints == tuple(cpts)
    t = attribute_changes(change_dates_of(series, seg.changepoints), events, window_days=14)
    assert t["nearest_event"].tolist() == ["AT", "NEAR", "FAR"]
    assert t["lag_days"].tolist() == [0.0, 3.0, 60.0]
    assert t["n_within"].tolist() == [1, 1, 0]


def test_attribution_sign_change_before_event():
    ev = _events([("E", "2024-03-10", None, "k", "e")])
    t = attribute_changes(["2024-03-01"], ev, window_days=14)
    assert t.loc[0, "lag_days"] == -9.0 and t.loc[0, "events_within"] == ("E",)


def test_attribution_empty_inputs():
    ev = _events([("E", "2024-03-10", None, "k", "e")])
    assert attribute_changes([], ev).empty
    with pytest.raises(ValueError, match="window_days"):
        attribute_changes(["2024-03-01"], ev, window_days=-1)


def test_event_posterior_sums_rows_in_window():
    series, _ = piecewise_poisson((1.0,), (10,), start="2024-01-01", freq="W", seed=0)

    class FakeBayes:  # prob_change per row; only the array is used
        prob_change = np.array([0, 0.1, 0.2, 0.3, 0, 0, 0, 0.05, 0, 0])

    ev = _events([("E", "2024-01-22", None, "k", "e"), ("OUT", "2025-01-01", None, "k", "o")])
    out = event_posterior(FakeBayes(), series, ev, window_days=14).set_index("event_id")
    # rows start on Mondays 2024-01-01 + 7i; window [01-08, 02-05] holds rows 1..5
    assert out.loc["E", "rows_in_window"] == 5
    assert out.loc["E", "p_change_within"] == pytest.approx(0.6)
    assert np.isnan(out.loc["OUT", "p_change_within"])


# ---------------------------------------------------------------- alignment test
def test_nearest_distance():
    d = nearest_distance(np.array([[0.0, 4.0], [11.0, 5.5]]), np.array([1.0, 10.0]))
    assert d.tolist() == [[1.0, 3.0], [1.0, 4.5]]


@pytest.mark.parametrize("null", ["uniform", "shift"])
@pytest.mark.parametrize("change,event,d_in_window", [
    ("2024-02-20", "2024-02-15", 10),   # interior: P(|U - e| <= 5) = 10 / L
    ("2024-01-03", "2024-01-01", 2),    # event at the window start: only [e, e + 2] is inside
])
def test_alignment_one_change_one_event_exact(null, change, event, d_in_window):
    window = ("2024-01-01", "2024-04-10")
    L = 100.0
    r = alignment_test([change], [event], window=window, draws=9999, null=null, seed=3)
    lag = abs((pd.Timestamp(change) - pd.Timestamp(event)).days)
    assert r.statistic == lag
    if null == "uniform":
        expected = d_in_window / L
    else:  # the shifted event is uniform on the circle [a, b): |c - e'| <= lag has the same length
        c = (pd.Timestamp(change) - pd.Timestamp(window[0])).days
        expected = (min(c + lag, L) - max(c - lag, 0.0)) / L
    assert abs(r.p_value - expected) < 4 * np.sqrt(expected * (1 - expected) / r.draws) + 1 / (r.draws + 1)
    assert r.mc_se == pytest.approx(np.sqrt(expected * (1 - expected) / r.draws), rel=0.15)


def test_alignment_mc_se_never_zero():
    """A change on the event itself: no continuous uniform draw is as close, so p is
    1/(B + 1) and the Monte Carlo error is that of one hit, not 0."""
    r = alignment_test(["2024-02-15"], ["2024-02-15"], window=("2024-01-01", "2024-04-10"),
                       draws=999, seed=0)
    assert r.statistic == 0.0 and r.p_value == 1 / 1000
    assert r.mc_se == pytest.approx(np.sqrt((1 / 999) * (998 / 999) / 999))


def test_alignment_discrete_candidates_exact():
    window = ("2024-01-01", "2024-04-10")
    cands = pd.date_range("2024-01-01", "2024-04-08", freq="7D")   # 15 weekly candidates
    r = alignment_test(["2024-01-29"], ["2024-01-30"], window=window, candidates=cands, draws=9999, seed=0)
    # candidates within 1 day of 01-30: only 01-29  -> p = 1/15
    assert r.statistic == 1.0
    assert abs(r.p_value - 1 / 15) < 4 * np.sqrt((1 / 15) * (14 / 15) / 9999) + 1e-4


def test_alignment_min_separation_exact_cases():
    # continuous window of 10 days, two changes at least 10 days apart: only {a, b} is possible
    r = alignment_test(["2024-01-01", "2024-01-11"], ["2024-01-01"], window=("2024-01-01", "2024-01-11"),
                       min_separation=10, draws=500, seed=1)
    assert np.allclose(r.null_distribution, 5.0) and r.p_value == 1.0
    # regular daily candidates, same constraint
    r = alignment_test(["2024-01-01", "2024-01-11"], ["2024-01-01"], window=("2024-01-01", "2024-01-11"),
                       candidates=pd.date_range("2024-01-01", "2024-01-11"), min_separation=10, draws=500)
    assert np.allclose(r.null_distribution, 5.0)
    # irregular candidates 0,1,2,5,10 with separation 8: pairs (0,10),(1,10),(2,10) -> means 5, 4.5, 4
    cands = pd.Timestamp("2024-01-01") + pd.to_timedelta([0, 1, 2, 5, 10], unit="D")
    r = alignment_test([cands[2], cands[4]], [cands[4]], window=(cands[0], cands[4]), candidates=cands,
                       min_separation=8, draws=6000, seed=2)
    assert set(np.round(r.null_distribution, 6)) == {4.0, 4.5, 5.0}
    assert abs(r.p_value - 1 / 3) < 4 * np.sqrt(2 / 9 / 6000)


def test_alignment_seeded_and_statistics():
    args = (["2024-02-01", "2024-05-01"], ["2024-01-28", "2024-04-20", "2024-07-22"])
    kw = dict(window=("2023-10-16", "2024-09-02"), draws=2000)
    a, b = alignment_test(*args, seed=5, **kw), alignment_test(*args, seed=5, **kw)
    assert a == b and np.array_equal(a.null_distribution, b.null_distribution)
    assert not np.array_equal(a.null_distribution, alignment_test(*args, seed=6, **kw).null_distribution)
    s = alignment_test(*args, seed=5, statistic="sum", **kw)
    assert s.statistic == 2 * a.statistic and np.allclose(s.null_distribution, 2 * a.null_distribution)
    assert a.statistic == pytest.approx((4 + 11) / 2)
    assert set(a.to_dict()) >= {"statistic", "p_value", "mc_se", "draws", "null"}


@pytest.mark.parametrize("kw,msg", [
    (dict(null="poisson"), "null"),
    (dict(statistic="max"), "statistic"),
    (dict(draws=0), "draws"),
    (dict(window=("2024-03-01", "2024-01-01")), "after its start"),
    (dict(window=("2024-02-01", "2024-03-01")), "inside window"),
])
def test_alignment_bad_arguments(kw, msg):
    base = dict(window=("2024-01-01", "2024-03-01"))
    base.update(kw)
    with pytest.raises(ValueError, match=msg):
        alignment_test(["2024-01-15"], ["2024-01-20"], **base)


def test_alignment_needs_events_in_window():
    with pytest.raises(ValueError, match="no event"):
        alignment_test(["2024-01-15"], ["2025-01-20"], window=("2024-01-01", "2024-03-01"))


# ----------------------------------------------------------------------- CLI hook
def test_attach_attribution(tmp_path, at_near_far):
    series, cpts, dates, events = at_near_far
    p = tmp_path / "events.csv"
    events.to_csv(p, index=False)
    labels = series.labels
    result = {"changepoints": [{"index": int(i), "time": labels[i]} for i in cpts]}
    out = attach_attribution(result, series, p, 14, 0)
    assert out is result
    assert [a["nearest_event"] for a in out["attribution"]] == ["AT", "NEAR", "FAR"]
    assert [a["lag_days"] for a in out["attribution"]] == [0, 3, 60]
    assert [a["index"] for a in out["attribution"]] == list(cpts)
    assert out["alignment"]["draws"] == 9999 and 0 < out["alignment"]["p_value"] <= 1
    empty = attach_attribution({"changepoints": []}, series, p, 14, 0)
    assert empty["attribution"] == [] and empty["alignment"]["p_value"] is None


@pytest.mark.parametrize("module", ["analysis.events.alignment", "analysis.events.catalogue",
                                    "analysis.events.attribution", "analysis.events.rates"])
def test_docstring_examples_run(module):
    import doctest
    import importlib

    res = doctest.testmod(importlib.import_module(module), optionflags=doctest.ELLIPSIS)
    assert res.attempted > 0 and res.failed == 0


# ------------------------------------------------------------------- properties
_days = st.integers(min_value=0, max_value=400)


@settings(max_examples=60, deadline=None)
@given(points=st.lists(_days, min_size=1, max_size=8), events=st.lists(_days, min_size=1, max_size=8))
def test_nearest_distance_and_lags_match_brute_force(points, events):
    ev = np.sort(np.asarray(events, float))
    brute = np.array([min(abs(p - e) for e in events) for p in points], float)
    assert np.array_equal(nearest_distance(np.asarray(points, float), ev), brute)
    base = pd.Timestamp("2023-01-01")
    frame = pd.DataFrame({"event_id": [f"E{i}" for i in range(len(events))],
                          "date": [base + pd.Timedelta(days=d) for d in events], "label": "x"})
    t = attribute_changes([base + pd.Timedelta(days=p) for p in points], frame, window_days=10)
    assert np.array_equal(t["distance_days"].to_numpy(float), brute)
    assert all(abs(l) == d for l, d in zip(t["lag_days"], brute))
    assert t["n_within"].tolist() == [sum(abs(p - e) <= 10 for e in events) for p in points]
