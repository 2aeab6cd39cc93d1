"""``incident-trends extract``: news articles -> candidate tables with spans and a review file.

::

    incident-trends extract ARTICLE... [--published DATE] [--url URL] [--source OUTLET]
        [--places FILE]... [--assume-since DATE] --out DIR

ARTICLE is plain text, HTML (``.html``/``.htm``) or JSONL (``.jsonl``: one
``{"url", "published", "text"}`` object a line). DIR receives ``reports.csv``,
``tallies.csv``, ``events.csv`` (canonical columns plus spans), ``rejected.csv`` (what
was left out and why), ``review.csv`` (mark each row accept, reject or edit) and
``review.html`` (the articles with every span highlighted). Then
``incident-trends normalize --reviewed DIR/review.csv ...`` counts the accepted rows.
"""

from __future__ import annotations

import argparse
from datetime import date


def _iso(value: str) -> str:
    try:
        date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an ISO date YYYY-MM-DD, not {value!r}") from None
    return value


def add_parser(sub):
    p = sub.add_parser(
        "extract", help="news text -> candidate reports, tallies and events with spans, for review",
        description="Read articles (text, HTML or JSONL of {url, published, text}) into candidate rows of "
                    "the reports, tallies and events tables, each with the span of text that supports "
                    "it, and write a review file (review.csv + review.html).")
    p.add_argument("articles", nargs="+", metavar="ARTICLE", help="text, HTML or JSONL file(s)")
    p.add_argument("--published", type=_iso, metavar="DATE",
                   help="publication date of text and HTML files (JSONL lines carry their own)")
    p.add_argument("--url", metavar="URL", help="source URL of a single text or HTML article")
    p.add_argument("--source", metavar="OUTLET", help="outlet of the text or HTML articles (e.g. AFP)")
    p.add_argument("--places", action="append", default=[], metavar="FILE",
                   help="extra gazetteer CSV (place, alias, country, kind, source_url); repeatable")
    p.add_argument("--assume-since", type=_iso, metavar="DATE",
                   help="start of tallies that state none (e.g. 2023-10-17); without it they are rejected")
    p.add_argument("--out", required=True, metavar="DIR", help="folder for the tables and the review file")
    return p


def run(args):
    import dataclasses

    from ..extract import extract, read_articles
    from ..schema import InputError

    arts = read_articles(args.articles, published=args.published)
    if args.url:
        if len(arts) != 1:
            raise InputError(f"--url names one article but {len(arts)} were read; use JSONL with a url per line")
        arts = [dataclasses.replace(arts[0], url=args.url)]
    if args.source:
        arts = [a if a.source else dataclasses.replace(a, source=args.source) for a in arts]
    ex = extract(arts, places=args.places, assume_since=args.assume_since)
    summary = ex.summary()
    summary["outputs"] = ex.write(args.out)
    return summary


def render_text(res: dict) -> str:
    from .._format import plural
    lines = [f"read {plural(res['articles'], 'article')}: {plural(res['reports'], 'report')} of "
             f"{plural(res['incidents'], 'incident')}, {plural(res['tallies'], 'tally', 'tallies')}, "
             f"{plural(res['events'], 'event')}"]
    for rule, k in res["rejected"].items():
        lines.append(f"left out {plural(k, 'sentence')}: {rule}")
    lines.append(f"review {res['outputs']['review']} (and {res['outputs']['review_html']}); then "
                 f"normalize --reviewed {res['outputs']['review']}")
    return "\n".join(lines)
