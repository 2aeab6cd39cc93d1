"""The extraction rules: sentences of an article -> candidate reports, tallies, events.

Each sentence is tried against the rules in this order; the first that applies decides
(its name is the row's ``x_extraction_rule``):

1. ``event-meeting`` / ``event-ceasefire``: talks, meetings, truces -> an ``events`` row;
2. ``reject-unquantified``: "dozens of attacks", "a wave of strikes", "the current series of
   attacks", "many of the attacks", "regularly attacked" -> rejected (a dated main clause before
   ", when ..." is read on its own: "The site came under attack in late March, when ... a series
   of attacks");
3. ``reject-retaliation``: strikes carried out *by* the United States or the coalition
   (retaliatory or not, "a US drone attack targeted ...", "Friday's US strikes"), by third
   states ("a Turkish drone strike"), and strikes on the other side ("targeted a convoy
   belonging to Iranian-backed groups") -> rejected, unless the sentence also states US
   casualties ("in response to the attack ... that killed three US troops");
4. ``reject-announcement``: threats, vows, warnings, plans -> rejected;
5. ``reject-siren``: alarms with nothing found -> rejected;
6. ``tally`` (``tally-since``, ``tally-period``, ``tally-total``, ``tally-assumed-since``,
   ``tally-previous-since``, ``tally-days``, ``tally-breakdown``, ``tally-part``): a count of
   attacks over an interval, with its bound -> a ``tallies`` row. Per-country counts ("47 in
   Iraq and 55 in Syria", ": 52 in Iraq and 75 in Syria") are rows of their own, but "165 times
   in Iraq, Syria" is one total; a part stated with the total ("including three new incidents
   over the past two days", "40 attacks of which ...") is a row with its own interval; a count
   with no start after an earlier tally takes that tally's start; a small count over stated days
   with no base named ("attacked four times ... on Thursday") is a tally of those days. A figure
   stated twice with different bounds is one tally (``reject-tally-repeat`` for the other): the
   reading with a total cue ("a total of 23 to date"), else the body's;
7. ``reject-rate``: statements about the pace of attacks ("largely halted",
   "resumed", "attacks ... have continued") with no count -> rejected;
8. ``incident-*``: an attack mention -> a ``reports`` row. Mentions without a date of
   their own, or whose date overlaps an incident already read at a compatible place,
   are variant accounts of that incident (same ``incident_id``); a new date or a new
   place starts a new incident; a sentence naming several bases gives one incident per
   base, and a sentence stating several days ("strikes on November 19, 22, and earlier on
   November 15 at the Ain al-Asad Airbase") one incident per day. An undated mention of a
   base already read is an account of that base's incident (a recap). A day that dates a
   statement ("announced Friday", "on Friday announced that ...", "the day before, the
   channel reported that ...") dates an otherwise undated attack as that day or the day
   before; a time inside a clause about a US strike ("airstrikes the US launched last
   week") dates nothing. After reading, an incident known only from summary sentences
   (several provinces or "bases", no base named) whose dates overlap an incident at a base
   of its country joins that incident;
   Places: a base name followed by "province" or "governorate", or named right after another
   base and "in" ("Harir Airport in Erbil"), is the area, not a base; "the base", "the site",
   "the US base" with no base named refer to the base last named. A dateline after an outlet
   tag ("(... ) DAMASCUS, Aug 14 (SANA) -") dates and places nothing. "Attacked at two sites in
   northeastern Syria" is two incidents;
   A sentence opening with "Also", "Separately", "Meanwhile", "Elsewhere" that describes an
   attack (a weapon or a count) does not fold into the story's incident; "one day after ..."
   dates a mention before the story's incident; "since mid-February, when ..." dates the
   when-clause. After reading: a headline's own incident joins the story's first incident of
   its country; an incident with no place, in an article naming one base of its country (in
   any sentence), is at that base; and when nothing in the article ties the attacks to US or
   coalition forces or a base (``reject-not-coalition``, also for attacks on Israel), no
   incident is kept;
   An undated base mention right after an incident placed only at a province or city ("a US
   base in Al-Haseke province ... the Harrab al-Jayr base") places that incident at the base.
   Attacks in general ("responsible for attacks against US positions in Iraq": plural, no
   date, base or count) and "dozens of times" are unquantified;
9. ``reject-reference``: a mention of "the attack" that adds no fact, or of a strike already
   left out ("That strike hit ...") -> rejected;
   ``reject-claim-undated``: a claim with no date of its own about a base the article dates
   nothing for (a recap of earlier claims); ``reject-unplaced``: a mention with no country,
   place, date or count outside any story ("defining attacks as strikes on our facilities"),
   or a sum over "the attacks" ("21 injuries ... in the attacks on US troops").

Sentences with no attack vocabulary are skipped silently; every sentence with attack
vocabulary ends either as a row or in the rejected list with its reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from .articles import Article
from .gazetteer import COUNTRIES, Gazetteer, PlaceMatch
from .numbers import BOUND_PREFIX, NUMBER, bound_of, to_int
from .timex import TimeSpan, find_times, resolve_since

__all__ = ["Candidate", "Rejected", "extract_article", "sentences"]

_ABBREV = {"u.s", "u.k", "u.n", "gen", "brig", "lt", "col", "sgt", "maj", "capt", "mr", "ms", "mrs",
           "dr", "sen", "rep", "gov", "jan", "feb", "mar", "apr", "aug", "sep", "sept", "oct", "nov",
           "dec", "st", "no", "vs", "adm", "cmdr", "spc", "pfc", "cpl", "inc", "corp", "approx", "a.m",
           "p.m", "d.c"}
_SPLIT = re.compile(r"(?<=[.!?])[\"'\u201d\u2019)]*\s+(?=[\"'\u201c\u2018(]?[A-Z0-9])|\n+|(?<=[a-z]{3}\.)(?=[A-Z][a-z]+\s)")


def sentences(text: str) -> list[tuple[int, int]]:
    """Character ranges ``[start, end)`` of the sentences of ``text``.

    Paragraph breaks always end a sentence; a full stop after a common abbreviation
    ("U.S.", "Gen.", "Oct.") does not.

    Examples
    --------
    >>> t = "A U.S. official said. Rockets hit Erbil on Oct. 17.\\nNext."
    >>> [t[a:b] for a, b in sentences(t)]
    ['A U.S. official said.', 'Rockets hit Erbil on Oct. 17.', 'Next.']
    """
    out, start = [], 0
    for m in _SPLIT.finditer(text):
        cut = m.start()
        if "\n" not in m.group(0):
            before = text[start:cut].rstrip("\"'\u201d\u2019)")
            word = re.search(r"([\w.]+)\.$", before)
            if word and word.group(1).lower() in _ABBREV:
                continue
            if word and re.fullmatch(r"[A-Z]", word.group(1)):
                continue
            cut = m.start() + (len(m.group(0)) - len(m.group(0).lstrip("\"'\u201d\u2019)")))
        seg = (start, cut)
        if text[seg[0]:seg[1]].strip():
            a = seg[0] + (len(text[seg[0]:seg[1]]) - len(text[seg[0]:seg[1]].lstrip()))
            b = seg[0] + len(text[seg[0]:seg[1]].rstrip())
            out.append((a, b))
        start = m.end()
    if text[start:].strip():
        a = start + (len(text[start:]) - len(text[start:].lstrip()))
        out.append((a, start + len(text[start:].rstrip())))
    return out


# --------------------------------------------------------------------------- vocabulary
_WEAPON = {
    "rocket": r"rockets?|katyushas?|grad\s+rockets?",
    "drone": r"drones?|uavs?|unmanned\s+aerial\s+vehicles?|one-way\s+attack\s+(?:drones?|uas)|uas",
    "missile": r"missiles?",
    "mortar": r"mortars?(?:\s+(?:rounds?|shells?|bombs?))?",
    "ied": r"ieds?|improvised\s+explosive\s+devices?|roadside\s+bombs?",
}
_WEAPON_ANY = "|".join(f"(?:{v})" for v in _WEAPON.values())
_WEAPON_RX = re.compile(rf"\b(?:{_WEAPON_ANY})\b", re.I)
_PROJECTILE_WORD = r"projectiles?"
_ATTACK_RX = re.compile(
    rf"\b(?:{_WEAPON_ANY}|{_PROJECTILE_WORD}|attack(?:s|ed|ing)?|struck|fired|launched|targeted|targeting|"
    r"intercepted|shot\s+down|strikes?|bombard\w*|shell(?:ed|ing)|came\s+under\s+fire|assaults?)\b", re.I)
_ADJ = r"[\"'\u2018\u201c]?(?:(?!and\b|or\b|of\b|were\b|was\b|at\b|on\b|in\b)[\w\-]+\s+){0,3}?"
_COUNTED = re.compile(
    rf"\b(?P<n>{NUMBER}|an?|one|single)\s+{_ADJ}(?P<w>{_WEAPON_ANY}|{_PROJECTILE_WORD})\b(?!\s*(?:strikes?|attacks?|launch(?:ers?|pads?|sites?)|sites?|bases?|units?|teams?|squads?)\b)",
    re.I)

_US = (r"(?:u\.?s\.?|us|american|united\s+states|coalition|israeli|british|jordanian)\s+(?:and\s+\w+\s+)?"
       r"(?:forces?|military|troops|warplanes?|jets?|aircraft|fighter\s+jets?|bombers?|central\s+command|"
       r"centcom|navy|air\s+force|army|helicopters?|drones?)")
_RETALIATION = re.compile(
    rf"\bretaliat\w*|\bin\s+response\s+to\b|\bresponse\s+strikes?\b|\bself-defen[cs]e\s+strikes?\b|"
    rf"\b(?:the\s+)?(?:pentagon|united\s+states|u\.?s\.?|washington|biden|{_US})\s+(?:\w+\s+){{0,3}}?(?:struck|bombed|hit|"
    r"carried\s+out|conducted|launched)\s+(?:\w+\s+){0,4}?(?:strikes?|air\s*strikes?|targets?|facilities|"
    r"sites?|positions?|headquarters|militia|kata'?e?ib|kataeb|irgc|command|iran\w*[\s\-]+(?:aligned|backed|linked))|"
    r"\b(?:air\s*)?strikes?\s+(?:on|against)\s+(?:\w+\s+){0,6}?(?:(?:it\s+said\s+were\s+)?linked\s+to\s+iran|"
    r"iran-(?:backed|linked|aligned)\s+(?:militias?|groups?|facilities|sites?)|kata'?ib|irgc|revolutionary\s+guard)|"
    r"\b(?:biden|trump|president)\s+(?:\w+\s+){0,2}?ordered\s+(?:\w+\s+){0,3}?(?:air\s*)?strikes\b|"
    r"\b(?:\w+day'?s\s+|the\s+)(?:u\.?s\.?|us|american)\s+(?:air\s*)?strikes\b|"
    r"\b(?:the\s+)?(?:united\s+states|u\.?s\.?|us|american)\s+military\s+(?:\w+\s+){0,4}?air\s*strikes\b|"
    r"\b(?:american|u\.?s\.?|us)\s+(?:[\w\-]+\s+){0,2}?(?:aircraft|warplanes?|jets?|bombers?)\s+(?:\w+\s+){0,2}?"
    r"(?:dropped|bombed)\b|"
    # strikes by third states (Turkey, Russia) are not attacks on the coalition
    r"\b(?:turkish|turkey'?s|russian)\s+(?:drone\s+|air\s*)?(?:strikes?|raids?|bombardment)\b|"
    r"\b(?:it|washington|the\s+united\s+states|the\s+us)\s+(?:had\s+)?targeted\s+(?:\w+\s+){0,2}?(?:iran\w*[\s\-]+"
    r"(?:backed|aligned|linked)|militias?|kata'?ib)|"
    # "a US drone attack targeted the capital": a strike by the United States
    r"\b(?:u\.?s\.?a?|us|usa|american|israeli)\s+(?:drone|air|missile)\s*(?:attack|strike|raid)s?\s+(?:\w+\s+){0,2}?"
    r"(?:targeted|killed|hit|struck)\b|"
    # "targeted a military convoy belonging to Iranian-backed groups": an attack on the other side
    r"\b(?:targeted|struck|hit|bombed|attacked)\s+(?:an?\s+|the\s+)?(?:[\w\-]+\s+){0,2}?(?:convoys?|positions?|"
    r"headquarters|vehicles?|trucks?|depots?|camps?|launchers?)\s+(?:belonging\s+to|of|used\s+by|run\s+by|"
    r"affiliated\s+with)\s+(?:the\s+)?(?:[\w\-]+\s+){0,2}?(?:iran\w*[\s\-]+(?:backed|aligned|linked|affiliated)|"
    r"pro-iran\w*|militias?|hezbollah|kata'?ib|irgc|terrorist)", re.I)
_US_KILLED = re.compile(r"\b(?:killed|killing|wounded|injured)\s+(?:\w+\s+){0,2}?(?:u\.?s\.?|us|american|coalition)\s+"
                        r"(?:troops|soldiers|service\s*members|personnel|servicemen)\b", re.I)
_REF_STRIKE = re.compile(r"^\W*(?:that|this|the)\s+(?:strike|raid|bombardment)s?\b", re.I)
_N_SITES = re.compile(rf"\bat\s+(?P<n>{NUMBER})\s+(?:different\s+|separate\s+)?(?:sites|locations|bases|facilities|positions)\b", re.I)
_DATELINE_IN = re.compile(r"\b[A-Z]{3,}(?:\s[A-Z]{3,})?,\s+[A-Z][a-z]{2,8}\.?\s+\d{1,2}\s*\([^)]{1,40}\)")
_ON_ISRAEL = re.compile(r"\bisrael(?:['\u2019]s|i)\s+(?:[\w\-]+\s+){0,2}?(?:attacks|strikes|assault|onslaught|offensive)\b|"
                        r"\b(?:attacks?|strikes?|assault)\s+on\s+(?:the\s+)?(?:palestinian|gaza)\b|"
                        r"\b(?:attacks?|strikes?|assault)\s+(?:\w+\s+){0,2}?(?:against|on|targeting)\s+(?:southern\s+|northern\s+)?"
                        r"(?:israel\b|israeli\s+(?:towns|cities|targets|communities)|the\s+port\s+of)|"
                        r"\b(?:against|on)\s+israel\s+from\b", re.I)
_DAYS_AFTER = re.compile(rf"\b(?:just\s+)?(?P<n>an?|one|{NUMBER})\s+days?\s+after\s+(?!the\s+(?:us|u\.s\.)\s+)", re.I)
_SEPARATE = re.compile(r"^\W*(?:also|separately|in\s+a\s+separate|in\s+another|meanwhile|elsewhere)\b", re.I)
_COALITION_TIE = re.compile(r"\b(?:u\.?s\.?|us|american|americans|coalition|united\s+states|international\s+forces|"
                            r"foreign\s+forces|pentagon|centcom|central\s+command|nato|air\s*base|military\s+base|"
                            r"garrison|outpost|patrol\s+base|mission\s+support\s+site|base)\b", re.I)
_PAREN_DATELINE = re.compile(r"^\W*[A-Z]{3,}(?:\s[A-Z]{3,})?,?\s*\([^)]{3,80}\)")
_CLAIM = re.compile(r"\bclaim\w*\s+(?:responsibility\s+)?for\s+(?:\w+\s+){0,2}?(?:striking|targeting|attacking|hitting|"
                    r"the\s+(?:attack|strike|drone|rocket))", re.I)
_LIST_AT = re.compile(r"\s*,?\s*(?:(?:and\s+)?(?:earlier|later)\s+)?(?:at|in|on|near|against)\s+(?:the\s+)?"
                      r"(?:[\w\-]+\s+){0,2}", re.I)
_ANNOUNCE = re.compile(r"\b(?:vow\w*|threaten\w*|warn\w*|pledg\w*|promis\w*|plans?\s+to|would\s+(?:target|attack|strike|respond)|"
                       r"will\s+(?:target|attack|strike|continue|respond)|intends?\s+to|announc\w+\s+(?:that\s+)?(?:it|they)\s+(?:would|will))\b", re.I)
_SIREN = re.compile(r"\bsirens?\b|\balarms?\b", re.I)
_NOTHING = re.compile(r"\bno\s+(?:\w+\s+)?(?:rockets?|drones?|projectiles?|impact|attack)s?\s+(?:were|was)\s+found|"
                      r"\bnothing\s+(?:was\s+)?found|\bfalse\s+alarm", re.I)
_UNQUANT = re.compile(r"\b(?:dozens|scores|hundreds|numerous|a\s+(?:wave|series|string|spate|flurry|barrage)|"
                      r"a\s+number)\s+of\s+(?:\w+\s+){0,3}?(?:attacks?|strikes?|assaults?|incidents?)\b|"
                      r"\b(?:many|most|several|some)\s+(?:of\s+)?(?:the|these|those)\s+(?:\w+\s+){0,2}?(?:attacks|strikes)\b|"
                      r"\b(?:numerous|countless|repeated|frequent|several)\s+(?:[\w\-]+\s+){0,2}?(?:attacks|strikes)\b|"
                      r"\b(?:dozens|scores|hundreds)\s+of\s+times\b|\b(?:multiple|several|many|numerous|countless)\s+times\b|"
                      r"\b(?:a\s+)?(?:spike|surge|uptick|rise|increase)\s+(?:of|in)\s+(?:\w+\s+){0,2}?attacks\b|"
                      r"\bthe\s+(?:current\s+|latest\s+|recent\s+)?(?:wave|series|string|spate|campaign)\s+of\s+(?:\w+\s+){0,2}?attacks\b|"
                      r"\b(?:almost\s+|nearly\s+)?(?:regularly|repeatedly|frequently|routinely|constantly|continuously)\s+"
                      r"(?:been\s+)?(?:attacked|targeted|hit|struck|shelled)\b", re.I)
_RATE = re.compile(r"\b(?:largely\s+)?(?:halted|paused|stopped|ceased|suspended|resumed|decreased|increased|"
                   r"surged|slowed|dropped|declined|escalated|intensified|subsided)\b|\bin\s+recent\s+(?:months|weeks)\b|"
                   r"\bha(?:ve|s)\s+continued\b|\bcontinu\w*\s+to\s+(?:be\s+)?(?:fired|launched|targeted|attacked)\b|"
                   r"\battacks\s+(?:[\w\-]+\s+){0,6}?continu\w+\b", re.I)
_REFERENCE = re.compile(r"\b(?:the|this|that|thursday'?s|monday'?s|tuesday'?s|wednesday'?s|friday'?s|saturday'?s|"
                        r"sunday'?s|[a-z]+day\u2019s|latest|last|recent|previous)\s+(?:\w+\s+)?(?:attacks?|strikes?|incidents?)\b", re.I)
_EVENT = [
    ("event-meeting", "talks", re.compile(r"\b(?:held|hold|holding|opened|concluded|began)\s+(?:a\s+|an\s+|the\s+)?(?:[\w\-]+\s+){0,3}?(?:meeting|talks|dialogue|summit|negotiations)\b", re.I)),
    ("event-ceasefire", "ceasefire", re.compile(r"\b(?:ceasefire|cease-fire|truce)\s+(?:took\s+effect|began|came\s+into\s+force|was\s+(?:agreed|announced|reached))\b|\b(?:agreed|announced|reached)\s+(?:a\s+)?(?:ceasefire|cease-fire|truce)\b", re.I)),
]

_COUNT_NOUN = r"(?:attacks?|strikes?|times|incidents|assaults|attempts|occasions)"
_TALLY_RX = re.compile(
    rf"(?:(?P<total>a\s+total\s+of|in\s+total|in\s+all|totall?ing)\s+)?(?P<bound>{BOUND_PREFIX})?\s*(?P<n>{NUMBER})\s+"
    rf"(?P<mid>(?:(?!since\b|in\b|on\b|at\b|against\b)[\w\-\u2019']+\s+){{0,6}}?)(?P<noun>{_COUNT_NOUN})\b", re.I)
_CUE_TOTAL = re.compile(r"\b(?:a\s+total\s+of|in\s+total|in\s+all|to\s+date|so\s+far|cumulative|altogether|thus\s+far|"
                        r"tally|count(?:ed)?|tallied)\b", re.I)
_PAST_N = re.compile(rf"\b(?:in|over|during|within)\s+the\s+(?:past|last|previous)\s+(?P<n>{NUMBER}|few)?\s*(?P<u>days?|weeks?|months?)\b", re.I)
_AS_OF = re.compile(r"\bas\s+of\s+(?P<d>[A-Z][a-z]+\.?\s+\d{1,2}(?:,?\s+20\d\d)?|\w+day)\b")
_SAID_DAY = re.compile(r"\b(?:said|told|announced|stated|reported|confirmed|added|says)\s+(?:[\w\-]+\s+){0,2}?(?:on\s+)?(?P<d>(?:mon|tues|wednes|thurs|fri|satur|sun)day)\b"
                       r"|\b(?P<d2>(?:mon|tues|wednes|thurs|fri|satur|sun)day)\s*,?\s+(?:\w+\s+){0,2}(?:said|told|announced)\b", re.I)
_COUNTERS = (
    (re.compile(r"\b(?:pentagon|defen[cs]e\s+department|department\s+of\s+defen[cs]e|dod|sabrina\s+singh|pat\s+ryder|"
                r"defen[cs]e\s+officials?|u\.?s\.?\s+(?:military\s+|defen[cs]e\s+)?officials?|centcom|central\s+command|"
                r"austin|lloyd\s+austin|military\s+officials?)\b", re.I), "Pentagon"),
    (re.compile(r"\bislamic\s+resistance\s+in\s+iraq\b[^.]{0,60}\b(?:claim\w*|said|announced|statement)|"
                r"\bclaim\w*\s+by\s+(?:the\s+)?[\"\u201c]?islamic\s+resistance", re.I), "Islamic Resistance in Iraq claims"),
)

_CASUALTY_NOUN = r"(?:(?:u\.?s\.?|us|american|coalition)\s+)?(?:soldiers?|troops?|service\s*(?:members?|men|women)|personnel|servicemen|americans|people|contractors?|staff|members|fighters|others)"
_OF_UNIT = r"(?:of\s+(?:the\s+)?(?:[\w\-]+\s+){1,4}?)?"  # "two fighters of the Syrian Free Army were injured"
_KILLED = [
    re.compile(rf"\b(?:killed|killing|kills|left\s+dead)\s+(?P<n>{NUMBER}|an?|one)\s+(?:[\w\-]+\s+){{0,2}}?{_CASUALTY_NOUN}", re.I),
    re.compile(rf"\b(?:prompted|caused|left|resulted\s+in)\s+(?P<n>{NUMBER})\s+(?:fatalities|deaths|dead)\b", re.I),
    re.compile(r"\b(?:the|a|an|one)\s+(?P<n>)(?:[\w\-]+\s+){0,2}?(?:contractor|soldier|service\s*member|serviceman)\s+who\s+"
               r"(?:was|had\s+been)\s+killed\b", re.I),
    re.compile(rf"\b(?P<n>{NUMBER})\s+(?:\w+\s+){{0,2}}?{_CASUALTY_NOUN}\s+(?:were\s+|was\s+|have\s+been\s+|had\s+been\s+)?(?:killed|dead|died)", re.I),
]
_INJURED = [
    re.compile(rf"\b(?:injur(?:ed|ing)|wound(?:ed|ing)|hurt(?:ing)?)\s+(?:at\s+least\s+|more\s+than\s+)?(?P<n>{NUMBER}|an?|one)\s+(?:\w+\s+){{0,2}}?{_CASUALTY_NOUN}", re.I),
    # "wounded 25", "injured more than 40": a number with no noun, ended by punctuation or a preposition
    re.compile(rf"\b(?:injur(?:ed|ing)|wound(?:ed|ing))\s+(?:at\s+least\s+|more\s+than\s+|about\s+|some\s+)?(?P<n>{NUMBER})"
               r"(?=\s*(?:[.,;:)]|$|\s(?:others?|more|at|in|on|near|during|when|while)\b))", re.I),
    # "three soldiers were injured"; not "killed three soldiers and wounded ..." (the count of the killed)
    re.compile(rf"\b(?P<n>{NUMBER})\s+(?:\w+\s+){{0,2}}?{_CASUALTY_NOUN}\s+{_OF_UNIT}(?:were\s+|was\s+|have\s+been\s+|had\s+been\s+)?(?:(?!and\b|or\b)\w+\s+)?(?:injured|wounded|hurt)", re.I),
    re.compile(rf"\b(?:more\s+than\s+|at\s+least\s+)?(?P<n>{NUMBER})\s+(?:\w+\s+){{0,2}}?(?:injuries|wounded)\b", re.I),
    re.compile(rf"\bleft\s+(?:at\s+least\s+)?(?P<n>{NUMBER})\s+(?:more\s+|others\s+)?(?:injured|wounded|hurt)\b", re.I),
    re.compile(rf"\bkilled\s+and\s+(?:at\s+least\s+)?(?P<n>{NUMBER})\s+(?:others\s+|more\s+)?(?:were\s+)?(?:injured|wounded)\b", re.I),
]
_NO_CASUALTIES = re.compile(
    r"\bno\s+(?:\w+\s+){0,2}?(?:casualties|injuries|deaths|fatalities|one\s+was\s+(?:hurt|injured|killed|wounded))|"
    r"\bwithout\s+(?:causing\s+|any\s+|leaving\s+)*(?:\w+\s+){0,3}?(?:casualties|injuries|damage\s+or\s+injur\w*|human\s+(?:or\s+material\s+)?damage|injur\w+)|"
    r"\bno\s+(?:\w+\s+){0,2}?(?:personnel|troops|soldiers|service\s*members|americans)\s+(?:were\s+)?(?:hurt|injured|killed|wounded)|"
    r"\bcaused\s+no\s+(?:casualties|injuries)|"
    r"\b(?:did\s+not|didn['\u2019]t)\s+result\s+in\s+any\s+(?:human\s+(?:or\s+material\s+)?)?(?:losses|casualties|causalities|injuries)|"
    r"\bwithout\s+resulting\s+in\s+any\s+(?:casualties|causalities|injuries)|\bescaped\s+(?:injury|unharmed|unhurt)|\bno\s+human\s+(?:or\s+material\s+)?losses", re.I)
_BYLINE = re.compile(r"^\W*[A-Z][\w.&' ]{1,40},\s+[A-Z][\w\- ]{1,30},\s+(?:[A-Z][a-z]+\.?\s+)?(?:\d{1,2},?\s+)?(?:January|February|"
                     r"March|April|May|June|July|August|September|October|November|December|20\d\d)")
_DATELINE = re.compile(r"^\W*\(?(?P<city>[A-Z][A-Za-z\- ]{2,30})\)?\s*(?:\((?:AFP|Reuters|AP)\)\s*)?(?:[\-\u2013\u2014:]+\s*)?(?=[A-Z\u201c\"])")
_DATELINE_CAPS = re.compile(r"^\W*[A-Z][A-Z\-]{2,}(?:\s[A-Z][A-Z\-]{2,})?(?:,\s+(?:[A-Z][a-z]{2,8}\.?\s+\d{1,2}|[A-Z][\w ]{2,30}?))?"
                            r"\s*(?:\([^)]{1,40}\))?\s*[\-\u2013\u2014]{1,2}\s")
_REF_START = re.compile(r"^\W*(?:the|these|those|such)\s+(?:\w+\s+)?(?:attacks?|strikes?|incidents?)\s+"
                        r"(?:come|came|follow\w*|took\s+place\s+after|were|are)\b", re.I)
_AFTER_START = re.compile(r"^\W*(?:after|following|since)\s", re.I)
_PLURAL_ATTACKS = re.compile(r"\battacks\b", re.I)
_SAME_BASE = re.compile(r"\b(?:the\s+same|that|this|the)\s+(?:(?:u\.?s\.?|us|american|coalition)\s+)?"
                        r"(?:base|site|facility|garrison|airbase|air\s+base)\b(?!\s+(?:in|at|near|of)\s+[A-Z])", re.I)
_SPEECH_BEFORE = re.compile(r"(?:(?:said|told|announced|stated|reported|added|says|confirmed)\s*(?:in\s+a\s+statement\s+)?|"
                            r"according\s+to\s+(?:[\w\-]+\s+){0,4}?)(?:on\s+)?$", re.I)
_SPEECH_VERB = r"(?:said|told|announced|stated|reported|confirmed|revealed|claimed|released|issued|described|condemned)"
_ATTACK_VERB = re.compile(r"\b(?:fired|launched|struck|hit|attacked|targeted|landed|fell|exploded|intercepted|shot\s+down|"
                          r"killed|injured|wounded|came\s+under)\b", re.I)
# after the time: up to ten words (no attack verb among them), then the speech verb
_SPEECH_AFTER = re.compile(rf"^\s*,?\s*(?:(?!(?:fired|launched|struck|hit|attacked|targeted|landed|fell|killed|injured|"
                           rf"wounded)\b)[\w.\'\u2019()\-]+,?\s+){{0,10}}?{_SPEECH_VERB}\b", re.I)
_US_ACTOR = r"(?:the\s+)?(?:u\.?s\.?|us|united\s+states|american|coalition|israeli?)(?:\s+(?:forces|military|air\s+force|army))?"
_US_STRIKE_CLAUSE = re.compile(
    rf"\b(?:air\s*strikes?|strikes?|raids?|bombing)\s+(?:that\s+)?{_US_ACTOR}\s+(?:had\s+)?(?:launched|carried\s+out|"
    rf"conducted)\b[^,.;]*|\b{_US_ACTOR}\s+(?:had\s+)?(?:launched|carried\s+out|conducted)\s+(?:\w+\s+){{0,2}}?"
    r"(?:air\s*strikes?|strikes?|raids?)\b[^,.;]*", re.I)


@dataclass
class Candidate:
    """One candidate row: its table, fields and the span that supports it."""

    table: str  # reports, tallies, events
    fields: dict
    start: int
    end: int
    text: str
    rule: str
    confidence: float
    article: Article


@dataclass
class Rejected:
    """A sentence with attack vocabulary that became no row, and why."""

    start: int
    end: int
    text: str
    rule: str
    reason: str
    article: Article


@dataclass
class _Incident:
    key: str
    date_start: date
    date_end: date
    precision: str
    dated: bool
    country: str | None
    place: str | None
    mentions: list = field(default_factory=list)
    place_from_text: bool = False


# --------------------------------------------------------------------------- helpers
def _countries(s: str, places: list[PlaceMatch]) -> list[str]:
    """Countries where things happen in ``s``: places first, then names in text order.

    A country name after "from" is an origin ("rockets from northern Iraq"), after
    "groups in" a description of the attackers, after "border with" a neighbour; an
    adjective counts only before a place noun ("Syrian territory", not "Syrian officials").
    """
    hits = [(-1, m.place.country) for m in places]
    for country, adjectives in COUNTRIES.items():
        pats = [rf"\b{country}\b(?!['\u2019]s\s+(?:islamic\s+)?(?:resistance|militias?|groups?|factions?|government|"
                rf"parliament|prime|president))"] + [rf"\b{a}\s+(?:air\s+|military\s+|army\s+)?(?:territory|desert|soil|side|"
                                                      rf"province|city|town|capital|region|base|airbase|kurdistan)\b"
                                                      for a in adjectives]
        if country == "Iraq":
            pats.append(r"\bkurdistan\b")
        for p in pats:
            for m in re.finditer(p, s, re.I):
                before = s[max(0, m.start() - 40):m.start()].lower()
                if re.search(r"\bfrom\s+(?:\w+\s+)?$", before):
                    continue
                if re.search(r"(?:resistance|groups?|militias?|factions?|movements?)\s+(?:in|of)\s+$", before):
                    continue
                if re.search(r"(?:border\s+with|troops\s+in|forces\s+in)\s+$", before) and len(hits) > 0:
                    continue
                hits.append((m.start(), country))
    out = []
    for _, c in sorted(hits, key=lambda t: t[0]):
        if c not in out:
            out.append(c)
    return out


def _projectiles(s: str) -> tuple[int | None, list[str], list[tuple[int, int]]]:
    total, weapons, spans, any_count = 0, [], [], False
    for m in _COUNTED.finditer(s):
        n = to_int(m.group("n")) if m.group("n").lower() not in ("a", "an", "single") else 1
        if n is None:
            continue
        total += n
        any_count = True
        spans.append((m.start(), m.end()))
    for m in _WEAPON_RX.finditer(s):
        after = s[m.end():m.end() + 12].lower()
        for name, pat in _WEAPON.items():
            if re.fullmatch(pat, m.group(0), re.I) and name not in weapons:
                if name == "drone" and re.match(r"\s*(?:strikes?)", after) and False:
                    continue
                weapons.append(name)
    return (total if any_count else None), weapons, spans


def _casualties(s: str) -> tuple[int | None, int | None]:
    killed = injured = None
    for rx in _KILLED:
        m = rx.search(s)
        if m:
            killed = 1 if m.group("n").lower() in ("a", "an", "") else to_int(m.group("n"))
            break
    for rx in _INJURED:
        m = rx.search(s)
        if m:
            injured = 1 if m.group("n").lower() in ("a", "an") else to_int(m.group("n"))
            break
    nc = _NO_CASUALTIES.search(s)
    if nc:
        killed = 0 if killed is None else killed
        if not re.fullmatch(r"no\s+(?:\w+\s+){0,2}?(?:deaths|fatalities)", nc.group(0), re.I):  # fatalities only
            injured = 0 if injured is None else injured
    elif killed is not None and injured is None and re.search(r"\binjur|\bwound", s, re.I) is None:
        pass
    return killed, injured


def _is_speech_time(t: TimeSpan, s: str, off: int) -> bool:
    """Whether ``t`` dates a statement, not the attack: "said on Monday", "on Friday announced that
    three drones attacked", "The day before, the channel, citing officials, reported that ..." (the
    speech verb follows the time and nothing before the time describes the attack)."""
    before, after = s[:t.start - off], s[t.end - off:]
    if _SPEECH_BEFORE.search(before):
        return True
    return bool(_SPEECH_AFTER.match(after)) and not _ATTACK_VERB.search(before)


def _us_strike_spans(s: str) -> list[tuple[int, int]]:
    """Clauses about strikes by the United States ("airstrikes the US launched in Iraq last week"):
    a time inside one dates the strike, not the attack on US forces."""
    return [(m.start(), m.end()) for m in _US_STRIKE_CLAUSE.finditer(s)]


def _attack_time(times: list[TimeSpan], s: str, off: int) -> TimeSpan | None:
    return next(iter(_attack_times(times, s, off)), None)


def _attack_times(times: list[TimeSpan], s: str, off: int) -> list[TimeSpan]:
    """The times of ``s`` that can date an attack: not a statement's date, not the start of a "since"
    phrase, not inside a clause about a US strike."""
    strikes = _us_strike_spans(s)
    out = []
    for t in times:
        before = s[:t.start - off]
        if _is_speech_time(t, s, off):
            continue
        if re.search(r"\bsince\s+$", before, re.I) and not re.match(r"\s*,\s*when\b", s[t.end - off:]):
            continue  # "since October 17" starts a count; "since mid-February, when ..." dates the when-clause
        if any(x <= t.start - off < y for x, y in strikes):
            continue
        out.append(t)
    return out


def _speech_time(times: list[TimeSpan], s: str, off: int) -> TimeSpan | None:
    return next((t for t in times if t.precision == "day" and _is_speech_time(t, s, off)), None)


def _date_list_plan(s, a, days, places, ref_base, countries):
    """One ``(time, place, country)`` per stated day of ``s`` ("strikes on November 19, 22, and earlier
    on November 15 at the Ain al-Asad Airbase"): the place named right after the day ("on ... at the
    X"), else the base "the same base" refers to, else the nearest place named before the day."""
    plan = []
    for i, ti in enumerate(days):
        lo = ti.end - a
        hi = days[i + 1].start - a if i + 1 < len(days) else len(s)
        after = next((m for m in places if lo <= m.start < hi and _LIST_AT.fullmatch(s[lo:m.start])), None)
        if after is not None:
            plan.append((ti, after.place.name, after.place.country))
        elif _SAME_BASE.search(s) and ref_base is not None:
            plan.append((ti, ref_base.name, ref_base.country))
        else:
            before = [m for m in places if m.end <= ti.start - a]
            m = next((m for m in reversed(before) if m.place.kind == "base"), before[-1] if before else None)
            plan.append((ti, m.place.name, m.place.country) if m else (ti, None, countries[0] if countries else None))
    return plan


def _merge_summaries(incidents: list, bases: set) -> None:
    """An incident read only from summary sentences ("bases in Syria's Hasakah and Deir ez-Zor provinces
    came under attack Monday": several areas or "bases", no base named) whose dates overlap an incident
    at a base of the same country is that story's summary: its mentions become accounts of the first
    such incident."""
    for inc in list(incidents):
        own = [m for m in inc.mentions if not m.get("headline")]
        if not own or not all(m.get("summary") for m in own):
            continue
        other = next((o for o in incidents if o is not inc and o.place in bases
                      and (inc.country is None or o.country == inc.country)
                      and o.date_start <= inc.date_end and inc.date_start <= o.date_end), None)
        if other is None:
            continue
        for m in inc.mentions:
            m["summary_of"] = True
        other.mentions[:0] = inc.mentions
        if not other.dated and inc.dated:
            other.date_start, other.date_end, other.precision, other.dated = (inc.date_start, inc.date_end,
                                                                              inc.precision, True)
        incidents.remove(inc)


def _counter(s: str, article: Article) -> str:
    for rx, name in _COUNTERS:
        if rx.search(s):
            return name
    return article.source or _outlet(article)


def _outlet(article: Article) -> str:
    m = re.match(r"https?://(?:www\.)?([^/]+)", article.url or "")
    return m.group(1) if m else (article.source or article.article_id)


def _weapon_name(weapons: list[str]) -> str | None:
    return "+".join(sorted(weapons)) if weapons else None


# --------------------------------------------------------------------------- the rules
def extract_article(article: Article, gazetteer: Gazetteer, *, assume_since: date | None = None) -> tuple[list, list]:
    """Candidates and rejections of one article (see the module docstring for the rules).

    Returns
    -------
    (list of Candidate, list of Rejected)
    """
    text, pub = article.text, article.published
    cands: list[Candidate] = []
    rejected: list[Rejected] = []
    incidents: list[_Incident] = []
    current: _Incident | None = None
    n_events = 0
    last_tally = None
    prev_incident = None  # the incident the previous sentence was read into
    ref_base = None  # the base last named in an attack sentence (what "the same base" refers to)
    prev_left_out = False  # the previous attack sentence was a strike by the other side or a third state
    seen_bases: set = set()  # names of the bases the article's attack sentences name
    kinds: dict = {}  # place name -> gazetteer kind (base, city, province)

    def reject(a, b, rule, reason):
        rejected.append(Rejected(a, b, text[a:b], rule, reason, article))

    for a, b in sentences(text):
        s = text[a:b]
        has_attack = bool(_ATTACK_RX.search(s))
        # 1. events
        ev = next(((r, k, rx.search(s)) for r, k, rx in _EVENT if rx.search(s)), None)
        if ev is not None:
            rule, kind, m = ev
            times = find_times(s, pub, offset=a)
            ok = [t for t in times if not _SPEECH_BEFORE.search(s[:t.start - a])]
            after = [t for t in ok if t.start - a >= m.start()]
            t = (after or ok or [None])[0]
            if t is not None:
                n_events += 1
                cands.append(Candidate("events", {
                    "kind": kind, "date": t.date_start, "end_date": t.date_end if t.date_end != t.date_start else None,
                    "label": re.sub(r"\s+", " ", s[m.start():]).strip().rstrip(".")[:160],
                    "x_date_precision": t.precision}, a, b, s, rule, 0.7 if t.precision != "day" else 0.85, article))
                if has_attack and _REFERENCE.search(s):
                    reject(a, b, "reject-reference", "refers back to an attack already read; the sentence is an event")
                continue
        if not has_attack:
            if (prev_incident is not None and prev_incident.mentions and prev_incident.mentions[-1]["end"] >= a - 2
                    and _NO_CASUALTIES.search(s)):
                killed, injured = _casualties(s)
                prev_incident.mentions.append(dict(start=a, end=b, text=s, time=None, place=None, country=None,
                                                   weapons=[], projectiles=None, fatalities=killed, injuries=injured,
                                                   multi=False, same_base=False))
            prev_incident = None
            continue
        prev_incident = None
        if _BYLINE.match(s):
            reject(a, b, "reject-byline", "byline or editorial note (outlet, place, date), not a report")
            continue
        um = _UNQUANT.search(s)
        cl = re.search(r",\s+(?:when|as|while|amid|after|marking|part\s+of|the\s+latest|in\s+the\s+latest)\b", s) if um else None
        if cl and cl.start() < um.start() and _ATTACK_RX.search(s[:cl.start()]):
            s, b = s[:cl.start()], a + cl.start()  # "The site came under attack in late March, when ... a series of
            #                                        attacks": the main clause; the unquantified one is context
        if _REF_STRIKE.match(s) and prev_left_out:
            reject(a, b, "reject-reference", "refers to a strike already left out ('That strike hit ...')")
            continue
        prev_left_out = False
        # 2. unquantified claims
        if _UNQUANT.search(s) and not _TALLY_RX.search(s):
            reject(a, b, "reject-unquantified", "unquantified claim (no number of attacks stated)")
            continue
        if _ON_ISRAEL.search(s) and not re.search(r"\b(?:u\.?s\.?|us|american|coalition)\s+(?:forces|troops|bases?)\b", s, re.I):
            reject(a, b, "reject-not-coalition", "an attack on Israel, not on coalition forces")
            continue
        # 3. retaliation by the other side
        if _RETALIATION.search(s) and not re.search(r"\b(?:on|against|targeting)\s+(?:u\.?s\.?|us|american|coalition)\s+(?:forces|troops|bases?|personnel)\b[^.]*\b(?:killed|injur|wound|hit|struck|targeted)", s, re.I) and not _US_KILLED.search(s):
            prev_left_out = True
            reject(a, b, "reject-retaliation", "strike carried out by the United States or its allies, not an attack on them")
            continue
        # 4. announcements and threats
        if _ANNOUNCE.search(s) and not re.search(r"\b(?:fired|launched|struck|hit|targeted|attacked|landed|fell)\b", s, re.I):
            reject(a, b, "reject-announcement", "announcement or threat, not a reported attack")
            continue
        # 5. sirens with nothing found
        if _SIREN.search(s) and (_NOTHING.search(s) or not re.search(r"\b(?:fired|landed|fell|struck|hit|impact)", s, re.I)):
            reject(a, b, "reject-siren", "alarm or siren with no attack found")
            continue
        times = find_times(s, pub, offset=a)
        places = gazetteer.find(s)
        # "Harir Airport in Erbil province": a base name used as the name of its province is the area
        places = [p for p in places if not (p.place.kind == "base"
                                            and re.match(r"\s+(?:province|governorate)\b", s[p.end:], re.I))]
        # "Harir Airport in Erbil": a base named right after another base and "in" is where the first lies
        places = [p for i, p in enumerate(places)
                  if not (p.place.kind == "base" and any(
                      q.place.kind == "base" and q.end <= p.start <= q.end + 90 and re.fullmatch(
                          r"\s*(?:[\w.\-]+\s+){0,4}?(?:in|near|outside)\s+(?:[\w\-]+,?\s+){0,7}?",
                          s[q.end:p.start], re.I)
                      and not re.search(r"\b(?:and|or|while|with|where|when|as|which|who|at)\b", s[q.end:p.start], re.I)
                      for q in places[:i]))]
        # "the Rukban district in southeastern Syria": an alias the text places in another country is not that base
        places = [p for p in places if not (p.place.kind == "base" and (lambda m: m is not None and
                  m.group(1).title() != p.place.country)(re.match(r"[^.;,]{0,25}?\bin\s+(?:\w+\s+)?(Iraq|Syria|Jordan)\b",
                                                                 s[p.end:], re.I)))]
        dli = _DATELINE_IN.search(s[:90]) or _PAREN_DATELINE.match(s)
        if dli:  # "(MENAFN- ...) DAMASCUS, Aug 14 (NNN-SANA) -": where and when it was filed
            places = [p for p in places if not dli.start() <= p.start < dli.end()]
            times = [x for x in times if not dli.start() <= x.start - a < dli.end()]
        dl = _DATELINE.match(s)
        if dl and dl.group(0).lstrip().startswith("("):
            places = [p for p in places if p.start >= dl.end()]  # "(Baghdad) ...": where it was filed (spans are of s)
        dlc = _DATELINE_CAPS.match(s)
        s_geo = s if not dlc else " " * dlc.end() + s[dlc.end():]  # the dateline says where it was filed
        if dlc:
            places = [p for p in places if p.start >= dlc.end()]  # "ERBIL (Kurdistan 24) - ...": filed from
            times = [x for x in times if x.start - a >= dlc.end()]  # "IRBIL, Nov 17 (KUNA) --": filed on
        # 6. tallies
        tally = _tally(s, a, pub, times, places, article, assume_since, last_tally)
        if tally is not None:
            if isinstance(tally, Rejected):
                rejected.append(tally)
            else:
                for c in tally:
                    cands.append(c)
                last_tally = tally[0]
            continue
        t = _attack_time(times, s, a)
        # 7. statements about the rate
        if t is None and _RATE.search(s) and not _COUNTED.search(s):
            reject(a, b, "reject-rate", "a statement about the pace of attacks, not a count or an incident")
            continue
        # 8. incidents
        n_proj, weapons, _ = _projectiles(s)
        killed, injured = _casualties(s)
        countries = _countries(s_geo, places)
        has_base = any(m.place.kind == "base" for m in places)
        if t is None and _REF_START.search(s) and not has_base and n_proj is None and killed is None and injured is None:
            reject(a, b, "reject-reference", "refers back to attacks already read ('the attacks come after ...')")
            continue
        if t is None and _AFTER_START.search(s) and current is not None:
            reject(a, b, "reject-background-undated",
                   "background mention of an earlier attack with no date of its own ('After ...')")
            continue
        if (t is None and not has_base and n_proj is None and killed is None and injured is None
                and _PLURAL_ATTACKS.search(s) and not _COUNTED.search(s) and not _REFERENCE.search(s)
                and not _speech_time(times, s, a)):
            reject(a, b, "reject-unquantified", "attacks in general, with no date, base or count of their own")
            continue
        areas = {m.place.name for m in places if m.place.kind in ("province", "city")}
        if ((len(countries) > 1 or len(areas) > 1) and not has_base and n_proj is None and killed is None and injured is None
                and _PLURAL_ATTACKS.search(s) and not _COUNTED.search(s)):
            reject(a, b, "reject-unquantified", "attacks in several countries or provinces with no number and no base")
            continue
        bases = []
        for m in places:
            if m.place.kind == "base" and m.place.name not in [p.place.name for p in bases]:
                bases.append(m)
        in_area = bool(not bases and not countries and incidents and re.search(r"\bin\s+the\s+area\b", s, re.I))
        refers_back = bool(not bases and current is not None and (_SAME_BASE.search(s) or in_area))
        if not bases and not refers_back:  # "near the base, located in Deir ez-Zor Province": the base read before
            bases = [m for m in places if m.place.kind == "city"][:1]
        if not bases and not refers_back:
            bases = [m for m in places if m.place.kind == "province"][:1]
        adds_fact = bool(t or bases or weapons or n_proj is not None or killed is not None or injured is not None
                         or countries)
        if not adds_fact or (_REFERENCE.search(s) and not (t or bases or n_proj is not None or killed is not None
                                                            or injured is not None)
                             and current is not None and not weapons):
            reject(a, b, "reject-reference", "mentions an attack without a date, place, weapon or count of its own")
            continue
        same_base = (refers_back or _SAME_BASE.search(s)) and not bases and current is not None
        speech = _speech_time(times, s, a) if t is None else None
        ra = _DAYS_AFTER.search(s) if t is None and current is not None and current.dated else None
        if ra is not None:  # "comes just one day after officials revealed ...": before the story's attack
            k = to_int(ra.group("n")) if ra.group("n").lower() not in ("a", "one") else 1
            if k is not None and 0 < k < 8:
                t = TimeSpan(a + ra.start(), a + ra.end(), ra.group(0), current.date_start - timedelta(days=k + 1),
                             current.date_end - timedelta(days=k), "day", "relative")
                speech = None
        if (speech is not None and current is not None and current.dated and bases
                and (speech.date_end < current.date_start or speech.date_start - timedelta(days=1) > current.date_end)):
            # "On Wednesday, sources announced that the base was targeted" after Friday's attack: another attack
            t = TimeSpan(speech.start, speech.end, speech.text, speech.date_start - timedelta(days=1), speech.date_end,
                         "day", "speech")
        # a claim with no date about a base the article dates nothing for: not an incident (a recap)
        if (t is None and current is not None and current.dated and _CLAIM.search(s) and bases
                and all(not any(i.place == m.place.name for i in incidents) for m in bases)):
            reject(a, b, "reject-claim-undated", "a claim with no date of its own about a base not dated in the article")
            ref_base = bases[-1].place if bases[-1].place.kind == "base" else ref_base
            continue
        # nothing places or dates it, and no story to join: not an incident
        if (t is None and speech is None and current is None and not bases and not countries and n_proj is None
                and ((killed is None and injured is None) or _PLURAL_ATTACKS.search(s))):
            reject(a, b, "reject-unplaced", "an attack mention (or a sum over 'the attacks') with no country, place, "
                                            "date or count, outside a story")
            continue
        days = [x for x in _attack_times(times, s, a) if x.precision == "day"]
        disjoint = all(x.date_end < y.date_start or y.date_end < x.date_start
                       for i, x in enumerate(days) for y in days[i + 1:])
        if len(days) > 1 and disjoint:
            plan = _date_list_plan(s, a, days, places, ref_base, countries)  # one incident per stated day
        else:
            plan = []
            ns = _N_SITES.search(s)
            k_sites = to_int(ns.group("n")) if ns and not bases else None
            if k_sites is not None and 2 <= k_sites <= 5:
                plan = [(t, None, countries[0] if countries else None)] * k_sites
            for target in ([] if plan else (bases or [None])):
                if target is not None:
                    plan.append((t, target.place.name, target.place.country))
                elif same_base and in_area and not _SAME_BASE.search(s):  # "in the area": the story's place
                    plan.append((t, incidents[0].place, incidents[0].country))
                elif same_base:
                    plan.append((t, ref_base.name, ref_base.country) if ref_base is not None
                                else (t, current.place, current.country))
                else:
                    plan.append((t, None, countries[0] if countries else None))
        multi = len(plan) > 1
        summary = not bases or all(m.place.kind != "base" for m in bases)
        summary = summary and (len(areas) > 1 or bool(re.search(r"\bbases\b", s, re.I)))
        for k, (tt, place, country) in enumerate(plan):
            inc = None
            if tt is not None:
                for old in incidents:
                    if (old.date_start <= tt.date_end and tt.date_start <= old.date_end
                            and (old.place is None or place is None or old.place == place)
                            and (old.country is None or country is None or old.country == country)
                            and (not multi or old.place == place)):
                        inc = old
                        break
                if inc is None:
                    inc = _Incident(f"{article.article_id}-I{len(incidents) + 1}", tt.date_start, tt.date_end,
                                    tt.precision, True, country, place)
                    incidents.append(inc)
                elif not inc.dated or (tt.date_end - tt.date_start) < (inc.date_end - inc.date_start):
                    inc.date_start, inc.date_end, inc.precision, inc.dated = tt.date_start, tt.date_end, tt.precision, True
            else:
                named = (next((i for i in reversed(incidents) if i.place == place
                               and (i.country is None or country is None or i.country == country)), None)
                         if place is not None else None)
                area_then_base = (current is not None and not multi and place is not None
                                  and kinds.get(current.place) in ("province", "city")
                                  and (place in seen_bases or any(m.place.name == place and m.place.kind == "base"
                                                                  for m in places))
                                  and (current.country is None or current.country == country))
                if area_then_base and named is None:
                    inc = current  # "a US base in Al-Haseke province ... The airfield at the Harrab al-Jayr base ...": the base
                elif named is not None and (multi or current is None or current.place not in (None, place)):
                    inc = named  # an undated mention of a base already read: that incident's account
                elif (current is not None and (current.place is None or place is None or current.place == place)
                        and (current.country is None or country is None or current.country == country)
                        and not multi and not (_SEPARATE.match(s) and (weapons or n_proj is not None))):
                    inc = current
                else:
                    base_inc = current
                    if speech is not None:  # "announced Friday": the statement's day or the day before
                        d0, d1, prec, dated = speech.date_start - timedelta(days=1), speech.date_end, "day", True
                    elif base_inc is not None:
                        d0, d1, prec, dated = base_inc.date_start, base_inc.date_end, base_inc.precision, base_inc.dated
                    else:
                        d0, d1, prec, dated = pub - timedelta(days=6), pub, "week", False
                    inc = _Incident(f"{article.article_id}-I{len(incidents) + 1}", d0, d1, prec, dated, country, place)
                    incidents.append(inc)
                if not inc.dated and speech is not None:
                    inc.date_start, inc.date_end = speech.date_start - timedelta(days=1), speech.date_end
                    inc.precision, inc.dated = "day", True
            if place is not None and (inc.place is None or (kinds.get(inc.place) in ("province", "city")
                                                            and any(m.place.name == place and m.place.kind == "base"
                                                                    for m in places))):
                inc.place = place
            if inc.country is None and country is not None:
                inc.country = country
            inc.mentions.append(dict(start=a, end=b, text=s, time=tt, place=place, country=country,
                                     weapons=weapons, projectiles=n_proj if not multi else None,
                                     fatalities=killed, injuries=injured, multi=multi,
                                     same_base=bool(same_base) and place is not None and not bases,
                                     summary=summary, speech=speech is not None and tt is None))
            if not multi or k == len(plan) - 1:
                current = inc
                prev_incident = inc if not multi else None
        ref_base = next((m.place for m in reversed(places) if m.place.kind == "base"), ref_base)
        seen_bases.update(m.place.name for m in places if m.place.kind == "base")
        kinds.update({m.place.name: m.place.kind for m in places})
    # a headline (first line, no final stop) that gave an undated incident with no place of its own is the
    # story's summary: its mention joins the first other incident of the same country, as a variant account
    nl = text.find("\n")
    head_end = nl if 0 < nl <= 160 and not text[:nl].rstrip().endswith((".", "!", "?")) else -1  # short, no stop
    for inc in list(incidents):
        if head_end > 0 and all(m["end"] <= head_end for m in inc.mentions):
            # a headline's own incident ("Armed drone hits U.S. base near Erbil") is the story's: it joins the
            # first incident of its country (at an overlapping date when the headline has one)
            other = next((o for o in incidents if o is not inc and (o.country == inc.country or inc.country is None)
                          and (not inc.dated or (o.date_start <= inc.date_end and inc.date_start <= o.date_end))),
                         None)
            if other is not None:
                for m in inc.mentions:
                    m["headline"] = True
                other.mentions[:0] = inc.mentions
                incidents.remove(inc)
    _merge_summaries(incidents, seen_bases)
    # an incident with no place, in an article that names one base of its country (in any sentence: "the number
    # at Tower 22 wasn't immediately known"), is at that base
    named_in_text = {}
    for m in gazetteer.find(text):
        if m.place.kind == "base":
            named_in_text.setdefault(m.place.country, set()).add(m.place.name)
    for inc in incidents:
        same = named_in_text.get(inc.country, set())
        if inc.place is None and len(same) == 1 and not any(o.place for o in incidents if o.country == inc.country):
            inc.place = next(iter(same))
            inc.place_from_text = True
    # no word in the article ties the attacks to US or coalition forces: not incidents of this series
    tied = _COALITION_TIE.search(text) or any(  # a named base (not "Erbil international airport") is a tie too
        m.place.kind == "base" and not re.match(r"\s+(?:international\s+)?airport", text[m.end:], re.I)
        and not re.search(r"airport\s+of\s+$", text[max(0, m.start - 20):m.start], re.I)
        for m in gazetteer.find(text))
    if incidents and not tied:
        for inc in incidents:
            for m in inc.mentions:
                reject(m["start"], m["end"], "reject-not-coalition",
                       "the article ties the attack to no US or coalition force or base")
        incidents = []
    # incidents -> report candidates (one per mention: variant accounts of one incident)
    for inc in incidents:
        background = inc.date_end < pub - timedelta(days=7)
        for j, m in enumerate(inc.mentions, start=1):
            inherited = [k for k in ("time", "place", "country") if m[k] is None]
            rule = "incident-" + ("dated" if m["time"] is not None else ("variant" if inc.dated else "undated"))
            if m["multi"]:
                rule += "-multi"
            conf = 0.9 - 0.1 * len(inherited) - (0.2 if not inc.dated else 0.0)
            notes = []
            if background:
                notes.append("background mention of an earlier attack")
            if len(inc.mentions) > 1:
                notes.append(f"account {j} of {len(inc.mentions)} of one incident")
            if not inc.dated:
                notes.append("no date stated: the week up to publication")
            if m["same_base"]:
                notes.append("place from 'the same base'")
            if m.get("headline"):
                notes.append("headline of the story")
            if m.get("summary_of"):
                notes.append("summary of the story's attacks (several areas, no base named)")
            if m.get("speech"):
                notes.append("dated by its statement: that day or the day before")
            if inc.place_from_text:
                notes.append("place: the one base of its country the article names")
            cands.append(Candidate("reports", {
                "incident_id": inc.key, "date_start": inc.date_start, "date_end": inc.date_end,
                "date_precision": inc.precision, "country": inc.country, "location": inc.place,
                "weapon": _weapon_name(m["weapons"]), "projectiles": m["projectiles"],
                "fatalities": m["fatalities"], "injuries": m["injuries"], "notes": "; ".join(notes) or None,
                "x_background": background}, m["start"], m["end"], m["text"], rule, round(max(conf, 0.3), 2),
                article))
    cands = _one_tally_per_figure(cands, rejected)
    cands.sort(key=lambda c: (c.start, c.table))
    return cands, rejected


def _one_tally_per_figure(cands: list, rejected: list) -> list:
    """A figure stated twice with different bounds ("at least 23 times" in the lead, "a total of 23
    attacks to date" in the quote; a crosshead's "165 times" over the body's "at least 165") is one
    tally: the total-cue reading, else the body's (a sentence with a final stop), else the first."""
    tallies = [c for c in cands if c.table == "tallies"]
    groups: dict = {}
    for c in tallies:
        groups.setdefault((c.fields["count"], c.fields["region"], c.fields["since"]), []).append(c)
    drop = set()
    for group in groups.values():
        if len({c.fields["bound"] for c in group}) < 2:
            continue
        def rank(c):
            return (not _CUE_TOTAL.search(c.text), not c.text.rstrip().endswith((".", "!", "?", "\u201d", '"')), c.start)
        keep = min(group, key=rank)
        for c in group:
            if c is not keep:
                drop.add(id(c))
                rejected.append(Rejected(c.start, c.end, c.text, "reject-tally-repeat",
                                         f"the figure {c.fields['count']} stated again (kept: '{keep.text[:60]}')",
                                         c.article))
    return [c for c in cands if id(c) not in drop]


_BREAKDOWN = re.compile(
    rf"(?P<bound>{BOUND_PREFIX})?\s*(?P<n>{NUMBER})\s+(?:(?:separate|more|other)\s+)?(?:times|attacks?|occasions|incidents)\s+"
    r"(?:(?!and\b|since\b)[\w.\-]+\s+){0,4}?in\s+(?P<c>Iraq|Syria|Jordan)\b(?!\s*(?:,|and|&|/)\s*(?:Iraq|Syria|Jordan))", re.I)
_BREAKDOWN_TAIL = re.compile(rf"(?:\band|,)\s+(?:an?\s+additional\s+)?(?P<n>{NUMBER})\s+(?:more\s+|other\s+|additional\s+)?"
                             r"(?:(?:attacks?|times)\s+)?in\s+(?P<c>Iraq|Syria|Jordan)\b", re.I)
# "In total, 127 attacks were carried out: 52 in Iraq and 75 in Syria"
_BREAKDOWN_COLON = re.compile(rf"[:\u2013\u2014-]\s*(?P<n>{NUMBER})\s+in\s+(?P<c>Iraq|Syria|Jordan)\b", re.I)
# a part of the tally stated with it: "including three new incidents over the past two days", "40 attacks of which ..."
_SUBCOUNT = re.compile(rf"\bincluding\s+(?P<n>{NUMBER})\s+(?:new\s+|more\s+|other\s+|separate\s+)?(?:attacks|incidents|strikes)\b|"
                       rf"\b(?P<n2>{NUMBER})\s+(?:attacks|incidents|strikes)\s+of\s+which\b", re.I)
_DAY_WORDS = r"[A-Z][a-z]{2,8}\.?\s+\d{1,2}(?:,?\s+20\d\d)?"
_FROM_TO = re.compile(rf"\b(?i:from|between)\s+(?P<d>{_DAY_WORDS})\s*(?:to|through|until|and|-|\u2013)\s+(?P<e>{_DAY_WORDS}|today)")
_INCREASED_TO = re.compile(rf"\b(?:number|total|tally)\s+of\s+attacks\b[^.]{{0,80}}?\b(?:increased|rose|risen|reached|grown|"
                           rf"climbed|stands?)\s+(?:to|at)\s+(?P<n>{NUMBER})\b", re.I)


def _breakdowns(s: str) -> list[tuple[int, int, int, str, str]]:
    """Per-country counts of a tally: ``(start, end, n, bound, country)`` ("14 separate times in Iraq and
    nine in Syria", "47 attacks in Iraq and 55 in Syria")."""
    out = []
    for m in sorted(list(_BREAKDOWN.finditer(s)) + list(_BREAKDOWN_COLON.finditer(s)), key=lambda m: m.start()):
        n = to_int(m.group("n"))
        if n is None:
            continue
        b0 = m.groupdict().get("bound")
        bound = bound_of(b0) if b0 else (out[-1][3] if out else "exact")
        out.append((m.start("n"), m.end(), n, bound, m.group("c").title()))
        tail = _BREAKDOWN_TAIL.match(s, m.end()) or _BREAKDOWN_TAIL.match(s, m.end() + 1)
        if tail and not _BREAKDOWN.match(s, tail.start("n")):
            k = to_int(tail.group("n"))
            if k is not None:
                out.append((tail.start("n"), tail.end(), k, bound, tail.group("c").title()))
    seen, uniq = set(), []
    for row in out:
        if row[0] not in seen:
            seen.add(row[0])
            uniq.append(row)
    return uniq


def _tally(s, a, pub, times, places, article, assume_since, last=None):
    """Tally candidates (a list: the total, then per-country counts), a Rejected, or None for sentence
    ``s`` at ``a``. Per-country counts in a sentence of their own take the interval of the article's
    previous tally (``last``)."""
    parts = _breakdowns(s)
    if (len(parts) == 1 and re.search(r"[.!?][\"\u201d\u2019']?\s*$", s)
            and any(x.precision == "season" for x in times)
            and (last is None or re.match(r"\s+and\s+(?:Iraq|Syria|Jordan)\b", s[parts[0][1]:], re.I))):
        # "This winter, ... more than 100 attacks on U.S. forces in Iraq and Syria.": one count with its
        # scope is the season's total, not a per-country breakdown (headlines, with no final stop, restate
        # a body figure and are left as they were)
        parts = []
    at = {p[0] for p in parts}
    main = _tally_main(s, a, pub, times, places, article, assume_since, skip=at)
    if isinstance(main, Rejected) and parts and last is not None:
        main = None
    if isinstance(main, Rejected) and last is not None and main.rule == "reject-tally-no-start" and not parts:
        # a count with no start of its own, after a tally: the article's wave, from that tally's start
        again = _tally_main(s, a, pub, times, places, article, last.fields["since"], skip=at)
        if isinstance(again, Candidate):
            again.rule = "tally-previous-since"
            again.fields["notes"] = "; ".join(x for x in (again.fields.get("notes"),
                                                            "start from the article's previous tally") if x)
            main = again
    if main is None and not parts:
        return None
    if isinstance(main, Rejected):
        return main
    if main is None and last is None:
        frame = _tally_frame(s, a, pub, article, places)  # per-country counts with a start, no total
        if frame is None:
            return None
        last = Candidate("tallies", frame, a, a + len(s), s, "tally-breakdown", 0.75, article)
    base = main if main is not None else last
    out = [main] if main is not None else []
    for sm in _SUBCOUNT.finditer(s):
        k = to_int(sm.group("n") or sm.group("n2"))
        if k is None or main is None or k >= (main.fields["count"] or 0):
            continue
        f = dict(main.fields)
        past = _PAST_N.search(s, sm.end())
        if past is not None:
            q = 1 if not past.group("n") or past.group("n").lower() == "few" else to_int(past.group("n")) or 1
            unit = past.group("u").lower()
            f["since"] = f["as_of"] - timedelta(days=q * (1 if unit.startswith("day") else 7 if unit.startswith("week")
                                                             else 30))
        f.update(count=k, bound="exact", notes="part of the tally stated with it")
        out.append(Candidate("tallies", f, a, a + len(s), s, "tally-part", 0.7, article))
    for start, end, n, bound, country in parts:
        f = dict(base.fields)
        f.update(count=n, bound=bound, region=country, x_scope=country,
                 notes="per-country count of the tally" + ("" if main is not None else " of the previous sentence"))
        out.append(Candidate("tallies", f, a, a + len(s), s, "tally-breakdown", 0.75, article))
    return out


def _tally_frame(s, a, pub, article, places):
    """The interval fields of a tally stated only per country ("Since October 17, US forces have been
    attacked at least 12 separate times in Iraq and four separate times in Syria"), or None."""
    since = resolve_since(s, pub, offset=a)
    if since is None:
        return None
    as_of = pub
    sd = _SAID_DAY.search(s)
    if sd:
        tt = find_times(sd.group("d") or sd.group("d2"), pub)
        if tt:
            as_of = tt[0].date_end
    return {"since": since[2], "as_of": as_of, "count": None, "bound": None, "region": "all",
            "source": _counter(s, article), "outlet": article.source or _outlet(article), "notes": None,
            "x_scope": "unstated"}


def _tally_main(s, a, pub, times, places, article, assume_since, skip=()):
    """The total tally candidate (or a Rejected) for sentence ``s`` at ``a``, or None."""
    best = None
    inc = _INCREASED_TO.search(s)
    matches = list(_TALLY_RX.finditer(s))
    for m in ([inc] if inc else []) + matches:
        if m.start("n") in skip:
            continue
        n = to_int(m.group("n"))
        if m is inc:
            if n is not None:
                best = (m, n)
                break
            continue
        if n is None:
            continue
        mid = m.group("mid") or ""
        noun = m.group("noun").lower()
        if re.search(r"\b(?:troops|soldiers|people|personnel|killed|injured|wounded|km|miles|kilometers|"
                     r"years?|days?|weeks?|months?|hours?)\b", mid, re.I):
            continue
        if noun in ("attack", "strike") or n < 2:
            continue
        if noun == "times" and not re.search(r"attack|target|struck|hit|strik|fired", s[:m.start()] + mid, re.I):
            continue
        if noun.startswith("strike") and re.search(r"\b(?:u\.?s\.?|american|israeli)\s*$", s[:m.start()], re.I):
            continue
        best = (m, n)
        break
    if best is None:
        return None
    m, n = best
    since = resolve_since(s, pub, offset=a)
    span_end = None
    if since is None:
        ft = _FROM_TO.search(s)  # "From October 17 to October 30, ... attacked at least 14 times"
        if ft:
            t0 = find_times(ft.group("d"), pub)
            t1 = find_times(ft.group("e"), pub) if ft.group("e") != "today" else []
            if t0:
                since = (a + ft.start(), a + ft.end(), t0[0].date_start)
                span_end = t1[0].date_end if t1 else None
    period = next((t for t in times if t.precision in ("season", "month", "week", "year")
                   and not re.search(r"since\s+$", s[:t.start - a], re.I)), None)
    past = _PAST_N.search(s)
    cue_total = _CUE_TOTAL.search(s) or (m is inc) or m.group("total")
    days = [t for t in times if t.precision == "day" and not _is_speech_time(t, s, a)]
    if (since is None and past is None and not cue_total and days and n >= 2
            and m is not inc and m.group("noun").lower() in ("times", "attacks", "strikes", "incidents")
            and not any(p.place.kind == "base" for p in places)):
        # "attacked four times ... on Thursday", "three strikes occurred on Monday and Sunday": a count over days
        d0, d1 = min(t.date_start for t in days), max(t.date_end for t in days)
        return Candidate("tallies", {
            "since": d0, "as_of": d1, "count": n, "bound": bound_of(m.group("bound")), "region":
            (lambda c: c[0] if len(c) == 1 else "all")(_countries(s, places)),
            "source": _counter(s, article), "outlet": article.source or _outlet(article),
            "notes": "a count of attacks over the days stated", "x_scope": "+".join(_countries(s, places)) or "unstated"},
            a, a + len(s), s, "tally-days", 0.7, article)
    if since is None and past is None and not cue_total and (n < 5 or (period is None and n < 10)):
        return None  # a small count without a start: incidents, not a tally
    # as_of
    as_of = pub
    am = _AS_OF.search(s)
    if am:
        tt = find_times(am.group("d"), pub)
        if tt:
            as_of = tt[0].date_end
    else:
        sd = _SAID_DAY.search(s)
        if sd:
            tt = find_times(sd.group("d") or sd.group("d2"), pub)
            if tt:
                as_of = tt[0].date_end
    if span_end is not None and not am:
        as_of = span_end
    rule, conf = "tally-since", 0.85
    if since is not None:
        start = since[2]
    elif period is not None:
        start, rule = period.date_start, "tally-period"
        if period.precision == "season" and not am:
            as_of = period.date_end
        conf = 0.75
    elif past is not None:
        k = 1 if not past.group("n") or past.group("n").lower() == "few" else to_int(past.group("n")) or 1
        unit = past.group("u").lower()
        days = k * (1 if unit.startswith("day") else 7 if unit.startswith("week") else 30)
        start, rule, conf = as_of - timedelta(days=days), "tally-period", 0.7
    elif assume_since is not None:
        start, rule, conf = assume_since, "tally-assumed-since", 0.5
    else:
        return Rejected(a + m.start(), a + m.end(), s[m.start():m.end()], "reject-tally-no-start",
                        "a count of attacks without a start ('since ...' or a period); give --assume-since",
                        article)
    if cue_total and rule == "tally-since":
        rule = "tally-total"
    if start > as_of:
        return Rejected(a, a + len(s), s, "reject-tally-no-start", "the stated start is after the statement date",
                        article)
    countries = _countries(s, places)
    region = countries[0] if len(countries) == 1 else "all"
    bound = "exact" if m is inc else bound_of(m.group("bound"))
    return Candidate("tallies", {
        "since": start, "as_of": as_of, "count": n, "bound": bound, "region": region,
        "source": _counter(s, article), "outlet": article.source or _outlet(article),
        "notes": "; ".join(x for x in (
            f"scope {'+'.join(countries)}" if len(countries) > 1 else "",
            "carried out by the Islamic Resistance in Iraq" if re.search(r"islamic\s+resistance", s, re.I) else "",
            f"period '{period.text}'" if rule == "tally-period" and period is not None else "") if x) or None,
        "x_scope": "+".join(countries) if countries else "unstated"},
        a, a + len(s), s, rule, conf, article)
