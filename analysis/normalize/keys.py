"""Matching keys for deduplication: place names and weapon classes.

Both normalisers work on the *unique* values of a column with vectorised string
operations (Arrow-backed in pandas 3), then map the result back, so a 10-million-row
table with a few hundred thousand distinct place names costs little.

Place names
-----------
:func:`location_key` turns a place name into a key so that spellings of one place
compare equal. The steps, in order:

1. lower case, Unicode NFKD decomposition, combining marks dropped
   (``"Ḥasakah"`` -> ``"hasakah"``);
2. text in parentheses dropped (an alternative name: ``"Green Village (Omar oil
   field)"`` -> ``"green village"``);
3. Arabic articles written with a hyphen dropped, including the assimilated forms
   (``al-``, ``el-``, ``ad-``, ``ar-``, ``as-``, ``ash-``, ``at-``, ``az-``, ``an-``,
   ``ath-``, ``adh-``), then the stand-alone words ``al`` and ``el``;
4. punctuation becomes a space;
5. generic words dropped (:data:`GENERIC_WORDS`: ``near``, ``the``, ``base``,
   ``airbase``, ``air``, ``airfield``, ``garrison``, ``camp``, ``military``,
   ``facility``, ``coalition``, ``us``, installation types such as ``mission support
   site``/``mss`` and ``landing zone``, ``ain``/``ayn``/``ein`` (a toponym prefix,
   "spring of"), ...);
6. doubled letters collapsed (``assad`` -> ``asad``), spaces collapsed.

So "Ain al-Asad", "Ain al-Assad", "Al Asad Airbase", "Al-Asad air base" and "near
Al-Asad air base" all give ``"asad"``. A name that normalises to nothing (or a missing
name) gives ``""``, which never matches anything. ``aliases`` maps keys onto other
keys for names no rule can join (``{"rmelan": "rumaylan"}``).

Weapon classes
--------------
:func:`weapon_classes` gives each weapon text a bit mask of classes
(:data:`WEAPON_CLASSES`: drone, rocket, missile, mortar, artillery, airstrike, ied,
gunfire). A text may name several ("drone and rockets" -> drone|rocket). Unknown or
missing weapons, and "mixed"/"multiple" (several unnamed kinds), get mask 0. Text that names no known class becomes a class of its own
(its normalised text). Two reports are weapon-compatible when their masks share a bit
or either mask is 0.
"""

from __future__ import annotations

from typing import Mapping

import numpy as np
import pandas as pd

__all__ = [
    "GENERIC_WORDS",
    "WEAPON_CLASSES",
    "location_key",
    "weapon_classes",
    "weapon_label",
    "compatible",
]

#: Words that do not identify a place and are dropped from location keys.
GENERIC_WORDS = (
    "near", "the", "of", "at", "in", "outside", "around", "vicinity",
    "air", "base", "airbase", "airbases", "airfield", "airport", "garrison", "camp",
    "military", "facility", "installation", "outpost", "compound",
    "coalition", "us", "american", "mission", "support", "site", "mss", "landing", "zone", "lz",
    "ain", "ayn", "ein",
)

_ARTICLES_HYPHEN = r"\b(al|el|ad|ar|as|ash|at|az|an|ath|adh)-"
_ARTICLES_WORD = r"\b(al|el)\b"
_GENERIC_RE = r"\b(" + "|".join(GENERIC_WORDS) + r")\b"

#: Weapon classes and the (lower-case) patterns that name them.
WEAPON_CLASSES: dict[str, str] = {
    "drone": r"drone|uav|unmanned|one[- ]way|kamikaze|quadcopter|shahed|loitering",
    "rocket": r"rocket|katyusha|\bgrad\b|mlrs|\brpg",
    "missile": r"missile|ballistic|\bcruise\b|srbm",
    "mortar": r"mortar",
    "artillery": r"artillery|shelling",
    "airstrike": r"air ?strike|air/",
    "ied": r"\bied|explosive device|roadside bomb|landmine|\bbomb",
    "gunfire": r"small arms|gunfire|shooting|\bgun|rifle|sniper",
}
#: Texts that name no weapon class, or several unnamed ones ("mixed"): compatible with any.
_UNKNOWN_WEAPON = ("", "unknown", "unclear", "unspecified", "n/a", "na", "none", "not stated",
                   "not reported", "other", "?", "mixed", "multiple", "various", "several")
_N_FIXED = len(WEAPON_CLASSES)
_MAX_BITS = 62


