"""What curation needs to know about one collection: overrides, counters, regions.

The general rules (:mod:`analysis.curate.text`, :mod:`~analysis.curate.reports`,
:mod:`~analysis.curate.tallies`) know no data set. What is specific to a collection
lives in a TOML file next to its raw data (``data/curation.toml`` for the bundled one),
read by :func:`load_rules`::

    [counters.official]                 # reporter texts that name the official counter
    name = "Ministry"
    pattern = 'ministry|\\bspokes(wo)?man\\b'

    [[counters.trackers]]               # independent trackers, checked first
    name = "Some tracker"
    pattern = 'some tracker'

    [tally_regions]                     # wide tally columns -> region, in order
    total = "all"
    north = "North"

    [report_overrides.X015]             # row decisions no rule covers, each with its reason
    changes = {location = "Erbil"}
    reason = "the page gives no place; other reports place the attack at Erbil"

    [counter_overrides.T26]
    counter = "Ministry"
    reason = "an older ministry figure carried by another outlet"
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from ..schema import InputError

__all__ = ["CurationRules", "load_rules"]


@dataclass(frozen=True)
class CurationRules:
    """The collection-specific part of curation (the default knows nothing and overrides nothing).

    Attributes
    ----------
    report_overrides : dict
        ``report_id -> (changes, reason)``: values set on a gathered row before the rules run.
    counter_overrides : dict
        ``tally_id -> (counter, reason)``.
    trackers : tuple of (str, re.Pattern)
        Independent trackers: a reporter text matching the pattern is that tracker's count.
    official : tuple of (str, re.Pattern), optional
        The official counter and the reporter texts that name it.
    tally_regions : tuple of (str, str)
        Wide tally columns and their regions (the first is the total, region ``all``).
    """

    report_overrides: dict = field(default_factory=dict)
    counter_overrides: dict = field(default_factory=dict)
    trackers: tuple = ()
    official: tuple | None = None
    tally_regions: tuple = (("total", "all"),)


def _pattern(value, file, key):
    try:
        return re.compile(value, re.I)
    except (re.error, TypeError) as exc:
        raise InputError(f"not a regular expression: {exc}", file=file, column=key) from None


def load_rules(path) -> CurationRules:
    """Read a collection's curation rules (TOML, see the module docstring).

    Raises
    ------
    InputError
        A file that is not TOML, an unknown table, a pattern that is not a regular
        expression, an override without its reason (file and key named).

    Examples
    --------
    >>> from analysis.datasets import data_path
    >>> rules = load_rules(data_path("curation.toml"))
    >>> type(rules).__name__
    'CurationRules'
    """
    path = Path(path)
    file = str(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError("curation rules not found", file=file) from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"not valid TOML: {exc}", file=file) from None
    unknown = sorted(set(raw) - {"counters", "tally_regions", "report_overrides", "counter_overrides"})
    if unknown:
        raise InputError(f"unknown table(s) {unknown}; allowed: counters, tally_regions, "
                         "report_overrides, counter_overrides", file=file, column=unknown[0])
    counters = raw.get("counters", {})
    trackers = tuple((t["name"], _pattern(t["pattern"], file, f"counters.trackers[{i}].pattern"))
                     for i, t in enumerate(counters.get("trackers", [])))
    off = counters.get("official")
    official = (off["name"], _pattern(off["pattern"], file, "counters.official.pattern")) if off else None
    rep, cnt = {}, {}
    for rid, o in raw.get("report_overrides", {}).items():
        if not o.get("reason") or not isinstance(o.get("changes"), dict):
            raise InputError("an override needs changes (a table) and its reason", file=file,
                             column=f"report_overrides.{rid}")
        rep[rid] = (dict(o["changes"]), o["reason"])
    for tid, o in raw.get("counter_overrides", {}).items():
        if not o.get("reason") or not o.get("counter"):
            raise InputError("an override needs counter and its reason", file=file,
                             column=f"counter_overrides.{tid}")
        cnt[tid] = (o["counter"], o["reason"])
    regions = tuple(raw.get("tally_regions", {"total": "all"}).items())
    return CurationRules(report_overrides=rep, counter_overrides=cnt, trackers=trackers,
                         official=official, tally_regions=regions)
