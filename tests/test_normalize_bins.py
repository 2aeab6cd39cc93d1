"""Binning and date allocation: exact series, exposure, panels, conservation, imputation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.normalize import ImputedSeries, bin_edges, bin_incidents, parse_window
from analysis.normalize.dates import allocate_split, progress_wanted


def incidents(spans, **cols) -> pd.DataFrame:
    """Incidents from (start, end) day strings (end inclusive)."""
    d = pd.DataFrame({
        "incident_id": [f"i{k:03d}" for k in range(len(spans))],
        "date_start": pd.to_datetime([a for a, _ in spans]).astype("datetime64[ns]"),
        "date_end": pd.to_datetime([b for _, b in spans]).astype("datetime64[ns]"),
        "n_reports": np.ones(len(spans), np.int64),
    })
    for k, v in cols.items():
        d[k] = v
    return d


def days(s):
    return [str(x.date()) for x in s.start]


# ------------------------------------------------------------------------------ edges
@pytest.mark.parametrize("freq, first, last, expected", [
    ("W", "2024-01-03", "2024-01-15", ["2024-01-01", "2024-01-08", "2024-01-15", "2024-01-22"]),
    ("M", "2024-01-31", "2024-03-01", ["2024-01-01", "2024-02-01", "2024-03-01", "2024-04-01"]),
    ("Q", "2023-11-15", "2024-01-01", ["2023-10-01", "2024-01-01", "2024-04-01"]),
    ("D", "2024-02-28", "2024-03-01", ["2024-02-28", "2024-02-29", "2024-03-01", "2024-03-02"]),
])
def test_bin_edges(freq, first, last, expected):
    d0 = np.datetime64(first, "D").astype(np.int64)
    d1 = np.datetime64(last, "D").astype(np.int64) + 1
    got = bin_edges(freq, d0, d1).astype("datetime64[D]").astype(str).tolist()
    assert got == expected


def test_weeks_are_iso_weeks_starting_monday():
    inc = incidents([("2024-12-29", "2024-12-29"), ("2024-12-30", "2024-12-30")])  # Sun, Mon
    s = bin_incidents(inc, freq="W")
    assert days(s) == ["2024-12-23", "2024-12-30"]
    assert s.labels == ["2024-W52", "2025-W01"]
    assert s.counts.tolist() == [1.0, 1.0]


def test_parse_window():
    assert parse_window("2024-01-01:") == (pd.Timestamp("2024-01-01"), None)
    assert parse_window((None, "2024-02-01")) == (None, pd.Timestamp("2024-02-01"))
    with pytest.raises(ValueError, match="START:END"):
        parse_window("2024-01-01")
    with pytest.raises(ValueError, match="before its start"):
        parse_window("2024-02-01:2024-01-01")


# ------------------------------------------------------------------------------ known answers
def test_start_allocation_zero_fills_and_exposure_is_days_in_window():
    inc = incidents([("2024-01-03", "2024-01-03"), ("2024-01-04", "2024-01-04"), ("2024-01-20", "2024-01-20")])
    s = bin_incidents(inc, freq="W", window="2024-01-02:2024-01-31")
    assert days(s) == ["2024-01-01", "2024-01-08", "2024-01-15", "2024-01-22", "2024-01-29"]
    assert s.counts.tolist() == [2, 0, 1, 0, 0]
    assert s.exposure.tolist() == [6, 7, 7, 7, 3]
    assert s.data["n_reports"].tolist() == [2, 0, 1, 0, 0]
    s.check()


def test_inferred_window_spans_the_incidents():
    inc = incidents([("2024-01-10", "2024-01-10"), ("2024-03-05", "2024-03-20")])
    s = bin_incidents(inc, freq="M")
    assert s.attrs["window"] == ("2024-01-10", "2024-03-20")
    assert s.counts.tolist() == [1, 0, 1]
    assert s.exposure.tolist() == [22, 29, 20]


def test_split_allocation_is_fractional_by_overlap():
    # ten days: 2 in January, 8 in February
    inc = incidents([("2024-01-30", "2024-02-08")])
    s = bin_incidents(inc, freq="M", allocate="split", window="2024-01-01:2024-02-29")
    np.testing.assert_allclose(s.counts, [0.2, 0.8])
    assert s.data["n_reports"].tolist() == [1, 1]


def test_split_clips_to_the_window_and_still_counts_one():
    inc = incidents([("2024-01-25", "2024-02-03")])  # 7 days in Jan inside, 3 in Feb outside
    s = bin_incidents(inc, freq="W", allocate="split", window="2024-01-22:2024-01-31")
    assert s.total == pytest.approx(1.0)
    np.testing.assert_allclose(s.counts, [4 / 7, 3 / 7])
    assert s.attrs["n_clipped"] == 1


def test_start_rule_drops_incidents_starting_before_the_window():
    inc = incidents([("2023-12-30", "2024-01-05"), ("2024-01-02", "2024-01-02")])
    assert bin_incidents(inc, freq="W", window="2024-01-01:2024-01-14").total == 1
    assert bin_incidents(inc, freq="W", allocate="split", window="2024-01-01:2024-01-14").total == \
        pytest.approx(2)


def test_quarters_and_days():
    inc = incidents([("2024-03-31", "2024-03-31"), ("2024-04-01", "2024-04-01")])
    q = bin_incidents(inc, freq="Q", window="2024-01-01:2024-12-31")
    assert q.counts.tolist() == [1, 1, 0, 0]
    assert q.exposure.tolist() == [91, 91, 92, 92]
    d = bin_incidents(inc, freq="D")
    assert d.counts.tolist() == [1, 1]


def test_groups_make_a_zero_filled_panel():
    inc = incidents([("2024-01-01", "2024-01-01"), ("2024-01-09", "2024-01-09"), ("2024-01-10", "2024-01-10")],
                    country=["Iraq", "Syria", None])
    s = bin_incidents(inc, freq="W", groups=["country"])
    assert s.groups == ("country",)
    tab = s.data.pivot(index="start", columns="country", values="count")
    assert list(tab.columns) == ["Iraq", "Syria", "unknown"]
    assert tab.to_numpy().tolist() == [[1, 0, 0], [0, 1, 1]]
    s.check()


def test_missing_group_column_names_it():
    from analysis.schema import InputError
    with pytest.raises(InputError, match="group column 'weapon'"):
        bin_incidents(incidents([("2024-01-01", "2024-01-01")]), groups=["weapon"])


@pytest.mark.parametrize("name", ["n_reports", "count", "exposure", "start"])
def test_group_named_like_a_series_column_is_refused(name):
    inc = incidents([("2024-01-01", "2024-01-01")])
    inc["count"] = inc["exposure"] = inc["start"] = 1
    with pytest.raises(ValueError, match=f"group column {name!r} has the name of a series column"):
        bin_incidents(inc, groups=[name])


def test_bad_arguments_name_the_allowed_values():
    inc = incidents([("2024-01-01", "2024-01-01")])
    with pytest.raises(ValueError, match=r"freq must be one of \('D', 'W', 'M', 'Q'\)"):
        bin_incidents(inc, freq="Y")
    with pytest.raises(ValueError, match="allocate must be one of"):
        bin_incidents(inc, allocate="middle")
    with pytest.raises(ValueError, match="no coverage window"):
        bin_incidents(inc.iloc[:0])


def test_empty_incidents_with_a_window_give_zeros():
    s = bin_incidents(incidents([]), freq="M", window="2024-01-01:2024-03-31")
    assert s.counts.tolist() == [0, 0, 0]


def test_allocate_split_pieces_sum_to_one():
    rng = np.random.default_rng(0)
    s = rng.integers(0, 300, 500)
    e = s + rng.integers(0, 120, 500)
    edges = np.arange(-10, 500, 7)
    item, b, w = allocate_split(s, e, edges)
    np.testing.assert_allclose(np.bincount(item, weights=w), 1.0, rtol=0, atol=1e-12)
    assert np.all(edges[b] <= e[item]) and np.all(edges[b + 1] > s[item])


# ------------------------------------------------------------------------------ imputation
def test_impute_gives_m_integer_series_reproducibly():
    inc = incidents([("2024-01-01", "2024-01-31"), ("2024-01-15", "2024-02-14"), ("2024-02-02", "2024-02-02")])
    a = bin_incidents(inc, freq="W", allocate="impute", n_imputations=25, seed=5)
    b = bin_incidents(inc, freq="W", allocate="impute", n_imputations=25, seed=5)
    assert isinstance(a, ImputedSeries) and len(a) == 25
    for x, y in zip(a, b):
        assert x.counts.tolist() == y.counts.tolist()
        assert np.all(x.counts == np.round(x.counts)) and x.total == 3
    c = bin_incidents(inc, freq="W", allocate="impute", n_imputations=25, seed=6)
    assert any(x.counts.tolist() != y.counts.tolist() for x, y in zip(a, c))
    panel = a.panel()
    assert panel.groups == ("imputation",)
    assert panel.data.groupby("imputation")["count"].sum().tolist() == [3.0] * 25
    assert a.mean().total == pytest.approx(3)


def test_impute_mean_approaches_split():
    inc = incidents([("2024-01-29", "2024-02-07")] * 5)
    m = bin_incidents(inc, freq="M", allocate="impute", n_imputations=2000, seed=1).mean()
    sp = bin_incidents(inc, freq="M", allocate="split")
    np.testing.assert_allclose(m.counts, sp.counts, atol=0.1)


def test_progress_bar_only_when_asked_or_long_and_interactive(capsys):
    assert progress_wanted(True, 1) and not progress_wanted(False, 10_000)
    assert not progress_wanted(None, 10_000)  # stderr is captured, not a terminal
    inc = incidents([("2024-01-01", "2024-01-31")])
    bin_incidents(inc, allocate="impute", n_imputations=60, seed=0)
    assert capsys.readouterr().err == ""


# ------------------------------------------------------------------------------ properties
@st.composite
def incident_frames(draw):
    n = draw(st.integers(0, 30))
    spans = []
    for _ in range(n):
        a = draw(st.integers(0, 120))
        spans.append((a, a + draw(st.sampled_from([0, 0, 0, 3, 6, 30, 90]))))
    base = pd.Timestamp("2024-01-01")
    sp = [(str((base + pd.Timedelta(days=a)).date()), str((base + pd.Timedelta(days=b)).date())) for a, b in spans]
    cats = draw(st.lists(st.sampled_from(["Iraq", "Syria"]), min_size=n, max_size=n))
    return incidents(sp, country=cats)


WINDOWS = st.sampled_from([None, "2024-01-01:2024-05-31", "2024-02-10:2024-03-20", "2024-01-15:"])


@settings(max_examples=40, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(incident_frames(), st.sampled_from(["D", "W", "M", "Q"]), st.sampled_from(["start", "split", "impute"]),
       WINDOWS, st.booleans())
def test_conservation_every_rule(inc, freq, allocate, window, grouped):
    if not len(inc) and (window is None or window.endswith(":")):
        with pytest.raises(ValueError, match="no coverage window"):
            bin_incidents(inc, freq=freq, window=window)
        return
    from analysis.normalize.bins import _bin
    b = _bin(inc, freq=freq, allocate=allocate, window=window, groups=["country"] if grouped else (),
             n_imputations=3, seed=1)
    n_counted = int(b.counted.sum())
    # brute force: counted when the start (rule start) or any day (split, impute) is in the window
    w0, w1 = b.window
    s0, e0 = inc["date_start"], inc["date_end"]
    expect = ((s0 >= w0) & (s0 <= w1)) if allocate == "start" else ((e0 >= w0) & (s0 <= w1))
    assert b.counted.tolist() == expect.tolist()
    series = list(b.result) if allocate == "impute" else [b.result]
    for s in series:
        s.check()
        assert s.total == pytest.approx(n_counted, abs=1e-9)
        assert s.data["n_reports"].sum() >= (n_counted if allocate != "split" else 0)
    if allocate == "start":
        # brute force: count starts per bin
        s = series[0]
        for row in s.data.itertuples():
            sub = inc if not grouped else inc[inc["country"] == row.country]
            k = ((sub["date_start"] >= row.start) & (sub["date_start"] < row.end) & b.counted[sub.index]).sum()
            assert row.count == k


@settings(max_examples=30, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(incident_frames(), st.sampled_from(["start", "split", "impute"]), st.integers(0, 1000))
def test_order_invariance(inc, allocate, seed):
    if not len(inc):
        return
    shuffled = inc.iloc[np.random.default_rng(seed).permutation(len(inc))].reset_index(drop=True)
    a = bin_incidents(inc, freq="W", allocate=allocate, groups=["country"], n_imputations=3, seed=2)
    b = bin_incidents(shuffled, freq="W", allocate=allocate, groups=["country"], n_imputations=3, seed=2)
    sa = a.panel() if allocate == "impute" else a
    sb = b.panel() if allocate == "impute" else b
    pd.testing.assert_frame_equal(sa.data, sb.data)
