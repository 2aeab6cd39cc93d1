"""The monitoring case study (bundled data): alarm weeks, calibration and the resumption probability."""

import pandas as pd
import pytest

from analysis.monitor.case import monitoring_case_study


@pytest.fixture(scope="module")
def cs():
    return monitoring_case_study(n_sim=300, seed=7)


def test_alarms_for_the_april_and_july_attacks(cs):
    al = cs["alarms"].set_index("setting")
    assert cs["winter"]["count"] == 170 and cs["winter"]["weeks"] == 16
    a, j = al.loc["April (lull baseline)"], al.loc["July (spring baseline)"]
    assert a["baseline_events"] == 0 and j["baseline_events"] == 0
    assert a["in_control_rate"] == pytest.approx(0.5 / 10) and j["in_control_rate"] == pytest.approx(0.5 / 11)
    assert a["first_alarm_week"] == pd.Timestamp("2024-04-15") == a["estimated_change"]
    assert j["first_alarm_week"] == pd.Timestamp("2024-07-22")
    assert j["estimated_change"] == pd.Timestamp("2024-07-15")
    for r in (a, j):  # a single attack stays below the threshold: the attained ARL exceeds the target
        assert r["arl_attained"] >= 52 and r["arl_mc_se"] > 0


def test_resumption_probability_and_its_sensitivity(cs):
    assert cs["p_resumed_week"] == pd.Timestamp("2024-07-22")
    p = cs["p_resumed_sensitivity"].set_index("new_regime_shape")
    assert cs["p_resumed"] == pytest.approx(p.loc[1.0, "July (spring baseline)"])
    assert 0.3 < cs["p_resumed"] < 0.6
    assert p["July (spring baseline)"].is_monotonic_decreasing  # a tighter winter-like prior
    sens = cs["sensitivity"]
    assert (sens["July: first alarm"] == pd.Timestamp("2024-07-22")).all()
    assert sens["April: rate"].is_monotonic_increasing
    assert len(cs["caveats"]) >= 4 and "incident list" in cs["caveats"][0]
