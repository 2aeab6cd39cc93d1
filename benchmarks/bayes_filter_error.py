"""Error of the filtered Bayesian posterior against the exact one (issue 14, point 1).

Printed, never asserted. For seeded synthetic series (piecewise-constant Poisson counts
with 10 changes, as in ``benchmarks/changepoints.py``; labelled synthetic) at each n it
runs the exact recursions and the filtered ones at several caps
(``max_run_lengths``), and prints the largest difference in ``prob_change``, whether
the MAP segmentation is the same, the expected number of changes of both, the
difference in ``log_evidence``, the largest difference in the posterior mean rate, the
run-length mass resampled and dropped, and both run times (the machine is shared:
times are indicative). The exact posterior needs O(n^2) memory (about 1.9 GiB at
20,000 rows). Run: ``python benchmarks/bayes_filter_error.py [--n 1000,5000,20000]
[--caps 100,200,500,1000]``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from changepoints import synthetic_series  # noqa: E402


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", default="1000,5000,20000")
    ap.add_argument("--caps", default="100,200,500,1000")
    ap.add_argument("--seed", type=int, default=7)
    a = ap.parse_args(argv)
    from analysis.changepoints import BayesianChangepoints

    BayesianChangepoints(mode="filtered").fit(np.array([1.0, 2.0, 3.0]))  # load kernels
    BayesianChangepoints(mode="exact").fit(np.array([1.0, 2.0, 3.0]))
    print(f"{'n':>6} {'cap':>5} {'max|dP|':>9} {'MAP same':>8} {'E[k] exact':>10} {'E[k] filt':>10} "
          f"{'d logev':>9} {'max|d rate|':>11} {'resampled':>9} {'dropped':>9} {'exact s':>8} {'filt s':>7}")
    for n in (int(float(v)) for v in a.n.split(",")):
        y, _ = synthetic_series(n, seed=a.seed)
        kw = dict(p_change=10 / n, n_draws=200)
        t = time.perf_counter()
        ex = BayesianChangepoints(mode="exact", **kw).fit(y)
        te = time.perf_counter() - t
        for cap in (int(v) for v in a.caps.split(",")):
            t = time.perf_counter()
            fi = BayesianChangepoints(mode="filtered", max_run_lengths=cap, **kw).fit(y)
            tf = time.perf_counter() - t
            print(f"{n:>6} {cap:>5} {np.max(np.abs(ex.prob_change - fi.prob_change)):>9.2e} "
                  f"{str(ex.map_changepoints == fi.map_changepoints):>8} {ex.expected_changes:>10.4f} "
                  f"{fi.expected_changes:>10.4f} {fi.log_evidence - ex.log_evidence:>9.2e} "
                  f"{np.max(np.abs(ex.rate_mean - fi.rate_mean)):>11.2e} "
                  f"{fi.prior['resampled_mass']:>9.2e} {fi.prior['discarded_mass']:>9.2e} "
                  f"{te:>8.2f} {tf:>7.2f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
