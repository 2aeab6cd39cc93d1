"""``extract``: articles -> candidate ``reports``, ``tallies`` and ``events`` tables with spans.

Every candidate row has the canonical columns its reader validates plus

``source_url``
    the article's URL;
``x_article``
    the article id;
``x_span_start``, ``x_span_end``, ``x_span_text``
    the characters ``[start, end)`` of the article text that support the row (the
    exact text in ``x_span_text``);
``x_extraction_rule``
    the rule that made it (:mod:`analysis.extract.rules`);
``x_confidence``
    a rule-based confidence in ``[0, 1]``: lower where a field was inherited from a
    neighbouring sentence or a date had to be assumed.

Nothing here is counted: the rows go to a review file first
(:func:`analysis.extract.review.write_review`), and only reviewed rows (or all of them,
with an explicit ``accept_all``) enter :func:`analysis.normalize.normalize`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd

from .articles import Article, read_articles
from .gazetteer import Gazetteer
from .rules import extract_article

__all__ = ["Extraction", "extract", "REVIEW_SPAN_COLUMNS"]

REVIEW_SPAN_COLUMNS = ("x_article", "x_span_start", "x_span_end", "x_span_text", "x_extraction_rule",
                       "x_confidence")
_REPORT_COLS = ("report_id", "incident_id", "date_start", "date_end", "date_precision", "country", "location",
                "actor", "weapon", "projectiles", "fatalities", "injuries", "source", "source_url", "notes")
_TALLY_COLS = ("tally_id", "since", "as_of", "count", "bound", "region", "source", "outlet", "source_url", "notes")
_EVENT_COLS = ("event_id", "date", "end_date", "kind", "label", "source_url")
_REJECT_COLS = ("x_article", "source_url", "x_span_start", "x_span_end", "x_span_text", "x_extraction_rule",
                "reason")


@dataclass(frozen=True)
class Extraction:
    """Candidate tables and the rejected sentences of a set of articles.

    Attributes
    ----------
    reports, tallies, events : pandas.DataFrame
        Canonical columns plus ``x_*`` span columns (see the module docstring).
    rejected : pandas.DataFrame
        Sentences with attack vocabulary that gave no row: span, rule and reason.
    articles : tuple of Article
    """

    reports: pd.DataFrame
    tallies: pd.DataFrame
    events: pd.DataFrame
    rejected: pd.DataFrame
    articles: tuple

    def write(self, out_dir) -> dict:
        """Write ``reports.csv``, ``tallies.csv``, ``events.csv``, ``rejected.csv``,
        ``review.csv`` and ``review.html`` into ``out_dir``; returns the paths."""
        from .._atomic import atomic_write_text
        from .review import review_frame, review_html

        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        paths = {}
        for name in ("reports", "tallies", "events", "rejected"):
            p = out / f"{name}.csv"
            atomic_write_text(p, _csv(getattr(self, name)))
            paths[name] = str(p)
        p = out / "review.csv"
        atomic_write_text(p, _csv(review_frame(self)))
        paths["review"] = str(p)
        p = out / "review.html"
        atomic_write_text(p, review_html(self))
        paths["review_html"] = str(p)
        return paths

    def summary(self) -> dict:
        """Counts of articles, candidates per table, incidents and rejections by rule."""
        return {
            "articles": len(self.articles),
            "reports": int(len(self.reports)),
            "incidents": int(self.reports["incident_id"].nunique()) if len(self.reports) else 0,
            "tallies": int(len(self.tallies)),
            "events": int(len(self.events)),
            "rejected": {str(k): int(v) for k, v in
                         self.rejected["x_extraction_rule"].value_counts().sort_index().items()},
        }


def _csv(frame: pd.DataFrame) -> str:
    return frame.to_csv(index=False, lineterminator="\n", date_format="%Y-%m-%d")


def _iso(d):
    return None if d is None else d.isoformat()


def extract(articles, *, published=None, gazetteer: Gazetteer | None = None, places=(),
            assume_since: date | str | None = None) -> Extraction:
    """Read articles into candidate reports, tallies and events, each with its span.

    Parameters
    ----------
    articles : path, sequence of paths, Article or sequence of Article
        Plain text, HTML or JSONL files (see :func:`analysis.extract.read_articles`),
        or :class:`Article` objects.
    published : date or str, optional
        Publication date of text and HTML files.
    gazetteer : Gazetteer, optional
        Default: :meth:`Gazetteer.load` extended with ``places``.
    places : sequence of path
        Extra gazetteer files (columns ``place, alias, country, kind, source_url``).
    assume_since : date or str, optional
        Start of tallies that state no start ("attacked more than 150 times"). Without
        it such a count is rejected with its reason.

    Returns
    -------
    Extraction

    Examples
    --------
    >>> from analysis.extract import Article, extract
    >>> from datetime import date
    >>> art = Article("synthetic-1", "Two rockets struck Erbil air base on Monday, injuring one soldier.",
    ...               date(2024, 1, 10), "https://example.org/synthetic-1")
    >>> r = extract([art]).reports
    >>> print(r[["date_start", "country", "location", "weapon", "projectiles", "injuries"]].iloc[0].to_string())
    date_start     2024-01-08
    country              Iraq
    location            Erbil
    weapon             rocket
    projectiles             2
    injuries                1
    >>> r.x_span_text.iloc[0][:25]
    'Two rockets struck Erbil '
    """
    if isinstance(articles, Article):
        articles = [articles]
    if isinstance(articles, (str, Path)):
        articles = [articles]
    arts = []
    files = [a for a in articles if not isinstance(a, Article)]
    if files:
        arts.extend(read_articles(files, published=published))
    arts = [a for a in articles if isinstance(a, Article)] + arts
    if isinstance(assume_since, str):
        assume_since = date.fromisoformat(assume_since)
    gaz = gazetteer if gazetteer is not None else Gazetteer.load(extra=places)
    seen = set()
    for a in arts:
        if a.article_id in seen:
            raise ValueError(f"two articles share the id {a.article_id!r}; ids must be unique")
        seen.add(a.article_id)
    rows = {"reports": [], "tallies": [], "events": []}
    rejected = []
    for art in arts:
        cands, rej = extract_article(art, gaz, assume_since=assume_since)
        counters = {"reports": 0, "tallies": 0, "events": 0}
        url = art.url or f"file:{art.article_id}"
        for c in cands:
            counters[c.table] += 1
            k = counters[c.table]
            f = dict(c.fields)
            span = {"x_article": art.article_id, "x_span_start": c.start, "x_span_end": c.end,
                    "x_span_text": c.text, "x_extraction_rule": c.rule, "x_confidence": c.confidence}
            if c.table == "reports":
                row = {"report_id": f"{art.article_id}-R{k}", "actor": None, "source": art.source or None,
                       "source_url": url, **f}
                row["date_start"], row["date_end"] = _iso(row["date_start"]), _iso(row["date_end"])
                row["x_background"] = bool(row.get("x_background"))
            elif c.table == "tallies":
                row = {"tally_id": f"{art.article_id}-T{k}", "source_url": url, **f}
                row["since"], row["as_of"] = _iso(row["since"]), _iso(row["as_of"])
            else:
                row = {"event_id": f"{art.article_id}-E{k}", "source_url": url, **f}
                row["date"], row["end_date"] = _iso(row["date"]), _iso(row["end_date"])
            row.update(span)
            rows[c.table].append(row)
        for r in rej:
            rejected.append({"x_article": art.article_id, "source_url": url, "x_span_start": r.start,
                             "x_span_end": r.end, "x_span_text": r.text, "x_extraction_rule": r.rule,
                             "reason": r.reason})
    frames = {}
    for table, cols in (("reports", _REPORT_COLS), ("tallies", _TALLY_COLS), ("events", _EVENT_COLS)):
        df = pd.DataFrame(rows[table])
        extra = [c for c in df.columns if c.startswith("x_") and c not in REVIEW_SPAN_COLUMNS]
        order = list(cols) + extra + list(REVIEW_SPAN_COLUMNS)
        df = df.reindex(columns=order)
        for c in ("projectiles", "fatalities", "injuries", "count"):
            if c in df:
                df[c] = df[c].astype("Int64")
        for c in ("x_span_start", "x_span_end"):
            df[c] = df[c].astype("Int64")
        frames[table] = df
    rej = pd.DataFrame(rejected).reindex(columns=list(_REJECT_COLS))
    for c in ("x_span_start", "x_span_end"):
        rej[c] = rej[c].astype("Int64")
    return Extraction(frames["reports"], frames["tallies"], frames["events"], rej, tuple(arts))
