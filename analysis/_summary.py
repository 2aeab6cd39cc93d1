"""A header and a table that render as text, Markdown and HTML (notebooks); never print.

The ``summary()`` of every result object returns one of these, so a researcher gets the same
layout everywhere: ``print(x.summary())`` in a script, the HTML table in Jupyter, and
``as_markdown()`` for a report.
"""

from __future__ import annotations

import html

import pandas as pd


def _cell(v) -> str:
    if isinstance(v, float):
        return f"{v:.4g}"
    return str(v)


class Summary:
    """A header line, an optional table and optional notes.

    Examples
    --------
    >>> import pandas as pd
    >>> s = Summary("two rows", pd.DataFrame({"a": [1.5, 2.25]}), notes=["rounded"])
    >>> print(s)
    two rows
       a
     1.5
    2.25
    rounded
    >>> print(s.as_markdown())
    two rows
    <BLANKLINE>
    | a |
    |---|
    | 1.5 |
    | 2.25 |
    <BLANKLINE>
    rounded
    """

    def __init__(self, header: str, table: pd.DataFrame | None = None, notes=()):
        self.header = header
        self._table = table
        self.notes = tuple(notes)

    def table(self) -> pd.DataFrame:
        """The table (an empty frame when there is none)."""
        return self._table if self._table is not None else pd.DataFrame()

    def as_text(self) -> str:
        parts = [self.header]
        if self._table is not None and len(self._table.columns):
            parts.append(self._table.to_string(index=False, float_format=lambda v: f"{v:.4g}"))
        parts += list(self.notes)
        return "\n".join(parts)

    def as_markdown(self) -> str:
        parts = [self.header]
        t = self._table
        if t is not None and len(t.columns):
            head = "| " + " | ".join(map(str, t.columns)) + " |\n|" + "---|" * len(t.columns)
            body = "\n".join("| " + " | ".join(_cell(v) for v in row) + " |"
                             for row in t.itertuples(index=False))
            parts.append(f"{head}\n{body}" if body else head)
        parts += list(self.notes)
        return "\n\n".join(parts)

    def _repr_html_(self) -> str:
        out = f"<p>{html.escape(self.header)}</p>"
        if self._table is not None and len(self._table.columns):
            out += self._table.to_html(index=False, float_format=lambda v: f"{v:.4g}")
        out += "".join(f"<p><small>{html.escape(n)}</small></p>" for n in self.notes)
        return out

    def __str__(self) -> str:
        return self.as_text()

    def __repr__(self) -> str:
        return self.as_text()
