"""Hidden checks give quiz-format scripts their credit from the rerun on hidden values (fast, numpy only)."""

from __future__ import annotations

import numpy as np
import pytest
from judge_support import CHECKS, failed, passed, run

from grader.judging.oracles.quiz_rerun import RELU_RERUN, RELU_VALUES, net_inputs
from grader.judging.oracles.relu_model import relu_logits
from grader.model import ErrorInfo

NO_FUNCTION = ErrorInfo("MissingFunction", "No function named `relu_model` was found.", missing="relu_model")
RELU_HIDDEN = ("relu_model.new_inputs", "relu_model.square_weights", "relu_model.one_row_wide")


def _rerun(output: np.ndarray | None) -> dict[str, object]:
    return {"file": "relu_quiz.py", "replaced": ["hidden_layer_weights", "out_weights", "features"],
            "missing": [], "output": output}


@pytest.mark.parametrize("check", RELU_HIDDEN)
def test_a_quiz_script_right_on_hidden_values_earns_the_hidden_check(check: str) -> None:
    own = CHECKS[check].probes[0].id
    result = run(check, {own: NO_FUNCTION, RELU_RERUN.id: _rerun(relu_logits(net_inputs(RELU_VALUES)))})
    passed(result)
    assert "quiz format" in result.message


@pytest.mark.parametrize("check", RELU_HIDDEN)
def test_a_quiz_script_with_relu_on_the_output_fails_by_name(check: str) -> None:
    own = CHECKS[check].probes[0].id
    wrong = np.maximum(relu_logits(net_inputs(RELU_VALUES)), 0.0)
    result = run(check, {own: NO_FUNCTION, RELU_RERUN.id: _rerun(wrong)})
    failed(result, "relu_on_output")
    assert "output layer" in result.message
    for value in RELU_VALUES["features"].ravel()[:5]:
        assert f"{value:g}" not in result.message  # hidden inputs stay hidden


def test_a_script_that_breaks_on_other_values_is_named() -> None:
    own = CHECKS["relu_model.new_inputs"].probes[0].id
    result = run("relu_model.new_inputs", {own: NO_FUNCTION, RELU_RERUN.id: ErrorInfo("ValueError", "shapes")})
    failed(result, "quiz_rerun_error")


def test_a_function_format_student_is_judged_as_before() -> None:
    # The rerun found no quiz script (None): the function's own observation decides.
    own = CHECKS["relu_model.new_inputs"].probes[0].id
    result = run("relu_model.new_inputs", {own: NO_FUNCTION, RELU_RERUN.id: None})
    assert result.status == "failed" and result.mistake == "missing_function"


def _dropout_rerun(output: np.ndarray | None, file: str | None = "dropout_quiz.py") -> dict[str, object]:
    return {"file": file, "replaced": ["hidden_layer_weights", "out_weights", "features"],
            "missing": [], "output": output}


def _dropout_own(check: str) -> str:
    return CHECKS[check].probes[0].id


def test_a_dropout_quiz_script_is_judged_on_its_hidden_values() -> None:
    from grader.judging.oracles.dropout import Net
    from grader.judging.oracles.quiz_rerun import DROPOUT_RERUN, DROPOUT_VALUES, KEEP_PROB

    net = Net.of(net_inputs(DROPOUT_VALUES))
    masks = np.random.default_rng(5).random(net.hidden.shape) < KEEP_PROB
    right = (net.hidden * masks / KEEP_PROB) @ net.w1 + net.b1
    missing = ErrorInfo("MissingFunction", "none", missing="dropout_model")
    for check in ("dropout.many_rows", "dropout.other_keep_probs", "dropout.keep_prob_one"):
        own = _dropout_own(check)
        result = run(check, {own: missing, DROPOUT_RERUN.id: _dropout_rerun(right)})
        passed(result)
        assert result.message.startswith("dropout_quiz.py (quiz format) was run again")
        unnamed = run(check, {own: missing, DROPOUT_RERUN.id: _dropout_rerun(right, file=None)})
        assert unnamed.message.startswith("your script (quiz format)")
        failed(run(check, {own: missing, DROPOUT_RERUN.id: _dropout_rerun(net.hidden * 2.0 @ net.w1 + net.b1)}), "never_drops")
        failed(run(check, {own: missing, DROPOUT_RERUN.id: _dropout_rerun(None)}), "all_zeros")


def test_a_stub_still_raising_counts_as_no_function() -> None:
    own = CHECKS["relu_model.new_inputs"].probes[0].id
    stub = ErrorInfo("NotImplementedError", "not written yet")
    passed(run("relu_model.new_inputs", {own: stub, RELU_RERUN.id: _rerun(relu_logits(net_inputs(RELU_VALUES)))}))
    other = ErrorInfo("ValueError", "bad")  # a function that exists and raises is judged as a function
    assert run("relu_model.new_inputs", {own: other, RELU_RERUN.id: _rerun(None)}).mistake is None
