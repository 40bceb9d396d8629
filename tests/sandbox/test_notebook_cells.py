"""Notebook cells: the static analysis (what each cell defines and reads, which cells the
graded names need, what cannot be known), and "Run All" with errors allowed in the worker's
loader, in-process (plain Python cells, no sandbox). End-to-end runs are in
tests/sandbox/test_notebook_cells_e2e.py."""

from __future__ import annotations

import ast
import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from grader.discovery.notebook import notebook_to_source
from grader.judging.checks import load_checks
from grader.sandbox.cells import GRADED_NAMES, cell_names, needed_cells, not_run_note
from grader.sandbox.drivers.quiz_format import QUIZ_GIVEN
from grader.sandbox.student import CellFailed, MissingFunction, NotDefined, StudentCode, notebook_cells
from grader.sandbox.worker import _load_notebook

DRIVERS = Path(__file__).resolve().parents[2] / "grader" / "sandbox" / "drivers"


def _nb(*cells: str) -> bytes:
    return json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
        {"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [], "source": c}
        for c in cells]}).encode()


def _need(cells: list[str], wanted: set[str]) -> list[int]:
    """1-based numbers of the cells needed."""
    kept = needed_cells([cell_names(c) for c in cells], wanted)
    return [i for i, k in enumerate(kept, start=1) if k]


# -- what a cell defines and reads ------------------------------------------------------

def test_bindings_of_every_kind_are_definitions() -> None:
    names = cell_names("import numpy as np\nimport os.path\nfrom math import sqrt as root\n"
                       "a, (b, *c) = 1, (2, 3)\nd: int = 4\nfor i in range(3):\n    pass\n"
                       "with open('f') as fh:\n    pass\nif (n := 5):\n    e = 6\n"
                       "def f():\n    pass\nclass K:\n    pass\n")
    assert names.defines >= {"np", "os", "root", "a", "b", "c", "d", "i", "fh", "n", "e", "f", "K"}
    assert not names.opaque and not names.imports


def test_changing_a_name_in_place_defines_it_but_calling_a_module_does_not() -> None:
    names = cell_names("import tensorflow as tf\nconfig['lr'] = 0.1\nweights.append(w)\nmodel.x += 1\n"
                       "tf.reset_default_graph()\nnp.random.seed(0)\n")
    assert {"config", "weights", "model"} <= names.defines
    assert "tf" in names.defines and "np" not in names.defines  # tf is imported here; np is only called


def test_reads_now_and_reads_when_called_are_told_apart() -> None:
    names = cell_names("x = SIZE * 2\n"
                       "def f(a, b=DEFAULT):\n    local = a + 1\n    return local * SCALE + helper(b)\n"
                       "g = lambda v: v * FACTOR\n")
    assert names.uses >= {"SIZE", "DEFAULT"} and "SCALE" not in names.uses
    assert names.later >= {"SCALE", "helper", "FACTOR"}
    assert not {"a", "b", "local", "v"} & (names.uses | names.later)


def test_a_global_statement_in_a_function_defines_the_name() -> None:
    assert "counter" in cell_names("def bump():\n    global counter\n    counter = 1\n").defines


@pytest.mark.parametrize("cell", [
    "exec('x = 1')", "eval('1')", "globals()['x'] = 1", "vars()['y'] = 2", "from numpy import *",
    "import sys\nsys.modules[__name__].x = 1", "setattr(thing, 'x', 1)", "def f(:\n",
    "# [skipped magic] %run helpers.py", "pass  # [skipped magic] %load code.py",
    "# [skipped %%bash cell] ls\n# [skipped %%bash cell] pwd",
])
def test_cells_whose_effect_cannot_be_known_are_opaque(cell: str) -> None:
    assert cell_names(cell).opaque


@pytest.mark.parametrize("cell", ["# [skipped magic] %matplotlib inline\nx = 1", "print('hi')", "x = eval_score(3)"])
def test_ordinary_magics_and_look_alike_names_are_not_opaque(cell: str) -> None:
    assert not cell_names(cell).opaque


