"""The bundled collection's layout: its raw files, their headers, and the build of ``data/``.

``python -m analysis.curate [RAW_DIR [OUT_DIR]]`` reads the verbatim files of ``data/raw``
(:data:`RAW_FILES`), applies the general rules with the collection's own rules
(``data/curation.toml``, :func:`analysis.curate.load_rules`) and writes the canonical tables
(:data:`OUTPUT_FILES`) byte for byte as committed.
"""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path

from .._atomic import atomic_write_text
from ..schema import InputError
from .reports import build_gazetteer, check_unique_ids, curate_gathered
from .rules import CurationRules, load_rules
from .tallies import curate_tallies

__all__ = ["RAW_FILES", "OUTPUT_FILES", "RULES_FILE", "REPORT_OUTPUT_COLUMNS", "EXCLUDED_COLUMNS",
           "TALLY_OUTPUT_COLUMNS", "EVENT_OUTPUT_COLUMNS", "rules_for", "curate_reports",
           "curate_events", "build_tables", "render_csv", "build_all", "main"]


#: Raw files (in ``data/raw``) and the header each must have.
RAW_FILES = {
    "incidents.csv": ("report_id", "incident_id", "date", "date_precision", "country",
                      "location", "weapon", "projectiles", "us_killed", "us_injured",
                      "claimed_by", "source", "source_url", "note"),
    "incidents_extended_raw.csv": ("report_id", "date", "date_precision", "country",
                                   "location", "weapon", "projectiles", "us_casualties",
                                   "claimed_by", "source_url", "note"),
    "tallies.csv": ("tally_id", "as_of", "since", "total", "iraq", "syria", "jordan",
                    "bound", "reporter", "source_url", "note"),
    "tallies_undated.csv": ("tally_id", "as_of", "since", "total", "iraq", "syria",
                            "jordan", "bound", "reporter", "source_url", "note"),
    "events.csv": ("event_id", "date", "end_date", "kind", "label", "source_url"),
}

REPORT_OUTPUT_COLUMNS = (
    "report_id", "incident_id", "date", "date_precision", "country", "location", "actor",
    "weapon", "projectiles", "fatalities", "injuries", "source", "source_url", "notes",
    "x_raw_file", "x_raw_id", "x_part", "x_projectiles_raw", "x_projectiles_bound",
    "x_casualties_raw", "x_injuries_bound", "x_weapon_raw", "x_country_raw",
    "x_location_raw", "x_curation",
)
EXCLUDED_COLUMNS = ("report_id", "file", "reason", "source_url")
TALLY_OUTPUT_COLUMNS = ("tally_id", "since", "as_of", "count", "bound", "region", "source",
                        "outlet", "source_url", "notes")
EVENT_OUTPUT_COLUMNS = RAW_FILES["events.csv"]

#: Canonical files written by :func:`build_all` (in ``data/``).
OUTPUT_FILES = ("reports.csv", "reports_excluded.csv", "tallies.csv", "events.csv")

#: The rules specific to the bundled collection, next to its raw data (``data/curation.toml``).
RULES_FILE = "curation.toml"


