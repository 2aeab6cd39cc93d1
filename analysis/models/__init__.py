"""Count models: Poisson, NB2 and quasi-Poisson GLMs with trend, seasonality and event
terms (interrupted time series), and a censored Poisson model for bounded totals.

Importing this package loads statsmodels lazily (only when a model is fitted).
"""

from .censored import CensoredPoisson, fit_censored_poisson
from .design import EVENT_KINDS, Design, EventTerm, build_design, parse_event
from .glm import COV_TYPES, FAMILIES, CountGLM, fit_counts, newey_west_lags
from .results import CountFit, Diagnostics, FitSummary, TestResult
from .segmented import SegmentedFit, fit_segmented

__all__ = [
    "fit_counts", "CountGLM", "CountFit", "FitSummary", "Diagnostics", "TestResult",
    "EventTerm", "Design", "build_design", "parse_event", "EVENT_KINDS",
    "fit_censored_poisson", "CensoredPoisson", "FAMILIES", "COV_TYPES", "newey_west_lags",
    "fit_segmented", "SegmentedFit",
]