def test_importing_the_same_module_again_is_needed_once() -> None:
    cells = ["import tensorflow as tf\nx = 1\n", "def relu_model(f):\n    return tf.nn.relu(f)\n",
             "import tensorflow as tf\nfor i in range(10**9):\n    pass\n", "import numpy as tf\n"]
    assert ("tf", "tensorflow") in cell_names(cells[0]).imported
    assert _need(cells[:3], {"relu_model"}) == [1, 2]
    assert _need(cells, {"relu_model"}) == [1, 2, 3, 4]  # `tf` bound to two modules: every binder counts


def test_an_imports_only_cell_is_marked() -> None:
    assert cell_names("import numpy as np\nfrom math import pi\n").imports
    assert not cell_names("import numpy as np\nx = np.zeros(3)\n").imports
    assert not cell_names("# only a comment\n").imports


# -- which cells the graded names need ----------------------------------------------------

def test_definitions_and_what_they_use_are_kept_and_exploration_is_not() -> None:
    cells = [
        "import tensorflow as tf",                                          # 1 imports: kept
        "N_HIDDEN = 3\n",                                                    # 2 read by relu_model
        "def relu_model(f, w, b):\n    return act(tf.matmul(f, w[0]) + N_HIDDEN)\n",  # 3 wanted
        "for epoch in range(300):\n    sess.run(train_op)\nacc = 0.9\n",    # 4 training: dropped
        "print(acc)\n",                                                      # 5 dropped
        "def act(x):\n    return tf.nn.relu(x)\n",                           # 6 a helper defined later: kept
    ]
    assert _need(cells, {"relu_model"}) == [1, 2, 3, 6]


def test_a_name_read_at_run_time_needs_only_the_cells_above() -> None:
    cells = ["w = [1, 2]\n", "output = sum(w)\n", "w = [5]\nprint(w)\n"]
    assert _need(cells, {"output"}) == [1, 2]
    cells_fn = ["w = [1, 2]\n", "def total():\n    return sum(w)\n", "w = [5]\n"]
    assert _need(cells_fn, {"total"}) == [1, 2, 3]  # a function reads w when called: after every cell


def test_needs_are_followed_transitively_and_opaque_cells_always_stay() -> None:
    cells = ["a = 1\n", "b = a + 1\n", "def f():\n    return b\n", "exec(code)\n", "z = 9\n"]
    assert _need(cells, {"f"}) == [1, 2, 3, 4]
    assert _need(cells, set()) == [4]


def test_the_quiz_format_answer_keeps_its_chain_of_names() -> None:
    quiz = (Path(__file__).resolve().parents[1] / "submissions" / "quiz_format" / "relu_quiz.py").read_text()
    cells = ["import tensorflow as tf\n", quiz.replace("import tensorflow as tf\n", ""),
             "for i in range(10**9):\n    pass\n"]
    assert _need(cells, {"output"}) == [1, 2]


def test_graded_names_cover_every_name_the_drivers_and_checks_look_up() -> None:
    looked_up: set[str] = set()
    for path in DRIVERS.glob("*.py"):
        looked_up |= set(re.findall(r"ctx\.(?:function|constant)\(\s*\"(\w+)\"", path.read_text()))
    for check in load_checks(include_hidden=True):
        for probe in check.probes:
            if probe.driver in ("call", "quiz_answer", "quiz_output"):
                looked_up |= {v for k, v in probe.args.items() if k in ("function", "name") and isinstance(v, str)}
    assert looked_up and looked_up <= GRADED_NAMES, looked_up - GRADED_NAMES
    assert not QUIZ_GIVEN & GRADED_NAMES  # the quiz's given names are needed through `output`, not graded alone


def test_the_note_names_the_cells_left_out() -> None:
    assert not_run_note([7]) == "cell 7 not run: it defines nothing the graded functions use"
    assert not_run_note([7, 9]) == "cells 7, 9 not run: they define nothing the graded functions use"


