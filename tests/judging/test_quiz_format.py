"""Answers in the lesson's original quiz format: a script that leaves `output`."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest
from snapshot_support import Snapshot, pin

from grader.judging.judge import judge
from grader.judging.checks import load_checks
from grader.judging.checks.base import CHECKS, Fail
from grader.judging.checks.dropout import DROPOUT_QUIZ
from grader.judging.checks.relu_model import RELU_QUIZ
from grader.judging.oracles.quiz_format import (dropout_rows, judge_dropout_quiz,
                                       judge_relu_quiz, relu_quiz_answer)
from grader.model import CheckResult
from grader.discovery.notebook import notebook_to_source
from grader.runner.runner import Runner

QUIZ = Path(__file__).resolve().parents[1] / "submissions" / "quiz_format"

# QUIZZES.md section 8's table, keep_prob 0.5: per kept-units row, the outputs for feature rows 0, 1, 2.
TABLE = [
    ([0, 0], [0, 0], [0, 0]),
    ([6.58, 8.46], [0.714, 0.918], [33.74, 43.38]),
    ([1.88, 0.94], [0.196, 0.098], [9.56, 4.78]),
    ([8.46, 9.4], [0.91, 1.016], [43.3, 48.16]),
    ([1.1, 6.6], [0.112, 0.672], [4.72, 28.32]),
    ([7.68, 15.06], [0.826, 1.59], [38.46, 71.7]),
    ([2.98, 7.54], [0.308, 0.77], [14.28, 33.1]),
    ([9.56, 16.0], [1.022, 1.688], [48.02, 76.48]),
]
NO_DROPOUT = [[4.78, 8.0], [0.511, 0.844], [24.01, 38.24]]


def _fails(fn: object, got: object) -> Fail:
    with pytest.raises(Fail) as info:
        fn(np.asarray(got, dtype=np.float64))  # type: ignore[operator]
    pin(info.value)  # what the student reads
    return info.value


# --- ReLU quiz: judge only (fast) ----------------------------------------------------------------

def test_relu_quiz_answer_is_the_published_one() -> None:
    np.testing.assert_allclose(relu_quiz_answer(), np.array([[5.11, 8.44], [0, 0], [24.01, 38.24]]), atol=1e-9)
    assert "run it again with other values" in judge_relu_quiz(relu_quiz_answer().astype(np.float32))


def test_relu_quiz_feedback_order_shape_first() -> None:
    assert _fails(judge_relu_quiz, [[5.11, 8.44]]).mistake == "wrong_shape"
    assert _fails(judge_relu_quiz, np.ones((3, 3))).mistake == "hidden_only"
    assert _fails(judge_relu_quiz, np.zeros((3, 2))).mistake == "all_zeros"
    no_relu = _fails(judge_relu_quiz, [[5.11, 8.44], [-5.11, -8.44], [24.01, 38.24]])
    assert no_relu.mistake == "relu_missing" and "ReLU" in no_relu.message
    # Some other output with negatives: the original checker's hint.
    assert "negative numbers" in _fails(judge_relu_quiz, [[1, -2], [0, 0], [3, 4]]).message
    assert _fails(judge_relu_quiz, [[1, 2], [0, 0], [3, 4]]).mistake == "wrong_values"
    assert _fails(judge_relu_quiz, [[np.nan, 2], [0, 0], [3, 4]]).mistake == "not_finite"


# --- Dropout quiz: judge only (fast) -------------------------------------------------------------

def test_table_in_quizzes_md_is_what_the_judge_enumerates() -> None:
    rows = dropout_rows()
    for r in range(3):
        enumerated = {tuple(np.round(c, 3)) for c in rows[r]}
        published = {tuple(np.round(np.asarray(t[r], dtype=float), 3)) for t in TABLE}
        assert enumerated == published


def test_every_legitimate_dropout_mask_is_accepted() -> None:
    # 8 masks per row, 3 rows: all 512 outputs pass, including rows (and an output) of zeros.
    for choice in itertools.product(range(8), repeat=3):
        got = np.asarray([TABLE[choice[r]][r] for r in range(3)], dtype=np.float32)
        assert "valid dropout mask" in judge_dropout_quiz(got.astype(np.float64))


def test_a_zero_row_is_not_rejected_for_that_alone() -> None:
    message = judge_dropout_quiz(np.asarray([[0, 0], [0.112, 0.672], [43.3, 48.16]], dtype=np.float64))
    assert "1 row(s) had every hidden unit dropped" in message
    assert "run it again with other values" in message


def test_the_original_checkers_single_answer_passes_too() -> None:
    judge_dropout_quiz(np.asarray([[9.56, 16.0], [0.112, 0.672], [43.3, 48.16]]))


def test_dropout_quiz_wrong_answers() -> None:
    assert _fails(judge_dropout_quiz, NO_DROPOUT).mistake == "no_dropout"
    assert _fails(judge_dropout_quiz, [[4.78, 8.0]]).mistake == "wrong_shape"
    unscaled = np.asarray([TABLE[7][0], TABLE[3][1], TABLE[4][2]]) / 2.0
    assert _fails(judge_dropout_quiz, unscaled).mistake == "not_scaled"
    on_logits = np.asarray(NO_DROPOUT) * [[2, 0], [0, 2], [2, 2]]
    assert _fails(judge_dropout_quiz, on_logits).mistake == "dropout_on_output"
    assert _fails(judge_dropout_quiz, [[1, 2], [3, 4], [5, 6]]).mistake == "not_a_dropout_mask"


# --- Through the worker and the real lesson-input checks (slow) ----------------------------------

def _grade(runner: Runner, files: dict[str, str], check_id: str) -> CheckResult:
    load_checks()
    check = CHECKS[check_id]
    outcome = runner.run(files, list(check.probes))
    return judge(check, outcome.observations, None)


RELU = "relu_model.lesson_inputs"
DROPOUT = "dropout.lesson_keep_prob_half"


@pytest.mark.slow
@pytest.mark.parametrize("fixture, name, check_id, status, words", [
    ("relu_quiz.py", "relu_model.py", RELU, "passed", "run it again with other values"),
    ("relu_quiz.py", "quiz.py", RELU, "passed", "run it again with other values"),
    ("relu_quiz_tensor.py", "relu_model.py", RELU, "passed", "Matches the quiz's expected output"),
    ("relu_quiz_no_relu.py", "relu_model.py", RELU, "failed", "no ReLU"),
    ("relu_quiz_hidden.py", "relu_model.py", RELU, "failed", "looks like the hidden layer"),
    ("relu_quiz_no_output.py", "relu_model.py", RELU, "failed", "no quiz-format `output` variable"),
    ("zeros.py", "relu_model.py", RELU, "failed", "all zeros"),
    ("dropout_quiz.py", "dropout.py", DROPOUT, "passed", "valid dropout mask"),
    ("dropout_quiz_tensor.py", "dropout.py", DROPOUT, "passed", "valid dropout mask"),
    ("dropout_quiz_no_dropout.py", "dropout.py", DROPOUT, "failed", "without dropout"),
])
def test_quiz_format_submissions(runner: Runner, fixture: str, name: str, check_id: str, status: str,
                                 words: str) -> None:
    result = _grade(runner, {name: (QUIZ / fixture).read_text()}, check_id)
    assert result.status == status, result.message
    assert words in result.message


@pytest.mark.slow
def test_output_left_as_none_is_explained(runner: Runner) -> None:
    outcome = runner.run({"relu_model.py": "output = None\n"}, [RELU_QUIZ])
    err = outcome.observations[RELU_QUIZ.id].error
    assert err is not None and "still None" in err.message
    result = _grade(runner, {"relu_model.py": "output = None\n"}, RELU)
    assert result.status == "failed" and "still None" in result.message


@pytest.mark.slow
def test_another_exercises_output_is_never_used(runner: Runner) -> None:
    # A dropout answer in dropout.py must not be judged as the ReLU quiz.
    outcome = runner.run({"dropout.py": (QUIZ / "dropout_quiz.py").read_text()}, [RELU_QUIZ, DROPOUT_QUIZ])
    relu = outcome.observations[RELU_QUIZ.id]
    assert relu.error is None and relu.value is None
    dropout = outcome.observations[DROPOUT_QUIZ.id]
    assert dropout.error is None and dropout.value is not None


@pytest.mark.slow
def test_quiz_notebook_is_graded(runner: Runner) -> None:
    nb = notebook_to_source((QUIZ / "relu_quiz.ipynb").read_bytes(), "relu_quiz.ipynb")
    result = _grade(runner, {"relu_model.py": nb.source}, RELU)
    assert result.status == "passed", result.message


@pytest.mark.slow
def test_function_style_answer_still_wins(runner: Runner, paths: object) -> None:
    from grader.paths import Paths

    assert isinstance(paths, Paths)
    solution = (paths.solutions / "relu_model.py").read_text()
    # A file with both: the function is graded, not the hard-coded output.
    result = _grade(runner, {"relu_model.py": solution + "\noutput = [[1.0, 2.0]]\n"}, RELU)
    assert result.status == "passed" and "hidden-input" not in result.message


def test_a_right_dropout_quiz_output_is_praised_and_told_about_hidden_credit(snapshot: Snapshot) -> None:
    from grader.judging.oracles.quiz_format import dropout_rows, judge_dropout_quiz

    rows = dropout_rows()
    first = np.array([candidates[-1] for candidates in rows])      # every unit kept
    praise = judge_dropout_quiz(first)
    snapshot.check(praise)
    assert praise.startswith("Every row matches a valid dropout mask with keep_prob 0.5 (kept units scaled by 2). ")
    assert "dropout_model(features, weights, biases, keep_prob)" in praise and "dropped" not in praise
    zeroed = first.copy()
    zeroed[1] = 0.0                                                  # one row with every unit dropped
    assert " 1 row(s) had every hidden unit dropped" in judge_dropout_quiz(zeroed)
    unscaled = dropout_rows(scale=False)
    assert not np.allclose(unscaled[0][-1], rows[0][-1])             # scaling by 1 / keep_prob shows
