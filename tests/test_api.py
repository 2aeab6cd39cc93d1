"""The public API: light import, every advertised name resolves."""

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


# The README's Python example is checked, as a doctest against results.json, in test_readme.py.
