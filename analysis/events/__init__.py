"""Events: the catalogue, attribution of changes to events, the alignment test and
the comparison of event-anchored and free-changepoint models.

Sign convention: ``lag_days = change - event`` (positive when the change follows the event).
"""

from .alignment import AlignmentResult, alignment_test, nearest_distance
from .attribution import (as_catalogue, attribute_changes, attribution_pairs, change_dates_of,
                          event_bayes_factors, event_posterior)
from .catalogue import DATA_DERIVED_KINDS, EventCatalogue, load_events, validate_events
from .comparison import compare_models, event_terms
from .hook import attach_attribution

__all__ = [
    "EventCatalogue", "validate_events", "load_events", "as_catalogue", "DATA_DERIVED_KINDS",
    "attribute_changes", "attribution_pairs", "change_dates_of",
    "event_posterior", "event_bayes_factors",
    "AlignmentResult", "alignment_test", "nearest_distance",
    "compare_models", "event_terms", "attach_attribution",
]
