"""``[coverage]``: caveats computed from the data (:func:`analysis.questions.coverage_caveats`),
shown in the report's summary next to the numbers.

Spec keys::

    [coverage]
    min_gap = 4                       # shortest run of periods without any source that is stated
    min_zero_days = 7                 # shortest tally interval of zero events that is stated
"""

from __future__ import annotations

from ...questions import coverage_caveats
from ..spec_schema import Key
from . import Rendered, SectionType, register
from ._util import noun_of

KEYS = (
    Key("min_gap", "int", default=4, minimum=1, maximum=10_000,
        doc="shortest run of periods without any source that is stated"),
    Key("min_zero_days", "int", default=7, minimum=1, maximum=100_000,
        doc="shortest tally interval of zero events that is stated"),
)


def compute(spec, data, cfg):
    norm = data.normalized
    tallies = getattr(norm, "tallies", None)
    return coverage_caveats(data.series, incidents=getattr(norm, "incidents", None),
                            combined=data.extras.get("combined"),
                            tally_intervals=getattr(tallies, "intervals", None), noun=noun_of(spec),
                            min_gap=int(cfg["min_gap"]), min_zero_days=int(cfg["min_zero_days"]))


def render(result, data) -> Rendered:
    return Rendered(notes=list(result.caveats))


def to_json(result, data) -> dict:
    return result.to_dict()


register(SectionType(key="coverage", keys=KEYS, compute=compute, render=render, to_json=to_json,
                     doc="what the data cover, computed from the data"))
