"""The Examples blocks of the normalize modules run as doctests (normalize, dedupe,
bin_incidents, tallies_to_intervals and their helpers)."""

from __future__ import annotations

import doctest
import importlib
import warnings

import pytest

MODULES = ["analysis.normalize.pipeline", "analysis.normalize.dedupe", "analysis.normalize.bins",
           "analysis.normalize.tallies", "analysis.normalize.keys", "analysis.normalize.dates",
           "analysis.normalize.reconcile", "analysis.normalize.link"]


@pytest.mark.parametrize("module", MODULES)
def test_docstring_examples_run(module):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an example that warns is a bad example
        res = doctest.testmod(importlib.import_module(module), optionflags=doctest.ELLIPSIS)
    assert res.attempted > 0 and res.failed == 0


@pytest.mark.parametrize("name", ["normalize", "dedupe", "bin_incidents", "tallies_to_intervals"])
def test_public_functions_have_runnable_examples(name):
    import analysis.io
    import analysis.normalize

    fn = getattr(analysis.normalize, name)
    tests = doctest.DocTestFinder().find(fn, name, globs={})
    assert tests and tests[0].examples, f"{name} has no Examples"
    for required in ("Parameters", "Returns", "Examples"):
        assert required in fn.__doc__, f"{name} docstring lacks {required}"
    assert "Examples" in analysis.io.read_reports.__doc__
