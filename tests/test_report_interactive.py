"""Interactive figures in the HTML report ([outputs] interactive = true): the embedded Vega-Lite
specs carry the series' numbers, the week tooltips name sources and events, nothing is fetched
from the network, and text from the data can neither end a script nor become a link.

Built on a small synthetic spec (labelled synthetic) so each assertion is a known answer.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.report import build_report, load_spec
from analysis.report.spec_schema import SpecError

EVIL = "</script><script>alert('x')</script> & <b>bold</b>"


def _spec(folder: Path, *, interactive: str = "true") -> Path:
    rng = np.random.default_rng(3)
    # synthetic: a busy spell then a quiet one
    days = np.r_[np.sort(rng.integers(0, 56, 36)), np.sort(rng.integers(56, 126, 4))]
    dates = (pd.Timestamp("2024-01-01") + pd.to_timedelta(days, unit="D")).strftime("%Y-%m-%d")
    urls = [f"https://example.org/synthetic/{i % 6}" for i in range(len(days))]
    urls[1] = "javascript:alert(1)"
    pd.DataFrame({"report_id": [f"SYN{i}" for i in range(len(days))], "date": dates,
                  "country": "Synthetica", "location": [f"Place {i}" for i in range(len(days))],
                  "weapon": "rocket", "source": "synthetic", "source_url": urls}).to_csv(
        folder / "reports.csv", index=False)
    pd.DataFrame({"event_id": ["E1", "E2"], "date": ["2024-02-21", "2024-03-27"], "end_date": ["", ""],
                  "kind": ["strike", "talks"], "label": [EVIL, "Synthetic talks"],
                  "source_url": ["https://example.org/e1", "javascript:alert(2)"]}).to_csv(
        folder / "events.csv", index=False)
    spec = folder / "spec.toml"
    spec.write_text('name = "synthetic-interactive"\ntitle = "Synthetic interactive report"\nseed = 5\n'
                    '[data]\nreports = ["reports.csv"]\nevents = "events.csv"\n'
                    '[series]\nfreq = "W"\n[model]\nfamily = "poisson"\nevents = ["2024-02-26:level"]\n'
                    '[changepoints]\nmin_size = 2\n[attribution]\ndraws = 99\n'
                    f'[outputs]\nfigure_formats = ["png"]\ndpi = 40\ninteractive = {interactive}\n',
                    encoding="utf-8")
    return spec


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    folder = tmp_path_factory.mktemp("interactive")
    rep = build_report(_spec(folder), folder / "out")
    html = (rep.out_dir / "index.html").read_text(encoding="utf-8")
    specs = {m.group(1): json.loads(m.group(2)) for m in re.finditer(
        r'<script type="application/json" id="spec-([a-z_]+)">(.*?)</script>', html, flags=re.S)}
    return rep, html, specs, folder


def _rows(spec, field):
    """Rows of the first inline dataset whose records have ``field``."""
    sets = [v for v in spec["datasets"].values() if v and field in v[0]]
    assert sets, (field, list(spec["datasets"]))
    return sets


def _walk(node):
    if isinstance(node, dict):
        yield node
        for v in node.values():
            yield from _walk(v)
    elif isinstance(node, list):
        for v in node:
            yield from _walk(v)


def _tooltip_titles(spec):
    out = set()
    for d in _walk(spec):
        tip = d.get("encoding", {}).get("tooltip") if isinstance(d.get("encoding"), dict) else None
        for t in (tip if isinstance(tip, list) else [tip] if tip else []):
            out.add(t.get("title") or t.get("field"))
    return out


def test_three_figures_embedded_with_the_series_counts(built):
    rep, _, specs, _ = built
    assert set(specs) == {"counts", "model_fit", "changepoints"}
    s = rep.data.series
    starts_ms = (pd.DatetimeIndex(s.start).as_unit("ns").asi8 // 1_000_000).tolist()
    for key, spec in specs.items():
        weeks = [rows for rows in _rows(spec, "count_text")]
        for rows in weeks:  # every dataset of periods: one row per period, the series' counts
            assert [r["t0"] for r in rows] == starts_ms, key
            np.testing.assert_array_equal([r["count"] for r in rows], s.counts.astype(float))
    # the model-fit chart's observed points and fitted line are the fit's numbers
    pred = rep.data.fit.predict()
    obs = _rows(specs["model_fit"], "observed")[0]
    np.testing.assert_array_equal([r["observed"] for r in obs], pred["observed"].to_numpy(float))
    fitted = [r["value"] for r in _rows(specs["model_fit"], "value")[0] if r["what"].startswith("fitted")]
    np.testing.assert_allclose(fitted, pred["mean"].to_numpy(float), rtol=1e-12)
    # the P(change) panel carries the posterior, rounded to 4 decimals
    p = [r["p_change"] for r in _rows(specs["changepoints"], "p_change")[0]]
    np.testing.assert_allclose(p, rep.data.bayes.prob_change, atol=5e-5)


def test_week_sources_are_the_reports_of_that_week(built):
    rep, _, specs, folder = built
    reports = pd.read_csv(folder / "reports.csv")
    day = pd.to_datetime(reports["date"])
    links = _rows(specs["counts"], "line")[0]
    weeks = _rows(specs["counts"], "count_text")[0]
    checked = 0
    for w in weeks:
        a = pd.Timestamp(w["t0"], unit="ms")
        inside = reports[(day >= a) & (day < a + pd.Timedelta(days=7))]
        want = sorted({u for u in inside["source_url"] if u.startswith("https://")})
        got = sorted(r["url"] for r in links if r["week"] == w["week"] and r["url"])
        assert got == want, w["week"]
        assert w["n_sources"] == len(want) and w["reports"] == len(inside)
        checked += bool(want)
    assert checked >= 8
    # no javascript: address becomes a link, anywhere in any spec
    for spec in specs.values():
        for d in _walk(spec):
            for k in ("url", "href"):
                v = d.get(k)
                assert not (isinstance(v, str) and v.lower().startswith("javascript")), d


def test_tooltips_name_count_sources_and_events(built):
    _, _, specs, _ = built
    for key, spec in specs.items():
        assert {"period", "count", "counted from", "reports counted", "sources", "events"} \
            <= _tooltip_titles(spec), key
        hover = [p for p in spec.get("params", []) if p["name"].endswith("_hover")]
        hover += [p for d in _walk(spec) for p in d.get("params", []) if isinstance(p, dict)
                  and p.get("name", "").endswith("_hover")]
        assert hover and all(p["select"]["on"] == "pointerover" for p in hover), key
    weeks = _rows(specs["counts"], "count_text")[0]
    with_event = [w for w in weeks if w["events"] != "none"]
    assert len(with_event) == 2 and with_event[0]["events"].startswith("E1 (21 February 2024): ")
    assert {"event", "label", "source (click to open)"} <= _tooltip_titles(specs["counts"])
    ev = _rows(specs["counts"], "kind")[0]
    assert [e["label"] for e in ev] == [EVIL, "Synthetic talks"]  # JSON gives the text back whole
    assert [e["url"] for e in ev] == ["https://example.org/e1", ""]


def test_offline_no_external_script_and_no_markup_from_data(built):
    _, html, specs, _ = built
    tags = re.findall(r"<script\b[^>]*>", html)
    assert len(tags) == 5 and not [t for t in tags if "src=" in t]  # bundle, embed call, 3 specs
    assert not re.search(r"<link\b[^>]*href=\"https?:", html)
    assert "vegaEmbed" in html and "vegaLite" in html  # the libraries are inlined ...
    assert not re.search(r"""(src|href)=["']?https?://(cdn|unpkg|fastly)""", html)  # ... not fetched
    assert "<script>alert" not in html and "<b>bold</b>" not in html
    for key in specs:
        body = re.search(rf'id="spec-{key}">(.*?)</script>', html, flags=re.S).group(1)
        assert "<" not in body and ">" not in body and "&" not in body


