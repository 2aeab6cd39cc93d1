"""Gathered report rows -> canonical report rows: rows split by the attacks they describe,
countries checked against a gazetteer, casualties, weapons and places read by the text rules."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from ..schema import InputError
from .rules import CurationRules
from .text import (Parsed, _countries, _top_level_split, attacks_in, build_gazetteer, normalize_weapon,
                   parse_casualties, parse_projectiles, place_key, split_places, weapon_kinds)

__all__ = ["GATHERED_COLUMNS", "Part", "Plan", "plan_parts", "curate_gathered", "read_gathered",
           "check_unique_ids"]

# --------------------------------------------------------------------------- reports
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
    """Decide how many attacks a raw row describes and what each part gets (rules 1-4, 6).

    Examples
    --------
    >>> from analysis.curate import build_gazetteer, load_rules, read_gathered
    >>> from analysis.datasets import data_path
    >>> raw = data_path() / "raw"
    >>> rows = read_gathered(raw / "incidents.csv")
    >>> plan = plan_parts(rows[0], build_gazetteer(rows))
    >>> [(p.location, p.country, p.weapon) for p in plan.parts]
    [('Green Village (Omar oil field)', 'Syria', 'rocket')]
    """
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


#: Columns of a gathered report file, as :func:`curate_gathered` reads them
#: (:func:`read_gathered` renames a file's own columns to these).
GATHERED_COLUMNS = ("report_id", "date", "date_precision", "country", "location", "weapon",
                    "projectiles", "us_casualties", "claimed_by", "source_url", "note")


def curate_gathered(rows: list[dict], *, rules: CurationRules | None = None, file: str = "gathered",
                    gazetteer: dict | None = None, explicit: list[dict] = ()) -> tuple[list[dict], list[dict]]:
    """Canonical report rows and exclusions from the rows of a gathered report file.

    Parameters
    ----------
    rows : list of dict
        One dict per gathered row with :data:`GATHERED_COLUMNS` (strings), e.g. from
        :func:`read_gathered`. The casualty column holds free text such as ``"3 killed;
        34 wounded"``.
    rules : CurationRules, optional
        The collection's overrides (:func:`analysis.curate.load_rules`).
    file : str
        Name of the gathered file, kept in ``x_raw_file`` and in error messages.
    gazetteer : dict, optional
        Place key -> country for rows naming several countries (default: from the
        single-country rows of ``rows``, :func:`build_gazetteer`).
    explicit : list of dict
        Rows of another file whose ``incident_id`` values the parts of a split row take
        (same ``source_url`` and ``date``).

    Returns
    -------
    rows : list of dict
        Canonical report columns plus ``x_*`` columns (raw texts and the rules applied).
    excluded : list of dict
        ``report_id, file, reason, source_url`` of the rows that cannot be curated.

    Examples
    --------
    >>> rows = [{"report_id": "A1", "date": "2024-01-28", "date_precision": "day",
    ...          "country": "Jordan", "location": "Tower 22", "weapon": "one-way drone",
    ...          "projectiles": "1", "us_casualties": "3 killed; 34 wounded", "claimed_by": "",
    ...          "source_url": "https://example.org/a", "note": ""},
    ...         {"report_id": "A2", "date": "2024-01-29", "date_precision": "day",
    ...          "country": "Syria", "location": "Base X; Base Y", "weapon": "rockets",
    ...          "projectiles": "2+", "us_casualties": "none", "claimed_by": "no claim",
    ...          "source_url": "https://example.org/b", "note": ""}]
    >>> out, excluded = curate_gathered(rows)
    >>> [(r["report_id"], r["fatalities"], r["injuries"], r["location"]) for r in out]
    [('A1', '3', '34', 'Tower 22'), ('A2-1', '0', '0', 'Base X'), ('A2-2', '0', '0', 'Base Y')]
    """
    rules = rules or CurationRules()
    out, excluded = [], []
    gaz = gazetteer if gazetteer is not None else build_gazetteer(
        [{"country": r["country"], "location": r["location"]} for r in rows])
    clean = list(explicit)
    for raw_r in rows:
        r = dict(raw_r)  # the curated values; raw_r keeps the raw text for the x_*_raw columns
        override_note = ""
        if r["report_id"] in rules.report_overrides:
            changes, why = rules.report_overrides[r["report_id"]]
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
    check_unique_ids(out, file)
    return out, excluded


def check_unique_ids(rows: list[dict], file: str) -> None:
    """Raise InputError naming the report ids that curation produced twice."""
    ids = [r["report_id"] for r in rows]
    dup = sorted({i for i in ids if ids.count(i) > 1})
    if dup:
        raise InputError(f"curated report ids are not unique: {dup}", file=file)


def read_gathered(path, *, columns: dict | None = None) -> list[dict]:
    """Rows of a gathered report CSV as :func:`curate_gathered` takes them.

    ``columns`` maps the file's column names to :data:`GATHERED_COLUMNS`
    (``{"casualties": "us_casualties", "actor": "claimed_by"}``); columns the mapping
    does not reach are kept as they are, missing ones are empty. Ids must be unique.

    Raises
    ------
    InputError
        A file that is not UTF-8, an empty file, a row with the wrong number of fields, a
        blank or repeated ``report_id`` (file, row and column named).

    Examples
    --------
    >>> from analysis.curate import build_gazetteer, load_rules, read_gathered
    >>> from analysis.datasets import data_path
    >>> raw = data_path() / "raw"
    >>> rows = read_gathered(raw / "incidents.csv")
    >>> len(rows), rows[0]["country"]
    (24, 'Syria')
    """
    import csv
    import io
    from pathlib import Path

    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text ({exc.reason})", file=path) from None
    table = list(csv.reader(io.StringIO(text, newline="")))
    if not table:
        raise InputError("the file is empty", file=path)
    header = [(columns or {}).get(h.strip(), h.strip()) for h in table[0]]
    out, seen = [], {}
    for i, r in enumerate(table[1:], start=2):
        if len(r) != len(header):
            raise InputError(f"{len(r)} fields where the header has {len(header)}", file=path, row=i)
        rec = {c: "" for c in GATHERED_COLUMNS}
        rec.update(zip(header, (v.strip() for v in r)))
        if not rec["report_id"]:
            raise InputError("empty id", file=path, row=i, column="report_id")
        if rec["report_id"] in seen:
            raise InputError(f"duplicate id {rec['report_id']!r} (first on row {seen[rec['report_id']]})",
                             file=path, row=i, column="report_id")
        seen[rec["report_id"]] = i
        rec["_row"] = i
        out.append(rec)
    return out


