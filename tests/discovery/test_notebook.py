"""Notebook submissions become one Python source; IPython-only lines never run."""

from __future__ import annotations

import json
import traceback
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from grader.discovery import notebook
from grader.errors import SubmissionError
from grader.discovery.notebook import notebook_to_source

NOTEBOOKS = Path(__file__).resolve().parents[1] / "submissions" / "notebooks"


def _nb(*cells: object, version: object = 4) -> bytes:
    return json.dumps({"nbformat": version, "nbformat_minor": 5, "metadata": {}, "cells": list(cells)}).encode()


def _code(source: object) -> dict[str, object]:
    return {"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [], "source": source}


def test_code_cells_in_order_and_magics_become_comments() -> None:
    result = notebook_to_source((NOTEBOOKS / "relu_magics.ipynb").read_bytes(), "relu_magics.ipynb")
    src = result.source
    assert "%matplotlib" not in src.replace("# [skipped magic] %matplotlib", "")
    assert "# [skipped shell command] !pip install something" in src
    assert src.index("import tensorflow.compat.v1") < src.index("def relu_model")
    assert "STORED OUTPUT" not in src and "My answer" not in src
    assert "print('defined')" in src  # %%time keeps its Python body
    compile(src, "relu_magics.ipynb", "exec")
    assert any("%matplotlib inline" in n for n in result.notes)
    assert any("!pip install" in n for n in result.notes)
    assert any("%%time" in n for n in result.notes)


def test_skipped_lines_keep_numbers_and_where_maps_back_to_cells() -> None:
    data = _nb({"cell_type": "markdown", "metadata": {}, "source": "text"},
               _code("%load_ext autoreload\nx = 1\n"),
               _code(["y = 2\n", "!ls\n", "raise ValueError('boom')\n"]))
    result = notebook_to_source(data, "n.ipynb")
    namespace: dict[str, object] = {}
    with pytest.raises(ValueError) as info:
        exec(compile(result.source, "n.ipynb", "exec"), namespace)
    line = traceback.extract_tb(info.value.__traceback__)[-1].lineno
    assert line is not None
    assert result.where(line) == "cell 3, line 3"
    assert namespace["x"] == 1 and namespace["y"] == 2


def test_skipped_line_inside_a_block_keeps_the_block_valid() -> None:
    result = notebook_to_source(_nb(_code("for i in range(2):\n    !echo hi\nz = i\n")), "n.ipynb")
    namespace: dict[str, object] = {}
    exec(compile(result.source, "n.ipynb", "exec"), namespace)
    assert namespace["z"] == 1


def test_percent_inside_strings_is_left_alone() -> None:
    src = "s = '''\n%not a magic\n!nor a shell\n'''\nt = '%d' % 3\n"
    result = notebook_to_source(_nb(_code(src)), "n.ipynb")
    namespace: dict[str, object] = {}
    exec(compile(result.source, "n.ipynb", "exec"), namespace)
    assert namespace["s"] == "\n%not a magic\n!nor a shell\n" and result.notes == ()


def test_non_python_cell_magic_skips_the_whole_cell() -> None:
    result = notebook_to_source(_nb(_code("%%bash\nrm -rf /\n"), _code("a = 1\n")), "n.ipynb")
    assert "\nrm -rf" not in result.source and "a = 1" in result.source
    assert any("%%bash" in n for n in result.notes)


def test_assigned_magic_is_skipped() -> None:
    result = notebook_to_source(_nb(_code("files = !ls\nt = %timeit -o 1\nb = 2\n")), "n.ipynb")
    namespace: dict[str, object] = {}
    exec(compile(result.source, "n.ipynb", "exec"), namespace)
    assert "files" not in namespace and "t" not in namespace and namespace["b"] == 2
    assert len(result.notes) == 2


@pytest.mark.parametrize("name, words", [
    ("version3.ipynb", "version 3"),
    ("no_code.ipynb", "no code cells"),
    ("bad_source.ipynb", "not text"),
    ("truncated.ipynb", "not valid JSON"),
])
def test_malformed_notebooks_are_the_students_error(name: str, words: str) -> None:
    with pytest.raises(SubmissionError, match=words):
        notebook_to_source((NOTEBOOKS / name).read_bytes(), name)


@pytest.mark.parametrize("data, words", [
    (b"\xff\xfe junk", "not UTF-8"),
    (b"[1, 2]", "not a Jupyter notebook"),
    (json.dumps({"nbformat": 4, "cells": "nope"}).encode(), "no list of cells"),
    (_nb(version=None), "missing"),
    (_nb("not a cell"), "not an object"),
])
def test_other_malformed_inputs(data: bytes, words: str) -> None:
    with pytest.raises(SubmissionError, match=words):
        notebook_to_source(data, "x.ipynb")


def test_huge_notebook_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(notebook, "MAX_NOTEBOOK_BYTES", 1000)
    with pytest.raises(SubmissionError, match="limit"):
        notebook_to_source(_nb(_code("x = 1\n" * 500)), "big.ipynb")
    monkeypatch.setattr(notebook, "MAX_NOTEBOOK_BYTES", 10**8)
    monkeypatch.setattr(notebook, "MAX_CODE_CHARS", 100)
    with pytest.raises(SubmissionError, match="characters"):
        notebook_to_source(_nb(_code("x = 1\n" * 500)), "big.ipynb")


def test_schema_problems_are_a_note_not_a_rejection() -> None:
    cell = _code("x = 1\n")
    cell["unexpected"] = True
    result = notebook_to_source(_nb(cell), "n.ipynb")
    assert "x = 1" in result.source
    assert any("schema" in n for n in result.notes)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.sampled_from(["x = 1", "y = x", "pass", "%time 1", "", "# note", "!ls"]),
                         min_size=1, max_size=5), min_size=1, max_size=6))
def test_every_line_maps_back_to_its_cell_and_line(cells: list[list[str]]) -> None:
    """The worker's cell split (grader.sandbox.student) agrees with the converter line for line."""
    from grader.sandbox.student import notebook_cells

    texts = ["\n".join(lines) for lines in cells]
    if not any(t.strip() for t in texts):
        return
    result = notebook_to_source(_nb(*[_code(t) for t in texts]), "n.ipynb")
    name, found = notebook_cells(result.source)
    assert name == "n.ipynb"
    lines = result.source.split("\n")
    for cell in found:
        original = texts[cell.number - 1].split("\n")
        for offset, _ in enumerate(original):
            at = cell.first_line + offset
            assert result.where(at) == f"cell {cell.number}, line {offset + 1}"
            if not original[offset].lstrip().startswith(("%", "!")):
                assert lines[at - 1] == original[offset]
