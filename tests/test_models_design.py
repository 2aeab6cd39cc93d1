"""Design matrices: fractional event coding, trend, seasonality, and bad designs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from analysis import CountSeries, ModelError, ModelWarning
from analysis.models import EventTerm, build_design, parse_event
from analysis.models.design import check_rank


def monthly(n=6, start="2024-01"):
    return CountSeries.from_counts(np.arange(1, n + 1), start=start, freq="M")


# --------------------------------------------------------------------- parsing
@pytest.mark.parametrize("spec,kind,lag", [
    ("2024-01-28", "level", 0), ("2024-01-28:slope", "slope", 0), ("2024-01-28:pulse+2", "pulse", 2),
    ("2024-01-28:level+slope", "level+slope", 0), ("2024-01-28:level+slope+1", "level+slope", 1),
    ("2024-01-28+3", "level", 3),
])
def test_parse_event(spec, kind, lag):
    e = parse_event(spec)
    assert (e.date, e.kind, e.lag) == (pd.Timestamp("2024-01-28"), kind, lag)


@pytest.mark.parametrize("bad,match", [("2024-01-28:step", "cannot read event"), ("notadate", "date"),
                                       ("2024-01-28:level+x", "cannot read event")])
def test_parse_event_rejects(bad, match):
    with pytest.raises(ValueError, match=match):
        parse_event(bad)


def test_event_term_names():
    assert EventTerm("2024-01-28", "level+slope").term_names == ("level:2024-01-28", "slope:2024-01-28")
    assert EventTerm("2024-01-28", "pulse", lag=2).term_names == ("pulse:2024-01-28+2",)
    assert EventTerm("2024-01-28", name="tower22").term_names == ("level:tower22",)
    with pytest.raises(ValueError, match="kind"):
        EventTerm("2024-01-28", "ramp")
    with pytest.raises(ValueError, match="lag"):
        EventTerm("2024-01-28", lag=-1)


# --------------------------------------------------------------------- fractional coding
def test_monthly_mid_month_event_exact_columns():
    # 2024-03-16: March has 31 days, 16 of them (16th..31st) on or after the event
    s = monthly(6)
    d = build_design(s, trend=True, events=["2024-03-16:level+slope", "2024-03-16:pulse",
                                            EventTerm("2024-03-16", "level", lag=1)])
    X = d.exog
    f = 16 / 31
    assert list(X.columns) == ["intercept", "trend", "level:2024-03-16", "slope:2024-03-16",
                               "pulse:2024-03-16", "level:2024-03-16+1"]
    assert_allclose(X["trend"], [1, 2, 3, 4, 5, 6])
    assert_allclose(X["level:2024-03-16"], [0, 0, f, 1, 1, 1], rtol=0, atol=1e-15)
    # slope from 1 (default): evaluated at the row end, the event row gets its level fraction
    assert_allclose(X["slope:2024-03-16"], [0, 0, f, 1 + f, 2 + f, 3 + f], rtol=0, atol=1e-15)
    assert_allclose(X["pulse:2024-03-16"], [0, 0, f, 1 - f, 0, 0], rtol=0, atol=1e-15)
    assert_allclose(X["level:2024-03-16+1"], [0, 0, 0, f, 1, 1], rtol=0, atol=1e-15)
    assert d.time_unit == "period"
    assert d.event_columns["2024-03-16"] == ("level:2024-03-16", "slope:2024-03-16", "pulse:2024-03-16")
    assert d.event_columns["2024-03-16+1"] == ("level:2024-03-16+1",)


def test_event_on_period_start_is_textbook_coding():
    """R: post = time > 3, I(time - 3):post, time == 4 (the ban of Lopez Bernal et al.)."""
    d = build_design(monthly(6), trend=True, events=["2024-04-01:level+slope", "2024-04-01:pulse"])
    time = np.arange(1, 7)
    post = (time > 3).astype(float)
    assert_allclose(d.exog["trend"], time)
    assert_allclose(d.exog["level:2024-04-01"], post)
    assert_allclose(d.exog["slope:2024-04-01"], (time - 3) * post)  # [0, 0, 0, 1, 2, 3]
    assert_allclose(d.exog["pulse:2024-04-01"], (time == 4).astype(float))
    d0 = build_design(monthly(6), trend=True, events=["2024-04-01:level+slope"], slope_start=0)
    assert_allclose(d0.exog["slope:2024-04-01"], (time - 4) * post)  # [0, 0, 0, 0, 1, 2]
    with pytest.raises(ValueError, match="slope_start must be 1 or 0"):
        build_design(monthly(6), events=["2024-04-01:slope"], slope_start=2)


def test_weekly_and_daily_fractions():
    w = CountSeries.from_counts(np.ones(4), start="2024-01-01", freq="W")  # Mondays
    X = build_design(w, events=["2024-01-10"]).exog  # Wednesday of week 2
    assert_allclose(X["level:2024-01-10"], [0, 5 / 7, 1, 1])
    dly = CountSeries.from_counts(np.ones(5), start="2024-01-08", freq="D")
    X = build_design(dly, trend=True, events=["2024-01-10:level+slope"]).exog
    assert_allclose(X["level:2024-01-10"], [0, 0, 1, 1, 1])
    assert_allclose(X["slope:2024-01-10"], [0, 0, 1, 2, 3])
    assert_allclose(X["trend"], [1, 2, 3, 4, 5])


def test_irregular_series_uses_days():
    df = pd.DataFrame({"start": ["2023-10-17", "2023-11-14", "2023-12-01"],
                       "end": ["2023-11-14", "2023-12-01", "2024-01-01"], "count": [55, 20, 40]})
    s = CountSeries(df, freq=None)
    d = build_design(s, trend=True, events=["2023-11-20:level+slope"])
    X = d.exog
    assert d.time_unit == "day"
    # midpoints: 14, 28 + 8.5, 45 + 15.5 days after 2023-10-17
    assert_allclose(X["trend"], [14.0, 36.5, 60.5])
    assert_allclose(X["level:2023-11-20"], [0, 11 / 17, 1])
    # ramp in days averaged over each interval: (b^2 - a^2) / (2 * length)
    assert_allclose(X["slope:2023-11-20"], [0, 121 / 34, (42 ** 2 - 11 ** 2) / 62])


def test_fourier_is_r_harmonic_of_the_period_index():
    """fourier:K = sin(2 pi k month / 12), cos(...): R's harmonic(month, K, 12)."""
    s = CountSeries.from_counts(np.ones(30), start="2023-01", freq="M")
    X = build_design(s, seasonality="fourier:2").exog
    month = (np.arange(30) % 12) + 1
    assert list(X.columns) == ["intercept", "sin1", "cos1", "sin2", "cos2"]
    for k in (1, 2):
        assert_allclose(X[f"sin{k}"], np.sin(2 * np.pi * k * month / 12), atol=1e-13)
        assert_allclose(X[f"cos{k}"], np.cos(2 * np.pi * k * month / 12), atol=1e-13)
    # a series starting in April: still the calendar month, so a sub-series gives the same rows
    late = CountSeries.from_counts(np.ones(27), start="2023-04", freq="M")
    assert_allclose(build_design(late, seasonality="fourier:2").exog.to_numpy(), X.to_numpy()[3:], atol=1e-13)
    # weekly: the week number 1..n with period 52.18; quarterly: the quarter with period 4
    w = CountSeries.from_counts(np.ones(60), start="2024-01-01", freq="W")
    Xw = build_design(w, seasonality="fourier:1").exog
    assert_allclose(Xw["sin1"], np.sin(2 * np.pi * np.arange(1, 61) / 52.18), atol=1e-13)
    Xp = build_design(w, seasonality="fourier:1:52").exog
    assert_allclose(Xp["cos1"], np.cos(2 * np.pi * np.arange(1, 61) / 52), atol=1e-13)
    q = CountSeries.from_counts(np.ones(8), start="2023-07-01", freq="Q")
    Xq = build_design(q, seasonality="fourier:1").exog
    assert_allclose(Xq["sin1"], np.sin(2 * np.pi * np.array([3, 4, 5, 6, 7, 8, 9, 10]) / 4), atol=1e-13)
    with pytest.raises(ValueError, match="must be below 6"):
        build_design(s, seasonality="fourier:6")


