"""Curation: from gathered files to canonical tables, by general rules and a collection's own.

The general rules (numbered below) know no data set and work on any gathered file:
:func:`read_gathered` and :func:`curate_gathered` for reports, :func:`curate_tallies` for
wide tally rows, the text rules of :mod:`analysis.curate.text` one cell at a time. What is
specific to one collection (row overrides with their reasons, who the official counter
and the independent trackers are, the regions of the wide tally columns) is data: a TOML
file next to its raw files, read by :func:`load_rules` (``data/curation.toml`` for the
bundled one).

``data/raw/`` holds verbatim copies of the bundled collection's gathered files; they are
never rewritten. :func:`build_all` (:mod:`analysis.curate.bundled`) reads them and writes
the canonical tables of ``data/``:

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
9. Row-specific decisions that no general rule covers are the collection's
   ``report_overrides`` (:class:`CurationRules`, from its rules file), each with its reason.

Rules for the tallies
---------------------
The wide raw rows (``total, iraq, syria, jordan``) become one row per non-empty count,
region ``all``/``Iraq``/``Syria``/``Jordan``, id ``<tally_id>-<region>``; the row's bound
applies to each of its parts. ``source`` is the counter whose series the tally belongs
to (:func:`counter_of`): an override first, then the collection's independent trackers
(they keep their names), then the reporter texts that name its official counter (for
the bundled data: the Pentagon, DoD, US or defense officials, CENTCOM, the NSC, Ryder or
Singh); other outlets whose count is not attributed are their own counter. ``outlet`` keeps the raw reporter text. The undated tallies keep an empty
``as_of``, so that normalisation excludes them with the reason "no as_of date".
"""

from __future__ import annotations

from .bundled import (EVENT_OUTPUT_COLUMNS, EXCLUDED_COLUMNS, OUTPUT_FILES, RAW_FILES,
                      REPORT_OUTPUT_COLUMNS, RULES_FILE, TALLY_OUTPUT_COLUMNS, build_all, build_tables,
                      curate_events, curate_reports, main, render_csv, rules_for)
from .reports import GATHERED_COLUMNS, Part, Plan, curate_gathered, plan_parts, read_gathered
from .rules import CurationRules, load_rules
from .tallies import counter_of, curate_tallies
from .text import (Parsed, attacks_in, build_gazetteer, normalize_weapon, parse_casualties,
                   parse_projectiles, place_key, split_places, weapon_kinds)

__all__ = [
    # general rules, for any gathered file
    "Parsed", "attacks_in", "parse_projectiles", "parse_casualties", "weapon_kinds", "normalize_weapon",
    "split_places", "place_key", "build_gazetteer", "Part", "Plan", "plan_parts", "GATHERED_COLUMNS",
    "read_gathered", "curate_gathered", "counter_of", "curate_tallies", "CurationRules", "load_rules",
    # the bundled collection's layout and build of data/
    "RAW_FILES", "OUTPUT_FILES", "RULES_FILE", "REPORT_OUTPUT_COLUMNS", "EXCLUDED_COLUMNS",
    "TALLY_OUTPUT_COLUMNS", "EVENT_OUTPUT_COLUMNS", "rules_for", "curate_reports", "curate_events",
    "build_tables", "render_csv", "build_all", "main",
]
