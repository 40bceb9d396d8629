"""Exercise 1, counting parameters: the lesson's networks, the right counts, and the known wrong formulas."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from grader.judging.checks.base import Fail
from grader.judging.oracles.secret import rng
from grader.judging.messages import say

EXERCISE = "parameter_count"
# The lesson's published numbers (section 3): expected values live here so the
# student's self-check needs no solution file.
LESSON_NETWORKS: dict[str, tuple[list[int], int]] = {
    "logistic": ([784, 10], 7850),
    "mlp": ([784, 256, 10], 203530),
}
LESSON_VARIABLES = ([[784, 256], [256], [256, 10], [10]], 203530)
# Variables the driver also puts in the graph but does not pass (the first before the given ones):
# an answer that counts tf.trainable_variables() or tf.global_variables() counts them too.
OTHER_VARIABLES: list[dict[str, Any]] = [
    {"name": "other_layer", "value": [[0.0] * 7] * 5, "trainable": True},
    {"name": "global_step", "value": 0.0, "trainable": False},
    {"name": "moving_mean", "value": [0.0] * 3, "trainable": False},
]


def _size(value: Any) -> int:
    shape: list[int] = []
    while isinstance(value, list):
        shape.append(len(value))
        value = value[0] if value else 0
    return math.prod(shape)


def as_count(value: object, what: str) -> int:
    """The driver already made this an int; refuse anything else with a student-facing message."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise Fail(say("wrong_type.as_count", what=what, value=value), mistake="wrong_type", got=value,
               student_message=say("wrong_type.student", what=what))


def expected_parameters(sizes: Sequence[int]) -> int:
    return sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:]))


def expected_scalars(shapes: Sequence[Sequence[int]]) -> int:
    return sum(math.prod(s) for s in shapes)


def parameter_mistakes(sizes: Sequence[int]) -> dict[str, tuple[int, str]]:
    """Counts that known wrong formulas give for this network, with what to tell the student."""
    pairs = list(zip(sizes[:-1], sizes[1:]))
    out = {
        "biases_forgotten": (sum(a * b for a, b in pairs),
                             say("biases_forgotten")),
        "biases_per_input": (sum(a * b + a for a, b in pairs),
                             say("biases_per_input")),
        "sizes_added": (sum(sizes),
                        say("sizes_added")),
        "input_layer_biases": (expected_parameters(sizes) + sizes[0],
                               say("input_layer_biases")),
        "product_of_sizes": (math.prod(sizes),
                             say("product_of_sizes")),
    }
    if len(pairs) > 1:
        out["first_layer_only"] = (pairs[0][0] * pairs[0][1] + pairs[0][1],
                                   say("first_layer_only"))
        out["last_layer_only"] = (pairs[-1][0] * pairs[-1][1] + pairs[-1][1],
                                  say("last_layer_only"))
    return out


def judge_parameters(got_raw: object, sizes: Sequence[int], what: str) -> None:
    got = as_count(got_raw, "count_parameters")
    want = expected_parameters(sizes)
    if got == want:
        return
    for mistake, (count, message) in parameter_mistakes(sizes).items():
        if count == got and count != want:
            raise Fail(f"count_parameters({list(sizes)}) returned {got}. {message}",
                       mistake=mistake, expected=want, got=got, student_message=message)
    rule = "Each layer from N to K units has N * K + K parameters."
    raise Fail(say("wrong_count", sizes=list(sizes), got=got, what=what, rule=rule),
               mistake="wrong_count", expected=want, got=got,
               student_message=say("wrong_count.student", rule=rule))


def scalar_mistakes(shapes: Sequence[Sequence[int]],
                    others: Sequence[dict[str, Any]] = ()) -> dict[str, tuple[int, str]]:
    want = expected_scalars(shapes)
    trainable = sum(_size(o["value"]) for o in others if o["trainable"])
    every = sum(_size(o["value"]) for o in others)
    graph = ("count only the variables in the list `variables` you are given: the graph may hold others "
             "(other layers, a global step), and count_variables must not read it.")
    out = {}
    if trainable:
        out["counted_graph_variables"] = (want + trainable, say("counted_graph_variables", graph=graph))
    if every != trainable:
        out["counted_all_graph_variables"] = (want + every, say("counted_all_graph_variables", graph=graph))
    return out | {
        "counted_variables": (len(shapes), say("counted_variables")),
        "dims_added": (sum(sum(s) for s in shapes),
                       say("dims_added")),
        "first_dim_only": (sum(s[0] if s else 1 for s in shapes),
                           say("first_dim_only")),
    }


def judge_scalars(got_raw: object, shapes: Sequence[Sequence[int]], others: Sequence[dict[str, Any]] = ()) -> None:
    got = as_count(got_raw, "count_variables")
    want = expected_scalars(shapes)
    if got == want:
        return
    for mistake, (count, message) in scalar_mistakes(shapes, others).items():
        if count == got and count != want:
            raise Fail(f"count_variables returned {got} for variables of shapes {[list(s) for s in shapes]}. "
                       f"{message}", mistake=mistake, expected=want, got=got, student_message=message)
    rule = ("count the scalars of each variable (the product of its dimensions; a scalar variable "
            "holds 1) and add them up.")
    raise Fail(say("wrong_count.judge_scalars", got=got, shapes=[list(s) for s in shapes], rule=rule),
               mistake="wrong_count", expected=want, got=got,
               student_message=say("wrong_count.student.judge_scalars", rule=rule))


def hidden_inputs(seed: int) -> dict[str, Any]:
    """Networks of other depths (2, 5 and 4 layers, one with two equal widths, one MNIST-sized) and
    variable shapes including a 3-D one, a 1-D one, a scalar, a square and a [1, k] one."""
    r = rng(seed, f"{EXERCISE}.hidden")

    def width(lo: int, hi: int) -> int:
        return int(r.integers(lo, hi + 1))

    w = width(3, 9)
    networks = [[width(3, 9), width(2, 5)],
                [width(9, 16), w, w, width(2, 5), width(4, 8)],
                [784, width(100, 300), width(100, 300), 10]]
    side = width(2, 4)
    shapes = [[width(2, 4), width(3, 5), width(4, 6)], [width(2, 9)], [], [side, side], [1, width(3, 9)]]
    return {"networks": networks, "shapes": shapes}
