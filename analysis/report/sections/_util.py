"""Helpers shared by the section modules: spec errors, the series' unit and noun."""

from __future__ import annotations

from ...schema import InputError
from ..render import Table


def spec_error(spec, msg: str, key: str) -> InputError:
    """An InputError naming the spec file and the key (``compare[2].event``)."""
    return InputError(msg, file=spec.path or "<spec>", column=key)


def noun_of(spec) -> str:
    return spec.series.get("noun") or "events"


def table(key: str, caption: str, frame, *, hide=()) -> Table:
    """A report table without its all-empty columns (the CSV keeps the rest)."""
    frame = frame.loc[:, [c for c in frame.columns if frame[c].notna().any()]].reset_index(drop=True)
    show = tuple(c for c in frame.columns if c not in set(hide)) if hide else None
    return Table(key, caption, frame, show=show)
