"""General text rules of curation: numbers, casualties, weapons, places and countries.

Each rule reads one free-text cell of a gathered file; none knows a data set. The rule
numbers refer to :mod:`analysis.curate`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Parsed", "attacks_in", "parse_projectiles", "parse_casualties", "weapon_kinds",
           "normalize_weapon", "split_places", "place_key", "build_gazetteer"]

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
    """Number of attacks when a projectiles text reads ``"N attacks"``, else None.

    Examples
    --------
    >>> attacks_in("3 attacks"), attacks_in("two rockets")
    (3, None)
    """
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
    """Weapon kinds named in a free-text weapon description.

    Examples
    --------
    >>> weapon_kinds("drone and rockets"), weapon_kinds("one-way attack UAV")
    (('drone', 'rocket'), ('drone',))
    """
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

    Examples
    --------
    >>> split_places("Al-Asad air base; Erbil air base")
    (['Al-Asad air base', 'Erbil air base'], [])
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
    """A loose key for matching place names ("Ain al-Assad" ~ "Al-Asad Airbase").

    Examples
    --------
    >>> place_key("Ain al-Assad"), place_key("Al-Asad Airbase")
    ('asad', 'asad')
    """
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

    Examples
    --------
    >>> build_gazetteer([{"location": "Erbil", "country": "Iraq"}, {"location": "al-Tanf", "country": "Syria"}])
    {'erbil': 'Iraq', 'tanf': 'Syria'}
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


