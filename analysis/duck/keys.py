"""Place keys and weapon classes for the DuckDB engine, equal to the pandas ones.

:func:`location_key_sql` writes :func:`analysis.normalize.keys.location_key` as SQL
for ASCII names (the rules, step by step, in the same order). Names with any
non-ASCII character go through the Python function itself (on their distinct values
only), because Unicode decomposition (NFKD) and Unicode-aware ``\\b``/``\\s`` have no
exact SQL twin. Weapon classes come from :func:`analysis.normalize.keys.weapon_classes`
applied to the distinct weapon texts, so both engines assign the same bits.
"""

from __future__ import annotations

import string

import pandas as pd

from ..normalize.keys import GENERIC_WORDS, location_key, weapon_classes

__all__ = ["location_key_sql", "add_keys"]

def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def location_key_sql(col: str) -> tuple[str, str]:
    """SQL for the place key of ASCII column ``col``.

    Returns ``(flags, key)``: ``flags`` is a SELECT list adding ``_l0`` (the lower-cased
    name) and guard flags, to be evaluated in a sub-query; ``key`` is the key expression
    over that sub-query.

    Notes
    -----
    Equivalences used (ASCII only): after lower-casing, every character other than
    ``a-z0-9`` becomes a space (white space included: it is collapsed to one space in
    the end either way, and ``\\b`` treats both alike). A step whose pattern cannot
    match is skipped; the guards test the lower-cased name, which is enough because no
    step joins two characters that were apart (removed text is replaced by a space).
    Each guard is a column of its own, so the running value is referenced once per
    step (guards on the running value would evaluate the steps below them twice each).
    The doubled-letter rule (``aa`` -> ``a`` for every letter, done twice) is a
    sequence of plain replacements, exactly as in the pandas code.
    """
    doubled = "|".join(c * 2 for c in string.ascii_lowercase)
    generic = "\\b(" + "|".join(GENERIC_WORDS) + ")\\b"
    low = f"lower({col})"
    flags = (f"{low} AS _l0, contains({low}, '(') AS _g_paren, "
             f"contains({low}, '-') AS _g_hyphen, "
             f"(contains({low}, 'al') OR contains({low}, 'el')) AS _g_art, "
             f"regexp_matches({low}, '{doubled}') AS _g_double, "
             # the simple path: words of a-z0-9 joined by single spaces or hyphens, no
             # article, no generic word ('_' is a word character for \\b: test without it)
             f"(regexp_full_match({low}, '[a-z0-9]+([ -][a-z0-9]+)*') "
             f"AND NOT regexp_matches({low}, '\\b(al|el|ad|ar|as|ash|at|az|an|ath|adh)-|\\b(al|el)\\b') "
             f"AND NOT regexp_matches({low}, {_lit(generic)})) AS _g_simple")
    k = "_l0"
    k = f"CASE WHEN _g_paren THEN regexp_replace({k}, '\\([^)]*\\)?', ' ', 'g') ELSE {k} END"
    k = (f"CASE WHEN _g_hyphen THEN regexp_replace({k}, "
         f"'\\b(al|el|ad|ar|as|ash|at|az|an|ath|adh)-', ' ', 'g') ELSE {k} END")
    k = f"regexp_replace({k}, '[^a-z0-9]', ' ', 'g')"
    k = f"CASE WHEN _g_art THEN regexp_replace({k}, '\\b(al|el)\\b', ' ', 'g') ELSE {k} END"
    k = f"regexp_replace({k}, {_lit(generic)}, ' ', 'g')"
    collapse = k
    for _ in range(2):
        for ch in string.ascii_lowercase:
            collapse = f"replace({collapse}, '{ch * 2}', '{ch}')"
    k = f"CASE WHEN _g_double THEN {collapse} ELSE {k} END"
    k = f"trim(regexp_replace({k}, ' +', ' ', 'g'))"
    k = f"CASE WHEN _g_simple AND NOT _g_double THEN replace(_l0, '-', ' ') ELSE {k} END"
    return flags, k


def _chain(col: str, source: str, keep: str) -> str:
    """Query of ``source`` with ``keep`` columns and the place key ``k`` of ``col``."""
    flags, key = location_key_sql(col)
    return (f"SELECT * EXCLUDE (_l0, _g_paren, _g_hyphen, _g_art, _g_double, _g_simple), {key} AS k "
            f"FROM (SELECT {keep}, {flags} FROM {source})")


