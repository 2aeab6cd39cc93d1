"""pandas-native inputs: a dated Series works wherever a CountSeries does, dates kept.

Known answers: the interval each index entry stands for (pandas' own ``to_period``
convention), and identical fits/segmentations from a Series and from the equivalent
CountSeries. Anything without dates is refused with a message saying what to pass.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import analysis as it
from analysis.schema import InputError
from analysis.series import CountSeries


def _weekly(n=40, seed=2):
    rng = np.random.default_rng(seed)
    y = np.r_[rng.poisson(2, n // 2), rng.poisson(8, n - n // 2)]
    return pd.Series(y, index=pd.date_range("2024-01-07", periods=n, freq="W"), name="attacks")


@pytest.mark.parametrize("freq, first, start, end, ours", [
    ("D", "2024-03-05", "2024-03-05", "2024-03-06", "D"),
    ("W", "2024-01-07", "2024-01-01", "2024-01-08", "W"),        # Sunday label: the week it ends
    ("W-MON", "2024-01-01", "2024-01-01", "2024-01-08", "W"),    # Monday label: the week it starts
    ("MS", "2024-02-01", "2024-02-01", "2024-03-01", "M"),
    ("ME", "2024-02-29", "2024-02-01", "2024-03-01", "M"),
    ("QS", "2024-04-01", "2024-04-01", "2024-07-01", "Q"),
    ("QE", "2024-06-30", "2024-04-01", "2024-07-01", "Q"),
    ("YS", "2024-01-01", "2024-01-01", "2025-01-01", "Y"),
])
def test_datetime_index_periods(freq, first, start, end, ours):
    idx = pd.date_range(first, periods=3, freq=freq)
    s = CountSeries.from_pandas(pd.Series([4, 0, 1], index=idx))
    assert s.freq == ours
    assert str(s.start[0].date()) == start and str(s.end[0].date()) == end
    assert s.counts.tolist() == [4.0, 0.0, 1.0]
    assert s.exposure[0] == (pd.Timestamp(end) - pd.Timestamp(start)).days


def test_period_index_and_order_and_name():
    idx = pd.PeriodIndex(["2024-03", "2024-01", "2024-02"], freq="M")
    s = CountSeries.from_pandas(pd.Series([3, 1, 2], index=idx, name="events"))
    assert s.labels == ["2024-01", "2024-02", "2024-03"]
    assert s.counts.tolist() == [1.0, 2.0, 3.0]
    assert s.attrs["name"] == "events"


def test_irregular_dates_need_freq():
    idx = pd.to_datetime(["2024-01-03", "2024-01-17", "2024-02-14"])   # weeks with any event
    with pytest.raises(InputError, match="irregular"):
        CountSeries.from_pandas(pd.Series([1, 2, 1], index=idx))
    s = CountSeries.from_pandas(pd.Series([1, 2, 1], index=idx), freq="W")
    assert [str(d.date()) for d in s.start] == ["2024-01-01", "2024-01-15", "2024-02-12"]


@pytest.mark.parametrize("obj, message", [
    (pd.Series([1, 2, 3]), "DatetimeIndex or PeriodIndex"),
    (pd.Series([1, np.nan, 3], index=pd.date_range("2024-01-01", periods=3)), "2024-01-02 is missing"),
    (pd.Series([1, "x", 3], index=pd.date_range("2024-01-01", periods=3)), "'x', not a number"),
    (pd.Series([1, 2, 3], index=pd.to_datetime(["2024-01-01"] * 3)), "irregular"),
    (pd.Series([1, 2], index=pd.PeriodIndex(["2024-01", "2024-01"], freq="M")), "more than once"),
    (pd.Series([1, 2, 3], index=pd.date_range("2024-01-06", periods=3, freq="W-SAT")), "PeriodIndex"),
    (pd.Series([1, 2, 3], index=pd.date_range("2024-01-01", periods=3, freq="2D")), "several units"),
])
def test_refused_with_a_message(obj, message):
    with pytest.raises(InputError, match=message):
        CountSeries.from_pandas(obj)


def test_a_frame_is_refused():
    with pytest.raises(InputError, match="not DataFrame"):
        CountSeries.from_pandas(pd.DataFrame({"count": [1, 2]}))
    with pytest.raises(TypeError, match="CountSeries or a pandas Series"):
        it.fit_counts([1, 2, 3])


def test_fit_counts_on_a_series_equals_the_countseries_fit():
    y = _weekly()
    half = len(y) // 2
    step = str(CountSeries.from_pandas(y).start[half].date())        # 2024-05-20, row 20
    a = it.fit_counts(y, events=[f"{step}:level"]).terms
    b = it.fit_counts(CountSeries.from_pandas(y), events=[f"{step}:level"]).terms
    pd.testing.assert_frame_equal(a, b)
    assert step == "2024-05-20" and a.loc[1, "name"] == f"level:{step}"
    # the step's rate ratio is the ratio of the two halves' means (saturated two-level model)
    assert a.loc[1, "rate_ratio"] == pytest.approx(y.iloc[half:].mean() / y.iloc[:half].mean(), rel=1e-8)


def test_searches_keep_the_dates():
    y = _weekly()
    seg = it.Pelt(cost="poisson", min_size=2).fit(y).predict(penalty="mbic")
    ref = it.Pelt(cost="poisson", min_size=2).fit(y.to_numpy()).predict(penalty="mbic")
    assert seg.changepoints == ref.changepoints
    (cp,) = seg.changepoints
    assert seg.times == (CountSeries.from_pandas(y).labels[cp],)
    assert seg.times[0].startswith("2024-W")
    post = it.BayesianChangepoints(p_change=0.02).fit(y)
    ref = it.BayesianChangepoints(p_change=0.02).fit(CountSeries.from_pandas(y))
    np.testing.assert_allclose(post.prob_change, ref.prob_change, rtol=0, atol=0)


def test_plain_series_refused_by_the_searches():
    with pytest.raises(InputError, match="to_numpy"):
        it.Pelt(cost="poisson").fit(pd.Series([1.0, 2.0, 3.0, 4.0]))


def test_countseries_and_from_counts_keep_the_dates_of_a_series():
    s = _weekly(6)
    for made in (CountSeries(s), CountSeries.from_counts(s)):
        assert made.freq == "W" and made.labels[0] == "2024-W01"
        assert str(made.start[0].date()) == "2024-01-01"
        assert made.counts.tolist() == s.to_numpy(float).tolist()
        assert made.attrs["name"] == "attacks"
    monthly = pd.Series([3, 1], index=pd.period_range("2023-11", periods=2, freq="M"))
    assert CountSeries(monthly).labels == CountSeries.from_counts(monthly).labels == ["2023-11", "2023-12"]
    backwards = CountSeries(s.iloc[::-1])                  # newest first, as many exports are
    assert backwards.labels == made.labels and backwards.counts.tolist() == made.counts.tolist()


@pytest.mark.parametrize("obj, message", [
    ([1, 2, 3], "not list"),
    (np.array([1, 2]), "not ndarray"),
    (pd.Series([1, 2, 3]), "DatetimeIndex or PeriodIndex"),
])
def test_countseries_refuses_what_has_no_dates(obj, message):
    with pytest.raises(InputError, match=message):
        CountSeries(obj)


def test_from_counts_refuses_a_second_placement_and_tables():
    with pytest.raises(InputError, match="already places"):
        CountSeries.from_counts(_weekly(4), start="2020-01-01")
    with pytest.raises(InputError, match="one-dimensional"):
        CountSeries.from_counts(pd.DataFrame({"count": [1, 2]}))
    # a plain sequence still starts where it is told (or on 1970-01-01)
    assert CountSeries.from_counts(pd.Series([1, 2])).labels == ["1970-01-01", "1970-01-02"]


def test_namespace_has_no_helper_names():
    assert not hasattr(it, "importlib") and not hasattr(it, "annotations")
    public = [n for n in dir(it) if not n.startswith("_")]
    import types
    leaked = [n for n in public if n not in it.__all__ and not isinstance(getattr(it, n), types.ModuleType)]
    assert leaked == []
