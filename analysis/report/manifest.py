"""Figure manifests: SHA-256 per published file, and the check behind ``reproduce``."""

from __future__ import annotations

import json
from pathlib import Path

from .provenance import sha256_file

__all__ = ["write_manifest", "read_manifest", "compare_manifest"]


def write_manifest(report_dir, files) -> Path:
    """Write ``manifest.json`` listing ``files`` (paths inside ``report_dir``) with hashes."""
    report_dir = Path(report_dir)
    entries = {Path(f).relative_to(report_dir).as_posix(): sha256_file(f) for f in files}
    out = report_dir / "manifest.json"
    out.write_text(json.dumps({"files": dict(sorted(entries.items()))}, indent=2, sort_keys=True) + "\n",
                   encoding="utf-8")
    return out


def read_manifest(report_dir) -> dict[str, str]:
    p = Path(report_dir) / "manifest.json"
    return json.loads(p.read_text(encoding="utf-8"))["files"]


def compare_manifest(expected: dict[str, str], rebuilt_dir) -> list[dict]:
    """Files whose rebuilt hash differs from (or is missing against) the manifest."""
    rebuilt_dir = Path(rebuilt_dir)
    bad = []
    for rel, digest in sorted(expected.items()):
        f = rebuilt_dir / rel
        if not f.exists():
            bad.append({"file": rel, "expected": digest, "got": None, "problem": "not rebuilt"})
            continue
        got = sha256_file(f)
        if got != digest:
            bad.append({"file": rel, "expected": digest, "got": got, "problem": "differs"})
    return bad
