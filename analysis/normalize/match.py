"""Matching rules shared by both dedupe engines: which reports may describe one incident.

Two reports are a *candidate pair* when they are in one block (same country, same
non-empty place key, neither place coarse), their date intervals lie within
``window_days`` of each other, and they are compatible on every attribute below.
An incident is a set of reports that are *all* pairwise candidates (complete
linkage): :func:`complete_linkage` builds the incidents from the candidate pairs, so
matching never chains (A-B and B-C do not put A and C in one incident unless A-C
matches too).

Attributes compared (a missing or blank value matches anything, as an unknown weapon
does):

* ``weapon``: the classes of :func:`analysis.normalize.keys.weapon_classes` share one;
* event type (:data:`EVENT_TYPE_COLUMNS`: ACLED ``event_type``) and violence type
  (:data:`VIOLENCE_COLUMNS`: UCDP ``type_of_violence``): equal;
* actor: the ``actor`` column of rows from coded event datasets (ACLED ``actor1``, UCDP
  ``side_a``), and the second actor (:data:`SECOND_ACTOR_COLUMNS`: ACLED ``actor2``,
  UCDP ``side_b``): equal. The ``actor`` of a news report is free text ("Iran-backed
  militia", "Islamic Resistance in Iraq (claim)") that differs between accounts of
  one attack, so it is compared only between two coded rows.

Text attributes are compared after lower-casing, trimming and collapsing white space.

Coarse places (:func:`coarse_places`) never match on place alone: UCDP ``where_prec``
4 or more (first-order administrative division or larger), ACLED ``geo_precision`` 3
(a larger region, coded at its centre), and a location whose key equals the key of
the row's country or of its first-order administrative division (``admin1``, UCDP
``adm_1``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = [
    "EVENT_TYPE_COLUMNS", "VIOLENCE_COLUMNS", "SECOND_ACTOR_COLUMNS", "ADMIN1_COLUMNS",
    "WHERE_PREC_COLUMNS", "GEO_PRECISION_COLUMNS", "MATCH_COLUMNS",
    "find_column", "attribute_codes", "attributes_compatible", "coarse_places",
    "complete_linkage", "match_order", "split_components",
]

EVENT_TYPE_COLUMNS = ("event_type", "x_event_type")
VIOLENCE_COLUMNS = ("type_of_violence", "x_type_of_violence")
SECOND_ACTOR_COLUMNS = ("actor2", "x_actor2", "side_b", "x_side_b")
ADMIN1_COLUMNS = ("admin1", "x_admin1", "adm_1", "x_adm_1")
WHERE_PREC_COLUMNS = ("where_prec", "x_where_prec")
GEO_PRECISION_COLUMNS = ("geo_precision", "x_geo_precision")
#: Every column the matching may read besides the canonical ones.
MATCH_COLUMNS = (EVENT_TYPE_COLUMNS + VIOLENCE_COLUMNS + SECOND_ACTOR_COLUMNS + ADMIN1_COLUMNS
                 + WHERE_PREC_COLUMNS + GEO_PRECISION_COLUMNS)


def find_column(columns, names) -> str | None:
    """The first of ``names`` present in ``columns`` (None when none is)."""
    cols = set(columns)
    return next((c for c in names if c in cols), None)


def _as_series(values) -> pd.Series:
    if isinstance(values, pd.Series):
        return values.reset_index(drop=True)
    return pd.Series(np.asarray(values, dtype=object), dtype="object")


def attribute_codes(values) -> np.ndarray:
    """Integer code per value (equal texts, equal codes); -1 for missing or blank.

    Texts are compared lower-cased, trimmed and with white space collapsed (the rule
    runs on the distinct values only).
    """
    codes, uniq = pd.factorize(_as_series(values), use_na_sentinel=True)
    u = pd.Series(np.asarray(uniq, dtype=object), dtype="str").str.strip().str.lower()
    u = u.str.replace(r"\s+", " ", regex=True)
    u = u.where(u.notna() & (u != ""), None)
    ucodes, _ = pd.factorize(u, use_na_sentinel=True)
    out = np.where(codes >= 0, ucodes[np.maximum(codes, 0)] if len(ucodes) else -1, -1)
    return np.asarray(out, np.int64)


def attributes_compatible(codes: list[np.ndarray], pi: np.ndarray, pj: np.ndarray) -> np.ndarray:
    """Pairs ``(pi, pj)`` whose codes agree on every attribute (-1 agrees with anything)."""
    ok = np.ones(len(pi), bool)
    for c in codes:
        a, b = c[pi], c[pj]
        ok &= (a == b) | (a < 0) | (b < 0)
    return ok


def coarse_places(keys, country, admin1=None, where_prec=None, geo_precision=None) -> np.ndarray:
    """True where a row's place is a country or region, not a place (see the module notes).

    Parameters
    ----------
    keys : array_like of str
        Place keys (:func:`analysis.normalize.keys.location_key`) of the rows.
    country, admin1 : array_like of str, optional
        Country and first-order administrative division names as written.
    where_prec, geo_precision : array_like, optional
        UCDP ``where_prec`` and ACLED ``geo_precision`` codes (text or numbers).
    """
    from .keys import location_key

    keys = _as_series(keys).astype("object").fillna("").to_numpy(object)
    out = np.zeros(len(keys), bool)
    for names in (country, admin1):
        if names is None:
            continue
        codes, uniq = pd.factorize(_as_series(names), use_na_sentinel=True)
        uk = location_key(pd.Series(np.asarray(uniq, dtype=object), dtype="object")).to_numpy(object)
        k = np.where(codes >= 0, uk[np.maximum(codes, 0)] if len(uk) else "", "")
        out |= (k == keys) & (k != "")
    if where_prec is not None:
        wp = pd.to_numeric(_as_series(where_prec), errors="coerce").to_numpy(float)
        out |= np.nan_to_num(wp, nan=0.0) >= 4
    if geo_precision is not None:
        gp = pd.to_numeric(_as_series(geo_precision), errors="coerce").to_numpy(float)
        out |= gp == 3
    return out


def _csr(m: int, pi: np.ndarray, pj: np.ndarray):
    a = np.concatenate([pi, pj])
    b = np.concatenate([pj, pi])
    order = np.argsort(a, kind="stable")
    ptr = np.zeros(m + 1, np.int64)
    np.add.at(ptr, a + 1, 1)
    return np.cumsum(ptr), b[order]


def complete_linkage(m: int, pi: np.ndarray, pj: np.ndarray, block: np.ndarray, rank: np.ndarray,
                     explicit: np.ndarray, wmask: np.ndarray) -> tuple:
    """Incidents whose reports all match each other, from the candidate pairs.

    Parameters
    ----------
    m : int
        Number of rows (local indices ``0..m-1``).
    pi, pj : numpy.ndarray of int
        Candidate pairs on place, dates and attributes (weapons are checked here);
        pairs of two explicit rows are ignored.
    block : numpy.ndarray of int
        Block (country and place) of each row; pairs lie within blocks.
    rank : numpy.ndarray of int
        A total order of the rows that does not depend on the input order (see
        :func:`match_order`).
    explicit : numpy.ndarray of int
        Code of the row's explicit ``incident_id`` (codes in sorted order of the ids),
        -1 for rows without one.
    wmask : numpy.ndarray of int
        Weapon class masks (:func:`analysis.normalize.keys.weapon_classes`; all 0 when
        weapons are not matched).

    Returns
    -------
    clique : numpy.ndarray of int
        Incident number of each row without an explicit id (rows sharing a number are
        one incident); -1 for explicit rows.
    target : numpy.ndarray of int
        Code of the explicit incident a row without id joined, -1 when it joined none.
    n_qual : numpy.ndarray of int
        Number of explicit incidents the row matched in full (0 or more).

    Notes
    -----
    Two reports of one incident must be a candidate pair and weapon-compatible: they
    share a weapon class, one of them names none, or a third report of the incident
    shares a class with each (the accounts "rockets", "a drone" and "a drone and
    rockets" of one attack). Rows without an explicit id are taken in ``rank`` order;
    each joins the incident *all* of whose reports in its block it matches so, among

    * the explicit incidents (the reports sharing an ``incident_id``, per block), and
    * the incidents already formed from rows without id,

    choosing the one with most reports, then an explicit one, then the smallest id code
    or the earliest formed; a row that matches none starts a new incident. A component
    of the candidate graph that is a clique of weapon-compatible pairs without explicit
    rows is one incident at once (the loop would give the same). The work is linear in
    the rows and pairs outside such cliques, times the size of the incidents there.
    """
    from .dedupe import _components

    pi = np.asarray(pi, np.int64)
    pj = np.asarray(pj, np.int64)
    explicit = np.asarray(explicit, np.int64)
    wmask = np.asarray(wmask, np.int64)
    keep = ~((explicit[pi] >= 0) & (explicit[pj] >= 0))
    pi, pj = pi[keep], pj[keep]
    free = explicit < 0
    clique = np.full(m, -1, np.int64)
    target = np.full(m, -1, np.int64)
    n_qual = np.zeros(m, np.int64)
    if m == 0:
        return clique, target, n_qual
    wa, wb = wmask[pi], wmask[pj]
    direct = ((wa & wb) != 0) | (wa == 0) | (wb == 0)
    comp = _components(m, pi, pj)
    size = np.bincount(comp, minlength=comp.max() + 1)
    edges = np.bincount(comp[pi[direct]], minlength=len(size))
    has_expl = np.bincount(comp, weights=(~free).astype(float), minlength=len(size)) > 0
    easy = (edges == size * (size - 1) // 2) & ~has_expl & (np.bincount(comp[pi], minlength=len(size))
                                                            == edges)
    ez = easy[comp] & free
    clique[ez] = comp[ez]
    hard = np.flatnonzero(~easy[comp] & free)
    if not len(hard):
        return clique, target, n_qual
    ptr, nbr = _csr(m, pi, pj)
    # incidents: explicit seeds per (code, block), then those formed in the loop
    inc_of = np.full(m, -1, np.int64)
    ex_rows = np.flatnonzero(~free)
    members: list[list[int]] = []
    inc_code: list[int] = []
    seed_at: dict[tuple[int, int], int] = {}
    for r in ex_rows.tolist():
        key = (int(explicit[r]), int(block[r]))
        if key not in seed_at:
            seed_at[key] = len(members)
            members.append([])
            inc_code.append(key[0])
        inc_of[r] = seed_at[key]
        members[seed_at[key]].append(r)
    wl = wmask.tolist()
    base = int(comp.max()) + 1  # free incidents formed here get numbers base, base+1, ...
    for r in hard[np.argsort(rank[hard], kind="stable")].tolist():
        nb = nbr[ptr[r]:ptr[r + 1]]
        labs = inc_of[nb]
        labs = labs[labs >= 0]
        best, best_key, quals = -1, None, 0
        mr = wl[r]
        if len(labs):
            u, k = np.unique(labs, return_counts=True)
            for lab, cnt in zip(u.tolist(), k.tolist()):
                mem = members[lab]
                if cnt != len(mem):
                    continue
                if mr and not all(wl[x] == 0 or wl[x] & mr or any(wl[c] & mr and wl[c] & wl[x] for c in mem)
                                  for x in mem):
                    continue
                code = inc_code[lab]
                if code >= 0:
                    quals += 1
                key = (-len(mem), 0 if code >= 0 else 1, code if code >= 0 else lab)
                if best_key is None or key < best_key:
                    best, best_key = lab, key
        if best < 0:
            best = len(members)
            members.append([])
            inc_code.append(-1)
        inc_of[r] = best
        members[best].append(r)
        n_qual[r] = quals
        if inc_code[best] >= 0:
            target[r] = inc_code[best]
        clique[r] = base + best
    return clique, target, n_qual


def match_order(s: np.ndarray, e: np.ndarray, wmask: np.ndarray, rid_rank: np.ndarray) -> np.ndarray:
    """Rank of each row in the order :func:`complete_linkage` takes them.

    By ``date_start``, ``date_end``, then reports naming more weapon classes first (a
    report of "a drone and rockets" then joins the accounts of either part), then
    ``report_id``: a total order that does not depend on the input order.
    """
    bits = np.zeros(len(wmask), np.int64)
    w = np.asarray(wmask, np.int64).copy()
    while w.any():
        bits += w & 1
        w >>= 1
    out = np.empty(len(s), np.int64)
    out[np.lexsort((rid_rank, -bits, e, s))] = np.arange(len(s))
    return out


def split_components(m: int, pi: np.ndarray, pj: np.ndarray, label: np.ndarray) -> np.ndarray:
    """Components of the candidate graph whose rows were put in more than one incident.

    Returns the sorted local row indices of such components, as one array per component
    (the ambiguous cases that :func:`analysis.normalize.dedupe` warns about).
    """
    from .dedupe import _components

    differ = label[pi] != label[pj]
    if not differ.any():
        return []
    comp = _components(m, pi, pj)
    bad = np.unique(comp[pi[differ]])
    return [np.flatnonzero(comp == c) for c in bad.tolist()]
