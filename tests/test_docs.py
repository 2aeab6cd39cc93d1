"""The documentation site builds offline with warnings as errors (what ``make docs`` runs)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_docs_build_without_warnings(tmp_path):
    out = tmp_path / "html"
    proc = subprocess.run(
        [sys.executable, "-m", "sphinx", "-b", "html", "-W", "--keep-going", "-q",
         str(ROOT / "docs"), str(out)],
        capture_output=True, text=True, cwd=ROOT, timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-4000:]
    # the pages a reader needs: start, guide, API from the docstrings, notebooks, gallery
    for page in ("index.html", "getting-started.html", "guide/count-models.html", "api.html",
                 "citing.html", "gallery.html", "notebooks/01-quickstart.html"):
        assert (out / page).is_file(), page
    api_pages = {p.name for p in (out / "_api").glob("*.html")}
    assert "analysis.CountSeries.html" in api_pages
    assert "analysis.fit_counts.html" in api_pages
    # the API page is generated from the docstrings: fit_counts documents its family parameter
    assert "family" in (out / "_api" / "analysis.fit_counts.html").read_text(encoding="utf-8")
    # getting started shows the README's tested examples (the report's series, the CLI as it runs)
    start = (out / "getting-started.html").read_text(encoding="utf-8")
    import re
    code = re.sub(r"<[^>]+>", "", start)
    assert "case_study_series" in code and "weekly.csv --time start --count count" in code
    assert "Which series." in start
    gallery = (out / "gallery.html").read_text(encoding="utf-8")
    assert gallery.count("<img") >= len(list((ROOT / "reports").glob("*/figures/*.png")))
