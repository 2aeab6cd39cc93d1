"""Numbers in words and digits, and the bound words in front of them.

text2num earns its place: it turns English number words of any size ("one hundred
seventy-five", "twenty three") into integers with the grammar checked, in pure Python
and a few kilobytes; the pattern that finds the words in a sentence is this module's.
"""

from __future__ import annotations

import re

__all__ = ["NUMBER", "to_int", "BOUND_WORDS", "bound_of"]

_UNITS = ("zero one two three four five six seven eight nine ten eleven twelve thirteen "
          "fourteen fifteen sixteen seventeen eighteen nineteen").split()
_TENS = "twenty thirty forty fifty sixty seventy eighty ninety".split()
_WORD = r"(?:" + "|".join(_TENS + _UNITS[::-1] + ["hundred", "thousand"]) + r")"
#: A number in digits ("1,200", "175") or in words ("one hundred seventy-five", "a dozen").
NUMBER = (r"(?<![\w\-])(?:\d{1,3}(?:,\d{3})+|\d+|a\s+dozen|two\s+dozen|half\s+a\s+dozen|"
          + _WORD + r"(?:(?:[\s\-]+|\s+and\s+)" + _WORD + r")*)(?![\w])")
_NUMBER_RX = re.compile(r"^" + NUMBER + r"$", re.I)


def to_int(token: str) -> int | None:
    """The integer a number token means, or None.

    Examples
    --------
    >>> to_int("three"), to_int("1,200"), to_int("one hundred seventy-five"), to_int("a dozen")
    (3, 1200, 175, 12)
    """
    from text_to_num import text2num

    t = re.sub(r"\s+", " ", token.strip().lower())
    if re.fullmatch(r"\d{1,3}(?:,\d{3})+|\d+", t):
        return int(t.replace(",", ""))
    if t in ("a dozen",):
        return 12
    if t == "two dozen":
        return 24
    if t == "half a dozen":
        return 6
    t = t.replace(" and ", " ")
    try:
        return int(text2num(t, "en"))
    except ValueError:
        return None


#: Words before a count and the canonical bound they give (schema ``BOUNDS``).
BOUND_WORDS = (
    (r"more\s+than|over|upwards\s+of|in\s+excess\s+of|north\s+of", "more_than"),
    (r"at\s+least|no\s+fewer\s+than|no\s+less\s+than|a\s+minimum\s+of|at\s+a\s+minimum", "at_least"),
    (r"roughly|about|around|approximately|some|an\s+estimated|~", "about"),
    (r"up\s+to|at\s+most|no\s+more\s+than|fewer\s+than|less\s+than|nearly|almost|close\s+to", "at_most"),
)
BOUND_PREFIX = r"(?:" + "|".join(p for p, _ in BOUND_WORDS) + r")"


def bound_of(words: str | None) -> str:
    """Canonical bound of the words before a count ("more than" -> ``more_than``).

    Examples
    --------
    >>> bound_of("more than"), bound_of("at least"), bound_of("roughly"), bound_of(None)
    ('more_than', 'at_least', 'about', 'exact')
    """
    if not words:
        return "exact"
    w = re.sub(r"\s+", " ", words.strip().lower())
    for pattern, bound in BOUND_WORDS:
        if re.fullmatch(pattern, w):
            return bound
    return "exact"
