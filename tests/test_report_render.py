"""Report pieces that need no analysis: spec validation, escaping, tables, manifests."""

import json

import pandas as pd
import pytest

from analysis import InputError
from analysis.report.manifest import compare_manifest, read_manifest, write_manifest
from analysis.report.render import Document, Section, Table, render_html, render_markdown, write_table
from analysis.report.spec import load_spec

EVIL = "<script>alert(1)</script> \"quoted\" & 'single'"


def _doc(text=EVIL):
    t = Table("t", f"caption {text}", pd.DataFrame({"label": [text, "a & b"], "rate": [1.23456, 2.0]}))
    sec = Section("s", f"Section {text}", paragraphs=[f"para {text}"], notes=[f"note {text}"], tables=[t])
    prov = {"inputs": [{"path": text, "sha256": "0" * 64, "bytes": 1}], "versions": {"x": "1"},
            "python": "3.11", "seed": 1, "parameters": {"label": text}}
    return Document(title=f"Title {text}", subtitle=text, sections=[sec], provenance=prov)


def test_html_escapes_every_piece_of_text():
    html = render_html(_doc())
    assert "<script>" not in html
    assert html.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 7
    assert "&amp; b" in html
    # quotes inside attributes cannot break out
    assert 'alt="' not in html or '"quoted"' not in html.split('alt="', 1)[-1].split(">", 1)[0]


def test_markdown_escapes_html_and_pipes():
    d = _doc("a|b <b>x</b>")
    md = render_markdown(d)
    assert "<b>" not in md
    assert "a\\|b &lt;b&gt;x&lt;/b&gt;" in md  # table cell: pipe escaped, tags escaped
    assert "para a|b &lt;b&gt;x&lt;/b&gt;" in md


def test_table_formats_and_writes_csv_and_latex(tmp_path):
    t = Table("rates", "Rates", pd.DataFrame({"name": ["x_1 & y"], "rate": [3.14159], "n": [4]}))
    csv, tex = write_table(t, tmp_path)
    back = pd.read_csv(csv)
    assert back.loc[0, "rate"] == pytest.approx(3.14159)
    text = tex.read_text()
    assert r"x\_1 \& y & 3.142 & 4 \\" in text
    assert text.startswith(r"\begin{tabular}{lrr}")


def test_manifest_detects_changed_and_missing_files(tmp_path):
    a = tmp_path / "r" / "figures"
    a.mkdir(parents=True)
    (a / "f.png").write_bytes(b"one")
    (a / "g.svg").write_bytes(b"two")
    write_manifest(tmp_path / "r", [a / "f.png", a / "g.svg"])
    m = read_manifest(tmp_path / "r")
    assert sorted(m) == ["figures/f.png", "figures/g.svg"]
    assert compare_manifest(m, tmp_path / "r") == []
    (a / "f.png").write_bytes(b"changed")
    (a / "g.svg").unlink()
    bad = {b["file"]: b["problem"] for b in compare_manifest(m, tmp_path / "r")}
    assert bad == {"figures/f.png": "differs", "figures/g.svg": "not rebuilt"}


@pytest.mark.parametrize(
    "toml,match",
    [
        ('name = "x"\n', "key 'title': missing; allowed: a non-empty string"),
        ('name = "x"\ntitle = "t"\nbogus = 1\n', r"key 'bogus': unknown key"),
        ('name = "x"\ntitle = "t"\n[series]\nfreqq = "W"\n', r"key 'series.freqq': unknown key in \[series\]"),
        ('name = "a b"\ntitle = "t"\n', "allowed: letters, digits"),
        ('name = "x"\ntitle = "t"\n[data]\nreports = ["nope.csv"]\n', "'nope.csv' not found"),
        ('name = = "x"', "not valid TOML"),
    ],
)
def test_spec_errors_name_file_and_key(tmp_path, toml, match):
    p = tmp_path / "spec.toml"
    p.write_text(toml)
    with pytest.raises(InputError, match=match) as ei:
        load_spec(p)
    assert str(p) in str(ei.value)


def test_markdown_keeps_links_and_emphasis_as_text():
    md = render_markdown(_doc("[x](javascript:alert(1)) ![](http://t/x.png) a_b*c"))
    assert "](javascript:" not in md.replace("\\](javascript:", "")
    assert "\\[x\\](javascript:alert(1))" in md and "!\\[\\](http://t/x.png)" in md
    assert "a\\_b\\*c" in md


def test_wide_tables_scroll_and_short_cells_stay_on_one_line():
    t = Table("t", "c", pd.DataFrame({"date": ["2024-01-28"], "label": ["a long label " * 5]}))
    html = render_html(Document("T", "", [Section("s", "S", tables=[t])], {"inputs": [], "versions": {},
                                                                             "python": "3", "seed": 1}))
    assert '<div class="table-wrap">' in html
    assert '<td class="text short">2024-01-28</td>' in html
    assert '<td class="text">a long label' in html


def test_change_sentence_rates_are_per_row_whatever_the_exposure():
    from types import SimpleNamespace

    from analysis import CountSeries
    from analysis.report.narrative import change_sentences

    s = CountSeries.from_counts([10] * 4 + [1] * 4, start="2024-01-01", freq="W")
    for exposure in (1.0, 7.0):  # searched per row, or per day
        seg_t = pd.DataFrame({"n": [4, 4], "exposure": [4 * exposure] * 2, "rate": [10 / exposure, 1 / exposure],
                              "ci_low": [8 / exposure, 0.5 / exposure], "ci_high": [12 / exposure, 2 / exposure]})
        seg = SimpleNamespace(segments=seg_t, changepoints=(4,))
        (text,) = change_sentences(seg, s)
        assert "fell from 10" in text and "to 1" in text, text
