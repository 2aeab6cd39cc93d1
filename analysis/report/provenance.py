"""Provenance: what a report was built from, so that a reader can rebuild it.

The block holds the SHA-256 of every input file, the package and dependency versions,
the parameters (the resolved spec) and the seed. It holds no clock time and no host
name, so that building twice gives byte-identical files.
"""

from __future__ import annotations

import hashlib
import platform
from importlib import metadata
from pathlib import Path

__all__ = ["sha256_file", "provenance", "DEPENDENCIES"]

#: Distributions whose versions are recorded.
DEPENDENCIES = ("incident-trends", "numpy", "pandas", "scipy", "statsmodels", "matplotlib",
                "jinja2", "numba", "duckdb")


def sha256_file(path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "not installed"


def _freetype_version() -> str:
    try:
        from matplotlib import ft2font
        return str(ft2font.__freetype_version__)
    except (ImportError, AttributeError):
        return "unknown"


def provenance(inputs, *, parameters: dict, seed: int, root=None) -> dict:
    """The provenance block of a report.

    Parameters
    ----------
    inputs : iterable of path-like
        Every file the report reads.
    parameters : dict
        The resolved settings.
    seed : int
        The seed every random step derives from.
    root : path-like, optional
        Paths are shown relative to it (so the block does not depend on where the
        repository was cloned).
    """
    def rel(p):
        p = Path(p).resolve()
        if root is not None:
            try:
                return p.relative_to(Path(root).resolve()).as_posix()
            except ValueError:
                pass
        return p.name
    files = [{"path": rel(p), "sha256": sha256_file(p), "bytes": Path(p).stat().st_size}
             for p in sorted(set(map(str, inputs)))]
    return {
        "inputs": files,
        "versions": {d: _version(d) for d in DEPENDENCIES},
        "python": platform.python_version(),
        # PNG bytes depend on the FreeType that rasterises the text
        "freetype": _freetype_version(),
        "parameters": parameters,
        "seed": seed,
    }