def test_harmonic_is_tsmodel_frequencies():
    """tsModel::harmonic(x, K, P) uses frequencies 1, 2, 4, ..., 2^(K-1)."""
    s = CountSeries.from_counts(np.ones(40), start="2024-01-01", freq="W")
    X = build_design(s, seasonality="harmonic:3").exog
    assert list(X.columns) == ["intercept", "sin1", "cos1", "sin2", "cos2", "sin4", "cos4"]
    t = np.arange(1, 41)
    assert_allclose(X["sin4"], np.sin(2 * np.pi * 4 * t / 52.18), atol=1e-13)
    assert_allclose(build_design(s, seasonality="harmonic:2").exog.to_numpy(),
                    build_design(s, seasonality="fourier:2").exog.to_numpy())


def test_fourier_year_uses_calendar_phase_at_midpoint():
    s = CountSeries.from_counts(np.ones(24), start="2023-01", freq="M")
    X = build_design(s, seasonality="fourier-year:2").exog
    mid = (s.start + (s.end - s.start) / 2 - pd.Timestamp("2000-01-01")) / pd.Timedelta(days=1)
    ph = 2 * np.pi * np.asarray(mid) / 365.2425
    assert list(X.columns) == ["intercept", "sin1_year", "cos1_year", "sin2_year", "cos2_year"]
    assert_allclose(X["sin1_year"], np.sin(ph))
    assert_allclose(X["cos2_year"], np.cos(2 * ph))
    with pytest.raises(ValueError, match="K must be below 6"):
        build_design(s, seasonality="fourier-year:6")
    with pytest.raises(ValueError, match="seasonality"):
        build_design(s, seasonality="weekly")


