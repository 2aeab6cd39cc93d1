"""Report manifests: the SHA-256 of every file of a report, and the checks behind ``reproduce``.

``manifest.json`` lists every file of the report folder except itself (figures, tables,
``index.html``, ``report.md``, ``results.json``) with its SHA-256. It is written last,
so a report with a manifest is a complete report. Two checks use it:

* :func:`verify_files` -- the folder on disk against its manifest: every listed file
  present with the listed hash, and no file present that the manifest does not list;
* :func:`compare_manifest` -- a fresh rebuild against the manifest.

Each finding is a dict ``{"file", "problem", "expected", "got"}`` where ``file`` is the
path inside the report folder.
"""

from __future__ import annotations

import json
from pathlib import Path

from ..schema import InputError
from .provenance import sha256_file

__all__ = ["MANIFEST", "write_manifest", "read_manifest", "compare_manifest", "verify_files",
           "report_files"]

MANIFEST = "manifest.json"


def report_files(report_dir) -> list[str]:
    """Every file under ``report_dir`` (hidden ones too), as sorted POSIX paths inside it,
    ``manifest.json`` left out."""
    report_dir = Path(report_dir)
    return sorted(p.relative_to(report_dir).as_posix() for p in report_dir.rglob("*")
                  if (p.is_file() or p.is_symlink()) and p.relative_to(report_dir).as_posix() != MANIFEST)


def write_manifest(report_dir, files=None) -> Path:
    """Write ``manifest.json`` listing ``files`` (paths inside ``report_dir``; every file of
    the folder when None) with their SHA-256, atomically.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "a.txt").write_text("one")
    >>> write_manifest(folder).name, list(read_manifest(folder))
    ('manifest.json', ['a.txt'])
    """
    from .._atomic import atomic_write_text
    report_dir = Path(report_dir)
    if files is None:
        rels = report_files(report_dir)
    else:
        rels = []
        for f in files:
            try:
                rels.append(Path(f).relative_to(report_dir).as_posix())
            except ValueError:
                rels.append(Path(f).as_posix())
    entries = {rel: sha256_file(report_dir / rel) for rel in rels}
    text = json.dumps({"files": dict(sorted(entries.items()))}, indent=2, sort_keys=True) + "\n"
    return atomic_write_text(report_dir / MANIFEST, text)


def read_manifest(report_dir) -> dict[str, str]:
    """``{path inside the report: sha256}`` from ``report_dir/manifest.json``.

    Raises
    ------
    InputError
        When the manifest is missing (an incomplete or never-built report) or unreadable.

    Examples
    --------
    >>> from analysis.report import default_out_dir
    >>> manifest = read_manifest(default_out_dir() / "coalition-attacks")
    >>> "results.json" in manifest and all(len(h) == 64 for h in manifest.values())
    True
    """
    p = Path(report_dir) / MANIFEST
    try:
        files = json.loads(p.read_text(encoding="utf-8"))["files"]
    except FileNotFoundError:
        raise InputError(f"no {MANIFEST}: not a complete report (build it with `incident-trends "
                         "report`)", file=p) from None
    except (ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
        raise InputError(f"not a report manifest ({type(exc).__name__}: {exc})", file=p) from None
    if not isinstance(files, dict) or not all(isinstance(k, str) and isinstance(v, str)
                                              for k, v in files.items()):
        raise InputError("not a report manifest ('files' must map paths to SHA-256 digests)", file=p)
    for rel in files:
        if rel.startswith("/") or ".." in Path(rel).parts:
            raise InputError(f"manifest entry {rel!r} points outside the report folder", file=p)
    return files


def compare_manifest(expected: dict[str, str], rebuilt_dir) -> list[dict]:
    """Files whose rebuilt hash differs from (or is missing against) the manifest.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "a.txt").write_text("one")
    >>> expected = read_manifest(write_manifest(folder).parent)
    >>> _ = (folder / "a.txt").write_text("two")
    >>> [(d["file"], d["problem"]) for d in compare_manifest(expected, folder)]
    [('a.txt', 'differs')]
    """
    rebuilt_dir = Path(rebuilt_dir)
    bad = []
    for rel, digest in sorted(expected.items()):
        f = rebuilt_dir / rel
        if not f.is_file():
            bad.append({"file": rel, "expected": digest, "got": None, "problem": "not rebuilt"})
            continue
        got = sha256_file(f)
        if got != digest:
            bad.append({"file": rel, "expected": digest, "got": got, "problem": "differs"})
    return bad


def verify_files(expected: dict[str, str], report_dir) -> list[dict]:
    """The report folder on disk against its manifest.

    Every listed file must exist with the listed SHA-256 (``"differs on disk"``,
    ``"missing on disk"``), and every file present must be listed (``"on disk, not in
    the manifest"``).

    Examples
    --------
    >>> from analysis.report import default_out_dir
    >>> folder = default_out_dir() / "coalition-attacks"
    >>> verify_files(read_manifest(folder), folder)      # every listed file on disk, as hashed
    []
    """
    report_dir = Path(report_dir)
    bad = []
    for rel, digest in sorted(expected.items()):
        f = report_dir / rel
        if not f.is_file():
            bad.append({"file": rel, "expected": digest, "got": None, "problem": "missing on disk"})
            continue
        got = sha256_file(f)
        if got != digest:
            bad.append({"file": rel, "expected": digest, "got": got, "problem": "differs on disk"})
    bad += [{"file": rel, "expected": None, "got": sha256_file(report_dir / rel) if
             (report_dir / rel).is_file() else None, "problem": "on disk, not in the manifest"}
            for rel in report_files(report_dir) if rel not in expected]
    return bad
