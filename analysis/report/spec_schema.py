"""The typed schema of report specs: one declarative table per section, in one registry.

A report spec (:mod:`analysis.report.spec`) is checked against :data:`SCHEMA` before
anything is computed or written. Each section is a :class:`Section` holding
:class:`Key` declarations (type, default, allowed values, range, list length) and an
optional cross-key ``check``; the top-level keys (``name``, ``title``, ...) are the
section named ``""``. Every problem names the spec file, the dotted key
(``series.freq``, ``compare[2].family``) and what is allowed, and all problems of a
spec are reported together (:class:`SpecError`).

Adding keys
-----------
A feature that reads its own part of the spec declares it here, next to the others::

    SCHEMA.register(Section("coverage", (
        Key("min_share", "float", default=0.5, minimum=0, maximum=1),
    )))
    SCHEMA.extend("series", Key("min_reports", "int", default=1, minimum=1))
    SCHEMA.register(Section("compare", (Key("family", "str", choices=FAMILIES),),
                            many=True))          # [[compare]]: a list of tables

``many=True`` sections are arrays of tables (``[[compare]]``); they default to an
empty list. Keys of kind ``"path"`` and ``"paths"`` are resolved and confined for
every section alike (see :func:`analysis.report.spec.load_spec`).

Key kinds
---------
``str``, ``int``, ``float`` (an int is accepted and kept as written), ``bool``,
``date`` (an ISO ``YYYY-MM-DD`` string naming a real day, kept as the string),
``path`` (a string naming a file), ``paths`` (a path or a list of paths, always a
list after validation), ``list`` (with ``items``, a :class:`Key` for each element),
``table`` (a TOML table, passed through; give it a ``parse`` to check it), ``any``
(no type check: for values of several types, checked by ``parse``). A key's
``parse(value)`` may raise :class:`ValueError` for checks the declarations cannot
state; its message is used as is.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterator

import datetime
import math
from dataclasses import dataclass, field, replace
from typing import Any, Callable

from ..schema import DATA_DERIVED_KINDS, InputError

__all__ = ["Key", "Section", "SpecSchema", "SpecError", "Problem", "SCHEMA", "REQUIRED"]


class _Required:
    def __repr__(self) -> str:
        return "REQUIRED"


#: Default of a key that must be given.
REQUIRED = _Required()

_KINDS = ("str", "int", "float", "bool", "date", "path", "paths", "list", "table", "any")
_TYPE_WORDS = {"str": "a string", "int": "an integer", "float": "a number", "bool": "true or false",
               "date": "a date YYYY-MM-DD", "path": "a file path (string)",
               "paths": "a file path or a list of file paths", "list": "a list", "table": "a table",
               "any": "a value"}


@dataclass(frozen=True)
class Problem:
    """One fault in a spec: the dotted key, what is wrong, and what is allowed."""

    key: str
    message: str
    allowed: str | None = None

    def __str__(self) -> str:
        text = f"key {self.key!r}: {self.message}" if self.key else self.message
        return text + (f"; allowed: {self.allowed}" if self.allowed else "")


class SpecError(InputError):
    """A report spec that does not match its schema. ``problems`` lists every fault."""

    def __init__(self, problems, *, file=None):
        self.problems = list(problems)
        first = self.problems[0] if self.problems else Problem("", "invalid spec")
        super().__init__(str(first), file=file, column=first.key or None)

    def _compose(self) -> str:
        where = f"{self.file}: " if self.file is not None else ""
        if len(self.problems) <= 1:
            return where + (str(self.problems[0]) if self.problems else self.detail)
        return where + f"{len(self.problems)} problems\n" + "\n".join(f"  {p}" for p in self.problems)


def _show(value) -> str:
    """A spec value as messages quote it (TOML-ish, cut short)."""
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, str):
        text = repr(value)
    elif isinstance(value, dict):
        text = "a table"
    else:
        text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _kind_of(value) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a table"
    return type(value).__name__


@dataclass(frozen=True)
class Key:
    """Declaration of one spec key.

    Parameters
    ----------
    name : str
    kind : {"str", "int", "float", "bool", "date", "path", "paths", "list", "table"}
    default : any, default REQUIRED
        Value when the key is absent (``None`` for "not given"); ``REQUIRED`` makes it mandatory.
    choices : tuple, optional
        The allowed values.
    minimum, maximum : float, optional
        Inclusive bounds of a number (exclusive with ``exclusive=True``).
    items : Key, optional
        For ``kind="list"``: the declaration every element must meet.
    min_items, max_items : int, optional
        List length bounds (``list`` and ``paths``).
    unique : bool
        List elements must be distinct.
    parse : callable, optional
        Extra check ``parse(value) -> value``; raises ValueError with the message.
    allowed : str, optional
        How to describe the allowed values when the declarations do not say it.
    doc : str
        One line for the reference.
    """

    name: str
    kind: str
    default: Any = REQUIRED
    choices: tuple | None = None
    minimum: float | None = None
    maximum: float | None = None
    exclusive: bool = False
    items: "Key | None" = None
    min_items: int | None = None
    max_items: int | None = None
    unique: bool = False
    parse: Callable[[Any], Any] | None = None
    allowed: str | None = None
    doc: str = ""

    def __post_init__(self):
        if self.kind not in _KINDS:
            raise ValueError(f"Key {self.name!r}: kind must be one of {_KINDS}, not {self.kind!r}")
        if self.kind == "list" and self.items is None:
            raise ValueError(f"Key {self.name!r}: a list key needs `items`")

    # ---------------------------------------------------------------- descriptions
    def describe(self) -> str:
        """The allowed values in words, for error messages."""
        if self.allowed:
            return self.allowed
        if self.choices is not None:
            return "one of " + ", ".join(_show(c) for c in self.choices)
        word = _TYPE_WORDS[self.kind]
        if self.kind == "list":
            word = f"a list of {self.items.describe()}"
        lo, hi = self.minimum, self.maximum
        if lo is not None and hi is not None:
            op = "<" if self.exclusive else "<="
            word += f" with {lo:g} {op} value {op} {hi:g}"
        elif lo is not None:
            word += f" {'>' if self.exclusive else '>='} {lo:g}"
        elif hi is not None:
            word += f" {'<' if self.exclusive else '<='} {hi:g}"
        if self.min_items is not None and self.max_items == self.min_items:
            word += f", exactly {self.min_items} item(s)"
        elif self.min_items:
            word += f", at least {self.min_items} item(s)"
        elif self.max_items is not None:
            word += f", at most {self.max_items} item(s)"
        if self.unique:
            word += ", no repeats"
        return word

    # ---------------------------------------------------------------- checking
    def check(self, value, where: str) -> tuple[Any, list[Problem]]:
        """``(value, problems)``: the validated value (``paths`` become lists)."""
        bad = lambda msg: (value, [Problem(where, msg, self.describe())])  # noqa: E731
        k = self.kind
        if k == "str" or k == "path":
            if not isinstance(value, str):
                return bad(f"{_show(value)} is {_kind_of(value)}, not a string")
            if k == "path" and not value.strip():
                return bad("an empty path")
        elif k == "int":
            if isinstance(value, bool) or not isinstance(value, int):
                return bad(f"{_show(value)} is {_kind_of(value)}, not an integer")
        elif k == "float":
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                return bad(f"{_show(value)} is {_kind_of(value)}, not a number")
            if not math.isfinite(value):
                return bad(f"{_show(value)} is not a finite number")
        elif k == "bool":
            if not isinstance(value, bool):
                return bad(f"{_show(value)} is {_kind_of(value)}, not true or false")
        elif k == "date":
            if not isinstance(value, str):
                kind = "a TOML date (quote it)" if isinstance(value, datetime.date) else _kind_of(value)
                return bad(f"{_show(value)} is {kind}, not a date string")
            try:
                datetime.date.fromisoformat(value)
                if len(value) != 10:
                    raise ValueError
            except ValueError:
                return bad(f"{_show(value)} is not a real day written YYYY-MM-DD")
        elif k == "table":
            if not isinstance(value, dict):
                return bad(f"{_show(value)} is {_kind_of(value)}, not a table")
        elif k in ("list", "paths"):
            if k == "paths" and isinstance(value, str):
                value = [value]
            if not isinstance(value, list):
                return bad(f"{_show(value)} is {_kind_of(value)}, not a list")
            if self.min_items is not None and len(value) < self.min_items:
                return bad(f"{len(value)} item(s) given")
            if self.max_items is not None and len(value) > self.max_items:
                return bad(f"{len(value)} item(s) given")
            item = self.items if k == "list" else Key(self.name, "path", doc=self.doc)
            out, problems = [], []
            for i, v in enumerate(value):
                got, p = item.check(v, f"{where}[{i}]")
                out.append(got)
                problems += p
            if problems:
                return value, problems
            if self.unique and len({repr(v) for v in out}) < len(out):
                return bad(f"{_show(value)} repeats an item")
            value = out
        if self.choices is not None and value not in self.choices:
            return bad(f"{_show(value)} is not allowed")
        if self.minimum is not None or self.maximum is not None:
            lo_bad = self.minimum is not None and (value <= self.minimum if self.exclusive
                                                   else value < self.minimum)
            hi_bad = self.maximum is not None and (value >= self.maximum if self.exclusive
                                                   else value > self.maximum)
            if lo_bad or hi_bad:
                return bad(f"{_show(value)} is out of range")
        if self.parse is not None:
            try:
                got = self.parse(value)
            except (ValueError, TypeError) as exc:
                return bad(f"{_show(value)}: {exc}")
            value = value if got is None else got
        return value, []


@dataclass(frozen=True)
class Section:
    """The declared keys of one spec section (``[name]``, or ``[[name]]`` when ``many``).

    ``check(values) -> list[Problem]`` runs after every key passed, for rules across
    keys; keys in its problems are relative to the section (``"window"``).
    """

    name: str
    keys: tuple[Key, ...]
    many: bool = False
    check: Callable[[dict], list[Problem]] | None = None
    doc: str = ""

    def __post_init__(self):
        names = [k.name for k in self.keys]
        if len(set(names)) != len(names):
            raise ValueError(f"Section {self.name!r} declares a key twice: {names}")

    @property
    def defaults(self) -> dict:
        return {k.name: k.default for k in self.keys}

    def validate(self, given: dict, prefix: str) -> tuple[dict, list[Problem]]:
        keys = {k.name: k for k in self.keys}
        problems = []
        unknown = sorted(set(given) - set(keys))
        for u in unknown:
            problems.append(Problem(prefix + u, "unknown key" + (f" in [{self.name}]" if self.name else ""),
                                    "keys " + ", ".join(sorted(keys))))
        out = {}
        for name, key in keys.items():
            if name not in given:
                if key.default is REQUIRED:
                    problems.append(Problem(prefix + name, "missing", key.describe()))
                else:
                    d = key.default
                    out[name] = list(d) if isinstance(d, list) else d
                continue
            out[name], p = key.check(given[name], prefix + name)
            problems += p
        if not problems and self.check is not None:
            problems += [replace(p, key=prefix + p.key) for p in self.check(out)]
        return out, problems


@dataclass
class SpecSchema:
    """The registry: the top-level keys and every section, looked up by name."""

    top: Section
    sections: dict[str, Section] = field(default_factory=dict)
    #: Rules across sections: ``check(top_values, section_values) -> list[Problem]``
    #: with full dotted keys.
    checks: list[Callable[[dict, dict], list[Problem]]] = field(default_factory=list)

    def register(self, section: Section) -> Section:
        """Add a section; a name already taken is an error."""
        if section.name in self.sections or section.name in {k.name for k in self.top.keys}:
            raise ValueError(f"spec section {section.name!r} is already declared")
        self.sections[section.name] = section
        return section

    def extend(self, name: str, *keys: Key) -> Section:
        """Add keys to a declared section (or to the top level with ``name=""``)."""
        old = self.top if name == "" else self.sections[name]
        new = replace(old, keys=old.keys + tuple(keys))
        if name == "":
            self.top = new
        else:
            self.sections[name] = new
        return new

    def validate(self, raw: dict) -> tuple[dict, dict, list[Problem]]:
        """``(top, sections, problems)`` for a parsed TOML document."""
        top_given = {k: v for k, v in raw.items() if k not in self.sections}
        top, problems = self.top.validate(top_given, "")
        # an unknown top-level key may be a misspelt section: name both
        top_allowed = ("keys " + ", ".join(sorted(k.name for k in self.top.keys))
                       + "; sections " + ", ".join(sorted(self.sections)))
        problems = [replace(p, allowed=top_allowed) if p.message == "unknown key" else p
                    for p in problems]
        sections = {}
        for name, sec in self.sections.items():
            given = raw.get(name)
            if sec.many:
                if given is None:
                    given = []
                if not isinstance(given, list) or not all(isinstance(g, dict) for g in given):
                    problems.append(Problem(name, f"{_show(given)} is {_kind_of(given)}",
                                            f"a list of tables, written [[{name}]]"))
                    continue
                items = []
                for i, g in enumerate(given):
                    v, p = sec.validate(g, f"{name}[{i}].")
                    items.append(v)
                    problems += p
                sections[name] = items
            else:
                if given is None:
                    given = {}
                if not isinstance(given, dict):
                    problems.append(Problem(name, f"{_show(given)} is {_kind_of(given)}",
                                            f"a table, written [{name}]"))
                    continue
                sections[name], p = sec.validate(given, f"{name}.")
                problems += p
        if not problems:
            for check in self.checks:
                problems += check(top, sections)
        return top, sections, problems

    def path_keys(self) -> Iterator[tuple[str, str]]:
        """``(section, key)`` for every key of kind path/paths (``section`` "" = top)."""
        for sec in (self.top, *self.sections.values()):
            for k in sec.keys:
                if k.kind in ("path", "paths"):
                    yield sec, k


# =========================================================================== the sections
def _penalty(value):
    from ..changepoints.penalties import PENALTIES
    if isinstance(value, bool):
        raise ValueError("a boolean is not a penalty")
    if isinstance(value, str):
        if value not in PENALTIES:
            raise ValueError("not a penalty name")
        return value
    if isinstance(value, (int, float)) and math.isfinite(value) and value >= 0:
        return value
    raise ValueError("not a penalty name or a number >= 0")


def _penalty_allowed() -> str:
    from ..changepoints.penalties import PENALTIES
    return "one of " + ", ".join(repr(p) for p in PENALTIES) + ", or a number >= 0"


def _event_term(value):
    from ..models.design import parse_event
    parse_event(value)
    return value


def _seasonality(value):
    if value == "calendar":
        return value
    head, _, k = value.partition(":")
    if head == "fourier" and k.isdigit() and 1 <= int(k) <= 6:
        return value
    raise ValueError("not a seasonality")


def _name(value):
    if not value or not all(c.isalnum() or c in "-_" for c in value) or value.startswith("-"):
        raise ValueError("it names the report's folder")
    return value


def _nonblank(value):
    if not value.strip():
        raise ValueError("it is blank")
    return value


def _check_series(v: dict) -> list[Problem]:
    w = v.get("window")
    if w and w[0] >= w[1]:
        return [Problem("window", f"start {w[0]} is not before end {w[1]}",
                        "[START, END] with START before END")]
    if v.get("source") in ("tallies+incidents", "tallies"):
        if not v.get("tally_source"):
            return [Problem("tally_source", f'missing with source = "{v["source"]}"',
                            "the counter whose tallies give the counts where they reach")]
        if not w:
            return [Problem("window", f'missing with source = "{v["source"]}"',
                            "[START, END] on period boundaries (Mondays for weekly series)")]
    return []


def _check_changepoints(v: dict) -> list[Problem]:
    if v["cost"] == "normal-meanvar" and v["min_size"] < 2:
        return [Problem("min_size", f"{v['min_size']} is too short for cost 'normal-meanvar' "
                                    "(a variance needs two rows)", "an integer >= 2 with that cost")]
    return []


def _check_outputs(v: dict) -> list[Problem]:
    if "png" not in v["figure_formats"]:
        return [Problem("figure_formats", f"{_show(v['figure_formats'])} leaves out 'png', which the "
                                          "HTML report embeds", "a list that includes 'png'")]
    return []


def _check_spec(top: dict, sec: dict) -> list[Problem]:
    d = sec["data"]
    if not d["reports"] and not d["tallies"]:
        return [Problem("data.reports", "no input: both data.reports and data.tallies are empty",
                        "at least one reports or tallies file")]
    return []


def _build() -> SpecSchema:
    from ..changepoints.costs import COSTS
    from ..changepoints.search import METHODS
    from ..models.design import EVENT_KINDS
    from ..models.glm import COV_TYPES, FAMILIES
    from ..plots._save import FORMATS
    from ..schema import ALLOCATIONS, FREQUENCIES

    top = Section("", (
        Key("name", "str", parse=_name, allowed="letters, digits, '-' and '_' (it names a folder)",
            doc="the report's folder name"),
        Key("title", "str", parse=_nonblank, allowed="a non-empty string"),
        Key("description", "str", default=""),
        Key("seed", "int", default=0, minimum=0, maximum=2**63 - 1),
        Key("questions_title", "str", default="Questions answered from the data",
            doc="title of the report section holding the question sections"),
    ))
    s = SpecSchema(top, checks=[_check_spec])
    s.register(Section("data", (
        Key("reports", "paths", default=[], doc="incident-report files"),
        Key("tallies", "paths", default=[], doc="tally files"),
        Key("events", "path", default=None, doc="events file"),
        Key("aliases", "path", default=None, doc="place-name aliases (alias, place) for matching reports"),
        Key("data_dir", "path", default=None, doc="folder relative data paths are also looked up in"),
    )))
    s.register(Section("series", (
        Key("freq", "str", default="W", choices=FREQUENCIES),
        Key("window", "list", default=None, items=Key("window", "date"), min_items=2, max_items=2,
            allowed="[START, END] as two dates YYYY-MM-DD"),
        Key("allocate", "str", default="start", choices=ALLOCATIONS),
        Key("groups", "list", default=[], items=Key("groups", "str", parse=_nonblank), unique=True),
        Key("window_days", "int", default=1, minimum=0, maximum=3660,
            doc="days apart two reports may be and still describe one incident"),
        Key("dedupe", "str", default="auto", choices=("auto", "off", "reports", "link"),
            doc="matching of rows into incidents (analysis.normalize.normalize)"),
        Key("tally_rule", "str", default="latest", choices=("latest", "preferred", "bounds")),
        Key("source", "str", default="incidents", choices=("incidents", "tallies", "tallies+incidents"),
            doc="incident list binned; the periods a counter's tallies count; or tallies where they "
                "reach and incidents elsewhere"),
        Key("tally_source", "str", default=None, doc="the counter whose tallies give the counts"),
        Key("tally_region", "str", default="all"),
        Key("tally_since", "date", default=None, doc="the date the tally chain counts from"),
        Key("bounds", "str", default="stated", choices=("lower", "stated", "upper"),
            doc="figure a bounded tally contributes"),
        Key("noun", "str", default="events", parse=_nonblank, doc="what is counted, for sentences"),
    ), check=_check_series))
    s.register(Section("model", (
        Key("family", "str", default="negbin", choices=FAMILIES),
        Key("trend", "bool", default=False),
        Key("seasonality", "str", default=None, parse=_seasonality,
            allowed="'calendar' or 'fourier:K' with K from 1 to 6"),
        Key("events", "list", default=[], items=Key("events", "str", parse=_event_term,
                                                       allowed="DATE[:" + "|".join(EVENT_KINDS) + "][+LAG]")),
        Key("cov_type", "str", default="nonrobust", choices=COV_TYPES),
    )))
    s.register(Section("changepoints", (
        Key("method", "str", default="pelt", choices=tuple(METHODS)),
        Key("cost", "str", default="poisson", choices=tuple(COSTS)),
        Key("penalty", "any", default="mbic", parse=_penalty, allowed=_penalty_allowed()),
        Key("min_size", "int", default=2, minimum=1, maximum=10_000),
        Key("bayes", "bool", default=True),
        Key("p_change", "float", default=0.02, minimum=0, maximum=1, exclusive=True),
    ), check=_check_changepoints))
    s.register(Section("attribution", (
        Key("window_days", "float", default=14, minimum=0, maximum=3660),
        Key("draws", "int", default=9999, minimum=1, maximum=1_000_000),
        # kinds that date features of the series (not candidate causes), left out of attribution
        Key("exclude_kinds", "list", default=list(DATA_DERIVED_KINDS),
            items=Key("exclude_kinds", "str"), unique=True),
    )))
    s.register(Section("outputs", (
        Key("figure_formats", "list", default=["png", "svg", "pdf"],
            items=Key("figure_formats", "str", choices=tuple(FORMATS)), min_items=1, unique=True),
        Key("dpi", "int", default=150, minimum=20, maximum=1200),
        Key("interactive", "bool", default=False,
            doc="also embed interactive (Vega-Lite) versions of the counts, model-fit and changepoint "
                "figures in index.html, with their JavaScript inlined (works offline)"),
    ), check=_check_outputs))
    from .sections import register_schema
    register_schema(s)
    return s


class _LazySchema:
    """:data:`SCHEMA`, built on first use (the allowed values come from the modules that
    own them, which import the heavy scientific stack)."""

    _schema: SpecSchema | None = None

    def __getattr__(self, name):
        if _LazySchema._schema is None:
            _LazySchema._schema = _build()
        return getattr(_LazySchema._schema, name)


#: The registry every spec is validated against.
SCHEMA: SpecSchema = _LazySchema()  # type: ignore[assignment]
