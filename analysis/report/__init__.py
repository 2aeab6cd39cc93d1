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
    >>> import tempfile
    >>> from pathlib import Path
    >>> import pandas as pd
    >>> folder = Path(tempfile.mkdtemp())
    >>> pd.DataFrame({"report_id": [f"SYN{i}" for i in range(12)],      # synthetic reports, every 5 days
    ...               "date": pd.date_range("2024-01-01", periods=12, freq="5D").strftime("%Y-%m-%d"),
    ...               "country": "Synthetica", "location": [f"Place {i % 3}" for i in range(12)],
    ...               "source": "synthetic"}).to_csv(folder / "reports.csv", index=False)
    >>> _ = (folder / "spec.toml").write_text(
    ...     'name = "synthetic-doc"\\ntitle = "Synthetic"\\nseed = 1\\n[data]\\nreports = ["reports.csv"]\\n'
    ...     '[series]\\nfreq = "W"\\n[model]\\nfamily = "poisson"\\n[changepoints]\\nmin_size = 2\\n'
    ...     '[outputs]\\nfigure_formats = ["png"]\\ndpi = 30\\n')
    >>> from analysis.report import build_report
    >>> rep = build_report(folder / "spec.toml", folder / "out")
    >>> reproduce(folder / "spec.toml", rep.out_dir)       # intact on disk and rebuilt byte for byte
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
