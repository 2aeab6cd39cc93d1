"""``incident-trends monitor SERIES --baseline START:END [...]``: prospective change detection.

SERIES is a series CSV (``start, end, count, exposure``, as ``normalize`` writes). JSON::

    {"rate", "rate_unit", "in_control", "model", "detector", "detector_description", "alpha",
     "observation", "direction", "window", "threshold", "arl": {"target", "simulated", "se",
     "n_sim", "seed", "horizon", "censored", "statistic"} or null, "periods": [{"start",
     "end", "count", "expected", "statistic", "threshold", "alarm", "change_start",
     "p_changed", "p_run_lt_k"}]}

``in_control`` states the in-control model, with the prior (``--rate-prior``) or floor
(``--min-rate``) a baseline without events needs. ``--model poisson|negbin|quasipoisson``
fits that count model on the baseline period (intercept, ``--trend``, ``--seasonality``) as
the in-control model instead of its rate; an NB2 model is monitored with the NB2 GLR
(``detector`` "nb", as R ``surveillance::glrnb`` with the fitted ``alpha``), every other
in-control model with the Poisson GLR (``detector`` "poisson", ``glrpois``).

Exit 0 with or without alarms, 1 on bad data.
"""

from __future__ import annotations

import argparse

JSON_KEYS = ("rate", "rate_unit", "in_control", "model", "detector", "detector_description", "alpha",
             "observation", "direction", "window", "threshold", "arl", "periods")
ARL_KEYS = ("target", "simulated", "se", "n_sim", "seed", "horizon", "censored", "statistic")
PERIOD_KEYS = ("start", "end", "count", "expected", "statistic", "threshold", "alarm", "change_start",
               "p_changed", "p_run_lt_k")


def _baseline(value: str):
    import pandas as pd
    parts = value.split(":")
    try:
        if len(parts) != 2:
            raise ValueError
        a, b = pd.Timestamp(parts[0]), pd.Timestamp(parts[1])
    except ValueError:
        raise argparse.ArgumentTypeError(f"--baseline must be START:END (ISO dates), not {value!r}") from None
    if not a < b:
        raise argparse.ArgumentTypeError(f"--baseline START must be before END, not {value!r}")
    return a, b


def _positive(value: str) -> float:
    try:
        v = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number > 1, not {value!r}") from None
    if not v > 1:
        raise argparse.ArgumentTypeError(f"expected a number > 1, not {value!r}")
    return v


def _rate_prior(value: str):
    try:
        a, b = (float(v) for v in value.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"--rate-prior must be SHAPE,RATE (a Gamma), not {value!r}") from None
    if not (a > 0 and b >= 0):
        raise argparse.ArgumentTypeError(f"--rate-prior needs SHAPE > 0 and RATE >= 0, not {value!r}")
    return a, b


def _min_rate(value: str) -> float:
    try:
        v = float(value)
    except ValueError:
        v = float("nan")
    if not v > 0:
        raise argparse.ArgumentTypeError(f"--min-rate must be a number > 0, not {value!r}")
    return v


def _window(value: str) -> int:
    try:
        v = int(value)
    except ValueError:
        v = 0
    if v < 1:
        raise argparse.ArgumentTypeError(f"--window must be a whole number of periods >= 1, not {value!r}")
    return v


def _seasonality(value: str) -> str:
    from .fit import _seasonality as check
    return check(value)


def add_parser(sub):
    p = sub.add_parser("monitor", help="GLR alarms and online change probability after a baseline",
                       description="Monitor the periods after a baseline with the GLR detector "
                                   "(Poisson, or NB2 for an NB2 in-control model; threshold for an "
                                   "in-control ARL, calibrated by simulation) and Bayesian online "
                                   "changepoint detection.")
    p.add_argument("series", help="series CSV: start, end, count, exposure")
    p.add_argument("--baseline", required=True, type=_baseline, metavar="START:END")
    p.add_argument("--direction", default="up", choices=("up", "down", "both"))
    p.add_argument("--arl", type=_positive, default=52.0, help="in-control ARL in periods (default 52)")
    p.add_argument("--threshold", type=float, default=None, help="GLR threshold (skips calibration)")
    p.add_argument("--model", default="rate", choices=("rate", "poisson", "negbin", "quasipoisson"),
                   help="in-control model: the baseline's rate (default), or this count model fitted on "
                        "the baseline period; negbin is monitored with the NB2 GLR")
    p.add_argument("--trend", action="store_true", help="with --model: a linear trend in the fitted model")
    p.add_argument("--seasonality", type=_seasonality, default=None, metavar="SPEC",
                   help="with --model: seasonal terms of the fitted model (as for fit)")
    p.add_argument("--window", type=_window, default=None, metavar="M",
                   help="GLR window: change times at most M periods back (surveillance's M; "
                        "default: all periods since the last alarm)")
    p.add_argument("--n-sim", type=int, default=1000, help="simulations for the ARL (default 1000)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--freq", default=None, choices=("D", "W", "M", "Q", "Y"),
                   help="calendar frequency of the rows (rates per full period); without it, per day")
    p.add_argument("--since", default=None, metavar="DATE", help="print only periods starting on or after DATE")
    p.add_argument("--rate-prior", type=_rate_prior, default=None, metavar="SHAPE,RATE",
                   help="Gamma prior on the in-control rate (per full period): the rate is its "
                        "posterior mean; needed to calibrate after a baseline without events")
    p.add_argument("--min-rate", type=_min_rate, default=None, metavar="RATE",
                   help="floor on the in-control rate (events per full period)")
    return p


