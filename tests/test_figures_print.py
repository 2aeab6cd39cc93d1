"""The report's figures at their printed size: no text on text, no legend over data, no cut
label, and the artists a reader needs (axis labels, legend entries, event and change markers).

Drawn with the Agg renderer from a small synthetic report (labelled synthetic): the checks
compare the real text extents, so a label moved onto another fails.
"""

from __future__ import annotations

import re

import matplotlib
import numpy as np
import pandas as pd
import pytest

from analysis.report.build import MAX_LABEL_CHARS, MAX_TEXT_LABELS, compute, event_label_column, figures

matplotlib.use("Agg")
from matplotlib.text import Text  # noqa: E402

pytestmark = pytest.mark.usefixtures("close_figures")


def _spec(folder):
    rng = np.random.default_rng(21)
    # synthetic: about 6 reports a week for 10 weeks, then about 1.5
    days = np.r_[np.sort(rng.integers(0, 70, 60)), np.sort(rng.integers(70, 168, 21))]
    dates = (pd.Timestamp("2024-01-01") + pd.to_timedelta(days, unit="D")).strftime("%Y-%m-%d")
    pd.DataFrame({"report_id": [f"SYN{i}" for i in range(len(days))], "date": dates,
                  "country": "Synthetica", "location": [f"Place {i}" for i in range(len(days))],
                  "weapon": "rocket", "source": "synthetic"}).to_csv(folder / "reports.csv", index=False)
    pd.DataFrame({"event_id": ["E1", "E2", "E3", "E4"],
                  "date": ["2024-02-20", "2024-03-08", "2024-03-11", "2024-05-06"],
                  "end_date": ["", "2024-03-09", "", ""], "kind": ["strike", "talks", "statement", "strike"],
                  "label": ["Synthetic strike on the depot", "Synthetic two-day talks in the capital",
                            "Synthetic statement after the talks", "Synthetic second strike"],
                  "source_url": ["", "", "", ""]}).to_csv(folder / "events.csv", index=False)
    spec = folder / "spec.toml"
    spec.write_text('name = "synthetic-print"\ntitle = "Synthetic figures"\nseed = 3\n'
                    '[data]\nreports = ["reports.csv"]\nevents = "events.csv"\n'
                    '[series]\nfreq = "W"\n[model]\nfamily = "poisson"\n'
                    'events = ["2024-03-11:level", "2024-05-06:level"]\n'
                    '[changepoints]\nmin_size = 2\n[attribution]\ndraws = 99\n'
                    '[outputs]\nfigure_formats = ["png"]\ndpi = 150\n', encoding="utf-8")
    return spec


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    return compute(_spec(tmp_path_factory.mktemp("print")))


def _drawn_texts(fig):
    """Every text a reader sees, with its extent: tick labels only for ticks in view."""
    fig.canvas.draw()
    r = fig.canvas.get_renderer()
    ticks, shown = set(), []
    for ax in fig.axes + [c for a in fig.axes for c in a.child_axes]:
        for axis in (ax.xaxis, ax.yaxis):
            lo, hi = sorted(axis.get_view_interval())
            for tk in axis.get_major_ticks() + axis.get_minor_ticks():
                for lab in (tk.label1, tk.label2):
                    ticks.add(id(lab))
                    if lab.get_visible() and lab.get_text() and lo - 1e-9 <= tk.get_loc() <= hi + 1e-9:
                        shown.append(lab)
    shown += [t for t in fig.findobj(Text) if id(t) not in ticks and t.get_visible() and t.get_text().strip()
              and t.figure is not None]
    return [(t, t.get_window_extent(r)) for t in shown]


def _overlaps(boxes, tol=0.5):
    bad = []
    for i in range(len(boxes)):
        for j in range(i + 1, len(boxes)):
            (ta, a), (tb, b) = boxes[i], boxes[j]
            if min(a.x1, b.x1) - max(a.x0, b.x0) > tol and min(a.y1, b.y1) - max(a.y0, b.y0) > tol:
                bad.append((ta.get_text(), tb.get_text()))
    return bad


def _by_gid(ax, gid):
    return [a for a in ax.get_children() if a.get_gid() == gid]


@pytest.mark.parametrize("key", ["counts", "model_fit", "rate_ratios", "changepoints"])
def test_no_text_overlaps_none_is_cut_or_off_the_figure(data, key):
    fig = figures(data)[key]
    boxes = _drawn_texts(fig)
    assert len(boxes) >= 8
    assert _overlaps(boxes) == []
    fb = fig.bbox
    for t, b in boxes:
        assert fb.x0 - 1 <= b.x0 and b.x1 <= fb.x1 + 1 and fb.y0 - 1 <= b.y0 and b.y1 <= fb.y1 + 1, t.get_text()
        assert not t.get_text().endswith("\u2026"), t.get_text()  # no label cut short


