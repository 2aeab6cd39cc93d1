"""Building reports: files, determinism, escaping, reproduce, CLI.

The case-study report is built twice (module fixture) to prove byte-identical output.
A small spec on a synthetic data set (labelled synthetic) with HTML in its names tests
escaping and the reproduce check.
"""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from analysis.cli import main
from analysis.report import build_report, load_spec, reproduce

EVIL = "<script>alert(1)</script> \"q\" & 'a'"


@pytest.fixture(scope="module")
def case_builds(tmp_path_factory):
    a = build_report(None, tmp_path_factory.mktemp("a"))
    b = build_report(None, tmp_path_factory.mktemp("b"))
    return a, b


def _files(root: Path):
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def test_case_study_report_layout(case_builds):
    a, _ = case_builds
    files = _files(a.out_dir)
    for stem in ("counts", "model_fit", "rate_ratios", "changepoints", "tallies"):
        for ext in ("png", "svg", "pdf"):
            assert f"figures/{stem}.{ext}" in files
    for name in ("index.html", "report.md", "results.json", "manifest.json",
                 "tables/segments.csv", "tables/segments.tex", "tables/ledger_summary.csv",
                 "tables/model_terms.tex", "tables/incidents.csv"):
        assert name in files
    manifest = json.loads((a.out_dir / "manifest.json").read_text())["files"]
    assert sorted(manifest) == [f for f in files if f != "manifest.json"]  # every file but itself


def test_case_study_report_is_byte_identical(case_builds):
    a, b = case_builds
    assert _files(a.out_dir) == _files(b.out_dir)
    for rel in _files(a.out_dir):
        assert (a.out_dir / rel).read_bytes() == (b.out_dir / rel).read_bytes(), rel


def test_case_study_numbers_are_computed_not_typed(case_builds):
    a, _ = case_builds
    res = json.loads((a.out_dir / "results.json").read_text())
    series = a.data.series
    assert res["series"]["total"] == pytest.approx(series.total)
    assert res["series"]["counts"] == series.counts.tolist()
    seg = a.data.segmentation
    assert [c["index"] for c in res["changepoints"]["changepoints"]] == list(seg.changepoints)
    # the segments table written as CSV equals the result's segments
    csv = pd.read_csv(a.out_dir / "tables" / "segments.csv")
    assert csv["rate"].to_numpy() == pytest.approx(seg.segments["rate"].to_numpy(), rel=1e-9)
    # a computed sentence with the first segment's weekly rate appears in the report
    md = (a.out_dir / "report.md").read_text()
    first = seg.segments.iloc[0]
    assert f"{first['rate'] * 7 / 7:.2f}" in md
    assert res["provenance"]["seed"] == load_spec().seed
    assert all(len(f["sha256"]) == 64 for f in res["provenance"]["inputs"])
    # no absolute paths leak into the published files
    for rel in ("index.html", "report.md", "results.json"):
        assert str(Path.cwd().anchor + "work") not in (a.out_dir / rel).read_text()


def test_case_study_incident_ranges_in_html(case_builds):
    a, _ = case_builds
    html = (a.out_dir / "index.html").read_text()
    assert "25-47" in html  # Tower 22 injuries kept as a range


@pytest.fixture(scope="module")
def evil_spec(tmp_path_factory):
    d = tmp_path_factory.mktemp("evil")
    reports = pd.DataFrame({
        "report_id": [f"SYN{i}" for i in range(12)],
        "date": pd.date_range("2024-01-01", periods=12, freq="5D").strftime("%Y-%m-%d"),
        "country": "Synthetica",
        "location": [EVIL] * 6 + [f"Place {i}" for i in range(6)],
        "weapon": "rocket",
        "source": "synthetic test data",
    })
    reports.to_csv(d / "reports.csv", index=False)
    events = pd.DataFrame({"event_id": ["E1", "E2"], "date": ["2024-01-20", "2024-02-10"],
                           "end_date": ["", ""], "kind": ["talks", "strike"],
                           "label": [EVIL, "a & b <b>bold</b>"], "source_url": ["", ""]})
    events.to_csv(d / "events.csv", index=False)
    (d / "spec.toml").write_text(
        'name = "synthetic-evil"\ntitle = "Synthetic <i>test</i> report"\nseed = 3\n'
        '[data]\nreports = ["reports.csv"]\nevents = "events.csv"\n'
        '[series]\nfreq = "W"\n[model]\nfamily = "poisson"\nevents = ["2024-01-20:level"]\n'
        '[changepoints]\nmin_size = 2\n[attribution]\ndraws = 999\n'
        '[outputs]\nfigure_formats = ["png", "svg"]\ndpi = 60\n')
    return d / "spec.toml"


