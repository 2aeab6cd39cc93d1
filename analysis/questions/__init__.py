"""Questions asked of a count series, each a function with a results object:

* :func:`compare`: two periods, or before and after an event, with exact rates, the
  exact conditional rate ratio and test, and GLM rate ratios;
* :func:`bounds_sensitivity`: the changepoints and comparisons again with the tallies at
  their lowest, stated and highest counts;
* :func:`coverage_caveats`: what the data do not cover, computed from the data;
* :func:`event_questions`: events near the changes, alignment tests, per-event evidence;
* :func:`model_comparison`: no change, event ITS variants and free changepoints by BIC.
"""

from .compare import CompareResult, Comparison, Period, compare
from .coverage import CoverageResult, coverage_caveats
from .events import EventQuestions, event_questions
from .models import ModelComparison, model_comparison
from .sensitivity import SensitivityResult, bounds_sensitivity

__all__ = ["CompareResult", "Comparison", "Period", "compare", "CoverageResult", "coverage_caveats",
           "EventQuestions", "event_questions", "ModelComparison", "model_comparison",
           "SensitivityResult", "bounds_sensitivity"]
