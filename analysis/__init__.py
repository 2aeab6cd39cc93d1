"""incident-trends: statistical analysis of conflict-incident trends.

``import analysis`` only defines names: heavy submodules (statsmodels, matplotlib,
numba kernels) load on first use of the names that need them.
"""

import importlib as _importlib

__version__ = "0.1.0"

from .schema import (  # noqa: E402
    ConvergenceWarning,
    DataWarning,
    DispersionWarning,
    IncidentTrendsError,
    IncidentTrendsWarning,
    InputError,
    ModelError,
    ModelWarning,
)

# name -> module that defines it; loaded lazily (PEP 562)
_LAZY: dict[str, str] = {}


def _register(module: str, *names: str) -> None:
    for n in names:
        _LAZY[n] = module


# Public API by area. Each area's module owns its names. The normalisation pipeline is
# ``analysis.normalize.normalize``: a top-level name ``normalize`` would be shadowed by the
# subpackage of the same name as soon as it is imported.
_register("analysis.series", "CountSeries")
_register("analysis.io", "read_reports", "read_tallies", "read_events", "read_acled", "read_ucdp",
          "read_aliases")
_register("analysis.normalize", "dedupe", "bin_incidents", "tallies_to_intervals", "Ledger")
_register("analysis.models", "fit_counts", "CountGLM", "fit_censored_poisson")
_register("analysis.models", "fit_segmented")
_register("analysis.changepoints", "Pelt", "OptimalPartitioning", "BinSeg", "SegNeigh",
          "BayesianChangepoints", "crops", "detect_changepoints")
_register("analysis.events", "EventCatalogue", "attribute_changes", "alignment_test", "compare_models")
_register("analysis.questions", "Comparison", "compare", "bounds_sensitivity", "coverage_caveats",
          "event_questions", "model_comparison")
_register("analysis.normalize.sources", "tallies_and_incidents")
_register("analysis.datasets", "load_case_study", "case_study_series", "load_coal_mining", "load_nile", "data_path")
_register("analysis.synthetic", "piecewise_poisson", "nb_level_change", "acled_like_reports")
_register("analysis.panel", "run_panel")
_register("analysis.duck", "normalize_duckdb")


def __getattr__(name: str):
    if name in _LAZY:
        mod = _importlib.import_module(_LAZY[name])
        return getattr(mod, name)
    raise AttributeError(f"module 'analysis' has no attribute {name!r}")


def __dir__():
    # the public names and the subpackages already imported; no helper names
    return sorted({n for n in globals() if not n.startswith("_")} | set(_LAZY) | {"__version__"})


__all__ = [
    "__version__", "IncidentTrendsError", "InputError", "ModelError",
    "IncidentTrendsWarning", "DataWarning", "ModelWarning", "ConvergenceWarning",
    "DispersionWarning", *_LAZY,
]
