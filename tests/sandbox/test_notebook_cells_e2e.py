"""Real notebooks graded end to end (tests/submissions/notebooks/make_cells.py): a failing
middle cell costs only what needs it, a minute of exploring is never run, and a quiz-format
notebook followed by the lesson's failing blocks is still graded in full."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from grader.discovery.notebook import notebook_to_source
from grader.judging.checks import Check, load_checks
from grader.model import Observation, StudentResult
from grading_support import compute_reference, grade_files
from grader.runner.runner import Runner

NOTEBOOKS = Path(__file__).resolve().parents[1] / "submissions" / "notebooks"
EXERCISES = ("relu_model", "parameter_count")


@pytest.fixture(scope="module")
def checks() -> list[Check]:
    return [c for c in load_checks() if c.exercise in EXERCISES]


@pytest.fixture(scope="module")
def reference_some(runner: Runner, paths: Any, checks: list[Check]) -> dict[str, Observation]:
    return compute_reference(runner, paths.solutions, checks)


def _grade(runner: Runner, notebook: str, as_name: str, checks: list[Check],
           reference: dict[str, Observation]) -> tuple[StudentResult, tuple[str, ...], float]:
    nb = notebook_to_source((NOTEBOOKS / notebook).read_bytes(), f"{as_name}.ipynb")
    started = time.perf_counter()
    result = grade_files(runner, "s", {f"{as_name}.py": nb.source}, checks, reference)
    return result, nb.notes, time.perf_counter() - started


def _by_exercise(result: StudentResult) -> dict[str, Any]:
    return {e.name: e for e in result.exercises}


@pytest.mark.slow
def test_a_failing_middle_cell_costs_only_what_needs_it(runner: Runner, checks: list[Check],
                                                        reference_some: dict[str, Observation]) -> None:
    result, notes, _ = _grade(runner, "failing_middle.ipynb", "relu_model", checks, reference_some)
    assert notes[0] == "cells 3, 4, 8 not run: they define nothing the graded functions use"
    ex = _by_exercise(result)
    relu = ex["relu_model"]
    assert relu.score == relu.max_score, [(c.check_id, c.message) for c in relu.checks]
    counts = {c.check_id: c for c in ex["parameter_count"].checks}
    # count_parameters reads BIAS_PER_UNIT, which the failed cell defined before failing: graded.
    assert counts["parameter_count.lesson_networks"].status == "passed", counts["parameter_count.lesson_networks"].message
    # count_variables needs WEIGHT_SCALE, which the failed cell never reached.
    voided = counts["parameter_count.lesson_variables"]
    assert voided.status == "failed" and voided.mistake == "file_not_loaded"
    assert voided.message.startswith("`count_variables` cannot be used: it needs `WEIGHT_SCALE`, which was never "
                                     "defined: cell 5 of relu_model.ipynb failed (ValueError: Restoring from "
                                     "checkpoint failed (relu_model.ipynb, cell 5, line 2))"), voided.message
    assert "could not be loaded" not in voided.message


@pytest.mark.slow
def test_a_minute_of_exploring_is_never_run(runner: Runner, checks: list[Check],
                                            reference_some: dict[str, Observation]) -> None:
    result, notes, took = _grade(runner, "exploring.ipynb", "parameter_count", checks, reference_some)
    assert notes[0] == "cell 4 not run: it defines nothing the graded functions use"
    ex = _by_exercise(result)
    assert ex["relu_model"].score == ex["relu_model"].max_score
    lesson = {c.check_id: c for c in ex["parameter_count"].checks}["parameter_count.lesson_networks"]
    assert lesson.status == "passed", lesson.message
    assert "steps:" not in "".join(c.output for e in result.exercises for c in e.checks)
    assert took < 30, took  # the cell alone would take 60 s


@pytest.mark.slow
def test_a_quiz_format_notebook_before_the_lessons_failing_blocks_is_graded(
        runner: Runner, checks: list[Check], reference_some: dict[str, Observation]) -> None:
    result, notes, took = _grade(runner, "quiz_then_lesson.ipynb", "relu_model", checks, reference_some)
    assert notes[0] == "cells 3, 4, 5 not run: they define nothing the graded functions use"
    relu = _by_exercise(result)["relu_model"]
    # The public check reads `output`; the hidden ones rerun the quiz cell on other values.
    assert relu.score == relu.max_score, [(c.check_id, c.message) for c in relu.checks]
    assert took < 30, took


@pytest.mark.slow
def test_a_needed_cell_past_its_time_limit_voids_what_needs_it() -> None:
    from grader.model import Probe
    from grader.runner.runner import Limits

    source = notebook_to_source(_nb(
        "def count_parameters(sizes):\n    return BASE + 1\n",
        "def count_variables(variables):\n    return len(variables)\n",
        "while True:\n    pass\nBASE = 1\n",
    ), "parameter_count.ipynb").source
    counting = Probe("p.count", "count_parameters", {"layer_sizes": [2, 3, 1]}, exercise="parameter_count")
    with Runner(Limits(load_timeout=4, student_timeout=120)) as quick:
        outcome = quick.run({"parameter_count.py": source}, [counting])
    err = outcome.observations["p.count"].error
    assert err is not None and err.type == "CellFailed" and err.missing == "count_parameters"
    assert err.message == ("`count_parameters` cannot be used: it needs `BASE`, which was never defined: cell 3 of "
                           "parameter_count.ipynb failed (it ran past its time limit).")


def _nb(*cells: str) -> bytes:
    import json

    return json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
        {"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [], "source": c}
        for c in cells]}).encode()
