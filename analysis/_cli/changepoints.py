"""``incident-trends changepoints FILE --time COL --count COL [...]``: changepoint search.

JSON (DESIGN section 6)::

    {"cost", "method", "penalty": <number used>,
     "changepoints": [{"index", "time"}],
     "segments": [{"start", "end", "n", "rate", "ci_low", "ci_high", "time_start", "time_end"}]}

``exposure`` names what the rates are per (null: per row; ``"period_exposure"``: per
full period of a ``normalize`` output, whose start/end/exposure columns are read with
``--time start``; ``COL``: per unit of a column) and ``rate_unit`` says it in words.

``index`` is the 0-based row of the first observation of a new segment (R's ``cpt``);
``time`` is that row's label as written in the file. In ``segments``, ``start`` and
``end`` are row indices (``end`` exclusive) and ``time_start``/``time_end`` the labels of
the first and last row. ``rate`` is count per unit exposure (per row without
``--exposure``) with an exact Poisson (Garwood) interval for the count costs. With
``--method bayes``: ``"prob_change"`` per row, ``"n_changes_posterior"``,
``"log_evidence"``, ``"location_intervals"``, and ``penalty`` null. With ``--method pelt``:
``"pruning"``, the rule used (``"exact"``, the default at any length, or ``"r"`` for
R's rule with ``--pruning r``, not always optimal with MBIC). With
``--bootstrap N`` (PELT/OP): ``"location_intervals"`` from a parametric bootstrap. With
``--events FILE [--window DAYS]``: ``"attribution"`` and ``"alignment"`` (from
:func:`analysis.events.attach_attribution`).

Extensions: ``EXTENSIONS`` holds ``(add_arguments, apply)`` pairs; ``add_arguments(parser)``
adds options, ``apply(args, result, series)`` returns the updated result dict.

Speed: the command imports neither statsmodels nor matplotlib. Plain tables of years,
ISO dates or numbers are read by pyarrow and checked with vectorised code; other time
forms (weeks, months, quarters), any doubtful value, and ``--events`` go through
:meth:`CountSeries.from_table`, which names the bad file, row and column.
"""

from __future__ import annotations

import argparse

COSTS = ("poisson", "negbin", "normal", "normal-meanvar")
METHODS = ("pelt", "op", "binseg", "segneigh", "bayes")

#: (add_arguments(parser), apply(args, result, series) -> result) hooks for other areas
EXTENSIONS: list = []


from ._args import nonneg_int as _nonneg_int
from ._args import penalty as _penalty
from ._args import positive_int as _positive_int
from ._args import probability as _prob


def _pair(value: str):
    try:
        a, b = (float(x) for x in value.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"--prior-rate must be SHAPE,RATE (two numbers), not {value!r}") from None
    if not (a > 0 and b > 0):
        raise argparse.ArgumentTypeError(f"--prior-rate values must be positive, not {value!r}")
    return a, b


def add_parser(sub):
    p = sub.add_parser(
        "changepoints", help="find changes in the rate of a count series (PELT, OP, BinSeg, SegNeigh, Bayes)",
        description="Changepoint search on a table of counts. Costs and penalties follow R's "
                    "changepoint package; index = 0-based first row of a new segment (R's cpt).")
    p.add_argument("file", help="CSV or Parquet table with a time column and a count column")
    p.add_argument("--time", required=True, metavar="COL",
                   help="time column: ISO dates, YYYY-MM, YYYY-Www, YYYYQn or years; 'start' on a "
                        "'normalize' output (rows are its [start, end) intervals)")
    p.add_argument("--count", required=True, metavar="COL", help="count column")
    p.add_argument("--exposure", metavar="COL",
                   help="exposure column (rates become per unit exposure; poisson cost and bayes). "
                        "Default: none for a plain table (rates per row); for a 'normalize' output "
                        "read with --time start, its own exposure: rates per full period, edge bins "
                        "observed in part weighted by the fraction observed. The JSON's 'exposure' "
                        "and 'rate_unit' say which")
    p.add_argument("--cost", default="poisson", choices=COSTS, help="segment cost (default poisson)")
    p.add_argument("--method", default="pelt", choices=METHODS, help="search method (default pelt)")
    p.add_argument("--penalty", type=_penalty, default="mbic",
                   help="aic, bic, sic, mbic (default), hq or a number")
    p.add_argument("--min-size", type=_positive_int, default=None, metavar="N",
                   help="minimum rows per segment (default 1; 2 for normal-meanvar)")
    p.add_argument("--max-changes", type=_nonneg_int, default=5, metavar="K",
                   help="binseg: at most K changes; segneigh: choose among 0..K (default 5)")
    p.add_argument("--n-changes", type=_nonneg_int, default=None, metavar="K",
                   help="segneigh: exactly K changes")
    p.add_argument("--pruning", default="auto", choices=("auto", "exact", "r"),
                   help="PELT pruning: exact (auto, the default) or R's rule (not always optimal "
                        "with MBIC); the JSON says which")
    p.add_argument("--alpha", type=float, default=None,
                   help="negbin dispersion (default: estimated by a global fit)")
    p.add_argument("--p-change", type=_prob, default=None, metavar="P",
                   help="bayes: prior probability of a change at each row (default 1/n)")
    p.add_argument("--prior-rate", type=_pair, default=None, metavar="SHAPE,RATE",
                   help="bayes: Gamma prior on segment rates (default 1, 1/mean rate)")
    p.add_argument("--bootstrap", type=_nonneg_int, default=0, metavar="N",
                   help="pelt/op: N parametric bootstrap replicates for change-location intervals")
    p.add_argument("--seed", type=int, default=0, help="seed for --bootstrap and bayes draws")
    p.add_argument("--level", type=_prob, default=0.95, help="interval level (default 0.95)")
    if not EXTENSIONS:
        p.add_argument("--events", metavar="FILE",
                       help="events table: adds attribution of each change and an alignment test")
        p.add_argument("--window", type=float, default=14.0, metavar="DAYS",
                       help="with --events: window in days (default 14)")
    for add, _ in EXTENSIONS:
        add(p)
    return p


