"""Curation of the bundled case study: from the verbatim raw files to the canonical tables.

``data/raw/`` holds verbatim copies of the gathered files; they are never rewritten.
:func:`build_all` reads them and writes the canonical tables of ``data/``:

``reports.csv``
    one row per report of one attack, canonical report columns
    (:data:`analysis.schema.REPORT_COLUMNS`, without ``date_start``/``date_end``, which
    the raw files never give) plus ``x_*`` columns that keep the raw text and the rules
    applied;
``reports_excluded.csv``
    the raw reports that cannot be curated, each with its reason and URL;
``tallies.csv``
    one row per (tally, region), canonical tally columns;
``events.csv``
    the events, canonical event columns.

Run ``python -m analysis.curate`` to rebuild the files; a test asserts that the
committed files equal what this module builds from ``data/raw``.

Rules for the clean report file (``incidents.csv``)
---------------------------------------------------
Column renames only: ``us_killed -> fatalities``, ``us_injured -> injuries``,
``claimed_by -> actor``, ``note -> notes``. Every value is kept verbatim.

Rules for the gathered report file (``incidents_extended_raw.csv``)
-------------------------------------------------------------------
Every curated row keeps its URL and, in ``x_raw_id``, the raw ``report_id``; the raw
texts of the curated columns stay in ``x_*_raw`` (also where an override of rule 9
changed the value) and the rules applied in ``x_curation``. No row is invented: a row
is only split when its own text says that it describes several attacks.

1. *Projectiles* (:func:`parse_projectiles`): an integer is kept; ``"N+"`` gives ``N``
   with ``x_projectiles_bound = at_least``; ``"N (comment)"`` gives ``N``; a sum of
   numbers (``"2 on base + 1 on nearby village"``) gives the sum; ``multiple``,
   ``several`` and anything else unreadable give NA.
2. *Several attacks in one row* (:func:`plan_parts`): ``"N attacks"`` in the projectiles
   column, or a location that lists several target places (separated by ``;`` or
   ``and``), means the row describes several attacks. It becomes rows ``<id>-1``,
   ``<id>-2``, ... When the number of places equals the number of attacks, each part
   gets its place (and its term of a ``"a + b"`` projectile text); otherwise each part
   keeps the whole location. ``"N attacks"`` says nothing about projectiles, so those
   parts get NA. A casualty figure for the whole row is given to the parts only when it
   is zero; otherwise the parts get NA (the row total stays in ``x_casualties_raw``).
   A part's weapon is NA when the row names several weapon kinds. Parts that share
   one place would look like reports of one attack and be merged back by
   deduplication, though their row says they are distinct: they get explicit
   ``incident_id`` values (:func:`_part_incident_ids`). Where the clean file gives
   explicit ids to the attacks of the same page and day, the parts take those ids in
   order (the parts are interchangeable); otherwise each part's id is its report id.
3. *Country*: a parenthetical is dropped (``"Syria (launched from Iraq)" -> Syria``,
   kept in the curation note). A row naming two countries is split by place only when
   every place is known, from the single-country rows of both report files, to lie in
   one of them (:func:`build_gazetteer`); otherwise the row is excluded, because every
   canonical report needs one country.
4. *Location*: segments naming a launch point (``"launch near ..."``, ``"rockets
   launched from ..."``) are not target places and are dropped (kept in the note).
5. *Casualties* (:func:`parse_casualties`): ``"3 killed; 34 wounded"`` gives
   fatalities 3, injuries 34; ``"none"``/``"none reported"``/``"no injuries"`` give 0
   and 0; parentheticals are breakdowns and are ignored (``"21 minor injuries (19
   TBI)"`` gives 21); ``"A + B injured"`` gives A + B; ``"at least N"`` gives N with
   ``x_injuries_bound = at_least``; ``"a / b"`` (conflicting figures in one report)
   gives the smaller, as a lower bound; ``several`` or ``a number`` give NA; clauses
   about Iraqi personnel or about damage are not US casualties; only the first injury
   figure is used (later ones such as "2 evacuated" are subsets). Injuries stated
   without deaths mean fatalities 0; a death not caused by the attack (cardiac arrest)
   is not counted as killed. ``"not stated"`` or blank give NA.
6. *Weapon* (:func:`normalize_weapon`): drone/UAV -> ``drone``; rocket/Katyusha
   -> ``rocket``; missile -> ``missile``; several kinds in one attack -> the kinds
   joined by ``+`` (``drone+rocket``: compatible with reports of either kind when
   reports are matched); ``unspecified`` or nothing recognisable -> NA.
7. *Actor*: ``claimed_by`` verbatim, except texts that say there was no claim (``"no
   claim"``), which give NA.
8. *Source*: the raw file has no outlet column, so ``source`` is the host name of the
   URL.
9. Row-specific decisions that no general rule covers are listed in
   :data:`REPORT_OVERRIDES`, each with its reason.

Rules for the tallies
---------------------
The wide raw rows (``total, iraq, syria, jordan``) become one row per non-empty count,
region ``all``/``Iraq``/``Syria``/``Jordan``, id ``<tally_id>-<region>``; the row's bound
applies to each of its parts. ``source`` is the counter whose series the tally belongs
to (:func:`counter_of`): reporter texts naming the Pentagon, DoD, US or defense
officials, CENTCOM, the NSC, Ryder or Singh become ``Pentagon``; the independent
trackers keep their names; other outlets whose count is not attributed are their own
counter. ``outlet`` keeps the raw reporter text. The undated tallies keep an empty
``as_of``, so that normalisation excludes them with the reason "no as_of date".
"""

