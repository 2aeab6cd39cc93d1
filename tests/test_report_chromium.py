"""Render a report's HTML in headless Chromium: it must load, draw, and run no injected script."""

import shutil
import subprocess

import pandas as pd
import pytest

from analysis.report import build_report

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed "
                                "(Debian: apt-get install chromium); the HTML render check needs it")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars"]


@pytest.fixture(scope="module")
def evil_report(tmp_path_factory):
    d = tmp_path_factory.mktemp("chromium")
    pd.DataFrame({
        "report_id": [f"SYN{i}" for i in range(10)],
        "date": pd.date_range("2024-01-01", periods=10, freq="6D").strftime("%Y-%m-%d"),
        "country": "Synthetica",
        "location": ["<img src=x onerror=\"document.title='pwned'\">"] * 10,
        "source": "synthetic test data",
    }).to_csv(d / "reports.csv", index=False)
    pd.DataFrame({"event_id": ["E1"], "date": ["2024-01-25"], "end_date": [""], "kind": ["x"],
                  "label": ["<script>document.title='pwned'</script>"], "source_url": [""]}
                 ).to_csv(d / "events.csv", index=False)
    (d / "spec.toml").write_text(
        'name = "synthetic-chromium"\ntitle = "Synthetic render check"\n'
        '[data]\nreports = ["reports.csv"]\nevents = "events.csv"\n'
        '[model]\nfamily = "poisson"\n[attribution]\ndraws = 99\n'
        '[outputs]\nfigure_formats = ["png"]\ndpi = 60\n')
    return build_report(d / "spec.toml", d / "out").out_dir / "index.html"


def _chromium(args, tmp_path):
    return subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={tmp_path / 'profile'}", *args],
                          capture_output=True, text=True, timeout=120)


def test_dom_keeps_injected_markup_as_text(evil_report, tmp_path):
    r = _chromium(["--dump-dom", evil_report.as_uri()], tmp_path)
    dom = r.stdout
    assert "<title>Synthetic render check</title>" in dom  # no script renamed the page
    assert "pwned" in dom  # the text is there ...
    assert "<script>document.title" not in dom and "<img src=\"x\"" not in dom  # ... but not as markup


def test_screenshot_renders(evil_report, tmp_path):
    shot = tmp_path / "shot.png"
    _chromium(["--window-size=1280,2000", f"--screenshot={shot}", evil_report.as_uri()], tmp_path)
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert (width, height) == (1280, 2000)
