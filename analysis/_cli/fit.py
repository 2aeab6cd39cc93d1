"""``incident-trends fit FILE --time COL --count COL --family F [...]``: a count regression.

JSON (DESIGN section 6)::

    {"family", "n", "terms": [{"name", "estimate", "se", "rate_ratio", "ci_low", "ci_high",
     "p_value"}], "dispersion", "aic", "bic", "llf", "offset", "rate_unit",
     "pearson_chi2", "pearson_dispersion", "alpha", "alpha_se", "alpha_ci", "theta",
     "theta_se", "ci", "ci_dist", "level", "intercept"}

``dispersion`` is the scale of the inference (R's ``summary(fit)$dispersion``: 1 for
poisson and negbin, Pearson chi2/df for quasipoisson); ``pearson_dispersion`` is the
Pearson chi2/df diagnostic for every family. ``theta`` = 1/``alpha`` and ``theta_se``
are ``MASS::glm.nb``'s (null unless negbin). ``intercept`` says what exp(intercept) is,
e.g. ``"baseline rate per month"``.

``offset`` is null when the model has none (the default for a fully observed regular
table, as R's ``glm(y ~ time, poisson)``), ``"log(COL)"`` with ``--exposure COL``,
``"log(days)"`` with ``--exposure days``, ``"log(period_exposure)"`` (days) for an
irregular series. ``rate_unit`` is the unit of ``exp(intercept)``, e.g. ``"per month"``.

Event term names are ``level:DATE``, ``slope:DATE`` or ``pulse:DATE``. ``aic``, ``bic``
and ``llf`` are null for quasipoisson (no likelihood, as R reports NA).
"""

from __future__ import annotations

import argparse

JSON_KEYS = ("family", "n", "terms", "dispersion", "aic", "bic", "llf", "offset", "rate_unit",
             "pearson_chi2", "pearson_dispersion", "alpha", "alpha_se", "alpha_ci", "theta",
             "theta_se", "ci", "ci_dist", "level", "intercept")


def _event(value: str):
    from ..models.design import parse_event
    try:
        return parse_event(value)
    except (ValueError, TypeError) as exc:
        raise argparse.ArgumentTypeError(f"{exc}; use DATE[:level|slope|level+slope|pulse]") from None


def _level(value: str) -> float:
    try:
        v = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--level must be a number in (0, 1), not {value!r}") from None
    if not 0 < v < 1:
        raise argparse.ArgumentTypeError(f"--level must be in (0, 1), not {value!r}")
    return v


def _seasonality(value: str) -> str:
    from ..models.design import parse_seasonality
    try:
        parse_seasonality(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc).replace("seasonality", "--seasonality", 1)) from None
    return value


