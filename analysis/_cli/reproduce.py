"""``incident-trends reproduce [SPEC.toml] [--report-dir DIR]``: rebuild and check figures."""

from __future__ import annotations

import sys


def add_parser(sub):
    p = sub.add_parser("reproduce", help="rebuild every figure and check it against the manifest",
                       description="Rebuild every figure listed in reports/<name>/manifest.json and "
                                   "exit 1 naming each figure that differs.")
    p.add_argument("spec", nargs="?", default=None, help="report spec (TOML); default: the case study")
    p.add_argument("--report-dir", default=None, help="folder holding manifest.json")
    p.add_argument("--allow-outside", action="store_true",
                   help="accept data paths outside the spec's folder and the data folder")
    return p


def run(args):
    from ..report import read_manifest, reproduce
    from ..report.spec import load_spec
    from ..report.build import default_out_dir
    spec = load_spec(args.spec, allow_outside=args.allow_outside)
    rdir = args.report_dir or (default_out_dir() / spec.name)
    expected = read_manifest(rdir)
    bad = reproduce(spec, rdir, quiet=args.quiet)
    result = {"checked": len(expected), "differ": [b["file"] for b in bad], "ok": not bad}
    if args.format == "json":
        from ..cli import emit
        emit(result, "json")
    else:
        for b in bad:
            print(f"{b['file']}: {b['problem']}", file=sys.stderr)
        same = sum(1 for rel in expected if rel not in {b["file"] for b in bad})
        print(f"{same} of {len(expected)} figure files identical")
    return 1 if bad else 0
