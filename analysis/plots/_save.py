"""Deterministic figure files: the same figure saved twice gives the same bytes."""

from __future__ import annotations

from pathlib import Path

from .._atomic import atomic_path
from ._style import SAVE_RC

__all__ = ["save_figure", "FORMATS"]

#: Formats :func:`save_figure` writes, with the metadata that pins their bytes. Dates
#: and software versions are left out, so files only change when the drawing does.
FORMATS = {
    "png": {"Software": None},
    "svg": {"Date": None, "Creator": None, "Format": None, "Type": None},
    "pdf": {"CreationDate": None, "ModDate": None, "Creator": None, "Producer": None},
}


def save_figure(fig, path_stem, formats=("png", "svg", "pdf"), *, dpi: int = 200,
                metadata=None) -> list[Path]:
    """Write ``fig`` to ``<path_stem>.<format>`` for each format, byte-identical on re-run.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    path_stem : str or path-like
        Path without extension (an extension naming one of ``formats`` is dropped);
        parent folders are created.
    formats : sequence of {"png", "svg", "pdf"}
    dpi : int
        Resolution of raster output (PNG).
    metadata : mapping, optional
        Extra metadata merged over the fixed defaults (e.g. ``{"Title": ...}``); keep it
        free of dates and versions to stay reproducible.

    Returns
    -------
    list of pathlib.Path
        The files written, in the order of ``formats``.

    Notes
    -----
    Reproducibility comes from: no creation dates or creator/version strings in PNG,
    SVG and PDF metadata; a fixed ``svg.hashsalt`` (stable element ids); text drawn as
    paths in SVG (``svg.fonttype = "path"``, so output does not depend on installed
    fonts); TrueType subsets in PDF (``pdf.fonttype = 42``); and the bundled DejaVu
    fonts of the project style. The figure is never shown.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> _ = ax.plot([0, 1], [0, 1])
    >>> paths = save_figure(fig, Path(tempfile.mkdtemp()) / "line", formats=("png", "svg"), dpi=50)
    >>> [p.suffix for p in paths]
    ['.png', '.svg']
    >>> plt.close(fig)
    """
    import matplotlib as mpl

    if isinstance(formats, str):
        formats = (formats,)
    formats = tuple(str(f).lower().lstrip(".") for f in formats)
    bad = [f for f in formats if f not in FORMATS]
    if bad or not formats:
        raise ValueError(f"`formats` must be a non-empty sequence of {sorted(FORMATS)}, got {bad or formats}")
    if not (isinstance(dpi, (int, float)) and dpi > 0):
        raise ValueError(f"`dpi` must be a positive number, got {dpi!r}")
    stem = Path(path_stem)
    if stem.suffix.lower().lstrip(".") in FORMATS:
        stem = stem.with_suffix("")
    stem.parent.mkdir(parents=True, exist_ok=True)
    written = []
    with mpl.rc_context(SAVE_RC):
        for fmt in formats:
            md = dict(FORMATS[fmt])
            if metadata:
                md.update({k: v for k, v in dict(metadata).items()})
            path = stem.parent / f"{stem.name}.{fmt}"
            with atomic_path(path) as tmp:  # never a half-written figure
                fig.savefig(tmp, format=fmt, dpi=dpi, metadata=md, facecolor="white")
            written.append(path)
    return written
