"""Public checks for exercise 3: the 2-layer network on MNIST (maths in oracles/mlp_mnist.py)."""

from __future__ import annotations

from typing import Any

from grader.judging.checks.base import Declare, Evidence
from grader.judging.oracles.mlp_mnist import (EXERCISE, FORWARD_INPUTS, SCRAMBLED_EPOCHS, TRAIN_SECONDS_LIMIT,  # noqa: F401
                                              TRAINING, compare_logits, compare_parameters, judge_training,
                                              numpy_forward)

ex = Declare(EXERCISE)
PARAMETERS = ex.probe("parameters", "mlp_mnist.parameters", sizes=None)
FORWARD = ex.probe("forward", "mlp_mnist.forward", **FORWARD_INPUTS)
TRAIN = ex.probe("train", "mlp_mnist.train", timeout=90.0, **TRAINING)
# The same training with the test labels shuffled, in its own fresh worker: no state (a call counter,
# a remembered number) can carry over from the first run.
TRAIN_SHUFFLED = ex.probe("train_shuffled", "mlp_mnist.train", timeout=90.0, group=f"fresh:{EXERCISE}.shuffled",
                          **{**TRAINING, "training_epochs": SCRAMBLED_EPOCHS, "shuffle_test_labels": True})


@ex.check("parameters", "make_parameters creates the lesson's 784-256-10 variables", points=3, probes=[PARAMETERS],
          hint="weights = {'hidden_layer': tf.Variable(tf.random_normal([n_input, n_hidden_layer])), 'out': ...}")
def parameters(ev: Evidence) -> str:
    compare_parameters(ev.value(PARAMETERS), (784, 256, 10))
    return "Both dicts hold random variables of the right shapes: 203,530 parameters in all."


@ex.check("forward", "multilayer_perceptron computes the 2-layer network's logits", points=4, probes=[FORWARD],
          tolerance=(1e-4, 1e-4),
          hint="layer_1 = tf.nn.relu(tf.add(tf.matmul(x_flat, W['hidden_layer']), "
               "b['hidden_layer'])); logits = tf.add(tf.matmul(layer_1, W['out']), b['out'])")
def forward(ev: Evidence) -> str:
    compare_logits(ev.array(FORWARD), numpy_forward(FORWARD_INPUTS), FORWARD_INPUTS)
    return "The logits match relu(x W1 + b1) W2 + b2."


def _accuracy(value: Any) -> Any:
    return value.get("accuracy") if isinstance(value, dict) else None


@ex.check("training", "train_mnist learns MNIST and reports its real test accuracy", points=8,
          probes=[TRAIN, TRAIN_SHUFFLED],
          hint="Train with GradientDescentOptimizer(learning_rate) on mnist.train.next_batch(batch_size), "
               "then return the accuracy on mnist.test.")
def training(ev: Evidence) -> str:
    train = ev.value(TRAIN)
    return judge_training({"accuracy": _accuracy(train),
                           "scrambled_accuracy": _accuracy(ev.value(TRAIN_SHUFFLED)),
                           "optimizers": train.get("optimizers") if isinstance(train, dict) else None})


_judge_training = judge_training  # the name tests used before the oracles
