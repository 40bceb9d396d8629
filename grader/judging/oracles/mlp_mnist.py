"""Exercise 3, the 2-layer MNIST network: shapes, the right logits, known wrong networks, and training.

Public checks are judged without the reference solution (the student's
self-check has none): shapes come from the lesson, logits are recomputed
with numpy, and the training check uses the published accuracy range.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from grader.judging.checks.base import Fail, compare_logits_with_mistakes
from grader.judging.oracles.common import is_number, is_shape, require
from grader.judging.oracles.secret import rng
from grader.judging.messages import say

EXERCISE = "mlp_mnist"
KEYS = ("hidden_layer", "out")

# The hyperparameters the grader trains with: the lesson's 0.001 reaches only
# about 0.4 on 4,000 digits in 20 epochs, so the check uses a larger step.
TRAINING: dict[str, Any] = {"learning_rate": 0.2, "training_epochs": 5, "batch_size": 128}
SCRAMBLED_EPOCHS = 2     # the shuffled-labels run only needs to show it is measured on mnist.test
PASS_ACCURACY = 0.75     # the reference gets about 0.85; the lesson's learning rate gets about 0.2
CHANCE_LIMIT = 0.25      # shuffled test labels give 0.1 give or take 0.03
# Below this the network learned nothing (an untrained or zero-weight one scores
# 0.1 on 500 balanced digits; four standard deviations above that is ~0.15).
NOT_LEARNING = 0.15
# Far below chance: 0.1 is four standard deviations (0.013 each on 500 digits) above this. No network
# scores that low on balanced classes; a broken accuracy metric does (argmax on the wrong axis, logits
# compared with one-hot labels, a cast before the comparison).
BROKEN_METRIC = 0.04
TRAIN_SECONDS_LIMIT = 20.0


def forward_inputs(r: np.random.Generator, batch: int, n_in: int, n_hidden: int, n_out: int) -> dict[str, Any]:
    """Mixed-sign inputs, so that some hidden pre-activations are negative."""
    return {
        "features": np.round(r.normal(0, 1.5, (batch, n_in)), 3),
        "weights": {"hidden_layer": np.round(r.normal(0, 1, (n_in, n_hidden)), 3),
                    "out": np.round(r.normal(0, 1, (n_hidden, n_out)), 3)},
        "biases": {"hidden_layer": np.round(r.normal(0, 0.5, n_hidden), 3),
                   "out": np.round(r.normal(0, 0.5, n_out), 3)},
    }


def _valid_parameters(got: Any) -> None:
    require(isinstance(got, dict) and isinstance(got.get("weights"), dict) and isinstance(got.get("biases"), dict))
    for part in ("weights", "biases"):
        for entry in got[part].values():
            require(isinstance(entry, dict) and isinstance(entry.get("variable"), bool)
                    and is_shape(entry.get("shape")) and is_number(entry.get("std")))


def expected_shapes(n_input: int, n_hidden: int, n_classes: int) -> dict[str, dict[str, list[int]]]:
    return {"weights": {"hidden_layer": [n_input, n_hidden], "out": [n_hidden, n_classes]},
            "biases": {"hidden_layer": [n_hidden], "out": [n_classes]}}


def compare_parameters(got: Any, sizes: tuple[int, int, int]) -> None:
    """Raise Fail unless make_parameters made the right dicts of random variables."""
    _valid_parameters(got)
    want = expected_shapes(*sizes)
    for part in ("weights", "biases"):
        keys = sorted(got[part])
        if keys != sorted(KEYS):
            raise _fail(say("wrong_keys", part=part, keys=keys),
                        mistake="wrong_keys", expected=list(KEYS), got=keys, safe=True)
    shapes = {part: {k: got[part][k]["shape"] for k in KEYS} for part in ("weights", "biases")}
    if shapes != want:
        w_h, w_o = shapes["weights"]["hidden_layer"], shapes["weights"]["out"]
        if w_h == want["weights"]["hidden_layer"][::-1] or w_o == want["weights"]["out"][::-1]:
            raise _fail(say("transposed_weights.compare_parameters", hidden_layer=want["weights"]["hidden_layer"],
                            out=want["weights"]["out"]),
                        mistake="transposed_weights", expected=want, got=shapes,
                        student_message=say("transposed_weights.student.compare_parameters"))
        raise _fail(say("wrong_shapes.compare_parameters", n_input=sizes[0], n_hidden_layer=sizes[1], n_classes=sizes[2],
                        want=want, shapes=shapes),
                    mistake="wrong_shapes", expected=want, got=shapes,
                    student_message=say("wrong_shapes.student.compare_parameters"))
    for part in ("weights", "biases"):
        for key in KEYS:
            entry = got[part][key]
            if not entry["variable"]:
                raise _fail(say("not_variable", part=part, key=key),
                           mistake="not_variable", safe=True)
    for key in KEYS:
        if got["weights"][key]["std"] == 0.0:
            raise _fail(say("constant_weights", key=key),
                       mistake="constant_weights", safe=True)


def numpy_forward(inputs: dict[str, Any]) -> np.ndarray:
    x = np.asarray(inputs["features"], dtype=np.float64)
    w, b = inputs["weights"], inputs["biases"]
    hidden = np.maximum(x @ np.asarray(w["hidden_layer"]) + np.asarray(b["hidden_layer"]), 0.0)
    return np.asarray(hidden @ np.asarray(w["out"]) + np.asarray(b["out"]))


def known_mistakes(inputs: dict[str, Any]) -> dict[str, tuple[str, np.ndarray]]:
    """Logits that known wrong networks give on these inputs, with what to tell the student."""
    x = np.asarray(inputs["features"], dtype=np.float64)
    w0, w1 = (np.asarray(inputs["weights"][k], dtype=np.float64) for k in KEYS)
    b0, b1 = (np.asarray(inputs["biases"][k], dtype=np.float64) for k in KEYS)

    def relu(a: np.ndarray) -> np.ndarray:
        return np.maximum(a, 0.0)

    def softmax(a: np.ndarray) -> np.ndarray:
        e = np.exp(a - a.max(axis=1, keepdims=True))
        return np.asarray(e / e.sum(axis=1, keepdims=True))

    return {
        "relu_missing": (say("relu_missing.known_mistakes"), (x @ w0 + b0) @ w1 + b1),
        "relu_on_output": (say("relu_on_output"),
                           relu(relu(x @ w0 + b0) @ w1 + b1)),
        "sigmoid_hidden": (say("sigmoid_hidden"),
                           (1.0 / (1.0 + np.exp(-(x @ w0 + b0)))) @ w1 + b1),
        "softmax_output": (say("softmax_output"),
                           softmax(relu(x @ w0 + b0) @ w1 + b1)),
        "biases_ignored": (say("biases_ignored"),
                           relu(x @ w0) @ w1),
        "relu_before_bias": (say("relu_before_bias"),
                             (relu(x @ w0) + b0) @ w1 + b1),
    }


def compare_logits(got: np.ndarray, want: np.ndarray, inputs: dict[str, Any]) -> None:
    compare_logits_with_mistakes(
        got, want, known_mistakes(inputs),
        shape_message=say("wrong_shape.mlp_mnist", got=list(got.shape), want=list(want.shape)),
        otherwise=say("wrong_values.mlp_mnist"))


# Update rules by their Apply* op, as a student would have written them.
OPTIMIZER_CLASSES = {
    "Adam": "tf.train.AdamOptimizer", "Momentum": "tf.train.MomentumOptimizer (or Nesterov)",
    "RMSProp": "tf.train.RMSPropOptimizer", "Adagrad": "tf.train.AdagradOptimizer",
    "Adadelta": "tf.train.AdadeltaOptimizer", "Ftrl": "tf.train.FtrlOptimizer",
    "ProximalGradientDescent": "tf.train.ProximalGradientDescentOptimizer",
    "ProximalAdagrad": "tf.train.ProximalAdagradOptimizer", "AdaMax": "an AdaMax optimizer",
    "AdagradDA": "tf.train.AdagradDAOptimizer", "CenteredRMSProp": "a centered RMSProp optimizer",
}


def judge_training(got: Any) -> str:
    require(isinstance(got, dict) and is_number(got.get("accuracy")) and is_number(got.get("scrambled_accuracy")))
    require(got.get("optimizers") is None or (isinstance(got["optimizers"], list)
                                              and all(isinstance(k, str) for k in got["optimizers"])))
    accuracy, shuffled = float(got["accuracy"]), float(got["scrambled_accuracy"])
    settings = (f"learning_rate={TRAINING['learning_rate']}, training_epochs={TRAINING['training_epochs']}, "
                f"batch_size={TRAINING['batch_size']}")
    if not (np.isfinite(accuracy) and np.isfinite(shuffled)):
        raise Fail(say("not_finite.judge_training", accuracy=accuracy),
                   mistake="not_finite", got=accuracy)
    if not 0.0 <= accuracy <= 1.0:
        extra = " It looks like a percentage; return a fraction." if 1.0 < accuracy <= 100.0 else ""
        raise Fail(say("not_a_fraction", accuracy=accuracy, extra=extra),
                   mistake="not_a_fraction", got=accuracy)
    if shuffled >= CHANCE_LIMIT:
        if abs(shuffled - accuracy) < 1e-9:
            raise Fail(say("accuracy_not_measured", accuracy=accuracy), mistake="accuracy_not_measured",
                       expected="about 0.1 with shuffled labels", got=[accuracy, shuffled])
        raise Fail(say("wrong_split", shuffled=shuffled), mistake="wrong_split",
                   expected="about 0.1 with shuffled labels", got=[accuracy, shuffled])
    other = [k for k in got.get("optimizers") or [] if k != "GradientDescent"]
    if other and "GradientDescent" not in (got.get("optimizers") or []):
        names = ", ".join(OPTIMIZER_CLASSES.get(k, k) for k in other)
        raise Fail(say("other_optimizer", names=names, settings=settings),
                   mistake="other_optimizer", got=accuracy,
                   hint=say("other_optimizer.hint"))
    if accuracy < BROKEN_METRIC:
        raise Fail(say("broken_accuracy_metric", accuracy=accuracy), mistake="broken_accuracy_metric",
                   expected="about 0.85", got=accuracy)
    if accuracy < NOT_LEARNING:
        raise Fail(say("not_training", accuracy=accuracy), mistake="not_training", got=accuracy)
    if accuracy < PASS_ACCURACY:
        raise Fail(say("low_accuracy", accuracy=accuracy, settings=settings, PASS_ACCURACY=PASS_ACCURACY),
                   mistake="low_accuracy",
                   expected=f">= {PASS_ACCURACY}", got=accuracy)
    return f"Test accuracy {accuracy:.3f} with {settings}, measured on mnist.test."


def _fail(message: str, *, safe: bool = False, **kw: Any) -> Fail:
    if safe:
        kw.setdefault("student_message", message)
    return Fail(message, **kw)


# The public forward probe's inputs are fixed (the student sees them); hidden ones come from the course seed.
FORWARD_INPUTS = forward_inputs(np.random.default_rng(3101), batch=4, n_in=6, n_hidden=5, n_out=3)


def hidden_inputs(seed: int) -> dict[str, Any]:
    """Other sizes for make_parameters (all different, so a transpose shows) and a wider forward pass."""
    r = rng(seed, f"{EXERCISE}.hidden")
    sizes = [int(v) for v in r.choice(np.arange(3, 20), size=3, replace=False)]
    wide = forward_inputs(r, batch=int(r.integers(6, 12)), n_in=int(r.integers(10, 16)),
                          n_hidden=int(r.integers(8, 13)), n_out=int(r.integers(4, 7)))
    return {"sizes": sizes, "wide": wide}
