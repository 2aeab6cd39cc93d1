"""``monitor``/``incident-trends monitor`` on a seeded synthetic weekly series."""

import json

import numpy as np
import pytest

from analysis.cli import main
from analysis.monitor import glr_path, monitor
from analysis.series import CountSeries


@pytest.fixture()
def weekly(tmp_path):
    rng = np.random.default_rng(5)  # synthetic: rate 2 per week, then 5 from week 41
    s = CountSeries.from_counts(np.r_[rng.poisson(2, 40), rng.poisson(5, 12)], start="2023-01-02", freq="W")
    path = tmp_path / "s.csv"
    s.to_csv(path)
    return s, path


def test_monitor_uses_baseline_rate_times_period_exposure(weekly):
    s, _ = weekly
    out = monitor(s, baseline=("2023-01-02", "2023-07-03"), threshold=4.0)
    base = s.counts[:26]
    rate = base.sum() / 26
    assert out.attrs["rate"] == pytest.approx(rate)
    np.testing.assert_allclose(out["expected"], rate)
    stat, alarm, change, _ = glr_path(s.counts[26:], np.full(26, rate), threshold=4.0)
    np.testing.assert_allclose(out["statistic"], stat)
    assert out["alarm"].tolist() == alarm.tolist()
    assert out["p_changed"].iloc[-1] > 0.99


def test_cli_json_since_and_exit_codes(weekly, capsys):
    _, path = weekly
    rc = main(["monitor", str(path), "--baseline", "2023-01-02:2023-07-03", "--freq", "W", "--arl", "26",
               "--n-sim", "200", "--since", "2023-10-01", "--format", "json"])
    assert rc == 0
    res = json.loads(capsys.readouterr().out)
    assert res["rate_unit"] == "per week"
    assert all(p["start"] >= "2023-10-01" for p in res["periods"]) and len(res["periods"]) == 13
    assert res["arl"]["target"] == 26 and abs(res["arl"]["simulated"] - 26) < 26 * 0.5
    assert any(p["alarm"] for p in res["periods"])
    rc = main(["monitor", str(path), "--baseline", "2023-01-02:2025-01-01"])
    assert rc == 1 and "no period after the baseline" in capsys.readouterr().err


def test_zero_event_baseline_needs_a_threshold(tmp_path):
    s = CountSeries.from_counts([0, 0, 0, 0, 3], start="2024-01-01", freq="W")
    with pytest.raises(ValueError, match="has no events"):
        monitor(s, baseline=("2024-01-01", "2024-01-29"))
    out = monitor(s, baseline=("2024-01-01", "2024-01-29"), threshold=5.0)
    assert out["alarm"].tolist() == [True] and out["p_changed"].iloc[0] > 2 / 52  # hazard 1/52