def add_parser(sub):
    p = sub.add_parser(
        "fit", help="fit a Poisson / negative binomial / quasi-Poisson model with event terms",
        description="Fit a count regression (interrupted time series) to a table of counts. "
                    "Event terms code the period that contains the event date with the fraction "
                    "of its days on or after it. CIs are Wald with the normal quantile at "
                    "--level (default 0.95) unless --ci / --ci-dist say otherwise.")
    p.add_argument("file", help="CSV or Parquet table with a time column and a count column")
    p.add_argument("--time", required=True, metavar="COL",
                   help="time column: ISO dates, YYYY-MM, YYYY-Www, YYYYQn or years; 'start' on a "
                        "'normalize' output (rows are its [start, end) intervals)")
    p.add_argument("--count", required=True, metavar="COL", help="count column")
    p.add_argument("--exposure", metavar="COL|days",
                   help="offset: a column COL enters as log(COL) (R's offset(log(COL)), e.g. a "
                        "population); the word 'days' asks for log(days in each period) (rates per "
                        "day). Default: no offset for a plain regular table (one row per week, "
                        "month, ...); for a table in the layout 'normalize' writes (--time start, "
                        "with start, end and exposure columns) its exposure: log(period_exposure), "
                        "the observed fraction of each period (no offset when all are observed in "
                        "full); log(days) for irregular intervals. The output's 'offset' says which")
    p.add_argument("--family", required=True, choices=("poisson", "negbin", "quasipoisson"),
                   help="poisson; negbin (NB2, alpha by maximum likelihood); quasipoisson (Pearson scale)")
    p.add_argument("--trend", action="store_true",
                   help="add a linear trend: the period number 1, 2, ... n, not centred (R's "
                        "time = 1:n; per period of the table, e.g. per week on weekly data; per "
                        "day for irregular intervals)")
    p.add_argument("--seasonality", type=_seasonality, default=None,
                   metavar="fourier:K[:P]|harmonic:K[:P]|fourier-year:K|calendar",
                   help="fourier:K: K sine/cosine pairs of the period index, period P = 12 "
                        "(monthly), 4 (quarterly), 52.18 (weekly) unless given, R's "
                        "sin(2*pi*k*month/12) / harmonic(month, K, 12); harmonic:K: "
                        "tsModel::harmonic exactly (frequencies 1, 2, 4, ...); fourier-year:K: "
                        "pairs on the day of the calendar year; calendar: month shares")
    p.add_argument("--event", action="append", type=_event, default=[], metavar="DATE[:KIND]",
                   help="event term, KIND level (default; R's post = time > t0), slope "
                        "(I(time - t0):post, 1 in the first post-event period), level+slope or "
                        "pulse (time == t0 + 1); optional +LAG in periods; repeatable")
    p.add_argument("--slope-start", type=int, choices=(1, 0), default=1,
                   help="value of a slope term in the first post-event period: 1 (default, "
                        "R's I(time - t0):post) or 0")
    p.add_argument("--covariate", action="append", default=[], metavar="COL|log(COL)",
                   help="a column of the file as an extra term, or its log; repeatable. "
                        "Missing values are an error naming the row")
    p.add_argument("--standardize", action="store_true",
                   help="centre and scale the covariates to mean 0, sd 1 (R's scale(COL)); "
                        "default: per unit as given")
    p.add_argument("--events-file", metavar="FILE",
                   help="events table (event_id, date, label, ...): each event inside the series "
                        "enters as a term of --events-kind; events outside it are left out with a "
                        "warning (an --event outside the series is still an error)")
    p.add_argument("--events-kind", default="level", choices=("level", "slope", "level+slope", "pulse"),
                   help="term kind for the events of --events-file (default level)")
    p.add_argument("--level", type=_level, default=0.95, help="confidence level (default 0.95)")
    p.add_argument("--ci", default="wald", choices=("wald", "profile"),
                   help="intervals: wald (default; R's confint.default) or profile likelihood "
                        "(R's confint() on a glm; NB2 with theta held at its estimate, as MASS)")
    p.add_argument("--ci-dist", default=None, choices=("normal", "t"),
                   help="quantile of intervals and p-values: normal (default, every family; "
                        "R's confint.default and the tutorials) or Student t with the residual df; "
                        "with --segmented the default is t, as R's confint.segmented")
    p.add_argument("--cov-type", default="nonrobust", choices=("nonrobust", "HAC"),
                   help="model-based or Newey-West (HAC) standard errors")
    p.add_argument("--segmented", action="store_true",
                   help="broken-line trend: the log rate is linear in the period number with one "
                        "estimated breakpoint psi (R's segmented(glm(...), seg.Z = ~time)); poisson "
                        "or negbin; prints psi with its standard error and intervals and the slopes "
                        "before and after it (analysis.models.fit_segmented); the psi interval "
                        "uses --ci-dist (R's confint.segmented uses t)")
    p.add_argument("--hac-maxlags", type=_nonneg_int, default=None, metavar="N",
                   help="HAC truncation lag (default floor(4 (n/100)^(2/9)))")
    return p