from __future__ import annotations

import csv
import io
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from ._atomic import atomic_write_text
from .schema import InputError

__all__ = [
    "RAW_FILES",
    "OUTPUT_FILES",
    "REPORT_OUTPUT_COLUMNS",
    "EXCLUDED_COLUMNS",
    "TALLY_OUTPUT_COLUMNS",
    "EVENT_OUTPUT_COLUMNS",
    "REPORT_OVERRIDES",
    "COUNTER_OVERRIDES",
    "parse_projectiles",
    "parse_casualties",
    "normalize_weapon",
    "split_places",
    "place_key",
    "counter_of",
    "build_gazetteer",
    "plan_parts",
    "curate_reports",
    "curate_tallies",
    "curate_events",
    "build_tables",
    "build_all",
    "main",
]

#: Raw files (in ``data/raw``) and the header each must have.
RAW_FILES = {
    "incidents.csv": ("report_id", "incident_id", "date", "date_precision", "country",
                      "location", "weapon", "projectiles", "us_killed", "us_injured",
                      "claimed_by", "source", "source_url", "note"),
    "incidents_extended_raw.csv": ("report_id", "date", "date_precision", "country",
                                   "location", "weapon", "projectiles", "us_casualties",
                                   "claimed_by", "source_url", "note"),
    "tallies.csv": ("tally_id", "as_of", "since", "total", "iraq", "syria", "jordan",
                    "bound", "reporter", "source_url", "note"),
    "tallies_undated.csv": ("tally_id", "as_of", "since", "total", "iraq", "syria",
                            "jordan", "bound", "reporter", "source_url", "note"),
    "events.csv": ("event_id", "date", "end_date", "kind", "label", "source_url"),
}

REPORT_OUTPUT_COLUMNS = (
    "report_id", "incident_id", "date", "date_precision", "country", "location", "actor",
    "weapon", "projectiles", "fatalities", "injuries", "source", "source_url", "notes",
    "x_raw_file", "x_raw_id", "x_part", "x_projectiles_raw", "x_projectiles_bound",
    "x_casualties_raw", "x_injuries_bound", "x_weapon_raw", "x_country_raw",
    "x_location_raw", "x_curation",
)
EXCLUDED_COLUMNS = ("report_id", "file", "reason", "source_url")
TALLY_OUTPUT_COLUMNS = ("tally_id", "since", "as_of", "count", "bound", "region", "source",
                        "outlet", "source_url", "notes")
EVENT_OUTPUT_COLUMNS = RAW_FILES["events.csv"]

#: Canonical files written by :func:`build_all` (in ``data/``).
OUTPUT_FILES = ("reports.csv", "reports_excluded.csv", "tallies.csv", "events.csv")

#: Row-specific decisions on ``incidents_extended_raw.csv``: report_id -> (changes, reason).
REPORT_OVERRIDES: dict[str, tuple[dict, str]] = {
    "X015": ({"location": "Erbil"},
             "the raw location '(Erbil per other reports; location not in excerpt)' says "
             "the page gives no place and that other reports place the attack at Erbil"),
    "X058": ({"date_precision": "week"},
             "the raw note says the day is inferred from 'Monday' and to treat it as week "
             "precision if unsure"),
    "X059": ({"date_precision": "week"},
             "the raw note carries the same caveat on the date as X058"),
}

