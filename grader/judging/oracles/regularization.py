"""Exercise 6, l2_regularized_loss: the quiz's weights, the right loss, and the known wrong formulas."""

from __future__ import annotations

from typing import Any

import numpy as np

from grader.judging.checks.base import Fail
from grader.judging.oracles import lesson
from grader.judging.oracles.secret import rng
from grader.judging.messages import say

EXERCISE = "regularization"
# The ReLU quiz's weights (lesson section 8), a typical loss and a beta large
# enough that every known mistake moves the result well past float32 noise.
# Variables the driver also puts in the graph but does not pass (a bias, a float step counter): an
# answer that penalises tf.trainable_variables() or tf.global_variables() instead of `weights` shows.
OTHER_VARIABLES: list[dict[str, Any]] = [
    {"name": "biases_0", "value": [0.3, -0.2, 0.5], "trainable": True},
    {"name": "global_step", "value": 3.0, "trainable": False},
]
LESSON_INPUTS: dict[str, Any] = {
    "loss": 0.7,
    "weights": [lesson.HIDDEN_LAYER_WEIGHTS, lesson.OUT_WEIGHTS],
    "beta": 0.1,
    "others": OTHER_VARIABLES,
}


def _parts(inputs: dict[str, Any]) -> tuple[float, list[np.ndarray], float]:
    return (float(inputs["loss"]), [np.asarray(w, dtype=np.float64) for w in inputs["weights"]],
            float(inputs["beta"]))


def expected_loss(inputs: dict[str, Any]) -> float:
    loss, ws, beta = _parts(inputs)
    return loss + beta * sum(0.5 * float(np.sum(w * w)) for w in ws)


def known_mistakes(inputs: dict[str, Any]) -> dict[str, tuple[str, float]]:
    """What known wrong formulas give on these inputs, with what to tell the student."""
    loss, ws, beta = _parts(inputs)
    half_sq = [0.5 * float(np.sum(w * w)) for w in ws]
    penalty = sum(half_sq)
    others = inputs.get("others") or []
    trainable = sum(0.5 * float(np.sum(np.square(o["value"]))) for o in others if o["trainable"])
    every = sum(0.5 * float(np.sum(np.square(o["value"]))) for o in others)
    given = ("penalise only the tensors in `weights`, the list you are given: the graph also holds biases "
             "and counters that are not to be penalised.")
    out = {
        "half_missing": (say("half_missing"), loss + beta * 2 * penalty),
        "beta_missing": (say("beta_missing"), loss + penalty),
        "loss_missing": (say("loss_missing"), beta * penalty),
        "beta_on_loss": (say("beta_on_loss"),
                         beta * (loss + penalty)),
        "penalty_subtracted": (say("penalty_subtracted"),
                               loss - beta * penalty),
        "norm_not_squared": (say("norm_not_squared"),
                             loss + beta * sum(0.5 * float(np.sqrt(np.sum(w * w))) for w in ws)),
        "l1_norm": (say("l1_norm"),
                    loss + beta * sum(0.5 * float(np.sum(np.abs(w))) for w in ws)),
        "l1_norm_no_half": (say("l1_norm_no_half"),
                            loss + beta * sum(float(np.sum(np.abs(w))) for w in ws)),
        "mean_instead_of_sum": (say("mean_instead_of_sum"),
                                loss + beta * sum(0.5 * float(np.mean(w * w)) for w in ws)),
    }
    if trainable:
        out["penalised_graph_variables"] = (say("penalised_graph_variables", given=given),
                                            loss + beta * (penalty + trainable))
    if every != trainable:
        out["penalised_all_graph_variables"] = (say("penalised_all_graph_variables", given=given),
                                                loss + beta * (penalty + every))
    if len(ws) > 1:
        out["mean_over_tensors"] = (say("mean_over_tensors"),
                                    loss + beta * penalty / len(ws))
        out["first_weight_only"] = (say("first_weight_only"), loss + beta * half_sq[0])
        out["last_weight_only"] = (say("last_weight_only"),
                                   loss + beta * half_sq[-1])
    return out


# float32 arithmetic: ~1e-7 relative; every mistake above differs by far more.
RTOL = 1e-5


def close(a: float, b: float) -> bool:
    return abs(a - b) <= RTOL * max(1.0, abs(b))


def compare_loss(got_raw: Any, inputs: dict[str, Any], want: float) -> None:
    got_arr = np.asarray(got_raw, dtype=np.float64) if isinstance(got_raw, (int, float, np.ndarray)) else None
    if got_arr is None or isinstance(got_raw, bool):
        raise _fail(say("wrong_type.compare_loss"), mistake="wrong_type",
                    expected=want, got=got_raw)
    if got_arr.size != 1:
        raise _fail(say("not_scalar", size=got_arr.size, shape=list(got_arr.shape)),
                    mistake="not_scalar", expected=want, got=got_arr,
                    student_message=say("not_scalar.student"))
    got = float(got_arr.reshape(()))
    if not np.isfinite(got):
        raise _fail(say("not_finite.compare_loss"), mistake="not_finite", expected=want, got=got)
    if close(got, want):
        return
    for mistake, (message, candidate) in known_mistakes(inputs).items():
        if close(got, candidate) and not close(candidate, want):
            raise _fail(message, mistake=mistake, expected=want, got=got)
    raise _fail(say("wrong_value"),
                mistake="wrong_value", expected=want, got=got)


def _fail(message: str, **kw: Any) -> Fail:
    """Messages here quote no inputs or values unless they give their own student_message."""
    kw.setdefault("student_message", message)
    return Fail(message, tolerance=(RTOL, 0.0), **kw)


# Hidden inputs: (loss, beta, weight shapes), values drawn from the course seed.
HIDDEN: dict[str, tuple[float, float, list[tuple[int, ...]]]] = {
    "hidden_three": (2.3, 0.05, [(5, 4), (4, 4), (4, 3)]),
    "hidden_one": (1.25, 0.25, [(3, 2, 2)]),
}


def separates_mistakes(inputs: dict[str, Any]) -> bool:
    want = expected_loss(inputs)
    return all(not close(c, want) for _, c in known_mistakes(inputs).values())


def hidden_inputs(seed: int) -> dict[str, dict[str, Any]]:
    """Per hidden probe name: negative and positive weights on which every known mistake shows."""
    out = {}
    for name, (loss, beta, shapes) in HIDDEN.items():
        r = rng(seed, f"{EXERCISE}.{name}")
        for _ in range(200):  # bounded: a family that equals the right answer everywhere never separates
            draw = {"loss": loss, "beta": beta, "weights": [np.round(r.normal(0, 1, s), 3) for s in shapes],
                    "others": OTHER_VARIABLES}
            if separates_mistakes(draw):
                break
        out[name] = draw
    return out