def test_specs_compile_and_draw_one_bar_per_period(built):
    vlc = pytest.importorskip("vl_convert")
    rep, _, specs, _ = built
    import altair as alt

    version = ".".join(alt.VEGALITE_VERSION.split(".")[:2])
    vega = vlc.vegalite_to_vega(specs["counts"], vl_version=version)
    signals = {s["name"] for s in vega.get("signals", [])}
    for sub in _walk(vega):
        signals |= {s["name"] for s in sub.get("signals", []) if isinstance(s, dict) and "name" in s}
    assert {"counts_hover", "counts_click"} <= {s.removesuffix("_tuple") for s in signals}
    svg = vlc.vegalite_to_svg(specs["changepoints"], vl_version=version)
    assert svg.startswith("<svg") and "P(change)" in svg
    # the counts and model-fit charts keep their colour legends (how counted; fit and counterfactual)
    for key, labels in (("counts", ["dated incidents", "spread from tally totals"]),
                        ("model_fit", ["fitted mean (95% CI)", "counterfactual: no event terms (95% CI)"])):
        compiled = vlc.vegalite_to_vega(specs[key], vl_version=version)
        assert [lg for d in _walk(compiled) for lg in d.get("legends", []) if isinstance(lg, dict)], key
        svg = vlc.vegalite_to_svg(specs[key], vl_version=version)
        assert all(lab in svg for lab in labels), key


