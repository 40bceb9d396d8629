"""How each hidden probe's inputs are drawn from a seed, and what the right answer on them is.

The hidden check modules declare their probes once, with inputs drawn from the course seed (the
catalogue, the shipped reference and `grader list` see those). Grading draws them again per
submission (grader.judging.personal), from `secret.submission_seed`, so inputs a student's worker
phoned home help neither a resubmission nor a classmate. Each entry below redraws the arguments of
one exercise's hidden probes; the arguments a draw does not return (keep_probs, folders, decoy
variables) stay as declared. tests/judging/test_personal.py checks that drawing with the course seed
gives exactly the declared probes, so this table cannot drift from the check modules.

`ORACLES` give, for the probes whose judge reads the reference, the value the reference solution's
driver returns, computed here with numpy: a submission's own hidden inputs then cost no reference
run in a worker (and a Gradescope zip needs no solutions to judge them). The reference solution
still runs once per batch on the course-seed inputs, and `personal.oracle_disagreements` holds the
oracles to what it observed there, so a drifting formula is caught as the reference was before.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from grader.judging.checks.base import Fail
from grader.judging.oracles import dropout, mlp_mnist, named_variables, parameter_count, quiz_rerun, regularization
from grader.judging.oracles import relu_model

Args = dict[str, Any]
Draw = Callable[[int], dict[str, Args]]   # seed -> probe id -> the arguments it draws


def _relu(seed: int) -> dict[str, Args]:
    # The quiz-format rerun's rows match quiz_rerun's module-level RELU_VALUES (and DROPOUT_VALUES below).
    return {**{f"relu_model.{name}": args for name, args in relu_model.hidden_inputs(seed).items()},
            quiz_rerun.RELU_RERUN.id: {"values": quiz_rerun._relu_values(seed, rows=9)}}


def _dropout(seed: int) -> dict[str, Args]:
    many = dropout.hidden_inputs(seed)
    return {**{f"dropout.{name}": many for name in ("hidden_half", "hidden_other", "hidden_one")},
            quiz_rerun.DROPOUT_RERUN.id: {"values": quiz_rerun._dropout_values(seed, rows=120)}}


def _mlp(seed: int) -> dict[str, Args]:
    drawn = mlp_mnist.hidden_inputs(seed)
    return {"mlp_mnist.hidden_parameters": {"sizes": drawn["sizes"]}, "mlp_mnist.hidden_forward": drawn["wide"]}


def _named(seed: int) -> dict[str, Args]:
    return {"named_variables.hidden_other": named_variables.hidden_inputs(seed)}


def _counts(seed: int) -> dict[str, Args]:
    drawn = parameter_count.hidden_inputs(seed)
    out: dict[str, Args] = {f"parameter_count.hidden_{i}": {"layer_sizes": sizes}
                            for i, sizes in enumerate(drawn["networks"])}
    out["parameter_count.hidden_shapes"] = {"shapes": drawn["shapes"]}
    return out


def _loss(seed: int) -> dict[str, Args]:
    return {f"regularization.{name}": args for name, args in regularization.hidden_inputs(seed).items()}


# Per exercise: only the exercises graded are drawn.
DRAWS: dict[str, Draw] = {"relu_model": _relu, "dropout": _dropout, "mlp_mnist": _mlp, "named_variables": _named,
                          "parameter_count": _counts, "regularization": _loss}


def draw_all(seed: int, exercises: frozenset[str] | None = None) -> dict[str, Args]:
    """Probe id -> the arguments drawn for it from `seed`, for every hidden probe with drawn inputs
    (of `exercises`, default all)."""
    out: dict[str, Args] = {}
    for exercise, draw in DRAWS.items():
        if exercises is None or exercise in exercises:
            out.update(draw(seed))
    return out


def _dropout_plain(args: Args) -> Any:
    """The driver's value: one array of logits per keep_prob; only keep_prob 1.0 is deterministic."""
    if list(args["keep_probs"]) != [1.0]:
        raise KeyError("dropout logits with keep_prob below 1 are random")
    return [dropout.Net.of(args).plain()]


def _count(args: Args) -> Any:
    if "layer_sizes" in args:
        return parameter_count.expected_parameters(args["layer_sizes"])
    return parameter_count.expected_scalars(args["shapes"])


def _shapes(args: Args) -> Any:
    """Its judge only needs the reference to exist (the reference's own values are random)."""
    return mlp_mnist.expected_shapes(*args["sizes"])


def _valid_parameters(args: Args, reference: Any) -> bool:
    try:
        mlp_mnist.compare_parameters(reference, tuple(args["sizes"]))
    except Fail:
        return False
    return True


ORACLES: dict[str, Callable[[Args], Any]] = {
    **{f"relu_model.{name}": lambda a: relu_model.relu_logits(a) for name in relu_model.HIDDEN_SHAPES},
    "dropout.hidden_one": _dropout_plain,
    "mlp_mnist.hidden_parameters": _shapes,
    "mlp_mnist.hidden_forward": lambda a: mlp_mnist.numpy_forward(a),
    **{f"parameter_count.hidden_{i}": _count for i in range(3)},
    "parameter_count.hidden_shapes": _count,
    "regularization.hidden_three": lambda a: np.float64(regularization.expected_loss(a)),
    "regularization.hidden_one": lambda a: np.float64(regularization.expected_loss(a)),
}

# Where the reference solution's value cannot equal the oracle's, how it is held to the oracle instead.
AGREES: dict[str, Callable[[Args, Any], bool]] = {"mlp_mnist.hidden_parameters": _valid_parameters}
