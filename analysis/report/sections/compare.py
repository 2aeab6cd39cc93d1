"""``[[compare]]``: two periods, or before and after an event (:func:`analysis.questions.compare`).

Spec keys of one entry::

    [[compare]]
    name = "talks"                    # key in tables and results.json (required)
    label = "the July 2024 talks"     # noun phrase for the sentence
    after_label = "them"              # word after "after" (default: label)
    event = "2024-07-22"              # before/after an event ...
    until = "2024-07-23"              # ... lasting to this day (optional)
    gap = 0                           # further periods left out on each side
    start = "2024-02-05"              # outer limits of the two periods (default: the series)
    end = "2024-09-02"
    alternative = "two-sided"         # or "greater" (a rise) / "less"
    glm = true                        # GLM rate ratios on the same and on all periods

    [[compare]]                       # ... or two named periods [start, end)
    name = "summer_vs_spring"
    first = {name = "spring", start = "2024-03-04", end = "2024-06-03"}
    second = {name = "july_august", start = "2024-07-01", end = "2024-09-02"}
    alternative = "greater"
"""

from __future__ import annotations

import pandas as pd

from ...questions import Comparison, Period
from ...questions import compare as compare_series
from ...questions._text import unit_of
from ..spec_schema import Key, Problem
from . import Rendered, SectionType, register
from ._util import noun_of, spec_error, table


def _period_table(value):
    if set(value) - {"name", "start", "end"} or not {"start", "end"} <= set(value):
        raise ValueError("a period is a table {name, start, end} (end exclusive)")
    Period(str(value.get("name") or "period"), value["start"], value["end"])
    return value


def _name(value):
    if not value or not all(c.isalnum() or c in "_-" for c in value):
        raise ValueError("a name of letters, digits, '_' and '-' (it keys tables and results)")
    return value


KEYS = (
    Key("name", "str", parse=_name, doc="key of the comparison in tables and results.json"),
    Key("label", "str", default="", doc="noun phrase for the sentence"),
    Key("after_label", "str", default="", doc="word after 'after' in the sentence (default: label)"),
    Key("event", "date", default=None, doc="before/after this day"),
    Key("until", "date", default=None, doc="last day of the event (the periods between are left out)"),
    Key("gap", "int", default=0, minimum=0, maximum=1000, doc="further periods left out on each side"),
    Key("start", "date", default=None, doc="first day of the before period (default: the series')"),
    Key("end", "date", default=None, doc="end of the after period, exclusive (default: the series')"),
    Key("first", "table", default=None, parse=_period_table, allowed="a table {name, start, end}"),
    Key("second", "table", default=None, parse=_period_table, allowed="a table {name, start, end}"),
    Key("alternative", "str", default="two-sided", choices=("two-sided", "greater", "less")),
    Key("glm", "bool", default=None, doc="GLM rate ratios (default: true for events, false for periods)"),
)


def _check(v: dict) -> list:
    if v["event"] is not None and (v["first"] is not None or v["second"] is not None):
        return [Problem("event", "given with first/second", "either event or first and second")]
    if v["event"] is None and (v["first"] is None or v["second"] is None):
        return [Problem("event", "missing (and no first and second periods)",
                        "an event date, or two periods first and second")]
    return []


def _spec_check(top: dict, sections: dict) -> list:
    names = [e["name"] for e in sections.get("compare", [])]
    dup = sorted({n for n in names if names.count(n) > 1})
    return [Problem("compare", f"names {dup} are given twice", "unique names")] if dup else []


def comparisons_of(spec, entries) -> list[Comparison]:
    """The spec's validated ``[[compare]]`` entries as :class:`Comparison` objects."""
    out = []
    for i, e in enumerate(entries):
        try:
            if e["event"] is not None:
                out.append(Comparison.around(
                    e["name"], e["event"], until=e["until"], gap=int(e["gap"]), start=e["start"],
                    end=e["end"], alternative=e["alternative"], label=e["label"],
                    after_label=e["after_label"], glm=True if e["glm"] is None else bool(e["glm"])))
            else:
                first = Period(str(e["first"].get("name") or f"first_{e['name']}"),
                               e["first"]["start"], e["first"]["end"])
                second = Period(str(e["second"].get("name") or f"second_{e['name']}"),
                                e["second"]["start"], e["second"]["end"])
                out.append(Comparison(name=e["name"], first=first, second=second,
                                      alternative=e["alternative"], label=e["label"] or e["name"],
                                      glm=bool(e["glm"])))
        except ValueError as exc:
            raise spec_error(spec, str(exc), f"compare[{i}]") from None
    return out


def compute(spec, data, entries):
    comps = comparisons_of(spec, entries)
    try:
        return compare_series(data.series, comps, family=spec.model["family"])
    except ValueError as exc:
        raise spec_error(spec, str(exc), "compare") from None


def render(result, data) -> Rendered:
    unit = unit_of(data.series)
    sent = result.sentences(noun=noun_of(data.spec), unit=unit)
    out = Rendered(summary=list(sent.values()), paragraphs=list(sent.values()), notes=list(result.notes))
    out.notes += _tally_caveats(result, data)
    out.tables.append(table("compare_periods", f"Exact Poisson rates per {unit} in the compared periods",
                            result.periods))
    frame = result.rate_ratios
    # exact tests and GLM steps fill different columns: two narrow tables, not one wide one
    exact = frame["method"].astype(str).str.startswith("exact")
    hide = ("method", "before", "after", "k1", "k2", "expected_share", "rounded")
    out.tables.append(table("compare_rate_ratios", "Rate ratios: exact conditional tests", frame[exact],
                            hide=hide))
    if (~exact).any():
        out.tables.append(table("compare_glm_steps", "Rate ratios: GLM level steps", frame[~exact]))
    return out


def _tally_caveats(result, data) -> list[str]:
    """One caveat naming the compared periods that rest on counts spread from tallies."""
    comb = data.extras.get("combined")
    if comb is None:
        return []
    d = comb.daily
    tally_days = pd.DatetimeIndex(d.loc[d["source"] == "tallies", "day"])
    parts, seen = [], set()
    for c in result.comparisons:
        for p in (c.first, c.second):
            if p.name in seen:
                continue
            seen.add(p.name)
            n = int((p.end - p.start).days)
            k = int(((tally_days >= p.start) & (tally_days < p.end)).sum())
            if k:
                parts.append(f"{p.name.replace('_', ' ')} {k} of {n} days")
    if not parts:
        return []
    return ["Days of the compared periods that rest on tally totals spread by rule rather than on dated "
            "events: " + "; ".join(parts) + ". The exact tests treat those counts as Poisson draws, so "
            "their p-values overstate the evidence; the NB2 rate ratios, which allow over-dispersion, "
            "are the ones to read where they are given."]


def _plain(result) -> dict:
    return {"numbers": result.numbers(), "notes": list(result.notes), "settings": result.settings,
            "comparisons": [{"name": c.name, "first": c.first.name, "second": c.second.name,
                             "alternative": c.alternative, "event": c.event, "until": c.until}
                            for c in result.comparisons]}


def _json_with_sentences(result, data) -> dict:
    return {**_plain(result), "sentences": result.sentences(noun=noun_of(data.spec), unit=unit_of(data.series))}


register(SectionType(key="compare", keys=KEYS, compute=compute, render=render,
                     to_json=_json_with_sentences, array=True, check=_check, spec_check=_spec_check,
                     doc="two periods, or before and after an event"))
