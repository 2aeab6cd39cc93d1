"""The public API: light import, every advertised name resolves, the README example runs."""

import re
import subprocess
import sys

import analysis


def test_import_is_light_and_has_no_side_effects():
    code = ("import sys, analysis; heavy = ('statsmodels', 'matplotlib', 'numba', 'dask', 'duckdb', "
            "'jinja2', 'scipy'); print(sorted({m.split('.')[0] for m in sys.modules} & set(heavy)))")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert r.stdout.strip() == "[]"
    assert r.stderr == ""


def test_every_public_name_resolves():
    for name in analysis.__all__:
        assert getattr(analysis, name) is not None, name
    assert set(analysis._LAZY) <= set(dir(analysis))


def test_readme_python_example_runs(repo):
    text = (repo / "README.md").read_text(encoding="utf-8")
    block = re.search(r"## In Python\s+```python\n(.*?)```", text, re.S).group(1)
    ns: dict = {}
    exec(compile(block, "README.md", "exec"), ns)
    # the example's objects are real results, not placeholders
    assert ns["series"].total == ns["norm"].series.total > 0
    assert list(ns["fit"].terms.columns) == ["name", "estimate", "se", "rate_ratio", "ci_low",
                                             "ci_high", "p_value"]
    assert len(ns["post"].prob_change) == ns["series"].n
    assert all(0 < c < ns["series"].n for c in ns["seg"].changepoints)
