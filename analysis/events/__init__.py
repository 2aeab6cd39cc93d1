"""Events: the catalogue, attribution of changes to events, the alignment test and
the comparison of event-anchored and free-changepoint models.

Sign convention: ``lag_days = change - event`` (positive when the change follows the event).
"""

from .alignment import AlignmentResult, alignment_test, nearest_distance
from .attribution import (as_catalogue, attribute_changes, attribution_pairs, change_dates_of,
                          event_bayes_factors, event_posterior)
from .catalogue import EventCatalogue, load_events, validate_events
from .hook import attach_attribution

__all__ = [
    "EventCatalogue", "validate_events", "load_events", "as_catalogue",
    "attribute_changes", "attribution_pairs", "change_dates_of",
    "event_posterior", "event_bayes_factors",
    "AlignmentResult", "alignment_test", "nearest_distance",
    "compare_models", "attach_attribution",
]


def __getattr__(name):
    if name == "compare_models":  # needs statsmodels: load on first use
        from .comparison import compare_models
        return compare_models
    raise AttributeError(f"module 'analysis.events' has no attribute {name!r}")
