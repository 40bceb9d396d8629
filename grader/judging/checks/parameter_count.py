"""Public checks for exercise 1, and the diagnosis of wrong counts they share with hidden ones."""

from __future__ import annotations

import math
from collections.abc import Sequence

from grader.judging.checks.base import Evidence, Fail, check, probe

# The lesson's published numbers (section 3): expected values live here so the
# student's self-check needs no solution file.
LESSON_NETWORKS: dict[str, tuple[list[int], int]] = {
    "logistic": ([784, 10], 7850),
    "mlp": ([784, 256, 10], 203530),
}
LESSON_VARIABLES = ([[784, 256], [256], [256, 10], [10]], 203530)

P_NETWORKS = {key: probe(f"parameter_count.{key}", "count_parameters", exercise="parameter_count",
                         layer_sizes=sizes)
              for key, (sizes, _) in LESSON_NETWORKS.items()}
P_VARIABLES = probe("parameter_count.lesson_variables", "count_variables", exercise="parameter_count",
                    shapes=LESSON_VARIABLES[0])


def as_count(value: object, what: str) -> int:
    """The driver already made this an int; refuse anything else with a student-facing message."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise Fail(f"{what} should return a whole number, not {value!r:.60}.", mistake="wrong_type", got=value)


def expected_parameters(sizes: Sequence[int]) -> int:
    return sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:]))


def expected_scalars(shapes: Sequence[Sequence[int]]) -> int:
    return sum(math.prod(s) for s in shapes)


def parameter_mistakes(sizes: Sequence[int]) -> dict[str, tuple[int, str]]:
    """Counts that known wrong formulas give for this network, with what to tell the student."""
    pairs = list(zip(sizes[:-1], sizes[1:]))
    out = {
        "biases_forgotten": (sum(a * b for a, b in pairs),
                             "This is the number of weights only: every layer also has one bias per output unit."),
        "biases_per_input": (sum(a * b + a for a, b in pairs),
                             "This counts one bias per input of each layer; a layer has one bias per OUTPUT unit."),
        "sizes_added": (sum(sizes),
                        "This adds up the layer widths; a layer from N to K units has N * K weights and K biases."),
        "product_of_sizes": (math.prod(sizes),
                             "This multiplies all the widths together; each layer is counted on its own, "
                             "then the layers are added up."),
    }
    if len(pairs) > 1:
        out["first_layer_only"] = (pairs[0][0] * pairs[0][1] + pairs[0][1],
                                   "Only the first layer was counted: add every layer's weights and biases.")
        out["last_layer_only"] = (pairs[-1][0] * pairs[-1][1] + pairs[-1][1],
                                  "Only the last layer was counted: loop over every pair of consecutive layers.")
    return out


def judge_parameters(got_raw: object, sizes: Sequence[int], what: str) -> None:
    got = as_count(got_raw, "count_parameters")
    want = expected_parameters(sizes)
    if got == want:
        return
    for mistake, (count, message) in parameter_mistakes(sizes).items():
        if count == got and count != want:
            raise Fail(f"count_parameters({list(sizes)}) returned {got}. {message}",
                       mistake=mistake, expected=want, got=got)
    raise Fail(f"count_parameters({list(sizes)}) returned {got}, which is not the number of weights and "
               f"biases of {what}. Each layer from N to K units has N * K + K parameters.",
               mistake="wrong_count", expected=want, got=got)


def scalar_mistakes(shapes: Sequence[Sequence[int]]) -> dict[str, tuple[int, str]]:
    return {
        "counted_variables": (len(shapes), "This is the number of variables, not the number of scalars in them."),
        "dims_added": (sum(sum(s) for s in shapes),
                       "This adds up the dimensions of each shape; multiply them instead "
                       "(a [784, 256] matrix holds 784 * 256 numbers)."),
        "first_dim_only": (sum(s[0] if s else 1 for s in shapes),
                           "Only the first dimension of each shape was used; multiply all of them."),
    }


def judge_scalars(got_raw: object, shapes: Sequence[Sequence[int]]) -> None:
    got = as_count(got_raw, "count_variables")
    want = expected_scalars(shapes)
    if got == want:
        return
    for mistake, (count, message) in scalar_mistakes(shapes).items():
        if count == got and count != want:
            raise Fail(f"count_variables returned {got} for variables of shapes {[list(s) for s in shapes]}. "
                       f"{message}", mistake=mistake, expected=want, got=got)
    raise Fail(f"count_variables returned {got} for variables of shapes {[list(s) for s in shapes]}: "
               "count the scalars of each variable (the product of its dimensions; a scalar variable "
               "holds 1) and add them up.", mistake="wrong_count", expected=want, got=got)


@check("parameter_count", "lesson_networks", "count_parameters on the lesson's two networks", points=4,
       probes=list(P_NETWORKS.values()),
       hint="A layer from N inputs to K outputs has N * K weights and K biases.")
def lesson_networks(ev: Evidence) -> str:
    judge_parameters(ev.value(P_NETWORKS["logistic"]), LESSON_NETWORKS["logistic"][0],
                     "the 28x28 -> 10 logistic classifier")
    judge_parameters(ev.value(P_NETWORKS["mlp"]), LESSON_NETWORKS["mlp"][0], "the 784 -> 256 -> 10 network")
    return "7850 for the logistic classifier and 203530 for the 784 -> 256 -> 10 network."


@check("parameter_count", "lesson_variables", "count_variables on the lesson network's variables", points=2,
       probes=[P_VARIABLES], hint="variable.get_shape().as_list() gives the dimensions; multiply them.")
def lesson_variables(ev: Evidence) -> str:
    judge_scalars(ev.value(P_VARIABLES), LESSON_VARIABLES[0])
    return "203530 scalars, the same as count_parameters([784, 256, 10])."
