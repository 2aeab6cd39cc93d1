"""The kernels as the searches call them: ahead-of-time compiled when built, else numba's JIT.

``from . import _compiled as K`` then ``K.pelt_kernel(...)``: a kernel of the current
ahead-of-time build (:mod:`._aot`) when there is one, so that numba is never imported;
otherwise, and for every other name, the object of :mod:`._kernels` or :mod:`._fpop`
(imported, with numba, on first use; looked up there on every use).
"""

from __future__ import annotations

import importlib

_JIT_MODULES = ("_kernels", "_fpop")
_CACHE: dict = {}


def _jit(name: str):
    for m in _JIT_MODULES:
        mod = importlib.import_module(f"{__package__}.{m}")
        if hasattr(mod, name):
            return getattr(mod, name)
    raise AttributeError(f"no kernel {name!r} in {', '.join(_JIT_MODULES)}")


def __getattr__(name: str):
    if name.startswith("__"):
        raise AttributeError(name)
    try:
        return _CACHE[name]
    except KeyError:
        pass
    from . import _aot

    got = _aot.kernel(name, lambda: _jit(name))
    if got is None:
        # looked up on each use, so that a kernel replaced in its module (a test's spy)
        # is the one called
        return _jit(name)
    _CACHE[name] = got
    return got
