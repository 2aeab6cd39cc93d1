"""Report specs are checked against a typed schema before anything is written.

Every hostile or mistyped spec gives one InputError (exit 1 from the CLI, no traceback)
that names the spec file, the dotted key and what is allowed; nothing is created in the
output folder. Paths outside the spec's folder and the data folder need --allow-outside.
"""

import subprocess
import sys

import pandas as pd
import pytest

from analysis import InputError
from analysis.schema import DATA_DERIVED_KINDS
from analysis.cli import main
from analysis.report.spec import ReportSpec, load_spec
from analysis.report.spec_schema import SCHEMA, Key, Section, SpecError, SpecSchema

HEAD = 'name = "syn"\ntitle = "Synthetic"\n'
DATA = '[data]\nreports = ["reports.csv"]\n'


@pytest.fixture
def folder(tmp_path):
    """A spec folder with a small synthetic reports file (labelled synthetic)."""
    pd.DataFrame({"report_id": ["S1", "S2"], "date": ["2024-01-01", "2024-01-09"],
                  "country": "Synthetica", "source": "synthetic test data"}).to_csv(
        tmp_path / "reports.csv", index=False)
    return tmp_path


def _spec(folder, body: str, head: str = HEAD, data: str = DATA):
    """Top-level keys of ``body`` come before any table, then ``body``'s tables, then ``data``."""
    p = folder / "spec.toml"
    p.write_text(head + body + data)
    return p


# (TOML after HEAD, dotted key, text the message must hold, text of the allowed values)
CASES = [
    ("[series]\nfreq = 7\n", "series.freq", "7 is an integer, not a string", "one of 'D', 'W', 'M', 'Q'"),
    ('[series]\nfreq = "X"\n', "series.freq", "'X' is not allowed", "one of 'D', 'W', 'M', 'Q'"),
    ('[changepoints]\nmin_size = "two"\n', "changepoints.min_size", "'two' is a string, not an integer",
     "an integer with 1 <= value <= 10000"),
    ("[changepoints]\nmin_size = 0\n", "changepoints.min_size", "0 is out of range",
     "an integer with 1 <= value <= 10000"),
    ("[changepoints]\nmin_size = 2.5\n", "changepoints.min_size", "2.5 is a number, not an integer", "an integer"),
    ('seed = "abc"\n', "seed", "'abc' is a string, not an integer", "an integer with 0 <= value"),
    ("seed = -1\n", "seed", "-1 is out of range", "an integer with 0 <= value"),
    ("[outputs]\ndpi = -5\n", "outputs.dpi", "-5 is out of range", "an integer with 20 <= value <= 1200"),
    ('[outputs]\nfigure_formats = ["exe"]\n', "outputs.figure_formats[0]", "'exe' is not allowed",
     "one of 'png', 'svg', 'pdf'"),
    ("[outputs]\nfigure_formats = []\n", "outputs.figure_formats", "0 item(s) given", "at least 1 item(s)"),
    ('[outputs]\nfigure_formats = ["png", "png"]\n', "outputs.figure_formats", "repeats an item",
     "no repeats"),
    ('[outputs]\nfigure_formats = ["svg"]\n', "outputs.figure_formats", "leaves out 'png'",
     "a list that includes 'png'"),
    ('[model]\nfamily = "gaussian"\n', "model.family", "'gaussian' is not allowed",
     "one of 'poisson', 'negbin', 'quasipoisson'"),
    ('[model]\ncov_type = "hc0"\n', "model.cov_type", "'hc0' is not allowed", "one of 'nonrobust', 'HAC'"),
    ('[model]\ntrend = "yes"\n', "model.trend", "'yes' is a string, not true or false", "true or false"),
    ("[model]\ntrend = 1\n", "model.trend", "1 is an integer, not true or false", "true or false"),
    ('[model]\nevents = ["2024-02-30:level"]\n', "model.events[0]", "'2024-02-30:level'",
     "DATE[:level|slope|pulse|level+slope][+LAG]"),
    ('[model]\nevents = ["2024-01-28:jump"]\n', "model.events[0]", "cannot read event",
     "DATE[:level|slope|pulse|level+slope][+LAG]"),
    ('[model]\nseasonality = "fourier:x"\n', "model.seasonality", "'fourier:x'", "'fourier:K' with K from 1"),
    ('[series]\nwindow = ["2024-01-01", "2024-02-30"]\n', "series.window[1]",
     "'2024-02-30' is not a real day", "a date YYYY-MM-DD"),
    ('[series]\nwindow = [2024-01-01, "2024-03-01"]\n', "series.window[0]", "a TOML date (quote it)",
     "a date YYYY-MM-DD"),
    ('[series]\nwindow = ["2024-03-01", "2024-01-01"]\n', "series.window",
     "start 2024-03-01 is not before end 2024-01-01", "START before END"),
    ('[series]\nwindow = ["2024-01-01"]\n', "series.window", "1 item(s) given", "[START, END]"),
    ("[series]\nwindow_days = -3\n", "series.window_days", "-3 is out of range", "an integer with 0 <= value"),
    ('[series]\nallocate = "spread"\n', "series.allocate", "'spread' is not allowed", "'start', 'split', 'impute'"),
    ('[series]\ngroups = "country"\n', "series.groups", "'country' is a string, not a list", "a list of"),
    ("[attribution]\nwindow_days = -3\n", "attribution.window_days", "-3 is out of range", "a number with 0 <="),
    ("[attribution]\ndraws = -1\n", "attribution.draws", "-1 is out of range", "an integer with 1 <= value"),
    ("[attribution]\nwindow_days = nan\n", "attribution.window_days", "nan is not a finite number", "a number"),
    ('[changepoints]\npenalty = "bic2"\n', "changepoints.penalty", "not a penalty name",
     "'aic', 'bic', 'sic', 'mbic', 'hq', or a number >= 0"),
    ("[changepoints]\npenalty = -4\n", "changepoints.penalty", "-4", "or a number >= 0"),
    ('[changepoints]\nmethod = "bayes"\n', "changepoints.method", "'bayes' is not allowed",
     "one of 'pelt', 'op', 'binseg', 'segneigh'"),
    ('[changepoints]\ncost = "normal-meanvar"\nmin_size = 1\n', "changepoints.min_size",
     "too short for cost 'normal-meanvar'", "an integer >= 2 with that cost"),
    ("[changepoints]\np_change = 1.0\n", "changepoints.p_change", "1.0 is out of range",
     "a number with 0 < value < 1"),
    ("[changepoints]\nbogus = 1\n", "changepoints.bogus", "unknown key in [changepoints]",
     "keys bayes, cost, method, min_size, p_change, penalty"),
    ("bogus = 1\n", "bogus", "unknown key", "sections alignment, attribution, changepoints, compare"),
    ("series = 3\n", "series", "3 is an integer", "a table, written [series]"),
    ('[series]\nsource = "tallies+incidents"\n', "series.tally_source",
     'missing with source = "tallies+incidents"', "the counter whose tallies give the counts"),
]


