"""``incident-trends normalize``: reports and/or tallies -> a CountSeries CSV and a ledger CSV.

::

    incident-trends normalize [--reports FILE]... [--input-format auto|canonical|acled|ucdp]
        [--tallies FILE]... [--freq D|W|M|Q] [--group COL]... [--allocate start|split|impute]
        [--window START:END] --out FILE [--ledger FILE]

``--out`` receives the series (``start, end, count, exposure, lower, upper, n_reports``
and the group columns; ``end`` exclusive). With ``--allocate impute`` it holds every
imputation, told apart by the group column ``imputation``. Without ``--reports`` it holds
the tally intervals (groups ``source, region, since``). ``--ledger`` receives one row per
input row. With ``--format json`` one summary object is printed: rows in and out,
incidents, merged reports, exclusions by reason, total count, the output paths and the
warnings (also printed on stderr, one line each).

The series, the ledger and the tally intervals are written as one group: each file
complete under a hidden temporary name first, then all renamed into place
(:func:`analysis._atomic.atomic_files`), so an interrupted run leaves the previous
outputs, not a ledger cut short beside a new series.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path


def _window(value: str) -> str:
    from ..normalize.bins import parse_window
    try:
        parse_window(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return value


def _nonneg_int(value: str) -> int:
    try:
        v = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a non-negative integer, not {value!r}") from None
    if v < 0:
        raise argparse.ArgumentTypeError(f"expected a non-negative integer, not {value!r}")
    return v


def _pos_int(value: str) -> int:
    v = _nonneg_int(value)
    if v < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, not {value!r}")
    return v


def add_parser(sub):
    p = sub.add_parser(
        "normalize", help="reports and tallies -> a count series with a ledger",
        description="Deduplicate incident reports, turn cumulative tallies into interval counts "
                    "and bin incidents into a zero-filled calendar series. Writes the series "
                    "(--out) and what became of every input row (--ledger).")
    p.add_argument("--reports", action="append", default=[], metavar="FILE",
                   help="incident reports (CSV or Parquet); repeatable")
    p.add_argument("--input-format", default="auto", choices=("auto", "canonical", "acled", "ucdp"),
                   help="format of the --reports files (default: detected from the header)")
    p.add_argument("--tallies", action="append", default=[], metavar="FILE",
                   help="tallies (CSV or Parquet); repeatable")
    p.add_argument("--reviewed", action="append", default=[], metavar="FILE",
                   help="review file written by 'extract' (review.csv); its accepted report and tally "
                        "rows are counted, rejected ones enter the ledger as excluded; repeatable")
    p.add_argument("--accept-all", action="store_true",
                   help="take --reviewed rows with a blank decision as accepted (otherwise an error)")
    p.add_argument("--freq", default="W", choices=("D", "W", "M", "Q"),
                   help="bin width: day, ISO week (Monday start), month, quarter (default W)")
    p.add_argument("--group", action="append", default=[], metavar="COL",
                   help="incident column giving a panel (country, weapon, ...); repeatable")
    p.add_argument("--allocate", default="start", choices=("start", "split", "impute"),
                   help="placing incidents with imprecise dates (default start)")
    p.add_argument("--window", type=_window, default=None, metavar="START:END",
                   help="coverage window, inclusive ISO days; either side may be empty "
                        "(default: spanned by the data)")
    p.add_argument("--dedupe", default="auto", choices=("auto", "off", "reports", "link"),
                   help="matching of rows into incidents. auto (default): ACLED and UCDP GED "
                        "exports are coded event datasets, one incident per row (the exporter's "
                        "id); canonical report tables are report collections, matched (--window-days, "
                        "weapons; every pair of an incident's reports must match). "
                        "off: no matching. reports: match every row as a news report. "
                        "link: count the ACLED/UCDP rows as auto does and link each row of the "
                        "report tables to the coded event it matches, without counting it (link "
                        "table: --links)")
    p.add_argument("--measure", default="incidents", choices=("incidents", "fatalities"),
                   help="what the series counts: incidents (default), or fatalities (ACLED "
                        "'fatalities', UCDP GED 'best', summed per bin under --allocate; GED's "
                        "low/high become the columns count_low/count_high; the ledger gains "
                        "a 'fatalities' column and the series total equals its sum)")
    p.add_argument("--window-days", type=_nonneg_int, default=1, metavar="N",
                   help="largest gap in days between reports of one incident (default 1)")
    p.add_argument("--no-weapon-match", action="store_true",
                   help="merge reports regardless of weapon")
    p.add_argument("--imputations", type=_pos_int, default=20, metavar="M",
                   help="number of imputations for --allocate impute (default 20)")
    p.add_argument("--seed", type=int, default=0, help="seed of the imputation draws (default 0)")
    p.add_argument("--tally-rule", default="latest", choices=("latest", "preferred", "bounds"),
                   help="resolution of conflicting tallies (default latest)")
    p.add_argument("--prefer", action="append", default=[], metavar="OUTLET",
                   help="preferred outlet or source for --tally-rule preferred; repeatable, in order")
    p.add_argument("--engine", default="pandas", choices=("pandas", "duckdb", "auto"),
                   help="engine for the reports: pandas (default), duckdb (files larger than "
                        "memory; no --tallies, no --allocate impute) or auto (duckdb above 256 MiB)")
    p.add_argument("--out", required=True, metavar="FILE", help="series CSV (or .parquet) to write")
    p.add_argument("--ledger", metavar="FILE", help="ledger CSV to write")
    p.add_argument("--links", metavar="FILE",
                   help="with --dedupe link: link table CSV to write (default: next to --out, "
                        "named <out>.links.csv)")
    p.add_argument("--tallies-out", metavar="FILE",
                   help="tally intervals CSV to write (when both reports and tallies are given)")
    p.add_argument("--raw-csv", action="store_true",
                   help="write CSV text cells verbatim; by default a cell starting with = + - @, tab "
                        "or CR gets a leading ' so that spreadsheets do not run it as a formula")
    return p


def _write(frame, path, raw: bool = False, *, suffix: str | None = None) -> str:
    """Write ``frame`` to ``path`` (CSV, or Parquet when ``suffix`` says so); CSV text cells
    formula-neutralised unless ``raw`` (see :func:`analysis.io.write.write_csv`)."""
    from ..io.write import write_csv

    out = Path(path)
    if (suffix or out.suffix).lower() in (".parquet", ".pq"):
        frame.to_parquet(out, index=False)
    else:
        write_csv(frame, out, raw=raw)
    return str(out)


def _write_all(outputs: dict, raw: bool) -> dict:
    """Write ``{name: (frame, path)}`` as one group (:func:`analysis._atomic.atomic_files`):
    every file complete at a temporary name first, then renamed into place together, so
    an interrupted run leaves the old series, ledger and tallies or the new ones."""
    from .._atomic import atomic_files, checkpoint

    from ..schema import InputError

    items = [(k, f, Path(p)) for k, (f, p) in outputs.items() if p is not None and f is not None]
    seen = {}
    for k, _, p in items:
        if p.resolve() in seen:
            raise InputError(f"the {seen[p.resolve()]} and the {k} would both be written to {p}; "
                             "give each output its own file")
        seen[p.resolve()] = k
    for _, _, p in items:
        p.parent.mkdir(parents=True, exist_ok=True)
    with atomic_files(*(p for _, _, p in items)) as tmps:
        for (name, frame, p), tmp in zip(items, tmps):
            _write(frame, tmp, raw, suffix=p.suffix)
            checkpoint(f"normalize-{name}")
    return {k: str(p) for k, _, p in items}


_UNREVIEWED = ("holds candidates extracted from text (column x_extraction_rule): they enter a series only "
               "through the review file 'extract' wrote beside them: normalize --reviewed DIR/review.csv, "
               "each row marked accept, reject or edit (or --accept-all to take them as extracted)")


def _refuse_unreviewed(frame, file):
    """An extracted table given as --reports/--tallies: refused (nothing extracted is counted unreviewed)."""
    from ..schema import InputError

    if "x_extraction_rule" in frame.columns:
        rule = frame["x_extraction_rule"]
        hit = rule.notna() & (rule.astype(str).str.strip() != "")
        if hit.any():
            i = int(hit.to_numpy().nonzero()[0][0])
            row = int(frame["_row"].iloc[i]) if "_row" in frame.columns else None
            raise InputError(_UNREVIEWED, file=file, row=row, column="x_extraction_rule")
    return frame


def _refuse_unreviewed_header(file):
    """The same check on a CSV's header, for the DuckDB engine (which reads only the columns it uses)."""
    from ..schema import InputError

    if str(file).lower().endswith(".csv"):
        import csv
        try:
            with open(file, newline="", encoding="utf-8-sig") as fh:
                header = next(csv.reader(fh), [])
        except (OSError, UnicodeDecodeError):
            return          # the reader names the problem
        if "x_extraction_rule" in header:
            raise InputError(_UNREVIEWED, file=file, column="x_extraction_rule")


