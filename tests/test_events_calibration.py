"""Size of the alignment test: on series with no change it rejects at its nominal rate.

200 seeded constant-rate Poisson series (synthetic, weekly, 80 weeks). In each, the
single most likely change (the Poisson likelihood-ratio split with at least 4 rows on
each side: what a changepoint search forced to report one change returns) is tested
against five events placed independently of the series, at 5%. Under the shift null
the test is exact here (the events' placement is invariant under circular shifts); the
uniform null draws the change among the same admissible rows. The rejection count must
lie in the central 99.9% binomial range for 200 trials at 5%.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis.events import alignment_test
from analysis.synthetic import piecewise_poisson

N_SERIES, LEVEL, MIN_SIZE = 200, 0.05, 4


def _best_split(y: np.ndarray, min_size: int) -> int:
    """Row index starting the second segment of the best single Poisson split."""
    n = len(y)
    cs = np.concatenate([[0.0], np.cumsum(y)])
    t = np.arange(min_size, n - min_size + 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        ll = lambda s, m: np.where(s > 0, s * np.log(s / m), 0.0)  # noqa: E731
        lr = ll(cs[t], t) + ll(cs[-1] - cs[t], n - t)
    return int(t[np.argmax(lr)])


@pytest.fixture(scope="module")
def p_values():
    out = {"uniform": [], "shift": []}
    for rep in range(N_SERIES):
        s, _ = piecewise_poisson((5.0,), (80,), start="2023-01-02", freq="W", seed=1000 + rep)
        c = _best_split(s.counts, MIN_SIZE)
        lo, hi = s.start.min(), s.start.max()
        g = np.random.default_rng(5000 + rep)
        events = lo + pd.to_timedelta(np.sort(g.uniform(0, (hi - lo).days, 5)).round(), unit="D")
        for null in out:
            r = alignment_test([s.start[c]], events, window=(lo, hi), draws=9999, null=null,
                               candidates=s.start[MIN_SIZE:len(s) - MIN_SIZE + 1], seed=rep)
            out[null].append(r.p_value)
    return {k: np.array(v) for k, v in out.items()}


@pytest.mark.slow
@pytest.mark.parametrize("null", ["uniform", "shift"])
def test_alignment_rejects_at_nominal_rate_without_change(p_values, null):
    rejections = int(np.sum(p_values[null] <= LEVEL))
    lo, hi = stats.binom.interval(0.999, N_SERIES, LEVEL)
    assert lo <= rejections <= hi, f"{null}: {rejections}/{N_SERIES} rejections at {LEVEL}"
    # the p-values are roughly uniform as a whole, not just in the tail
    assert stats.kstest(p_values[null], "uniform").pvalue > 0.001
