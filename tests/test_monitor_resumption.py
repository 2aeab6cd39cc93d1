"""resumption() on the bundled conflict series (the dates are the caller's, as in notebook 07)
and on a seeded synthetic one."""

import numpy as np
import pandas as pd
import pytest

from analysis.monitor import monitor, resumption
from analysis.series import CountSeries

CONTRAST = ("2023-10-16", "2024-02-05")
BASELINES = {"April (lull baseline)": ("2024-02-05", "2024-04-15"),
             "July (spring baseline)": ("2024-04-29", "2024-07-15")}


@pytest.fixture(scope="module")
def res():
    import warnings

    from analysis.datasets import load_case_study
    try:
        from analysis.datasets import case_study_series
    except ImportError:
        from analysis.casestudy import case_study_series
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = case_study_series()
    series = out[0] if isinstance(out, tuple) else getattr(out, "series", out)
    assert load_case_study() is not None
    return resumption(series, contrast=CONTRAST, baselines=BASELINES, at="2024-07-25", n_sim=300, seed=7)


def test_alarms_for_the_april_and_july_attacks(res):
    assert res["contrast"]["count"] == 170 and res["contrast"]["periods"] == 16
    al = res["alarms"].set_index("setting")
    a, j = al.loc["April (lull baseline)"], al.loc["July (spring baseline)"]
    assert a["baseline_events"] == 0 and j["baseline_events"] == 0
    assert a["in_control_rate"] == pytest.approx(0.5 / 10) and j["in_control_rate"] == pytest.approx(0.5 / 11)
    assert a["first_alarm_week"] == pd.Timestamp("2024-04-15") == a["estimated_change"]
    assert j["first_alarm_week"] == pd.Timestamp("2024-07-22")
    assert j["estimated_change"] == pd.Timestamp("2024-07-15")
    for r in (a, j):  # a single attack stays below the threshold: the attained ARL exceeds the target
        assert r["arl_attained"] >= 52 and r["arl_mc_se"] > 0


def test_resumption_probability_and_its_sensitivity(res):
    assert res["p_resumed_period"] == pd.Timestamp("2024-07-22")
    p = res["p_resumed_sensitivity"].set_index("new_regime_shape")
    assert res["p_resumed"]["July (spring baseline)"] == pytest.approx(p.loc[1.0, "July (spring baseline)"])
    assert 0.3 < res["p_resumed"]["July (spring baseline)"] < 0.6
    assert p["July (spring baseline)"].is_monotonic_decreasing  # a tighter contrast-like prior
    sens = res["sensitivity"]
    assert (sens["July (spring baseline): first alarm"] == pd.Timestamp("2024-07-22")).all()
    assert sens["April (lull baseline): rate"].is_monotonic_increasing
    assert any("Jeffreys" in n for n in res["notes"])


def test_synthetic_equals_monitor_and_refuses_an_empty_contrast():
    y = np.r_[np.full(8, 9), np.zeros(10), [2, 1], np.zeros(6), [1, 2, 0]]  # synthetic
    s = CountSeries.from_counts(y, start="2023-01-02", freq="W")
    base = ("2023-02-27", "2023-05-08")
    r = resumption(s, contrast=("2023-01-02", "2023-02-27"), baselines={"b": base}, at="2023-07-12",
                   n_sim=200, seed=1)
    m = monitor(s, baseline=base, rate_prior=(0.5, 0.0), n_sim=200, seed=1, change_prior=(1.0, 1 / 9.0))
    pd.testing.assert_frame_equal(r["runs"]["b"], m)
    week = m.index[(m["start"] <= "2023-07-12") & (m["end"] > "2023-07-12")][0]
    assert r["p_resumed"]["b"] == m.loc[week, "p_changed"]
    with pytest.raises(ValueError, match="contrast"):
        resumption(s, contrast=("2023-03-06", "2023-04-03"), baselines={"b": base}, at="2023-07-12")
    with pytest.raises(ValueError, match="not in the monitored periods"):
        resumption(s, contrast=("2023-01-02", "2023-02-27"), baselines={"b": base}, at="2022-01-01")
