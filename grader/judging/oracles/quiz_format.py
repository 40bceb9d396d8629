"""Judging answers in the lesson's original quiz format (a script that leaves `output`).

The ReLU quiz (QUIZZES.md section 2) and dropout quiz 2 (section 8) were
scripts: build fixed tensors, run them, store the result in `output`. Such an
answer is judged here on the quiz's own inputs, with feedback at least as
helpful as the original checker's (shape first, negative numbers mean a
missing ReLU, all zeros or no `output` mean nothing was stored), and without
its two flaws for dropout: any legitimate keep/drop mask passes on any TF
version, and a 0 in the output is not wrong by itself.

A fixed-input script could be hard-coded, so the hidden checks rerun it with other
values for the quiz's names (grader.judging.oracles.quiz_rerun); every message says so.

Nothing is registered here: the exercises' lesson-input checks call
`function_or_quiz` and the judges below (see grader/judging/checks/relu_model.py).
"""

from __future__ import annotations

import itertools
from typing import Any, Literal

import numpy as np

from grader.judging.checks.base import Evidence, Fail
from grader.judging.oracles.dropout import Net, judge_dropout
from grader.judging.oracles.lesson import (DROPOUT_FEATURES, DROPOUT_KEEP_PROB, HIDDEN_LAYER_WEIGHTS,
                                           OUT_WEIGHTS, RELU_FEATURES, network)
from grader.judging.raised import stub_unchanged
from grader.judging.messages import say

RTOL = ATOL = 1e-3  # the quizzes ran in float32

NO_HIDDEN_CREDIT = ("This is a quiz-format answer (a script that stores `output`): the hidden checks run it "
                    "again with other values for the quiz's names, so build the model from those names, not "
                    "from copies of their numbers (or define `{function}` as in exercises/{exercise}.py).")

Kind = Literal["function", "quiz"]


def function_or_quiz(ev: Evidence, function_probe: Any, quiz_probe: Any) -> tuple[Kind, np.ndarray]:
    """The function's result when the student wrote the function, else their quiz-format `output`.

    Falls back to the quiz answer only when the function is missing or still
    the stub; a function that raises is judged (and reported) as the function.
    """
    fn = ev.observation(function_probe)
    err = fn.error
    if err is not None and (err.missing or stub_unchanged(err.type, err.message, err.traceback)):
        try:
            quiz = ev.observation(quiz_probe)
        except KeyError:
            quiz = None
        if quiz is not None and (quiz.error is not None or quiz.value is not None):
            # `output` exists: judge it (an error evaluating it is the student's to see).
            return "quiz", ev.array(quiz_probe)
        if err.missing:
            raise _fail(say("missing_function", missing=err.missing),
                       mistake="missing_function")
    return "function", ev.array(function_probe)


def _fail(message: str, **kw: Any) -> Fail:
    return Fail(message, tolerance=(RTOL, ATOL), **kw)


def _array(rows: list[list[float]]) -> np.ndarray:
    return np.asarray(rows, dtype=np.float64)


def _close(a: np.ndarray, b: np.ndarray) -> bool:
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=RTOL, atol=ATOL))


def _shape_and_values(got: np.ndarray, shape: tuple[int, ...], want: np.ndarray) -> None:
    """The original checker's first test (type and dimension), then NaN and all-zeros."""
    if got.shape == (shape[0], len(HIDDEN_LAYER_WEIGHTS[0])) and got.shape != shape:
        raise _fail(say("hidden_only", shape=list(got.shape)),
                   mistake="hidden_only", expected=want, got=got)
    if got.shape != shape:
        raise _fail(say("wrong_shape.quiz_output", got=list(got.shape), rows=shape[0], columns=shape[1]),
                    mistake="wrong_shape", expected=want, got=got)
    if not np.all(np.isfinite(got)):
        raise _fail(say("not_finite.quiz_output"), mistake="not_finite", expected=want, got=got)


