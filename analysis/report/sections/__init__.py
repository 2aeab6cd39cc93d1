"""Question sections of a report: one registry, one module per spec section.

Each :class:`SectionType` names its spec key (``[coverage]``, or ``[[compare]]`` for a
list of entries), declares the keys an entry may hold (:class:`analysis.report.spec_schema.Key`:
type, default, allowed values), and gives three functions:

``compute(spec, data, config) -> result``
    runs the library function (:mod:`analysis.questions`) on ``ReportData``;
``render(result, data) -> Rendered``
    sentences for the summary and the questions section, tables, caveats;
``to_json(result, data) -> dict``
    what ``results.json`` keeps under ``questions.<key>``.

:func:`register_schema` declares every registered section in the spec schema
(:data:`analysis.report.spec_schema.SCHEMA`), so the spec loader validates their keys
like any other; the builder computes the sections the spec names (in :data:`ORDER`),
and the narrative renders them; nothing else knows which sections exist. A new section
is a module here plus one :func:`register` call.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

__all__ = ["SectionType", "Rendered", "REGISTRY", "ORDER", "SUMMARY_ORDER", "register", "register_schema"]


@dataclass
class Rendered:
    """Rendered pieces of one section: ``summary`` paragraphs (in the report's summary),
    ``paragraphs`` and ``tables`` (in the questions section), ``notes`` (caveats shown in
    the summary)."""

    summary: list = field(default_factory=list)
    paragraphs: list = field(default_factory=list)
    tables: list = field(default_factory=list)
    notes: list = field(default_factory=list)


@dataclass(frozen=True)
class SectionType:
    key: str
    #: The spec keys of one entry (:class:`analysis.report.spec_schema.Key`).
    keys: tuple
    compute: Callable[..., Any]
    render: Callable[..., Rendered]
    to_json: Callable[..., dict]
    array: bool = False
    #: Rule across the keys of one entry: ``check(values) -> list[Problem]``.
    check: Callable[[dict], list] | None = None
    #: Rule across sections: ``spec_check(top, sections) -> list[Problem]`` (full keys).
    spec_check: Callable[[dict, dict], list] | None = None
    doc: str = ""


REGISTRY: dict[str, SectionType] = {}
#: Order of the sections in the questions section (their tables and paragraphs).
ORDER: list[str] = []
#: Order of their sentences in the report's summary.
SUMMARY_ORDER: list[str] = []


def register(section: SectionType, *, summary_rank: int | None = None) -> SectionType:
    """Add ``section`` to the registry (its body position is the registration order)."""
    if section.key in REGISTRY:
        raise ValueError(f"section {section.key!r} is registered twice")
    REGISTRY[section.key] = section
    ORDER.append(section.key)
    SUMMARY_ORDER.insert(len(SUMMARY_ORDER) if summary_rank is None else summary_rank, section.key)
    return section


def register_schema(schema) -> None:
    """Declare every registered section in the spec ``schema``."""
    from ..spec_schema import Section
    for key in ORDER:
        st = REGISTRY[key]
        schema.register(Section(key, tuple(st.keys), many=st.array, check=st.check, doc=st.doc))
        if st.spec_check is not None:
            schema.checks.append(st.spec_check)


# registration order = order in the report body
from . import compare as _compare  # noqa: E402,F401
from . import alignment as _alignment  # noqa: E402,F401
from . import model_comparison as _model_comparison  # noqa: E402,F401
from . import sensitivity as _sensitivity  # noqa: E402,F401
from . import coverage as _coverage  # noqa: E402,F401
from . import monitoring as _monitoring  # noqa: E402,F401
