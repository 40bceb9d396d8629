"""Notebook conversion: exact limits, exact texts, and cells the other notebook tests never build.

Written against the mutants tests/discovery/test_notebook*.py let live (mutmut): off-by-one
size limits, the text of skipped lines and of the refusals a student reads, empty code cells
before real ones, and `where` at the first line of a cell.
"""

from __future__ import annotations

import json
import re
from typing import Any

import nbformat
import pytest

from grader.discovery import notebook
from grader.discovery.notebook import notebook_to_source
from grader.errors import SubmissionError


def _code(source: object) -> dict[str, object]:
    return {"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [], "source": source}


def _nb(*cells: object, version: object = 4) -> bytes:
    return json.dumps({"nbformat": version, "nbformat_minor": 5, "metadata": {}, "cells": list(cells)}).encode()


def _refused(message: str) -> Any:
    return pytest.raises(SubmissionError, match=f"^{re.escape(message)}$")


def test_where_at_the_edges_of_cells() -> None:
    result = notebook_to_source(_nb(_code("a = 1\nb = 2\n"), _code("c = 3\n")), "n.ipynb")
    lines = result.source.split("\n")
    assert result.where(1) == "line 1"  # the notebook header belongs to no cell
    assert result.where(2) == "line 2"  # nor does the first `# In[1]:` marker
    assert result.where(lines.index("a = 1") + 1) == "cell 1, line 1"
    assert result.where(lines.index("c = 3") + 1) == "cell 2, line 1"
    assert result.where(lines.index("b = 2") + 1) == "cell 1, line 2"


def test_empty_and_sourceless_code_cells_are_passed_over() -> None:
    result = notebook_to_source(_nb(_code(""), {"cell_type": "code", "metadata": {}, "outputs": []},
                                    _code("   \n"), _code("x = 1\n")), "n.ipynb")
    assert result.source == "# grader notebook: n.ipynb\n# In[4]:\nx = 1\n\n\n"
    assert result.cells == ((4, 3),)


def test_the_generated_self_check_cell_is_passed_over() -> None:
    result = notebook_to_source(_nb(_code("x = 1\n"), _code('import grader; grader.check("relu_model")\n'),
                                    _code('import grader\ngrader.check("x")')), "n.ipynb")
    assert result.source == "# grader notebook: n.ipynb\n# In[1]:\nx = 1\n\n\n"
    kept = notebook_to_source(_nb(_code('import grader; grader.check("x"); y = 2\n')), "n.ipynb")
    assert 'import grader; grader.check("x"); y = 2' in kept.source.split("\n")


def test_a_source_that_is_not_text_names_its_cell() -> None:
    with _refused("notebook cell 2: its source is not text (expected a string or a list of strings)."):
        notebook_to_source(_nb(_code("x = 1\n"), _code([1, 2])), "n.ipynb")


def test_a_non_python_cell_magic_keeps_blank_lines_blank() -> None:
    result = notebook_to_source(_nb(_code("%%bash\necho hi\n\necho bye")), "n.ipynb")
    assert result.source.split("\n")[2:6] == [
        "# [skipped %%bash cell] %%bash", "# [skipped %%bash cell] echo hi", "",
        "# [skipped %%bash cell] echo bye"]


def test_a_python_cell_magic_line_and_continued_magics_read_exactly() -> None:
    result = notebook_to_source(_nb(_code("%%time\nx = 1\n"), _code("%pip install a \\\nb\ny = 2\n")), "n.ipynb")
    lines = result.source.split("\n")
    assert lines[2] == "# [skipped cell magic] %%time"
    assert lines[lines.index("y = 2") - 1] == "# [skipped magic] b"
    assert result.notes[:2] == ("cell 1: skipped the line %%time; the rest of the cell is Python, graded like any cell",
                                "cell 2: skipped IPython magic `%pip install a \\` (never run)")


def test_trailing_spaces_after_a_backslash_still_continue_the_magic() -> None:
    result = notebook_to_source(_nb(_code("%pip install a \\  \nb\ny = 2\n")), "n.ipynb")
    assert "# [skipped magic] b" in result.source.split("\n")


def test_long_skipped_lines_are_cut_to_60_characters_in_the_note() -> None:
    line = "!echo " + "x" * 80
    result = notebook_to_source(_nb(_code(f"{line}\ny = 1\n")), "n.ipynb")
    assert result.notes == (f"cell 1: skipped IPython shell command `{line[:60]}` (never run)",)


@pytest.mark.parametrize(("count", "shown"), [(20, 20), (21, 21), (25, 21)])
def test_notes_are_capped_at_20_plus_a_count(count: int, shown: int) -> None:
    result = notebook_to_source(_nb(_code("".join(f"!echo {i}\n" for i in range(count)))), "n.ipynb")
    assert len(result.notes) == shown
    if count > 20:
        assert result.notes[-1] == f"... and {count - 20} more skipped lines"
    else:
        assert result.notes[-1] == "cell 1: skipped IPython shell command `!echo 19` (never run)"


def test_size_limits_are_exact(monkeypatch: pytest.MonkeyPatch) -> None:
    data = _nb(_code("x = 1\n"))
    monkeypatch.setattr(notebook, "MAX_NOTEBOOK_BYTES", len(data))
    source = notebook_to_source(data, "n.ipynb").source
    monkeypatch.setattr(notebook, "MAX_CODE_CHARS", len(source))
    assert notebook_to_source(data, "n.ipynb").source == source
    monkeypatch.setattr(notebook, "MAX_CODE_CHARS", len(source) - 1)
    with _refused(f"n.ipynb: the notebook's code is {len(source)} characters; the limit is {len(source) - 1}."):
        notebook_to_source(data, "n.ipynb")


def test_the_size_refusal_gives_whole_megabytes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(notebook, "MAX_NOTEBOOK_BYTES", 2 * 1024 * 1024 + 5)
    data = _nb(_code("x = 1\n"), {"cell_type": "markdown", "metadata": {}, "source": "y" * (3 * 1024 * 1024)})
    with _refused("big.ipynb: the notebook is 3 MB; the limit is 2 MB (clear large outputs before submitting)."):
        notebook_to_source(data, "big.ipynb")


@pytest.mark.parametrize(("data", "message"), [
    (b"{", "x.ipynb: the notebook is not valid JSON (line 1: Expecting property name enclosed in double quotes); "
           "was it saved completely?"),
    (_nb(version=None), "x.ipynb: notebook format version missing is not supported; "
                        "save it from Jupyter 4 or later (nbformat 4)."),
    (_nb(version=3), "x.ipynb: notebook format version 3 is not supported; "
                     "save it from Jupyter 4 or later (nbformat 4)."),
])
def test_refusals_read_exactly(data: bytes, message: str) -> None:
    with _refused(message):
        notebook_to_source(data, "x.ipynb")


def test_a_byte_order_mark_is_accepted() -> None:
    assert "x = 1" in notebook_to_source(b"\xef\xbb\xbf" + _nb(_code("x = 1\n")), "n.ipynb").source


def test_schema_note_cuts_the_validator_message_to_120_characters(monkeypatch: pytest.MonkeyPatch) -> None:
    def invalid(*_: object, **__: object) -> None:
        raise nbformat.ValidationError("m" * 200)

    monkeypatch.setattr(nbformat, "validate", invalid)
    result = notebook_to_source(_nb(_code("x = 1\n")), "n.ipynb")
    assert result.notes == ("the notebook does not fully follow the nbformat 4 schema (" + "m" * 120
                            + "); its code was read anyway",)


def test_the_header_names_the_notebook_printably_and_briefly() -> None:
    src = notebook_to_source(_nb({"cell_type": "code", "source": "x = 1"}), "a\x07b" + "c" * 300 + ".ipynb").source
    header = src.splitlines()[0]
    assert header == notebook.NOTEBOOK_HEADER + ("a_b" + "c" * 300)[:200]
