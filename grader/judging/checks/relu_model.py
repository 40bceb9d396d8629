"""Public checks for exercise 2, and the known-mistake diagnosis they share with hidden ones."""

from __future__ import annotations

from typing import Any

import numpy as np

from grader.judging.checks.base import Evidence, Fail, check, compare_logits_with_mistakes, probe
from grader.judging.checks.quiz_format import RELU_QUIZ, function_or_quiz, judge_relu_quiz

LESSON_INPUTS: dict[str, Any] = {
    "features": [[1.0, 2.0, 3.0, 4.0], [-1.0, -2.0, -3.0, -4.0], [11.0, 12.0, 13.0, 14.0]],
    "weights": [
        [[0.1, 0.2, 0.4], [0.4, 0.6, 0.6], [0.5, 0.9, 0.1], [0.8, 0.2, 0.8]],
        [[0.1, 0.6], [0.2, 0.1], [0.7, 0.9]],
    ],
    "biases": [[0.0, 0.0, 0.0], [0.0, 0.0]],
}

LESSON = probe("relu_model.lesson", "relu_model", exercise="relu_model", **LESSON_INPUTS)


def _relu(x: np.ndarray) -> np.ndarray:
    return np.maximum(x, 0.0)


def relu_logits(inputs: dict[str, Any]) -> np.ndarray:
    """The right answer, computed here so the student's self-check needs no solution file."""
    x = np.asarray(inputs["features"], dtype=np.float64)
    w0, w1 = (np.asarray(w, dtype=np.float64) for w in inputs["weights"])
    b0, b1 = (np.asarray(b, dtype=np.float64) for b in inputs["biases"])
    return _relu(x @ w0 + b0) @ w1 + b1


def known_mistakes(inputs: dict[str, Any]) -> dict[str, tuple[str, np.ndarray]]:
    """Outputs that known wrong models give on these inputs, with what to tell the student."""
    x = np.asarray(inputs["features"], dtype=np.float64)
    w0, w1 = (np.asarray(w, dtype=np.float64) for w in inputs["weights"])
    b0, b1 = (np.asarray(b, dtype=np.float64) for b in inputs["biases"])
    out = {
        "relu_missing": ("The output matches a network with no ReLU: apply tf.nn.relu to the hidden layer.",
                         (x @ w0 + b0) @ w1 + b1),
        "relu_on_output": ("The output matches a network with a ReLU on the output layer too: "
                           "logits must stay linear, apply ReLU to the hidden layer only.",
                           _relu(_relu(x @ w0 + b0) @ w1 + b1)),
        "biases_ignored": ("The output matches a network that never adds the biases: "
                           "use tf.add(tf.matmul(...), biases[i]) in both layers.",
                           _relu(x @ w0) @ w1),
        "relu_before_bias": ("The output matches ReLU applied before the hidden bias is added: "
                             "add the bias first, then apply tf.nn.relu.",
                             (_relu(x @ w0) + b0) @ w1 + b1),
        "relu_on_input": ("The output matches ReLU applied to the features instead of the hidden layer.",
                          (_relu(x) @ w0 + b0) @ w1 + b1),
    }
    if w0.shape[0] == w0.shape[1]:
        out["transposed_weights"] = ("The output matches a network with transposed hidden weights: "
                                     "weights are [inputs, outputs], so use tf.matmul(features, weights[0]).",
                                     _relu(x @ w0.T + b0) @ w1 + b1)
    return out


def compare_logits(got: np.ndarray, want: np.ndarray, inputs: dict[str, Any]) -> None:
    """Raise Fail with the most helpful message when `got` is not `want`."""
    lesson = relu_logits(LESSON_INPUTS)

    def is_lesson(a: np.ndarray, tol: float) -> bool:
        return a.shape == lesson.shape and bool(np.allclose(a, lesson, atol=tol))

    # The published answer on other inputs: the student copied the output in.
    if is_lesson(got, 0.01) and not is_lesson(want, 1e-3):
        raise Fail("These are the ReLU quiz's logits, but the inputs were different: compute the logits from "
                   "features, weights and biases instead of returning fixed numbers.",
                   mistake="hard_coded", expected=want, got=got)
    compare_logits_with_mistakes(
        got, want, known_mistakes(inputs),
        shape_message=f"The logits have shape {list(got.shape)}, but {list(want.shape)} was expected "
                      "([batch, n_classes]).",
        otherwise="The logits are not what a ReLU hidden layer followed by a linear output layer gives.")


@check("relu_model", "lesson_inputs", "relu_model on the ReLU quiz's inputs", points=4,
       probes=[LESSON, RELU_QUIZ], hint="hidden = relu(features @ W0 + b0); logits = hidden @ W1 + b1.")
def lesson_inputs(ev: Evidence) -> str:
    # The quiz's original format (a script leaving `output`) is accepted here, on these inputs only.
    kind, got = function_or_quiz(ev, LESSON, RELU_QUIZ)
    if kind == "quiz":
        return judge_relu_quiz(got)
    # Judged with numpy: the student bundle ships without the reference solution.
    compare_logits(got, relu_logits(LESSON_INPUTS), LESSON_INPUTS)
    return "Matches the quiz's expected output [[5.11, 8.44], [0, 0], [24.01, 38.24]]."
