"""Event-informed Bayesian changepoint priors: posterior mass near events and Bayes factors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis import CountSeries
from analysis.changepoints import BayesianChangepoints, EventPrior
from analysis.events import event_bayes_factors, event_posterior
from analysis.synthetic import piecewise_poisson

SETTINGS = dict(p_change=0.02, min_size=2)


def _events(series, at=40, far=12):
    d = series.start
    return pd.DataFrame({"event_id": ["AT", "NEAR", "FAR"],
                         "date": [d[at].strftime("%Y-%m-%d"), (d[at] + pd.Timedelta(days=3)).strftime("%Y-%m-%d"),
                                  d[far].strftime("%Y-%m-%d")],
                         "label": ["at the change", "3 days after it", "28 weeks before it"]})


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_bayes_factor_favours_event_prior_only_at_a_change(seed):
    s, cpts = piecewise_poisson((2.0, 8.0), (40, 40), start="2022-01-03", freq="W", seed=seed)
    assert cpts == (40,)
    bf = event_bayes_factors(s, _events(s), window_days=14, **SETTINGS).set_index("event_id")
    assert bf.loc["AT", "log_bf"] > 1.0 and bf.loc["NEAR", "log_bf"] > 1.0
    assert bf.loc["FAR", "log_bf"] < 0
    # it is the difference of two proper evidences
    direct = (BayesianChangepoints(event_prior=EventPrior([s.start[40]], 14, 10.0), **SETTINGS).fit(s).log_evidence
              - BayesianChangepoints(**SETTINGS).fit(s).log_evidence)
    assert bf.loc["AT", "log_bf"] == pytest.approx(direct, rel=1e-10)
    # a sure change at the event cannot gain more than the prior odds factor
    assert bf["log_bf"].max() < np.log(10.0) + 1e-9


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_bayes_factor_against_event_prior_without_change(seed):
    s, _ = piecewise_poisson((4.0,), (80,), start="2022-01-03", freq="W", seed=seed)
    bf = event_bayes_factors(s, _events(s), window_days=14, combined=False, **SETTINGS)
    assert (bf["log_bf"] < 0).all()


def test_event_posterior_with_real_posterior():
    s, _ = piecewise_poisson((2.0, 8.0), (40, 40), start="2022-01-03", freq="W", seed=5)
    res = BayesianChangepoints(**SETTINGS).fit(s)
    post = event_posterior(res, s, _events(s), window_days=14).set_index("event_id")
    assert post.loc["AT", "rows_in_window"] == 5          # rows 38..42 start within 14 days
    assert post.loc["AT", "expected_changes_within"] == pytest.approx(res.prob_change[38:43].sum())
    assert post.loc["AT", "p_change_within"] > 0.9
    assert post.loc["FAR", "p_change_within"] < 0.1


def test_p_any_change_within_equals_enumeration():
    """P(at least one change in an event's window) by listing every segmentation of a
    short weekly series; the old p_change_within (expected count, capped at 1) is only
    an upper bound when two changes fit in the window."""
    import itertools
    import math

    y = np.array([1, 0, 2, 9, 1, 8, 2, 9, 1, 1, 0, 2], float)
    s = CountSeries.from_counts(y, start="2024-01-01", freq="W")
    n, a, b, p = len(y), 1.0, 0.5, 0.3
    res = BayesianChangepoints((a, b), p).fit(s)
    weights, sets = [], []
    for bits in itertools.product([0, 1], repeat=n - 1):
        cps = [t + 1 for t, on in enumerate(bits) if on]
        bd = [0, *cps, n]
        lw = len(cps) * math.log(p) + (n - 1 - len(cps)) * math.log1p(-p)
        for lo, hi in zip(bd[:-1], bd[1:]):
            S, E = y[lo:hi].sum(), hi - lo
            lw += a * math.log(b) - math.lgamma(a) + math.lgamma(a + S) - (a + S) * math.log(b + E)
        weights.append(lw)
        sets.append(set(cps))
    w = np.exp(np.array(weights) - np.logaddexp.reduce(weights))
    ev = pd.DataFrame({"event_id": ["X", "Y"], "date": ["2024-02-01", "2024-03-10"], "label": ["x", "y"]})
    post = event_posterior(res, s, ev, window_days=10).set_index("event_id")
    for eid, d in (("X", "2024-02-01"), ("Y", "2024-03-10")):
        st = s.start
        rows = set(np.flatnonzero(np.asarray((st >= pd.Timestamp(d) - pd.Timedelta(days=10))
                                             & (st <= pd.Timestamp(d) + pd.Timedelta(days=10)))))
        ref = float(sum(wi for wi, c in zip(w, sets) if c & rows))
        assert post.loc[eid, "p_any_change_within"] == pytest.approx(ref, abs=1e-12)
        expected = float(sum(wi * len(c & rows) for wi, c in zip(w, sets)))
        assert post.loc[eid, "expected_changes_within"] == pytest.approx(expected, abs=1e-12)
    # three weeks in the window, two changes fit: the expected count exceeds the probability
    assert post.loc["X", "p_any_change_within"] < post.loc["X", "expected_changes_within"] - 0.05
