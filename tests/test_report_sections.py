"""Question sections of the report spec: validation (errors name file and key) and a small
synthetic spec (labelled synthetic) that runs every section on an incident list."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from analysis.report import build_report, load_spec
from analysis.report.sections import ORDER, REGISTRY
from analysis.schema import InputError

HEAD = 'name = "synthetic-sections"\ntitle = "Synthetic sections"\nseed = 5\n'


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    d = tmp_path_factory.mktemp("sections")
    rng = np.random.default_rng(11)
    days = np.r_[rng.integers(0, 70, 60), rng.integers(70, 140, 12)]       # synthetic: rate falls at day 70
    dates = pd.Timestamp("2024-01-01") + pd.to_timedelta(np.sort(days), unit="D")
    pd.DataFrame({"report_id": [f"S{i}" for i in range(len(dates))], "date": dates.strftime("%Y-%m-%d"),
                  "country": "Synthetica", "location": [f"Place {i}" for i in range(len(dates))],
                  "weapon": "rocket", "source": "synthetic test data"}).to_csv(d / "reports.csv", index=False)
    pd.DataFrame({"event_id": ["E1", "E2"], "date": ["2024-03-08", "2024-04-20"], "end_date": ["", ""],
                  "kind": ["talks", "strike"], "label": ["synthetic talks", "synthetic strike"],
                  "source_url": ["", ""]}).to_csv(d / "events.csv", index=False)
    return d


def _write(folder, body, name="spec.toml"):
    p = folder / name
    p.write_text(HEAD + '[data]\nreports = ["reports.csv"]\nevents = "events.csv"\n' + body)
    return p


def test_registry_lists_every_section_once():
    assert ORDER == ["compare", "alignment", "model_comparison", "sensitivity", "coverage", "monitoring"]
    assert all(REGISTRY[k].key == k for k in ORDER)


@pytest.mark.parametrize("body,where,what", [
    ('[[compare]]\nname = "a"\nevent = "2024-03-01"\nbogus = 1\n', "compare[0].bogus", "unknown key"),
    ('[[compare]]\nevent = "2024-03-01"\n', "compare[0].name", "missing"),
    ('[[compare]]\nname = "a"\n', "compare[0].event", "missing"),
    ('[[compare]]\nname = "a"\nevent = "2024-02-30"\n', "compare[0].event", "real day"),
    ('[[compare]]\nname = "a"\nfirst = {start = "2024-01-01"}\nsecond = {start = "2024-02-01", end = "2024-03-01"}\n',
     "compare[0].first", "period is a table"),
    ('[[compare]]\nname = "a"\nevent = "2024-03-01"\n[[compare]]\nname = "a"\nevent = "2024-03-02"\n',
     "compare", "given twice"),
    ('[compare]\nname = "a"\n', "compare", "list of tables"),
    ('[coverage]\nmin_gaps = 3\n', "coverage.min_gaps", "unknown key"),
    ('[alignment]\nnulls = ["poisson"]\n', "alignment.nulls[0]", "not allowed"),
    ('[model_comparison.variants]\n"x" = ["someday:level"]\n', "model_comparison.variants", "someday"),
    ('[series]\nsource = "reports"\n', "series.source", "not allowed"),
    ('[series]\nsource = "tallies"\n', "series.tally_source", "missing"),
    ('[series]\nsource = "tallies+incidents"\n', "series.tally_source", "missing"),
    ('[[sensitivity]]\nname = "s"\n', "sensitivity", "tallies\\+incidents"),
    ('[series]\nsource = "tallies+incidents"\ntally_source = "m"\nwindow = ["2024-01-01", "2024-02-05"]\n'
     '[[sensitivity]]\nname = "s"\ncompare = ["nope"]\n', "sensitivity[0].compare", "unknown comparison"),
])
def test_spec_errors_name_the_key(folder, body, where, what):
    p = _write(folder, body, "bad.toml")
    with pytest.raises(InputError, match=what) as e:
        load_spec(p)
    assert e.value.file == str(p) and where in [q.key for q in e.value.problems]


def test_compute_errors_name_the_entry(folder):
    from analysis.report import compute
    p = _write(folder, '[[compare]]\nname = "late"\nevent = "2024-09-01"\n'
               '[outputs]\nfigure_formats = ["png"]\ndpi = 40\n', "bad2.toml")
    with pytest.raises(InputError, match="no whole row") as e:
        compute(p)
    assert e.value.file == str(p) and e.value.column == "compare"


def test_every_section_on_an_incident_list(folder, tmp_path):
    p = _write(folder, '[series]\nfreq = "W"\nwindow = ["2024-01-01", "2024-05-20"]\nnoun = "incidents"\n'
               '[model]\nfamily = "poisson"\nevents = ["2024-03-08:level"]\n'
               '[changepoints]\nmin_size = 2\nbayes = true\n[attribution]\ndraws = 199\n'
               '[alignment]\nnamed = ["E1"]\nnulls = ["uniform", "shift"]\n'
               '[[compare]]\nname = "talks"\nlabel = "the synthetic talks"\nevent = "2024-03-08"\n'
               '[[compare]]\nname = "late"\nlabel = "April against February"\nalternative = "less"\nglm = true\n'
               'first = {name = "february", start = "2024-01-29", end = "2024-02-26"}\n'
               'second = {name = "april", start = "2024-04-01", end = "2024-04-29"}\n'
               '[model_comparison.variants]\n"talks" = ["2024-03-08:level"]\n'
               '[coverage]\nmin_gap = 2\n[outputs]\nfigure_formats = ["png"]\ndpi = 40\n')
    built = build_report(p, tmp_path)
    res = json.loads((built.out_dir / "results.json").read_text())
    q = res["questions"]
    assert set(q) == {"compare", "alignment", "model_comparison", "coverage"}
    s = built.data.series
    before = s.window(None, "2024-03-04")   # whole weeks before Friday 2024-03-08
    assert q["compare"]["numbers"]["count_before_talks"] == before.total
    assert q["compare"]["numbers"]["rate_february"] == pytest.approx(s.window("2024-01-29", "2024-02-26").total / 4)
    md = (built.out_dir / "report.md").read_text()
    assert "Questions answered from the data" in md and "Before the synthetic talks the rate was" in md
    assert "April against February:" in md and "incidents in all" in md
    assert (built.out_dir / "tables" / "compare_glm_steps.csv").exists()
    assert q["alignment"]["numbers"]["named_events_bayes"]["E1"]["date"] == "2024-03-08"
    assert any("Weekly bins" in c for c in q["coverage"]["caveats"])


def test_tallies_only_series_with_sensitivity(tmp_path):
    # synthetic: a ministry's cumulative statements, no incident list
    pd.DataFrame({"tally_id": [f"T{i}" for i in range(6)], "since": "2024-01-01",
                  "as_of": ["2024-01-14", "2024-01-28", "2024-02-11", "2024-02-25", "2024-03-10", "2024-03-24"],
                  "count": [40, 80, 90, 95, 100, 104], "bound": ["exact", "at_least", "exact", "about", "exact", "exact"],
                  "region": "all", "source": "synthetic ministry"}).to_csv(tmp_path / "tallies.csv", index=False)
    p = tmp_path / "spec.toml"
    p.write_text(HEAD + '[data]\ntallies = ["tallies.csv"]\n'
                 '[series]\nsource = "tallies"\ntally_source = "synthetic ministry"\n'
                 'window = ["2024-01-01", "2024-04-01"]\n[model]\nfamily = "poisson"\n'
                 '[changepoints]\nbayes = false\n[[compare]]\nname = "drop"\nevent = "2024-01-29"\nglm = false\n'
                 '[[sensitivity]]\nname = "b"\n[coverage]\n[outputs]\nfigure_formats = ["png"]\ndpi = 40\n')
    built = build_report(p, tmp_path / "out")
    s = built.data.series
    assert s.n == 12 and s.total == 104 and str(s.end[-1].date()) == "2024-03-25"
    res = json.loads((built.out_dir / "results.json").read_text())
    sens = res["questions"]["sensitivity"]["b"]["numbers"]
    assert sens["stated_total"] == 104 and sens["lower_total"] <= 104
    assert "counted wholly from the synthetic ministry tallies" in (built.out_dir / "report.md").read_text()
