"""Library, data and specs are separate layers: no library module names the case study.

The case study is data (``data/``) and a spec (``specs/coalition-attacks.toml``); the
modules that load the bundled data (:data:`DATA_HELPERS`) may name it, no other module
under ``analysis/`` may: not in an identifier, an import or a string the code uses
(docstrings and comments are prose and may mention it as an example).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parents[1] / "analysis"
#: Data-loading helpers: the loaders of the bundled data sets and specs, and the package's re-exports.
DATA_HELPERS = {"datasets.py", "__init__.py"}
CASE = re.compile(r"case[_ ]?stud|casestudy|coalition[-_]attacks|CASE_STUDY", re.I)


def _docstrings(tree) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                ids.add(id(body[0].value))
    return ids


def case_references(source: str) -> list[str]:
    """Identifiers, imported names and non-docstring strings of ``source`` naming the case study."""
    tree = ast.parse(source)
    docs = _docstrings(tree)
    found = []
    for node in ast.walk(tree):
        texts = []
        if isinstance(node, ast.Name):
            texts = [node.id]
        elif isinstance(node, ast.Attribute):
            texts = [node.attr]
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef)):
            texts = [node.name]
        elif isinstance(node, ast.alias):
            texts = [node.name, node.asname or ""]
        elif isinstance(node, ast.ImportFrom):
            texts = [node.module or ""]
        elif isinstance(node, ast.arg):
            texts = [node.arg]
        elif isinstance(node, ast.keyword):
            texts = [node.arg or ""]
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docs:
            texts = [node.value]
        found += [f"line {getattr(node, 'lineno', '?')}: {t!r}" for t in texts if t and CASE.search(t)]
    return found


def _library_modules():
    for p in sorted(PKG.rglob("*.py")):
        rel = p.relative_to(PKG)
        if rel.as_posix() in DATA_HELPERS:
            continue
        yield p


@pytest.mark.parametrize("path", list(_library_modules()), ids=lambda p: p.relative_to(PKG).as_posix())
def test_library_module_does_not_name_the_case_study(path):
    refs = case_references(path.read_text(encoding="utf-8"))
    assert not refs, f"{path.relative_to(PKG)} names the case study: {refs}"


def test_the_check_catches_a_case_study_branch():
    code = 'def f(spec):\n    """The case study is prose here."""\n    if spec.case_study:\n        pass\n'
    assert case_references(code) == ["line 3: 'case_study'"]
    assert case_references('from .casestudy import answers\n')
    assert case_references('PATH = "specs/coalition-attacks.toml"\n')
    assert not case_references('"""Docstrings may name the case study."""\nx = 1\n')


def test_no_case_study_module_in_the_package_root():
    assert not (PKG / "casestudy.py").exists()
    assert not (PKG / "report" / "case_study.toml").exists()
