"""The gazetteer: place names in news text -> a canonical place and its country.

Built from two sources, both carrying a source URL for every name:

* ``places.csv`` bundled with this package (columns ``place, alias, country, kind,
  source_url``): the bases, cities and provinces of the case study with the spellings
  news uses for them (Ain al-Asad / Ain al-Assad / Al-Asad, Erbil / Irbil, ...). Its
  ``source_url`` is a bundled report that names the place;
* the ``location`` column of the bundled case-study reports (``data/reports.csv``):
  every spelling there that contains a known alias becomes an alias too.

Users extend it with files of the same columns (``Gazetteer.load(extra=[...])``,
``incident-trends extract --places FILE``). Matching ignores case, the kind of hyphen
or apostrophe and runs of spaces; the longest alias wins where two overlap.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from ..schema import InputError

__all__ = ["Place", "PlaceMatch", "Gazetteer", "COUNTRIES"]

_HERE = Path(__file__).resolve().parent
_COLUMNS = ("place", "alias", "country", "kind", "source_url")
_KINDS = ("base", "city", "province")

#: Country names and the adjectives that name a place in them (only before a place
#: noun such as "territory" or "desert": "Iraqi officials" names no place).
COUNTRIES = {"Iraq": ("Iraqi",), "Syria": ("Syrian",), "Jordan": ("Jordanian",)}


@dataclass(frozen=True)
class Place:
    """A canonical place: name, country, kind (base, city, province) and a source URL."""

    name: str
    country: str
    kind: str
    source_url: str


@dataclass(frozen=True)
class PlaceMatch:
    """A place found in a text: the place and the characters ``[start, end)`` naming it."""

    place: Place
    start: int
    end: int


def _fold(s: str) -> str:
    s = s.replace("\u2019", "'").replace("\u2018", "'").replace("\u2011", "-").replace("\u2010", "-")
    return re.sub(r"\s+", " ", s).strip().lower()


def _alias_pattern(alias: str) -> str:
    parts = re.split(r"[\s\-']+", _fold(alias))
    return r"[\s\-\u2010\u2011'\u2019]*".join(re.escape(p) for p in parts if p)


class Gazetteer:
    """Alias -> :class:`Place` lookup with span-aware matching.

    Examples
    --------
    >>> g = Gazetteer.load()
    >>> [(m.place.name, m.place.country) for m in g.find("Four rockets fell near the Ain al-Assad base")]
    [('Ain al-Asad', 'Iraq')]
    >>> g.find("drones hit Tower 22 in Jordan")[0].place.name
    'Tower 22'
    """

    def __init__(self, entries: dict[str, Place]):
        self.entries = dict(entries)
        aliases = sorted(self.entries, key=len, reverse=True)
        self._index = {a: self.entries[a] for a in aliases}
        self._rx = re.compile(r"(?<![\w])(" + "|".join(_alias_pattern(a) for a in aliases) + r")(?![\w])",
                              re.IGNORECASE) if aliases else None
        self._folded = {re.sub(r"[\s\-']+", "", a): p for a, p in self._index.items()}

    # ------------------------------------------------------------------ building
    @classmethod
    def load(cls, extra=(), *, bundled: bool = True, data_reports: bool = True) -> "Gazetteer":
        """The bundled gazetteer, extended with the case-study locations and ``extra`` files.

        Parameters
        ----------
        extra : sequence of path
            CSV files with columns ``place, alias, country, kind, source_url`` (``kind``
            and ``source_url`` may be blank). Later files override earlier ones.
        bundled : bool
            Start from the bundled ``places.csv``.
        data_reports : bool
            Add the spellings of the bundled ``data/reports.csv`` locations.
        """
        entries: dict[str, Place] = {}
        files = ([_HERE / "places.csv"] if bundled else []) + [Path(p) for p in extra]
        for f in files:
            entries.update(_read_places(f))
        g = cls(entries)
        if data_reports:
            from ..datasets import data_path
            path = data_path("reports.csv")
            if path.exists():
                added = {}
                with open(path, newline="", encoding="utf-8") as fh:
                    for row in csv.DictReader(fh):
                        loc = re.sub(r"\s*\(.*?\)\s*", " ", row.get("location") or "").strip()
                        if not loc or _fold(loc) in entries:
                            continue
                        hits = g.find(loc)
                        if len(hits) == 1 and hits[0].place.country == row.get("country"):
                            p = hits[0].place
                            added[_fold(loc)] = Place(p.name, p.country, p.kind, row.get("source_url") or p.source_url)
                for k, v in added.items():
                    entries.setdefault(k, v)
                g = cls(entries)
        return g

    # ------------------------------------------------------------------ lookup
    def find(self, text: str) -> list[PlaceMatch]:
        """Every place named in ``text``, in order, longest alias first where they overlap."""
        if self._rx is None:
            return []
        out = []
        for m in self._rx.finditer(text):
            key = re.sub(r"[\s\-\u2010\u2011'\u2019]+", "", m.group(0).lower())
            place = self._folded.get(key)
            if place is not None:
                out.append(PlaceMatch(place, m.start(), m.end()))
        return out

    def __len__(self) -> int:
        return len(self.entries)

    def __repr__(self) -> str:
        n = len({p.name for p in self.entries.values()})
        return f"Gazetteer({n} places, {len(self.entries)} aliases)"


def _read_places(path: Path) -> dict[str, Place]:
    out = {}
    with open(path, newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in ("place", "alias", "country") if c not in (reader.fieldnames or [])]
        if missing:
            raise InputError(f"missing column(s) {', '.join(missing)}; expected {', '.join(_COLUMNS)}",
                             file=path, row=1)
        for i, row in enumerate(reader, start=2):
            for c in ("place", "alias", "country"):
                if not (row.get(c) or "").strip():
                    raise InputError(f"blank {c}", file=path, row=i, column=c)
            kind = (row.get("kind") or "base").strip() or "base"
            if kind not in _KINDS:
                raise InputError(f"kind {kind!r} is not one of {', '.join(_KINDS)}", file=path, row=i,
                                 column="kind")
            out[_fold(row["alias"])] = Place(row["place"].strip(), row["country"].strip(), kind,
                                             (row.get("source_url") or "").strip())
    return out