# ----------------------------------------------------------------------------- reading
def _read_raw(path: Path, name: str) -> list[dict]:
    """Read one raw file as strings; check its header and the uniqueness of its ids."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text ({exc.reason})", file=path) from None
    rows = list(csv.reader(io.StringIO(text, newline="")))
    if not rows:
        raise InputError("the file is empty", file=path)
    header = tuple(rows[0])
    want = RAW_FILES[name]
    if header != want:
        missing = [c for c in want if c not in header]
        extra = [c for c in header if c not in want]
        raise InputError(f"unexpected header: missing {missing}, unknown {extra}",
                         file=path, row=1, column=(missing or extra or [None])[0])
    out, seen = [], {}
    for i, r in enumerate(rows[1:], start=2):
        if len(r) != len(want):
            raise InputError(f"{len(r)} fields where the header has {len(want)}",
                             file=path, row=i)
        rec = dict(zip(want, (v.strip() for v in r)))
        key = rec[want[0]]
        if not key:
            raise InputError("empty id", file=path, row=i, column=want[0])
        if key in seen:
            raise InputError(f"duplicate id {key!r} (first on row {seen[key]})",
                             file=path, row=i, column=want[0])
        seen[key] = i
        rec["_row"] = i
        out.append(rec)
    return out


# ---------------------------------------------------------------------------- build
def rules_for(raw_dir) -> CurationRules:
    """The collection's rules: :data:`RULES_FILE` next to ``raw_dir`` (none when absent).

    Examples
    --------
    >>> from analysis.curate import build_gazetteer, load_rules, read_gathered
    >>> from analysis.datasets import data_path
    >>> raw = data_path() / "raw"
    >>> rules_for(raw) == load_rules(data_path("curation.toml"))
    True
    """
    p = Path(raw_dir).resolve().parent / RULES_FILE
    return load_rules(p) if p.is_file() else CurationRules()


def curate_reports(clean: list[dict], extended: list[dict], *, rules: CurationRules | None = None,
                   file: str = "incidents_extended_raw.csv") -> tuple[list[dict], list[dict]]:
    """Canonical report rows and exclusions from the two raw report files of the collection:
    the clean file (columns renamed only) and the gathered one (:func:`curate_gathered`,
    with a gazetteer from the single-country rows of both).

    Examples
    --------
    >>> from analysis.curate import build_gazetteer, load_rules, read_gathered
    >>> from analysis.datasets import data_path
    >>> raw = data_path() / "raw"
    >>> reports, excluded = curate_reports(read_gathered(raw / "incidents.csv"),
    ...                                    read_gathered(raw / "incidents_extended_raw.csv"), rules=rules_for(raw))
    >>> len(reports), len(excluded)
    (92, 2)
    """
    out = [_clean_report(r) for r in clean]
    gaz = build_gazetteer(
        [{"country": r["country"], "location": r["location"]} for r in clean + extended])
    rows, excluded = curate_gathered(extended, rules=rules, file=file, gazetteer=gaz, explicit=clean)
    out += rows
    check_unique_ids(out, file)
    return out, excluded


def build_tables(raw_dir, *, rules: CurationRules | None = None) -> dict[str, tuple[tuple[str, ...], list[dict]]]:
    """All canonical tables built from ``raw_dir``: name -> (columns, rows). Writes nothing.

    ``rules`` default: :func:`rules_for` ``raw_dir`` (``data/curation.toml`` for ``data/raw``).

    Examples
    --------
    >>> from analysis.curate import build_gazetteer, load_rules, read_gathered
    >>> from analysis.datasets import data_path
    >>> raw = data_path() / "raw"
    >>> {name: len(rows) for name, (columns, rows) in build_tables(raw).items()}
    {'reports.csv': 92, 'reports_excluded.csv': 2, 'tallies.csv': 101, 'events.csv': 32}
    """
    raw_dir = Path(raw_dir)
    rules = rules if rules is not None else rules_for(raw_dir)
    raw = {name: _read_raw(raw_dir / name, name) for name in RAW_FILES}
    reports, excluded = curate_reports(raw["incidents.csv"], raw["incidents_extended_raw.csv"],
                                       rules=rules)
    tallies = (curate_tallies(raw["tallies.csv"], file="tallies.csv", rules=rules)
               + curate_tallies(raw["tallies_undated.csv"], file="tallies_undated.csv", rules=rules))
    return {
        "reports.csv": (REPORT_OUTPUT_COLUMNS, reports),
        "reports_excluded.csv": (EXCLUDED_COLUMNS, excluded),
        "tallies.csv": (TALLY_OUTPUT_COLUMNS, tallies),
        "events.csv": (EVENT_OUTPUT_COLUMNS, curate_events(raw["events.csv"])),
    }


def render_csv(columns, rows) -> str:
    """CSV text with ``\\n`` line ends and minimal quoting (byte-stable).

    Examples
    --------
    >>> render_csv(("a", "b"), [{"a": 1, "b": "x, y"}])
    'a,b\\n1,"x, y"\\n'
    """
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(columns)
    for r in rows:
        w.writerow(["" if r.get(c) is None else str(r.get(c, "")) for c in columns])
    return buf.getvalue()


def build_all(raw_dir, out_dir) -> dict[str, Path]:
    """Build every canonical table from ``raw_dir`` and write it into ``out_dir``.

    Parameters
    ----------
    raw_dir : path
        Folder with the verbatim raw files (:data:`RAW_FILES`); only read.
    out_dir : path
        Folder that receives :data:`OUTPUT_FILES`; it must not be ``raw_dir``.

    Returns
    -------
    dict
        File name -> path written.

    Raises
    ------
    ValueError
        ``out_dir`` is ``raw_dir``.
    InputError
        A raw file with a wrong header, a duplicate or empty id, a row with the wrong
        number of fields, a count that is not a whole number (file, row and column named).

    Examples
    --------
    >>> import tempfile
    >>> from analysis.datasets import data_path
    >>> with tempfile.TemporaryDirectory() as out:
    ...     written = build_all(data_path() / "raw", out)
    ...     sorted(written) == sorted(OUTPUT_FILES)
    True
    """
    raw_dir, out_dir = Path(raw_dir), Path(out_dir)
    if raw_dir.resolve() == out_dir.resolve():
        raise ValueError("out_dir must differ from raw_dir: raw files are never rewritten")
    tables = build_tables(raw_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = {}
    for name, (cols, rows) in tables.items():
        path = out_dir / name
        atomic_write_text(path, render_csv(cols, rows))  # complete or not at all
        written[name] = path
    return written


def main(argv=None) -> int:
    """``python -m analysis.curate [RAW_DIR [OUT_DIR]]``: rebuild ``data/*.csv``.

    Examples
    --------
    >>> from analysis.curate import build_gazetteer, load_rules, read_gathered
    >>> from analysis.datasets import data_path
    >>> raw = data_path() / "raw"
    >>> import tempfile
    >>> from pathlib import Path
    >>> out = Path(tempfile.mkdtemp())
    >>> main([str(raw), str(out)])                           # doctest: +ELLIPSIS
    /.../reports.csv: 92 rows
    ...
    0
    >>> (out / "reports.csv").read_bytes() == data_path("reports.csv").read_bytes()   # the build is byte-stable
    True
    """
    import argparse

    root = Path(__file__).resolve().parents[2] / "data"
    p = argparse.ArgumentParser(prog="python -m analysis.curate",
                                description="Rebuild the canonical case-study tables.")
    p.add_argument("raw_dir", nargs="?", default=str(root / "raw"))
    p.add_argument("out_dir", nargs="?", default=str(root))
    args = p.parse_args(argv)
    try:
        written = build_all(args.raw_dir, args.out_dir)
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for name, path in written.items():
        n = path.read_text(encoding="utf-8").count("\n") - 1
        print(f"{path}: {n} rows")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())



def _clean_report(r: dict) -> dict:
    return {
        "report_id": r["report_id"], "incident_id": r["incident_id"], "date": r["date"],
        "date_precision": r["date_precision"], "country": r["country"],
        "location": r["location"], "actor": r["claimed_by"], "weapon": r["weapon"],
        "projectiles": r["projectiles"], "fatalities": r["us_killed"],
        "injuries": r["us_injured"], "source": r["source"], "source_url": r["source_url"],
        "notes": r["note"], "x_raw_file": "incidents.csv", "x_raw_id": r["report_id"],
        "x_curation": "verbatim; columns renamed",
    }



def curate_events(rows: list[dict]) -> list[dict]:
    """Events are already canonical: copied column by column.

    Examples
    --------
    >>> curate_events([{"event_id": "E1", "date": "2024-02-04", "end_date": "", "kind": "talks", "label": "synthetic",
    ...                 "source_url": ""}])[0]["event_id"]
    'E1'
    """
    return [{c: r[c] for c in EVENT_OUTPUT_COLUMNS} for r in rows]


