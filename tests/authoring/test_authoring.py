"""Stubs and notebooks from solutions; `grader assign` and `assign --check`."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import nbformat
import pytest

from grader.authoring.assign import MarkerError, assign, make_notebook, make_stub, out_of_date, solution_blocks
from grader.cli import main
from grader.errors import ExitCode, OutOfDateError
from grader.discovery.notebook import notebook_to_source
from grader.paths import Paths

SOLUTION = '''"""Exercise 9: a toy.

Some prose.

    code = "in the docstring"
"""

import numpy as np

ANSWER = 7850  # SOLUTION
NAME: str = "c"  # SOLUTION


# A comment that belongs to the function.
def double(x):
    """Twice x."""
    # BEGIN SOLUTION
    secret_line = x * 2
    return secret_line
    # END SOLUTION


class Model:
    def forward(self, x):
        if x:
            # BEGIN SOLUTION
            return x + 41
            # END SOLUTION
        return 0
'''


def test_stub_replaces_every_marked_part() -> None:
    stub = make_stub(SOLUTION, "toy.py")
    assert "secret_line" not in stub and "x + 41" not in stub and "7850" not in stub and '"c"' not in stub
    assert "ANSWER = None  # TODO: your answer" in stub
    assert "NAME: str = None  # TODO: your answer" in stub
    assert stub.count('raise NotImplementedError("not written yet")') == 2
    assert "            raise NotImplementedError" in stub  # at the block's own indentation
    ns: dict[str, object] = {}
    exec(compile(stub, "toy.py", "exec"), ns)
    with pytest.raises(NotImplementedError):
        ns["double"](1)  # type: ignore[operator]
    assert solution_blocks(SOLUTION) == ["ANSWER = 7850", 'NAME: str = "c"',
                                         "    secret_line = x * 2\n    return secret_line",
                                         "            return x + 41"]


@pytest.mark.parametrize("source, words", [
    ("# BEGIN SOLUTION\nx = 1\n", "never closed"),
    ("# END SOLUTION\n", "without BEGIN"),
    ("# BEGIN SOLUTION\n# BEGIN SOLUTION\n# END SOLUTION\n", "nested"),
    ("print(1)  # SOLUTION\n", "neither"),
    ("def f():\n# BEGIN SOLUTION\n    return 1\n# END SOLUTION\n", "not valid Python"),
])
def test_bad_markers_are_reported(source: str, words: str) -> None:
    with pytest.raises(MarkerError, match=words):
        make_stub(source, "bad.py")


def test_notebook_has_docstring_markdown_then_code_cells(monkeypatch: pytest.MonkeyPatch) -> None:
    stub = make_stub(SOLUTION, "toy.py")
    text = make_notebook(stub, "toy")
    nb = nbformat.reads(text, as_version=4)
    nbformat.validate(nb)
    kinds = [c.cell_type for c in nb.cells]
    assert kinds == ["markdown", "code", "code", "code", "markdown", "code"]
    assert nb.cells[0].source.startswith("# Exercise 9: a toy.\n\nSome prose.")
    assert nb.cells[1].source.startswith("import numpy as np")
    assert nb.cells[2].source.startswith("# A comment that belongs to the function.\ndef double(x):")
    assert nb.cells[3].source.startswith("class Model:")
    assert make_notebook(stub, "toy") == text  # fixed ids: regenerating gives identical bytes
    # Submitted as-is, the notebook is the stub's code.
    # The last cell checks the notebook inline: `import grader; grader.check("toy")`.
    assert nb.cells[-1].source == 'import grader\ngrader.check("toy")'
    assert "Run the cell below" in nb.cells[-2].source
    source = notebook_to_source(text.encode(), "toy.ipynb").source
    import grader

    called: list[str] = []
    monkeypatch.setattr(grader, "check", called.append)
    ns: dict[str, object] = {}
    exec(compile(source, "toy.ipynb", "exec"), ns)
    assert ns["ANSWER"] is None and callable(ns["double"])
    assert called == []  # graded code leaves out the self-check cell (and the stub's fingerprint matches the .py's)


@pytest.fixture()
def course(tmp_path: Path) -> Paths:
    root = tmp_path / "course"
    (root / "solutions").mkdir(parents=True)
    (root / "exercises").mkdir()
    (root / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    (root / "solutions" / "toy.py").write_text(SOLUTION)
    return Paths(root)


def test_assign_writes_stubs_and_notebooks_then_check_passes(course: Paths) -> None:
    changed = assign(course)
    assert sorted(p.name for p in changed) == ["toy.ipynb", "toy.py"]
    assert (course.exercises / "toy.py").read_text() == make_stub(SOLUTION, "toy.py")
    json.loads((course.exercises / "toy.ipynb").read_text())
    assert assign(course, check=True) == [] and assign(course) == []


def test_assign_check_lists_out_of_date_files(course: Paths) -> None:
    assign(course)
    (course.solutions / "toy.py").write_text(SOLUTION.replace("x + 41", "x + 42"))
    (course.solutions / "new.py").write_text('"""New."""\nX = 1  # SOLUTION\n')
    with pytest.raises(OutOfDateError) as info:
        assign(course, check=True)
    message = str(info.value)
    assert "exercises/new.py" in message and "exercises/new.ipynb" in message
    assert "toy.py" not in message  # the stub did not change: the answer is not in it
    assert info.value.exit_code == ExitCode.OUT_OF_DATE == 6
    (course.exercises / "toy.py").write_text("# edited by hand\n")
    assert course.exercises / "toy.py" in out_of_date(course)


def test_assign_command_exit_codes(course: Paths, monkeypatch: pytest.MonkeyPatch,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("GRADER_ROOT", str(course.root))
    assert main(["assign", "--check"]) == ExitCode.OUT_OF_DATE
    assert "toy.py" in capsys.readouterr().err
    assert main(["assign"]) == 0
    assert main(["assign", "--check"]) == 0


def test_the_repository_exercises_are_up_to_date(paths: Paths, tmp_path: Path) -> None:
    # Whatever solutions exist right now, assign handles them (on a copy: never write the repo here).
    copy = tmp_path / "repo"
    copy.mkdir()
    shutil.copytree(paths.solutions, copy / "solutions")
    shutil.copy(paths.root / "pyproject.toml", copy)
    (copy / "exercises").mkdir()
    changed = assign(Paths(copy))
    assert len(changed) == 2 * len(list(paths.solutions.glob("[!_]*.py")))
    for path in changed:
        assert path.read_text() == (paths.exercises / path.name).read_text(), \
            f"exercises/{path.name} is out of date: run `grader assign`"
