"""Event-informed Bayesian changepoint priors: posterior mass near events and Bayes factors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

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
