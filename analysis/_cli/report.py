"""``incident-trends report [SPEC.toml] [--out DIR]``."""

from __future__ import annotations

import time


def add_parser(sub):
    p = sub.add_parser("report", help="build a report from a TOML spec (default: the first bundled spec)",
                       description="Build a report: with no spec, the first bundled spec (analysis.datasets.bundled_specs) into reports/.")
    p.add_argument("spec", nargs="?", default=None, help="report spec (TOML)")
    p.add_argument("--out", default=None, help="parent folder of the report (default: reports/)")
    p.add_argument("--allow-outside", action="store_true",
                   help="accept data paths outside the spec's folder and the data folder")
    return p


def run(args) -> dict:
    from ..report import build_report, load_spec
    t0 = time.perf_counter()
    spec = load_spec(args.spec, allow_outside=args.allow_outside)  # validated before anything is written
    built = build_report(spec, args.out, quiet=args.quiet)
    return {"report": str(built.out_dir), "files": len(built.files),
            "seconds": round(time.perf_counter() - t0, 2)}


def render_text(res: dict) -> str:
    return f"wrote {res['files']} files to {res['report']} in {res['seconds']} s"
