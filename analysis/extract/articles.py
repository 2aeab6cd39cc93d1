"""Articles: plain text, HTML or JSONL of ``{url, published, text}`` -> :class:`Article`.

Character positions (the spans of every extracted row) index ``Article.text``: for a
text file the file's own characters (newlines normalised to ``\\n``), for HTML the text
of the page's paragraphs and headings joined by blank lines.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

from ..schema import InputError

__all__ = ["Article", "read_articles", "html_to_text"]


@dataclass(frozen=True)
class Article:
    """One article: id, text, publication date, URL and outlet (``source``)."""

    article_id: str
    text: str
    published: date
    url: str = ""
    source: str = ""
    title: str = ""


class _TextOf(HTMLParser):
    _BLOCK = {"p", "h1", "h2", "h3", "h4", "li", "blockquote", "div", "br", "tr", "title"}
    _SKIP = {"script", "style", "noscript", "nav", "footer", "header", "aside", "form"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        if tag in self._SKIP:
            self.skip += 1
        if tag == "title":
            self._in_title = True
        if tag in self._BLOCK:
            self.parts.append("\n\n")

    def handle_endtag(self, tag):
        if tag in self._SKIP and self.skip:
            self.skip -= 1
        if tag == "title":
            self._in_title = False
        if tag in self._BLOCK:
            self.parts.append("\n\n")

    def handle_data(self, data):
        if self._in_title:
            self.title += data
            return
        if not self.skip:
            self.parts.append(data)


def html_to_text(html: str) -> tuple[str, str]:
    """``(title, text)`` of an HTML page: block elements become paragraphs.

    Examples
    --------
    >>> html_to_text("<html><title>T</title><p>One <b>two</b>.</p><script>x</script><p>Three.</p></html>")
    ('T', 'One two.\\n\\nThree.')
    """
    p = _TextOf()
    p.feed(html)
    text = "".join(p.parts)
    text = re.sub(r"[ \t\r\f\v]+", " ", text)
    text = re.sub(r" *\n *", "\n", text)
    text = re.sub(r"\n{3,}", "\n\n", text).strip()
    return p.title.strip(), text


def _date(value, *, file, row, column="published") -> date:
    try:
        return date.fromisoformat(str(value)[:10])
    except (TypeError, ValueError):
        raise InputError(f"publication date {value!r} is not an ISO date (YYYY-MM-DD)",
                         file=file, row=row, column=column) from None


def read_articles(paths, *, published=None) -> list[Article]:
    """Read articles from text, HTML or JSONL files.

    Parameters
    ----------
    paths : path or sequence of paths
        ``.jsonl``: one JSON object a line with ``text``, ``published`` (ISO date) and
        optionally ``url``, ``id``, ``source``, ``title``; ``.html``/``.htm``: a web
        page; anything else: plain UTF-8 text.
    published : date or str, optional
        Publication date of text and HTML files (required for them); a JSONL line's
        own ``published`` wins over it.

    Returns
    -------
    list of Article
        In file order; ids are the file stem (JSONL: ``id`` or ``stem-N``).

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> path = Path(tempfile.mkdtemp()) / "synthetic-note.txt"
    >>> _ = path.write_text("SYNTHETIC. Two rockets struck Erbil air base on Monday.")
    >>> (art,) = read_articles([path], published="2024-01-12")
    >>> art.article_id, str(art.published)
    ('synthetic-note', '2024-01-12')
    """
    if isinstance(paths, (str, Path)):
        paths = [paths]
    pub_default = None
    if published is not None:
        pub_default = published if isinstance(published, date) else _date(published, file=None, row=None,
                                                                        column="--published")
    out: list[Article] = []
    for p in map(Path, paths):
        raw = p.read_bytes()
        try:
            content = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise InputError(f"bytes at position {exc.start} are not UTF-8", file=p) from None
        content = content.replace("\r\n", "\n").replace("\r", "\n")
        if p.suffix.lower() == ".jsonl":
            for i, line in enumerate(content.split("\n"), start=1):
                if not line.strip():
                    continue
                try:
                    obj = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise InputError(f"not JSON: {exc.msg}", file=p, row=i) from None
                if not isinstance(obj, dict) or not isinstance(obj.get("text"), str):
                    raise InputError("expected an object with a 'text' string", file=p, row=i, column="text")
                text = obj["text"]
                if obj.get("html"):
                    title, text = html_to_text(text)
                else:
                    title = obj.get("title") or ""
                pub = obj.get("published")
                if pub in (None, ""):
                    if pub_default is None:
                        raise InputError("no publication date: give 'published' or --published",
                                         file=p, row=i, column="published")
                    pubd = pub_default
                else:
                    pubd = _date(pub, file=p, row=i)
                out.append(Article(str(obj.get("id") or f"{p.stem}-{i}"), text, pubd,
                                   str(obj.get("url") or ""), str(obj.get("source") or ""), str(title)))
            continue
        if pub_default is None:
            raise InputError("no publication date for a text or HTML file: give --published DATE", file=p)
        if p.suffix.lower() in (".html", ".htm"):
            title, text = html_to_text(content)
        else:
            title, text = "", content
        out.append(Article(p.stem, text, pub_default, "", "", title))
    return out


def find_article(name: str, *, start=None) -> Path:
    """Path of a shared article kept outside the project, or None.

    Article texts are other people's words and are never committed: tests and the
    notebooks read them from ``$INCIDENT_TRENDS_ARTICLES`` (a folder) or from a
    ``shared/articles`` folder beside the checkout (``../shared/articles`` seen from the
    repository or from ``start`` and its parents).

    >>> find_article("no-such-article.txt") is None
    True
    """
    import os

    dirs = []
    if os.environ.get("INCIDENT_TRENDS_ARTICLES"):
        dirs.append(Path(os.environ["INCIDENT_TRENDS_ARTICLES"]))
    for base in ([Path(start)] if start is not None else []) + [Path.cwd(), Path(__file__).resolve().parents[2]]:
        base = base.resolve()
        dirs.extend(p / "shared" / "articles" for p in [base, *base.parents][:4])
    for d in dirs:
        f = d / name
        if f.is_file():
            return f
    return None

