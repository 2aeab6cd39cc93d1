"""Sphinx configuration for the incident-trends documentation.

Built offline by ``make docs`` with warnings as errors. The notebooks are rendered from their
stored outputs (never executed here: nbval checks them in ``make test``), and the figure gallery
is generated from the committed report's manifest, so the docs show what the package produced.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

import analysis  # noqa: E402

project = "incident-trends"
author = "The incident-trends developers"
copyright = "2026, The incident-trends developers"
release = analysis.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "myst_nb",
]

# the API pages are generated from the docstrings at every build
autosummary_generate = True
autosummary_imported_members = False
autodoc_typehints = "none"          # numpydoc's Parameters sections say the types
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False

# notebooks: stored outputs only (nbval re-runs them in make test)
nb_execution_mode = "off"
myst_enable_extensions = ["dollarmath", "colon_fence"]
source_suffix = {".rst": "restructuredtext", ".md": "myst-nb", ".ipynb": "myst-nb"}

html_theme = "pydata_sphinx_theme"
html_title = f"incident-trends {release}"
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
}
html_static_path: list[str] = []
exclude_patterns = ["_build", "**.ipynb_checkpoints"]
suppress_warnings = ["mystnb.unknown_mime_type"]


def _copy_notebooks() -> list[str]:
    """Copy ../notebooks/*.ipynb into docs/notebooks/ (generated, git-ignored)."""
    out = HERE / "notebooks"
    out.mkdir(exist_ok=True)
    names = []
    for nb in sorted((ROOT / "notebooks").glob("*.ipynb")):
        target = out / nb.name
        if not target.exists() or target.read_bytes() != nb.read_bytes():
            shutil.copyfile(nb, target)
        names.append(nb.stem)
    for stale in out.glob("*.ipynb"):
        if stale.stem not in names:
            stale.unlink()
    return names


def _write_gallery() -> None:
    """docs/gallery.md: every PNG figure of every committed report, with its report and file."""
    out = HERE / "_gallery"
    out.mkdir(exist_ok=True)
    lines = [
        "# Figure gallery",
        "",
        "The figures of the committed reports, as `make report` builds them (PNG shown; SVG and",
        "PDF beside them in each report's `figures/` folder). Each is listed in its report's",
        "`manifest.json` with its SHA-256, which `incident-trends reproduce` checks.",
        "",
    ]
    for report in sorted((ROOT / "reports").glob("*/manifest.json")):
        folder = report.parent
        manifest = json.loads(report.read_text(encoding="utf-8"))
        lines += [f"## {folder.name}", ""]
        for png in sorted((folder / "figures").glob("*.png")):
            target = out / f"{folder.name}-{png.name}"
            shutil.copyfile(png, target)
            lines += [f"### {png.stem.replace('_', ' ')}", "",
                      f"```{{image}} _gallery/{target.name}", f":alt: {png.stem} ({folder.name})",
                      ":width: 100%", "```", ""]
        n = len(manifest["files"])
        lines += [f"The manifest of `reports/{folder.name}` lists {n} entries.", ""]
    (HERE / "gallery.md").write_text("\n".join(lines), encoding="utf-8")


_copy_notebooks()
_write_gallery()
