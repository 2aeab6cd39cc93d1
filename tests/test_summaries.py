"""summary(), _repr_html_ and compact reprs of the result objects; a clean public API.

Known answers on small series; the HTML carries the same table; reprs never dump arrays.
"""

from __future__ import annotations

import inspect

import numpy as np
import pandas as pd
import pytest

import analysis as it
from analysis.series import CountSeries


@pytest.fixture(scope="module")
def two_level():
    return CountSeries.from_counts([1, 0, 2, 1, 0, 9, 8, 11, 10, 9], start="2024-01-01", freq="W")


def test_countseries_summary_known_answer(two_level):
    sm = two_level.summary()
    assert sm.header == "CountSeries: 10 weekly periods, 2024-01-01 to 2024-03-10, total 51"
    row = sm.table().iloc[0]
    assert (row["periods"], row["total"], row["zeros"], row["max"], row["max_at"]) == (10, 51.0, 2, 11.0, "2024-W08")
    assert row["partial"] == 0 and row["bounded"] == 0
    html = two_level._repr_html_()
    assert "<table" in html and "2024-W08" in html and "CountSeries: 10 weekly" in html


def test_countseries_summary_groups_partial_and_bounds():
    df = pd.DataFrame({"start": pd.to_datetime(["2024-01-01", "2024-01-08"] * 2),
                       "end": pd.to_datetime(["2024-01-08", "2024-01-15"] * 2),
                       "count": [3, 4, 0, 2], "exposure": [7, 3, 7, 7],
                       "lower": [np.nan, 4, np.nan, np.nan], "country": ["Iraq"] * 2 + ["Syria"] * 2})
    sm = CountSeries(df, freq="W", groups=("country",)).summary()
    t = sm.table().set_index("country")
    assert t.loc["Iraq", "partial"] == 1 and t.loc["Iraq", "bounded"] == 1
    assert t.loc["Syria", "total"] == 2.0 and t.loc["Syria", "zeros"] == 1
    assert sm.header.endswith("2 groups (country)")


def test_segmentation_and_bayes_reprs(two_level):
    seg = it.Pelt(cost="poisson", min_size=2).fit(two_level).predict(penalty="mbic")
    assert seg.changepoints == (5,)
    assert "1 change: 2024-W06 (row 5)" in seg.summary().as_text()
    assert "<table" in seg._repr_html_()
    post = it.BayesianChangepoints(p_change=0.05).fit(two_level)
    r = repr(post)
    assert r.startswith("BayesResult(n=10, expected_changes=") and "map_changepoints=(5,)" in r
    assert "array" not in r and len(r) < 200
    sm = post.summary()
    assert "MAP segmentation: 1 change: 2024-W06 (row 5)" in sm.header
    assert f"{post.expected_changes:.3g}" in sm.header
    assert list(sm.table()["index"]) == [5]
    frame = post.to_frame()
    assert list(frame.columns) == ["time", "prob_change", "rate_mean", "rate_lower", "rate_upper"]
    assert frame["prob_change"].iloc[5] == pytest.approx(post.prob_change[5])


def test_alignment_summary():
    res = it.alignment_test(pd.to_datetime(["2024-02-05"]), pd.to_datetime(["2024-02-04", "2024-01-28"]),
                            window=("2023-10-16", "2024-09-01"), draws=199, seed=1)
    sm = res.summary()
    assert "from 1 change to the nearest of 2 events 1 day against" in sm.header
    assert sm.table().loc[0, "p_value"] == pytest.approx(res.p_value)
    assert "<table" in res._repr_html_()


def test_public_names_resolve_and_have_return_hints():
    missing = []
    for name in it.__all__:
        obj = getattr(it, name)            # every listed name resolves (lazily)
        if inspect.isfunction(obj) and inspect.signature(obj).return_annotation is inspect.Signature.empty:
            missing.append(name)
        if inspect.isclass(obj):
            for m, f in inspect.getmembers(obj, inspect.isfunction):
                if not m.startswith("_") and f.__qualname__.split(".")[0] == obj.__name__ \
                        and inspect.signature(f).return_annotation is inspect.Signature.empty:
                    missing.append(f"{name}.{m}")
    assert missing == []
    assert len(set(it.__all__)) == len(it.__all__)


