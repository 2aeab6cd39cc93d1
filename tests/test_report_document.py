"""What a researcher reads: contents, numbered figures and tables with their files, methods
with references, sources one click away, data-derived events left out as candidate causes.

Built on a small synthetic spec (labelled synthetic) so each assertion is a known answer.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.report import build_report
from analysis.report.render import Ref
from analysis.schema import DATA_DERIVED_KINDS


def _spec(folder: Path, *, exclude=None) -> Path:
    rng = np.random.default_rng(7)
    # synthetic: a busy spell then a quiet one, the change at the week of 2024-03-04
    days = np.r_[np.sort(rng.integers(0, 63, 40)), np.sort(rng.integers(63, 140, 3))]
    dates = (pd.Timestamp("2024-01-01") + pd.to_timedelta(days, unit="D")).strftime("%Y-%m-%d")
    urls = [f"https://example.org/synthetic/{i % 4}" for i in range(len(days))]
    urls[0] = "javascript:alert(1)"
    pd.DataFrame({"report_id": [f"SYN{i}" for i in range(len(days))], "date": dates,
                  "country": "Synthetica", "location": [f"Place {i}" for i in range(len(days))],
                  "weapon": "rocket", "source": "synthetic", "source_url": urls}).to_csv(
        folder / "reports.csv", index=False)
    pd.DataFrame({"event_id": ["E1", "E2", "E3"], "date": ["2024-03-03", "2024-02-26", "2024-04-15"],
                  "end_date": ["", "", ""], "kind": ["lull_start", "strike", "talks"],
                  "label": ["Synthetic lull begins", "Synthetic strike", "Synthetic talks"],
                  "source_url": ["https://example.org/e1", "https://example.org/e2", ""]}).to_csv(
        folder / "events.csv", index=False)
    extra = "" if exclude is None else f"exclude_kinds = {json.dumps(exclude)}\n"
    spec = folder / "spec.toml"
    spec.write_text('name = "synthetic-doc"\ntitle = "Synthetic report"\nseed = 5\n'
                    '[data]\nreports = ["reports.csv"]\nevents = "events.csv"\n'
                    '[series]\nfreq = "W"\n[model]\nfamily = "negbin"\nevents = ["2024-03-04:level"]\n'
                    f'[changepoints]\nmin_size = 2\n[attribution]\ndraws = 199\n{extra}'
                    '[outputs]\nfigure_formats = ["png", "svg"]\ndpi = 40\n', encoding="utf-8")
    return spec


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    folder = tmp_path_factory.mktemp("doc")
    rep = build_report(_spec(folder), folder / "out")
    return rep, (rep.out_dir / "report.md").read_text(encoding="utf-8"), \
        (rep.out_dir / "index.html").read_text(encoding="utf-8")


def test_contents_lists_every_section(built):
    _, md, html = built
    headings = re.findall(r"^## (.+)$", md, flags=re.M)
    contents = md.split("## Contents", 1)[1].split("\n## ", 1)[0]
    listed = re.findall(r"^\d+\. \[(.+?)\]\(#([\w-]+)\)$", contents, flags=re.M)
    assert [t for t, _ in listed] == [h for h in headings if h != "Contents"]
    for _, anchor in listed:
        assert f'<a id="{anchor}"></a>' in md and f'id="{anchor}"' in html
    assert {"Methods", "Sources", "References"} <= {t for t, _ in listed}


def test_figures_and_tables_numbered_with_their_files(built):
    rep, md, html = built
    figs = [int(n) for n in re.findall(r"^\*Figure (\d+)\.\*", md, flags=re.M)]
    tabs = [int(n) for n in re.findall(r"^\*Table (\d+)\.\*", md, flags=re.M)]
    assert figs == list(range(1, len(figs) + 1)) and len(figs) >= 3
    assert tabs == list(range(1, len(tabs) + 1)) and len(tabs) >= 4
    links = re.findall(r"\]\(((?:figures|tables)/[^)]+)\)", md)
    assert links and all((rep.out_dir / link.replace("\\_", "_")).is_file() for link in links)
    assert html.count("<strong>Figure ") == len(figs) and html.count("<strong>Table ") == len(tabs)


def test_methods_cite_what_the_references_list(built):
    _, md, _ = built
    methods = md.split("## Methods", 1)[1].split("\n## ", 1)[0]
    refs = md.split("## References", 1)[1].split("\n## ", 1)[0]
    cited = set(re.findall(r"(\w+\d{4})", " ".join(re.findall(r"\\\[([^\]]+)\\\]", methods))))
    listed = set(re.findall(r"^- \\\[(\w+\d{4})\\\]", refs, flags=re.M))
    assert cited == listed and {"Killick2012", "Zhang2007", "Garwood1936", "Bernal2017"} <= listed
    assert "NB2 variance mu + alpha mu^2" in methods


def test_sources_link_every_url_with_its_rows(built):
    rep, md, html = built
    table = pd.read_csv(rep.out_dir / "tables" / "sources.csv")
    assert int(table.loc[table["table"] == "reports", "rows"].sum()) == 43
    assert set(table["source_url"]) >= {"https://example.org/e1", "https://example.org/synthetic/1"}
    assert 'href="https://example.org/synthetic/1"' in html
    assert 'href="javascript' not in html          # shown as text, never linked
    assert Ref("x", "javascript:alert(1)").href is None


def test_no_paragraph_repeated(built):
    _, md, _ = built
    paras = [p.strip() for p in md.split("\n\n") if len(p.strip()) > 60 and not p.startswith("|")]
    assert len(paras) == len(set(paras))


def test_data_derived_events_are_not_candidate_causes(built, tmp_path):
    rep, md, _ = built
    res = json.loads((rep.out_dir / "results.json").read_text(encoding="utf-8"))
    (att,) = res["attribution"]
    assert att["change_date"] == "2024-03-04"
    assert att["nearest_event"] == "E2" and att["nearest_kind"] not in DATA_DERIVED_KINDS
    assert res["alignment"]["n_events"] == 2            # E1 (lull_start) left out
    # asked to keep every kind, the lull start (a day before the change) is the nearest event
    keep = build_report(_spec(tmp_path, exclude=[]), tmp_path / "out")
    res2 = json.loads((keep.out_dir / "results.json").read_text(encoding="utf-8"))
    assert res2["attribution"][0]["nearest_event"] == "E1"
    assert res2["alignment"]["n_events"] == 3


def test_every_table_and_figure_file_is_linked(built):
    rep, md, html = built
    files = sorted(p.relative_to(rep.out_dir).as_posix() for d in ("tables", "figures")
                   for p in (rep.out_dir / d).iterdir())
    assert "tables/sources.csv" in files
    unlinked = [f for f in files if f"]({f.replace('_', chr(92) + '_')})" not in md or f'href="{f}"' not in html]
    assert unlinked == []


def test_methods_state_the_formulas_as_computed(built):
    _, md, _ = built
    methods = md.split("## Methods", 1)[1].split("\n## ", 1)[0]
    # MBIC as R's changepoint (and this package) computes it: log(n_i) on each segment's cost
    assert "3 log n per change" in methods and "log n\\_i added to the cost of every segment" in methods
    assert "log(n\\_i/n)" not in methods
    assert "b^a Gamma(a + S) / (Gamma(a) (b + E)^(a + S))" in methods


ROOT = Path(__file__).resolve().parents[1]


def test_case_study_report_shows_bounds_as_intervals_and_their_figure():
    report = ROOT / "reports" / "coalition-attacks"
    t = pd.read_csv(report / "tables" / "tally_bounds.csv")
    tallies = pd.read_csv(ROOT / "data" / "tallies.csv").set_index("tally_id")
    more = t[t["statement"].str.startswith("more than")]
    assert len(more) >= 3
    for r in more.itertuples():
        n = float(tallies.loc[r.tally_id, "count"])
        low = float(r.allows.split()[0])
        assert low >= n + 1 and r.in_series >= n + 1         # 'more than N' is N + 1 or more
    md = (report / "report.md").read_text(encoding="utf-8")
    methods = md.split("## Methods", 1)[1].split("\n## ", 1)[0]
    assert "N + 1 for 'more than N'" in methods
