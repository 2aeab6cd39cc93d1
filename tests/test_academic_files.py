"""LICENSE and CITATION.cff agree with pyproject.toml and carry what CFF 1.2.0 requires.

The full schema check was run with ``cffconvert --validate`` (it needs an older jsonschema than
the notebooks' stack, so it is not a test dependency); these tests keep the file honest between
releases: the keys the schema requires, their types, and the values that must match the package.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


@pytest.fixture(scope="module")
def cff() -> dict:
    return yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))


def test_licence_is_the_mit_text_pyproject_declares(project):
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert project["license"] == "MIT"
    assert text.startswith("MIT License\n")
    assert "Permission is hereby granted, free of charge" in text
    assert re.search(r"Copyright \(c\) 20\d\d ", text)


def test_citation_has_the_keys_cff_1_2_0_requires(cff):
    assert cff["cff-version"] == "1.2.0"
    for key in ("message", "title", "authors"):
        assert isinstance(cff[key], (str, list)) and cff[key], key
    assert isinstance(cff["authors"], list)
    for author in cff["authors"]:
        # a person has family-names, an entity has name (CFF 1.2.0 definitions.person / entity)
        assert "name" in author or "family-names" in author, author
    assert cff["type"] in {"software", "dataset"}


def test_citation_matches_the_package(cff, project):
    assert str(cff["version"]) == project["version"]
    assert cff["license"] == project["license"]
    released = cff["date-released"]
    if isinstance(released, str):
        released = dt.date.fromisoformat(released)
    assert isinstance(released, dt.date)


def test_readme_says_how_to_cite(cff):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "## How to cite" in readme
    section = readme.split("## How to cite", 1)[1].split("\n## ", 1)[0]
    assert "CITATION.cff" in section
    assert f"version {cff['version']}" in section
