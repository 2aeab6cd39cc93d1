"""From incident reports and tallies to count series that can be traced to every input row.

Modules: :mod:`~analysis.normalize.keys` (place and weapon keys),
:mod:`~analysis.normalize.dedupe` (reports -> incidents),
:mod:`~analysis.normalize.dates` (imprecise dates), :mod:`~analysis.normalize.bins`
(calendar binning), :mod:`~analysis.normalize.tallies` (cumulative tallies -> interval
counts), :mod:`~analysis.normalize.reconcile` (incidents vs tallies),
:mod:`~analysis.normalize.ledger` (the fate of every row) and
:mod:`~analysis.normalize.pipeline` (:func:`normalize`).
"""

from .bins import ImputedSeries, bin_edges, bin_incidents, infer_window, parse_window
from .dedupe import DedupeResult, dedupe, incidents_to_reports
from .keys import compatible, location_key, weapon_classes, weapon_label
from .ledger import Ledger
from .pipeline import NormalizeResult, normalize
from .reconcile import coverage, daily_incidents, spread_tallies
from .sources import CombinedSeries, tallies_and_incidents, tally_point_path
from .tallies import TallyResult, bound_range, counter_disagreements, tallies_to_intervals

__all__ = [
    "CombinedSeries", "tallies_and_incidents", "tally_point_path",
    "normalize", "NormalizeResult",
    "dedupe", "DedupeResult", "incidents_to_reports",
    "bin_incidents", "ImputedSeries", "bin_edges", "parse_window", "infer_window",
    "tallies_to_intervals", "TallyResult", "bound_range", "counter_disagreements",
    "coverage", "spread_tallies", "daily_incidents",
    "Ledger",
    "location_key", "weapon_classes", "weapon_label", "compatible",
]
