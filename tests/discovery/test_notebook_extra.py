"""Notebook conversion edge cases: magics continued over several lines, `obj?` help lines.

Every converted cell must compile, keep one output line per input line (so tracebacks map
back to "cell n, line m"), skip exactly the IPython-only lines and nothing else, and say
once per skipped statement what was skipped.
"""

from __future__ import annotations

import json

import pytest
from snapshot_support import pin

from grader.discovery import notebook
from grader.discovery.notebook import NotebookSource, notebook_to_source


def _nb(*sources: str) -> bytes:
    cells = [{"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [], "source": s}
             for s in sources]
    return json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": cells}).encode()


def _convert(*sources: str) -> tuple[NotebookSource, dict[str, object]]:
    result = notebook_to_source(_nb(*sources), "n.ipynb")
    pin(result.notes)  # what the student reads about the conversion
    namespace: dict[str, object] = {}
    exec(compile(result.source, "n.ipynb", "exec"), namespace)
    return result, namespace


def _cell_lines(result: NotebookSource) -> list[str]:
    """The converted lines of the first cell, without the notebook header and its `# In[n]:` marker."""
    lines = result.source.split("\n")
    assert lines[0] == "# grader notebook: n.ipynb" and lines[1].startswith("# In[")
    return lines[2:lines.index("", 2)]


# Found by these tests: a continuation line indented deeper than its magic used to become
# `<indent>pass  # ...` at its own indentation, an IndentationError that stopped the whole
# notebook from loading. Continuation lines are now bare comments, which indentation ignores.


def test_a_magic_continued_with_backslashes_is_skipped_whole() -> None:
    result, ns = _convert("%pip install numpy \\\npandas \\\nscipy\nx = 1\n")
    lines = _cell_lines(result)
    assert len(lines) == 4  # one line out per line in: numbers stay stable
    assert all(line.startswith("# [skipped") for line in lines[:3])
    assert "pandas" in lines[1] and "scipy" in lines[2]
    assert lines[3] == "x = 1" and ns["x"] == 1
    assert [n for n in result.notes if "skipped IPython" in n] == [
        "cell 1: skipped IPython magic `%pip install numpy \\` (never run)"]


def test_a_magic_continued_on_indented_lines_is_skipped_whole() -> None:
    """The usual layout: continuation lines indented under the command."""
    result, ns = _convert("%pip install numpy \\\n    pandas \\\n    scipy\nx = 1\n")
    assert len(_cell_lines(result)) == 4 and ns["x"] == 1


def test_a_continued_shell_command_ends_where_the_backslashes_end() -> None:
    result, ns = _convert("!echo one \\\ntwo\ny = 2\n!ls\n")
    lines = _cell_lines(result)
    assert lines[0].startswith("# [skipped shell command] !echo one")
    assert lines[1].startswith("# [skipped") and lines[1].endswith("two")
    assert lines[2] == "y = 2" and ns["y"] == 2
    assert lines[3] == "# [skipped shell command] !ls"
    assert len([n for n in result.notes if "skipped IPython shell command" in n]) == 2


def test_a_continuation_inside_a_block_keeps_the_block_valid() -> None:
    _, ns = _convert("total = 0\nfor i in range(3):\n    !echo \\\n    $i\n    total += i\n")
    assert ns["total"] == 3


def test_a_deeper_continuation_inside_a_block_keeps_the_block_valid() -> None:
    _, ns = _convert("total = 0\nfor i in range(3):\n    !echo \\\n        $i\n    total += i\n")
    assert ns["total"] == 3


def test_a_continuation_does_not_swallow_the_next_cell() -> None:
    result, ns = _convert("%time \\\n", "z = 3\n")
    assert ns["z"] == 3
    assert "z = 3" in result.source.split("\n")


def test_a_python_backslash_continuation_is_left_alone() -> None:
    result, ns = _convert("%matplotlib inline\nw = 1 + \\\n    2\n")
    assert ns["w"] == 3
    assert _cell_lines(result)[1:] == ["w = 1 + \\", "    2"]


@pytest.mark.parametrize("line", ["np?", "np.zeros?", "np.zeros??", "?np.zeros", "??np", "tf.nn.relu?  "])
def test_help_lines_are_skipped_with_a_note(line: str) -> None:
    result, ns = _convert(f"import math as np\n{line}\nv = 4\n")
    lines = _cell_lines(result)
    assert lines[1] == f"# [skipped help] {line.strip()}"
    assert ns["v"] == 4
    assert result.notes == (f"cell 1: skipped IPython help `{line.strip()}` (never run)",)


def test_a_help_line_inside_a_block_becomes_pass() -> None:
    result, ns = _convert("def f():\n    f?\n\nu = f()\n")
    assert ns["u"] is None
    assert _cell_lines(result)[1] == "    pass  # [skipped help] f?"


@pytest.mark.parametrize("code", [
    "a = 3 if True else 4  # what?\n",      # a question mark in a comment
    "q = 'is it?'\n",                        # ... in a string
    "r = 10 % 3\n",                          # the modulo operator
    "s = [1] != [2]\n",                      # `!=`
])
def test_python_that_merely_contains_sigils_is_untouched(code: str) -> None:
    result, _ = _convert(code)
    assert _cell_lines(result) == [code.rstrip("\n")]
    assert result.notes == ()


def test_sigil_python_next_to_a_real_magic_is_still_kept() -> None:
    """The cell does not compile (it has a magic), so lines are judged one by one: Python stays."""
    result, ns = _convert("%matplotlib inline\nr = 10 % 3\nq = 'why?'\nflag = 1 != 2\n")
    assert _cell_lines(result)[1:] == ["r = 10 % 3", "q = 'why?'", "flag = 1 != 2"]
    assert ns["r"] == 1 and ns["q"] == "why?" and ns["flag"] is True


def test_where_maps_lines_after_a_continued_magic_back_to_their_cell() -> None:
    result = notebook_to_source(_nb("a = 1\n", "%pip install \\\n  x\nraise ValueError\n"), "n.ipynb")
    line = result.source.split("\n").index("raise ValueError") + 1
    assert result.where(line) == "cell 2, line 3"


def test_strings_in_a_cell_with_a_magic_keep_their_text() -> None:
    _, ns = _convert('%matplotlib inline\nmsg = """\nReady?\n!important\n"""\n')
    assert ns["msg"] == "\nReady?\n!important\n"


@pytest.mark.parametrize("cell, name, value", [
    ("%time x = 1\ns = f'''a\n%b {1 + 1}\n!c'''\n", "s", "a\n%b 2\n!c"),
    ("!ls\nt = '''\n  %notmagic\nwhat?\n'''\nu = 2\n", "t", "\n  %notmagic\nwhat?\n"),
    ("x = 1\n%pip install a \\\n  b\ny = '''\n!x\n'''\n", "y", "\n!x\n"),
])
def test_string_text_is_kept_and_magics_around_it_skipped(cell: str, name: str, value: str) -> None:
    result, ns = _convert(cell)
    assert ns[name] == value
    assert any("skipped IPython" in n for n in result.notes)


def test_a_cell_that_does_not_tokenize_still_skips_its_magics() -> None:
    result = notebook_to_source(_nb("%matplotlib inline\nz = 3\nw = '''open\n"), "n.ipynb")
    assert any("skipped IPython magic" in n for n in result.notes)
    assert "# [skipped magic] %matplotlib inline" in result.source


def test_plain_python_with_a_line_starting_with_percent_is_left_alone() -> None:
    result, ns = _convert("x = (10\n% 3)\ny = 'why?'\n")
    assert ns["x"] == 1 and ns["y"] == "why?" and result.notes == ()


def test_a_quote_inside_a_magic_line_does_not_open_a_string() -> None:
    cell = "%time s = '''\n!ls\nt = '''\n%notmagic\n'''\n"
    result, ns = _convert(cell)
    assert ns["t"] == "\n%notmagic\n"
    assert sum("skipped IPython" in n for n in result.notes) == 2


def test_a_cell_with_a_lone_surrogate_and_a_magic_still_converts() -> None:
    """A notebook's JSON may hold "\\udcff"; Python 3.12+'s tokenizer refuses to encode it."""
    data = json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
        {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
         "source": "%matplotlib inline\ns = '''\n!x \udcff\n'''\n"}]}).encode()
    result = notebook_to_source(data, "n.ipynb")
    assert any("skipped IPython magic" in n for n in result.notes)


@pytest.mark.parametrize("junk", ["\x00", "\udcff", "'''\x00", "\u2028"])
def test_any_text_in_a_cell_with_a_magic_converts(junk: str) -> None:
    lines = ["%time x = 1", f"s = '{junk}'", "!ls"]
    cleaned = notebook._clean_cell("\n".join(lines), 1, [])
    assert cleaned[0].startswith("# [skipped magic]") and cleaned[2].startswith("# [skipped shell command]")
