"""The report spec: a TOML file that says what a report is built from and how.

Example (the bundled case study, ``analysis/report/case_study.toml``)::

    name = "coalition-attacks"
    title = "Attacks on US-led coalition forces in Iraq, Syria and Jordan"
    seed = 20231017

    case_study = true                  # the case-study series and answers (analysis.casestudy)

    [data]
    reports = ["reports.csv"]          # paths relative to the spec file, or to data_dir
    tallies = ["tallies.csv"]
    events = "events.csv"

    [series]
    freq = "W"
    window = ["2023-10-16", "2024-09-02"]
    allocate = "start"
    groups = []

    [model]
    family = "negbin"
    trend = false
    events = ["2024-01-28:level"]

    [changepoints]
    method = "pelt"
    cost = "poisson"
    penalty = "mbic"
    min_size = 2

    [attribution]
    window_days = 14
    draws = 9999

    [outputs]
    figure_formats = ["png", "svg", "pdf"]

Unknown keys are an error that names the key and the allowed ones, so a typo never
silently changes a report.
"""

from __future__ import annotations

import tomllib
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ..schema import InputError

__all__ = ["ReportSpec", "load_spec", "default_spec_path"]

_SECTIONS: dict[str, dict[str, Any]] = {
    "data": {"reports": [], "tallies": [], "events": None, "data_dir": None},
    "series": {"freq": "W", "window": None, "allocate": "start", "groups": [],
               "window_days": 1, "tally_rule": "latest", "tally_source": "Pentagon"},
    "model": {"family": "negbin", "trend": False, "seasonality": None, "events": [],
              "cov_type": "nonrobust"},
    "changepoints": {"method": "pelt", "cost": "poisson", "penalty": "mbic", "min_size": 2,
                     "bayes": True, "p_change": 0.02},
    "attribution": {"window_days": 14, "draws": 9999},
    "outputs": {"figure_formats": ["png", "svg", "pdf"], "dpi": 150},
}
_TOP = {"name", "title", "seed", "description", "case_study"}


@dataclass(frozen=True)
class ReportSpec:
    """Everything a report is built from. Paths are resolved to absolute ones."""

    name: str
    title: str
    seed: int = 0
    description: str = ""
    case_study: bool = False
    data: dict = field(default_factory=dict)
    series: dict = field(default_factory=dict)
    model: dict = field(default_factory=dict)
    changepoints: dict = field(default_factory=dict)
    attribution: dict = field(default_factory=dict)
    outputs: dict = field(default_factory=dict)
    path: str | None = None

    def to_dict(self) -> dict:
        d = asdict(self)
        d.pop("path")
        return d


def default_spec_path() -> Path:
    """The bundled case-study spec."""
    return Path(__file__).with_name("case_study.toml")


def _resolve(p, bases: list[Path], file: str, key: str) -> str:
    cand = [Path(p)] if Path(p).is_absolute() else [b / p for b in bases]
    for c in cand:
        if c.exists():
            return str(c.resolve())
    raise InputError(f"data file {p!r} not found (looked in {', '.join(str(b) for b in bases)})",
                     file=file, column=key)


def load_spec(path=None, *, data_dir=None) -> ReportSpec:
    """Read and validate a report spec.

    Parameters
    ----------
    path : path-like, optional
        The TOML file; the bundled case study when omitted.
    data_dir : path-like, optional
        Where relative data paths are looked up (after the spec's own folder). Defaults
        to the spec's ``[data] data_dir`` or the package's bundled ``data/``.
    """
    path = Path(path) if path is not None else default_spec_path()
    file = str(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError("report spec not found", file=file) from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"not valid TOML: {exc}", file=file) from None
    unknown = set(raw) - _TOP - set(_SECTIONS)
    if unknown:
        raise InputError(f"unknown key(s) {sorted(unknown)}; allowed: {sorted(_TOP | set(_SECTIONS))}",
                         file=file)
    for k in ("name", "title"):
        if not isinstance(raw.get(k), str) or not raw[k].strip():
            raise InputError(f"{k!r} must be a non-empty string", file=file, column=k)
    name = raw["name"]
    if not all(c.isalnum() or c in "-_" for c in name):
        raise InputError(f"name {name!r} may hold only letters, digits, '-' and '_' (it names a folder)",
                         file=file, column="name")
    sections = {}
    for sec, defaults in _SECTIONS.items():
        given = raw.get(sec, {})
        if not isinstance(given, dict):
            raise InputError(f"[{sec}] must be a table", file=file, column=sec)
        bad = set(given) - set(defaults)
        if bad:
            raise InputError(f"unknown key(s) {sorted(bad)} in [{sec}]; allowed: {sorted(defaults)}",
                             file=file, column=sec)
        sections[sec] = {**defaults, **given}
    d = sections["data"]
    bases = [path.parent.resolve()]
    ddir = data_dir or d.get("data_dir")
    if ddir:
        bases.append((path.parent / ddir).resolve() if not Path(ddir).is_absolute() else Path(ddir))
    from ..datasets import data_path
    bases.append(Path(data_path()).resolve())
    for key in ("reports", "tallies"):
        vals = d[key] if isinstance(d[key], list) else [d[key]]
        d[key] = [_resolve(v, bases, file, f"data.{key}") for v in vals]
    if d["events"]:
        d["events"] = _resolve(d["events"], bases, file, "data.events")
    d.pop("data_dir", None)
    return ReportSpec(name=name, title=raw["title"], seed=int(raw.get("seed", 0)),
                      description=raw.get("description", ""),
                      case_study=bool(raw.get("case_study", False)), path=str(path.resolve()), **sections)
