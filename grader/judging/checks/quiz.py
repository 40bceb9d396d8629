"""Checks for exercise 8: the lesson's quiz answers, with feedback for each wrong option.

The right answers are stored as digests so the shipped self-check does not
print them in plain text; like the lesson's own quizzes, trying the options
one by one will of course find them.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from grader.judging.checks.base import Evidence, Fail, NotAttempted, check, probe

P_PARAMS = probe("quiz.logistic_parameters", "quiz_answer", exercise="quiz", name="LOGISTIC_PARAMETERS")
P_L2 = probe("quiz.l2_derivative", "quiz_answer", exercise="quiz", name="L2_DERIVATIVE")
P_DROPOUT = probe("quiz.dropout_evaluation", "quiz_answer", exercise="quiz", name="DROPOUT_EVALUATION")

DIGESTS = {
    "LOGISTIC_PARAMETERS": "dd4311b0b6fa55ec",
    "L2_DERIVATIVE": "09a1a9be2f8713e6",
    "DROPOUT_EVALUATION": "9d8d861b93b8b9bd",
}


def is_right(name: str, normalized: str) -> bool:
    return hashlib.sha256(f"quiz:{normalized}".encode()).hexdigest()[:16] == DIGESTS[name]


def answer(ev: Evidence, p: Any) -> Any:
    value = ev.value(p)
    if value is None:
        raise NotAttempted(f"Not attempted yet: {p.args['name']} is still None.")
    return value


def as_whole_number(value: Any, name: str) -> int:
    if isinstance(value, bool):
        raise Fail(f"{name} should be a number, not {value!r}.", mistake="wrong_type", got=value)
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"\s*\d[\d,_ ]*\s*", value):
        return int(re.sub(r"[,_ ]", "", value))
    raise Fail(f"{name} should be a whole number, e.g. 1234; got {value!r:.60}.", mistake="wrong_type", got=value)


PARAMETER_FEEDBACK = {
    7840: ("biases_forgotten", "That counts the weights, one per (pixel, class) pair, but not the biases: "
           "each class also has a bias."),
    794: ("sizes_added", "That adds the number of inputs and outputs; every input is connected to every output."),
    784: ("inputs_only", "That is the number of inputs (pixels); count the weights and biases instead."),
    10: ("outputs_only", "That is the number of classes; count the weights and biases instead."),
    8624: ("biases_per_input", "The biases belong to the outputs (one per class), not to the 784 inputs."),
}

L2_OPTIONS = {
    "a": ("integrated", "1/3 ||w||^3 goes the wrong way: that raises the power, as integrating ||w||^2 would. "
          "Differentiating lowers the power by one."),
    "b": ("squared_norm", "w^T w is ||w||^2 itself, a single number. Differentiate 1/2 ||w||^2 one weight at a "
          "time: what does 1/2 w_i^2 give, and what happens to the 1/2?"),
}
L2_SPELLINGS = {"w": "c", "1/3||w||^3": "a", "w^tw": "b", "wtw": "b", "w^t*w": "b", "w.tw": "b", "||w||^2": "b"}

DROPOUT_OPTIONS = {
    1: ("batching", "Dropout works with mini-batches: every batch simply draws a fresh mask. "
        "Look at the value fed to keep_prob when the accuracy is measured."),
    2: ("too_low", "0.5 is a common, sensible keep_prob for training. The question is what dropout should do "
        "while you measure accuracy."),
    3: ("no_value", "keep_prob is a placeholder: TensorFlow refuses to run the graph when it is not fed. "
        "Think about what dropout should do during evaluation."),
}


def letter(value: Any) -> str:
    if not isinstance(value, str):
        raise Fail(f"L2_DERIVATIVE should be a letter in quotes, like \"a\"; got {value!r:.60}.",
                   mistake="wrong_type", got=value)
    s = re.sub(r"\s+", "", value.lower())
    m = re.fullmatch(r"\(?([abc])[).:]?(.*)", s)
    if m and (not m.group(2) or L2_SPELLINGS.get(m.group(2)) == m.group(1)):
        return m.group(1)
    s = s.strip("().")
    if s in L2_SPELLINGS:
        return L2_SPELLINGS[s]
    raise Fail(f"L2_DERIVATIVE should be one of the letters \"a\", \"b\" or \"c\"; got {value!r:.60}.",
               mistake="not_an_option", got=value)


def option_number(value: Any) -> int:
    if isinstance(value, bool):
        raise Fail("DROPOUT_EVALUATION should be an option number from 1 to 4.", mistake="wrong_type", got=value)
    if isinstance(value, (int, float)) and float(value).is_integer() and 1 <= value <= 4:
        return int(value)
    if isinstance(value, str):
        m = re.fullmatch(r"\s*(?:option\s*)?\(?([1-4])\)?[.:]?\s*", value.lower())
        if m:
            return int(m.group(1))
    raise Fail(f"DROPOUT_EVALUATION should be an option number from 1 to 4; got {value!r:.60}.",
               mistake="not_an_option", got=value)


@check("quiz", "logistic_parameters", "Quiz: parameters of the 28x28 -> 10 logistic classifier", points=1,
       probes=[P_PARAMS], hint="N inputs and K outputs: N * K weights plus K biases.")
def logistic_parameters(ev: Evidence) -> str:
    got = as_whole_number(answer(ev, P_PARAMS), "LOGISTIC_PARAMETERS")
    if is_right("LOGISTIC_PARAMETERS", str(got)):
        return "Right: 28 * 28 * 10 weights plus 10 biases."
    mistake, message = PARAMETER_FEEDBACK.get(
        got, ("wrong_count", "Not quite: count one weight for every (pixel, class) pair and one bias per class."))
    raise Fail(f"{got} is not right. {message}", mistake=mistake, got=got)


@check("quiz", "l2_derivative", "Quiz: the derivative of 1/2 ||w||^2", points=2, probes=[P_L2],
       hint="Differentiate 1/2 w_i^2 for a single weight w_i.")
def l2_derivative(ev: Evidence) -> str:
    got = letter(answer(ev, P_L2))
    if is_right("L2_DERIVATIVE", got):
        return "Right: the 1/2 cancels the 2 of the square, so the gradient of the penalty is beta * w."
    mistake, message = L2_OPTIONS[got]
    raise Fail(f"Option {got} is not right. {message}", mistake=mistake, got=got)


@check("quiz", "dropout_evaluation", "Quiz: what is wrong with evaluating at keep_prob 0.5", points=2,
       probes=[P_DROPOUT], hint="What should dropout do when you are not training?")
def dropout_evaluation(ev: Evidence) -> str:
    got = option_number(answer(ev, P_DROPOUT))
    if is_right("DROPOUT_EVALUATION", str(got)):
        return "Right: evaluate with keep_prob 1.0 so that every unit takes part."
    mistake, message = DROPOUT_OPTIONS[got]
    raise Fail(f"Option {got} is not right. {message}", mistake=mistake, got=got)
