"""The report document model and its rendering to HTML, Markdown, CSV and LaTeX.

A report is a list of :class:`Section` objects, each with paragraphs, notes, figures
and tables. Rendering never trusts text: the HTML template runs with Jinja2's
autoescape on, and the Markdown renderer escapes HTML characters and table pipes, so
an event label such as ``<script>alert(1)</script>`` shows as text everywhere.
"""

from __future__ import annotations

import base64
import functools
import html
import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

__all__ = ["Figure", "Table", "Ref", "Section", "Document", "render_html", "render_markdown",
           "write_table"]


@dataclass
class Figure:
    key: str
    caption: str
    png_path: str | None = None
    #: Position in the document (1, 2, ...), set by :class:`Document`.
    number: int = 0

    @property
    def png_base64(self) -> str:
        return base64.b64encode(Path(self.png_path).read_bytes()).decode("ascii")


@dataclass
class Table:
    key: str
    caption: str
    frame: pd.DataFrame
    digits: int = 3
    #: Columns shown in HTML, Markdown and LaTeX (default: all); the CSV keeps every column.
    show: tuple | None = None
    #: Position in the document (1, 2, ...), set by :class:`Document`.
    number: int = 0
    #: False: the document shows the caption with the links to the CSV and LaTeX files only
    #: (a long table whose rows the section already gives in another form).
    inline: bool = True

    @property
    def view(self) -> pd.DataFrame:
        return self.frame if self.show is None else self.frame.loc[:, list(self.show)]

    def formatted(self) -> pd.DataFrame:
        df = self.view.copy()
        for c in df.columns:
            s = df[c]
            if pd.api.types.is_float_dtype(s):
                df[c] = s.map(lambda v: "" if pd.isna(v) else _fmt_num(v, self.digits))
            elif pd.api.types.is_datetime64_any_dtype(s):
                df[c] = s.dt.strftime("%Y-%m-%d").fillna("")
            else:
                df[c] = s.map(lambda v: "" if v is None or (isinstance(v, float) and pd.isna(v)) else str(v))
        return df

    @property
    def columns(self) -> list[str]:
        return [str(c) for c in self.view.columns]

    @property
    def text_columns(self) -> set[str]:
        return {str(c) for c in self.view.columns
                if not pd.api.types.is_numeric_dtype(self.view[c])}

    @functools.cached_property
    def short_columns(self) -> set[str]:
        """Columns whose cells are at most 12 characters (dates, ids, numbers): kept on one line."""
        f = self.formatted()
        f.columns = self.columns
        return {c for c in self.columns if f[c].astype(str).str.len().max() <= 12} if len(f) else set()

    def css_class(self, column: str) -> str:
        """``text`` or ``num`` (alignment), plus ``short`` for columns never wrapped."""
        cls = "text" if column in self.text_columns else "num"
        return cls + (" short" if column in self.short_columns else "")

    @property
    def rows(self) -> list[dict]:
        f = self.formatted()
        f.columns = self.columns
        return f.to_dict("records")

    @property
    def markdown(self) -> str:
        f = self.formatted()
        esc = lambda v: _md_escape(str(v)).replace("|", "\\|")  # noqa: E731
        head = "| " + " | ".join(esc(c) for c in self.columns) + " |"
        sep = "| " + " | ".join("---" for _ in self.columns) + " |"
        body = ["| " + " | ".join(esc(v) for v in row) + " |" for row in f.itertuples(index=False)]
        return "\n".join([head, sep, *body])


def _fmt_num(v: float, digits: int) -> str:
    if float(v).is_integer() and abs(v) < 1e15:
        return f"{int(v):d}"
    if abs(v) >= 1e5 or (0 < abs(v) < 10 ** -digits):
        return f"{v:.{digits}g}"
    return f"{v:.{digits}f}"


_MD_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_[]"})


def _md_escape(text: str) -> str:
    """Text as Markdown shows it literally: HTML characters escaped, and the characters
    that start emphasis, code or links (``\\ ` * _ [ ]``) backslash-escaped, so a label
    like ``[x](javascript:...)`` or ``![](http://...)`` stays text."""
    return html.escape(text, quote=False).translate(_MD_SPECIAL)


@dataclass
class Ref:
    """A list item with an optional link (references, sources)."""

    text: str
    url: str | None = None

    @property
    def href(self) -> str | None:
        """The URL when it is a web address (http or https); anything else is not linked."""
        u = (self.url or "").strip()
        return u if u.lower().startswith(("http://", "https://")) else None