# -- the plan in the converted source ------------------------------------------------------

EXPLORING = ("import time\n", "def count_parameters(sizes):\n    return sum(a * b + b for a, b in zip(sizes, sizes[1:]))\n",
             "start = time.time()\nwhile time.time() - start < 60:\n    pass\n", "print('done')\n")


def test_the_converter_marks_the_cells_not_run_and_says_so() -> None:
    nb = notebook_to_source(_nb(*EXPLORING), "parameter_count.ipynb")
    assert "# In[3]: not run" in nb.source.split("\n") and "# In[2]:" in nb.source.split("\n")
    assert nb.notes[0] == "cells 3, 4 not run: they define nothing the graded functions use"
    _, cells = notebook_cells(nb.source)
    assert [(c.number, c.planned) for c in cells] == [(1, True), (2, True), (3, False), (4, False)]


def test_without_graded_names_every_cell_runs() -> None:
    every = notebook_to_source(_nb(*EXPLORING), "p.ipynb", wanted=None)
    assert " not run" not in every.source and not every.notes
    walkthrough = notebook_to_source(_nb("x = 1\n", "while True:\n    pass\n"), "lesson.ipynb")
    assert " not run" not in walkthrough.source  # defines nothing graded: run as it is


def test_a_students_line_that_looks_like_a_marker_does_not_split_the_cell() -> None:
    nb = notebook_to_source(_nb("x = 1\n# In[9]: not run\ny = 2\n"), "n.ipynb", wanted=None)
    _, cells = notebook_cells(nb.source)
    assert [c.number for c in cells] == [1] and "y = 2" in cells[0].text


# -- "Run All" with errors allowed, in the worker's loader ----------------------------------

class _Channel:
    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []

    def send(self, message: dict[str, Any]) -> None:
        self.sent.append(message)


@pytest.fixture
def load() -> Iterator[Any]:
    made: list[StudentCode] = []

    def run(*cells: str, name: str = "parameter_count") -> tuple[StudentCode, dict[str, Any]]:
        source = notebook_to_source(_nb(*cells), f"{name}.ipynb").source
        code = StudentCode({f"{name}.py": source})
        made.append(code)
        report = _load_notebook(code, f"{name}.py", _Channel(), set())  # type: ignore[arg-type]
        return code, report

    yield run
    for code in made:
        for module_name in code.modules:
            sys.modules.pop(module_name, None)


COUNT = "def count_parameters(sizes):\n    return sum(a * b + b for a, b in zip(sizes, sizes[1:]))\n"


def test_a_failed_cell_leaves_the_others_defined(load: Any) -> None:
    code, report = load(COUNT, "EXTRA = 1\nraise ValueError('restoring failed')\n",
                        "def count_variables(vs):\n    return len(vs) + EXTRA\n")
    assert code.function("count_parameters")([2, 3, 1]) == 13
    assert code.function("count_variables")([1, 2]) == 3  # what the failed cell defined before failing stays
    err = report["error"]
    assert err["type"] == "ValueError" and "(parameter_count.ipynb, cell 2, line 2)" in err["message"]


def test_every_failed_cell_is_named_with_its_line(load: Any) -> None:
    _, report = load("A = 1\nraise ValueError('first')\n", "def count_parameters(s):\n    return A + B\n",
                     "B = 2\nC = 1 / 0\n", "D = (\n")
    err = report["error"]
    assert err["message"].startswith("first (parameter_count.ipynb, cell 1, line 2)")
    assert "also failed: cell 3, line 2 (ZeroDivisionError)" in err["message"]


def test_a_name_the_failed_cell_should_have_defined_says_which_cell(load: Any) -> None:
    code, _ = load("raise ValueError('boom')\ndef count_parameters(sizes):\n    return 0\n", "x = 1\n")
    with pytest.raises(CellFailed) as info:
        code.function("count_parameters")
    text = str(info.value)
    assert text.startswith("`count_parameters` is not defined: cell 1 of parameter_count.ipynb failed")
    assert "ValueError: boom (parameter_count.ipynb, cell 1, line 1)" in text
    assert info.value.name == "count_parameters" and isinstance(info.value, MissingFunction)


