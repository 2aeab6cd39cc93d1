"""Malformed and hostile inputs across every subcommand.

Each case runs the command in-process (``analysis.cli.main``) and asserts the exit code
(1 bad data, 2 bad usage), that no traceback reaches the user, and that the message on
stderr names where the fault is: the file with its row and/or column, the option, or the
spec key. Files are written per case in a temporary folder; all data are synthetic.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.cli import main

ACLED_HEADER = "event_id_cnty,event_date,time_precision,country,location\n"
ACLED_OK = ACLED_HEADER + "A1,2022-01-03,1,Brazil,Rio\nA2,2022-01-04,1,Brazil,Recife\n"
CANON_HEADER = "report_id,date,country,location\n"
YEARS = "year,count\n" + "".join(f"{2000 + i},{c}\n" for i, c in enumerate([3, 5, 2, 8, 4, 6, 9, 1]))
SERIES = ("start,end,count,exposure\n" + "".join(
    f"{d.date()},{(d + pd.Timedelta(days=7)).date()},{c},7\n"
    for d, c in zip(pd.date_range("2024-01-01", periods=12, freq="7D"), [3, 4, 2, 5, 3, 9, 8, 7, 9, 8, 2, 1])))
TALLY_HEADER = "since,as_of,count,bound,region,source\n"


def _series_with(**cells) -> str:
    """SERIES with one cell changed: ``cells = {"row_col": value}`` (row 0-based)."""
    t = pd.read_csv(pd.io.common.StringIO(SERIES), dtype=str)
    for k, v in cells.items():
        i, col = k.split("_", 1)
        t.loc[int(i), col] = v
    return t.to_csv(index=False)


# (case id, files {name: text or bytes}, argv (names in braces are file paths), exit code,
#  substrings the message must hold)
CASES = [
    # ---------------------------------------------------------------- normalize
    ("normalize-missing-file", {}, "normalize --reports {nope.csv} --out {o.csv}", 1, ["nope.csv", "no such file"]),
    ("normalize-directory", {}, "normalize --reports {dir} --out {o.csv}", 1, ["is a directory"]),
    ("normalize-0-bytes", {"r.csv": ""}, "normalize --reports {r.csv} --out {o.csv}", 1, ["r.csv, row 1", "0 bytes"]),
    ("normalize-header-only", {"r.csv": ACLED_HEADER}, "normalize --reports {r.csv} --out {o.csv}", 1,
     ["r.csv, row 2", "no data rows"]),
    ("normalize-latin1", {"r.csv": (ACLED_OK + "A3,2022-01-05,1,Brazil,S\xe3o Paulo\n").encode("latin-1")},
     "normalize --reports {r.csv} --out {o.csv}", 1, ["r.csv, row 4, column 'location'", "not UTF-8"]),
    ("normalize-extra-field", {"r.csv": ACLED_OK + "A3,2022-01-05,1,Brazil,Rio,x\n"},
     "normalize --reports {r.csv} --out {o.csv}", 1, ["r.csv, row 4", "6 fields but the header has 5"]),
    ("normalize-utf16", {"r.csv": ACLED_OK.encode("utf-16")}, "normalize --reports {r.csv} --out {o.csv}", 1,
     ["r.csv, row 1", "UTF-16"]),
    ("normalize-semicolons", {"r.csv": ACLED_OK.replace(",", ";")}, "normalize --reports {r.csv} --out {o.csv}", 1,
     ["r.csv, row 1", "';'"]),
    ("normalize-duplicate-column", {"r.csv": "report_id,date,country,country\nr1,2024-01-01,Iraq,Iraq\n"},
     "normalize --reports {r.csv} --out {o.csv}", 1, ["r.csv, row 1, column 'country'", "twice"]),
    ("normalize-blank-column-name", {"r.csv": "report_id,date,,country\nr1,2024-01-01,x,Iraq\n"},
     "normalize --reports {r.csv} --out {o.csv}", 1, ["r.csv, row 1, column '#3'"]),
    ("normalize-impossible-date", {"r.csv": ACLED_OK + "A3,2022-02-30,1,Brazil,Rio\n"},
     "normalize --reports {r.csv} --out {o.csv}", 1, ["r.csv, row 4, column 'event_date'", "2022-02-30"]),
    ("normalize-us-date", {"r.csv": ACLED_HEADER + "A1,02/23/2022,1,Brazil,Rio\n"},
     "normalize --reports {r.csv} --out {o.csv}", 1, ["r.csv, row 2, column 'event_date'"]),
    ("normalize-time-precision", {"r.csv": ACLED_OK + "A3,2022-01-05,7,Brazil,Rio\n"},
     "normalize --reports {r.csv} --out {o.csv}", 1, ["r.csv, row 4, column 'time_precision'"]),
    ("normalize-duplicate-id", {"r.csv": ACLED_OK + "A1,2022-01-05,1,Brazil,Rio\n"},
     "normalize --reports {r.csv} --out {o.csv}", 1, ["r.csv, row 4, column 'event_id_cnty'", "rows 2 and 4"]),
    ("normalize-canonical-no-date", {"r.csv": "report_id,country,location\nr1,Iraq,Erbil\n"},
     "normalize --reports {r.csv} --out {o.csv}", 1, ["r.csv, row 1", "date"]),
    ("normalize-workbook", {"r.xlsx": b"PK\x03\x04"}, "normalize --reports {r.xlsx} --out {o.csv}", 1,
     ["r.xlsx", "export the sheet"]),
    ("normalize-0-byte-parquet", {"r.parquet": b""}, "normalize --reports {r.parquet} --out {o.csv}", 1,
     ["r.parquet, row 1", "0 bytes"]),
    ("normalize-garbage-parquet", {"r.parquet": b"not parquet at all"},
     "normalize --reports {r.parquet} --out {o.csv}", 1, ["r.parquet", "Parquet"]),
    ("normalize-unknown-group", {"r.csv": ACLED_OK}, "normalize --reports {r.csv} --group nonesuch --out {o.csv}",
     1, ["nonesuch"]),
    ("normalize-bad-window", {"r.csv": ACLED_OK}, "normalize --reports {r.csv} --window 2024-02-30: --out {o.csv}",
     2, ["--window", "2024-02-30"]),
    ("normalize-negative-window-days", {"r.csv": ACLED_OK},
     "normalize --reports {r.csv} --window-days -3 --out {o.csv}", 2, ["--window-days", "-3"]),
    ("normalize-no-input", {}, "normalize --out {o.csv}", 2, ["--reports"]),
    ("normalize-duckdb-latin1", {"r.csv": (ACLED_OK + "A3,2022-01-05,1,Brazil,S\xe3o Paulo\n").encode("latin-1")},
     "normalize --reports {r.csv} --engine duckdb --out {o.csv}", 1, ["r.csv, row 4, column 'location'", "not UTF-8"]),
    ("normalize-duckdb-fields", {"r.csv": ACLED_OK + "A3,2022-01-05,1,Brazil\n"},
     "normalize --reports {r.csv} --engine duckdb --out {o.csv}", 1, ["r.csv, row 4", "4 fields but the header has 5"]),
    ("normalize-duckdb-blank-rows", {"r.csv": ACLED_HEADER + "\n\n"},
     "normalize --reports {r.csv} --engine duckdb --out {o.csv}", 1, ["r.csv, row 2", "empty"]),
    ("normalize-tally-bound", {"t.csv": TALLY_HEADER + "2024-01-01,2024-01-08,5,roughly,all,X\n"},
     "normalize --tallies {t.csv} --out {o.csv}", 1, ["t.csv, row 2, column 'bound'", "roughly"]),
    ("normalize-tally-order", {"t.csv": TALLY_HEADER + "2024-01-08,2024-01-01,5,exact,all,X\n"},
     "normalize --tallies {t.csv} --out {o.csv}", 1, ["t.csv, row 2, column 'as_of'"]),
    ("normalize-tally-count", {"t.csv": TALLY_HEADER + "2024-01-01,2024-01-08,five,exact,all,X\n"},
     "normalize --tallies {t.csv} --out {o.csv}", 1, ["t.csv, row 2, column 'count'", "five"]),
    # ---------------------------------------------------------------------- fit
    ("fit-missing-time-column", {"y.csv": YEARS}, "fit {y.csv} --time when --count count --family poisson", 1,
     ["y.csv, row 1, column 'when'"]),
    ("fit-count-not-number", {"y.csv": YEARS.replace("2003,8", "2003,eight")},
     "fit {y.csv} --time year --count count --family poisson", 1, ["y.csv, row 5, column 'count'", "eight"]),
    ("fit-negative-count", {"y.csv": YEARS.replace("2003,8", "2003,-8")},
     "fit {y.csv} --time year --count count --family poisson", 1, ["y.csv, row 5, column 'count'", "negative"]),
    ("fit-infinite-count", {"y.csv": YEARS.replace("2003,8", "2003,inf")},
     "fit {y.csv} --time year --count count --family poisson", 1, ["y.csv, row 5, column 'count'", "not finite"]),
    ("fit-bad-month", {"m.csv": "month,n\n2024-01,3\n2024-13,4\n2024-03,5\n"},
     "fit {m.csv} --time month --count n --family poisson", 1, ["m.csv, row 3, column 'month'", "2024-13"]),
    ("fit-labels-decrease", {"y.csv": YEARS.replace("2004,", "1999,")},
     "fit {y.csv} --time year --count count --family poisson", 1, ["y.csv, row 6, column 'year'", "increase"]),
    ("fit-missing-label", {"y.csv": YEARS.replace("2004,", ",")},
     "fit {y.csv} --time year --count count --family poisson", 1, ["y.csv, row 6, column 'year'", "missing"]),
    ("fit-exposure-column-missing", {"y.csv": YEARS},
     "fit {y.csv} --time year --count count --family poisson --exposure pop", 1, ["y.csv, row 1, column 'pop'"]),
    ("fit-exposure-zero", {"s.csv": _series_with(**{"3_exposure": "0"})},
     "fit {s.csv} --time start --count count --family poisson --exposure exposure", 1,
     ["s.csv, row 5, column 'exposure'", "'0' must be a positive number"]),
    ("fit-level", {"y.csv": YEARS}, "fit {y.csv} --time year --count count --family poisson --level 1.5", 2,
     ["--level", "1.5"]),
    ("fit-seasonality", {"y.csv": YEARS},
     "fit {y.csv} --time year --count count --family poisson --seasonality fourier:0", 2, ["--seasonality"]),
    ("fit-event", {"y.csv": YEARS}, "fit {y.csv} --time year --count count --family poisson --event 2003-02-30",
     2, ["--event"]),
    ("fit-event-kind", {"y.csv": YEARS},
     "fit {y.csv} --time year --count count --family poisson --event 2003-01-01:jump", 2, ["--event", "jump"]),
    ("fit-hac-maxlags", {"y.csv": YEARS},
     "fit {y.csv} --time year --count count --family poisson --cov-type HAC --hac-maxlags -1", 2, ["--hac-maxlags"]),
    ("fit-0-byte-parquet", {"y.parquet": b""}, "fit {y.parquet} --time year --count count --family poisson", 1,
     ["y.parquet, row 1", "0 bytes"]),
    ("fit-garbage-parquet", {"y.parquet": b"PAR1garbage"},
     "fit {y.parquet} --time year --count count --family poisson", 1, ["y.parquet", "Parquet"]),
    ("fit-header-only", {"y.csv": "year,count\n"}, "fit {y.csv} --time year --count count --family poisson", 1,
     ["y.csv, row 2", "no data rows"]),
    ("fit-extra-field", {"y.csv": YEARS + "2008,1,9\n"}, "fit {y.csv} --time year --count count --family poisson",
     1, ["y.csv, row 10", "3 fields but the header has 2"]),
    ("fit-latin1", {"y.csv": ("year,count,note\n2000,1,caf\xe9\n2001,2,x\n").encode("latin-1")},
     "fit {y.csv} --time year --count count --family poisson", 1, ["y.csv, row 2, column 'note'", "not UTF-8"]),
    ("fit-exposure-above-days", {"s.csv": _series_with(**{"2_exposure": "9"})},
     "fit {s.csv} --time start --count count --family poisson", 1,
     ["s.csv, row 4, column 'exposure'", "more than the 7 days"]),
    ("fit-end-before-start", {"s.csv": _series_with(**{"2_end": "2024-01-01"})},
     "fit {s.csv} --time start --count count --family poisson", 1, ["s.csv, row 4, column 'end'"]),
    ("fit-bad-start-day", {"s.csv": _series_with(**{"2_start": "2024-01-32"})},
     "fit {s.csv} --time start --count count --family poisson", 1, ["s.csv, row 4, column 'start'", "2024-01-32"]),
    ("fit-hac-constant", {"c.csv": "year,count\n" + "".join(f"{2000 + i},5\n" for i in range(8))},
     "fit {c.csv} --time year --count count --family poisson --cov-type HAC", 1,
     ["c.csv", "HAC standard errors are not defined", "--cov-type nonrobust"]),
    ("fit-events-file-missing", {"y.csv": YEARS},
     "fit {y.csv} --time year --count count --family poisson --events-file {nope.csv}", 1, ["nope.csv"]),
    ("fit-events-file-bad-date", {"y.csv": YEARS, "e.csv": "event_id,date,label\nE1,2003-02-30,x\n"},
     "fit {y.csv} --time year --count count --family poisson --events-file {e.csv}", 1,
     ["e.csv, row 2, column 'date'"]),
    # ------------------------------------------------------------- changepoints
    ("cpt-penalty-negative", {"y.csv": YEARS}, "changepoints {y.csv} --time year --count count --penalty -1", 2,
     ["argument --penalty: --penalty must be a finite number >= 0, not '-1'"]),
    ("cpt-penalty-word", {"y.csv": YEARS}, "changepoints {y.csv} --time year --count count --penalty big", 2,
     ["argument --penalty"]),
    ("cpt-min-size-zero", {"y.csv": YEARS}, "changepoints {y.csv} --time year --count count --min-size 0", 2,
     ["argument --min-size: expected a positive integer, not '0'"]),
    ("cpt-meanvar-min-size-1", {"y.csv": YEARS},
     "changepoints {y.csv} --time year --count count --cost normal-meanvar --min-size 1", 2,
     ["`min_size` must be at least 2 for the 'normal-meanvar' cost"]),
    ("cpt-fractional-count", {"y.csv": YEARS.replace("2003,8", "2003,8.5")},
     "changepoints {y.csv} --time year --count count", 1, ["y.csv, row 5, column 'count'", "whole number"]),
    ("cpt-huge-count", {"y.csv": YEARS.replace("2003,8", "2003,1e30")},
     "changepoints {y.csv} --time year --count count", 1, ["y.csv, row 5, column 'count'", "2**53"]),
    ("cpt-text-count", {"y.csv": YEARS.replace("2003,8", "2003,n/a")},
     "changepoints {y.csv} --time year --count count", 1, ["y.csv, row 5, column 'count'", "n/a"]),
    ("cpt-exposure-zero", {"y.csv": "year,count,pop\n" + "".join(f"{2000 + i},{i},{0 if i == 3 else 10}\n" for i in range(6))},
     "changepoints {y.csv} --time year --count count --exposure pop", 1,
     ["y.csv, row 5, column 'pop'", "exposure 0 must be a positive number"]),
    ("cpt-missing-column", {"y.csv": YEARS}, "changepoints {y.csv} --time year --count n", 1,
     ["y.csv, row 1, column 'n'"]),
    ("cpt-0-byte-parquet", {"y.parquet": b""}, "changepoints {y.parquet} --time year --count count", 1,
     ["y.parquet, row 1", "0 bytes"]),
    ("cpt-garbage-parquet", {"y.parquet": b"garbage"}, "changepoints {y.parquet} --time year --count count", 1,
     ["y.parquet", "Parquet"]),
    ("cpt-bayes-normal", {"y.csv": YEARS}, "changepoints {y.csv} --time year --count count --method bayes --cost normal",
     2, ["--method bayes", "--cost normal"]),
    ("cpt-prior-rate", {"y.csv": YEARS},
     "changepoints {y.csv} --time year --count count --method bayes --prior-rate a,b", 2, ["--prior-rate"]),
    ("cpt-p-change", {"y.csv": YEARS}, "changepoints {y.csv} --time year --count count --method bayes --p-change 2",
     2, ["--p-change"]),
    ("cpt-alpha-negative", {"y.csv": YEARS}, "changepoints {y.csv} --time year --count count --cost negbin --alpha -1",
     2, ["alpha"]),
    ("cpt-events-bad", {"y.csv": YEARS, "e.csv": "event_id,date,label\nE1,not-a-date,x\n"},
     "changepoints {y.csv} --time year --count count --events {e.csv}", 1, ["e.csv, row 2, column 'date'"]),
    ("cpt-grouped-series", {"s.csv": SERIES.replace("\n", ",A\n").replace("exposure,A", "exposure,region")
                            + "".join(SERIES.replace("\n", ",B\n").splitlines(True)[1:])},
     "changepoints {s.csv} --time start --count count", 1, ["s.csv, row 14, column 'start'", "panel --group"]),
    # -------------------------------------------------------------------- panel
    ("panel-penalty-negative", {"r.csv": ACLED_OK}, "panel {r.csv} --group country --penalty -1", 2,
     ["argument --penalty: --penalty must be a finite number >= 0, not '-1'"]),
    ("panel-draws-negative", {"r.csv": ACLED_OK}, "panel {r.csv} --group country --draws -5", 2,
     ["argument --draws: expected a positive integer, not '-5'"]),
    ("panel-min-size-zero", {"r.csv": ACLED_OK}, "panel {r.csv} --group country --min-size 0", 2,
     ["argument --min-size: expected a positive integer, not '0'"]),
    ("panel-max-changes-negative", {"r.csv": ACLED_OK}, "panel {r.csv} --group country --max-changes -1", 2,
     ["argument --max-changes: expected an integer >= 0, not '-1'"]),
    ("panel-workers-zero", {"r.csv": ACLED_OK}, "panel {r.csv} --group country --workers 0", 2,
     ["argument --workers"]),
    ("panel-scheduler-bogus", {"r.csv": ACLED_OK}, "panel {r.csv} --group country --scheduler bogus", 2,
     ["argument --scheduler", "bogus"]),
    ("panel-scheduler-unreachable", {"r.csv": ACLED_OK},
     "panel {r.csv} --group country --scheduler tcp://127.0.0.1:9", 1,
     ["cannot reach the Dask scheduler at tcp://127.0.0.1:9"]),
    ("panel-window", {"r.csv": ACLED_OK}, "panel {r.csv} --group country --window 2024-13-01:", 2,
     ["argument --window", "2024-13-01"]),
    ("panel-meanvar-min-size-1", {"r.csv": ACLED_OK},
     "panel {r.csv} --group country --cost normal-meanvar --min-size 1", 2,
     ["`min_size` must be at least 2 for the 'normal-meanvar' cost"]),
    ("panel-missing-file", {}, "panel {nope.csv} --group country", 1, ["nope.csv", "no such file"]),
    ("panel-unknown-group", {"s.csv": SERIES}, "panel {s.csv} --group region", 1, ["s.csv, row 1, column 'region'"]),
    ("panel-series-bad-exposure", {"s.csv": SERIES.replace("\n", ",A\n").replace("exposure,A", "exposure,region")
                                   .replace(",7,A\n", ",-7,A\n", 1)},
     "panel {s.csv} --group region", 1, ["s.csv, row 2, column 'exposure'"]),
    ("panel-report-latin1", {"r.csv": (ACLED_OK + "A3,2022-01-05,1,Brazil,S\xe3o Paulo\n").encode("latin-1")},
     "panel {r.csv} --group country --engine pandas", 1, ["r.csv, row 4, column 'location'"]),
    # ------------------------------------------------------------------ monitor
    ("monitor-missing-file", {}, "monitor {nope.csv} --baseline 2024-01-01:2024-02-01", 1, ["nope.csv"]),
    ("monitor-baseline", {"s.csv": SERIES}, "monitor {s.csv} --baseline 2024-02-30:", 2, ["--baseline"]),
    ("monitor-arl", {"s.csv": SERIES}, "monitor {s.csv} --baseline 2024-01-01:2024-02-01 --arl -1", 2, ["--arl"]),
    ("monitor-bad-count", {"s.csv": _series_with(**{"4_count": "many"})},
     "monitor {s.csv} --baseline 2024-01-01:2024-02-05", 1, ["s.csv, row 6, column 'count'", "many"]),
    ("monitor-bad-start", {"s.csv": _series_with(**{"4_start": "2024-02-30"})},
     "monitor {s.csv} --baseline 2024-01-01:2024-02-05", 1, ["s.csv, row 6, column 'start'"]),
    # ------------------------------------------------------------------ extract
    ("extract-missing-article", {}, "extract {nope.txt} --out {outdir}", 1, ["nope.txt"]),
    ("extract-published", {"a.txt": "Two rockets hit the base on Monday."},
     "extract {a.txt} --published 2024-02-30 --out {outdir}", 2, ["--published", "2024-02-30"]),
    # ------------------------------------------------------- report / reproduce
    ("report-missing-spec", {}, "report {nope.toml} --out {outdir}", 1, ["nope.toml"]),
    ("report-not-toml", {"s.toml": "name = [unclosed\n"}, "report {s.toml} --out {outdir}", 1, ["s.toml"]),
    ("report-not-utf8", {"s.toml": 'name = "caf\xe9"\n'.encode("latin-1")}, "report {s.toml} --out {outdir}", 1,
     ["s.toml", "UTF-8"]),
    ("reproduce-no-manifest", {}, "reproduce --report-dir {dir}", 1, ["manifest"]),
    ("report-freq-type", {"s.toml": 'name = "t"\ntitle = "T"\n[series]\nfreq = 7\n'},
     "report {s.toml} --out {outdir}", 1, ["s.toml", "key 'series.freq'", "'W'"]),
    ("report-unknown-key", {"s.toml": 'name = "t"\ntitle = "T"\nbogus = 1\n'},
     "report {s.toml} --out {outdir}", 1, ["s.toml: key 'bogus': unknown key"]),
    ("report-missing-data-file", {"s.toml": 'name = "t"\ntitle = "T"\n[data]\nreports = ["gone.csv"]\n'},
     "report {s.toml} --out {outdir}", 1, ["s.toml: key 'data.reports[0]'", "gone.csv"]),
    ("report-outside-path", {"s.toml": 'name = "t"\ntitle = "T"\n[data]\nreports = ["/etc/passwd"]\n'},
     "report {s.toml} --out {outdir}", 1, ["s.toml: key 'data.reports[0]'", "--allow-outside"]),
    ("reproduce-bad-spec", {"s.toml": 'name = "t"\ntitle = "T"\n[series]\nfreq = 7\n'},
     "reproduce {s.toml}", 1, ["s.toml", "key 'series.freq'"]),
    ("panel-0-byte-parquet", {"r.parquet": b""}, "panel {r.parquet} --group country", 1,
     ["r.parquet, row 1", "0 bytes"]),
    ("panel-garbage-parquet", {"r.parquet": b"garbage"}, "panel {r.parquet} --group country", 1,
     ["r.parquet", "Parquet"]),
    ("monitor-not-a-series", {"r.csv": ACLED_OK}, "monitor {r.csv} --baseline 2024-01-01:2024-02-01", 1,
     ["r.csv, row 1, column 'start'"]),
]


def _materialise(tmp: Path, files: dict, argv: str) -> list[str]:
    for name, content in files.items():
        p = tmp / name
        if isinstance(content, bytes):
            p.write_bytes(content)
        else:
            p.write_text(content, encoding="utf-8")
    (tmp / "dir").mkdir(exist_ok=True)
    out = []
    for tok in argv.split():
        if tok.startswith("{") and tok.endswith("}"):
            tok = str(tmp / tok[1:-1])
        out.append(tok)
    return out


def _run(argv, capsys):
    capsys.readouterr()
    try:
        rc = main(argv)
    except SystemExit as exc:  # argparse usage errors
        rc = exc.code
    cap = capsys.readouterr()
    return rc, cap.out, cap.err


def test_the_suite_holds_at_least_sixty_cases_over_every_subcommand():
    assert len(CASES) >= 60
    assert len({c[0] for c in CASES}) == len(CASES)
    commands = {c[2].split()[0] for c in CASES}
    assert commands >= {"normalize", "fit", "changepoints", "panel", "report", "reproduce", "extract", "monitor"}


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_hostile_input(case, tmp_path, capsys):
    name, files, argv, code, expected = case
    rc, out, err = _run(_materialise(tmp_path, files, argv), capsys)
    assert "Traceback" not in err and "Traceback" not in out, err
    assert rc == code, (rc, err)
    assert err.count("error:") == 1, err  # one message, not a chain
    for text in expected:
        assert text in err, (text, err)
    assert "np.float64" not in err and "np.int64" not in err, err
    assert "cannot read the series: " not in err or err.count(str(tmp_path)) == 1, err  # no doubled prefix
    if code == 1:
        assert out == "", out


def test_unreachable_scheduler_answers_in_seconds(tmp_path, capsys):
    import time
    p = tmp_path / "r.csv"
    p.write_text(ACLED_OK)
    t0 = time.perf_counter()
    rc, _, err = _run(["panel", str(p), "--group", "country", "--scheduler", "tcp://127.0.0.1:9"], capsys)
    elapsed = time.perf_counter() - t0
    assert rc == 1 and len(err.strip().splitlines()) == 1, err
    assert elapsed < 10, elapsed


def test_meanvar_without_min_size_uses_two(tmp_path, capsys):
    p = tmp_path / "y.csv"
    p.write_text(YEARS)
    rc, out, err = _run(["changepoints", str(p), "--time", "year", "--count", "count", "--cost",
                         "normal-meanvar", "--penalty", "0", "--format", "json"], capsys)
    assert rc == 0, err
    res = json.loads(out)
    assert min(s["n"] for s in res["segments"]) >= 2 and len(res["segments"]) >= 2


def test_gaps_in_time_labels_are_named(tmp_path, capsys):
    p = tmp_path / "d.csv"
    p.write_text("day,n\n2024-01-13,3\n2024-01-14,4\n2024-03-01,5\n2024-03-02,2\n")
    for cmd in (["changepoints", str(p), "--time", "day", "--count", "n"],
                ["fit", str(p), "--time", "day", "--count", "n", "--family", "poisson"]):
        rc, _, err = _run(cmd, capsys)
        assert rc == 0, err
        assert "d.csv, row 4, column 'day': time label '2024-03-01' follows '2024-01-14'" in err, err


def test_normalize_output_read_back_names_the_bad_row(tmp_path, capsys):
    """A normalize output edited by hand: the row and column of the edit."""
    p = tmp_path / "s.csv"
    t = pd.read_csv(pd.io.common.StringIO(SERIES))
    t.loc[5, "count"] = np.nan
    t.to_csv(p, index=False)
    rc, _, err = _run(["changepoints", str(p), "--time", "start", "--count", "count"], capsys)
    assert rc == 1 and "s.csv, row 7, column 'count'" in err, err


def test_an_integer_index_may_step_freely(tmp_path, capsys):
    """Gaps are named for days and years; a plain integer index (0, 10, 20, ...) is rows."""
    p = tmp_path / "i.csv"
    p.write_text("t,count\n0,3\n10,4\n20,9\n30,8\n")
    rc, out, err = _run(["changepoints", str(p), "--time", "t", "--count", "count", "--format", "json"], capsys)
    assert rc == 0 and err == "", err
    assert json.loads(out)["segments"][0]["n"] >= 1


def test_a_listener_that_is_not_a_scheduler_is_one_line(tmp_path, capsys):
    """A port that accepts connections and answers as a web server, not as Dask."""
    import socket
    import threading
    import time

    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(8)
    srv.settimeout(0.2)
    stop = threading.Event()

    def serve():
        while not stop.is_set():
            try:
                conn, _ = srv.accept()
            except OSError:
                continue
            with conn:
                conn.sendall(b"HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n")

    th = threading.Thread(target=serve, daemon=True)
    th.start()
    p = tmp_path / "r.csv"
    p.write_text(ACLED_OK)
    try:
        t0 = time.perf_counter()
        rc, _, err = _run(["panel", str(p), "--group", "country", "--scheduler",
                           f"tcp://127.0.0.1:{srv.getsockname()[1]}"], capsys)
        elapsed = time.perf_counter() - t0
    finally:
        stop.set()
        th.join(2)
        srv.close()
    assert rc == 1 and len(err.strip().splitlines()) == 1, err
    assert "Dask scheduler" in err and "Traceback" not in err
    assert elapsed < 10, elapsed
