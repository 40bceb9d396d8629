"""Hidden checks for exercise 2: inputs from the course seed that separate the known mistakes."""

from __future__ import annotations

from grader.judging.checks.base import Declare, Evidence
from grader.judging.oracles.relu_model import EXERCISE, TOL, compare_logits, hidden_inputs
from grader.judging.oracles.quiz_rerun import RELU_RERUN, quiz_rerun_verdict
from grader.judging.oracles.secret import course_seed

ex = Declare(EXERCISE)
INPUTS = hidden_inputs(course_seed())
P_SHAPES = ex.probe("hidden_shapes", "relu_model", **INPUTS["hidden_shapes"])
P_SQUARE = ex.probe("hidden_square", "relu_model", **INPUTS["hidden_square"])
P_ONE_ROW = ex.probe("hidden_one_row", "relu_model", **INPUTS["hidden_one_row"])


def _judge(ev: Evidence) -> str | None:
    """Inputs are read from the check's probe, so a check rebuilt for another seed judges the same way.
    A student with only a quiz-format script is judged on its rerun with hidden values instead."""
    p = ev.check.probes[0]
    verdict = quiz_rerun_verdict(ev, p, RELU_RERUN)
    if verdict is not None:
        return verdict
    compare_logits(ev.array(p), ev.reference_array(p), p.args)
    return None


@ex.check("new_inputs", "relu_model on unseen inputs with negative values and biases", points=6,
          probes=[P_SHAPES, RELU_RERUN], visibility="hidden", tolerance=(TOL, TOL),
          hint="Only the hidden layer gets a ReLU; both layers add their biases.")
def new_inputs(ev: Evidence) -> str | None:
    return _judge(ev)


@ex.check("square_weights", "relu_model with square hidden weights", points=2, probes=[P_SQUARE, RELU_RERUN],
          visibility="hidden", tolerance=(TOL, TOL), hint_for=("transposed_weights", "wrong_values"),
          hint="Weights are [inputs, outputs]: tf.matmul(features, weights[0]).")
def square_weights(ev: Evidence) -> str | None:
    return _judge(ev)


@ex.check("one_row_wide", "relu_model on a single example with a wider hidden layer", points=3,
          probes=[P_ONE_ROW, RELU_RERUN], visibility="hidden", tolerance=(TOL, TOL), hint_for=("wrong_shape", "wrong_values"),
          hint="Nothing in the model should depend on the batch size or the layer widths.")
def one_row_wide(ev: Evidence) -> str | None:
    return _judge(ev)