@dataclass
class Section:
    key: str
    title: str
    paragraphs: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    refs: list[Ref] = field(default_factory=list)


@dataclass
class Document:
    """Sections in order; figures and tables numbered in the order they appear."""

    title: str
    subtitle: str
    sections: list[Section]
    provenance: dict
    #: Formats every figure is saved in (linked under each figure).
    figure_formats: tuple = ("png",)
    #: Interactive versions of figures: figure key -> Vega-Lite spec as script-safe JSON
    #: (:func:`analysis.report.interactive.script_json`); empty for none.
    interactive: dict = field(default_factory=dict)
    #: The Vega + Vega-Lite + Vega-Embed JavaScript inlined when ``interactive`` is not empty.
    vega_js: str = ""

    def __post_init__(self):
        nf = nt = 0
        for sec in self.sections:
            for f in sec.figures:
                nf += 1
                f.number = nf
            for t in sec.tables:
                nt += 1
                t.number = nt
        seen = set()
        for sec in self.sections:           # repeated paragraphs are a defect: keep the first
            keep = []
            for p in sec.paragraphs:
                if p not in seen:
                    keep.append(p)
                    seen.add(p)
            sec.paragraphs = keep

    @property
    def toc(self) -> list[tuple[str, str]]:
        """(anchor, title) of every section, provenance last."""
        return [(s.key, s.title) for s in self.sections] + [("provenance", "Provenance")]

    @property
    def parameters_json(self) -> str:
        return json.dumps(self.provenance.get("parameters", {}), indent=2, sort_keys=True, default=str)


def _env(autoescape: bool):
    import jinja2
    return jinja2.Environment(
        loader=jinja2.PackageLoader("analysis.report", "templates"),
        autoescape=autoescape,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=False,
    )


def render_html(doc: Document) -> str:
    """Self-contained HTML (figures embedded as base64 PNG), autoescaped."""
    return _env(autoescape=True).get_template("report.html.j2").render(doc=doc)


class _MdText(str):
    pass


def render_markdown(doc: Document) -> str:
    """Markdown with HTML characters escaped in every piece of text."""
    env = _env(autoescape=False)
    env.finalize = lambda v: _md_escape(v) if isinstance(v, str) and not isinstance(v, _MdText) else v
    # tables are pre-escaped; mark them so finalize leaves them alone
    for sec in doc.sections:
        for t in sec.tables:
            t.__dict__["_md"] = _MdText(t.markdown)
    tmpl = env.get_template("report.md.j2")
    out = tmpl.render(doc=_MdDoc(doc))
    while "\n\n\n" in out:
        out = out.replace("\n\n\n", "\n\n")
    return out


class _MdDoc:
    """View of a Document whose table markdown is marked as already escaped."""

    def __init__(self, doc):
        self._doc = doc

    def __getattr__(self, name):
        if name == "sections":
            return [_MdSection(s) for s in self._doc.sections]
        return getattr(self._doc, name)


class _MdSection:
    def __init__(self, sec):
        self._sec = sec

    def __getattr__(self, name):
        if name == "tables":
            return [_MdTable(t) for t in self._sec.tables]
        return getattr(self._sec, name)


class _MdTable:
    def __init__(self, t):
        self._t = t

    def __getattr__(self, name):
        if name == "markdown":
            return _MdText(self._t.markdown)
        return getattr(self._t, name)


def write_table(table: Table, folder) -> list[Path]:
    """Write a table as CSV (full precision) and LaTeX (formatted, escaped)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    csv = folder / f"{table.key}.csv"
    table.frame.to_csv(csv, index=False, lineterminator="\n", float_format="%.10g")
    tex = folder / f"{table.key}.tex"
    f = table.formatted()
    f.columns = table.columns
    cols = "".join("l" if c in table.text_columns else "r" for c in table.columns)
    def esc(s):
        rep = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#",
               "_": r"\_", "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
               "<": r"\textless{}", ">": r"\textgreater{}"}
        return "".join(rep.get(ch, ch) for ch in str(s))
    lines = [r"\begin{tabular}{" + cols + "}", r"\hline",
             " & ".join(esc(c) for c in table.columns) + r" \\", r"\hline"]
    lines += [" & ".join(esc(v) for v in row) + r" \\" for row in f.itertuples(index=False)]
    lines += [r"\hline", r"\end{tabular}", ""]
    tex.write_text("\n".join(lines), encoding="utf-8")
    return [csv, tex]
