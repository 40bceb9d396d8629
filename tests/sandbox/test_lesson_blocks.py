"""The lesson's own code blocks, unchanged: as separate scripts in one folder, and as one notebook.

Fixtures come from tests/submissions/lesson/make_blocks.py. They define none of
the exercises' functions, so they earn 0 points; what matters is that every
script that runs alone also runs beside the others (a fresh default graph and
namespace per file), that a notebook cell failing does not stop the rest, and
that the one block the lesson shows failing (restoring unnamed variables) is
reported at the student's line, in the student's words.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from grader.discovery.notebook import notebook_to_source
from grader.judging.checks import load_checks
from grader.model import Probe
from grading_support import grade_files
from grader.runner.runner import Limits, Runner

LESSON = Path(__file__).resolve().parents[1] / "submissions" / "lesson"
BLOCKS = {p.name: p.read_text(encoding="utf-8") for p in sorted((LESSON / "blocks").glob("*.py"))}
VALUES = Probe("values", "top_level_values", {"names": ["test_accuracy", "valid_accuracy"]})
# What no student-facing text may contain: grader internals, library frames, machine paths.
FOREIGN = ("grader/", "site-packages", "/work/", "drivers", "tensorflow/python", "Original stack trace")


@pytest.fixture(scope="module")
def runner() -> Any:
    # The walkthroughs train while they load (section 14: 100 epochs): more than the default 30 s.
    with Runner(Limits(load_timeout=240, student_timeout=900)) as r:
        yield r


def _clean(text: str) -> None:
    for word in FOREIGN:
        assert word not in text, f"{word!r} in {text!r}"


@pytest.mark.slow
def test_walkthrough_scripts_in_one_folder_each_run_as_alone(runner: Runner) -> None:
    outcome = runner.run(BLOCKS, [VALUES])
    loads = {load.name: load for load in outcome.loads}
    assert set(loads) == set(BLOCKS) and not outcome.problems
    for name in ("mlp_walkthrough.py", "save_restore_walkthrough.py", "finetune_named.py"):
        assert loads[name].error is None, (name, loads[name].error)
    assert "Loaded Weights and Bias successfully." in loads["finetune_named.py"].output
    assert "Trained Model Saved." in loads["save_restore_walkthrough.py"].output
    # Restored in its own graph. (How well 100 epochs at lr 0.001 from random_normal weights do on
    # the 5,000-digit sample varies run to run; tests/sandbox/test_tf1shim.py checks that the
    # restored model is the trained one.)
    values = outcome.observations["values"].value
    assert 0.0 <= values["test_accuracy"] <= 1.0
    assert "Test Accuracy: " in loads["save_restore_walkthrough.py"].output
    # The lesson's deliberate error, at the student's line, without TensorFlow's stack or our paths.
    err = loads["finetune_error.py"].error
    assert err is not None and "Assign requires shapes of both tensors to match" in err.message
    assert 'File "finetune_error.py", line 37, in <module>' in err.traceback
    assert len(err.traceback.splitlines()) <= 8
    _clean(err.message + err.traceback)


@pytest.mark.slow
def test_walkthrough_folder_earns_zero_without_grader_words(runner: Runner) -> None:
    result = grade_files(runner, "lesson", BLOCKS, load_checks(include_hidden=False), None)
    assert result.score == 0 and result.max_score > 0
    for check in result.checks:
        assert check.status in ("not_attempted", "failed"), (check.check_id, check.status, check.message)
        _clean(check.message + check.traceback)


@pytest.mark.slow
def test_lesson_as_one_notebook(runner: Runner) -> None:
    # Every cell planned ("Run All"): graded, only cell 1 (it assigns `output`) would run.
    nb = notebook_to_source((LESSON / "lesson.ipynb").read_bytes(), "lesson.ipynb", wanted=None)
    outcome = runner.run({"lesson.py": nb.source}, [VALUES])
    (load,) = outcome.loads
    err = load.error
    # Cell 1 is the lesson's fragment (nothing imported yet). Cell 11 restores section 14's first
    # checkpoint, which in one notebook also holds section 12's unnamed variables, so the names
    # clash exactly as in Jupyter; cell 15 is the lesson's deliberate restore error.
    assert err is not None and err.type == "NameError" and "'tf' is not defined" in err.message
    assert 'File "lesson.ipynb", cell 1, line 2, in <module>' in err.traceback
    assert re.search(r"also failed: cell 11, line \d+ \(InvalidArgumentError\), "
                     r"cell 15, line \d+ \(InvalidArgumentError\)", err.message), err.message
    _clean(err.message + err.traceback)
    # Every other cell ran, in order, sharing the notebook's state.
    assert "Trained Model Saved." in load.output and "Loaded Weights and Bias successfully." in load.output
    assert 0.0 <= outcome.observations["values"].value["test_accuracy"] <= 1.0
    assert "Test Accuracy: " in load.output
