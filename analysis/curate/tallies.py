"""Gathered tallies -> canonical tally rows, with the counter of each tally named by rules."""

from __future__ import annotations

import re

from ..schema import InputError
from .rules import CurationRules
from .text import _INT

__all__ = ["counter_of", "curate_tallies"]

#: The part of a reporter text that names a carrier, not the speaker ("(via CNN)").
_VIA = re.compile(r"\(\s*via [^)]*\)|\bvia\b[^()]*|\bas reported by\b.*$", re.I)


def counter_of(reporter: str, tally_id: str = "", *, rules: CurationRules | None = None) -> tuple[str, str]:
    """The counter whose series a tally belongs to, and the rule that said so.

    The part of the reporter text that names a carrier (``via ...``, ``as reported
    by ...``) is ignored. An override of ``tally_id`` in ``rules`` comes first, then
    the named independent trackers (a tracker's tally that cites the official count is
    still the tracker's own), then the official counter; otherwise the outlet is its
    own counter.

    Examples
    --------
    >>> import re
    >>> rules = CurationRules(trackers=(("GTTAC", re.compile("gttac", re.I)),),
    ...                       official=("Ministry", re.compile("ministry|spokesman", re.I)))
    >>> counter_of("the spokesman (via CNN)", rules=rules)[0]
    'Ministry'
    >>> counter_of("GTTAC (non-official tracker)", rules=rules)[0]
    'GTTAC'
    >>> counter_of("Daily Planet (citing officials)")[0]
    'Daily Planet'
    """
    rules = rules or CurationRules()
    if tally_id in rules.counter_overrides:
        name, why = rules.counter_overrides[tally_id]
        return name, f"override: {why}"
    speaker = _VIA.sub(" ", reporter).strip()
    for name, pat in rules.trackers:
        if pat.search(speaker):
            return name, "independent tracker"
    if rules.official is not None and rules.official[1].search(speaker):
        return rules.official[0], "official source"
    own = speaker.split("(")[0].strip(" ,") or reporter
    return own, "unattributed outlet: its own counter"


def curate_tallies(rows: list[dict], *, file: str, rules: CurationRules | None = None) -> list[dict]:
    """Wide gathered tally rows -> long canonical rows (one per region with a count).

    Each row has ``tally_id, as_of, since, bound, reporter, source_url, note`` and one
    count column per region of ``rules.tally_regions`` (the first, the total, is
    required). Ids become ``<tally_id>-<region>``; ``source`` is :func:`counter_of`.

    Examples
    --------
    >>> from analysis.curate import build_gazetteer, load_rules, read_gathered
    >>> from analysis.datasets import data_path
    >>> raw = data_path() / "raw"
    >>> import csv
    >>> with open(raw / "tallies.csv", encoding="utf-8") as fh:
    ...     rows = list(csv.DictReader(fh))
    >>> out = curate_tallies(rows, file="tallies.csv")
    >>> sorted(out[0])
    ['as_of', 'bound', 'count', 'notes', 'outlet', 'region', 'since', 'source', 'source_url', 'tally_id']
    """
    rules = rules or CurationRules()
    out = []
    for r in rows:
        counter, _why = counter_of(r["reporter"], r["tally_id"], rules=rules)
        for col, region in rules.tally_regions:
            v = r[col]
            if v == "":
                continue
            if not _INT.match(v):
                raise InputError(f"count {v!r} is not a whole number", file=file,
                                 row=r["_row"], column=col)
            out.append({
                "tally_id": f"{r['tally_id']}-{region.lower()}",
                "since": r["since"], "as_of": r["as_of"], "count": v,
                "bound": r["bound"] or "exact", "region": region, "source": counter,
                "outlet": r["reporter"], "source_url": r["source_url"], "notes": r["note"],
            })
        total = rules.tally_regions[0][0]
        if r[total] == "":
            raise InputError("a tally needs a total", file=file, row=r["_row"], column=total)
    return out


