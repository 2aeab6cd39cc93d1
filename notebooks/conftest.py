"""nbval: ``06-from-news-to-series`` needs the seed article, which is kept outside the project
(AFP's text, ``../shared/articles/seed-article.txt`` or ``$INCIDENT_TRENDS_ARTICLES``); where it is
absent that notebook is skipped with the reason, as ``tests/test_extract_seed.py`` is."""

import pytest


def pytest_collection_modifyitems(config, items):
    from analysis.extract import find_article

    if find_article("seed-article.txt") is not None:
        return
    skip = pytest.mark.skip(reason="seed article not found (../shared/articles/seed-article.txt or "
                                   "$INCIDENT_TRENDS_ARTICLES): AFP's text is kept outside the project")
    for item in items:
        if "06-from-news-to-series" in str(getattr(item, "fspath", "")):
            item.add_marker(skip)
