"""The report spec: a TOML file that says what a report is built from and how.

Example (a shortened form of the bundled ``specs/coalition-attacks.toml``)::

    name = "coalition-attacks"
    title = "Attacks on US-led coalition forces in Iraq, Syria and Jordan"
    seed = 20231017
    questions_title = "Case study: the questions, answered from the data"

    [data]
    reports = ["reports.csv"]          # paths relative to the spec file, or to data_dir
    tallies = ["tallies.csv"]
    events = "events.csv"
    aliases = "aliases.csv"            # place-name aliases for matching reports (optional)
    data_dir = "../data"

    [series]
    freq = "W"
    window = ["2023-10-16", "2024-09-02"]
    source = "tallies+incidents"       # or "incidents" (the default)
    tally_source = "Pentagon"          # the counter whose tallies give the counts where they reach
    tally_since = "2023-10-17"
    noun = "attacks"

    [model]
    family = "negbin"
    events = ["2024-01-28:level"]

    [changepoints]
    method = "pelt"
    penalty = "mbic"
    min_size = 2

    [attribution]
    window_days = 14

    [[compare]]                        # the question sections: analysis.report.sections
    name = "talks"
    event = "2024-07-22"

    [coverage]

The question sections (``[[compare]]``, ``[[sensitivity]]``, ``[alignment]``,
``[model_comparison]``, ``[coverage]``) run only when the spec names them
(:attr:`ReportSpec.given`); their keys are declared next to their code in
:mod:`analysis.report.sections` and registered in the schema.

The spec is checked against a typed schema (:mod:`analysis.report.spec_schema`: types,
ranges, allowed values) before anything is computed or written; every problem names the
spec file, the key and what is allowed, and an unknown key is an error, so a typo never
silently changes a report. Data paths are looked up next to the spec, then in
``data_dir``, then in the bundled ``data/``; a path that resolves outside those folders
(absolute, ``..``, or a symlink) is refused unless ``allow_outside=True``
(``incident-trends report --allow-outside``).
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .spec_schema import SCHEMA, Problem, SpecError

__all__ = ["ReportSpec", "load_spec", "default_spec_path", "SpecError", "MAX_SPEC_BYTES"]

#: A report spec is a short text file; anything larger is refused before it is read.
MAX_SPEC_BYTES = 1 << 20


@dataclass(frozen=True)
class ReportSpec:
    """Everything a report is built from. Paths are resolved to absolute ones.

    Each declared section is an attribute: a dict (``spec.series["freq"]``), or a list
    of dicts for an array of tables (``[[compare]]`` -> ``spec.compare``).
    """

    name: str
    title: str
    seed: int = 0
    description: str = ""
    questions_title: str = "Questions answered from the data"
    sections: dict = field(default_factory=dict)
    path: str | None = None
    #: Sections the spec file names (the question sections run only when named).
    given: frozenset = frozenset()

    def __getattr__(self, item):
        sections = self.__dict__.get("sections", {})
        if item in sections:
            return sections[item]
        raise AttributeError(f"ReportSpec has no section or attribute {item!r}")

    def section(self, name: str) -> dict:
        """The validated values of section ``name`` (defaults filled in)."""
        return self.sections[name]

    def to_dict(self) -> dict:
        import copy
        return {"name": self.name, "title": self.title, "seed": self.seed,
                "description": self.description, "questions_title": self.questions_title,
                **copy.deepcopy(self.sections)}


def default_spec_path() -> Path:
    """The bundled spec (:data:`analysis.datasets.BUNDLED_SPECS`, first entry).

    Examples
    --------
    >>> default_spec_path().name
    'coalition-attacks.toml'
    """
    from ..datasets import bundled_specs
    return bundled_specs()[0]


def _inside(p: Path, roots) -> bool:
    return any(p == r or r in p.parents for r in roots)


class _Paths:
    """Resolution and confinement of the spec's path keys."""

    def __init__(self, spec_dir: Path, data_dir, allow_outside: bool):
        from ..datasets import data_path
        self.spec_dir = spec_dir.resolve()
        self.bundled = Path(data_path()).resolve()
        self.allow_outside = allow_outside
        self.caller_dir = Path(data_dir).resolve() if data_dir is not None else None
        self.data_dir = self.caller_dir

    @property
    def bases(self) -> list[Path]:
        return [b for b in (self.spec_dir, self.data_dir, self.bundled) if b is not None]

    @property
    def roots(self) -> list[Path]:
        return [b for b in (self.spec_dir, self.caller_dir, self.data_dir, self.bundled) if b is not None]

    def _allowed(self) -> str:
        return ("files inside " + ", ".join(dict.fromkeys(str(r) for r in self.roots))
                + " (or pass --allow-outside)")

    def resolve(self, value: str, key: str, *, folder: bool = False) -> tuple[str | None, Problem | None]:
        raw = Path(os.path.expanduser(value)) if value.startswith("~") else Path(value)
        cand = [raw] if raw.is_absolute() else [b / raw for b in (self.bases if not folder
                                                                    else [self.spec_dir])]
        found = next((c for c in cand if c.exists()), None)
        if found is None:
            where = "" if raw.is_absolute() else " (looked in " + ", ".join(str(b) for b in self.bases) + ")"
            return None, Problem(key, f"{value!r} not found{where}",
                                 "an existing folder" if folder else "an existing file")
        real = found.resolve()
        if not self.allow_outside and not _inside(real, self.roots):
            return None, Problem(key, f"{value!r} resolves to {real}, outside the spec's folder and the "
                                      "data folder", self._allowed())
        if folder and not real.is_dir():
            return None, Problem(key, f"{value!r} is not a folder", "an existing folder")
        if not folder and real.is_dir():
            return None, Problem(key, f"{value!r} is a folder, not a file", "an existing file")
        return str(real), None