@pytest.mark.parametrize("body,key,what,allowed", CASES, ids=[c[1] + ":" + c[2][:20] for c in CASES])
def test_each_bad_value_names_file_key_and_allowed_values(folder, body, key, what, allowed):
    p = _spec(folder, body)
    with pytest.raises(SpecError) as ei:
        load_spec(p)
    msg = str(ei.value)
    assert isinstance(ei.value, InputError)
    assert msg.startswith(f"{p}: key {key!r}: "), msg
    assert what in msg, msg
    assert "; allowed: " in msg and allowed in msg.split("; allowed: ", 1)[1], msg
    assert ei.value.column == key


@pytest.mark.parametrize("head,key,what", [
    ('title = "t"\n', "name", "missing"),
    ('name = "x"\ntitle = "  "\n', "title", "it is blank"),
    ('name = "a b"\ntitle = "t"\n', "name", "it names the report's folder"),
    ('name = "../up"\ntitle = "t"\n', "name", "it names the report's folder"),
    ('name = "x"\ntitle = "t"\n[data]\nreports = []\n', "data.reports", "both data.reports and data.tallies"),
    ('name = "x"\ntitle = "t"\n', "data.reports", "no input"),
])
def test_required_and_top_level_keys(folder, head, key, what):
    p = _spec(folder, "", data="", head=head)
    with pytest.raises(SpecError, match=what) as ei:
        load_spec(p)
    assert f"key {key!r}" in str(ei.value) and str(p) in str(ei.value)


def test_all_problems_are_listed_together(folder):
    p = _spec(folder, '[series]\nfreq = 7\n[outputs]\ndpi = -5\n[attribution]\ndraws = -1\n')
    with pytest.raises(SpecError) as ei:
        load_spec(p)
    assert [q.key for q in ei.value.problems] == ["series.freq", "attribution.draws", "outputs.dpi"]
    assert str(ei.value).startswith(f"{p}: 3 problems\n  key 'series.freq'")


