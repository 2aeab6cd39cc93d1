"""Start-up: which modules `import analysis` and `incident-trends changepoints` load.

Module sets, not times (times are in benchmarks/changepoints.py): each check runs a
fresh interpreter and lists the heavy packages present in ``sys.modules`` afterwards.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

HEAVY = ("pandas", "numba", "scipy", "statsmodels", "matplotlib", "jinja2", "duckdb", "dask",
         "pyarrow")

PROBE = """
import json, sys
{body}
print(json.dumps(sorted(m for m in {heavy!r} if m in sys.modules)))
"""


def _loaded(body: str, cwd: Path, **env_extra) -> list[str]:
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[1]), MPLBACKEND="Agg",
               **env_extra)
    p = subprocess.run([sys.executable, "-c", PROBE.format(body=body, heavy=HEAVY)], cwd=cwd,
                       env=env, capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    return json.loads(p.stdout.strip().splitlines()[-1])


def test_import_analysis_is_lazy(tmp_path):
    assert _loaded("import analysis", tmp_path) == []
    # a name from the lazy table loads its module on first use, and not the numba kernels
    mods = _loaded("from analysis import CountSeries", tmp_path)
    assert "pandas" in mods and "numba" not in mods


@pytest.mark.parametrize("method", ["pelt", "binseg"])
def test_changepoints_command_loads_no_pandas(tmp_path, method):
    """The PELT/BinSeg path of the command on a plain CSV: pyarrow reads it, numba runs
    the search (the ahead-of-time compiled kernels turned off here; with them numba
    stays out too: tests/test_changepoints_aot.py); pandas, statsmodels, matplotlib,
    Jinja2, DuckDB and Dask stay out."""
    rng = np.random.default_rng(1)
    y = rng.poisson(np.r_[np.full(60, 2.0), np.full(60, 9.0)])
    f = tmp_path / "counts.csv"
    f.write_text("t,count\n" + "\n".join(f"{i},{v}" for i, v in enumerate(y)) + "\n")
    out = tmp_path / "out.json"
    body = (f"import contextlib, io\nfrom analysis.cli import main\nbuf = io.StringIO()\n"
            f"with contextlib.redirect_stdout(buf):\n"
            f"    rc = main(['changepoints', {str(f)!r}, '--time', 't', '--count', 'count', "
            f"'--method', {method!r}, '--format', 'json'])\n"
            f"assert rc == 0\nopen({str(out)!r}, 'w').write(buf.getvalue())")
    mods = _loaded(body, tmp_path, INCIDENT_TRENDS_AOT_DIR="")
    assert json.loads(out.read_text())["changepoints"][0]["index"] == 60
    assert "pyarrow" in mods and "numba" in mods
    assert not set(mods) & {"pandas", "statsmodels", "matplotlib", "jinja2", "duckdb", "dask"}
