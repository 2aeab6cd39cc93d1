"""Reports: a TOML spec in, a self-contained HTML/Markdown report with figures, tables,
results and provenance out (DESIGN section 7)."""

from .build import BuiltReport, ReportData, build_report, compute, default_out_dir, figures
from .manifest import compare_manifest, read_manifest, write_manifest
from .spec import ReportSpec, default_spec_path, load_spec

__all__ = ["BuiltReport", "ReportData", "ReportSpec", "build_report", "compute", "figures",
           "default_out_dir", "default_spec_path", "load_spec", "compare_manifest",
           "read_manifest", "write_manifest", "reproduce"]


def reproduce(spec=None, report_dir=None, *, quiet: bool = True):
    """Rebuild every figure of a report and compare it with the committed manifest.

    Returns the list of differing files (empty when every figure is identical): files
    whose hash differs, files the rebuild no longer makes, and rebuilt figures the
    manifest does not list. ``quiet=False`` shows the build's progress bar on a terminal.
    """
    import tempfile
    from pathlib import Path

    spec = spec if isinstance(spec, ReportSpec) else load_spec(spec)
    report_dir = Path(report_dir) if report_dir is not None else default_out_dir() / spec.name
    expected = read_manifest(report_dir)
    with tempfile.TemporaryDirectory() as tmp:
        built = build_report(spec, tmp, quiet=quiet)
        bad = compare_manifest(expected, built.out_dir)
        rebuilt = {p.relative_to(built.out_dir).as_posix() for p in built.files
                   if p.parent.name == "figures"}
        bad += [{"file": rel, "expected": None, "got": None, "problem": "not in the manifest"}
                for rel in sorted(rebuilt - set(expected))]
        return bad
