"""Hidden checks for exercise 6: more weights with negative values, another beta (values from the course seed)."""

from __future__ import annotations

from grader.judging.checks.base import Declare, Evidence
from grader.judging.oracles.regularization import EXERCISE, RTOL, compare_loss, expected_loss, hidden_inputs
from grader.judging.oracles.secret import course_seed

ex = Declare(EXERCISE)
INPUTS = hidden_inputs(course_seed())
P_THREE = ex.probe("hidden_three", "l2_regularized_loss", **INPUTS["hidden_three"])
P_ONE = ex.probe("hidden_one", "l2_regularized_loss", **INPUTS["hidden_one"])


@ex.check("three_weights", "l2_regularized_loss over three weight matrices with negative values", points=4,
          probes=[P_THREE], visibility="hidden", tolerance=(RTOL, 0.0),
          hint="Sum 1/2 ||w||^2 over every tensor of the list, whatever its length.")
def three_weights(ev: Evidence) -> None:
    p = ev.check.probes[0]
    compare_loss(ev.value(p), p.args, float(ev.reference(p)))
    # Also against the formula, so a drifting reference cannot hide a wrong answer.
    compare_loss(ev.value(p), p.args, expected_loss(p.args))


@ex.check("one_weight", "l2_regularized_loss with a single 3-D weight and another beta", points=2,
          probes=[P_ONE], visibility="hidden", tolerance=(RTOL, 0.0), hint_for=("wrong_value", "beta_missing"),
          hint="beta is an argument: do not hard-code 0.01.")
def one_weight(ev: Evidence) -> None:
    p = ev.check.probes[0]
    compare_loss(ev.value(p), p.args, float(ev.reference(p)))