def run(args) -> dict | int:
    import sys
    import warnings

    import pandas as pd

    from ..monitor import monitor
    from ..schema import InputError
    from ..series import CountSeries
    if args.model == "rate" and (args.trend or args.seasonality):
        print("incident-trends monitor: error: --trend and --seasonality need --model poisson, negbin "
              "or quasipoisson", file=sys.stderr)
        return 2
    if args.model != "rate" and (args.rate_prior is not None or args.min_rate is not None):
        print("incident-trends monitor: error: --rate-prior and --min-rate apply to the baseline's rate "
              "(--model rate), not to a fitted model", file=sys.stderr)
        return 2
    try:
        series = CountSeries.read_csv(args.series, freq=args.freq)
    except (FileNotFoundError, IsADirectoryError, PermissionError, InputError):
        raise  # an InputError already names the file, row and column
    except (ValueError, KeyError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise InputError(f"cannot read the series: {exc}", file=args.series) from None
    baseline = args.baseline
    if args.model != "rate":
        from ..models import fit_counts
        b0, b1 = args.baseline
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                baseline = fit_counts(series.window(b0, b1), family=args.model, trend=args.trend,
                                      seasonality=args.seasonality)
            except ValueError as exc:
                raise InputError(f"cannot fit the {args.model} in-control model on the baseline "
                                 f"{b0.date()}..{b1.date()}: {exc}", file=args.series) from None
        for w in caught:
            print(f"incident-trends monitor: warning: {w.message}", file=sys.stderr)
    try:
        out = monitor(series, baseline=baseline, direction=args.direction, arl=args.arl,
                      threshold=args.threshold, n_sim=args.n_sim, seed=args.seed, M=args.window,
                      rate_prior=args.rate_prior, min_rate=args.min_rate)
    except ValueError as exc:
        raise InputError(str(exc), file=args.series) from None
    if args.since:
        out = out[out["start"] >= pd.Timestamp(args.since)]
    cal = out.attrs["calibration"]
    rows = []
    for r in out.itertuples(index=False):
        rows.append({"start": str(r.start.date()), "end": str(r.end.date()), "count": float(r.count),
                     "expected": float(r.expected), "statistic": float(r.statistic),
                     "threshold": float(r.threshold), "alarm": bool(r.alarm),
                     "change_start": None if pd.isna(r.change_start) else str(r.change_start.date()),
                     "p_changed": float(r.p_changed), "p_run_lt_k": float(r.p_run_lt_k)})
    arl = None if cal is None else {
        "target": cal.target, "simulated": cal.arl, "se": cal.arl_se, "n_sim": cal.n_sim, "seed": cal.seed,
        "horizon": cal.horizon, "censored": cal.censored, "statistic": cal.statistic}
    return {"rate": out.attrs["rate"], "rate_unit": out.attrs["rate_unit"],
            "in_control": out.attrs["in_control"], "model": args.model, "detector": out.attrs["detector"],
            "detector_description": out.attrs["detector_description"], "alpha": out.attrs["alpha"],
            "observation": out.attrs["observation"], "direction": args.direction, "window": args.window,
            "threshold": float(out["threshold"].iloc[0]) if len(out) else args.threshold,
            "arl": arl, "periods": rows}


def render_text(result: dict) -> str:
    if result["rate"] is not None:
        head = f"in-control rate {result['rate']:.4g} {result['rate_unit']} ({result['in_control']})"
    else:
        head = f"in-control model: {result['in_control']}"
    head += f"; detector {result['detector_description']}"
    if result["window"]:
        head += f", window {result['window']} periods"
    head += f"; threshold {result['threshold']:.4g}" if result["threshold"] is not None else ""
    if result["arl"]:
        a = result["arl"]
        head += f" (ARL {a['simulated']:.1f} +/- {a['se']:.1f} for target {a['target']:g}, {a['n_sim']} sims)"
    lines = [head, f"{'start':<11}{'count':>6}{'expected':>9}{'GLR':>8}  alarm  change     P(changed)"]
    for r in result["periods"]:
        lines.append(f"{r['start']:<11}{r['count']:>6g}{r['expected']:>9.3f}{r['statistic']:>8.3f}  "
                     f"{'ALARM' if r['alarm'] else '     '}  {r['change_start'] or '':<10} {r['p_changed']:.3f}")
    return "\n".join(lines)
