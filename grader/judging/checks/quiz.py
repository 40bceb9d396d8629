"""Checks for exercise 8: the lesson's quiz answers, with feedback for each wrong option (oracles/quiz.py)."""

from __future__ import annotations

from typing import Any

from grader.judging.checks.base import Declare, Evidence, Fail, NotAttempted
from grader.judging.oracles.quiz import (DROPOUT_OPTIONS, EXERCISE, L2_OPTIONS, PARAMETER_FEEDBACK, as_whole_number,
                                         is_right, letter, option_number)

ex = Declare(EXERCISE)
P_PARAMS = ex.probe("logistic_parameters", "quiz_answer", name="LOGISTIC_PARAMETERS")
P_L2 = ex.probe("l2_derivative", "quiz_answer", name="L2_DERIVATIVE")
P_DROPOUT = ex.probe("dropout_evaluation", "quiz_answer", name="DROPOUT_EVALUATION")


def answer(ev: Evidence, p: Any) -> Any:
    value = ev.value(p)
    if value is None:
        raise NotAttempted(f"Not attempted yet: {p.args['name']} is still None.")
    return value


@ex.check("logistic_parameters", "Quiz: parameters of the 28x28 -> 10 logistic classifier", points=1,
          probes=[P_PARAMS], hint="N inputs and K outputs: N * K weights plus K biases.")
def logistic_parameters(ev: Evidence) -> str:
    got = as_whole_number(answer(ev, P_PARAMS), "LOGISTIC_PARAMETERS")
    if is_right("LOGISTIC_PARAMETERS", str(got)):
        return "Right: 28 * 28 * 10 weights plus 10 biases."
    mistake, message = PARAMETER_FEEDBACK.get(
        got, ("wrong_count", "Not quite: count one weight for every (pixel, class) pair and one bias per class."))
    raise Fail(f"{got} is not right. {message}", mistake=mistake, got=got)


@ex.check("l2_derivative", "Quiz: the derivative of 1/2 ||w||^2", points=2, probes=[P_L2],
          hint="Differentiate 1/2 w_i^2 for a single weight w_i.")
def l2_derivative(ev: Evidence) -> str:
    got = letter(answer(ev, P_L2))
    if is_right("L2_DERIVATIVE", got):
        return "Right: the 1/2 cancels the 2 of the square, so the gradient of the penalty is beta * w."
    mistake, message = L2_OPTIONS[got]
    raise Fail(f"Option {got} is not right. {message}", mistake=mistake, got=got)


@ex.check("dropout_evaluation", "Quiz: what is wrong with evaluating at keep_prob 0.5", points=2,
          probes=[P_DROPOUT], hint="What should dropout do when you are not training?")
def dropout_evaluation(ev: Evidence) -> str:
    got = option_number(answer(ev, P_DROPOUT))
    if is_right("DROPOUT_EVALUATION", str(got)):
        return "Right: evaluate with keep_prob 1.0 so that every unit takes part."
    mistake, message = DROPOUT_OPTIONS[got]
    raise Fail(f"Option {got} is not right. {message}", mistake=mistake, got=got)