def _nonneg_int(value: str) -> int:
    try:
        v = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--hac-maxlags must be a whole number >= 0, not {value!r}") from None
    if v < 0:
        raise argparse.ArgumentTypeError(f"--hac-maxlags must be a whole number >= 0, not {value!r}")
    return v


def _check_counts(table, *, count: str, file: str) -> None:
    """Counts must be finite and non-negative: an InputError names file, row and column."""
    import numpy as np
    import pandas as pd

    from ..schema import InputError
    y = pd.to_numeric(table[count], errors="coerce").to_numpy(float)
    bad = np.flatnonzero(np.isfinite(y) & (y < 0) | np.isinf(y))
    if len(bad):
        i = int(bad[0])
        what = "negative" if y[i] < 0 and np.isfinite(y[i]) else "not finite"
        raise InputError(f"count {table[count].iloc[i]!r} is {what}; counts must be finite and >= 0",
                         file=file, row=i + 2, column=count)


def _exposure(table, value, *, file: str):
    """The ``exposure=`` of :func:`fit_counts` for ``--exposure``: None, "days" or an array.

    None is the model's default: ``log(period_exposure)`` of the series, which for a
    table in the layout ``normalize`` writes (``start, end, exposure``) is its own
    exposure column (no offset when every period is observed in full). A column must
    hold positive numbers (:meth:`CountSeries.exposure_column` names file, row, column).
    """
    if value is None or value == "days":
        return value
    from ..series import CountSeries
    x = CountSeries.exposure_column(table, value, file=file)
    return _NamedExposure(x, f"log({value})", f"per unit of {value}")


def _covariates(table, series, specs, *, file: str):
    """``(series with the covariate columns, covariate specs)`` for ``--covariate``.

    Each value must be a number (positive under ``log(COL)``): an InputError names the
    file, row and column.
    """
    import re

    import numpy as np
    import pandas as pd

    from ..schema import InputError
    from ..series import CountSeries
    cols = {}
    for spec in specs:
        m = re.match(r"^\s*log\((.+)\)\s*$", spec)
        col = m.group(1).strip() if m else spec.strip()
        if col not in table.columns:
            raise InputError(f"no column {col!r} for --covariate {spec!r}; the file has "
                             f"{list(table.columns)}", file=file, row=1, column=col)
        raw = table[col]
        x = pd.to_numeric(raw.astype(str).str.strip().replace({"": None}), errors="coerce").to_numpy(float)
        bad = np.flatnonzero(~np.isfinite(x))
        if len(bad):
            i = int(bad[0])
            raise InputError(f"covariate value {raw.iloc[i]!r} is missing or not a number; "
                             "fill or drop the row (missing values are never imputed)",
                             file=file, row=i + 2, column=col)
        if m:
            bad = np.flatnonzero(x <= 0)
            if len(bad):
                i = int(bad[0])
                raise InputError(f"covariate value {raw.iloc[i]!r} must be positive for {spec}",
                                 file=file, row=i + 2, column=col)
        cols[col] = x
    # the time labels of a table strictly increase (CountSeries.from_table refuses anything
    # else), so its rows are the series' rows
    data = series.data.copy()
    for col, x in cols.items():
        if col in data.columns:
            raise InputError(f"--covariate {col!r}: the name is taken by the series' own column "
                             f"{col!r} (columns {list(data.columns)}); rename the column in the file",
                             file=file, row=1, column=col)
        data[col] = x
    new = CountSeries(data, freq=series.freq, groups=series.groups, attrs=series.attrs)
    return new, [s.strip() for s in specs]


class _NamedExposure:
    """An exposure array that keeps its column name for the result's ``offset`` label."""

    def __init__(self, values, label, unit):
        self.values, self.label, self.unit = values, label, unit

    def __array__(self, dtype=None, copy=None):
        import numpy as np
        return np.asarray(self.values, dtype=dtype)


