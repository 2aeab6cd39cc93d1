"""Reports: a TOML spec in, a self-contained HTML/Markdown report with figures, tables,
results and provenance out (DESIGN section 7)."""

from .build import BuiltReport, ReportData, build_report, compute, default_out_dir, figures
from .manifest import compare_manifest, read_manifest, verify_files, write_manifest
from .spec import ReportSpec, default_spec_path, load_spec

__all__ = ["BuiltReport", "ReportData", "ReportSpec", "build_report", "compute", "figures",
           "default_out_dir", "default_spec_path", "load_spec", "compare_manifest",
           "read_manifest", "verify_files", "write_manifest", "reproduce"]


def reproduce(spec=None, report_dir=None, *, quiet: bool = True) -> list[dict]:
    """Check a report folder against its manifest, on disk and by a fresh rebuild.

    Two checks, every file of the report (figures, tables, HTML, Markdown, results):

    * on disk: each file ``manifest.json`` lists must exist with the listed SHA-256
      (``"missing on disk"``, ``"differs on disk"``), and no other file may be present
      (``"on disk, not in the manifest"``);
    * rebuilt: the report is built again in a temporary folder and each listed file must
      come out with the listed hash (``"differs"``, ``"not rebuilt"``); a rebuilt file the
      manifest does not list is ``"rebuilt, not in the manifest"``.

    Returns the findings (empty when the report is intact and reproducible), each a
    dict ``{"file", "problem", "check", "expected", "got"}`` with ``check`` ``"disk"`` or
    ``"rebuild"``, sorted by file. ``quiet=False`` shows the build's progress bar on a
    terminal.

    Raises
    ------
    InputError
        When ``report_dir`` holds no readable ``manifest.json``.

    Examples
    --------
    >>> from analysis.synthetic import write_toy_spec
    >>> spec = write_toy_spec()          # synthetic reports and spec in a new folder
    >>> from analysis.report import build_report
    >>> rep = build_report(spec, spec.parent / "out")
    >>> reproduce(spec, rep.out_dir)       # intact on disk and rebuilt byte for byte
    []
    """
    import tempfile
    from pathlib import Path

    from .manifest import report_files, verify_files

    spec = spec if isinstance(spec, ReportSpec) else load_spec(spec)
    report_dir = Path(report_dir) if report_dir is not None else default_out_dir() / spec.name
    expected = read_manifest(report_dir)
    bad = [dict(b, check="disk") for b in verify_files(expected, report_dir)]
    with tempfile.TemporaryDirectory() as tmp:
        built = build_report(spec, tmp, quiet=quiet)
        bad += [dict(b, check="rebuild") for b in compare_manifest(expected, built.out_dir)]
        bad += [{"file": rel, "expected": None, "got": None, "problem": "rebuilt, not in the manifest",
                 "check": "rebuild"} for rel in report_files(built.out_dir) if rel not in expected]
    return sorted(bad, key=lambda b: (b["file"], b["check"]))
