"""Exercise 2, relu_model: the quiz's inputs, the right logits, and the known wrong models."""

from __future__ import annotations

from typing import Any

import numpy as np

from grader.judging.checks.base import Fail, compare_logits_with_mistakes
from grader.judging.oracles import lesson
from grader.judging.oracles.secret import rng
from grader.judging.messages import say

EXERCISE = "relu_model"
TOL = 1e-4

LESSON_INPUTS: dict[str, Any] = lesson.network(lesson.RELU_FEATURES)


def _relu(x: np.ndarray) -> np.ndarray:
    return np.maximum(x, 0.0)


def _parts(inputs: dict[str, Any]) -> tuple[np.ndarray, ...]:
    x = np.asarray(inputs["features"], dtype=np.float64)
    w0, w1 = (np.asarray(w, dtype=np.float64) for w in inputs["weights"])
    b0, b1 = (np.asarray(b, dtype=np.float64) for b in inputs["biases"])
    return x, w0, b0, w1, b1


LEAKY_ALPHA = 0.2  # tf.nn.leaky_relu's default slope for negative inputs


def _softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def relu_logits(inputs: dict[str, Any]) -> np.ndarray:
    """The right answer, computed here so the student's self-check needs no solution file."""
    x, w0, b0, w1, b1 = _parts(inputs)
    return _relu(x @ w0 + b0) @ w1 + b1


def known_mistakes(inputs: dict[str, Any]) -> dict[str, tuple[str, np.ndarray]]:
    """Outputs that known wrong models give on these inputs, with what to tell the student."""
    x, w0, b0, w1, b1 = _parts(inputs)
    out = {
        "relu_missing": (say("relu_missing.known_mistakes_2"),
                         (x @ w0 + b0) @ w1 + b1),
        "relu_on_output": (say("relu_on_output.known_mistakes"),
                           _relu(_relu(x @ w0 + b0) @ w1 + b1)),
        "biases_ignored": (say("biases_ignored.known_mistakes"),
                           _relu(x @ w0) @ w1),
        "relu_before_bias": (say("relu_before_bias.known_mistakes"),
                             (_relu(x @ w0) + b0) @ w1 + b1),
        "relu_on_input": (say("relu_on_input"),
                          (_relu(x) @ w0 + b0) @ w1 + b1),
    }
    h = x @ w0 + b0
    out["leaky_relu"] = (say("leaky_relu"),
                         np.where(h > 0, h, LEAKY_ALPHA * h) @ w1 + b1)
    out["softmax_output"] = (say("softmax_output.known_mistakes"),
                             _softmax(_relu(h) @ w1 + b1))
    if w0.shape[0] == w0.shape[1]:
        out["transposed_weights"] = (say("transposed_weights.known_mistakes"),
                                     _relu(x @ w0.T + b0) @ w1 + b1)
    return out


def compare_logits(got: np.ndarray, want: np.ndarray, inputs: dict[str, Any]) -> None:
    """Raise Fail with the most helpful message when `got` is not `want`."""
    quiz = relu_logits(LESSON_INPUTS)

    def is_quiz(a: np.ndarray, tol: float) -> bool:
        return a.shape == quiz.shape and bool(np.allclose(a, quiz, atol=tol))

    # The published answer on other inputs: the student copied the output in.
    if is_quiz(got, 0.01) and not is_quiz(want, 1e-3):
        raise Fail(say("hard_coded"), mistake="hard_coded", expected=want, got=got, student_message=say("hard_coded"),
                   tolerance=(0.0, 0.01))
    compare_logits_with_mistakes(
        got, want, known_mistakes(inputs), tol=TOL,
        shape_message=say("wrong_shape.relu_model", got=list(got.shape), want=list(want.shape)),
        otherwise=say("wrong_values.relu_model"),
        hints=MISTAKE_HINTS)


# Hints for mistakes the checks' general hints do not speak to.
MISTAKE_HINTS = {"leaky_relu": say("leaky_relu.hint"), "softmax_output": say("softmax_output.hint")}


# Hidden inputs: (batch, n_in, n_hidden, n_out); "square" has n_in == n_hidden to catch transposes.
HIDDEN_SHAPES: dict[str, tuple[int, int, int, int]] = {
    "hidden_shapes": (7, 5, 4, 3),
    "hidden_square": (6, 4, 4, 2),
    "hidden_one_row": (1, 6, 5, 4),
}
MARGIN = 0.05  # every known mistake must move some logit by at least this much


def _draw(r: np.random.Generator, batch: int, n_in: int, n_hidden: int, n_out: int) -> dict[str, Any]:
    """Mixed-sign inputs: some hidden units go negative and the logits can too."""
    return {
        "features": np.round(r.normal(0, 2, (batch, n_in)), 3),
        "weights": [np.round(r.normal(0, 1, (n_in, n_hidden)), 3), np.round(r.normal(0, 1, (n_hidden, n_out)), 3)],
        "biases": [np.round(r.normal(0, 0.5, n_hidden), 3), np.round(r.normal(0, 0.5, n_out), 3)],
    }


def separates_mistakes(inputs: dict[str, Any]) -> bool:
    want = relu_logits(inputs)
    return all(np.max(np.abs(c - want)) > MARGIN for _, c in known_mistakes(inputs).values())


def hidden_inputs(seed: int) -> dict[str, dict[str, Any]]:
    """Per hidden probe name, inputs on which every known mistake shows (redrawn until it does)."""
    out = {}
    for name, shape in HIDDEN_SHAPES.items():
        r = rng(seed, f"{EXERCISE}.{name}")
        draw = _draw(r, *shape)
        for _ in range(200):
            if separates_mistakes(draw):
                break
            draw = _draw(r, *shape)
        out[name] = draw
    return out