class _Labels:
    """Lazy access to the time labels of a pyarrow column, formatted as in the file."""

    def __init__(self, column, fmt):
        self._col = column
        self._fmt = fmt

    def __len__(self):
        return len(self._col)

    def __getitem__(self, i):
        return self._fmt(self._col[int(i)].as_py())


def _raw_first_label(path: str, column: str):
    """The first value of ``column`` exactly as written (to catch leading zeros etc.)."""
    import csv

    with open(path, newline="", encoding="utf-8") as fh:
        rows = csv.reader(fh)
        try:
            header = next(rows)
            first = next(rows)
        except StopIteration:
            return None
    try:
        return first[header.index(column)].strip()
    except (ValueError, IndexError):
        return None


def _np(col):
    """A pyarrow ChunkedArray of numbers or timestamps as a numpy array.

    Null-free integer, floating and timestamp chunks are read from their buffers:
    pyarrow's ``to_numpy`` imports pandas, which would cost this command 0.3 s.
    """
    import numpy as np
    import pyarrow as pa

    out = []
    for c in col.chunks:
        t = c.type
        if c.null_count == 0 and (pa.types.is_integer(t) or pa.types.is_floating(t)
                                  or pa.types.is_timestamp(t)):
            kind = "f" if pa.types.is_floating(t) else (
                "u" if pa.types.is_unsigned_integer(t) else "i")
            dt = np.dtype(f"{kind}{t.bit_width // 8}")
            out.append(np.frombuffer(c.buffers()[1], dtype=dt, count=len(c),
                                     offset=c.offset * dt.itemsize))
        else:
            out.append(c.to_numpy(zero_copy_only=False))
    if not out:
        return np.zeros(0)
    return np.concatenate(out) if len(out) != 1 else out[0]


