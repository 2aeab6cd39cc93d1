"""Argument checks: messages name the argument and list the allowed values."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis._validation import (bool_like, date_like, float_like, format_choices, int_like,
                                  path_like, probability, sequence_of_str, string_like)


def test_string_like():
    assert string_like("W", "freq", options=("D", "W")) == "W"
    assert string_like("Poisson", "family", options=("poisson", "negbin"), lower=True) == "poisson"
    assert string_like(None, "x", optional=True) is None
    with pytest.raises(ValueError, match=r"^`freq` must be one of 'D', 'W', 'M', 'Q'; got 'weekly'$"):
        string_like("weekly", "freq", options=("D", "W", "M", "Q"))
    with pytest.raises(TypeError, match=r"^`freq` must be a string \(one of 'D', 'W'\); got int 7$"):
        string_like(7, "freq", options=("D", "W"))


def test_int_like():
    assert int_like(np.int64(3), "min_size", minimum=1) == 3
    with pytest.raises(ValueError, match=r"^`min_size` must be an integer >= 1; got 0$"):
        int_like(0, "min_size", minimum=1)
    with pytest.raises(ValueError, match=r"between 1 and 5; got 9"):
        int_like(9, "k", minimum=1, maximum=5)
    for bad in (True, 2.0, "2"):
        with pytest.raises(TypeError, match=r"^`draws` must be an integer"):
            int_like(bad, "draws")


def test_float_like_and_probability():
    assert float_like(2, "window_days", minimum=0) == 2.0
    with pytest.raises(ValueError, match=r"^`alpha` must be a number > 0; got 0.0$"):
        float_like(0, "alpha", minimum=0, strict_minimum=True)
    with pytest.raises(ValueError, match=r"must be finite"):
        float_like(float("nan"), "alpha")
    with pytest.raises(TypeError, match=r"^`alpha` must be a number; got str"):
        float_like("1", "alpha")
    assert probability(0.95, "level") == 0.95
    with pytest.raises(ValueError, match=r"^`level` must be strictly between 0 and 1; got 95.0$"):
        probability(95, "level")
    assert probability(1.0, "p", open_interval=False) == 1.0


def test_bool_date_path_sequence():
    assert bool_like(np.bool_(True), "trend") is True
    with pytest.raises(TypeError, match=r"^`trend` must be True or False; got str 'yes'$"):
        bool_like("yes", "trend")
    expected = pd.Timestamp("2024-01-28")
    for v in ("2024-01-28", dt.date(2024, 1, 28), np.datetime64("2024-01-28"), expected):
        assert date_like(v, "date") == expected
    with pytest.raises(ValueError, match=r"^`date` must be a date such as '2024-01-28'; got 'soon'"):
        date_like("soon", "date")
    with pytest.raises(ValueError, match=r"without a time of day"):
        date_like("2024-01-28 12:00", "date")
    with pytest.raises(TypeError, match=r"^`date` must be a date"):
        date_like(20240128, "date")
    assert path_like(Path("a/b.csv"), "path") == "a/b.csv"
    with pytest.raises(TypeError, match=r"^`path` must be a file path"):
        path_like(3, "path")
    assert sequence_of_str("country", "groups") == ("country",)
    assert sequence_of_str(None, "groups") == ()
    with pytest.raises(ValueError, match=r"items of `groups` must be among 'country', 'weapon'; got 'colour'"):
        sequence_of_str(["country", "colour"], "groups", options=("country", "weapon"))
    with pytest.raises(TypeError, match=r"every item of `groups` must be a string; got int 3"):
        sequence_of_str(["country", 3], "groups")
    assert format_choices(["a", "b"]) == "'a', 'b'"


@pytest.mark.parametrize("module", ["analysis._validation", "analysis.io.reports", "analysis.io.acled",
                                    "analysis.io.ucdp", "analysis.io.tallies", "analysis.io.events",
                                    "analysis.io._dates"])
def test_docstring_examples_run(module):
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(module), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
