"""``[model_comparison]``: no change, event ITS variants and free changepoints by BIC
(:func:`analysis.questions.model_comparison`).

Spec keys::

    [model_comparison]
    family = "negbin"                 # default: the [model] family (Poisson if it has no likelihood)

    [model_comparison.variants]       # one event-anchored ITS model per entry
    "Tower 22 + talks" = ["2024-01-28:level", "2024-07-22:level"]
"""

from __future__ import annotations

from ...questions import model_comparison
from ..spec_schema import Key
from . import Rendered, SectionType, register
from ._util import spec_error, table


def _variants(value):
    from ...models.design import parse_event
    for name, terms in value.items():
        if not isinstance(terms, list) or not terms:
            raise ValueError(f"variant {name!r} must be a non-empty list of event terms")
        for t in terms:
            parse_event(t)
    return value


KEYS = (
    Key("family", "str", default=None, choices=("poisson", "negbin"),
        doc="likelihood of every model (default: the [model] family, Poisson if it has none)"),
    Key("variants", "table", default={}, parse=_variants,
        allowed='a table: name = ["DATE:level", ...]', doc="one event-anchored ITS model per entry"),
)


def compute(spec, data, cfg):
    v = cfg["variants"]
    try:
        return model_comparison(data.series, v, family=cfg["family"] or spec.model["family"],
                                segmentation=data.segmentation)
    except ValueError as exc:
        raise spec_error(spec, str(exc), "model_comparison.variants") from None


def render(result, data) -> Rendered:
    s = result.sentence()
    return Rendered(summary=[s], paragraphs=[s], notes=list(result.notes),
                    tables=[table("model_comparison",
                                  "Model comparison by BIC: no change, event ITS, free changepoints",
                                  result.table)])


def to_json(result, data) -> dict:
    d = result.to_dict()
    d.pop("table")
    return d


register(SectionType(key="model_comparison", keys=KEYS, compute=compute, render=render,
                     to_json=to_json, doc="no change, event ITS and free changepoints by BIC"))
