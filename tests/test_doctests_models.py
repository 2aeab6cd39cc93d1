"""The Examples blocks of the models, curation and data-set modules run as doctests."""

from __future__ import annotations

import doctest
import importlib
import warnings

import pytest

MODULES = ["analysis.models.glm", "analysis.models.design", "analysis.models.censored",
           "analysis.models.results", "analysis.datasets", "analysis.curate.text",
           "analysis.curate.reports", "analysis.curate.tallies", "analysis.curate.bundled",
           "analysis.normalize.sources", "analysis.questions.compare", "analysis.questions.coverage",
           "analysis.io.aliases"]

#: Public functions whose docstrings must carry these numpydoc sections and examples.
DOCUMENTED = {
    "analysis.models.glm:fit_counts": ("Parameters", "Returns", "Raises", "Examples"),
    "analysis.models.results:CountFit.predict": ("Parameters", "Returns", "Raises", "Examples"),
    "analysis.models.censored:fit_censored_poisson": ("Parameters", "Returns", "Raises", "Examples"),
    "analysis.datasets:load_case_study": ("Parameters", "Returns", "Raises", "Examples"),
}


@pytest.mark.parametrize("module", MODULES)
def test_docstring_examples_run(module):
    mod = importlib.import_module(module)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an example that warns is a bad example
        res = doctest.testmod(mod, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert res.failed == 0
    assert res.attempted > 0


@pytest.mark.parametrize("target", list(DOCUMENTED))
def test_numpydoc_sections(target):
    module, _, name = target.partition(":")
    obj = importlib.import_module(module)
    for part in name.split("."):
        obj = getattr(obj, part)
    doc = obj.__doc__ or ""
    for section in DOCUMENTED[target]:
        assert f"\n    {section}\n    {'-' * len(section)}" in doc or \
            f"\n        {section}\n        {'-' * len(section)}" in doc, (target, section)
