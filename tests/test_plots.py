"""Plots: artists, not pixels (Agg backend; every test closes its figures)."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import xml.etree.ElementTree as ET

import matplotlib
import matplotlib.dates as mdates
import numpy as np
import pandas as pd
import pytest

from analysis import CountSeries, plots
from analysis.plots.tallies import tally_bounds
from analysis.schema import InputError
from analysis.synthetic import nb_level_change, piecewise_poisson

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

pytestmark = pytest.mark.usefixtures("close_figures")

HTML_LABEL = "<script>alert('x')</script> & \"quoted\" <b>bold</b> costs $5 and $6"


@pytest.fixture(scope="module")
def weekly():
    s, truth = nb_level_change(n=40, change_at=20, base_rate=8.0, seed=11)
    return s, truth


def _close_events(n=6, days=10, start="2020-03-02"):
    dates = pd.Timestamp(start) + pd.to_timedelta(np.linspace(0, days - 1, n).round(), unit="D")
    return pd.DataFrame({"date": dates,
                         "label": [f"Event number {k + 1} with a longer label" for k in range(n)]})


def _label_boxes(fig):
    fig.canvas.draw()
    texts = [t for t in fig.findobj(matplotlib.text.Text)
             if t.get_gid() == "event-label" and t.get_visible()]
    r = fig.canvas.get_renderer()
    return texts, [t.get_window_extent(r) for t in texts]


def _assert_no_overlap(boxes):
    for i in range(len(boxes)):
        for j in range(i + 1, len(boxes)):
            a, b = boxes[i], boxes[j]
            overlap = min(a.x1, b.x1) - max(a.x0, b.x0) > 0 and min(a.y1, b.y1) - max(a.y0, b.y0) > 0
            assert not overlap, (i, j, a, b)


# --------------------------------------------------------------------------- counts
def test_counts_bars_match_series(weekly):
    s, _ = weekly
    ax = plots.plot_counts(s)
    bars = ax.containers[0]
    assert len(bars) == s.n
    np.testing.assert_allclose([b.get_height() for b in bars], s.counts)
    np.testing.assert_allclose([b.get_x() for b in bars], mdates.date2num(s.start.to_numpy()))
    np.testing.assert_allclose([b.get_width() for b in bars], 7.0)
    assert ax.get_xlim() == pytest.approx((mdates.date2num(s.start[0]), mdates.date2num(s.end[-1])))


def test_counts_step_irregular_gap_and_bounds():
    d = pd.DataFrame({"start": pd.to_datetime(["2024-01-01", "2024-01-08", "2024-02-01"]),
                      "end": pd.to_datetime(["2024-01-08", "2024-01-15", "2024-02-10"]),
                      "count": [3.0, np.nan, 5.0], "lower": [np.nan, 4.0, np.nan],
                      "upper": [np.nan, np.inf, np.nan]})
    s = CountSeries(d)
    ax = plots.plot_counts(s, kind="step", label="incidents")
    (steps,) = [p for p in ax.patches if type(p).__name__ == "StepPatch"]
    vals = steps.get_data().values
    # a NaN value fills the unobserved gap between Jan 15 and Feb 1
    assert vals[0] == 3 and np.isnan(vals[1]) and np.isnan(vals[2]) and vals[3] == 5
    tri = [c for c in ax.collections if c.get_label() == "at least (lower bound)"]
    assert len(tri) == 1
    x, y = tri[0].get_offsets()[0]
    assert y == 4.0 and x == pytest.approx(mdates.date2num(pd.Timestamp("2024-01-11 12:00")))


def test_counts_censored_bar_has_zero_height(weekly):
    s, _ = weekly
    d = s.data.copy()
    d.loc[3, ["count", "lower", "upper"]] = [np.nan, 2.0, 9.0]
    ax = plots.plot_counts(CountSeries(d, freq="W"))
    assert ax.containers[0][3].get_height() == 0
    (iv,) = [c for c in ax.collections if c.get_label() == "bounds (censored)"]
    (seg,) = iv.get_segments()
    assert sorted(seg[:, 1]) == [2.0, 9.0]


def test_counts_rejects_groups_and_bad_kind(weekly):
    s, _ = weekly
    with pytest.raises(ValueError, match="kind"):
        plots.plot_counts(s, kind="line")
    g = CountSeries(s.data.assign(country="A"), freq="W", groups=("country",))
    with pytest.raises(ValueError, match="plot_panel"):
        plots.plot_counts(g)


# --------------------------------------------------------------------------- events
def test_six_close_event_labels_do_not_overlap(weekly):
    s, _ = weekly
    ax = plots.plot_counts(s)
    plots.plot_events(_close_events(6, 10), ax=ax)
    fig = ax.figure
    texts, boxes = _label_boxes(fig)
    assert len(texts) == 6
    _assert_no_overlap(boxes)
    fb = fig.bbox
    for b in boxes:  # nothing clipped by the figure edge
        assert b.x0 >= fb.x0 - 0.5 and b.x1 <= fb.x1 + 0.5 and b.y1 <= fb.y1 + 0.5
    # the layout is redone when the figure changes size
    fig.set_size_inches(5, 3)
    _, boxes = _label_boxes(fig)
    _assert_no_overlap(boxes)


def test_dense_events_use_upright_labels_without_overlap(weekly):
    s, _ = weekly
    ax = plots.plot_counts(s)
    dates = pd.date_range(s.start[2], periods=25, freq="2D")
    ev = pd.DataFrame({"date": dates, "label": [f"Rather long event label {k}" for k in range(25)]})
    plots.plot_events(ev, ax=ax)
    texts, boxes = _label_boxes(ax.figure)
    assert len(texts) == 25
    _assert_no_overlap(boxes)
    assert {t.get_rotation() for t in texts} == {90.0}
    # each leader starts at its event's date on the top edge of the axes
    leaders = [ln for ln in ax.figure.findobj(matplotlib.lines.Line2D) if ln.get_gid() == "event-leader"]
    xs = sorted(ln.get_xdata()[0] for ln in leaders)
    expect = sorted(ax.transData.transform(np.c_[mdates.date2num(dates.to_numpy()), np.zeros(25)])[:, 0])
    np.testing.assert_allclose(xs, expect, atol=1e-6)


def test_events_spans_truncation_and_clipping(weekly):
    s, _ = weekly
    ax = plots.plot_counts(s)
    xlim = ax.get_xlim()
    ev = pd.DataFrame({"date": pd.to_datetime(["2020-02-03", "2019-01-01", "2020-03-02"]),
                       "end_date": pd.to_datetime(["2020-02-09", pd.NaT, pd.NaT]),
                       "label": ["Truce", "Before the window", "x" * 50]})
    plots.plot_events(ev, ax=ax, max_label_chars=12)
    assert ax.get_xlim() == xlim  # events outside the data are skipped, range kept
    spans = [p for p in ax.patches if p.get_gid() == "event-span"]
    assert len(spans) == 1
    x = spans[0].get_path().vertices[:, 0]
    tx = spans[0].get_transform().transform(spans[0].get_path().vertices)[:, 0]
    lo, hi = ax.transData.transform([[mdates.date2num(pd.Timestamp("2020-02-03")), 0],
                                     [mdates.date2num(pd.Timestamp("2020-02-10")), 0]])[:, 0]
    assert tx.min() == pytest.approx(lo) and tx.max() == pytest.approx(hi), x
    labels = sorted(t.get_text() for t in ax.figure.findobj(matplotlib.text.Text)
                    if t.get_gid() == "event-label")
    assert labels == ["Truce", "x" * 11 + "\u2026"]
    assert len([ln for ln in ax.lines if ln.get_gid() == "event-marker"]) == 2


def test_events_need_columns():
    with pytest.raises(InputError, match="label"):
        plots.plot_events(pd.DataFrame({"date": ["2024-01-01"]}))


# --------------------------------------------------------------------------- fits
def _pred(n=30, change=15):
    start = pd.date_range("2024-01-01", periods=n, freq="7D")
    mean = np.where(np.arange(n) >= change, 4.0, 8.0)
    cf = np.full(n, 8.0)
    return pd.DataFrame({"start": start, "end": start + pd.Timedelta(days=7),
                         "observed": mean + np.sin(np.arange(n)), "mean": mean,
                         "ci_low": mean * 0.8, "ci_high": mean * 1.25,
                         "cf_mean": cf, "cf_low": cf * 0.8, "cf_high": cf * 1.25})


def test_fit_counterfactual_starts_at_the_event_and_legend_off_data():
    p = _pred()
    ax = plots.plot_fit(p)
    (cf_line,) = [ln for ln in ax.lines if ln.get_label().startswith("counterfactual")]
    mid = mdates.date2num((p["start"] + pd.Timedelta(days=3.5)).to_numpy())
    np.testing.assert_allclose(cf_line.get_xdata(), mid[14:])
    np.testing.assert_allclose(cf_line.get_ydata(), 8.0)
    (fit_line,) = [ln for ln in ax.lines if ln.get_label().startswith("fitted mean (95% CI)")]
    np.testing.assert_allclose(fit_line.get_ydata(), p["mean"])
    fig = ax.figure
    fig.canvas.draw()
    leg = ax.get_legend().get_window_extent()
    pts = ax.transData.transform(np.c_[mid, p["observed"]])
    inside = (pts[:, 0] > leg.x0) & (pts[:, 0] < leg.x1) & (pts[:, 1] > leg.y0) & (pts[:, 1] < leg.y1)
    assert not inside.any()


# --------------------------------------------------------------------------- changepoints
def test_segments_per_bin_from_labels_and_from_series():
    s, _ = piecewise_poisson((2.0, 9.0), (10, 10), freq="W", start="2024-01-01", seed=2)
    seg = pd.DataFrame({"start": [0, 10], "end": [10, 20], "n": [10, 10], "exposure": [70.0, 70.0],
                        "rate": [2 / 7, 9 / 7], "ci_low": [1 / 7, 7 / 7], "ci_high": [3 / 7, 11 / 7],
                        "time_start": ["2024-W01", "2024-W11"], "time_end": ["2024-W10", "2024-W20"]})
    ax = plots.plot_segments(seg)
    rates = [ln for ln in ax.lines if ln.get_gid() != "change-marker"]
    np.testing.assert_allclose([ln.get_ydata()[0] for ln in rates], [2.0, 9.0])
    x0, x1 = rates[1].get_xdata()
    assert mdates.num2date(x0).date() == pd.Timestamp("2024-03-11").date()
    assert mdates.num2date(x1).date() == pd.Timestamp("2024-05-20").date()  # end of W20, exclusive
    ax2 = plots.plot_segments(seg.drop(columns=["time_start", "time_end"]), series=s, per=7)
    rates2 = [ln for ln in ax2.lines if ln.get_gid() != "change-marker"]
    np.testing.assert_allclose(rates2[1].get_xdata(), (x0, x1))
    np.testing.assert_allclose([ln.get_ydata()[0] for ln in rates2], [2.0, 9.0])
    changes = [ln for ln in ax.lines if ln.get_gid() == "change-marker"]
    assert [ln.get_xdata()[0] for ln in changes] == [x0]
    with pytest.raises(ValueError, match="per"):
        plots.plot_segments(seg, per="week")


def test_change_probability_and_stacked_axes(weekly):
    s, _ = weekly
    prob = np.linspace(0, 1, s.n)
    ax = plots.plot_change_probability(s.start, prob)
    (stems,) = [c for c in ax.collections if c.get_gid() == "change-probability"]
    np.testing.assert_allclose([seg[1, 1] for seg in stems.get_segments()], prob)
    assert ax.get_ylim() == (0, 1.02)
    with pytest.raises(ValueError, match="one value per time"):
        plots.plot_change_probability(s.start, prob[:-1])
    top, bottom = plots.series_with_probability(s, prob, events=_close_events(2, 3, "2020-03-02"))
    assert top.figure is bottom.figure and len(top.figure.axes) >= 2
    assert top.get_shared_x_axes().joined(top, bottom)
    assert len(top.containers[0]) == s.n
    fig = plt.figure()
    fig.add_subplot()
    with pytest.raises(ValueError, match="empty"):
        plots.series_with_probability(s, prob, fig=fig)


# --------------------------------------------------------------------------- tallies
def test_tally_bounds_known_answers():
    f = pd.DataFrame({"count": [10, 10, 10, 10, 10],
                      "bound": ["exact", "at_least", "more_than", "at_most", "about"]})
    v, lo, hi = tally_bounds(f)
    np.testing.assert_array_equal(v, [10] * 5)
    np.testing.assert_array_equal(lo, [10, 10, 11, 0, 10])
    np.testing.assert_array_equal(hi, [10, np.inf, np.inf, 10, 10])
    with pytest.raises(ValueError, match="bound"):
        tally_bounds(pd.DataFrame({"count": [1], "bound": ["roughly"]}))


def test_tallies_staircase_per_source():
    t = pd.DataFrame({"since": pd.to_datetime(["2023-10-17"] * 4),
                      "as_of": pd.to_datetime(["2023-10-24", "2023-11-06", "2023-11-20", "2023-11-14"]),
                      "count": [13, 38, 60, 55], "bound": ["at_least", "exact", "more_than", "exact"],
                      "source": ["Pentagon", "Pentagon", "Pentagon", "Wire <i>"], "region": "all"})
    ax = plots.plot_tallies(t)
    steps = [ln for ln in ax.lines if ln.get_drawstyle() == "steps-post"]
    assert len(steps) == 1  # one chain with more than one statement
    np.testing.assert_allclose(steps[0].get_ydata(), [13, 38, 60])
    ups = [c for c in ax.collections if c.get_paths() and len(c.get_offsets())
           and c.get_facecolor()[0][:3].tolist() == [1.0, 1.0, 1.0]]
    ys = sorted(float(y) for c in ups for _, y in c.get_offsets())
    assert ys == [13.0, 61.0]  # open up-triangles at the lower bounds (more than 60 -> 61)
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels[:2] == ["Pentagon", "Wire <i>"] and "at least / more than" in labels
    assert all(not t.get_parse_math() for t in ax.get_legend().get_texts())


# --------------------------------------------------------------------------- forest
def test_forest_reference_line_and_log_scale():
    terms = pd.DataFrame({"name": ["level:2024-01-28", "pulse:2023-11-24"], "rate_ratio": [0.5, 2.0],
                          "ci_low": [0.3, 1.2], "ci_high": [0.8, 3.5]})
    ax = plots.plot_forest(terms)
    assert ax.get_xscale() == "log"
    (ref,) = [ln for ln in ax.lines if ln.get_gid() == "reference"]
    assert list(ref.get_xdata()) == [1.0, 1.0]
    assert [t.get_text() for t in ax.get_yticklabels()] == list(terms["name"])
    (ci,) = [c for c in ax.collections if c.get_gid() == "forest-ci"]
    np.testing.assert_allclose([sorted(s[:, 0]) for s in ci.get_segments()], [[0.3, 0.8], [1.2, 3.5]])
    lo, hi = ax.get_xlim()
    assert lo < 0.3 and hi > 3.5
    with pytest.raises(ValueError, match="positive"):
        plots.plot_forest(terms.assign(ci_low=[0.0, 1.0]))


# --------------------------------------------------------------------------- panel
def test_panel_one_axes_per_group():
    parts = []
    for k, name in enumerate(["Iraq", "Syria", "Jordan", "Yemen"]):
        g, _ = piecewise_poisson((2.0 + k,), (12 + k,), freq="W", start="2024-01-01", seed=k)
        parts.append(g.data.assign(country=name))
    s = CountSeries(pd.concat(parts, ignore_index=True), freq="W", groups=("country",))
    before = len(plt.get_fignums())
    axes = plots.plot_panel(s, ncols=3)
    assert len(plt.get_fignums()) == before + 1
    assert len(axes) == 4 and isinstance(axes, np.ndarray)
    assert [a.get_title(loc="left") for a in axes] == ["Iraq", "Jordan", "Syria", "Yemen"]
    assert [a.get_ylabel() for a in axes] == ["count per week", "", "", "count per week"]
    assert [len(a.containers[0]) for a in axes] == [12, 14, 13, 15]
    hidden = [a for a in axes[0].figure.axes if not a.get_visible()]
    assert len(hidden) == 2
    with pytest.raises(ValueError, match="empty"):
        plots.plot_panel(s, fig=axes[0].figure)
    fig = plt.figure()
    axes = plots.plot_panel(s, ncols=2, sharey=True, fig=fig)
    assert all(a.figure is fig for a in axes) and axes[0].get_ylim() == axes[3].get_ylim()


# --------------------------------------------------------------------------- common contract
def _calls(weekly):
    s, _ = weekly
    seg = pd.DataFrame({"time_start": ["2020-W02"], "time_end": ["2020-W41"], "n": [40],
                        "exposure": [280.0], "rate": [1.0], "ci_low": [0.9], "ci_high": [1.1]})
    tal = pd.DataFrame({"since": ["2020-01-06"], "as_of": ["2020-03-01"], "count": [5],
                        "source": ["A"]})
    terms = pd.DataFrame({"name": ["a"], "rate_ratio": [0.5], "ci_low": [0.3], "ci_high": [0.9]})
    return {
        "counts": lambda ax: plots.plot_counts(s, ax=ax),
        "events": lambda ax: plots.plot_events(_close_events(3, 5), ax=ax),
        "fit": lambda ax: plots.plot_fit(_pred(), ax=ax),
        "segments": lambda ax: plots.plot_segments(seg, ax=ax),
        "probability": lambda ax: plots.plot_change_probability(s.start, np.zeros(s.n), ax=ax),
        "tallies": lambda ax: plots.plot_tallies(tal, ax=ax),
        "forest": lambda ax: plots.plot_forest(terms, ax=ax),
    }


@pytest.mark.parametrize("name", ["counts", "events", "fit", "segments", "probability", "tallies",
                                  "forest"])
def test_draws_on_given_axes_and_returns_it(weekly, name):
    call = _calls(weekly)[name]
    fig, ax = plt.subplots()
    before = plt.get_fignums()
    assert call(ax) is ax
    assert plt.get_fignums() == before
    assert ax.has_data() or ax.child_axes
    new = call(None)
    assert new is not ax and new.figure is not fig
    assert len(plt.get_fignums()) == len(before) + 1


def test_dates_always_name_their_year(weekly):
    s, _ = weekly  # within 2020: the year is written once, as the offset
    ax = plots.plot_counts(s)
    ax.figure.canvas.draw()
    assert ax.xaxis.get_major_formatter().get_offset() == "2020"
    # across a new year the stock formatter names only the new year; the first tick
    # gets its year too
    s2, _ = piecewise_poisson((3.0,), (30,), freq="W", start="2023-10-02", seed=1)
    ax = plots.plot_counts(s2)
    ax.figure.canvas.draw()
    labels = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    assert ax.xaxis.get_major_formatter().get_offset() == ""
    assert labels[0].endswith("\n2023") and "2024" in labels
    # day ticks over several months: the first tick names its month and the offset only
    # the year (the stock offset names the month of the last tick: "Mar 2024")
    d, _ = piecewise_poisson((3.0,), (45,), freq="D", start="2024-01-20", seed=1)
    fig, ax = plt.subplots(figsize=(10, 3))
    plots.plot_counts(d, ax=ax)
    fig.canvas.draw()
    labels = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    assert labels[0] == "22 Jan" and "Feb" in labels and "Mar" in labels
    assert ax.xaxis.get_offset_text().get_text() == "2024"
    # ... and across a new year, each year once
    d, _ = piecewise_poisson((3.0,), (45,), freq="D", start="2023-12-10", seed=1)
    fig, ax = plt.subplots(figsize=(10, 3))
    plots.plot_counts(d, ax=ax)
    fig.canvas.draw()
    labels = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    assert labels[0].endswith("Dec\n2023") and "Jan\n2024" in labels
    assert ax.xaxis.get_offset_text().get_text() == ""
    # within one month the offset names it
    d, _ = piecewise_poisson((3.0,), (20,), freq="D", start="2024-03-02", seed=1)
    ax = plots.plot_counts(d)
    ax.figure.canvas.draw()
    assert ax.xaxis.get_offset_text().get_text() == "Mar 2024"


# --------------------------------------------------------------------------- text safety
def test_html_and_dollar_labels_are_plain_text(weekly, tmp_path):
    s, _ = weekly
    ax = plots.plot_counts(s, label=HTML_LABEL)
    plots.plot_events(pd.DataFrame({"date": [s.start[5]], "label": [HTML_LABEL]}), ax=ax,
                      max_label_chars=None)
    fig = ax.figure
    fig.canvas.draw()
    (lab,) = [t for t in fig.findobj(matplotlib.text.Text) if t.get_gid() == "event-label"]
    assert lab.get_text() == HTML_LABEL and not lab.get_parse_math()
    (leg,) = ax.get_legend().get_texts()
    assert leg.get_text() == HTML_LABEL and not leg.get_parse_math()
    (svg,) = plots.save_figure(fig, tmp_path / "html", formats=("svg",))
    raw = svg.read_text(encoding="utf-8")
    ET.fromstring(raw.split("\n", 3)[-1] if raw.startswith("<?xml") else raw)  # well-formed
    assert "<script" not in raw and "<b>" not in raw


# --------------------------------------------------------------------------- saving
def test_save_figure_is_byte_identical(weekly, tmp_path):
    s, _ = weekly
    ax = plots.plot_counts(s, label="incidents")
    plots.plot_events(_close_events(4, 6), ax=ax)
    ax.set_title("synthetic")
    first = plots.save_figure(ax.figure, tmp_path / "a" / "fig")
    digests = [hashlib.sha256(p.read_bytes()).hexdigest() for p in first]
    second = plots.save_figure(ax.figure, tmp_path / "a" / "fig.png")
    assert [p.name for p in second] == ["fig.png", "fig.svg", "fig.pdf"]
    assert [hashlib.sha256(p.read_bytes()).hexdigest() for p in second] == digests
    svg = (tmp_path / "a" / "fig.svg").read_text(encoding="utf-8")
    pdf = (tmp_path / "a" / "fig.pdf").read_bytes()
    png = (tmp_path / "a" / "fig.png").read_bytes()
    assert "<dc:date>" not in svg and matplotlib.__version__ not in svg
    assert b"CreationDate" not in pdf and matplotlib.__version__.encode() not in pdf
    assert matplotlib.__version__.encode() not in png
    with pytest.raises(ValueError, match="formats"):
        plots.save_figure(ax.figure, tmp_path / "b", formats=("jpg",))


def test_save_figure_same_bytes_in_a_new_process(tmp_path):
    code = (
        "import matplotlib; matplotlib.use('Agg');"
        "from analysis import plots; from analysis.synthetic import nb_level_change;"
        "s, _ = nb_level_change(n=30, change_at=15, seed=4); ax = plots.plot_counts(s, label='x');"
        "import sys; plots.save_figure(ax.figure, sys.argv[1])"
    )
    subprocess.run([sys.executable, "-c", code, str(tmp_path / "1" / "f")], check=True)
    s, _ = nb_level_change(n=30, change_at=15, seed=4)
    ax = plots.plot_counts(s, label="x")
    plots.save_figure(ax.figure, tmp_path / "2" / "f")
    for ext in ("png", "svg", "pdf"):
        assert (tmp_path / "1" / f"f.{ext}").read_bytes() == (tmp_path / "2" / f"f.{ext}").read_bytes()


def test_import_is_light():
    code = "import sys, analysis.plots; print(any(m.startswith('matplotlib') for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    assert out.stdout.strip() == "False"


def test_result_objects_are_accepted_directly():
    from analysis.changepoints import detect_changepoints
    from analysis.models import fit_counts

    s, truth = nb_level_change(n=60, change_at=30, base_rate=10.0, rate_ratio=0.3, seed=5)
    seg = detect_changepoints(s)
    ax = plots.plot_counts(s)
    plots.plot_segments(seg, ax=ax)
    rates = [ln for ln in ax.lines if ln.get_gid() is None]
    assert len(rates) == len(seg.segments)
    per_bin = seg.segments["rate"] * seg.segments["exposure"] / seg.segments["n"]
    np.testing.assert_allclose(sorted(ln.get_ydata()[0] for ln in rates), sorted(per_bin))
    fit = fit_counts(s, family="negbin", events=[truth["change_date"].strftime("%Y-%m-%d") + ":level"])
    ax = plots.plot_forest(fit)
    assert [t.get_text() for t in ax.get_yticklabels()] == [n for n in fit.terms["name"] if n != "intercept"]


@pytest.mark.parametrize("name", ["counts", "events", "fit", "segments", "probability", "tallies",
                                  "forest"])
def test_no_text_is_clipped_by_the_figure(weekly, name):
    ax = _calls(weekly)[name](None)
    ax.set_title("A title that sits above everything")
    fig = ax.figure
    fig.canvas.draw()
    r = fig.canvas.get_renderer()
    fb = fig.bbox
    every_axes = fig.axes + [c for a in fig.axes for c in a.child_axes]
    ticks = {id(t) for a in every_axes for tk in a.xaxis.get_major_ticks() + a.yaxis.get_major_ticks()
             + a.xaxis.get_minor_ticks() + a.yaxis.get_minor_ticks() for t in (tk.label1, tk.label2)}
    texts = [t for t in fig.findobj(matplotlib.text.Text)
             if t.get_visible() and t.get_text().strip() and id(t) not in ticks]
    assert texts
    boxes = [(t.get_text(), t.get_window_extent(r)) for t in texts]
    # drawn tick labels, offset texts and axis labels: the axes' own tight boxes
    boxes += [(f"axis of {a.get_label()}", axis.get_tightbbox(r)) for a in fig.axes if a.get_visible()
              for axis in (a.xaxis, a.yaxis) if axis.get_tightbbox(r) is not None]
    for name, b in boxes:
        assert fb.x0 - 1 <= b.x0 and b.x1 <= fb.x1 + 1 and fb.y0 - 1 <= b.y0 and b.y1 <= fb.y1 + 1, \
            (name, b, fb)
    # the title clears the event labels
    labels = [t.get_window_extent(r) for t in texts if t.get_gid() == "event-label"]
    if labels:
        assert ax.title.get_window_extent(r).y0 >= max(b.y1 for b in labels) - 0.5


def test_events_first_then_counts_shows_all_bars(weekly):
    s, _ = weekly
    ev = pd.DataFrame({"date": pd.to_datetime(["2020-03-02", "2020-05-04"]), "label": ["a", "b"]})
    ax = plots.plot_events(ev)
    lo, hi = ax.get_xlim()
    d = mdates.date2num(ev["date"].to_numpy())
    assert lo < d[0] and hi > d[1] and hi - lo < 2 * (d[1] - d[0])
    plots.plot_counts(s, ax=ax)
    lo, hi = ax.get_xlim()
    assert lo <= mdates.date2num(s.start[0]) and hi >= mdates.date2num(s.end[-1])


# --------------------------------------------------------------------------- review fixes
def test_event_labels_from_another_column_and_markers_without_labels(weekly):
    s, _ = weekly
    ev = _close_events(4, 30).assign(event_id=["E1", "E2", "E3", "E4"])
    ax = plots.plot_counts(s)
    plots.plot_events(ev, ax=ax, labels="event_id")
    texts, _ = _label_boxes(ax.figure)
    assert sorted(t.get_text() for t in texts) == ["E1", "E2", "E3", "E4"]
    # markers only: no label column needed, no label drawn
    ax = plots.plot_counts(s)
    plots.plot_events(ev[["date"]], ax=ax, labels=False)
    assert len([ln for ln in ax.lines if ln.get_gid() == "event-marker"]) == 4
    assert not [t for t in ax.figure.findobj(matplotlib.text.Text) if t.get_gid() == "event-label"]
    with pytest.raises(InputError, match="event_id"):
        plots.plot_events(ev[["date", "label"]], labels="event_id")
    with pytest.raises(TypeError, match="labels"):
        plots.plot_events(ev, labels=3)
    top, _ = plots.series_with_probability(s, np.zeros(s.n), events=ev, event_labels="event_id")
    texts, _ = _label_boxes(top.figure)
    assert sorted(t.get_text() for t in texts) == ["E1", "E2", "E3", "E4"]


def test_legend_over_event_markers_gets_a_white_backing():
    from analysis.plots._axes import place_legend

    # low data along the bottom; event markers run through every top corner
    s = CountSeries.from_counts([1] * 20, start="2024-01-01", freq="W")
    ax = plots.plot_counts(s, label="attacks")
    plots.plot_events(pd.DataFrame({"date": s.start[[0, 1, 10, 18, 19]]}), ax=ax, labels=False)
    ax.set_ylim(0, 10)
    leg = place_legend(ax)
    assert leg.get_frame_on()
    assert matplotlib.colors.to_hex(leg.get_frame().get_facecolor()) == "#ffffff"
    bb = leg.get_window_extent()
    top = ax.transData.transform([[0, 1]])[0, 1]
    assert bb.y0 > top  # above the bars, not outside the axes
    assert ax.bbox.x0 <= bb.x0 and bb.x1 <= ax.bbox.x1
    # nothing under the legend: no backing (the project style has no legend frame)
    ax = plots.plot_counts(s, label="attacks")
    ax.set_ylim(0, 10)
    assert not place_legend(ax).get_frame_on()


def test_fit_legend_labels_merge_parentheses():
    ax = plots.plot_fit(_pred())
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "fitted mean (95% CI)" in labels
    assert "counterfactual (no event terms; 95% CI)" in labels
    ax = plots.plot_fit(_pred(), cf_label="without events", level=None)
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "without events and interval" in labels


def test_forest_display_labels():
    terms = pd.DataFrame({"name": ["level:2024-01-28", "pulse:2023-11-24"], "rate_ratio": [0.5, 2.0],
                          "ci_low": [0.3, 1.2], "ci_high": [0.8, 3.5]})
    ax = plots.plot_forest(terms, labels={"level:2024-01-28": "Tower 22 <E007>, step"})
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Tower 22 <E007>, step", "pulse:2023-11-24"]
    ax = plots.plot_forest(terms, labels=["a $x$", "b"])
    assert [t.get_text() for t in ax.get_yticklabels()] == ["a $x$", "b"]
    assert not any(t.get_parse_math() for t in ax.get_yticklabels())
    with pytest.raises(ValueError, match="one label per row"):
        plots.plot_forest(terms, labels=["only one"])


def test_counts_ylabel_names_the_bin(weekly):
    s, _ = weekly
    assert plots.plot_counts(s).get_ylabel() == "count per week"
    assert plots.plot_counts(s.data).get_ylabel() == "count per week"  # from the 7-day intervals
    irregular = pd.DataFrame({"start": pd.to_datetime(["2024-01-01", "2024-01-08", "2024-02-01"]),
                              "end": pd.to_datetime(["2024-01-08", "2024-02-01", "2024-02-05"]),
                              "count": [3, 9, 1]})
    assert plots.plot_counts(irregular).get_ylabel() == "count"
    assert plots.plot_fit(_pred()).get_ylabel() == "count per week"  # same label as the bars
    assert plots.plot_counts(s, ylabel="attacks").get_ylabel() == "attacks"
    m = CountSeries.from_counts([3, 0, 5], start="2024-01", freq="M")
    assert plots.plot_counts(m).get_ylabel() == "count per month"


def test_tally_markers_at_zero_are_not_clipped():
    t = pd.DataFrame({"since": pd.to_datetime(["2024-02-05"] * 2),
                      "as_of": pd.to_datetime(["2024-03-01", "2024-04-20"]),
                      "count": [0, 0], "source": ["Pentagon"] * 2})
    ax = plots.plot_tallies(t)
    marks = [c for c in ax.collections if len(c.get_offsets())]
    assert marks and all(not c.get_clip_on() for c in marks)
    assert ax.get_ylim()[0] == 0


def test_legend_that_fits_nowhere_inside_goes_under_the_tick_labels():
    fig, ax = plt.subplots(figsize=(10, 4), layout="constrained")
    plots.plot_fit(_pred(), ax=ax)  # bands fill every corner
    for size in ((10, 4), (7, 3)):  # and stays clear when the figure is resized
        fig.set_size_inches(*size)
        fig.canvas.draw()
        r = fig.canvas.get_renderer()
        leg = ax.get_legend().get_window_extent(r)
        ticks = ax.xaxis.get_tightbbox(r)
        assert leg.y1 <= ticks.y0 + 0.5 and leg.y0 >= fig.bbox.y0 - 0.5, (size, leg, ticks)
        assert ax.bbox.x0 - 0.5 <= leg.x0 and leg.x1 <= ax.bbox.x1 + 0.5
    # a narrow axes has no room for one row: the legend goes right of it
    ax = plots.plot_fit(_pred(), ax=plt.subplots(figsize=(5.5, 3), layout="constrained")[1])
    ax.figure.canvas.draw()
    assert ax.get_legend().get_window_extent().x0 >= ax.bbox.x1 - 0.5


def test_bin_unit_known_answers():
    from analysis.plots._axes import bin_unit

    assert [bin_unit(freq=f) for f in ("D", "W", "W-MON", "M", "MS", "Q", "Y", "A", "min", None)] == \
        ["day", "week", "week", "month", "month", "quarter", "year", "year", None, None]
    start = pd.to_datetime(["2024-01-01", "2024-02-01", "2024-03-01"])
    end = pd.to_datetime(["2024-02-01", "2024-03-01", "2024-04-01"])  # 31, 29, 31 days
    assert bin_unit(start, end) == "month"
    assert bin_unit(start, start + pd.Timedelta(days=1)) == "day"
    assert bin_unit(start, end + pd.Timedelta(days=3)) is None
    assert bin_unit(pd.to_datetime(["2023-01-01"]), pd.to_datetime(["2024-01-01"])) == "year"
    assert bin_unit(days=[7.0, 7.0]) == "week" and bin_unit(days=[]) is None
