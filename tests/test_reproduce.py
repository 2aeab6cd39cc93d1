"""``reproduce`` checks the files on disk against the manifest and against a rebuild.

A truncated PNG, an edited SVG, a changed results.json or index.html, a missing file and
an extra file are each named (exit 1); an intact report passes (exit 0).
"""

import json
import shutil

import pytest

from analysis.cli import main
from analysis.report import build_report, read_manifest, reproduce, verify_files
from analysis.report.provenance import sha256_file
from analysis.schema import InputError

from _small_report import write_small_spec


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    spec = write_small_spec(tmp_path_factory.mktemp("spec"))
    return spec, build_report(spec, tmp_path_factory.mktemp("out"))


@pytest.fixture
def copy(built, tmp_path):
    """A fresh copy of the built report folder to tamper with."""
    dst = tmp_path / built[1].out_dir.name
    shutil.copytree(built[1].out_dir, dst)
    return dst


def test_manifest_lists_every_file_of_the_report(built):
    out = built[1].out_dir
    m = read_manifest(out)
    on_disk = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    assert sorted([*m, "manifest.json"]) == on_disk
    assert {"index.html", "report.md", "results.json", "figures/counts.png", "figures/counts.svg",
            "tables/segments.csv"} <= set(m)
    assert all(m[rel] == sha256_file(out / rel) for rel in m)
    assert verify_files(m, out) == []


@pytest.mark.parametrize("rel,tamper,problem", [
    ("figures/counts.png", lambda p: p.write_bytes(p.read_bytes()[:100]), "differs on disk"),
    ("figures/changepoints.svg", lambda p: p.write_text(p.read_text().replace("</svg>", "<!-- x --></svg>")),
     "differs on disk"),
    ("results.json", lambda p: p.write_text(p.read_text().replace('"seed": 5', '"seed": 6')), "differs on disk"),
    ("index.html", lambda p: p.write_text(p.read_text() + " "), "differs on disk"),
    ("tables/segments.csv", lambda p: p.unlink(), "missing on disk"),
    ("figures/extra.png", lambda p: p.write_bytes(b"\x89PNG"), "on disk, not in the manifest"),
    ("tables/.hidden.tmp", lambda p: p.write_text("debris"), "on disk, not in the manifest"),
])
def test_each_changed_missing_or_extra_file_is_named(copy, rel, tamper, problem):
    m = read_manifest(copy)
    tamper(copy / rel)
    bad = verify_files(m, copy)
    assert [(b["file"], b["problem"]) for b in bad] == [(rel, problem)]


def test_reproduce_cli_names_each_file_and_exits_1(built, copy, capsys):
    spec = built[0]
    assert main(["reproduce", str(spec), "--report-dir", str(copy), "--quiet"]) == 0
    out = capsys.readouterr().out
    n = len(read_manifest(copy))
    assert out.strip() == f"{n} of {n} files identical on disk and in the rebuild"
    p = copy / "figures" / "counts.png"
    p.write_bytes(p.read_bytes()[: len(p.read_bytes()) // 2])  # truncated
    (copy / "results.json").write_text((copy / "results.json").read_text().replace("Synthetic", "Edited"))
    (copy / "report.md").unlink()
    (copy / "notes.txt").write_text("not part of the report")
    code = main(["reproduce", str(spec), "--report-dir", str(copy), "--format", "json"])
    res = json.loads(capsys.readouterr().out)
    assert code == 1 and res["ok"] is False
    assert res["differ"] == ["figures/counts.png", "notes.txt", "report.md", "results.json"]
    assert [(p["file"], p["check"], p["problem"]) for p in res["problems"]] == [
        ("figures/counts.png", "disk", "differs on disk"),
        ("notes.txt", "disk", "on disk, not in the manifest"),
        ("report.md", "disk", "missing on disk"),
        ("results.json", "disk", "differs on disk"),
    ]  # the rebuild itself still matches the manifest
    code = main(["reproduce", str(spec), "--report-dir", str(copy), "--quiet"])
    captured = capsys.readouterr()
    assert code == 1 and "report.md: missing on disk" in captured.err
    assert f"{n - 3} of {n} files identical" in captured.out


def test_rebuild_difference_is_named(built, copy):
    """A manifest that no longer matches what the code builds: named as a rebuild difference."""
    m = read_manifest(copy)
    m["index.html"] = "0" * 64
    (copy / "manifest.json").write_text(json.dumps({"files": m}))
    (copy / "index.html").write_text("edited to match the bad digest? no: differs on disk too")
    bad = reproduce(built[0], copy)
    assert [(b["file"], b["check"], b["problem"]) for b in bad] == [
        ("index.html", "disk", "differs on disk"), ("index.html", "rebuild", "differs")]


def test_missing_or_hostile_manifest_is_a_clear_error(built, copy, capsys):
    (copy / "manifest.json").unlink()
    assert main(["reproduce", str(built[0]), "--report-dir", str(copy)]) == 1
    err = capsys.readouterr().err
    assert "manifest.json: no manifest.json: not a complete report" in err and "Traceback" not in err
    (copy / "manifest.json").write_text(json.dumps({"files": {"../../etc/passwd": "0" * 64}}))
    with pytest.raises(InputError, match="points outside the report folder"):
        read_manifest(copy)
    (copy / "manifest.json").write_text("{not json")
    with pytest.raises(InputError, match="not a report manifest"):
        read_manifest(copy)
