"""NB2 GLR ARL calibration benchmark: figures printed, never asserted (issue 17).

In-control models (labelled synthetic): weekly NB2 counts with alpha 0.3 and a constant mean 3
(the closed-form path of the statistic) or a seasonal mean ``3 (1 + 0.5 sin(2 pi t / 52))``
(every segment takes the Newton iteration). For each model and window ``M`` (None, 52, 26)
it prints the median wall time of ``--repeat`` calibrations (default 3; the machine is shared,
so single runs are noisy) of :func:`analysis.monitor.calibrate_threshold` for a target ARL of
52 weeks with ``--n-sim`` simulations (default 1000), the threshold, the simulated ARL and its
Monte-Carlo standard error, and, for comparison, the same calibration of the Poisson GLR.
The compiled kernels are loaded (or compiled) before the clock starts.

Run: ``python benchmarks/monitor_nb.py [--n-sim 1000] [--repeat 3]``.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from analysis.monitor import calibrate_threshold


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n-sim", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)
    t = np.arange(52)
    models = {"constant": np.full(52, 3.0), "seasonal": 3.0 * (1 + 0.5 * np.sin(2 * np.pi * t / 52))}
    calibrate_threshold(models["seasonal"][:8], 5, alpha=0.3, n_sim=5)  # load the kernels
    print(f"{'mean':<10}{'statistic':<10}{'M':>5}{'seconds':>9}{'threshold':>11}{'ARL':>8}{'MC se':>7}")
    for name, mu in models.items():
        for stat, M in [("nb", None), ("nb", 52), ("nb", 26), ("poisson", None)]:
            times, cal = [], None
            for _ in range(args.repeat):
                t0 = time.perf_counter()
                cal = calibrate_threshold(mu, 52, alpha=0.3 if stat == "nb" else 0.0, M=M,
                                          n_sim=args.n_sim, seed=1)
                times.append(time.perf_counter() - t0)
            print(f"{name:<10}{stat:<10}{str(M):>5}{statistics.median(times):>9.2f}{cal.threshold:>11.4f}"
                  f"{cal.arl:>8.1f}{cal.arl_se:>7.2f}")


if __name__ == "__main__":
    main()