def test_a_function_needing_a_failed_cells_name_is_reported_as_not_usable(load: Any) -> None:
    code, _ = load("SIZES = [1, 2]\nraise ValueError('half done')\nHIDDEN = 3\n",
                   "def count_parameters(sizes):\n    return HIDDEN * SIZES[0]\n")
    with pytest.raises(CellFailed) as info:
        code.function("count_parameters")
    assert str(info.value).startswith("`count_parameters` cannot be used: it needs `HIDDEN`, which was never "
                                      "defined: cell 1 of parameter_count.ipynb failed (ValueError: half done")


def test_a_chain_of_failures_names_the_first_cell(load: Any) -> None:
    code, _ = load("W = 1 / 0\n", "V = W + 1\n", "def count_parameters(sizes):\n    return V\n")
    with pytest.raises(CellFailed) as info:
        code.function("count_parameters")
    text = str(info.value)
    assert "cell 2 of parameter_count.ipynb failed (NameError" in text
    assert "because cell 1 failed before it (ZeroDivisionError" in text


def test_a_name_no_cell_defines_is_plainly_missing(load: Any) -> None:
    code, _ = load("def count_parameters(sizes):\n    return BASE\n", "BASE = 1\nraise ValueError('boom')\n")
    assert code.function("count_parameters")([1]) == 1
    with pytest.raises(NotDefined) as info:
        code.function("count_variables")
    assert str(info.value) == "No function named `count_variables` was found in your submission."


def test_a_left_out_cell_runs_when_a_lookup_needs_it(load: Any) -> None:
    code, _ = load(COUNT, "SECRET = 41\n", name="quiz")  # SECRET is not a graded name: left out
    quiz = code.source("quiz.py")
    assert [c.planned for c in quiz.cells] == [True, False] and 2 not in quiz.ran
    assert code.lookup("SECRET") == 41 and 2 in quiz.ran  # run when a driver asks for it
    assert "SECRET = 41" in quiz.code


def test_the_code_a_rerun_sees_holds_only_the_cells_that_ran(load: Any) -> None:
    code, _ = load("output = [1.0]\n", "raise ValueError('x')\n", "while True:\n    pass\n", name="relu_model")
    src = code.source("relu_model.py")
    assert "output = [1.0]" in src.code and "raise ValueError" not in src.code and "while True" not in src.code
    assert src.code.count("\n") == src.full.count("\n")  # line numbers kept
    ast.parse(src.code)


# -- what the judge makes of it -------------------------------------------------------------

@pytest.mark.parametrize(("kind", "mistake"), [("CellFailed", "file_not_loaded"), ("NotDefined", "missing_function"),
                                               ("MissingFunction", "file_not_loaded")])
def test_the_judge_keeps_the_workers_explanation_of_a_missing_name(kind: str, mistake: str) -> None:
    from grader.judging.checks.base import CHECKS
    from grader.judging.judge import judge
    from grader.model import ErrorInfo, FileLoad, Observation

    load_checks()
    check = CHECKS["parameter_count.lesson_variables"]
    said = "`count_variables` is not defined: cell 3 of p.ipynb failed (ValueError: x (p.ipynb, cell 3, line 1))."
    student = {p.id: Observation(p.id, error=ErrorInfo(kind, said, missing="count_variables")) for p in check.probes}
    loads = [FileLoad("parameter_count.py", ErrorInfo("ValueError", "x (p.ipynb, cell 3, line 1)"))]
    result = judge(check, student, None, loads)
    assert result.status == "failed" and result.mistake == mistake
    if kind == "MissingFunction":  # a plain file that failed to load is still blamed
        assert "could not be loaded" in result.message
    else:
        assert result.message == said
