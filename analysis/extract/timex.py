"""Time expressions in news text -> inclusive day intervals relative to the publication date.

Rules (each result carries its precision, one of the canonical ``day``, ``week``,
``month``, ``season``, ``year``):

* a weekday ("Thursday", "on Sunday night", "early Monday") is the latest such day on
  or before publication; "last Thursday" the same (news "last" means the past one);
  "Thursday last week" (or "of last week") is the Thursday of the ISO week before
  publication's;
* a calendar date ("July 16", "Oct. 17", "17 October 2023") is parsed by dateparser
  with the publication date as base, preferring the past; without a year it is the
  latest such day on or before publication;
* "yesterday", "today", "overnight", "last night": days around publication; "the day
  before", "the previous day", "a day earlier" (no other anchor named) are yesterday;
* a list of days after a calendar date ("on November 19, 22, and 25") is one day each,
  in the month of the first;
* "this week" is Monday of the publication week to publication; "last week" the ISO
  week before;
* a month ("in April", "in late January", "mid-October", "early February 2024"):
  the latest such month not after publication; early = days 1-10, mid = 11-20,
  late = 21-end;
* a season ("this winter", "last summer"): meteorological seasons (DJF, MAM, JJA, SON,
  as :mod:`analysis.io._dates`); "this" season is the current one if publication falls
  in it, else the latest one before;
* "this month", "last month", "this year", "in 2023".

dateparser earns its place for calendar dates: it reads every spelling newswires use
("Oct. 17", "17 October", "October 17th, 2023", "the 17th of October") with a relative
base; the interval rules above are the package's own (dateparser returns a single
instant, not an interval with a precision).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

__all__ = ["TimeSpan", "find_times", "resolve_since", "WEEKDAYS", "MONTHS"]

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august",
          "september", "october", "november", "december")
_MON = (r"(?:jan(?:uary|\.)?|feb(?:ruary|\.)?|mar(?:ch|\.)?|apr(?:il|\.)?|may|june?|july?|"
        r"aug(?:ust|\.)?|sept?(?:ember|\.)?|oct(?:ober|\.)?|nov(?:ember|\.)?|dec(?:ember|\.)?)")
_WD = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
_PART = r"(?:\s+(?:night|morning|evening|afternoon))?"

_PATTERNS = [
    ("date", re.compile(rf"\b(?:on\s+)?(?:{_WD},?\s+)?(?P<m>{_MON})\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\b(?:,?\s+(?P<y>20\d\d))?", re.I)),
    ("date", re.compile(rf"\b(?:on\s+)?(?:the\s+)?(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<m>{_MON})(?:,?\s+(?P<y>20\d\d))?\b", re.I)),
    ("weekday", re.compile(rf"\b(?:on\s+|last\s+|early\s+|late\s+)?(?P<wd>{_WD}){_PART}"
                           r"(?P<lw>,?\s+(?:of\s+)?(?:last|the\s+previous|the\s+past)\s+week)?\b"
                           rf"(?!\s*,?\s*{_MON})", re.I)),
    ("relday", re.compile(r"\b(?P<rd>yesterday|today|overnight|last\s+night|earlier\s+today|this\s+morning|tonight|"
                          r"the\s+day\s+before(?!\s+(?:yesterday|the|a|an|its|his|her|their)\b)|the\s+previous\s+day|"
                          r"a\s+day\s+(?:earlier|before))\b", re.I)),
    ("week", re.compile(r"\b(?P<wk>(?:earlier\s+)?this\s+week|last\s+week|past\s+week)\b", re.I)),
    ("season", re.compile(r"\b(?P<sw>this|last|past)\s+(?P<season>winter|spring|summer|autumn|fall)\b", re.I)),
    ("relmonth", re.compile(r"\b(?P<rm>(?:earlier\s+)?this\s+month|last\s+month)\b", re.I)),
    ("month", re.compile(rf"\b(?:in\s+|since\s+|during\s+)?(?:(?P<part>early|mid|late|the\s+end\s+of|the\s+beginning\s+of|the\s+middle\s+of)[\s\-]+)?(?P<mo>january|february|march|april|may|june|july|august|september|october|november|december)(?:\s+(?P<my>20\d\d))?\b", re.I)),
    ("year", re.compile(r"\b(?P<yr>this\s+year|last\s+year|in\s+20\d\d)\b", re.I)),
]
# a further day of a date list: ", 22" / ", and 25" / " and 25", then a separator (not "22 rockets")
_DAY_LIST = re.compile(r"(?:,\s*(?:and\s+)?|\s+and\s+)(?P<d>\d{1,2})(?:st|nd|rd|th)?(?=\s*[,.;)]|\s*$|\s+(?:and|at|in|on)\b)")
# "may" is a month only when capitalised and not followed by a verb-like word
_MAY_VERB = re.compile(r"\bmay\b(?!\s+(?:20\d\d|\d{1,2}\b))", re.I)


@dataclass(frozen=True)
class TimeSpan:
    """A time expression: characters ``[start, end)``, the day interval and its precision."""

    start: int
    end: int
    text: str
    date_start: date
    date_end: date
    precision: str
    kind: str

    def contains(self, d: date) -> bool:
        return self.date_start <= d <= self.date_end


def _month_number(token: str) -> int:
    t = token.lower().rstrip(".")[:3]
    return [m[:3] for m in MONTHS].index(t) + 1


def _latest_month(month: int, pub: date, year: int | None) -> int:
    if year is not None:
        return year
    return pub.year if month <= pub.month else pub.year - 1


def _season_interval(name: str, which: str, pub: date) -> tuple[date, date]:
    first = {"winter": 12, "spring": 3, "summer": 6, "autumn": 9, "fall": 9}[name]
    # the season containing pub, if it is that season; else the latest before
    y = pub.year
    candidates = []
    for yy in (y - 1, y):
        s = date(yy, first, 1)
        em = first + 2
        ey = yy + (em - 1) // 12
        em = (em - 1) % 12 + 1
        e = date(ey, em, calendar.monthrange(ey, em)[1])
        candidates.append((s, e))
    current = [c for c in candidates if c[0] <= pub <= c[1]]
    past = [c for c in candidates if c[1] < pub]
    if which.lower() == "this" and current:
        s, e = current[0]
        return s, min(e, pub)
    if which.lower() == "this":
        return past[-1]
    # last / past: the latest fully past one
    if current:
        return _season_interval(name, "this", date(current[0][0].year - 1, current[0][0].month, 15))
    return past[-1]


def _parse_calendar(text: str, pub: date) -> date | None:
    import dateparser

    base = datetime(pub.year, pub.month, pub.day)
    got = dateparser.parse(text, languages=["en"],
                           settings={"RELATIVE_BASE": base, "PREFER_DATES_FROM": "past",
                                     "REQUIRE_PARTS": ["day", "month"]})
    return None if got is None else got.date()


def find_times(text: str, published: date, *, offset: int = 0) -> list[TimeSpan]:
    """Every time expression in ``text`` with its day interval, in order, non-overlapping.

    Parameters
    ----------
    text : str
        A sentence (or any text).
    published : datetime.date
        Publication date: the anchor of every relative expression.
    offset : int
        Added to the character positions (position of ``text`` in its article).

    Examples
    --------
    >>> from datetime import date
    >>> [(t.text, str(t.date_start), str(t.date_end), t.precision)
    ...  for t in find_times("Several rockets were fired Thursday", date(2024, 7, 25))]
    [('Thursday', '2024-07-25', '2024-07-25', 'day')]
    >>> t = find_times("In late January, a drone strike killed three", date(2024, 7, 25))[0]
    >>> str(t.date_start), str(t.date_end), t.precision
    ('2024-01-21', '2024-01-31', 'month')
    >>> [str(t.date_start) for t in find_times("strikes on November 19, 22, and 25", date(2023, 12, 4))]
    ['2023-11-19', '2023-11-22', '2023-11-25']
    """
    pub = published
    found: list[TimeSpan] = []
    taken: list[tuple[int, int]] = []

    def free(a, b):
        return all(b <= s or a >= e for s, e in taken)

    for kind, rx in _PATTERNS:
        for m in rx.finditer(text):
            a, b = m.start(), m.end()
            if not free(a, b):
                continue
            g = m.groupdict()
            span = None
            if kind == "date":
                if g["m"].lower() == "may" and not text[m.start("m")].isupper():
                    continue
                month = _month_number(g["m"])
                day = int(g["d"])
                year = int(g["y"]) if g.get("y") else None
                try:
                    d = _parse_calendar(f"{MONTHS[month - 1]} {day}" + (f" {year}" if year else ""), pub)
                except (ValueError, OverflowError):
                    d = None
                if d is None:
                    continue
                if year is None and d > pub:
                    d = d.replace(year=d.year - 1)
                span = (d, d, "day")
                at = b
                for k in _DAY_LIST.finditer(text, b):  # "November 19, 22, and 25": the same month
                    if k.start() != at:
                        break
                    try:
                        dk = d.replace(day=int(k.group("d")))
                    except ValueError:
                        break
                    if dk > pub:
                        break
                    taken.append((k.start("d"), k.end("d")))
                    found.append(TimeSpan(k.start("d") + offset, k.end("d") + offset, k.group("d"), dk, dk, "day",
                                          "date"))
                    at = k.end()
            elif kind == "weekday":
                wd = WEEKDAYS.index(g["wd"].lower())
                if g.get("lw"):  # "Thursday last week": that day of the ISO week before publication's
                    d = pub - timedelta(days=pub.weekday() + 7 - wd)
                else:
                    back = (pub.weekday() - wd) % 7
                    d = pub - timedelta(days=back)
                span = (d, d, "day")
            elif kind == "relday":
                rd = re.sub(r"\s+", " ", g["rd"].lower())
                if rd in ("today", "earlier today", "this morning", "tonight"):
                    span = (pub, pub, "day")
                elif rd == "yesterday" or rd.startswith(("the day", "the previous", "a day")):
                    span = (pub - timedelta(days=1),) * 2 + ("day",)
                elif re.search(r"\d(?::\d\d)?\s*(?:pm|p\.m\.)\s*$", text[:a], re.I):  # "11:30 PM last night"
                    span = (pub - timedelta(days=1),) * 2 + ("day",)
                else:  # overnight, last night: the night before publication
                    span = (pub - timedelta(days=1), pub, "day")
            elif kind == "week":
                wk = re.sub(r"\s+", " ", g["wk"].lower())
                monday = pub - timedelta(days=pub.weekday())
                if wk.endswith("this week"):
                    span = (monday, pub, "week")
                elif wk == "past week":
                    span = (pub - timedelta(days=7), pub, "week")
                else:
                    span = (monday - timedelta(days=7), monday - timedelta(days=1), "week")
            elif kind == "season":
                s, e = _season_interval(g["season"].lower(), g["sw"], pub)
                span = (s, e, "season")
            elif kind == "relmonth":
                rm = g["rm"].lower()
                first = pub.replace(day=1)
                if "this" in rm:
                    span = (first, pub, "month")
                else:
                    e = first - timedelta(days=1)
                    span = (e.replace(day=1), e, "month")
            elif kind == "month":
                mo = g["mo"]
                if mo.lower() == "may" and not mo[0].isupper():
                    continue
                if mo.lower() == "march" and not mo[0].isupper():
                    continue
                month = MONTHS.index(mo.lower()) + 1
                year = _latest_month(month, pub, int(g["my"]) if g.get("my") else None)
                last = calendar.monthrange(year, month)[1]
                part = (g.get("part") or "").lower()
                lo, hi = 1, last
                if part.startswith("early") or "beginning" in part:
                    hi = 10
                elif part.startswith("mid") or "middle" in part:
                    lo, hi = 11, 20
                elif part.startswith("late") or "end" in part:
                    lo = 21
                s, e = date(year, month, lo), date(year, month, hi)
                if s > pub:
                    continue
                span = (s, min(e, pub), "month")
            elif kind == "year":
                yr = g["yr"].lower()
                if yr.startswith("this"):
                    span = (date(pub.year, 1, 1), pub, "year")
                elif yr.startswith("last"):
                    span = (date(pub.year - 1, 1, 1), date(pub.year - 1, 12, 31), "year")
                else:
                    y = int(yr[-4:])
                    span = (date(y, 1, 1), min(date(y, 12, 31), pub), "year")
            if span is None:
                continue
            taken.append((a, b))
            found.append(TimeSpan(a + offset, b + offset, text[a:b], span[0], span[1], span[2], kind))
    found.sort(key=lambda t: t.start)
    return found


_SINCE = re.compile(
    r"\bsince\s+(?P<what>(?:the\s+)?(?:start|beginning|outbreak)\s+of\s+(?:the\s+)?(?:israel[\w\-\s]*?|gaza\s+)?(?:war|conflict|escalation)(?:\s+in\s+gaza)?|"
    r"(?:the\s+)?(?:hamas|october\s+7)\S*\s+(?:attack|assault)s?(?:\s+on\s+israel)?|"
    r"(?:the\s+)?(?:start|beginning)\s+of\s+(?:the|this)\s+year|"
    r"(?:mid|early|late)[\s\-]+{mon}\w*|{mon}\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+20\d\d)?|\d{{1,2}}\s+{mon}\w*(?:\s+20\d\d)?|{mon}\w*(?:\s+20\d\d)?)"
    .format(mon=_MON), re.I)

#: The first day of the Gaza war (2023-10-07), the anchor of "since the start of the war".
GAZA_WAR_START = date(2023, 10, 7)


def resolve_since(text: str, published: date, *, offset: int = 0) -> tuple[int, int, date] | None:
    """The first "since ..." phrase in ``text``: ``(start, end, first_day)`` or None.

    Examples
    --------
    >>> from datetime import date
    >>> resolve_since("attacked at least 13 times since October 17", date(2023, 10, 25))[2]
    datetime.date(2023, 10, 17)
    >>> resolve_since("since mid-October", date(2024, 1, 5))[2]
    datetime.date(2023, 10, 11)
    """
    m = _SINCE.search(text)
    if not m:
        return None
    what = m.group("what")
    low = what.lower()
    if re.search(r"war|conflict|escalation|hamas|october\s+7|attack|assault", low) and not re.match(r"\w+\s+\d", low):
        return (m.start() + offset, m.end() + offset, GAZA_WAR_START)
    if re.match(r"(?:the\s+)?(?:start|beginning)\s+of\s+(?:the|this)\s+year$", low):
        return (m.start() + offset, m.end() + offset, date(published.year, 1, 1))
    times = find_times(what, published)
    if not times:
        return None
    return (m.start() + offset, m.end() + offset, times[0].date_start)
