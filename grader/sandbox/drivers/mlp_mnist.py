"""Drivers for exercise 3: the 2-layer MNIST network.

`mlp_mnist.train` does not take the student's accuracy on trust: the checks
train twice, the second time with the test labels shuffled (in a fresh worker). A number really measured
on `mnist.test` falls to chance (0.1) on the shuffled labels; a typed-in or
remembered number, or one measured on another split, does not.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from grader import data
from grader.sandbox.drivers import driver
from grader.sandbox.tfsupport import fresh_graph, is_tf_value, session_for, tf1, to_array
from grader.sandbox.student import WrongType

SCRAMBLE_SEED = 4242


def accuracy_value(value: Any, what: str) -> float:
    """A float from whatever a reasonable student returns for an accuracy."""
    if is_tf_value(value):
        raise WrongType(f"{what} returned a tensor; run it in the session and return the number "
                        "(e.g. float(sess.run(accuracy, feed_dict=...))).")
    arr = to_array(value, what)
    if arr.size != 1:
        raise WrongType(f"{what} returned {arr.size} numbers (shape {list(arr.shape)}); "
                        "it should return one accuracy.")
    return float(arr.reshape(()))


def scrambled(mnist: data.Datasets, seed: int = SCRAMBLE_SEED) -> data.Datasets:
    """The same datasets, except that the test labels are shuffled among the test images."""
    order = np.random.RandomState(seed).permutation(mnist.test.num_examples)
    test = data.DataSet(np.array(mnist.test.images), np.array(mnist.test.labels)[order])
    return data.Datasets(mnist.train, mnist.validation, test)


def _parameter_info(value: Any, what: str, session: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise WrongType(f"make_parameters returned {what} as a {type(value).__name__}; "
                        "it should be a dict keyed 'hidden_layer' and 'out'.")
    out: dict[str, Any] = {}
    for key, var in value.items():
        if not isinstance(key, str):
            raise WrongType(f"the {what} dict has a key {key!r}; use the keys 'hidden_layer' and 'out'.")
        entry: dict[str, Any] = {"variable": isinstance(var, tf1().Variable)}
        if is_tf_value(var) or isinstance(var, np.ndarray):
            arr = to_array(var, f"{what}[{key!r}]", session=session)
            entry.update(shape=list(arr.shape), std=float(arr.std()) if arr.size else 0.0)
        else:
            raise WrongType(f"{what}[{key!r}] is a {type(var).__name__}; it should be a tf.Variable.")
        out[key] = entry
    return out


@driver("mlp_mnist.parameters")
def run_parameters(ctx: Any, sizes: list[int] | None = None) -> dict[str, Any]:
    """Shapes, kinds and spread of what make_parameters creates (defaults when `sizes` is None)."""
    fn = ctx.function("make_parameters")
    tf = tf1()
    with fresh_graph():
        made = fn() if sizes is None else fn(*sizes)
        if not isinstance(made, (tuple, list)) or len(made) != 2:
            raise WrongType("make_parameters should return two dicts: (weights, biases).")
        with session_for(list(made[0].values()) if isinstance(made[0], dict) else made[0]) as sess:
            sess.run(tf.global_variables_initializer())
            return {"weights": _parameter_info(made[0], "weights", sess),
                    "biases": _parameter_info(made[1], "biases", sess),
                    "trainable": len(tf.trainable_variables())}


@driver("mlp_mnist.forward")
def run_forward(ctx: Any, features: Any, weights: dict[str, Any], biases: dict[str, Any]) -> np.ndarray:
    """multilayer_perceptron on constant inputs and parameters."""
    fn = ctx.function("multilayer_perceptron")
    tf = tf1()

    def const(a: Any) -> Any:
        return tf.constant(np.asarray(a, dtype=np.float32))

    with fresh_graph():
        logits = fn(const(features), {k: const(v) for k, v in weights.items()},
                    {k: const(v) for k, v in biases.items()})
        with session_for(logits) as sess:
            return to_array(logits, "multilayer_perceptron", session=sess)


_APPLY = re.compile(r"^(?:Resource)?(?:Sparse)?Apply([A-Za-z]+?)(?:V2)?$")


def optimizer_kinds(graph: Any) -> list[str]:
    """The update rules in the graph the student's function built ("GradientDescent", "Adam", ...),
    read from the optimizers' Apply* ops (Adam's ApplyAdam, its slots' updates). An empty list when
    the function built its graph elsewhere (its own tf.Graph()): nothing is claimed then."""
    kinds = set()
    try:
        for op in graph.get_operations():
            m = _APPLY.match(op.type)
            if m:
                kinds.add(m.group(1))
    except Exception:  # noqa: BLE001 - a graph we cannot read claims nothing
        return []
    return sorted(kinds)[:10]


@driver("mlp_mnist.train")
def run_train(ctx: Any, learning_rate: float, training_epochs: int, batch_size: int,
              shuffle_test_labels: bool = False, scrambled_epochs: int | None = None) -> dict[str, Any]:
    """train_mnist once, on the real digits or (`shuffle_test_labels`) with the test labels shuffled.

    The checks put the shuffled run in a fresh worker of its own, so nothing (a call
    counter, a remembered number) carries over. `scrambled_epochs` is the older form:
    both calls in this worker, reported together.
    """
    fn = ctx.function("train_mnist")
    if shuffle_test_labels:
        # What the function prints is shown: say which call this is.
        print("[The grader calls train_mnist again, with the test labels shuffled; "
              "what follows is printed by that call.]")
    with fresh_graph():
        mnist = data.read_data_sets(".", one_hot=True, reshape=False)
        if shuffle_test_labels:
            mnist = scrambled(mnist)
        accuracy = accuracy_value(fn(mnist, learning_rate, training_epochs, batch_size), "train_mnist")
        optimizers = optimizer_kinds(tf1().get_default_graph())
    if scrambled_epochs is None:
        return {"accuracy": accuracy, "optimizers": optimizers}
    print(f"\n[The grader now calls train_mnist a second time, for {scrambled_epochs} epoch(s), with the "
          "test labels shuffled; what follows is printed by that second call.]")
    with fresh_graph():
        mnist = scrambled(data.read_data_sets(".", one_hot=True, reshape=False))
        shuffled = accuracy_value(fn(mnist, learning_rate, scrambled_epochs, batch_size), "train_mnist")
    return {"accuracy": accuracy, "scrambled_accuracy": shuffled}
