"""``[[sensitivity]]``: the changepoints and comparisons again under other tally bounds
(:func:`analysis.questions.bounds_sensitivity`). Needs ``[series] source = "tallies+incidents"``.

Spec keys of one entry::

    [[sensitivity]]
    name = "tally_bounds"             # key in tables and results.json (required)
    bounds = ["lower", "stated", "upper"]
    compare = ["late_january"]        # names of [[compare]] entries (default: all)
"""

from __future__ import annotations

from ...questions import bounds_sensitivity
from ...questions._text import unit_of
from ..spec_schema import Key, Problem
from . import Rendered, SectionType, register
from ._util import noun_of, spec_error, table

KEYS = (
    Key("name", "str", doc="key of the analysis in tables and results.json"),
    Key("bounds", "list", default=["lower", "stated", "upper"],
        items=Key("bounds", "str", choices=("lower", "stated", "upper")), min_items=1, unique=True),
    Key("compare", "list", default=None, items=Key("compare", "str"), unique=True,
        doc="names of [[compare]] entries re-run (default: all)"),
)


def _spec_check(top: dict, sections: dict) -> list:
    entries = sections.get("sensitivity", [])
    if not entries:
        return []
    out = []
    if sections["series"]["source"] not in ("tallies+incidents", "tallies"):
        out.append(Problem("sensitivity", 'needs [series] source = "tallies+incidents" or "tallies"',
                           'series.source = "tallies+incidents" or "tallies"'))
    known = {c["name"] for c in sections.get("compare", [])}
    for i, e in enumerate(entries):
        unknown = sorted(set(e["compare"] or []) - known)
        if unknown:
            out.append(Problem(f"sensitivity[{i}].compare", f"unknown comparison(s) {unknown}",
                               "names of [[compare]] entries"))
    names = [e["name"] for e in entries]
    if len(set(names)) != len(names):
        out.append(Problem("sensitivity", f"names {names} repeat", "unique names"))
    return out


def compute(spec, data, entries):
    from .compare import comparisons_of
    comb = data.extras.get("combined")
    if comb is None:
        raise spec_error(spec, '[[sensitivity]] needs [series] source = "tallies+incidents" or "tallies"',
                         "sensitivity")
    allc = comparisons_of(spec, spec.sections.get("compare", []))
    out = []
    for i, e in enumerate(entries):
        names = e["compare"]
        comps = allc if names is None else [c for c in allc if c.name in names]
        st = comb.settings
        c = spec.changepoints
        try:
            out.append(bounds_sensitivity(
                data.extras["reports"], data.extras["tallies"], source=st["source"], window=st["window"],
                freq=st["freq"], region=st["region"], since=st["since"], aliases=data.extras.get("aliases"),
                bounds=tuple(e["bounds"]), method=c["method"], cost=c["cost"], penalty=c["penalty"],
                min_size=c["min_size"], comparisons=comps, name=e["name"],
                tallies_only=spec.series["source"] == "tallies"))
        except ValueError as exc:
            raise spec_error(spec, str(exc), f"sensitivity[{i}]") from None
    return out


def render(results, data) -> Rendered:
    out = Rendered()
    unit = unit_of(data.series)
    method = data.spec.changepoints["method"].upper()
    for r in results:
        out.summary.append(r.robustness(unit=unit, method=method))
        out.paragraphs += list(r.sentences(noun=noun_of(data.spec), unit=unit, method=method).values())
        out.tables.append(table(f"sensitivity_{r.name}_changes",
                                f"Sensitivity ({r.name}): total and change dates under each tally bound",
                                r.changes))
        if len(r.ratios):
            out.tables.append(table(f"sensitivity_{r.name}_ratios",
                                    f"Sensitivity ({r.name}): exact rate ratios under each tally bound",
                                    r.ratios))
    return out


def to_json(results, data) -> dict:
    unit = unit_of(data.series)
    return {r.name: {"numbers": r.numbers(), "settings": r.settings,
                     "sentences": r.sentences(noun=noun_of(data.spec), unit=unit)} for r in results}


register(SectionType(key="sensitivity", keys=KEYS, compute=compute, render=render, to_json=to_json,
                     array=True, spec_check=_spec_check, doc="answers under other tally bounds"))
