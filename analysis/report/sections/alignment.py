"""``[alignment]``: events near the changes, alignment tests and per-event evidence
(:func:`analysis.questions.event_questions`).

Spec keys::

    [alignment]
    named = ["E007", "E014"]          # event ids tested as a set and reported one by one
    nulls = ["uniform", "shift"]      # randomisation nulls of the alignment test
    bayes_factors = true              # per-event Bayes factors (one posterior per event)

The attribution window and the number of draws come from ``[attribution]``, the minimum
segment and the prior change probability from ``[changepoints]``.
"""

from __future__ import annotations

from ...questions import event_questions
from ..spec_schema import Key
from . import Rendered, SectionType, register
from ._util import noun_of, spec_error

KEYS = (
    Key("named", "list", default=[], items=Key("named", "str"), unique=True,
        doc="event ids tested as a set and reported one by one"),
    Key("nulls", "list", default=["uniform"], items=Key("nulls", "str", choices=("uniform", "shift")),
        min_items=1, unique=True, doc="randomisation nulls of the alignment test"),
    Key("bayes_factors", "bool", default=False, doc="per-event Bayes factors (one posterior each)"),
)


def compute(spec, data, cfg):
    if data.events is None or data.segmentation is None:
        raise spec_error(spec, "[alignment] needs [data] events and a changepoint search", "alignment")
    a, c = spec.attribution, spec.changepoints
    try:
        return event_questions(data.series, data.segmentation, data.events, bayes=data.bayes,
                               named=list(cfg["named"]), window_days=a["window_days"], nulls=list(cfg["nulls"]),
                               draws=a["draws"], seed=spec.seed, min_size=c["min_size"],
                               p_change=c["p_change"], bayes_factors=bool(cfg["bayes_factors"]),
                               noun=noun_of(spec), exclude_kinds=list(a["exclude_kinds"]))
    except ValueError as exc:
        raise spec_error(spec, str(exc), "alignment.named") from None


def render(result, data) -> Rendered:
    s = result.sentences
    # the summary states the changes, which events were left out as candidate causes, and the
    # alignment test; the questions section keeps the per-event evidence
    summary = [s[k] for k in ("changes", "excluded", "alignment") if k in s]
    return Rendered(summary=summary, paragraphs=[s["event_bayes"]] if "event_bayes" in s else [])


def to_json(result, data) -> dict:
    return result.to_dict()


register(SectionType(key="alignment", keys=KEYS, compute=compute, render=render, to_json=to_json,
                     doc="events near the changes, alignment tests, per-event evidence"),
         summary_rank=0)
