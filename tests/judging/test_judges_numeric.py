"""Judges of the numeric exercises on numpy-made observations: every known mistake gets its own id.

Exercises 1 (parameter counts), 2 (relu_model) and 6 (regularization). No TensorFlow.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from judge_support import CHECKS, failed, passed, run

from grader.judging.oracles import parameter_count as pc
from grader.judging.oracles import regularization as reg
from grader.judging.oracles import relu_model as relu
from grader.model import ErrorInfo

# ---- exercise 2: relu_model ----------------------------------------------------------------------------------

QUIZ_LOGITS = relu.relu_logits(relu.LESSON_INPUTS)


def first_family(families: dict[str, tuple[str, np.ndarray]], got: np.ndarray, want: np.ndarray) -> str:
    """The id the judge must name: the first family (in declaration order) that gives `got`."""
    return next(k for k, (_, c) in families.items()
                if c.shape == got.shape and np.allclose(c, got, rtol=relu.TOL, atol=relu.TOL))


def test_relu_quiz_logits_pass() -> None:
    passed(run("relu_model.lesson_inputs", {"relu_model.lesson": QUIZ_LOGITS, "relu_model.quiz_output": None}))
    np.testing.assert_allclose(QUIZ_LOGITS, [[5.11, 8.44], [0, 0], [24.01, 38.24]], atol=0.01)


LESSON_FAMILIES = {k: c for k, (_, c) in relu.known_mistakes(relu.LESSON_INPUTS).items()
                   if not np.allclose(c, QUIZ_LOGITS, atol=1e-3)}


@pytest.mark.parametrize("mistake", sorted(LESSON_FAMILIES))
def test_relu_lesson_mistakes_are_named(mistake: str) -> None:
    result = run("relu_model.lesson_inputs", {"relu_model.lesson": LESSON_FAMILIES[mistake],
                                              "relu_model.quiz_output": None})
    failed(result, mistake)
    assert result.tolerance == (relu.TOL, relu.TOL)


HIDDEN = [("relu_model.new_inputs", "relu_model.hidden_shapes"), ("relu_model.square_weights", "relu_model.hidden_square"),
          ("relu_model.one_row_wide", "relu_model.hidden_one_row")]
HIDDEN_CASES = [(cid, pid, k) for cid, pid in HIDDEN
                for k in relu.known_mistakes(CHECKS[cid].probes[0].args)]


@pytest.mark.parametrize(("cid", "pid", "mistake"), HIDDEN_CASES)
def test_relu_hidden_mistakes_are_named_without_inputs(cid: str, pid: str, mistake: str) -> None:
    args = CHECKS[cid].probes[0].args
    want = relu.relu_logits(args)
    families = relu.known_mistakes(args)
    message, got = families[mistake]
    result = run(cid, {pid: got}, {pid: want})
    failed(result, first_family(families, got, want))
    if result.mistake == mistake:
        assert result.message == message and result.instructor_message == message
    assert str(round(float(args["features"][0][0]), 3)) not in result.message


def test_relu_square_inputs_catch_transposes() -> None:
    assert "transposed_weights" in relu.known_mistakes(CHECKS["relu_model.square_weights"].probes[0].args)


def test_relu_quiz_answer_on_hidden_inputs_is_hard_coded() -> None:
    args = CHECKS["relu_model.new_inputs"].probes[0].args
    result = run("relu_model.new_inputs", {"relu_model.hidden_shapes": QUIZ_LOGITS},
                 {"relu_model.hidden_shapes": relu.relu_logits(args)})
    failed(result, "hard_coded")
    assert "instead of returning fixed numbers" in result.message


def test_relu_shape_nan_and_other_values() -> None:
    args = CHECKS["relu_model.new_inputs"].probes[0].args
    want = relu.relu_logits(args)
    pid = "relu_model.hidden_shapes"
    shape = run("relu_model.new_inputs", {pid: want[:, :-1]}, {pid: want})
    failed(shape, "wrong_shape")
    assert str(list(want.shape)) not in shape.message and str(list(want.shape)) in shape.instructor_message
    bad = want.copy()
    bad[0, 0] = np.nan
    failed(run("relu_model.new_inputs", {pid: bad}, {pid: want}), "not_finite")
    failed(run("relu_model.new_inputs", {pid: want + 1.0}, {pid: want}), "wrong_values")


@settings(max_examples=40, deadline=None)
@given(c=st.floats(0.05, 20.0).filter(lambda c: abs(c - 1.0) > 1e-3))
def test_relu_any_scaling_of_the_answer_fails(c: float) -> None:
    args = CHECKS["relu_model.new_inputs"].probes[0].args
    want = relu.relu_logits(args)
    result = run("relu_model.new_inputs", {"relu_model.hidden_shapes": want * c},
                 {"relu_model.hidden_shapes": want})
    assert result.status == "failed" and result.score == 0.0


def test_hidden_error_names_the_error_not_the_inputs() -> None:
    err = ErrorInfo("ValueError", "Dimensions must be equal, but are 5 and 4", traceback="line 3\nValueError: 5 and 4")
    result = run("relu_model.new_inputs", {"relu_model.hidden_shapes": err})
    assert result.status == "failed" and "raised ValueError" in result.message and "5 and 4" not in result.message
    assert result.traceback == "" and "5 and 4" in result.instructor_message


# ---- exercise 1: counting parameters -----------------------------------------------------------------------

MLP = pc.LESSON_NETWORKS["mlp"][0]


def test_lesson_counts_pass() -> None:
    passed(run("parameter_count.lesson_networks", {"parameter_count.logistic": 7850, "parameter_count.mlp": 203530}))
    passed(run("parameter_count.lesson_variables", {"parameter_count.lesson_variables": 203530}))


@pytest.mark.parametrize("mistake", sorted(pc.parameter_mistakes(MLP)))
def test_parameter_mistakes_are_named(mistake: str) -> None:
    count = pc.parameter_mistakes(MLP)[mistake][0]
    failed(run("parameter_count.lesson_networks", {"parameter_count.logistic": 7850, "parameter_count.mlp": count}),
           mistake)


@pytest.mark.parametrize("mistake", sorted(pc.scalar_mistakes(pc.LESSON_VARIABLES[0], pc.OTHER_VARIABLES)))
def test_scalar_mistakes_are_named(mistake: str) -> None:
    count = pc.scalar_mistakes(pc.LESSON_VARIABLES[0], pc.OTHER_VARIABLES)[mistake][0]
    failed(run("parameter_count.lesson_variables", {"parameter_count.lesson_variables": count}), mistake)


def test_counts_of_wrong_type_or_unknown_value() -> None:
    failed(run("parameter_count.lesson_variables", {"parameter_count.lesson_variables": "203530"}), "wrong_type")
    failed(run("parameter_count.lesson_variables", {"parameter_count.lesson_variables": 1}), "wrong_count")
    failed(run("parameter_count.lesson_networks", {"parameter_count.logistic": 7850, "parameter_count.mlp": 5}),
           "wrong_count")


def _networks() -> tuple[dict[str, int], dict[str, list[int]]]:
    sizes = {p.id: p.args["layer_sizes"] for p in CHECKS["parameter_count.other_networks"].probes}
    return {pid: pc.expected_parameters(s) for pid, s in sizes.items()}, sizes


def test_hidden_networks_name_the_mistake_without_the_network() -> None:
    right, sizes = _networks()
    passed(run("parameter_count.other_networks", right, right))
    deep = max(sizes, key=lambda pid: len(sizes[pid]))
    wrong = {**right, deep: pc.parameter_mistakes(sizes[deep])["last_layer_only"][0]}
    result = run("parameter_count.other_networks", wrong, right)
    failed(result, "last_layer_only")
    assert str(sizes[deep]) not in result.message and str(sizes[deep]) in result.instructor_message


def test_hidden_shapes_include_a_scalar() -> None:
    shapes = CHECKS["parameter_count.other_variables"].probes[0].args["shapes"]
    assert [] in shapes and any(len(s) == 3 for s in shapes)
    pid = "parameter_count.hidden_shapes"
    want = pc.expected_scalars(shapes)
    passed(run("parameter_count.other_variables", {pid: want}, {pid: want}))
    failed(run("parameter_count.other_variables", {pid: len(shapes)}, {pid: want}), "counted_variables")


# ---- exercise 6: L2 regularization ----------------------------------------------------------------------------

def _first_loss_family(inputs: dict, got: float) -> str:
    want = reg.expected_loss(inputs)
    return next(k for k, (_, c) in reg.known_mistakes(inputs).items() if reg.close(got, c) and not reg.close(c, want))


def test_lesson_loss_passes() -> None:
    want = reg.expected_loss(reg.LESSON_INPUTS)
    assert want == pytest.approx(0.7 + 0.1 * 2.6)
    passed(run("regularization.lesson_weights", {"regularization.lesson": want}))


@pytest.mark.parametrize("mistake", sorted(reg.known_mistakes(reg.LESSON_INPUTS)))
def test_loss_mistakes_are_named(mistake: str) -> None:
    got = reg.known_mistakes(reg.LESSON_INPUTS)[mistake][1]
    failed(run("regularization.lesson_weights", {"regularization.lesson": got}),
           _first_loss_family(reg.LESSON_INPUTS, got))


@pytest.mark.parametrize(("cid", "pid"), [("regularization.three_weights", "regularization.hidden_three"),
                                          ("regularization.one_weight", "regularization.hidden_one")])
def test_hidden_loss_mistakes_are_named(cid: str, pid: str) -> None:
    args = CHECKS[cid].probes[0].args
    want = reg.expected_loss(args)
    passed(run(cid, {pid: float(np.float32(want))}, {pid: want}))
    for mistake, (message, got) in reg.known_mistakes(args).items():
        result = run(cid, {pid: got}, {pid: want})
        failed(result, mistake)
        assert result.message == message and result.tolerance == (reg.RTOL, 0.0)


def test_loss_of_wrong_form() -> None:
    pid = "regularization.lesson"
    failed(run("regularization.lesson_weights", {pid: "0.96"}), "wrong_type")
    failed(run("regularization.lesson_weights", {pid: True}), "wrong_type")
    failed(run("regularization.lesson_weights", {pid: np.array([0.5, 0.46])}), "not_scalar")
    failed(run("regularization.lesson_weights", {pid: float("nan")}), "not_finite")
    failed(run("regularization.lesson_weights", {pid: 12.0}), "wrong_value")


@settings(max_examples=40, deadline=None)
@given(c=st.floats(0.01, 100.0).filter(lambda c: abs(c - 1.0) > 1e-4))
def test_any_scaling_of_the_loss_fails(c: float) -> None:
    want = reg.expected_loss(reg.LESSON_INPUTS)
    result = run("regularization.lesson_weights", {"regularization.lesson": want * c})
    assert result.status == "failed" and result.score == 0.0


def test_hidden_hint_fits_the_mistake_seen() -> None:
    args = CHECKS["relu_model.square_weights"].probes[0].args
    want, families = relu.relu_logits(args), relu.known_mistakes(args)
    pid = "relu_model.hidden_square"
    transposed = run("relu_model.square_weights", {pid: families["transposed_weights"][1]}, {pid: want})
    failed(transposed, "transposed_weights")
    assert "[inputs, outputs]" in transposed.hint
    on_output = run("relu_model.square_weights", {pid: families["relu_on_output"][1]}, {pid: want})
    failed(on_output, "relu_on_output")
    assert on_output.hint == "" and "output layer" in on_output.message
