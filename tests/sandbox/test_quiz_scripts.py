"""Quiz-format scripts: each judged for the quiz it answers, and rerun on hidden values."""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pytest

from grader.judging.checks.base import Check, Evidence, Fail
from grader.judging.oracles.quiz_rerun import (DROPOUT_RERUN, RELU_RERUN, RELU_VALUES,
                                                      quiz_rerun_verdict)
from grader.judging.checks.dropout import DROPOUT_QUIZ
from grader.judging.checks.relu_model import RELU_QUIZ
from grader.model import Probe
from grader.runner.runner import Runner
from grader.sandbox.drivers.quiz_format import quiz_kind
from grader.sandbox.drivers.quiz_rerun import rewrite

QUIZ = Path(__file__).resolve().parents[1] / "submissions" / "quiz_format"
RELU_FN = Probe("relu_model.fn", "relu_model", {"features": [[1.0]], "weights": [[[1.0]], [[1.0]]],
                                                "biases": [[0.0], [0.0]]}, exercise="relu_model")
DROPOUT_FN = Probe("dropout.fn", "dropout_model", {"features": [[1.0]], "weights": [[[1.0]], [[1.0]]],
                                                   "biases": [[0.0], [0.0]], "keep_probs": [0.5]},
                   exercise="dropout")


def _src(name: str) -> str:
    return (QUIZ / name).read_text(encoding="utf-8")


# -- fast: recognising the quiz, rewriting the literals ------------------------------

@pytest.mark.parametrize("name, kind", [
    ("relu_quiz.py", "relu_model"), ("relu_quiz_no_relu.py", "relu_model"), ("relu_quiz_tensor.py", "relu_model"),
    ("dropout_quiz.py", "dropout"), ("dropout_quiz_no_dropout.py", "dropout"), ("hard_coded.py", None),
])
def test_a_quiz_script_is_recognised_by_its_names(name: str, kind: str | None) -> None:
    assert quiz_kind(_src(name)) == kind


def test_rewrite_replaces_the_given_literals_even_inside_tf_variable() -> None:
    tree, replaced = rewrite(_src("relu_quiz.py"), RELU_VALUES)
    assert replaced == {"hidden_layer_weights", "out_weights", "features"}
    values = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
            value = node.value.args[0] if isinstance(node.value, ast.Call) and node.value.args else node.value
            if node.targets[0].id in replaced:
                values[node.targets[0].id] = ast.literal_eval(value)
    for name in replaced:
        np.testing.assert_allclose(values[name], RELU_VALUES[name])


def test_a_script_without_the_quiz_names_is_not_rewritten() -> None:
    _, replaced = rewrite(_src("hard_coded.py"), RELU_VALUES)
    assert replaced == set()


# -- slow: in the sandbox ------------------------------------------------------------

def _verdict(runner: Runner, files: dict[str, str], fn: Probe, rerun: Probe) -> tuple[str | None, Fail | None]:
    outcome = runner.run(files, [fn, rerun])
    check = Check("x.y", rerun.exercise or "", "t", 1.0, "hidden", (fn, rerun), lambda ev: None)
    ev = Evidence(check, outcome.observations, None)
    try:
        return quiz_rerun_verdict(ev, fn, rerun), None
    except Fail as exc:
        return None, exc


@pytest.mark.slow
def test_two_quiz_scripts_in_one_folder_are_each_judged_for_their_own_quiz(runner: Runner) -> None:
    files = {"relu_quiz.py": _src("relu_quiz.py"), "dropout_quiz.py": _src("dropout_quiz.py")}
    outcome = runner.run(files, [RELU_QUIZ, DROPOUT_QUIZ])
    relu = outcome.observations[RELU_QUIZ.id]
    assert relu.error is None
    np.testing.assert_allclose(relu.value, [[5.11, 8.44], [0.0, 0.0], [24.01, 38.24]], rtol=1e-4)
    dropout = outcome.observations[DROPOUT_QUIZ.id]
    assert dropout.error is None and np.asarray(dropout.value).shape == (3, 2)


@pytest.mark.slow
@pytest.mark.parametrize("fixture, mistake, words", [
    ("relu_quiz.py", None, "gave the right output on them too"),
    ("relu_quiz_tensor.py", None, "gave the right output on them too"),
    ("relu_quiz_relu_output.py", "relu_on_output", "ReLU on the output layer"),
    ("relu_quiz_typed_in.py", "hard_coded", "instead of returning fixed numbers"),
    ("relu_quiz_no_relu.py", "relu_missing", "no ReLU"),
])
def test_relu_quiz_script_rerun_on_hidden_values(runner: Runner, fixture: str, mistake: str | None,
                                                  words: str) -> None:
    verdict, fail = _verdict(runner, {"relu_quiz.py": _src(fixture)}, RELU_FN, RELU_RERUN)
    if mistake is None:
        assert fail is None and verdict is not None and words in verdict, fail
    else:
        assert fail is not None and fail.mistake == mistake and words in fail.message, (verdict, fail)
        # Never the hidden values themselves.
        assert str(RELU_VALUES["features"][0][0]) not in fail.message


@pytest.mark.slow
def test_a_script_off_the_quiz_names_keeps_todays_verdict(runner: Runner) -> None:
    verdict, fail = _verdict(runner, {"relu_model.py": _src("hard_coded.py")}, RELU_FN, RELU_RERUN)
    assert verdict is None and fail is None


@pytest.mark.slow
def test_the_function_format_is_judged_as_before(runner: Runner, paths: object) -> None:
    from grader.paths import Paths

    assert isinstance(paths, Paths)
    solution = (paths.solutions / "relu_model.py").read_text()
    verdict, fail = _verdict(runner, {"relu_model.py": solution, "q.py": _src("relu_quiz_relu_output.py")},
                             RELU_FN, RELU_RERUN)
    assert verdict is None and fail is None


@pytest.mark.slow
@pytest.mark.parametrize("fixture, passes", [("dropout_quiz.py", True), ("dropout_quiz_no_dropout.py", False)])
def test_dropout_quiz_script_rerun_on_hidden_values(runner: Runner, fixture: str, passes: bool) -> None:
    verdict, fail = _verdict(runner, {"dropout_quiz.py": _src(fixture)}, DROPOUT_FN, DROPOUT_RERUN)
    if passes:
        assert fail is None and verdict is not None, fail
    else:
        assert fail is not None and verdict is None