def add_keys(con, *, aliases=None, match_weapon: bool = True, keep=(), materialize=None) -> dict:
    """Create ``keyed`` (``rep`` plus ``ckey``, the country key, and ``wmask``, the weapon
    classes) and ``lk`` (idx, ckey, ``lkey``: the place key).

    ``keyed`` is a view over the tables read (no copy of the text columns) unless
    ``materialize`` (default: when ``location_key`` is a group column), when it is a
    table that also holds ``lkey``.

    Text columns ``location``, ``actor``, ``source`` and ``source_url`` are dropped
    unless named in ``keep`` (group columns). Returns the weapon bit names (for
    :func:`analysis.normalize.keys.weapon_label`).
    """
    drop = [c for c in ("location", "actor", "source", "source_url") if c not in keep]
    if materialize is None:
        materialize = "location_key" in keep
    # non-ASCII names: the Python rules, on distinct values
    odd = con.execute("SELECT DISTINCT location FROM rep WHERE location IS NOT NULL "
                      "AND strlen(location) <> length(location)").fetchall()
    odd_names = [r[0] for r in odd]
    odd_keys = location_key(pd.Series([v.strip() for v in odd_names], dtype="str")).tolist()
    con.execute("CREATE OR REPLACE TEMP TABLE odd_keys (location VARCHAR, okey VARCHAR)")
    if odd_names:
        con.executemany("INSERT INTO odd_keys VALUES (?, ?)", list(zip(odd_names, odd_keys)))
    # weapons: distinct texts through the Python classifier (the bits depend on the set only)
    wv = [r[0] for r in con.execute("SELECT DISTINCT weapon FROM rep").fetchall()]
    trimmed = pd.Series([None if v is None else v.strip() or None for v in wv], dtype="object")
    masks, names = weapon_classes(trimmed)
    con.execute("CREATE OR REPLACE TEMP TABLE wclass (weapon VARCHAR, wmask BIGINT)")
    rows = [(v, int(m)) for v, m in zip(wv, masks) if v is not None]
    if rows:
        con.executemany("INSERT INTO wclass VALUES (?, ?)", rows)
    null_mask = int(masks[[i for i, v in enumerate(wv) if v is None][0]]) if None in wv else 0
    lkey = "lkey0"
    if aliases:
        src = location_key(pd.Series(list(aliases.keys()), dtype="str")).tolist()
        dst = location_key(pd.Series(list(aliases.values()), dtype="str")).tolist()
        mapping = dict(zip(src, dst))
        lkey = ("CASE lkey0 " + " ".join(f"WHEN {_lit(a)} THEN {_lit(b)}" for a, b in mapping.items())
                + " ELSE lkey0 END")
    wjoin = (f"SELECT r.* EXCLUDE (weapon), coalesce(w.wmask, {null_mask}) AS wmask, "
             f"coalesce(lower(r.country), '') AS ckey "
             f"FROM rep AS r LEFT JOIN wclass AS w ON r.weapon IS NOT DISTINCT FROM w.weapon")
    keyed = _chain("location", f"({wjoin})", "*")
    lk = f"""SELECT * EXCLUDE (lkey0), {lkey} AS lkey FROM (
        SELECT r.* EXCLUDE (k),
               coalesce(CASE WHEN r.location IS NULL THEN '' WHEN o.okey IS NOT NULL THEN o.okey
                        ELSE r.k END, '') AS lkey0
        FROM ({keyed}) AS r LEFT JOIN odd_keys AS o ON r.location = o.location) AS q"""
    excl = "".join(", " + c for c in drop)
    if materialize:
        con.execute(f"CREATE OR REPLACE TEMP TABLE keyed AS SELECT * "
                    f"{('EXCLUDE (' + excl[2:] + ')') if excl else ''} FROM ({lk})")
        con.execute("CREATE OR REPLACE TEMP VIEW lk AS SELECT idx, s, e, eid, wmask, ckey, lkey FROM keyed")
    else:
        # views: the report columns stay in the tables read from the files; the place key
        # is computed once, where the matching needs it
        con.execute(f"CREATE OR REPLACE TEMP VIEW keyed AS SELECT * EXCLUDE ({excl[2:]}) FROM ({wjoin})"
                    if excl else f"CREATE OR REPLACE TEMP VIEW keyed AS {wjoin}")
        con.execute(f"CREATE OR REPLACE TEMP VIEW lk AS SELECT idx, s, e, eid, wmask, ckey, lkey FROM ({lk})")
    return {"weapon_names": names}