def run(args):
    from ..schema import InputError

    reviewed_files = getattr(args, "reviewed", [])
    if not args.reports and not args.tallies and not reviewed_files:
        print("incident-trends normalize: error: give --reports FILE, --tallies FILE, --reviewed FILE "
              "or several", file=sys.stderr)
        return 2
    if getattr(args, "accept_all", False) and not reviewed_files:
        print("incident-trends normalize: error: --accept-all applies to --reviewed files; give --reviewed FILE",
              file=sys.stderr)
        return 2
    if not args.reports and (args.group or args.window or args.allocate != "start"):
        used = [o for o, v in (("--group", args.group), ("--window", args.window),
                               ("--allocate", args.allocate != "start")) if v]
        print(f"incident-trends normalize: error: {', '.join(used)} bin incident reports; give --reports "
              "(tally intervals keep their own dates and regions)", file=sys.stderr)
        return 2
    link = getattr(args, "dedupe", "auto") == "link"
    if getattr(args, "links", None) and not link:
        print("incident-trends normalize: error: --links applies to --dedupe link", file=sys.stderr)
        return 2
    if link and getattr(args, "engine", "pandas") == "duckdb":
        print("incident-trends normalize: error: --dedupe link runs on the pandas engine; use --engine "
              "pandas or auto", file=sys.stderr)
        return 2
    from ..io import read_reports, read_tallies
    from ..normalize import normalize

    engine = getattr(args, "engine", "pandas")
    if link:
        engine = "pandas"
    if engine != "pandas":
        if args.tallies or args.allocate == "impute":
            if engine == "duckdb":
                print("incident-trends normalize: error: --engine duckdb reads report files only "
                      "(no --tallies or --allocate impute); use --engine pandas",
                      file=sys.stderr)
                return 2
            engine = "pandas"
        else:
            from ..duck import choose_engine
            engine = choose_engine(args.reports, engine)
    if reviewed_files and engine == "duckdb":
        print("incident-trends normalize: error: --reviewed needs --engine pandas", file=sys.stderr)
        return 2
    if reviewed_files:
        engine = "pandas"
    if engine != "pandas":
        for f in args.reports:
            _refuse_unreviewed_header(f)
    reports = ([_refuse_unreviewed(read_reports(f, format=args.input_format), f) for f in args.reports] or None
               if engine == "pandas" else None)
    tallies = [_refuse_unreviewed(read_tallies(f), f) for f in args.tallies] or None
    reviewed = []
    if reviewed_files:
        from ..extract import read_review
        reviewed = [read_review(f, accept_all=args.accept_all) for f in reviewed_files]
        extra_r = [r.reports for r in reviewed if r.reports is not None]
        extra_t = [r.tallies for r in reviewed if r.tallies is not None]
        reports = (reports or []) + extra_r or None
        tallies = (tallies or []) + extra_t or None
    try:
        with warnings.catch_warnings(record=True) as caught:
            if engine == "duckdb":
                from ..duck import normalize_duckdb
                res = normalize_duckdb(args.reports, input_format=args.input_format, freq=args.freq,
                                       groups=tuple(args.group), allocate=args.allocate,
                                       window=args.window, window_days=args.window_days,
                                       dedupe=args.dedupe, match_weapon=not args.no_weapon_match,
                                       measure=args.measure)
            else:
                res = normalize(reports, tallies, freq=args.freq, groups=tuple(args.group), allocate=args.allocate,
                                window=args.window, window_days=args.window_days, dedupe=args.dedupe,
                                match_weapon=not args.no_weapon_match, n_imputations=args.imputations,
                                seed=args.seed, rule=args.tally_rule, preferred_sources=tuple(args.prefer),
                                progress=False if getattr(args, "quiet", False) else None,
                                measure=args.measure)
    except InputError:
        raise
    except ValueError as exc:
        raise InputError(str(exc)) from None
    # warnings go to stderr as one plain line each (stdout keeps only the JSON object)
    messages = [str(w.message) for w in caught]
    for m in messages:
        print(f"incident-trends normalize: warning: {m}", file=sys.stderr)
    raw = getattr(args, "raw_csv", False)
    if res.series is not None:
        series_frame = res.series.to_frame()
    else:
        import pandas as pd

        from ..schema import SERIES_COLUMNS
        series_frame = pd.DataFrame(columns=list(SERIES_COLUMNS))
    ledger_frame = None
    if args.ledger:
        ledger_frame = res.ledger.table
        if reviewed:
            from ..extract import annotate_ledger
            ledger_frame = annotate_ledger(ledger_frame, reviewed)  # spans and review decisions
    tally_frame = (res.tallies.panel().to_frame() if args.tallies_out and res.tallies is not None
                   else None)
    links_path = None
    if getattr(res, "links", None) is not None:  # --dedupe link: next to --out unless --links says
        out = Path(args.out)
        links_path = args.links or str(out.with_name((out.name[:-len(out.suffix)] if out.suffix else out.name)
                                                     + ".links.csv"))
    outputs = {"series": None, "ledger": None, "tallies": None, "links": None}
    outputs.update(_write_all({"series": (series_frame, args.out), "ledger": (ledger_frame, args.ledger),
                               "tallies": (tally_frame, args.tallies_out),
                               "links": (getattr(res, "links", None), links_path)}, raw))
    summary = res.summary()
    summary["outputs"] = outputs
    summary["warnings"] = messages
    if reviewed:
        import pandas as pd
        rows = pd.concat([r.rows for r in reviewed], ignore_index=True)
        summary["reviewed"] = {f"{t}: {k}": int(v) for (t, k), v in
                               rows.groupby(["table", "review"]).size().sort_index().items()}
    return summary