def test_non_utf8_and_bad_toml_and_folder(folder):
    p = folder / "spec.toml"
    p.write_bytes(HEAD.encode() + b'description = "caf\xe9"\n' + DATA.encode())
    with pytest.raises(SpecError, match=r"not UTF-8 text: byte 0xe9 on line 3") as ei:
        load_spec(p)
    assert str(p) in str(ei.value)
    p.write_text('name = = "x"')
    with pytest.raises(SpecError, match="not valid TOML"):
        load_spec(p)
    with pytest.raises(SpecError, match="is a folder, not a report spec"):
        load_spec(folder)
    with pytest.raises(SpecError, match="report spec not found"):
        load_spec(folder / "nope.toml")


def test_huge_or_deeply_nested_spec_is_refused(folder):
    p = folder / "spec.toml"
    p.write_text(HEAD + "description = '" + "x" * (1 << 20) + "'\n" + DATA)
    with pytest.raises(SpecError, match=r"too large for a report spec; allowed: at most 1048576 bytes"):
        load_spec(p)
    p.write_text(HEAD + "x = " + "[" * 100_000 + "]" * 100_000 + "\n" + DATA)
    with pytest.raises(SpecError, match="nested too deeply") as ei:
        load_spec(p)
    assert str(p) in str(ei.value)


def test_valid_spec_fills_defaults_and_keeps_types(folder):
    p = _spec(folder, '[series]\nwindow = ["2024-01-01", "2024-02-01"]\n[changepoints]\npenalty = 7\n')
    spec = load_spec(p)
    assert isinstance(spec, ReportSpec)
    assert spec.series["window"] == ["2024-01-01", "2024-02-01"] and spec.series["freq"] == "W"
    assert spec.changepoints["penalty"] == 7 and spec.attribution == {"window_days": 14, "draws": 9999,
                                                       "exclude_kinds": list(DATA_DERIVED_KINDS)}
    assert spec.data["reports"] == [str((folder / "reports.csv").resolve())]
    assert spec.data["events"] is None and "data_dir" not in spec.data


# --------------------------------------------------------------------------- paths
def test_absolute_path_outside_is_refused_unless_allowed(folder, tmp_path_factory):
    other = tmp_path_factory.mktemp("elsewhere")
    (other / "r.csv").write_text((folder / "reports.csv").read_text())
    p = _spec(folder, "", data="", head=f'name = "x"\ntitle = "t"\n[data]\nreports = ["{other / "r.csv"}"]\n')
    with pytest.raises(SpecError, match="outside the spec's folder and the data folder") as ei:
        load_spec(p)
    assert "key 'data.reports[0]'" in str(ei.value) and "--allow-outside" in str(ei.value)
    spec = load_spec(p, allow_outside=True)
    assert spec.data["reports"] == [str((other / "r.csv").resolve())]
    # a data_dir given by the caller is trusted: files inside it are accepted
    assert load_spec(p, data_dir=other).data["reports"] == [str((other / "r.csv").resolve())]


def test_relative_escape_and_symlink_are_refused(folder, tmp_path_factory):
    other = tmp_path_factory.mktemp("elsewhere")
    (other / "r.csv").write_text((folder / "reports.csv").read_text())
    sub = folder / "spec"
    sub.mkdir()
    rel = "../../" + other.name + "/r.csv"
    p = _spec(sub, "", data="", head=f'name = "x"\ntitle = "t"\n[data]\nreports = ["{rel}"]\n')
    with pytest.raises(SpecError, match="outside the spec's folder"):
        load_spec(p)
    (sub / "link.csv").symlink_to(other / "r.csv")
    p = _spec(sub, "", data="", head='name = "x"\ntitle = "t"\n[data]\nreports = ["link.csv"]\n')
    with pytest.raises(SpecError, match="outside the spec's folder"):
        load_spec(p)
    # data_dir written in the spec is confined too, and must be a folder
    p = _spec(sub, "", data="", head=f'name = "x"\ntitle = "t"\n[data]\ndata_dir = "{other}"\nreports = ["r.csv"]\n')
    with pytest.raises(SpecError, match="key 'data.data_dir'.*outside"):
        load_spec(p)
    assert load_spec(p, allow_outside=True).data["reports"] == [str((other / "r.csv").resolve())]


def test_missing_file_and_folder_as_file(folder):
    (folder / "d").mkdir()
    p = _spec(folder, "", data="", head='name = "x"\ntitle = "t"\n[data]\nreports = ["nope.csv"]\nevents = "d"\n')
    with pytest.raises(SpecError) as ei:
        load_spec(p)
    msg = str(ei.value)
    assert "key 'data.reports[0]': 'nope.csv' not found (looked in" in msg
    assert "key 'data.events': 'd' is a folder, not a file" in msg


