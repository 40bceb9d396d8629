"""Driver for exercise 4: restore_and_evaluate on a checkpoint the grader made, not the student's.

restore_and_evaluate is judged on the student's own checkpoint elsewhere; then a bug in
train_and_save (no checkpoint, wrong path, saved too early) also costs every restore point. Here
the grader trains the lesson's logistic model itself (the reference train_and_save's recipe: random
normal weights, gradient descent on mini-batches) and saves it, so the restore is judged on its own.

The checkpoint holds the trained values under the names the student's model uses: the stub's
build_model(), which both functions call, is built once in a throwaway graph to read its variables'
names and shapes ([784, 10] gets the weights, [10] the bias). The lesson's default names
(`Variable`, `Variable_1`) and the reference's (`weights`, `bias`) are added where still free, for
a student whose restore builds its model another way.
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any

import numpy as np

from grader import data
from grader.sandbox.drivers import driver
from grader.sandbox.drivers.mlp_mnist import accuracy_value
from grader.sandbox.drivers.save_restore import WEIGHTS_SHAPE, BIAS_SHAPE, _error, checkpoint_contents
from grader.sandbox.tfsupport import fresh_graph, tf1

DEFAULT_NAMES = {"Variable": WEIGHTS_SHAPE, "Variable_1": BIAS_SHAPE, "weights": WEIGHTS_SHAPE, "bias": BIAS_SHAPE}


def train_logistic(learning_rate: float, training_epochs: int, batch_size: int) -> tuple[np.ndarray, np.ndarray]:
    """The lesson's logistic model trained with our own code: (weights [784, 10], bias [10])."""
    tf = tf1()
    mnist = data.read_data_sets(".", one_hot=True, reshape=True)
    with fresh_graph():
        x = tf.placeholder(tf.float32, [None, data.N_PIXELS])
        y = tf.placeholder(tf.float32, [None, data.N_CLASSES])
        w = tf.Variable(tf.random_normal(WEIGHTS_SHAPE))
        b = tf.Variable(tf.random_normal(BIAS_SHAPE))
        logits = tf.matmul(x, w) + b
        cost = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits_v2(logits=logits, labels=y))
        step = tf.train.GradientDescentOptimizer(learning_rate).minimize(cost)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            for _ in range(int(training_epochs)):
                for _ in range(math.ceil(mnist.train.num_examples / batch_size)):
                    bx, by = mnist.train.next_batch(batch_size)
                    sess.run(step, feed_dict={x: bx, y: by})
            return sess.run(w), sess.run(b)


def model_variables(ctx: Any) -> dict[str, list[int]]:
    """Names and shapes of the variables the student's build_model() makes ({} without one)."""
    tf = tf1()
    try:
        build = ctx.function("build_model")
    except Exception:  # noqa: BLE001 - no helper: the default names are all there is
        return {}
    with fresh_graph():
        try:
            build()
        except Exception:  # noqa: BLE001 - a broken helper shows in the restore itself
            return {}
        return {v.op.name: [int(d) if d is not None else -1 for d in v.get_shape().as_list()]
                for v in tf.global_variables()}


def write_checkpoint(save_file: str, names: dict[str, list[int]], weights: np.ndarray, bias: np.ndarray) -> None:
    tf = tf1()
    wanted = dict(names)
    for name, shape in DEFAULT_NAMES.items():
        wanted.setdefault(name, shape)
    with fresh_graph():
        made = []
        for name, shape in wanted.items():
            if list(shape) == WEIGHTS_SHAPE:
                value = weights
            elif list(shape) == BIAS_SHAPE:
                value = bias
            elif all(d >= 0 for d in shape):
                value = np.zeros(shape, dtype=np.float32)
            else:
                continue
            made.append(tf.Variable(value.astype(np.float32), name=name))
        saver = tf.train.Saver(made)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            saver.save(sess, save_file)


@driver("restore_given")
def run_restore_given(ctx: Any, learning_rate: float, training_epochs: int, batch_size: int,
                      folder: str) -> dict[str, Any]:
    """restore_and_evaluate on the grader's checkpoint, in the form the save_restore driver reports."""
    restore_and_evaluate = ctx.function("restore_and_evaluate")
    where = Path(ctx.workdir) / folder
    where.mkdir(parents=True, exist_ok=True)
    save_file = str(where / "model.ckpt")
    weights, bias = train_logistic(learning_rate, training_epochs, batch_size)
    write_checkpoint(save_file, model_variables(ctx), weights, bias)
    test_images, test_labels = data.split_arrays()["test"]
    saved = float(np.mean(np.argmax(test_images @ weights + bias, axis=1) == test_labels))
    result: dict[str, Any] = {"saved_accuracy": saved, "files": sorted(os.listdir(where)),
                              "checkpoint": checkpoint_contents(save_file),
                              "restored_accuracy": None, "restore_error": None}
    with fresh_graph():
        try:
            result["restored_accuracy"] = accuracy_value(
                restore_and_evaluate(data.read_data_sets(".", one_hot=True, reshape=True), save_file),
                "restore_and_evaluate")
        except Exception as exc:  # noqa: BLE001 - the judge explains the failure
            result["restore_error"] = {**_error(exc), "traceback": ctx.code.format_traceback(exc)[-4000:]}
    return result