def _fast_signal(path: str, args):
    """SignalData for plain CSVs read by pyarrow, or None to take the full path.

    Time labels: integers (years, or any strictly increasing integer index) or ISO
    dates; other forms go through the full path. Count and exposure problems raise
    InputError naming the file, row and column.
    """
    import numpy as np

    from ..schema import InputError

    if not path.lower().endswith((".csv", ".txt")):
        return None
    try:
        import pyarrow as pa
        import pyarrow.csv as pcsv
    except ImportError:  # pragma: no cover
        return None

    def pc():
        # pyarrow.compute costs a process about 0.1 s to import: only the date, text
        # and missing-value paths need it
        import pyarrow.compute

        return pyarrow.compute

    try:
        # only a blank cell is missing: "n/a", "NULL", ... stay text, so a message can
        # quote them as written
        table = pcsv.read_csv(path, convert_options=pcsv.ConvertOptions(
            strings_can_be_null=False, null_values=[""]))
    except (pa.ArrowInvalid, pa.ArrowTypeError, OSError):
        return None
    names = table.column_names
    if args.time not in names or args.count not in names or (args.exposure and args.exposure not in names):
        return None
    if {"start", "end"} <= set(names) and args.time in ("start", "end"):
        return None  # a 'normalize' output: its intervals and exposure (full path)
    n = table.num_rows
    if n == 0:
        return None
    tcol = table.column(args.time)
    if tcol.null_count:
        return None
    # integer labels (years or an index) or ISO dates, as pyarrow infers them; other
    # forms (and leading zeros, which would not be written back as read) -> full path
    if pa.types.is_integer(tcol.type):
        key = _np(tcol)
        labels = _Labels(tcol, str)
    elif pa.types.is_timestamp(tcol.type) or pa.types.is_date(tcol.type):
        key = _np(pc().cast(tcol, pa.timestamp("s"))).astype("int64")
        if np.any(key % 86400):
            return None  # times of day: not a plain ISO date column
        labels = _Labels(tcol, lambda v: v.strftime("%Y-%m-%d"))
    else:
        return None
    if n > 1 and not np.all(np.diff(key) > 0):
        return None  # the full path names the offending row
    # gaps between ISO days or years: the full path warns (CountSeries.from_table); a
    # plain integer index outside the years' range may step as it likes
    years = pa.types.is_integer(tcol.type) and key.min() >= 1678 and key.max() <= 2261
    step = 1 if pa.types.is_integer(tcol.type) else 86400
    if n > 1 and (years or not pa.types.is_integer(tcol.type)) and np.any(np.diff(key) > step):
        return None
    # the labels are written back from the parsed values: check the first one reads
    # back exactly as written (no leading zeros, no "T00:00" time part, ...)
    first = _raw_first_label(path, args.time)
    if first is None or first != labels[0]:
        return None

    def numeric(name, what):
        col = table.column(name)
        if not (pa.types.is_integer(col.type) or pa.types.is_floating(col.type)):
            vals = pc().cast(col, pa.string()).to_pylist()
            for i, v in enumerate(vals):
                try:
                    float(v)
                except (TypeError, ValueError):
                    raise InputError(f"{what} {v!r} is not a number", file=path, row=i + 2,
                                     column=name) from None
            col = pc().cast(col, pa.float64())
        if col.null_count:
            i = int(np.flatnonzero(_np(pc().is_null(col)))[0])
            raise InputError(f"{what} is missing", file=path, row=i + 2, column=name)
        return np.ascontiguousarray(_np(col), dtype=float)

    y = numeric(args.count, "count")
    x = None
    if args.exposure:
        x = numeric(args.exposure, "exposure")
        bad = np.flatnonzero(~(np.isfinite(x) & (x > 0)))
        if len(bad):
            i = int(bad[0])
            raise InputError(f"exposure {format(float(x[i]), 'g')} must be a positive number",
                             file=path, row=i + 2, column=args.exposure)
    from ..changepoints._data import SignalData

    return SignalData(y, x, labels, None, path, args.count)


def _full_series(path: str, args):
    from ..series import CountSeries
    from ._table import read_table

    table = read_table(path)
    if path.lower().endswith((".parquet", ".pq", ".parq")) and args.time in table.columns \
            and not CountSeries.is_interval_table(table, args.time):
        table = table.astype({args.time: str})
    series = CountSeries.from_table(table, time=args.time, count=args.count,
                                    exposure=args.exposure, file=path)
    return series, table


def _signal(path: str, args):
    """``(SignalData, series or None, exposure label)`` of the file.

    The label says what the rates are per: None (one unit per row), ``"period_exposure"``
    (the observed fraction of each period, for a ``normalize`` output whose edge bins are
    observed in part), ``"exposure"``/``COL`` (a column), ``"days"`` (irregular intervals).
    """
    from ..changepoints._data import as_signal

    sig = None if getattr(args, "events", None) else _fast_signal(path, args)
    if sig is not None:
        return sig, None, args.exposure
    from ..series import CountSeries  # after the fast path, which needs no pandas

    series, table = _full_series(path, args)
    if CountSeries.is_interval_table(table, args.time):
        if args.exposure:  # a column of the file (days observed, a population, ...)
            x = CountSeries.exposure_column(table, args.exposure, file=path)
            return as_signal(series, x), series, args.exposure
        sig = as_signal(series, None)  # the series' own exposure, as normalize() gives it
        label = None if sig.exposure is None else ("period_exposure" if series.is_regular else "days")
        return sig, series, label
    return as_signal(series, "days" if args.exposure else "rows"), series, args.exposure