def _unique_map(values: pd.Series):
    """Unique values of a column and the integer code of each row."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    return codes, pd.Series(uniques, dtype="str")


_RE_STEPS = None
#: Below this many distinct names the same steps run through Python's ``re`` (less
#: overhead); above it through vectorised Arrow string kernels. Both give equal keys.
_PY_LIMIT = 20_000


def _python_steps():
    import re
    global _RE_STEPS
    if _RE_STEPS is None:
        _RE_STEPS = [
            (re.compile("[\u0300-\u036f]"), ""),
            (re.compile(r"\([^)]*\)?"), " "),
            (re.compile(_ARTICLES_HYPHEN), " "),
            (re.compile(r"[^a-z0-9\s\u00c0-\uffff]"), " "),
            (re.compile("_"), " "),
            (re.compile(_ARTICLES_WORD), " "),
            (re.compile(_GENERIC_RE), " "),
            (re.compile(r"([a-z])\1"), r"\1"),
            (re.compile(r"([a-z])\1"), r"\1"),
            (re.compile(r"\s+"), " "),
        ]
    return _RE_STEPS


def _location_key_python(name) -> str:
    import unicodedata
    if name is None or (not isinstance(name, str) and pd.isna(name)):
        return ""
    s = unicodedata.normalize("NFKD", str(name).lower())
    for pat, rep in _python_steps():
        s = pat.sub(rep, s)
    return s.strip()


def _location_keys_unique(u: pd.Series, *, engine: str | None = None) -> pd.Series:
    if engine == "python" or (engine is None and len(u) < _PY_LIMIT):
        return pd.Series([_location_key_python(v) for v in u.tolist()], dtype="str")
    import pyarrow as pa
    import pyarrow.compute as pc

    a = pa.array(u.astype("object").where(u.notna(), "").to_numpy(object), type=pa.string())
    a = pc.utf8_normalize(pc.utf8_lower(a), "NFKD")
    rx = pc.replace_substring_regex
    a = rx(a, "[\\x{0300}-\\x{036f}]", "")
    a = rx(a, r"\([^)]*\)?", " ")
    a = rx(a, _ARTICLES_HYPHEN, " ")
    a = rx(a, "[^a-z0-9\\s\\x{00c0}-\\x{ffff}]", " ")
    a = pc.replace_substring(a, "_", " ")
    a = rx(a, _ARTICLES_WORD, " ")
    a = rx(a, _GENERIC_RE, " ")
    letters = "abcdefghijklmnopqrstuvwxyz"
    for _ in range(2):  # RE2 has no back-references: (a)a|(b)b|... rewritten to \\1\\2..., 9 groups a call
        for k in range(0, 26, 9):
            chunk = letters[k:k + 9]
            pat = "|".join(f"({ch}){ch}" for ch in chunk)
            a = rx(a, pat, "".join(f"\\{g + 1}" for g in range(len(chunk))))
    a = pc.utf8_trim_whitespace(rx(a, r"\s+", " "))
    return pd.Series(a, dtype="str")


def _key_codes(names, aliases: Mapping[str, str] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Integer code of each name's key and the array of keys (``keys[codes]``)."""
    names = names if isinstance(names, pd.Series) else pd.Series(list(names), dtype="object")
    codes, uniq = _unique_map(names)
    keys = _location_keys_unique(uniq)
    if aliases:
        src = _location_keys_unique(pd.Series(list(aliases.keys()), dtype="str")).tolist()
        dst = _location_keys_unique(pd.Series(list(aliases.values()), dtype="str")).tolist()
        keys = keys.replace(dict(zip(src, dst)))
    kcodes, kuniq = pd.factorize(pd.concat([keys, pd.Series([""], dtype="str")], ignore_index=True))
    empty = kcodes[-1]
    out = np.where(codes >= 0, kcodes[:-1][np.maximum(codes, 0)] if len(keys) else empty, empty)
    return out.astype(np.int64), np.asarray(kuniq, dtype=object)


