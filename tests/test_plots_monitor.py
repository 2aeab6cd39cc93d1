"""plot_monitor: the artists it draws carry the monitor frame's numbers (seeded synthetic series)."""

import numpy as np
import pandas as pd
import pytest

from analysis.monitor import monitor
from analysis.plots import plot_monitor
from analysis.plots._axes import to_num
from analysis.schema import InputError
from analysis.series import CountSeries

pytestmark = pytest.mark.usefixtures("close_figures")


@pytest.fixture(scope="module")
def result():
    rng = np.random.default_rng(5)  # synthetic: rate 2 per week, then 6 from week 31
    s = CountSeries.from_counts(np.r_[rng.poisson(2, 30), rng.poisson(6, 14)], start="2023-01-02", freq="W")
    return monitor(s, baseline=("2023-01-02", "2023-05-01"), threshold=4.0)


def _by_gid(ax, gid):
    return [a for a in ax.get_children() if a.get_gid() == gid]


def test_panels_carry_counts_statistic_threshold_alarms_and_probability(result):
    events = pd.DataFrame({"date": pd.to_datetime(["2023-08-01"]), "label": ["synthetic event"]})
    a_cnt, a_stat, a_prob = plot_monitor(result, events=events, show_run_length=True)
    n, alarms = len(result), result[result["alarm"]]
    assert len(alarms) >= 2
    bars = a_cnt.containers[0]
    assert len(bars) == n
    np.testing.assert_allclose([b.get_height() for b in bars], result["count"])
    (exp,) = _by_gid(a_cnt, "monitor-expected")
    np.testing.assert_allclose(exp.get_data().values, result["expected"])
    (pts,) = _by_gid(a_cnt, "monitor-alarms")
    mid = (to_num(alarms["start"]) + to_num(alarms["end"])) / 2
    np.testing.assert_allclose(pts.get_offsets()[:, 0], mid)
    np.testing.assert_allclose(pts.get_offsets()[:, 1], alarms["count"])
    (stat,) = _by_gid(a_stat, "monitor-statistic")
    np.testing.assert_allclose(stat.get_data().values, result["statistic"])
    (thr,) = _by_gid(a_stat, "monitor-threshold")
    np.testing.assert_allclose(thr.get_data().values, 4.0)
    (pc,) = _by_gid(a_prob, "monitor-p-changed")
    np.testing.assert_allclose(pc.get_data().values, result["p_changed"])
    assert len(_by_gid(a_prob, "monitor-run-length")) == 1
    for a in (a_cnt, a_stat, a_prob):  # one change line per alarm on every panel
        xs = sorted(line.get_xdata()[0] for line in _by_gid(a, "monitor-change"))
        np.testing.assert_allclose(xs, sorted(to_num(alarms["change_start"])))
    assert a_cnt.get_ylabel() == "count per week"
    assert (a_stat.get_ylabel(), a_prob.get_ylabel()) == ("GLR statistic", "P(rate changed)")
    labels = [t.get_text() for t in a_cnt.figure.findobj(lambda o: getattr(o, "get_gid", None)
                                                         and o.get_gid() == "event-label")]
    assert labels == ["synthetic event"]
    assert all(len(_by_gid(a, "event-marker")) == 1 for a in (a_cnt, a_stat, a_prob))
    legend = [t.get_text() for t in a_cnt.get_legend().get_texts()]
    assert {"count", "in-control mean", "alarm", "estimated change"} <= set(legend)


def test_draws_on_given_axes_and_refuses_bad_ones(result):
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(3, 1)
    out = plot_monitor(result, ax=axes)
    assert list(out) == list(axes)
    with pytest.raises(TypeError, match="three matplotlib Axes"):
        plot_monitor(result, ax=axes[0])
    with pytest.raises(InputError):
        plot_monitor(result.drop(columns="p_changed"))