def _read_table(path: str):
    from ._table import read_table
    return read_table(path)


def _events_from_file(path: str, kind: str):
    from ..models.design import EventTerm
    try:
        from ..io import read_events
    except ImportError:  # pragma: no cover - the io package ships with the project
        read_events = None
    if read_events is not None:
        ev = read_events(path)
    else:  # pragma: no cover
        import pandas as pd
        ev = pd.read_csv(path)
        ev["date"] = pd.to_datetime(ev["date"])
    seen, out = set(), []
    for d in ev["date"]:
        if d in seen:  # two catalogue entries on one day are one event term
            continue
        seen.add(d)
        out.append(EventTerm(d, kind=kind))
    return out


def run(args) -> dict:
    import warnings

    from ..models import fit_counts
    from ..series import CountSeries

    table = _read_table(args.file)
    with warnings.catch_warnings(record=True) as read_warnings:  # e.g. gaps in the time labels
        warnings.simplefilter("always")
        series = CountSeries.from_table(table, time=args.time, count=args.count, file=args.file)
    _check_counts(table, count=args.count, file=args.file)
    exposure = _exposure(table, args.exposure, file=args.file)
    covariates = None
    if args.covariate:
        series, covariates = _covariates(table, series, args.covariate, file=args.file)
    events = list(args.event)
    outside = "error"
    if args.events_file:
        if events:  # an event given on the command line must lie inside the series
            from ..models import build_design
            build_design(series, events=events, events_outside="error")
        events += _events_from_file(args.events_file, args.events_kind)
        outside = "drop"
        # an event given both ways enters once
        uniq, keys = [], set()
        for e in events:
            if (e.date, e.kind, e.lag) not in keys:
                keys.add((e.date, e.kind, e.lag))
                uniq.append(e)
        events = uniq
    if getattr(args, "segmented", False):
        return _run_segmented(args, series, events, outside, exposure, covariates, read_warnings)
    fit = _fit_or_exit(args, read_warnings, lambda: fit_counts(
        series, family=args.family, trend=args.trend, seasonality=args.seasonality, events=events,
        cov_type=args.cov_type, hac_maxlags=args.hac_maxlags, level=args.level, events_outside=outside,
        exposure=exposure, ci=args.ci, ci_dist=args.ci_dist or "normal", slope_start=args.slope_start,
        covariates=covariates, standardize=args.standardize))
    if isinstance(fit, int):
        return fit
    d = fit.to_dict()
    return {k: d[k] for k in JSON_KEYS}


def _fit_or_exit(args, read_warnings, fit):
    """Run ``fit()`` with warnings recorded; the fit, or exit code 2 for options that do not
    fit these data (e.g. --seasonality on a yearly series: bad usage, message, no traceback).
    A ModelError names the file; other package errors (InputError is a ValueError) propagate.
    The reader's and the fit's warnings are printed unless --quiet."""
    import sys
    import warnings

    from ..schema import IncidentTrendsError, ModelError

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = fit()
        except ValueError as exc:
            if isinstance(exc, ModelError):  # name the file the model could not be fitted to
                raise ModelError(f"{args.file}: {exc}") from None
            if isinstance(exc, IncidentTrendsError):
                raise
            print(f"incident-trends fit: error: {exc}", file=sys.stderr)
            return 2
    if not getattr(args, "quiet", False):
        for w in list(read_warnings) + list(caught):
            print(f"incident-trends fit: warning: {w.message}", file=sys.stderr)
    return result


