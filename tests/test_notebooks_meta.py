"""The notebooks follow the notebook rules (STYLE.md convention 15, issue 7).

nbval (``pytest --nbval notebooks``) re-runs every notebook and compares each stored
output; this module checks what nbval does not: the cells only import and call the
package, define nothing, end plot cells with an assignment, and were stored from one
clean top-to-bottom run, and every number quoted in the prose is printed by a cell.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import nbformat
import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))
ALLOWED_IMPORTS = {"analysis", "numpy", "pandas", "matplotlib"}
# calls that draw: the package's plot functions, pyplot and Axes/Figure methods
PLOT_CALL = re.compile(r"\b(plt\.|plots\.|plot_\w+\(|ax\w*\.|fig\w*\.|series_with_probability\()")
# text reprs of figures and artists that only appear when a cell ends with an expression
ARTIST_REPR = re.compile(r"<(Figure|Axes|matplotlib\.|[A-Z]\w*Axes)\b|\[<matplotlib")
NUMBER = re.compile(r"(?<![\w.])\d+(?:[.,]\d+)*")


def _ids(paths):
    return [p.name for p in paths]


def _read(path: Path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    return nb


def _code(cell) -> str:
    """Cell source without IPython magics (``%matplotlib inline``) and shell escapes."""
    lines = cell.source.splitlines()
    return "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in lines)


def _tree(cell, path):
    try:
        return ast.parse(_code(cell))
    except SyntaxError as exc:  # pragma: no cover - reported as a failure
        pytest.fail(f"{path.name}: cell {cell.get('id')} does not parse: {exc}")


def _output_text(nb) -> str:
    parts = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out.output_type == "stream":
                parts.append(out.text)
            elif out.output_type in ("display_data", "execute_result"):
                for mime in ("text/plain", "text/html", "text/markdown"):
                    if mime in out.data:
                        parts.append(out.data[mime])
    return "\n".join(parts)


def test_there_are_notebooks():
    names = [p.name for p in NOTEBOOKS]
    assert names[:5] == ["01-quickstart.ipynb", "02-reports-to-series.ipynb", "03-count-models.ipynb",
                         "04-changepoints.ipynb", "05-reproduce-figures.ipynb"]
    assert all(re.fullmatch(r"\d\d-[a-z0-9-]+\.ipynb", n) for n in names), names


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_defines_no_functions_or_classes(path):
    nb = _read(path)
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        for node in ast.walk(_tree(cell, path)):
            assert not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)), (
                f"{path.name}, cell {cell.get('id')}: notebooks define no functions or classes; "
                "put the logic in the package, with tests")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_imports_only_the_package_and_its_stack(path):
    nb = _read(path)
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        for node in ast.walk(_tree(cell, path)):
            if isinstance(node, ast.Import):
                mods = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                assert node.level == 0, f"{path.name}: relative import"
                mods = [node.module]
            else:
                continue
            for m in mods:
                assert m.split(".")[0] in ALLOWED_IMPORTS, (
                    f"{path.name}, cell {cell.get('id')}: import of {m!r}; notebooks import only "
                    f"{sorted(ALLOWED_IMPORTS)}")
                if m.split(".")[0] == "analysis":
                    assert not any(part.startswith("_") for part in m.split(".")), (
                        f"{path.name}: private module {m!r}; notebooks call the public API only")
            if isinstance(node, ast.ImportFrom) and node.module.split(".")[0] == "analysis":
                private = [a.name for a in node.names if a.name.startswith("_")]
                assert not private, f"{path.name}: private names {private} from {node.module}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_plot_cells_end_with_an_assignment(path):
    nb = _read(path)
    n_plot = 0
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        tree = _tree(cell, path)
        draws = PLOT_CALL.search(_code(cell)) is not None
        has_image = any("image/png" in out.get("data", {}) for out in cell.get("outputs", []))
        if not (draws or has_image) or not tree.body:
            continue
        n_plot += 1
        last = tree.body[-1]
        assert isinstance(last, (ast.Assign, ast.AnnAssign, ast.AugAssign)), (
            f"{path.name}, cell {cell.get('id')}: a plot cell ends with an assignment "
            f"(`ax = ...`), not {type(last).__name__}, so no artist repr is stored")
    assert n_plot >= 1, f"{path.name} draws nothing"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_outputs_are_stored_from_one_clean_run(path):
    nb = _read(path)
    code = [c for c in nb.cells if c.cell_type == "code"]
    counts = [c.get("execution_count") for c in code]
    assert None not in counts, f"{path.name}: unexecuted cells; run `make notebooks`"
    assert counts == list(range(1, len(code) + 1)), (
        f"{path.name}: execution counts {counts} are not one top-to-bottom run; run `make notebooks`")
    for cell in code:
        for out in cell.get("outputs", []):
            assert out.output_type != "error", f"{path.name}: stored error {out.get('ename')}"
            data = out.get("data", {})
            text = "".join(data.get("text/plain", ""))
            if out.output_type == "execute_result":
                assert not ARTIST_REPR.search(text), (
                    f"{path.name}, cell {cell.get('id')}: stored artist repr {text[:60]!r}; "
                    "end the cell with an assignment")
            elif out.output_type == "display_data" and ARTIST_REPR.search(text):
                # the inline backend stores each drawn figure as a PNG with a text twin
                # ("<Figure size 1000x360 with 1 Axes>"); a twin without its image is a
                # figure that failed to render
                assert "image/png" in data, f"{path.name}, cell {cell.get('id')}: figure without image"
            body = text + ("".join(out.get("text", "")) if out.output_type == "stream" else "")
            assert " at 0x" not in body, f"{path.name}, cell {cell.get('id')}: memory address in output"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_nbval_markers_only_for_volatile_output(path):
    nb = _read(path)
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        tags = set(cell.get("metadata", {}).get("tags", []))
        src = cell.source
        assert "NBVAL_SKIP" not in src and "nbval-skip" not in tags, f"{path.name}: skipped cell"
        assert "NBVAL_RAISES_EXCEPTION" not in src, f"{path.name}: a cell expected to fail"
        if "NBVAL_IGNORE_OUTPUT" in src or "nbval-ignore-output" in tags:
            assert re.search(r"tim(e|ing)|progress", src, re.I), (
                f"{path.name}, cell {cell.get('id')}: NBVAL_IGNORE_OUTPUT is for timings or progress only")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_numbers_in_prose_are_printed(path):
    """Every number in a markdown cell appears in a stored output (so nbval checks it).

    Headings and inline code are not prose; numbers inside them are skipped.
    """
    nb = _read(path)
    printed = _output_text(nb)
    missing = []
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        for line in cell.source.splitlines():
            if line.lstrip().startswith("#"):
                continue
            prose = re.sub(r"`[^`]*`", "", line)
            prose = re.sub(r"\]\([^)]*\)", "]", prose)  # link targets
            for num in NUMBER.findall(prose):
                if num not in printed:
                    missing.append(num)
    assert not missing, f"{path.name}: numbers in the prose that no cell prints: {missing}"
