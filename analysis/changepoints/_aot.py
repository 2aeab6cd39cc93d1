"""The search kernels compiled ahead of time: a plain extension module, no numba at run time.

Loading numba and its cached kernels costs a process about 0.6 s (importing numba, then
building its code generator on the first call, which imports SciPy's linear algebra),
several times what the search itself takes on a series of 10,000 rows. This module
compiles the kernels of the searches (:mod:`._kernels` and :mod:`._fpop`) once, with
numba's ahead-of-time compiler, into an extension module that a later process imports
in a fraction of a millisecond.

Build it with ``python -m analysis.changepoints._build`` (``make venv`` does). The module
is keyed by a hash of the kernels' source files and of the NumPy and Python versions:
after any change to the kernels the old one is ignored (and the searches use numba's
JIT until it is rebuilt), so a stale build never runs. It lives beside numba's own
cache, in ``analysis/changepoints/__pycache__`` (``INCIDENT_TRENDS_AOT_DIR`` names
another directory; set to an empty string, it turns the compiled module off).

Each kernel is exported once per signature it was called with while building (the
searches are run on small series to find them); a call whose arguments do not have
exactly one of those signatures (dtype, C-contiguous writeable arrays, Python or NumPy
scalars of the same type) goes to the JIT kernel. Both are compiled by the same LLVM
from the same code without fast-math, so they give the same numbers
(``tests/test_changepoints_aot.py``).
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
#: modules the compiled module is built from, this one included (its key hashes their source:
#: a change to how kernels are exported makes an older build stale too)
SOURCES = ("_kernels.py", "_fpop.py", "_aot.py")
#: the kernels compiled ahead of time (module -> names): the searches, not the
#: Bayesian recursions (whose run time dwarfs the load)
EXPORTS = {
    "_kernels": ("seg_cost", "segment_costs", "op_kernel", "pelt_kernel", "segneigh_kernel",
                 "best_split", "binseg_kernel"),
    "_fpop": ("fpop_poisson_kernel",),
}
_ENV = "INCIDENT_TRENDS_AOT_DIR"


def directory() -> Path | None:
    """Where the compiled module is looked for and built (None: turned off)."""
    d = os.environ.get(_ENV)
    if d is None:
        return HERE / "__pycache__"
    return Path(d) if d else None


_KEY: list = []


def key() -> str:
    """Hash of the kernels' sources and of the NumPy and Python versions (computed once
    a process)."""
    if _KEY:
        return _KEY[0]
    import numpy

    h = hashlib.sha256()
    for name in SOURCES:
        h.update((HERE / name).read_bytes())
    h.update(numpy.__version__.encode())
    h.update(sys.version.encode())
    _KEY.append(h.hexdigest()[:16])
    return _KEY[0]


def _paths(d: Path, k: str) -> tuple[str, Path, Path]:
    from importlib.machinery import EXTENSION_SUFFIXES

    name = f"_aot_{k}"
    return name, d / f"{name}{EXTENSION_SUFFIXES[0]}", d / f"{name}.json"


_LOADED: dict = {}


def load():
    """``(module, {kernel: [(export name, argument kinds), ...]})`` of the current build,
    or None (not built, stale, turned off or unloadable)."""
    d = directory()
    if d is None:
        return None
    k = key()
    if (d, k) in _LOADED:
        return _LOADED[(d, k)]
    name, so, meta = _paths(d, k)
    out = None
    if so.exists() and meta.exists():
        try:
            import importlib.util

            spec = importlib.util.spec_from_file_location(name, so)
            mod = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(mod)
            out = (mod, json.loads(meta.read_text()))
        except (ImportError, OSError, ValueError):  # pragma: no cover - broken build
            out = None
    _LOADED[(d, k)] = out
    return out


# ------------------------------------------------------------------ argument kinds
def _kind(t) -> str | None:
    """A numba type as a kind :func:`_matches` checks, or None when not exportable."""
    from numba.core import types

    if isinstance(t, types.Boolean):
        return "b1"
    if isinstance(t, types.Integer) and t.signed and t.bitwidth == 64:
        return "i8"
    if isinstance(t, types.Float) and t.bitwidth == 64:
        return "f8"
    if (isinstance(t, types.Array) and t.layout == "C" and t.mutable and t.aligned
            and str(t.dtype) in ("float64", "int64")):
        return f"{str(t.dtype)}:{t.ndim}"
    return None


def _matches(args, kinds) -> bool:
    """Whether ``args`` have exactly the types of one exported signature."""
    import numpy as np

    if len(args) != len(kinds):
        return False
    for a, k in zip(args, kinds):
        t = type(a)
        if k == "i8":
            if t is not int and t is not np.int64:
                return False
        elif k == "f8":
            if t is not float and t is not np.float64:
                return False
        elif k == "b1":
            if t is not bool and t is not np.bool_:
                return False
        else:
            dt, nd = k.split(":")
            if (t is not np.ndarray or a.dtype.name != dt or a.ndim != int(nd)
                    or not (a.flags.c_contiguous and a.flags.writeable and a.flags.aligned)):
                return False
    return True


#: set while building: every kernel runs its JIT version (to record its signatures)
_BUILDING = [False]


class Kernel:
    """A kernel that runs the compiled export whose signature the arguments have, else
    the JIT kernel (loaded, with numba, on first need)."""

    __slots__ = ("name", "overloads", "_jit", "_jit_loader")

    def __init__(self, name, overloads, jit_loader):
        self.name = name
        self.overloads = overloads
        self._jit = None
        self._jit_loader = jit_loader

    def __call__(self, *args):
        if not _BUILDING[0]:
            for fn, kinds in self.overloads:
                if _matches(args, kinds):
                    if "b1" in kinds:  # exported with int64 in place of each bool
                        args = tuple(int(a) if k == "b1" else a for a, k in zip(args, kinds))
                    return fn(*args)
        if self._jit is None:
            self._jit = self._jit_loader()
        return self._jit(*args)

    def __repr__(self) -> str:
        return f"<compiled kernel {self.name} ({len(self.overloads)} signatures)>"


def kernel(name: str, jit_loader):
    """The callable for kernel ``name``: compiled when the current build has it."""
    if _BUILDING[0]:
        return None
    got = load()
    if got is None or name not in got[1]:
        return None
    mod, meta = got
    return Kernel(name, [(getattr(mod, e), kinds) for e, kinds in meta[name]], jit_loader)


# ------------------------------------------------------------------ building
def _warm() -> None:
    """Run the searches on small series so each kernel has the signatures they use."""
    import numpy as np

    from .costs import get_cost
    from .search import BinSeg, OptimalPartitioning, Pelt, SegNeigh

    rng = np.random.default_rng(0)
    y = rng.poisson(np.r_[np.full(30, 2.0), np.full(30, 7.0)]).astype(float)
    x = rng.uniform(0.5, 2.0, len(y))
    for cost, kw in (("poisson", {}), ("negbin", {"alpha": 0.2}), ("normal", {}),
                     ("normal-meanvar", {})):
        for exposure in ((None, x) if cost == "poisson" else (None,)):
            for pen in ("mbic", "bic"):
                for pruning in ("exact", "r"):
                    Pelt(cost, pruning=pruning, **kw).fit(y, exposure=exposure).predict(pen)
                OptimalPartitioning(cost, **kw).fit(y, exposure=exposure).predict(pen)
                BinSeg(cost, max_changes=3, **kw).fit(y, exposure=exposure).predict(pen)
                SegNeigh(cost, max_changes=2, **kw).fit(y, exposure=exposure).predict(pen)
            c = get_cost(cost, **kw).fit(y, exposure=exposure)
            c.error(0, 10)
            c.error(0, 10, mbic=True)


def _int_for_bool(sig):
    """``sig`` with int64 in place of each boolean argument.

    numba.pycc's argument parsing does not convert every boolean argument: an export of
    ``seg_cost`` took ``mbic=True`` as false (the MBIC term was dropped). The kernels test
    their flags for truth, so they compile the same for int64; :class:`Kernel` passes
    ``int(flag)`` to such exports.
    """
    from numba.core import types

    if not any(isinstance(t, types.Boolean) for t in sig.args):
        return sig
    args = [types.int64 if isinstance(t, types.Boolean) else t for t in sig.args]
    return sig.return_type(*args)


def build(names=None, *, quiet: bool = False) -> Path:
    """Compile the kernels (all of :data:`EXPORTS`, or the ``names`` given) into the
    extension module of the current key; returns its path."""
    import importlib
    import warnings

    d = directory()
    if d is None:
        raise RuntimeError(f"{_ENV} is empty: the compiled kernels are turned off")
    d.mkdir(parents=True, exist_ok=True)
    from . import _compiled

    # the JIT kernels must run to record their signatures
    _BUILDING[0] = True
    _compiled._CACHE.clear()
    try:
        _warm()
    finally:
        _BUILDING[0] = False
        _compiled._CACHE.clear()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # numba.pycc's pending-deprecation notice
        from numba.pycc import CC
    k = key()
    modname, so, meta_path = _paths(d, k)
    cc = CC(modname)
    cc.output_dir = str(d)
    cc.verbose = False
    meta: dict[str, list] = {}
    for module, kernels in EXPORTS.items():
        mod = importlib.import_module(f"{__package__}.{module}")
        for name in kernels:
            if names is not None and name not in names:
                continue
            disp = getattr(mod, name)
            for i, cres in enumerate(disp.overloads.values()):
                kinds = [_kind(t) for t in cres.signature.args]
                if any(kk is None for kk in kinds) or any(
                        kinds == kk for _, kk in meta.get(name, ())):
                    continue
                export = f"{name}__{i}"
                cc.export(export, _int_for_bool(cres.signature))(disp.py_func)
                meta.setdefault(name, []).append((export, kinds))
    if not meta:
        raise RuntimeError("no kernel signature to compile")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cc.compile()
    tmp = meta_path.with_suffix(".json.part")
    tmp.write_text(json.dumps(meta, indent=1))
    os.replace(tmp, meta_path)
    _LOADED.pop((d, k), None)
    if not quiet:
        n = sum(len(v) for v in meta.values())
        print(f"compiled {n} kernel signatures into {so}")
    return so


def main(argv=None) -> int:
    import argparse

    ap = argparse.ArgumentParser(prog="python -m analysis.changepoints._build",
                                 description="Compile the changepoint search kernels ahead of time.")
    ap.add_argument("--quiet", action="store_true")
    ap.add_argument("--check", action="store_true",
                    help="only say whether a current build exists (exit 1 if not)")
    a = ap.parse_args(argv)
    if a.check:
        ok = load() is not None
        print("current" if ok else "missing or stale")
        return 0 if ok else 1
    build(quiet=a.quiet)
    return 0


if __name__ == "__main__":
    sys.exit(main())