def test_changepoint_figure_one_legend_under_the_panels_with_every_mark(data):
    fig = figures(data)["changepoints"]
    top, bot = [a for a in fig.axes if a.get_label() != "event-track"][:2]
    fig.canvas.draw()
    r = fig.canvas.get_renderer()
    assert top.get_legend() is None
    leg = bot.get_legend()
    labels = [t.get_text() for t in leg.get_texts()]
    assert labels == ["rate interval (95% CI)", "segment rate", "change (segment boundary)",
                      "P(change) at the period's start", "listed event", "event with an end date"]
    lb = leg.get_window_extent(r)
    for ax in (top, bot):  # over no panel, so over no data and no event line
        assert not lb.overlaps(ax.bbox)
    assert lb.y1 <= bot.xaxis.get_tightbbox(r).y0 + 0.5  # under the tick labels and the axis label
    assert bot.get_xlabel() == "ISO week (Monday to Sunday)" and top.get_ylabel() == "count per week"
    assert bot.get_ylabel() == "P(change)"
    n_changes = data.segmentation.n_changes
    assert n_changes >= 1 and len(_by_gid(top, "change-marker")) == n_changes
    n_events = 4
    assert len(_by_gid(top, "event-marker")) == n_events and len(_by_gid(bot, "event-marker")) == n_events
    labels = sorted(t.get_text() for t in fig.findobj(Text) if t.get_gid() == "event-label" and t.get_visible())
    assert labels == sorted(data.events["label"])  # names, drawn whole (all within MAX_LABEL_CHARS)
    assert len(_by_gid(bot, "change-probability")) == 1


def test_counts_fit_and_rate_ratio_figures_name_their_axes_and_marks(data):
    figs = figures(data)
    ax = figs["counts"].axes[0]
    assert ax.get_xlabel() == "ISO week (Monday to Sunday)" and ax.get_ylabel() == "count per week"
    assert len(_by_gid(ax, "event-marker")) == 4 and len(_by_gid(ax, "event-span")) == 1
    ax = figs["model_fit"].axes[0]
    assert ax.get_xlabel() and ax.get_ylabel() == "count per week"
    leg = [t.get_text() for t in ax.get_legend().get_texts()]
    assert {"observed", "fitted mean (95% CI)"} <= set(leg)
    assert len(_by_gid(ax, "event-marker")) == 2  # the dates of the two event terms
    ax = figs["rate_ratios"].axes[0]
    assert ax.get_xlabel() == "rate ratio (log scale)"
    (ref,) = _by_gid(ax, "reference")
    assert ref.get_xdata()[0] == 1.0
    values = [t.get_text() for t in ax.texts if t.get_gid() == "forest-values"]
    assert values[0] == "RR (95% CI)" and len(values) == 3
    ticks = [t.get_text() for t in ax.get_yticklabels()]
    assert ticks == ["step at 11 Mar 2024 (E3)", "step at 6 May 2024 (E4)"]


def test_events_by_id_when_many_or_long_else_whole_names():
    def ev(labels):
        return pd.DataFrame({"event_id": [f"E{k}" for k in range(len(labels))], "label": labels})

    assert event_label_column(ev(["short"] * MAX_TEXT_LABELS)) is True
    assert event_label_column(ev(["short"] * (MAX_TEXT_LABELS + 1))) == "event_id"
    assert event_label_column(ev(["x" * MAX_LABEL_CHARS, "short"])) is True
    assert event_label_column(ev(["x" * (MAX_LABEL_CHARS + 1), "short"])) == "event_id"
    assert event_label_column(ev([])) is True and event_label_column(None) is True


def test_monitor_figure_names_its_axis_and_keeps_text_apart():
    from analysis.monitor import monitor
    from analysis.plots import plot_monitor
    from analysis.series import CountSeries

    rng = np.random.default_rng(5)  # synthetic: rate 2 per week, then 6 from week 31
    s = CountSeries.from_counts(np.r_[rng.poisson(2, 30), rng.poisson(6, 14)], start="2023-01-02", freq="W")
    res = monitor(s, baseline=("2023-01-02", "2023-05-01"), threshold=4.0)
    events = pd.DataFrame({"date": pd.to_datetime(["2023-08-01", "2023-08-04", "2023-09-18"]),
                           "label": ["E1", "E2", "E3"]})
    a_cnt, a_stat, a_prob = plot_monitor(res, events=events)
    fig = a_cnt.figure
    assert a_prob.get_xlabel() == "week (bars span Monday to Sunday)"
    assert a_cnt.get_xlabel() == "" and a_stat.get_xlabel() == ""
    assert _overlaps(_drawn_texts(fig)) == []
    a_cnt, _, a_prob = plot_monitor(res, xlabel=None)
    assert a_prob.get_xlabel() == ""


def test_day_tick_labels_have_no_leading_zero():
    from analysis import CountSeries, plots

    s = CountSeries.from_counts([3, 1, 4, 1, 5, 9], start="2024-07-01", freq="W")
    ax = plots.plot_counts(s)
    ax.figure.canvas.draw()
    labels = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    assert not [lab for lab in labels if re.match(r"^0\d", lab)], labels
    assert labels.count("8") == 2  # 8 July and 8 August, written without a zero