def _run_segmented(args, series, events, outside, exposure, covariates, read_warnings):
    """``fit --segmented``: :func:`analysis.models.fit_segmented` with the same terms."""
    import sys

    from ..models import fit_segmented

    bad = ([f"--family {args.family} (poisson or negbin only)"] if args.family not in ("poisson", "negbin") else [])
    bad += ["--cov-type HAC"] if args.cov_type != "nonrobust" else []
    bad += ["--ci profile"] if args.ci != "wald" else []
    if bad:
        print(f"incident-trends fit: error: --segmented does not take {', '.join(bad)}; its standard "
              "errors are model-based and its psi interval is delta-method and profile", file=sys.stderr)
        return 2
    fit = _fit_or_exit(args, read_warnings, lambda: fit_segmented(
        series, family=args.family, seasonality=args.seasonality, events=events, exposure=exposure,
        level=args.level, ci_dist=args.ci_dist or "t",   # R's confint.segmented
        events_outside=outside, slope_start=args.slope_start, covariates=covariates,
        standardize=args.standardize))
    return fit if isinstance(fit, int) else fit.to_dict()


def _render_segmented(res: dict) -> str:
    def g(v):
        return "NA" if v is None else f"{v:.6g}"
    lo, hi = res["psi_ci"]
    plo, phi = res["psi_ci_profile"]
    lines = [f"family {res['family']}, n = {res['n']}, log-likelihood {g(res['llf'])}, AIC {g(res['aic'])}, "
             f"BIC {g(res['bic'])} (psi counted)",
             f"offset {res['offset'] or 'none'}; rates {res['rate_unit']}"
             + (f"; alpha {g(res['alpha'])}" if res["alpha"] is not None else ""),
             f"breakpoint psi {g(res['psi'])} ({res['psi_date']}, trend scale), se {g(res['psi_se'])}; "
             f"{res['level']:.0%} interval {res['psi_ci_method']} [{g(lo)}, {g(hi)}], profile "
             f"[{g(plo)}, {g(phi)}]" + ("; on a data value (kink): prefer the profile interval"
                                       if res["at_kink"] else "")]
    for s in res["slopes"]:
        lines.append(f"slope {s['segment']}: {g(s['estimate'])} per {res['time_unit']} (rate ratio "
                     f"{g(s['rate_ratio'])}, {g(s['ci_low'])} to {g(s['ci_high'])})")
    cols = ("estimate", "se", "rate_ratio", "ci_low", "ci_high", "p_value")
    w = max([len("name")] + [len(t["name"]) for t in res["terms"]])
    lines.append("name".ljust(w) + "".join(" " + c.rjust(12) for c in cols))
    for t in res["terms"]:
        lines.append(t["name"].ljust(w) + "".join(" " + g(t[c]).rjust(12) for c in cols))
    return "\n".join(lines)


def render_text(res: dict) -> str:
    if "psi" in res:
        return _render_segmented(res)

    def g(v):
        return "NA" if v is None else f"{v:.6g}"
    lines = [f"family {res['family']}, n = {res['n']}, dispersion {g(res['dispersion'])}, "
             f"AIC {g(res['aic'])}, BIC {g(res['bic'])}, log-likelihood {g(res['llf'])}",
             f"offset {res['offset'] or 'none'}; rates {res['rate_unit']} "
             f"(rate_ratio = exp(estimate); exp(intercept) is the {res['intercept']})",
             f"Pearson chi2/df {g(res['pearson_dispersion'])}"
             + (f"; theta {g(res['theta'])} (se {g(res['theta_se'])}), alpha = 1/theta "
                f"{g(res['alpha'])}" if res["theta"] is not None else "")
             + f"; {'profile-likelihood' if res['ci'] == 'profile' else 'Wald'} intervals at "
             f"{res['level']:.0%}, {res['ci_dist']} quantile"]
    cols = ("estimate", "se", "rate_ratio", "ci_low", "ci_high", "p_value")
    w = max([len("name")] + [len(t["name"]) for t in res["terms"]])
    # a space before every column: a 6-significant-digit value can fill all 12 places
    lines.append("name".ljust(w) + "".join(" " + c.rjust(12) for c in cols))
    for t in res["terms"]:
        lines.append(t["name"].ljust(w) + "".join(" " + g(t[c]).rjust(12) for c in cols))
    return "\n".join(lines)
