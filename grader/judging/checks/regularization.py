"""Public checks for exercise 6, and the known-mistake diagnosis shared with hidden ones."""

from __future__ import annotations

from typing import Any

import numpy as np

from grader.judging.checks.base import Evidence, Fail, check, probe

# The ReLU quiz's weights (lesson section 8), a typical loss and a beta large
# enough that every known mistake moves the result well past float32 noise.
LESSON_INPUTS: dict[str, Any] = {
    "loss": 0.7,
    "weights": [
        [[0.1, 0.2, 0.4], [0.4, 0.6, 0.6], [0.5, 0.9, 0.1], [0.8, 0.2, 0.8]],
        [[0.1, 0.6], [0.2, 0.1], [0.7, 0.9]],
    ],
    "beta": 0.1,
}

LESSON = probe("regularization.lesson", "l2_regularized_loss", exercise="regularization", **LESSON_INPUTS)


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
    out = {
        "half_missing": ("The result matches loss + beta * ||w||^2 without the 1/2. "
                         "tf.nn.l2_loss(w) already includes it (it is sum(w ** 2) / 2); "
                         "a hand-written sum of squares needs it too.", loss + beta * 2 * penalty),
        "beta_missing": ("The result matches a penalty that is never multiplied by beta: "
                         "beta sets how strong the regularization is.", loss + penalty),
        "loss_missing": ("The result is the penalty alone: add it to the original loss.", beta * penalty),
        "beta_on_loss": ("The result matches beta * (loss + penalty): beta scales the penalty only.",
                         beta * (loss + penalty)),
        "penalty_subtracted": ("The penalty was subtracted: regularization adds it to the loss.",
                               loss - beta * penalty),
        "norm_not_squared": ("The result matches the norm ||w|| without squaring it: the L2 penalty uses "
                             "the sum of the squared weights.",
                             loss + beta * sum(0.5 * float(np.sqrt(np.sum(w * w))) for w in ws)),
        "l1_norm": ("The result matches the sum of absolute values (an L1 penalty): "
                    "L2 regularization squares the weights.",
                    loss + beta * sum(0.5 * float(np.sum(np.abs(w))) for w in ws)),
        "l1_norm_no_half": ("The result matches the sum of absolute values (an L1 penalty): "
                            "L2 regularization squares the weights.",
                            loss + beta * sum(float(np.sum(np.abs(w))) for w in ws)),
        "mean_instead_of_sum": ("The result matches the MEAN of the squared weights; the penalty is their sum "
                                "(tf.reduce_sum, or simply tf.nn.l2_loss).",
                                loss + beta * sum(0.5 * float(np.mean(w * w)) for w in ws)),
    }
    if len(ws) > 1:
        out["first_weight_only"] = ("Only the first weight tensor was penalised: add up 1/2 ||w||^2 over "
                                    "every tensor in `weights`.", loss + beta * half_sq[0])
        out["last_weight_only"] = ("Only the last weight tensor was penalised (is the sum reset inside the "
                                   "loop?): add up 1/2 ||w||^2 over every tensor in `weights`.",
                                   loss + beta * half_sq[-1])
    return out


def close(a: float, b: float) -> bool:
    # float32 arithmetic: ~1e-7 relative; every mistake above differs by far more.
    return abs(a - b) <= 1e-5 * max(1.0, abs(b))


def compare_loss(got_raw: Any, inputs: dict[str, Any], want: float) -> None:
    got_arr = np.asarray(got_raw, dtype=np.float64) if isinstance(got_raw, (int, float, np.ndarray)) else None
    if got_arr is None or isinstance(got_raw, bool):
        raise Fail("l2_regularized_loss should return a scalar tensor (or a number).", mistake="wrong_type",
                   expected=want, got=got_raw)
    if got_arr.size != 1:
        raise Fail(f"l2_regularized_loss returned {got_arr.size} numbers (shape {list(got_arr.shape)}); "
                   "the regularized loss is one scalar: sum the penalty over every weight.",
                   mistake="not_scalar", expected=want, got=got_arr)
    got = float(got_arr.reshape(()))
    if not np.isfinite(got):
        raise Fail("The loss is NaN or infinite.", mistake="not_finite", expected=want, got=got)
    if close(got, want):
        return
    for mistake, (message, candidate) in known_mistakes(inputs).items():
        if close(got, candidate) and not close(candidate, want):
            raise Fail(message, mistake=mistake, expected=want, got=got)
    raise Fail("The regularized loss is not loss + beta * (sum over the weights of 1/2 ||w||^2).",
               mistake="wrong_value", expected=want, got=got)


@check("regularization", "lesson_weights", "l2_regularized_loss on the ReLU quiz's weights", points=4,
       probes=[LESSON], hint="loss + beta * tf.add_n([tf.nn.l2_loss(w) for w in weights])")
def lesson_weights(ev: Evidence) -> str:
    # Judged with numpy: the student bundle ships without the reference solution.
    want = expected_loss(LESSON_INPUTS)
    compare_loss(ev.value(LESSON), LESSON_INPUTS, want)
    return f"0.7 + 0.1 * 2.6 = {want:.4g}: both weight matrices are penalised."