def render_text(res: dict) -> str:
    from .._format import plural
    lines = [f"read {plural(res['rows_in']['reports'], 'report row')} and "
             f"{plural(res['rows_in']['tallies'], 'tally row')}"]
    if res["rows_in"]["reports"]:
        lines.append(f"{plural(res['incidents'], 'incident')} counted ({plural(res['merged'], 'report')} merged, "
                     f"{plural(res['incidents_outside_window'], 'incident')} outside the window); "
                     f"total {'fatalities' if res.get('measure') == 'fatalities' else 'count'} "
                     f"{res['total_count']:g}")
    for table, reasons in res["excluded"].items():
        for reason, k in reasons.items():
            lines.append(f"excluded {plural(k, 'row')} of {table}: {reason}")
    if "tallies" in res:
        t = res["tallies"]
        lines.append(f"tallies: {plural(t['intervals'], 'interval')} from {plural(len(t['sources']), 'source')}, "
                     f"{plural(t['conflicts'], 'conflict')} resolved, "
                     f"{plural(t.get('disagreements', 0), 'statement')} contradicted by another counter "
                     "(kept as separate series)")
    w = res.get("window")
    if w:
        lines.append(f"window {w[0]} to {w[1]}, freq {res['freq']}, allocate {res['allocate']}")
    for key, k in res.get("reviewed", {}).items():
        lines.append(f"review: {k} {key}")
    lines.append(f"wrote {res['rows_out']} rows to {res['outputs']['series']}")
    if res["outputs"]["ledger"]:
        lines.append(f"wrote the ledger to {res['outputs']['ledger']}")
    if res["outputs"].get("links"):
        lines.append(f"wrote the link table to {res['outputs']['links']}")
    if res["outputs"]["tallies"]:
        lines.append(f"wrote the tally intervals to {res['outputs']['tallies']}")
    return "\n".join(lines)
