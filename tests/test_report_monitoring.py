"""The report's [monitoring] section: spec validation names the key; a seeded synthetic spec
(labelled synthetic) runs it and its numbers equal analysis.monitor.resumption's."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from analysis.monitor import resumption
from analysis.report import build_report, load_spec
from analysis.schema import InputError

HEAD = 'name = "synthetic-monitoring"\ntitle = "Synthetic monitoring"\nseed = 3\n'
MON = ('[monitoring]\ncontrast = ["2024-01-01", "2024-02-26"]\nat = "2024-06-12"\nn_sim = 200\n'
       '[monitoring.baselines]\n"quiet" = ["2024-02-26", "2024-05-06"]\n')


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    d = tmp_path_factory.mktemp("monitoring")
    rng = np.random.default_rng(21)  # synthetic: busy for 8 weeks, quiet for 10, then a few events
    days = np.r_[rng.integers(0, 56, 60), [128, 130, 161, 163, 164]]
    dates = pd.Timestamp("2024-01-01") + pd.to_timedelta(np.sort(days), unit="D")
    pd.DataFrame({"report_id": [f"S{i}" for i in range(len(dates))], "date": dates.strftime("%Y-%m-%d"),
                  "country": "Synthetica", "location": [f"Place {i}" for i in range(len(dates))],
                  "weapon": "rocket", "source": "synthetic test data"}).to_csv(d / "reports.csv", index=False)
    pd.DataFrame({"event_id": ["E1"], "date": ["2024-05-10"], "end_date": [""], "kind": ["talks"],
                  "label": ["synthetic talks"], "source_url": [""]}).to_csv(d / "events.csv", index=False)
    return d


def _write(folder, body, name="spec.toml"):
    p = folder / name
    p.write_text(HEAD + '[data]\nreports = ["reports.csv"]\nevents = "events.csv"\n'
                 '[series]\nfreq = "W"\nwindow = ["2024-01-01", "2024-07-01"]\nnoun = "incidents"\n' + body)
    return p


@pytest.mark.parametrize("body,where,what", [
    ('[monitoring]\ncontrast = ["2024-01-01", "2024-02-26"]\n[monitoring.baselines]\n"q" = ["2024-02-26", "2024-05-06"]\n',
     "monitoring.at", "missing"),
    ('[monitoring]\ncontrast = ["2024-01-01"]\nat = "2024-06-12"\n[monitoring.baselines]\n"q" = ["2024-02-26", "2024-05-06"]\n',
     "monitoring.contrast", "2 item"),
    ('[monitoring]\ncontrast = ["2024-01-01", "2024-02-26"]\nat = "2024-06-12"\n[monitoring.baselines]\n"q" = ["2024-05-06", "2024-02-26"]\n',
     "monitoring.baselines", "before end"),
    (MON.replace('n_sim = 200\n', 'n_sim = 200\narl = 1\n'), "monitoring.arl", ">"),
])
def test_spec_errors_name_the_key(folder, body, where, what):
    p = _write(folder, body, "bad.toml")
    with pytest.raises(InputError, match=what) as e:
        load_spec(p)
    assert where in [q.key for q in e.value.problems]


def test_monitoring_section_equals_resumption(folder, tmp_path):
    p = _write(folder, MON + '[outputs]\nfigure_formats = ["png"]\ndpi = 40\n')
    built = build_report(p, tmp_path)
    q = json.loads((built.out_dir / "results.json").read_text())["questions"]["monitoring"]
    ref = resumption(built.data.series, contrast=("2024-01-01", "2024-02-26"),
                     baselines={"quiet": ("2024-02-26", "2024-05-06")}, at="2024-06-12", n_sim=200, seed=3)
    assert q["p_resumed"]["quiet"] == pytest.approx(ref["p_resumed"]["quiet"], rel=1e-12)
    (row,) = q["alarms"]
    assert row["first_alarm_week"] == str(ref["alarms"]["first_alarm_week"].iloc[0].date())
    assert row["arl_attained"] == pytest.approx(ref["alarms"]["arl_attained"].iloc[0])
    md = (built.out_dir / "report.md").read_text()
    assert "the Poisson GLR detector fires in the week of" in md and "has begun" in md
    assert (built.out_dir / "tables" / "monitoring_alarms.csv").exists()


def test_an_empty_monitoring_section_is_refused_when_computed(folder):
    from analysis.report import compute

    p = _write(folder, '[monitoring]\narl = 26\n[outputs]\nfigure_formats = ["png"]\ndpi = 40\n', "empty.toml")
    with pytest.raises(InputError, match="needs contrast, baselines, at") as e:
        compute(p)
    assert e.value.column == "monitoring"