def location_key(names, aliases: Mapping[str, str] | None = None) -> pd.Series:
    """Normalised place keys (see the module notes for the rules).

    Parameters
    ----------
    names : array_like of str
        Place names as reported; missing values give ``""``.
    aliases : mapping of str to str, optional
        Key -> key replacements applied after normalisation (both sides are
        normalised first, so write them as plain names).

    Returns
    -------
    pandas.Series of str
        One key per input name, same index when ``names`` is a Series.

    Examples
    --------
    >>> location_key(["Ain al-Assad", "near Al-Asad air base", "Al Asad Airbase"]).tolist()
    ['asad', 'asad', 'asad']
    """
    names = names if isinstance(names, pd.Series) else pd.Series(list(names), dtype="object")
    codes, keys = _key_codes(names, aliases)
    return pd.Series(keys[codes], index=names.index, dtype="str")


def weapon_classes(weapons) -> tuple[np.ndarray, dict[int, str]]:
    """Bit mask of weapon classes for each weapon text.

    Parameters
    ----------
    weapons : array_like of str
        Weapon texts as reported (missing allowed).

    Returns
    -------
    masks : numpy.ndarray of int64
        0 for unknown/missing; otherwise the OR of the class bits.
    names : dict
        Bit value -> class name, for every bit in use (see :func:`weapon_label`).

    Notes
    -----
    Free-text weapons that match no known class get a bit of their own, assigned in
    sorted order of their normalised text. Beyond 62 classes in all, the surplus texts
    share bits (they then count as compatible with each other: matching errs towards
    merging only among such rare free texts).

    Examples
    --------
    >>> masks, names = weapon_classes(["rocket", "drone", "drone+rocket", "unknown"])
    >>> masks.tolist(), names[1], names[2]
    ([2, 1, 3, 0], 'drone', 'rocket')
    """
    weapons = weapons if isinstance(weapons, pd.Series) else pd.Series(list(weapons), dtype="object")
    codes, uniq = _unique_map(weapons)
    t = uniq.fillna("").astype("str").str.lower().str.strip()
    t = t.str.replace(r"\s+", " ", regex=True)
    mask = np.zeros(len(t), dtype=np.int64)
    for bit, pat in enumerate(WEAPON_CLASSES.values()):
        hit = t.str.contains(pat, regex=True).fillna(False).to_numpy(bool)
        mask[hit] |= np.int64(1) << bit
    names = {1 << b: n for b, n in enumerate(WEAPON_CLASSES)}
    unknown = t.isin(_UNKNOWN_WEAPON).to_numpy(bool)
    other = (mask == 0) & ~unknown
    if other.any():
        texts = t[other].str.replace(r"[^a-z0-9 ]", "", regex=True).str.strip().to_numpy(object)
        levels = sorted(set(texts))
        pos = {v: i for i, v in enumerate(levels)}
        bits = np.array([_N_FIXED + (pos[v] % (_MAX_BITS - _N_FIXED)) for v in texts], dtype=np.int64)
        mask[np.flatnonzero(other)] = np.int64(1) << bits
        for v, i in pos.items():
            b = 1 << (_N_FIXED + i % (_MAX_BITS - _N_FIXED))
            names[b] = names[b] + "/" + v if b in names else v
    out = np.where(codes >= 0, mask[np.maximum(codes, 0)] if len(mask) else 0, 0).astype(np.int64)
    return out, names


def weapon_label(masks, names: Mapping[int, str]) -> np.ndarray:
    """Readable label of each mask: class names joined by ``+`` in a fixed order, or ``unknown``.

    Examples
    --------
    >>> masks, names = weapon_classes(["rockets", "a drone and three rockets", ""])
    >>> weapon_label(masks, names).tolist()
    ['rocket', 'drone+rocket', 'unknown']
    """
    masks = np.asarray(masks, dtype=np.int64)
    uniq, inv = np.unique(masks, return_inverse=True)
    labels = []
    for m in uniq.tolist():
        if m == 0:
            labels.append("unknown")
            continue
        parts = [names.get(1 << b, f"class{b}") for b in range(_MAX_BITS + 1) if m >> b & 1]
        labels.append("+".join(parts))
    return np.asarray(labels, dtype=object)[inv.reshape(-1)] if len(masks) else np.asarray([], object)


def compatible(a, b) -> np.ndarray:
    """Element-wise weapon compatibility of two mask arrays.

    Examples
    --------
    >>> masks, _ = weapon_classes(["rocket", "drone", "drone+rocket", "unknown"])
    >>> compatible(masks[[0, 1, 0]], masks[[2, 0, 3]]).tolist()    # shared class, different, unknown
    [True, False, True]
    """
    a = np.asarray(a, dtype=np.int64)
    b = np.asarray(b, dtype=np.int64)
    return ((a & b) != 0) | (a == 0) | (b == 0)