# --------------------------------------------------------------------------- the registry
def test_sections_register_their_own_keys(folder):
    schema = SpecSchema(SCHEMA.top, dict(SCHEMA.sections), list(SCHEMA.checks))
    schema.register(Section("example", (Key("label", "str"), Key("family", "str", default="poisson",
                                                                    choices=("poisson", "negbin")),
                                         Key("source", "path", default=None)), many=True))
    schema.extend("series", Key("example_mode", "str", default="auto", choices=("auto", "off", "reports")))
    with pytest.raises(ValueError, match="already declared"):
        schema.register(Section("series", ()))
    import tomllib
    raw = tomllib.loads(HEAD + DATA + '[series]\nexample_mode = "off"\n[[example]]\nlabel = "a"\n'
                               '[[example]]\nlabel = "b"\nfamily = "gaussian"\n')
    top, sections, problems = schema.validate(raw)
    assert sections["series"]["example_mode"] == "off"
    assert [str(q) for q in problems] == [
        "key 'example[1].family': 'gaussian' is not allowed; allowed: one of 'poisson', 'negbin'"]
    top, sections, problems = schema.validate(tomllib.loads(HEAD + DATA + "[[example]]\nlabel = 'a'\n"))
    assert problems == [] and sections["example"] == [{"label": "a", "family": "poisson", "source": None}]
    _, _, problems = schema.validate(tomllib.loads(HEAD + DATA + "[example]\nlabel = 'a'\n"))
    assert [q.allowed for q in problems] == ["a list of tables, written [[example]]"]
    assert ("example", "source") in {(s.name, k.name) for s, k in schema.path_keys()}
    # the shared registry is untouched
    assert "example" not in SCHEMA.sections and "example_mode" not in {k.name for k in SCHEMA.sections["series"].keys}


def test_registered_path_keys_are_resolved_and_confined(folder, monkeypatch, tmp_path_factory):
    import analysis.report.spec as spec_mod
    schema = SpecSchema(SCHEMA.top, dict(SCHEMA.sections), list(SCHEMA.checks))
    schema.register(Section("example", (Key("source", "path"),), many=True))
    monkeypatch.setattr(spec_mod, "SCHEMA", schema)
    p = _spec(folder, '[[example]]\nsource = "reports.csv"\n')
    assert load_spec(p).example == [{"source": str((folder / "reports.csv").resolve())}]
    other = tmp_path_factory.mktemp("elsewhere")
    (other / "x.csv").write_text("a\n")
    p = _spec(folder, f'[[example]]\nsource = "{other / "x.csv"}"\n')
    with pytest.raises(SpecError, match=r"key 'example\[0\].source'.*outside"):
        load_spec(p)


# --------------------------------------------------------------------------- the CLI
@pytest.mark.parametrize("body", ["[series]\nfreq = 7\n", "[attribution]\ndraws = -1\n",
                                  '[outputs]\nfigure_formats = ["exe"]\n'])
def test_cli_bad_spec_exits_1_and_writes_nothing(folder, tmp_path_factory, body):
    out = tmp_path_factory.mktemp("out")
    p = _spec(folder, body)
    r = subprocess.run([sys.executable, "-m", "analysis.cli", "report", str(p), "--out", str(out / "r")],
                       capture_output=True, text=True)
    assert r.returncode == 1, r.stderr
    assert "Traceback" not in r.stderr and str(p) in r.stderr and "allowed:" in r.stderr
    assert list(out.iterdir()) == []


def test_cli_allow_outside(folder, tmp_path_factory, capsys):
    other = tmp_path_factory.mktemp("elsewhere")
    (other / "r.csv").write_text((folder / "reports.csv").read_text())
    p = _spec(folder, "", data="", head=f'name = "x"\ntitle = "t"\n[data]\nreports = ["{other / "r.csv"}"]\n')
    out = tmp_path_factory.mktemp("out")
    assert main(["report", str(p), "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert "key 'data.reports[0]'" in err and "(or pass --allow-outside)" in err
    assert list(out.iterdir()) == []
    # with the flag the spec is accepted: reproduce goes on to look for the manifest
    assert main(["reproduce", str(p), "--allow-outside", "--report-dir", str(out)]) == 1
    err = capsys.readouterr().err
    assert "manifest.json" in err and "--allow-outside" not in err


def test_cli_data_error_during_the_build_leaves_no_folder(folder, tmp_path_factory):
    (folder / "reports.csv").write_text("report_id,date,country,source\nS1,2024-13-45,Synthetica,synthetic\n")
    out = tmp_path_factory.mktemp("out") / "new"
    p = _spec(folder, "")
    r = subprocess.run([sys.executable, "-m", "analysis.cli", "report", str(p), "--out", str(out)],
                       capture_output=True, text=True)
    assert r.returncode == 1 and "Traceback" not in r.stderr, r.stderr
    assert "reports.csv" in r.stderr and "row 2" in r.stderr
    assert not out.exists()