def test_html_in_labels_is_text_not_markup(evil_spec, tmp_path):
    built = build_report(evil_spec, tmp_path)
    html = (built.out_dir / "index.html").read_text()
    assert "<script>" not in html and "<b>bold" not in html and "<i>test" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # the location, as text
    assert "&lt;b&gt;bold&lt;/b&gt;" in html  # the event label, as text
    md = (built.out_dir / "report.md").read_text()
    assert "<script>" not in md


def test_reproduce_names_the_figure_that_differs(evil_spec, tmp_path, capsys):
    built = build_report(evil_spec, tmp_path)
    assert reproduce(evil_spec, built.out_dir) == []
    # tamper with the committed copy of one figure's hash: reproduce must name it
    m = json.loads((built.out_dir / "manifest.json").read_text())
    m["files"]["figures/counts.png"] = "0" * 64
    (built.out_dir / "manifest.json").write_text(json.dumps(m))
    code = main(["reproduce", str(evil_spec), "--report-dir", str(built.out_dir), "--format", "json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 1
    assert out["differ"] == ["figures/counts.png"] and out["checked"] == len(m["files"])
    assert [(p["check"], p["problem"]) for p in out["problems"]] == [("disk", "differs on disk"),
                                                                    ("rebuild", "differs")]
    # a file the manifest does not list is named, on disk and in the rebuild
    del m["files"]["figures/model_fit.svg"]
    (built.out_dir / "manifest.json").write_text(json.dumps(m))
    code = main(["reproduce", str(evil_spec), "--report-dir", str(built.out_dir), "--quiet"])
    err = capsys.readouterr().err
    assert code == 1
    assert "figures/counts.png: differs on disk; differs" in err
    assert "figures/model_fit.svg: on disk, not in the manifest; rebuilt, not in the manifest" in err


def test_report_cli_bad_spec_exits_1(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text('name = "x"\ntitle = "t"\n[series]\nfreq = "W"\nwindow = 3\nbogus = 1\n')
    assert main(["report", str(bad)]) == 1
    err = capsys.readouterr().err
    assert str(bad) in err and "bogus" in err


def test_report_cli_help_exits_0():
    r = subprocess.run([sys.executable, "-m", "analysis.cli", "report", "--help"],
                       capture_output=True, text=True)
    assert r.returncode == 0 and "SPEC" in r.stdout.upper()


def test_committed_case_study_figures_are_current(case_builds, repo):
    """The committed report matches its manifest and a fresh build (what `reproduce` checks)."""
    from analysis.report import compare_manifest, read_manifest
    committed = repo / "reports" / "coalition-attacks"
    expected = read_manifest(committed)
    a, _ = case_builds
    assert compare_manifest(expected, a.out_dir) == []
    from analysis.report import verify_files
    assert verify_files(expected, committed) == []  # the committed files are the ones it describes


def test_committed_case_study_results_are_current(case_builds, repo):
    """Every number of the committed results.json (the question sections included) is what a
    fresh build of the case-study spec computes."""
    committed = json.loads((repo / "reports" / "coalition-attacks" / "results.json").read_text())
    a, _ = case_builds
    fresh = json.loads((a.out_dir / "results.json").read_text())
    for key in set(committed) | set(fresh):
        if key != "provenance":
            assert fresh.get(key) == committed.get(key), key
    q = fresh["questions"]
    assert set(q) == {"compare", "alignment", "model_comparison", "sensitivity", "coverage", "monitoring"}
    assert [a["first_alarm_week"] for a in q["monitoring"]["alarms"]] == ["2024-04-15", "2024-07-22"]
    n = q["compare"]["numbers"]
    assert n["count_before_late_january"] == 144 and n["count_after_late_january"] == 4
    assert n["rr_late_january_exact"] == pytest.approx(4 / 168 / (144 / 98))
    assert fresh["series"]["source"]["switch_dates"] == ["2023-10-17", "2024-04-21"]


def test_case_study_is_a_spec_of_generic_sections(repo):
    """The bundled report is a spec: no case-study flag, every analysis a registered section."""
    import tomllib
    from analysis.report.sections import REGISTRY
    raw = tomllib.loads((repo / "specs" / "coalition-attacks.toml").read_text())
    assert "case_study" not in raw
    assert {"compare", "sensitivity", "coverage", "alignment", "model_comparison"} <= set(raw) & set(REGISTRY)
