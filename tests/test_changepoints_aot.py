"""Kernels compiled ahead of time (analysis.changepoints._aot): same numbers as numba's JIT.

One build of a few kernels into a temporary directory (about 30 s of compilation), then:
the compiled kernels give bit-identical results to the JIT ones on random series of every
cost; arguments of another type go to the JIT kernel; a build for other sources is not
used; and the ``changepoints`` command runs without importing numba, with the same JSON.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from analysis.changepoints import _aot, _compiled
from analysis.changepoints import _kernels as JIT
from analysis.changepoints._fpop import fpop_poisson_kernel as fpop_jit
from analysis.changepoints.costs import get_cost

#: the kernels the command needs (op_kernel: bound to OptimalPartitioning at import)
NAMES = ("pelt_kernel", "op_kernel", "segment_costs", "seg_cost", "fpop_poisson_kernel")


@pytest.fixture(scope="module")
def aot_dir(tmp_path_factory):
    d = tmp_path_factory.mktemp("aot")
    old = os.environ.get("INCIDENT_TRENDS_AOT_DIR")
    os.environ["INCIDENT_TRENDS_AOT_DIR"] = str(d)
    _compiled._CACHE.clear()
    try:
        _aot.build(NAMES, quiet=True)
        yield d
    finally:
        if old is None:
            os.environ.pop("INCIDENT_TRENDS_AOT_DIR")
        else:
            os.environ["INCIDENT_TRENDS_AOT_DIR"] = old
        _aot._LOADED.clear()
        _compiled._CACHE.clear()


def _fitted(cost, seed, n=300):
    rng = np.random.default_rng(seed)
    lam = np.repeat(rng.uniform(0.0, 9.0, 4), n // 4)
    y = rng.poisson(lam).astype(float) if cost in ("poisson", "negbin") else rng.normal(lam, 1.0)
    kw = {"alpha": 0.3} if cost == "negbin" else {}
    x = rng.uniform(0.5, 2.0, len(y)) if cost == "poisson" and seed % 2 else None
    return get_cost(cost, **kw).fit(y, exposure=x), y, x


@pytest.mark.parametrize("cost", ["poisson", "negbin", "normal", "normal-meanvar"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_compiled_kernels_equal_the_jit_ones(aot_dir, cost, seed):
    c, y, x = _fitted(cost, seed)
    args = c.kernel_args()
    pelt = _aot.kernel("pelt_kernel", lambda: JIT.pelt_kernel)
    assert isinstance(pelt, _aot.Kernel) and pelt.overloads
    ms = 2 if cost == "normal-meanvar" else 1
    for mbic, pen, exact in ((True, 3 * np.log(len(y)), True), (True, 3 * np.log(len(y)), False),
                             (False, 2 * np.log(len(y)), True), (False, 0.5, False)):
        a = pelt(*args, mbic, float(pen), ms, 1, exact)
        b = JIT.pelt_kernel(*args, mbic, float(pen), ms, 1, exact)
        assert pelt._jit is None  # the compiled export ran
        np.testing.assert_array_equal(a[0], b[0])
        np.testing.assert_array_equal(a[1], b[1])
        assert a[2] == b[2]
    seg = _aot.kernel("segment_costs", lambda: JIT.segment_costs)
    bounds = np.array([0, 40, 41, 170, len(y)], np.int64)
    code, cs, cq, ce, param, LT = args
    for mbic in (False, True):
        np.testing.assert_array_equal(seg(code, cs, cq, ce, bounds, param, mbic, LT),
                                      JIT.segment_costs(code, cs, cq, ce, bounds, param, mbic, LT))
    if cost == "poisson":
        fp = _aot.kernel("fpop_poisson_kernel", lambda: fpop_jit)
        r = y if x is None else y / x
        for pen in (0.0, 2.0, 2 * np.log(len(y))):
            a = fp(code, cs, ce, LT, float(pen), float(r.min()), float(r.max()))
            b = fpop_jit(code, cs, ce, LT, float(pen), float(r.min()), float(r.max()))
            np.testing.assert_array_equal(a[0], b[0])
            np.testing.assert_array_equal(a[1], b[1])


def test_other_argument_types_go_to_the_jit_kernel(aot_dir):
    c, y, _ = _fitted("normal", 5)
    code, cs, cq, ce, param, LT = c.kernel_args()
    pelt = _aot.kernel("pelt_kernel", lambda: JIT.pelt_kernel)
    strided = np.repeat(cs, 2)[::2]  # same values, not contiguous
    assert not strided.flags.c_contiguous
    a = pelt(code, strided, cq, ce, param, LT, False, 5.0, 1, 1, True)
    assert pelt._jit is JIT.pelt_kernel
    b = pelt(code, cs, cq, ce, param, LT, False, 5.0, 1, 1, True)
    np.testing.assert_array_equal(a[0], b[0])
    assert not _aot._matches((1.0,), ["i8"]) and not _aot._matches((True,), ["i8"])
    assert _aot._matches((np.int64(3), 2.0, False), ["i8", "f8", "b1"])


def test_a_build_for_other_sources_is_not_used(aot_dir, monkeypatch):
    assert _aot.load() is not None
    monkeypatch.setattr(_aot, "key", lambda: "0" * 16)
    assert _aot.load() is None
    assert _aot.kernel("pelt_kernel", lambda: JIT.pelt_kernel) is None


def test_command_runs_without_numba_and_gives_the_same_json(aot_dir, tmp_path):
    rng = np.random.default_rng(3)
    y = rng.poisson(np.r_[np.full(80, 2.0), np.full(80, 8.0)])
    f = tmp_path / "counts.csv"
    f.write_text("t,count\n" + "\n".join(f"{i},{v}" for i, v in enumerate(y)) + "\n")
    probe = ("import contextlib, io, json, sys\nfrom analysis.cli import main\nbuf = io.StringIO()\n"
             "with contextlib.redirect_stdout(buf):\n"
             f"    rc = main(['changepoints', {str(f)!r}, '--time', 't', '--count', 'count', "
             "'--format', 'json'])\n"
             "assert rc == 0\n"
             "print(json.dumps({'numba': 'numba' in sys.modules, 'out': json.loads(buf.getvalue())}))")
    root = str(Path(__file__).resolve().parents[1])
    runs = {}
    for label, d in (("aot", str(aot_dir)), ("jit", "")):
        env = dict(os.environ, PYTHONPATH=root, MPLBACKEND="Agg", INCIDENT_TRENDS_AOT_DIR=d)
        p = subprocess.run([sys.executable, "-c", probe], env=env, cwd=tmp_path,
                           capture_output=True, text=True, timeout=300)
        assert p.returncode == 0, p.stderr
        runs[label] = json.loads(p.stdout.strip().splitlines()[-1])
    assert runs["aot"]["numba"] is False and runs["jit"]["numba"] is True
    assert runs["aot"]["out"] == runs["jit"]["out"]
    # the seeded draw's change (true change at row 80) is found at row 81
    assert [c["index"] for c in runs["aot"]["out"]["changepoints"]] == [81]


@pytest.mark.parametrize("cost", ["poisson", "negbin", "normal", "normal-meanvar"])
def test_compiled_seg_cost_keeps_the_mbic_flag(aot_dir, cost):
    """Every flag reaches the compiled export: numba.pycc's own conversion of a boolean
    argument gave ``seg_cost(..., mbic=True)`` the cost without its ``log(m)`` term."""
    c, y, x = _fitted(cost, 3)
    sc = _aot.kernel("seg_cost", lambda: JIT.seg_cost)
    assert isinstance(sc, _aot.Kernel) and sc.overloads
    code, cs, cq, ce, param, LT = c.kernel_args()
    for s, e in ((0, 300), (5, 40), (120, 122)):
        for mbic in (False, True):
            a = sc(code, cs, cq, ce, s, e, param, mbic, LT)
            assert sc._jit is None  # the compiled export ran
            assert a == JIT.seg_cost(code, cs, cq, ce, s, e, param, mbic, LT)
        with_term = sc(code, cs, cq, ce, s, e, param, True, LT)
        assert with_term - sc(code, cs, cq, ce, s, e, param, False, LT) == pytest.approx(
            np.log(e - s), abs=1e-9)


def test_installed_build_keeps_the_mbic_flag():
    """The build ``make venv`` writes (every kernel, the default directory), when current:
    each cost's ``error(mbic=True)`` exceeds ``error()`` by ``log(m)``. Its ``seg_cost``
    export once dropped the term (``mbic=True`` arrived as false), so MBIC-penalised costs
    from a checkout with a build differed from the JIT's."""
    code = (
        "import json, numpy as np\n"
        "from analysis.changepoints import _aot\n"
        "from analysis.changepoints.costs import get_cost\n"
        "if _aot.load() is None:\n"
        "    print('null')\n"
        "else:\n"
        "    rng = np.random.default_rng(3)\n"
        "    out = {}\n"
        "    for cost in ('poisson', 'negbin', 'normal', 'normal-meanvar'):\n"
        "        kw = {'alpha': 0.3} if cost == 'negbin' else {}\n"
        "        y = rng.poisson(4.0, 80).astype(float)\n"
        "        c = get_cost(cost, **kw).fit(y)\n"
        "        out[cost] = [c.error(5, 45, mbic=True) - c.error(5, 45), np.log(40.0)]\n"
        "    print(json.dumps(out))\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "INCIDENT_TRENDS_AOT_DIR"}
    root = Path(__file__).resolve().parents[1]
    env["PYTHONPATH"] = str(root) + os.pathsep + env.get("PYTHONPATH", "")
    got = json.loads(subprocess.run([sys.executable, "-c", code], env=env, cwd=root, check=True,
                                    capture_output=True, text=True).stdout)
    if got is None:
        pytest.skip("no current compiled build in this checkout (make kernels builds it)")
    for cost, (diff, want) in got.items():
        assert diff == pytest.approx(want, abs=1e-9), cost