def run(args) -> dict:
    import atexit
    import gc

    # The cyclic collector's passes over the many objects numba and pandas create cost
    # more than the search itself on a large file: about 0.1 s while loading and 0.25 s
    # in the final collection at interpreter exit. The search makes no cyclic garbage
    # worth collecting, so the collector pauses during the command, and at exit the
    # objects alive then are frozen (skipped by the final collection). In-process
    # callers get the collector back when run() returns.
    gc.disable()
    if not getattr(run, "_exit_hook", False):
        atexit.register(gc.freeze)
        run._exit_hook = True
    import warnings

    from ..schema import IncidentTrendsError, IncidentTrendsWarning, InputError

    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", IncidentTrendsWarning)
            out = _run(args)
        for w in caught:  # the package's warnings as one plain line each on stderr
            if issubclass(w.category, IncidentTrendsWarning):
                if not getattr(args, "quiet", False):
                    import sys
                    sys.stderr.write(f"incident-trends changepoints: warning: {w.message}\n")
            else:
                warnings.showwarning(w.message, w.category, w.filename, w.lineno)
        return out
    except InputError as exc:
        if exc.file is None:  # e.g. too few rows: name the file the data came from
            raise InputError(exc.detail, file=str(args.file), row=exc.row,
                             column=exc.column) from None
        raise
    except IncidentTrendsError:
        raise
    except ValueError as exc:
        # an argument the API rejects (e.g. --min-size 1 with normal-meanvar, a
        # non-positive --alpha): bad usage, exit 2 with the message, no traceback
        import sys

        sys.stderr.write(f"incident-trends changepoints: error: {exc}\n")
        return 2
    finally:
        gc.enable()


def _run(args) -> dict:
    from dataclasses import replace

    from ..changepoints import BayesianChangepoints, detect_changepoints
    from ..schema import InputError

    if args.method == "bayes" and args.cost != "poisson":
        import sys

        sys.stderr.write(f"incident-trends changepoints: error: --method bayes uses the Poisson-Gamma "
                         f"model; --cost {args.cost} does not apply\n")
        return 2
    path = str(args.file)
    events = getattr(args, "events", None)
    sig, series, exposure_label = _signal(path, args)
    sig = replace(sig, column=args.count)  # data errors name the file's count column
    if args.method == "bayes":
        res = BayesianChangepoints(prior_rate=args.prior_rate, p_change=args.p_change,
                                   min_size=args.min_size or 1, level=args.level,
                                   seed=args.seed).fit(sig)
        out = res.to_dict()
        seg = res.map_segmentation
    else:
        kw = {"alpha": args.alpha} if args.cost == "negbin" else {}
        if args.method == "pelt":
            kw["pruning"] = args.pruning
        seg = detect_changepoints(sig, method=args.method, cost=args.cost,
                                  penalty=args.penalty, min_size=args.min_size,
                                  max_changes=args.max_changes, n_changes=args.n_changes, **kw)
        out = seg.to_dict()
        if "pruning" in seg.attrs:
            # "exact" (optimal) or "r" (R's rule, not always optimal with MBIC)
            out["pruning"] = seg.attrs["pruning"]
        if args.bootstrap:
            bt = seg.bootstrap(args.bootstrap, level=args.level, seed=args.seed,
                               quiet=getattr(args, "quiet", False))
            out["location_intervals"] = [
                {k: (None if v is None or v != v else (int(v) if k in ("index", "lower", "upper")
                                                         and v is not None else v))
                 for k, v in r.items()} for r in bt.to_dict("records")]
    if events:
        try:
            from ..events import attach_attribution
        except ImportError:  # pragma: no cover - events area absent
            raise InputError("--events needs the analysis.events module") from None
        out = attach_attribution(out, series, events, window_days=args.window, seed=args.seed,
                                 min_size=seg.min_size)
    for _, apply in EXTENSIONS:
        if series is None:
            series = _full_series(path, args)[0]
        out = apply(args, out, series)
    out["exposure"] = exposure_label
    out["rate_unit"] = _rate_unit(exposure_label, series)
    return out


def _rate_unit(label, series) -> str:
    """What each segment ``rate`` is per: a row, a full period, a day or a unit of COL."""
    if label is None:
        return "per row"
    if label == "period_exposure":
        return series.rate_unit
    if label == "days":
        return "per day"
    return f"per unit of {label}"


def render_text(d: dict) -> str:
    lines = [f"cost {d['cost']}, method {d['method']}, penalty "
             f"{'-' if d.get('penalty') is None else format(d['penalty'], '.4g')}"
             + (f"; rates {d['rate_unit']}" if d.get("rate_unit") else "")]
    cps = d["changepoints"]
    from .._format import plural
    lines.append(plural(len(cps), "change") + (": " + ", ".join(f"{c['time']} (row {c['index']})"
                                                            for c in cps) if cps else ""))
    lines.append(f"{'first':>12} {'last':>12} {'rows':>7} {'rate':>10} {'95% interval':>23}")
    for s in d["segments"]:
        lines.append(f"{str(s.get('time_start', s['start'])):>12} {str(s.get('time_end', s['end'] - 1)):>12} "
                     f"{s['n']:>7} {s['rate']:>10.4g} [{s['ci_low']:>10.4g}, {s['ci_high']:>10.4g}]")
    if "alignment" in d and d["alignment"].get("p_value") is not None:
        lines.append(f"alignment with events: p = {d['alignment']['p_value']:.3g} "
                     f"({d['alignment']['draws']} draws)")
    return "\n".join(lines)