def load_spec(path=None, *, data_dir=None, allow_outside: bool = False) -> ReportSpec:
    """Read a report spec and validate it against :data:`analysis.report.spec_schema.SCHEMA`.

    Parameters
    ----------
    path : path-like, optional
        The TOML file; the bundled case study when omitted.
    data_dir : path-like, optional
        Where relative data paths are looked up (after the spec's own folder; relative to
        the current folder). Overrides the spec's ``[data] data_dir`` (relative to the
        spec's folder); the package's bundled ``data/`` is searched last.
    allow_outside : bool, default False
        Accept data paths that resolve outside the spec's folder, ``data_dir`` and the
        bundled ``data/``.

    Raises
    ------
    SpecError
        (an :class:`~analysis.schema.InputError`) listing every problem, each with the
        spec file, the key and the allowed values. Nothing is written before this check.

    Examples
    --------
    >>> spec = load_spec()                      # the bundled case study
    >>> spec.name, spec.series["freq"], spec.series["source"]
    ('coalition-attacks', 'W', 'tallies+incidents')
    """
    path = Path(path) if path is not None else default_spec_path()
    file = str(path)
    try:
        size = path.stat().st_size
        if size > MAX_SPEC_BYTES and path.is_file():
            raise SpecError([Problem("", f"{size} bytes is too large for a report spec",
                                     f"at most {MAX_SPEC_BYTES} bytes")], file=file)
        data = path.read_bytes()
    except FileNotFoundError:
        raise SpecError([Problem("", "report spec not found")], file=file) from None
    except IsADirectoryError:
        raise SpecError([Problem("", "is a folder, not a report spec (TOML file)")], file=file) from None
    except OSError as exc:
        raise SpecError([Problem("", f"cannot read the report spec: {exc.strerror}")], file=file) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise SpecError([Problem("", f"not UTF-8 text: byte 0x{data[exc.start]:02x} on line {line} "
                                     f"(offset {exc.start})", "a TOML file saved as UTF-8")],
                        file=file) from None
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SpecError([Problem("", f"not valid TOML: {exc}")], file=file) from None
    except RecursionError:
        raise SpecError([Problem("", "not valid TOML for a report spec: nested too deeply")],
                        file=file) from None

    top, sections, problems = SCHEMA.validate(raw)
    if not problems:
        problems = _resolve_paths(sections, _Paths(path.parent, data_dir, allow_outside))
    if problems:
        raise SpecError(problems, file=file)
    return ReportSpec(name=top["name"], title=top["title"], seed=top["seed"],
                      description=top["description"], questions_title=top["questions_title"],
                      sections=sections, path=str(path.resolve()),
                      given=frozenset(k for k in raw if k in sections))


def _resolve_paths(sections: dict, paths: _Paths) -> list[Problem]:
    """Resolve every path key in place (``data.data_dir`` first; it is then dropped)."""
    problems = []
    data = sections.get("data", {})
    ddir = data.pop("data_dir", None)
    if ddir is not None and paths.caller_dir is None:
        got, p = paths.resolve(ddir, "data.data_dir", folder=True)
        if p:
            return [p]
        paths.data_dir = Path(got)
    for sec, key in SCHEMA.path_keys():
        if sec.name == "" or (sec.name == "data" and key.name == "data_dir"):
            continue
        blocks = sections.get(sec.name)
        blocks = blocks if sec.many else [blocks]
        for i, block in enumerate(blocks or []):
            prefix = f"{sec.name}[{i}]." if sec.many else f"{sec.name}."
            value = block.get(key.name)
            if value is None:
                continue
            if key.kind == "paths":
                out = []
                for j, v in enumerate(value):
                    got, p = paths.resolve(v, f"{prefix}{key.name}[{j}]")
                    problems += [p] if p else []
                    out.append(got)
                block[key.name] = out
            else:
                got, p = paths.resolve(value, prefix + key.name)
                problems += [p] if p else []
                block[key.name] = got
    return problems