#: Tallies whose counter no rule on the reporter text can tell, with the reason.
COUNTER_OVERRIDES: dict[str, tuple[str, str]] = {
    "T26": ("Pentagon", "the Military Times figure carried by the Daily Caller is an older "
                        "Pentagon count (a stale figure, see SOURCES-NOTES)"),
    "T38": ("Pentagon", "the same 'over 158 as of Friday' figure that T39 attributes to "
                        "US officials via CNN"),
    "T46": ("Washington Examiner", "the 'more than 180' counts attacks in the Middle East, a "
                                   "wider definition than the Pentagon's Iraq/Syria count "
                                   "(SOURCES-NOTES: counts on other definitions run to 175-180+)"),
    "U04": ("Pentagon", "the 66 (32 Iraq / 34 Syria) that The Messenger carried is the "
                        "Pentagon figure also carried by Military Times (T26)"),
}


# ----------------------------------------------------------------------------- reading
def _read_raw(path: Path, name: str) -> list[dict]:
    """Read one raw file as strings; check its header and the uniqueness of its ids."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text ({exc.reason})", file=path) from None
    rows = list(csv.reader(io.StringIO(text, newline="")))
    if not rows:
        raise InputError("the file is empty", file=path)
    header = tuple(rows[0])
    want = RAW_FILES[name]
    if header != want:
        missing = [c for c in want if c not in header]
        extra = [c for c in header if c not in want]
        raise InputError(f"unexpected header: missing {missing}, unknown {extra}",
                         file=path, row=1, column=(missing or extra or [None])[0])
    out, seen = [], {}
    for i, r in enumerate(rows[1:], start=2):
        if len(r) != len(want):
            raise InputError(f"{len(r)} fields where the header has {len(want)}",
                             file=path, row=i)
        rec = dict(zip(want, (v.strip() for v in r)))
        key = rec[want[0]]
        if not key:
            raise InputError("empty id", file=path, row=i, column=want[0])
        if key in seen:
            raise InputError(f"duplicate id {key!r} (first on row {seen[key]})",
                             file=path, row=i, column=want[0])
        seen[key] = i
        rec["_row"] = i
        out.append(rec)
    return out


# --------------------------------------------------------------------- text parsers
_INT = re.compile(r"^(\d+)$")
_INT_PLUS = re.compile(r"^(\d+)\s*\+$")
_INT_COMMENT = re.compile(r"^(\d+)\s*\((.*)\)$")
_N_ATTACKS = re.compile(r"^(\d+)\s+attacks?$", re.I)
_VAGUE = re.compile(r"^(multiple|several|many|some|a number)\b", re.I)


def _top_level_split(text: str, sep: str) -> list[str]:
    """Split on ``sep`` outside parentheses."""
    parts, depth, cur = [], 0, []
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(depth - 1, 0)
        if ch == sep and depth == 0:
            parts.append("".join(cur).strip())
            cur = []
        else:
            cur.append(ch)
    parts.append("".join(cur).strip())
    return parts


@dataclass(frozen=True)
class Parsed:
    """A number read from free text: ``value`` (None = unknown), its ``bound``
    (``exact`` or ``at_least``; empty when nothing was stated) and a ``note``."""

    value: int | None
    bound: str = ""
    note: str = ""


def attacks_in(text: str) -> int | None:
    """Number of attacks when a projectiles text reads ``"N attacks"``, else None."""
    m = _N_ATTACKS.match(text.strip())
    return int(m.group(1)) if m else None


def parse_projectiles(text: str) -> Parsed:
    """Read a free-text projectile count (rule 1 of the module docstring).

    Examples
    --------
    >>> parse_projectiles("2+")
    Parsed(value=2, bound='at_least', note="projectiles: at least 2 (raw '2+')")
    >>> parse_projectiles("multiple").value is None
    True
    """
    t = text.strip()
    if not t:
        return Parsed(None)
    if _INT.match(t):
        return Parsed(int(t), "exact")
    if m := _INT_PLUS.match(t):
        n = int(m.group(1))
        return Parsed(n, "at_least", f"projectiles: at least {n} (raw {t!r})")
    if m := _INT_COMMENT.match(t):
        return Parsed(int(m.group(1)), "exact", f"projectiles: raw {t!r}")
    if _N_ATTACKS.match(t):
        return Parsed(None, "", f"projectiles: raw {t!r} counts attacks, not projectiles")
    if _VAGUE.match(t):
        return Parsed(None, "", f"projectiles: raw {t!r} gives no number")
    terms = _top_level_split(t, "+")
    if len(terms) > 1:
        nums = [re.match(r"^(\d+)\b", x) for x in terms]
        if all(nums):
            total = sum(int(m.group(1)) for m in nums)
            return Parsed(total, "exact", f"projectiles: sum of raw {t!r}")
    return Parsed(None, "", f"projectiles: raw {t!r} cannot be read as one number")


_DEATH = re.compile(r"(\d+)\s+(?:[a-z-]+\s+){0,3}?(?:killed|dead)\b")
_ZERO = re.compile(r"^(?:none(?: reported)?|(?:initially )?no (?:injuries|casualties)(?: reported)?)$")
_VAGUE_CAS = re.compile(r"\b(several|a number|some|multiple)\b")
_NON_US = re.compile(r"\b(iraqi|syrian|jordanian)\b")
_SUBSET = re.compile(r"\b(evacuated|returned to duty|medevac)")
_INJ_TERM = re.compile(r"^(at least\s+)?(\d+)\b")


def parse_casualties(text: str) -> tuple[Parsed, Parsed]:
    """Read a free-text US casualty statement into ``(fatalities, injuries)``.

    Rule 5 of the module docstring.

    Examples
    --------
    >>> f, i = parse_casualties("3 killed; 34 wounded")
    >>> f.value, i.value
    (3, 34)
    >>> parse_casualties("21 minor injuries (19 TBI)")[1].value
    21
    >>> [p.value for p in parse_casualties("none")]
    [0, 0]
    """
    t = text.strip()
    low = t.lower()
    if not t or low in ("not stated", "unknown", "n/a"):
        return Parsed(None), Parsed(None)
    body = re.sub(r"\([^)]*\)", " ", low)
    body = re.sub(r"\s+", " ", body)
    clauses = [c.strip() for c in body.split(";") if c.strip()]
    fat: Parsed | None = None
    inj: Parsed | None = None
    notes: list[str] = []
    stated = False
    for c in clauses:
        if _NON_US.search(c):
            notes.append(f"clause {c!r} is not about US casualties")
            continue
        if _ZERO.match(c):
            stated = True
            if inj is None:
                inj = Parsed(0, "exact")
            continue
        if m := _DEATH.search(c):
            fat = Parsed(int(m.group(1)), "exact")
            stated = True
            c = (c[:m.start()] + c[m.end():]).strip(" ,")
            if not c:
                continue
        if re.search(r"\bdied\b|\bdeath\b", c):
            notes.append(f"{c!r}: a death not caused by the attack is not counted as killed")
            continue
        if inj is not None:
            if re.search(r"\d", c):
                notes.append(f"later figure {c!r} not added to the injuries")
            continue
        if _SUBSET.search(c) and not re.search(r"injur|wound", c):
            notes.append(f"{c!r} is a subset of the injured")
            continue
        alts = [a.strip() for a in re.split(r"\s/\s", c) if a.strip()]
        values, lower = [], False
        for a in alts:
            terms = [x.strip() for x in a.split("+")]
            ms = [_INJ_TERM.match(x) for x in terms]
            if all(ms):
                values.append(sum(int(m.group(2)) for m in ms))
                lower = lower or any(m.group(1) for m in ms)
        if values and len(values) == len(alts):
            stated = True
            if len(values) > 1:
                notes.append(f"conflicting injury figures {values} in one report; the "
                             "smallest kept as a lower bound")
                lower = True
            elif lower:
                notes.append(f"injuries: at least {values[0]}, a lower bound")
            inj = Parsed(min(values), "at_least" if lower else "exact")
        elif _VAGUE_CAS.search(c):
            stated = True
            inj = Parsed(None, "", f"injuries: {c!r} gives no number")
        elif re.search(r"injur|wound|hurt|concussion|tbi|casualt", c):
            stated = True
            inj = Parsed(None, "", f"injuries: {c!r} cannot be read as one number")
    if inj is not None and inj.note:
        notes.append(inj.note)
    note = "; ".join(notes)
    if not stated:
        return Parsed(None, "", note), Parsed(None, "", note)
    if fat is None:
        fat = Parsed(0, "exact")
    if inj is None:
        inj = Parsed(0, "exact")
    return (Parsed(fat.value, fat.bound, note),
            Parsed(inj.value, inj.bound, note))


_KINDS = (
    ("drone", re.compile(r"drone|uav")),
    ("rocket", re.compile(r"rocket|katyusha")),
    ("missile", re.compile(r"missile|crbm")),
)


def weapon_kinds(text: str) -> tuple[str, ...]:
    """Weapon kinds named in a free-text weapon description."""
    low = text.lower()
    if "unspecified" in low:
        return ()
    return tuple(k for k, pat in _KINDS if pat.search(low))


def normalize_weapon(text: str) -> str | None:
    """``drone``, ``rocket``, ``missile``, several joined by ``+``, or None (rule 6).

    Examples
    --------
    >>> normalize_weapon("one-way attack drones"), normalize_weapon("Katyusha rockets")
    ('drone', 'rocket')
    >>> normalize_weapon("ballistic missiles and rockets")
    'rocket+missile'
    """
    kinds = weapon_kinds(text)
    if not kinds:
        return None
    return "+".join(kinds)


def split_places(location: str) -> tuple[list[str], list[str]]:
    """Target places listed in a location text, and the launch-point segments dropped.

    Places are separated by ``;`` or ``and``; a segment (also after ``" - "``) that
    mentions a launch is a launch point, not a target.
    """
    places, dropped = [], []
    for seg in re.split(r";|\band\b", location):
        seg = seg.strip()
        if not seg:
            continue
        head, *tails = re.split(r"\s+-\s+", seg)
        for tail in tails:
            dropped.append(tail.strip())
        if re.search(r"\blaunch", head, re.I):
            dropped.append(head)
            continue
        places.append(head.strip())
    return places, dropped


_PLACE_STOP = {"al", "ain", "air", "airbase", "airport", "base", "mss", "mission", "support",
               "site", "garrison", "landing", "zone", "coalition", "near", "the", "us"}


def place_key(name: str) -> str:
    """A loose key for matching place names ("Ain al-Assad" ~ "Al-Asad Airbase")."""
    s = re.sub(r"\([^)]*\)", " ", name.lower())
    s = re.sub(r"[^a-z ]+", " ", s)
    words = [w for w in s.split() if w not in _PLACE_STOP]
    key = " ".join(words)
    return re.sub(r"(.)\1+", r"\1", key)


def _countries(text: str) -> tuple[list[str], str]:
    paren = " ".join(re.findall(r"\(([^)]*)\)", text))
    bare = re.sub(r"\([^)]*\)", " ", text).strip()
    return [c.strip() for c in re.split(r"\band\b", bare) if c.strip()], paren


def build_gazetteer(rows: list[dict]) -> dict[str, str]:
    """Place key -> country, from rows that name exactly one country.

    Keys seen with more than one country are left out.
    """
    seen: dict[str, set[str]] = {}
    for r in rows:
        countries, _ = _countries(r["country"])
        if len(countries) != 1:
            continue
        for p in split_places(r["location"])[0]:
            k = place_key(p)
            if k:
                seen.setdefault(k, set()).add(countries[0])
    return {k: next(iter(v)) for k, v in seen.items() if len(v) == 1}


# --------------------------------------------------------------------------- tallies
_VIA = re.compile(r"\(\s*via [^)]*\)|\bvia\b[^()]*|\bas reported by\b.*$", re.I)
_TRACKERS = (
    ("Washington Institute Militia Monitor", re.compile(r"washington institute", re.I)),
    ("GTTAC", re.compile(r"\bgttac\b", re.I)),
    ("Islamic Resistance in Iraq claims", re.compile(r"islamic resistance in iraq", re.I)),
    ("Antiwar.com", re.compile(r"antiwar\.com", re.I)),
)
_OFFICIAL = re.compile(
    r"pentagon|\bdod\b|defen[cs]e officials?|\bus (?:military )?officials?\b|centcom|"
    r"\bnsc\b|\bryder\b|\bsingh\b", re.I)


def counter_of(reporter: str, tally_id: str = "") -> tuple[str, str]:
    """The counter whose series a tally belongs to, and the rule that said so.

    The part of the reporter text that names a carrier (``via ...``, ``as reported
    by ...``) is ignored. Named independent trackers come first (``"Antiwar.com tally
    (Pentagon-based)"`` is Antiwar.com's own count), then official sources (Pentagon);
    otherwise the outlet is its own counter.

    Examples
    --------
    >>> counter_of("Sabrina Singh (via CNN)")[0]
    'Pentagon'
    >>> counter_of("GTTAC (non-official tracker)")[0]
    'GTTAC'
    """
    if tally_id in COUNTER_OVERRIDES:
        name, why = COUNTER_OVERRIDES[tally_id]
        return name, f"override: {why}"
    speaker = _VIA.sub(" ", reporter).strip()
    for name, pat in _TRACKERS:
        if pat.search(speaker):
            return name, "independent tracker"
    if _OFFICIAL.search(speaker):
        return "Pentagon", "official US source"
    own = speaker.split("(")[0].strip(" ,") or reporter
    return own, "unattributed outlet: its own counter"


def curate_tallies(rows: list[dict], *, file: str) -> list[dict]:
    """Wide raw tally rows -> long canonical rows (one per region with a count)."""
    out = []
    for r in rows:
        counter, _why = counter_of(r["reporter"], r["tally_id"])
        for col, region in (("total", "all"), ("iraq", "Iraq"), ("syria", "Syria"),
                            ("jordan", "Jordan")):
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
        if r["total"] == "":
            raise InputError("a tally needs a total", file=file, row=r["_row"], column="total")
    return out


# --------------------------------------------------------------------------- reports
def _clean_report(r: dict) -> dict:
    return {
        "report_id": r["report_id"], "incident_id": r["incident_id"], "date": r["date"],
        "date_precision": r["date_precision"], "country": r["country"],
        "location": r["location"], "actor": r["claimed_by"], "weapon": r["weapon"],
        "projectiles": r["projectiles"], "fatalities": r["us_killed"],
        "injuries": r["us_injured"], "source": r["source"], "source_url": r["source_url"],
        "notes": r["note"], "x_raw_file": "incidents.csv", "x_raw_id": r["report_id"],
        "x_curation": "verbatim; columns renamed",
    }


@dataclass(frozen=True)
class Part:
    """One canonical row planned from a raw row."""

    location: str
    country: str | None
    projectiles: Parsed
    weapon: str | None
    notes: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Plan:
    """How one raw row is curated: its parts, or the reason it is excluded."""

    parts: tuple[Part, ...] = ()
    excluded: str = ""
    notes: tuple[str, ...] = ()


def plan_parts(r: dict, gazetteer: dict[str, str]) -> Plan:
    """Decide how many attacks a raw row describes and what each part gets (rules 1-4, 6)."""
    notes: list[str] = []
    location = r["location"]
    places, dropped = split_places(location)
    if dropped:
        notes.append("launch point(s) " + "; ".join(repr(d) for d in dropped)
                     + " dropped from the location")
    countries, paren = _countries(r["country"])
    if paren:
        notes.append(f"country: raw {r['country']!r}")
    n_attacks = attacks_in(r["projectiles"])
    if n_attacks is not None:
        k = n_attacks
        notes.append(f"the row describes {k} attacks (projectiles {r['projectiles']!r})")
    elif len(places) > 1:
        k = len(places)
        notes.append(f"the row describes {k} attacks at {k} places")
    else:
        k = 1
    per_place = len(places) == k and k > 1
    if k == 1 or not per_place:
        part_locations = [" and ".join(places) if dropped else location] * k
    else:
        part_locations = places
    # country of each part
    if len(countries) == 1:
        part_countries = [countries[0]] * k
    else:
        part_countries = [gazetteer.get(place_key(p)) for p in part_locations]
        if not per_place or any(c not in countries for c in part_countries):
            return Plan(excluded=(
                f"country {r['country']!r} names {len(countries)} countries and the location "
                f"{location!r} does not say in which each of its {k} attack(s) took place; "
                "every canonical report needs one country"))
        notes.append("country of each place taken from the single-country rows of the "
                     "report files")
    # projectiles of each part
    if k == 1:
        proj = [parse_projectiles(r["projectiles"])]
    elif n_attacks is not None:
        proj = [Parsed(None, "", f"projectiles: raw {r['projectiles']!r} counts attacks")] * k
    else:
        terms = _top_level_split(r["projectiles"], "+")
        if len(terms) == k:
            proj = [parse_projectiles(t) for t in terms]
        else:
            proj = [Parsed(None, "", f"projectiles: raw {r['projectiles']!r} is the total "
                                     f"of all {k} attacks")] * k
    # weapon of each part
    kinds = weapon_kinds(r["weapon"])
    if k > 1 and len(kinds) > 1:
        weapon = None
        notes.append(f"weapon: the row names {'/'.join(kinds)} without saying which attack "
                     "used which")
    else:
        weapon = normalize_weapon(r["weapon"])
    parts = tuple(Part(location=loc, country=c, projectiles=p, weapon=weapon)
                  for loc, c, p in zip(part_locations, part_countries, proj))
    return Plan(parts=parts, notes=tuple(notes))


def _part_incident_ids(r: dict, k: int, clean: list[dict]) -> list[str]:
    """Explicit incident ids for the ``k`` same-place parts of raw row ``r``."""
    ids = sorted({c["incident_id"] for c in clean
                  if c["incident_id"] and c["source_url"] == r["source_url"]
                  and c["date"] == r["date"]})
    if len(ids) == k:
        return ids
    return [f"{r['report_id']}-{i}" for i in range(1, k + 1)]


def _host(url: str) -> str:
    host = urlsplit(url).hostname or ""
    return host[4:] if host.startswith("www.") else host


def _num(p: Parsed) -> str:
    return "" if p.value is None else str(p.value)


def curate_reports(clean: list[dict], extended: list[dict], *,
                   file: str = "incidents_extended_raw.csv") -> tuple[list[dict], list[dict]]:
    """Canonical report rows and exclusions from the two raw report files."""
    out = [_clean_report(r) for r in clean]
    excluded = []
    gaz = build_gazetteer(
        [{"country": r["country"], "location": r["location"]} for r in clean + extended])
    for raw_r in extended:
        r = dict(raw_r)  # the curated values; raw_r keeps the raw text for the x_*_raw columns
        override_note = ""
        if r["report_id"] in REPORT_OVERRIDES:
            changes, why = REPORT_OVERRIDES[r["report_id"]]
            r.update(changes)
            override_note = f"override {changes}: {why}"
        plan = plan_parts(r, gaz)
        if plan.excluded:
            excluded.append({"report_id": r["report_id"], "file": file,
                             "reason": plan.excluded, "source_url": r["source_url"]})
            continue
        fat, inj = parse_casualties(r["us_casualties"])
        k = len(plan.parts)
        cas_notes = [fat.note] if fat.note else []
        if k > 1:
            shares = []
            for label, p in (("fatalities", fat), ("injuries", inj)):
                if p.value not in (None, 0):
                    cas_notes.append(f"{label}: the row total {p.value} covers all {k} attacks")
                    p = Parsed(None)
                shares.append(p)
            fat, inj = shares
        actor = r["claimed_by"]
        actor_note = ""
        if re.match(r"^no\b", actor, re.I):
            actor_note = f"actor: raw {actor!r} says there was no claim"
            actor = ""
        incident_ids = [""] * k
        id_note = ""
        if k > 1 and len({p.location for p in plan.parts}) == 1:
            incident_ids = _part_incident_ids(r, k, clean)
            id_note = ("the parts share one place but the row says they are distinct "
                       "attacks: explicit incident ids " + ", ".join(incident_ids))
        for i, part in enumerate(plan.parts, start=1):
            notes = list(plan.notes) + list(part.notes)
            if id_note:
                notes.append(id_note)
            if part.projectiles.note:
                notes.append(part.projectiles.note)
            notes += cas_notes
            if actor_note:
                notes.append(actor_note)
            if override_note:
                notes.append(override_note)
            if k > 1:
                rid = f"{r['report_id']}-{i}"
                text = f"part {i} of {k} of report {r['report_id']}"
                row_note = f"{text}: {r['note']}" if r["note"] else text
            else:
                rid = r["report_id"]
                row_note = r["note"]
            out.append({
                "report_id": rid, "incident_id": incident_ids[i - 1], "date": r["date"],
                "date_precision": r["date_precision"], "country": part.country,
                "location": part.location, "actor": actor, "weapon": part.weapon or "",
                "projectiles": _num(part.projectiles), "fatalities": _num(fat),
                "injuries": _num(inj), "source": _host(r["source_url"]),
                "source_url": r["source_url"], "notes": row_note,
                "x_raw_file": file, "x_raw_id": r["report_id"],
                "x_part": f"{i} of {k}" if k > 1 else "",
                "x_projectiles_raw": raw_r["projectiles"],
                "x_projectiles_bound": part.projectiles.bound,
                "x_casualties_raw": raw_r["us_casualties"], "x_injuries_bound": inj.bound,
                "x_weapon_raw": raw_r["weapon"], "x_country_raw": raw_r["country"],
                "x_location_raw": raw_r["location"], "x_curation": "; ".join(notes),
            })
    ids = [r["report_id"] for r in out]
    dup = sorted({i for i in ids if ids.count(i) > 1})
    if dup:
        raise InputError(f"curated report ids are not unique: {dup}", file=file)
    return out, excluded


def curate_events(rows: list[dict]) -> list[dict]:
    """Events are already canonical: copied column by column."""
    return [{c: r[c] for c in EVENT_OUTPUT_COLUMNS} for r in rows]


# ---------------------------------------------------------------------------- build
def build_tables(raw_dir) -> dict[str, tuple[tuple[str, ...], list[dict]]]:
    """All canonical tables built from ``raw_dir``: name -> (columns, rows). Writes nothing."""
    raw_dir = Path(raw_dir)
    raw = {name: _read_raw(raw_dir / name, name) for name in RAW_FILES}
    reports, excluded = curate_reports(raw["incidents.csv"], raw["incidents_extended_raw.csv"])
    tallies = (curate_tallies(raw["tallies.csv"], file="tallies.csv")
               + curate_tallies(raw["tallies_undated.csv"], file="tallies_undated.csv"))
    return {
        "reports.csv": (REPORT_OUTPUT_COLUMNS, reports),
        "reports_excluded.csv": (EXCLUDED_COLUMNS, excluded),
        "tallies.csv": (TALLY_OUTPUT_COLUMNS, tallies),
        "events.csv": (EVENT_OUTPUT_COLUMNS, curate_events(raw["events.csv"])),
    }


def render_csv(columns, rows) -> str:
    """CSV text with ``\\n`` line ends and minimal quoting (byte-stable)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(columns)
    for r in rows:
        w.writerow(["" if r.get(c) is None else str(r.get(c, "")) for c in columns])
    return buf.getvalue()


def build_all(raw_dir, out_dir) -> dict[str, Path]:
    """Build every canonical table from ``raw_dir`` and write it into ``out_dir``.

    Parameters
    ----------
    raw_dir : path
        Folder with the verbatim raw files (:data:`RAW_FILES`); only read.
    out_dir : path
        Folder that receives :data:`OUTPUT_FILES`; it must not be ``raw_dir``.

    Returns
    -------
    dict
        File name -> path written.

    Raises
    ------
    ValueError
        ``out_dir`` is ``raw_dir``.
    InputError
        A raw file with a wrong header, a duplicate or empty id, a row with the wrong
        number of fields, a count that is not a whole number (file, row and column named).

    Examples
    --------
    >>> import tempfile
    >>> from analysis.datasets import data_path
    >>> with tempfile.TemporaryDirectory() as out:
    ...     written = build_all(data_path() / "raw", out)
    ...     sorted(written) == sorted(OUTPUT_FILES)
    True
    """
    raw_dir, out_dir = Path(raw_dir), Path(out_dir)
    if raw_dir.resolve() == out_dir.resolve():
        raise ValueError("out_dir must differ from raw_dir: raw files are never rewritten")
    tables = build_tables(raw_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = {}
    for name, (cols, rows) in tables.items():
        path = out_dir / name
        atomic_write_text(path, render_csv(cols, rows))  # complete or not at all
        written[name] = path
    return written


def main(argv=None) -> int:
    """``python -m analysis.curate [RAW_DIR [OUT_DIR]]``: rebuild ``data/*.csv``."""
    import argparse

    root = Path(__file__).resolve().parents[1] / "data"
    p = argparse.ArgumentParser(prog="python -m analysis.curate",
                                description="Rebuild the canonical case-study tables.")
    p.add_argument("raw_dir", nargs="?", default=str(root / "raw"))
    p.add_argument("out_dir", nargs="?", default=str(root))
    args = p.parse_args(argv)
    try:
        written = build_all(args.raw_dir, args.out_dir)
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for name, path in written.items():
        n = path.read_text(encoding="utf-8").count("\n") - 1
        print(f"{path}: {n} rows")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