def test_calendar_month_shares():
    m = build_design(monthly(14, "2023-01"), seasonality="calendar").exog
    assert [c for c in m.columns if c.startswith("month_")] == [f"month_{k:02d}" for k in range(2, 13)]
    assert_allclose(m["month_02"], [0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1])
    # a week that straddles January/February: 3 of its 7 days are in February
    w = CountSeries.from_counts(np.ones(3), start="2024-01-22", freq="W")
    X = build_design(w, seasonality="calendar").exog
    assert list(X.columns) == ["intercept", "month_02"]
    assert_allclose(X["month_02"], [0, 4 / 7, 1])
    q = CountSeries.from_counts(np.ones(8), start="2023-01-01", freq="Q")
    assert list(build_design(q, seasonality="calendar").exog.columns) == [
        "intercept", "quarter_2", "quarter_3", "quarter_4"]


# --------------------------------------------------------------------- bad designs
def test_event_outside_series():
    with pytest.raises(ModelError, match="outside the series"):
        build_design(monthly(), events=["2025-01-01"])
    with pytest.warns(ModelWarning, match="left out"):
        d = build_design(monthly(), events=["2019-05-01", "2024-03-16"], events_outside="drop")
    assert d.names == ["intercept", "level:2024-03-16"]


def test_duplicate_event_is_an_error():
    with pytest.raises(ModelError, match="given twice"):
        build_design(monthly(), events=["2024-03-16", "2024-03-16:level"])


def test_collinear_terms_named():
    X = build_design(monthly(), events=["2024-03-01", "2024-03-01:pulse", "2024-04-01:pulse"]).exog
    check_rank(X)  # level, pulse(3), pulse(4) are independent
    X = build_design(monthly(), events=["2024-01-01"]).exog  # step from the first row = intercept
    with pytest.raises(ModelError, match=r"'level:2024-01-01' is collinear with \['intercept'\]"):
        check_rank(X)
    X = build_design(monthly(), events=["2024-05-01", "2024-05-01:pulse", "2024-06-01"]).exog
    # level(May) - pulse(May) = level(June)
    with pytest.raises(ModelError, match="'level:2024-06-01' is collinear with"):
        check_rank(X)


def test_too_short_and_all_zero_columns():
    X = build_design(monthly(3), trend=True, seasonality="calendar").exog
    with pytest.raises(ModelError, match="3 rows but the model has 4 terms"):
        check_rank(X)
    X = build_design(monthly(6), events=[EventTerm("2024-05-01", lag=3)]).exog
    with pytest.raises(ModelError, match="zero on every row"):
        check_rank(X)


def test_slope_uses_dates_across_gaps():
    # a monthly series with March missing: the ramp still counts calendar months
    df = pd.DataFrame({"start": ["2024-01-01", "2024-02-01", "2024-04-01", "2024-05-01"],
                       "end": ["2024-02-01", "2024-03-01", "2024-05-01", "2024-06-01"],
                       "count": [1, 2, 3, 4]})
    X = build_design(CountSeries(df, freq="M"), trend=True, events=["2024-02-15:level+slope"]).exog
    f = 15 / 29  # 2024 is a leap year: 15 of February's 29 days are on or after the 15th
    assert_allclose(X["trend"], [1, 2, 4, 5])
    assert_allclose(X["level:2024-02-15"], [0, f, 1, 1])
    assert_allclose(X["slope:2024-02-15"], [0, f, 2 + f, 3 + f])


def test_lags_shift_every_kind_by_whole_rows():
    s = monthly(7)
    f = 16 / 31
    X = build_design(s, events=["2024-03-16:level+slope+2", "2024-03-16:pulse+1"]).exog
    assert_allclose(X["level:2024-03-16+2"], [0, 0, 0, 0, f, 1, 1], rtol=0, atol=1e-15)
    assert_allclose(X["slope:2024-03-16+2"], [0, 0, 0, 0, f, 1 + f, 2 + f], rtol=0, atol=1e-15)
    assert_allclose(X["pulse:2024-03-16+1"], [0, 0, 0, f, 1 - f, 0, 0], rtol=0, atol=1e-15)
    # a lag is in rows of the series, so on a weekly series +1 is one week
    w = CountSeries.from_counts(np.ones(5), start="2024-01-01", freq="W")
    Xw = build_design(w, events=["2024-01-10+1"]).exog
    assert_allclose(Xw["level:2024-01-10+1"], [0, 0, 5 / 7, 1, 1])