def relu_quiz_answer() -> np.ndarray:
    x, w0, w1 = _array(RELU_FEATURES), _array(HIDDEN_LAYER_WEIGHTS), _array(OUT_WEIGHTS)
    return np.maximum(x @ w0, 0.0) @ w1


def judge_relu_quiz(got: np.ndarray) -> str:
    """The ReLU quiz: [[5.11, 8.44], [0, 0], [24.01, 38.24]] on the quiz's inputs."""
    want = relu_quiz_answer()
    _shape_and_values(got, want.shape, want)
    x, w0, w1 = _array(RELU_FEATURES), _array(HIDDEN_LAYER_WEIGHTS), _array(OUT_WEIGHTS)
    if not np.any(got):
        raise _fail(say("all_zeros.judge_relu_quiz"), mistake="all_zeros", expected=want, got=got)
    if _close(got, want):
        return ("Matches the quiz's expected output [[5.11, 8.44], [0, 0], [24.01, 38.24]]. "
                + NO_HIDDEN_CREDIT.format(function="relu_model(features, weights, biases)", exercise="relu_model"))
    logits = np.maximum(x @ w0, 0.0) @ w1
    softmax = np.exp(logits - logits.max(axis=1, keepdims=True))
    mistakes = [
        ("relu_missing", x @ w0 @ w1,
         "`output` matches the linear model with no ReLU: apply tf.nn.relu to the hidden layer."),
        ("softmax_applied", softmax / softmax.sum(axis=1, keepdims=True),
         "`output` holds softmax probabilities; the quiz asks for the logits (no softmax)."),
    ]
    for mistake, candidate, message in mistakes:
        if _close(got, candidate):
            raise _fail(message, mistake=mistake, expected=want, got=got)
    if np.any(got < -ATOL):
        raise _fail(say("relu_missing"),
                   mistake="relu_missing", expected=want, got=got)
    raise _fail(say("wrong_values"),
               mistake="wrong_values", expected=want, got=got)


def dropout_hidden() -> np.ndarray:
    """The dropout quiz's ReLU hidden rows before dropout."""
    return np.maximum(_array(DROPOUT_FEATURES) @ _array(HIDDEN_LAYER_WEIGHTS), 0.0)


def dropout_rows(keep_prob: float = DROPOUT_KEEP_PROB, scale: bool = True) -> list[list[np.ndarray]]:
    """For each feature row, its 8 valid outputs: one per keep/drop mask of the 3 hidden units."""
    hidden, w1 = dropout_hidden(), _array(OUT_WEIGHTS)
    factor = 1.0 / keep_prob if scale else 1.0
    masks = [np.asarray(m, dtype=np.float64) for m in itertools.product((0.0, 1.0), repeat=hidden.shape[1])]
    return [[(h * m * factor) @ w1 for m in masks] for h in hidden]


def judge_dropout_quiz(got: np.ndarray) -> str:
    """Dropout quiz 2: each row must come from some keep/drop mask, scaled by 1/keep_prob.

    The mask matching and the named wrong models are the dropout exercise's
    own (oracles/dropout.py), so both formats get the same diagnosis.
    """
    net = Net.of(network(DROPOUT_FEATURES))
    no_dropout = net.plain()
    _shape_and_values(got, no_dropout.shape, no_dropout)
    if _close(got, no_dropout):
        raise _fail(say("no_dropout"),
                   mistake="no_dropout", expected=no_dropout, got=got)
    judge_dropout(got, net, DROPOUT_KEEP_PROB)
    dropped = sum(1 for row in got if not np.any(row))
    note = (f" {dropped} row(s) had every hidden unit dropped, which dropout legitimately does now and then."
            if dropped else "")
    return ("Every row matches a valid dropout mask with keep_prob 0.5 (kept units scaled by 2)." + note + " "
            + NO_HIDDEN_CREDIT.format(function="dropout_model(features, weights, biases, keep_prob)",
                                      exercise="dropout"))
