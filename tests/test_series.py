import numpy as np
import pandas as pd
import pytest

from analysis import CountSeries, InputError
from analysis._time import format_labels, period_bounds


@pytest.mark.parametrize(
    "labels,freq,start,end",
    [
        (["2024-01-15", "2024-01-16"], "D", "2024-01-15", "2024-01-16"),
        (["2024-W01", "2024-W02"], "W", "2024-01-01", "2024-01-08"),
        (["2023-12", "2024-01"], "M", "2023-12-01", "2024-01-01"),
        (["2024Q1", "2024Q2"], "Q", "2024-01-01", "2024-04-01"),
        (["1851", "1852"], "Y", "1851-01-01", "1852-01-01"),
    ],
)
def test_period_bounds_forms(labels, freq, start, end):
    s, e, f = period_bounds(labels)
    assert f == freq
    assert s[0] == pd.Timestamp(start) and e[0] == pd.Timestamp(end)
    assert format_labels(s, f) == [l.replace("-Q", "Q") for l in labels]


def test_period_bounds_iso_week_53():
    s, e, f = period_bounds(["2020-W53", "2021-W01"])
    assert s[0] == pd.Timestamp("2020-12-28") and s[1] == pd.Timestamp("2021-01-04")


@pytest.mark.parametrize(
    "labels,row,msg",
    [
        (["2024-01-01", "2024-02"], 3, "form"),
        (["2024-01-01", "2024-01-01"], 3, "increase"),
        (["Jan 2024"], 2, "cannot read"),
        (["2024-13"], 2, "cannot read"),
        (["2024-01-01", ""], 3, "missing"),
        (["1851", "1"], 3, "outside the supported years"),
    ],
)
def test_period_bounds_errors_name_row(labels, row, msg):
    with pytest.raises(InputError, match=msg) as ei:
        period_bounds(labels, file="x.csv", column="week")
    assert ei.value.row == row
    assert f"x.csv, row {row}, column 'week'" in str(ei.value)


def test_countseries_defaults_and_check():
    s = CountSeries.from_counts([3, 0, 5], start="2024-02", freq="M")
    np.testing.assert_array_equal(s.exposure, [29, 31, 30])  # 2024 is a leap year
    assert s.total == 8 and s.labels == ["2024-02", "2024-03", "2024-04"]
    assert s.check() is s


def test_countseries_check_catches_overlap_and_negative():
    df = pd.DataFrame({"start": ["2024-01-01", "2024-01-05"], "end": ["2024-01-10", "2024-01-12"],
                       "count": [1, 2]})
    with pytest.raises(InputError, match="overlap"):
        CountSeries(df).check()
    df = pd.DataFrame({"start": ["2024-01-01"], "end": ["2024-01-02"], "count": [-1]})
    with pytest.raises(InputError, match="negative count"):
        CountSeries(df).check()


def test_countseries_groups_roundtrip(tmp_path):
    df = pd.DataFrame({"start": ["2024-01-01", "2024-01-01", "2024-01-02"],
                       "end": ["2024-01-02", "2024-01-02", "2024-01-03"],
                       "count": [1.0, 2.0, 0.5], "country": ["Iraq", "Syria", "Iraq"]})
    s = CountSeries(df, freq="D", groups=("country",)).check()
    keys = [k for k, _ in s.iter_groups()]
    assert keys == [("Iraq",), ("Syria",)]
    assert s.select(country="Iraq").total == 1.5
    p = tmp_path / "s.csv"
    s.to_csv(p)
    back = CountSeries.read_csv(p, freq="D", groups=("country",))
    pd.testing.assert_frame_equal(back.data, s.data)


def test_from_table_reports_bad_count_row():
    t = pd.DataFrame({"t": ["2024-01", "2024-02"], "y": ["3", "x"]})
    with pytest.raises(InputError, match=r"f.csv, row 3, column 'y'"):
        CountSeries.from_table(t, time="t", count="y", file="f.csv")
