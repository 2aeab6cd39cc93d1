"""``incident-trends reproduce [SPEC.toml] [--report-dir DIR]``: check a report on disk and by a rebuild."""

from __future__ import annotations

import sys


def add_parser(sub):
    p = sub.add_parser("reproduce", help="check a report's files against its manifest and a fresh rebuild",
                       description="Check every file of reports/<name>/ against manifest.json (SHA-256 of "
                                   "each listed file; files present but unlisted) and against a fresh "
                                   "rebuild; exit 1 naming each file that differs, is missing or is extra.")
    p.add_argument("spec", nargs="?", default=None, help="report spec (TOML); default: the first bundled spec")
    p.add_argument("--report-dir", default=None, help="folder holding manifest.json")
    p.add_argument("--allow-outside", action="store_true",
                   help="accept data paths outside the spec's folder and the data folder")
    return p


def run(args):
    from ..report import read_manifest, reproduce
    from ..report.build import default_out_dir
    from ..report.spec import load_spec
    spec = load_spec(args.spec, allow_outside=args.allow_outside)
    rdir = args.report_dir or (default_out_dir() / spec.name)
    expected = read_manifest(rdir)
    bad = reproduce(spec, rdir, quiet=args.quiet)
    files = list(dict.fromkeys(b["file"] for b in bad))
    result = {"report": str(rdir), "checked": len(expected), "differ": files, "ok": not bad,
              "problems": [{"file": b["file"], "check": b["check"], "problem": b["problem"]} for b in bad]}
    if args.format == "json":
        from ..cli import emit
        emit(result, "json")
    else:
        for f in files:
            print(f"{f}: " + "; ".join(b["problem"] for b in bad if b["file"] == f), file=sys.stderr)
        same = sum(1 for rel in expected if rel not in set(files))
        print(f"{same} of {len(expected)} files identical on disk and in the rebuild")
    return 1 if bad else 0
