"""News text -> candidate incident reports, tallies and events, with spans, for review.

The stage upstream of :mod:`analysis.io`: its tables have the canonical columns the
readers validate, plus the span of text that supports each row, so that a researcher
can check every candidate against the words before anything is counted.

>>> from analysis.extract import Article, extract
>>> from datetime import date
>>> text = ("Three rockets were fired at al-Tanf on Sunday, without causing any injuries. "
...         "U.S. forces have been attacked at least 60 times since October 17.")
>>> ex = extract([Article("synthetic-doc", text, date(2023, 11, 14), "https://example.org/s")])
>>> print(ex.reports[["date_start", "location", "projectiles", "fatalities"]].iloc[0].to_string())
date_start     2023-11-12
location          al-Tanf
projectiles             3
fatalities              0
>>> print(ex.tallies[["since", "as_of", "count", "bound"]].iloc[0].to_string())
since    2023-10-17
as_of    2023-11-14
count            60
bound      at_least

Modules: :mod:`~analysis.extract.articles` (reading text, HTML, JSONL),
:mod:`~analysis.extract.gazetteer` (places), :mod:`~analysis.extract.timex` (dates),
:mod:`~analysis.extract.numbers`, :mod:`~analysis.extract.rules` (the rules, in order),
:mod:`~analysis.extract.review` (the review file and reading it back).
"""

from .articles import Article, find_article, html_to_text, read_articles
from .core import Extraction, extract
from .gazetteer import Gazetteer, Place
from .review import Reviewed, annotate_ledger, read_review, review_frame, review_html

__all__ = ["Article", "find_article", "read_articles", "html_to_text", "Extraction", "extract", "Gazetteer", "Place",
           "Reviewed", "read_review", "annotate_ledger", "review_frame", "review_html"]