def test_rebuild_is_byte_identical(built, tmp_path):
    rep, html, specs, folder = built
    # every view is named by the chart code: an unnamed view gets a name that changes from one
    # process to the next, and the report with it
    names = {d["name"] for spec in specs.values() for d in _walk(spec) if isinstance(d.get("name"), str)}
    assert not [n for n in names if n.startswith("view_")], names
    assert {"counts_periods_0", "fit_periods", "cpt_periods_0", "prob_periods_1"} <= names
    again = build_report(_spec(folder), tmp_path / "again")
    assert (again.out_dir / "index.html").read_text(encoding="utf-8") == html


def test_off_by_default_and_key_checked(tmp_path):
    spec = load_spec(_spec(tmp_path, interactive="false"))
    assert spec.outputs["interactive"] is False
    (tmp_path / "spec.toml").write_text((tmp_path / "spec.toml").read_text().replace(
        "interactive = false\n", ""))
    assert load_spec(tmp_path / "spec.toml").outputs["interactive"] is False
    with pytest.raises(SpecError, match="outputs.interactive"):
        load_spec(_spec(tmp_path, interactive='"yes"'))


def test_bundled_case_study_enables_it():
    spec = load_spec(Path(__file__).resolve().parents[1] / "specs" / "coalition-attacks.toml")
    assert spec.outputs["interactive"] is True


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (Debian: "
                                    "apt-get install chromium); the in-browser checks need it")


def _dom(page: Path, tmp_path) -> str:
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync",
             "--disable-background-networking", "--disable-component-update",
             "--virtual-time-budget=20000", f"--user-data-dir={tmp_path / 'profile'}"]
    return subprocess.run([CHROMIUM, *flags, "--dump-dom", page.as_uri()], capture_output=True, text=True,
                          timeout=180).stdout


#: Waits for the counts chart, moves the pointer onto one period's hover band, clicks it, and
#: writes the tooltip's text and the click panel's lines into <pre id="probe">.
PROBE = """<pre id="probe">pending</pre><script>
function probe(tries) {
  var bands = document.querySelectorAll('#vis-counts path[opacity="0.001"]');
  if (!bands.length && tries > 0) { return setTimeout(function () { probe(tries - 1); }, 200); }
  var el = bands[%d], out = ["bands " + bands.length];
  var b = el.getBoundingClientRect();
  var at = {bubbles: true, clientX: b.x + b.width / 2, clientY: b.y + b.height / 2, pointerType: "mouse"};
  ["pointerover", "pointermove", "click"].forEach(function (t) { el.dispatchEvent(new PointerEvent(t, at)); });
  setTimeout(function () {
    var tip = document.getElementById("vg-tooltip-element");
    out.push("TOOLTIP " + (tip ? tip.innerText.replace(/\\s+/g, " ") : "none"));
    document.querySelectorAll('#vis-counts g.counts_links_marks text').forEach(function (t) {
      out.push("LINE " + t.textContent); });
    document.getElementById("probe").textContent = out.join("\\n");
  }, 800);
}
probe(50);
</script>"""


@needs_chromium
def test_chromium_hover_shows_count_sources_events_and_click_lists_links(built, tmp_path):
    rep, html, specs, _ = built
    weeks = _rows(specs["counts"], "count_text")[0]
    k = next(i for i, w in enumerate(weeks) if w["events"] != "none" and w["n_sources"] >= 2)
    w = weeks[k]
    cut = html.rfind("</body>")
    page = tmp_path / "probe.html"
    page.write_text(html[:cut] + PROBE % k + html[cut:], encoding="utf-8")
    dom = _dom(page, tmp_path)
    text = re.search(r'<pre id="probe">(.*?)</pre>', dom, flags=re.S).group(1)
    lines = text.split("\n")
    assert lines[0] == f"bands {len(weeks)}"
    tip = lines[1]
    for field in ("period", "count", "counted from", "reports counted", "sources", "events"):
        assert field in tip, field
    assert w["week"] in tip and f"count {w['count_text']}" in tip and w["sources"] in tip
    assert "E1 (21 February 2024)" in tip
    shown = [ln[5:] for ln in lines if ln.startswith("LINE ")]
    want = [r["text"] for r in _rows(specs["counts"], "line")[0] if r["week"] == w["week"]]
    assert shown == want and len(shown) == w["n_sources"] + 1


@needs_chromium
def test_chromium_draws_the_charts_offline(built, tmp_path):
    rep, _, _, _ = built
    dom = _dom(rep.out_dir / "index.html", tmp_path)
    for key in ("counts", "model_fit", "changepoints"):
        m = re.search(rf'<div class="vega-chart[^"]*" id="vis-{key}".*?</svg>', dom, flags=re.S)
        assert m and 'class="marks"' in m.group(0), key
    assert not re.search(r'id="vis-[a-z_]+"[^>]*>The interactive figure could not be drawn', dom)