def test_attribution_takes_a_segmentation_and_has_a_summary(two_level):
    events = pd.DataFrame({"event_id": ["E1", "E2"], "date": ["2024-02-01", "2024-03-20"],
                           "label": ["synthetic one", "synthetic two"]})
    seg = it.Pelt(cost="poisson", min_size=2).fit(two_level).predict(penalty="mbic")
    att = it.attribute_changes(seg, events)                  # change row 5 = week of 2024-02-05
    assert list(att["index"]) == [5] and str(att["change_date"].iloc[0].date()) == "2024-02-05"
    assert (att["nearest_event"].iloc[0], att["lag_days"].iloc[0]) == ("E1", 4.0)
    post = it.BayesianChangepoints(p_change=0.05).fit(two_level)
    assert it.attribute_changes(post, events)[["index", "nearest_event"]].values.tolist() == [[5, "E1"]]
    sm = att.summary()
    assert sm.header.startswith("Attribution: 1 change, nearest listed event")
    assert sm.table().loc[0, "change_date"] == "2024-02-05"
    assert "<table" in att._repr_html_() and isinstance(att, pd.DataFrame)
    assert type(att[["nearest_event"]]) is pd.DataFrame     # derived frames are plain
    with pytest.raises(ValueError, match="no time labels"):
        it.attribute_changes(it.Pelt().fit(np.r_[np.zeros(8), np.full(8, 9.0)]).predict(penalty="mbic"), events)


def test_every_public_function_of_every_module_has_a_return_hint():
    import importlib
    import pkgutil

    mods = ["analysis"] + [m.name for m in pkgutil.walk_packages(it.__path__, "analysis.")
                           if not any(p.startswith("_") for p in m.name.split(".")[1:]) and m.name != "analysis.cli"]
    missing, seen = [], set()
    for mn in mods:
        m = importlib.import_module(mn)
        for n in getattr(m, "__all__", ()):
            o = getattr(m, n, None)
            if not (inspect.isfunction(o) or inspect.isclass(o)) or (o.__module__, o.__qualname__) in seen:
                continue
            seen.add((o.__module__, o.__qualname__))
            funcs = [(n, o)] if inspect.isfunction(o) else [
                (f"{n}.{k}", getattr(f, "__func__", f)) for k, f in vars(o).items()
                if not k.startswith("_") and (inspect.isfunction(f) or isinstance(f, (classmethod, staticmethod)))]
            missing += [f"{mn}.{name}" for name, f in funcs
                        if inspect.isfunction(f) and inspect.signature(f).return_annotation is inspect.Signature.empty]
    assert missing == []


def test_every_public_name_has_a_runnable_example():
    # make test runs these with --doctest-modules; here: each name documents one
    missing = [n for n in it.__all__
               if (inspect.isfunction(getattr(it, n)) or
                   (inspect.isclass(getattr(it, n)) and not issubclass(getattr(it, n), BaseException)))
               and ">>>" not in (getattr(it, n).__doc__ or "")]
    assert missing == []


@pytest.mark.parametrize("package", ["analysis.plots", "analysis.extract", "analysis.monitor", "analysis.io",
                                     "analysis.questions", "analysis.series", "analysis.normalize",
                                     "analysis.changepoints", "analysis.datasets", "analysis.panel", "analysis.duck",
                                     "analysis.synthetic", "analysis.report", "analysis.curate",
                                     "analysis.models", "analysis.events"])
def test_public_functions_of_the_user_facing_packages_have_examples(package):
    import importlib

    m = importlib.import_module(package)
    missing = [n for n in m.__all__ if inspect.isfunction(getattr(m, n, None)) and ">>>" not in (getattr(m, n).__doc__ or "")]
    assert missing == []
