"""Driver for exercise 4: restore_and_evaluate on a checkpoint the grader hands it, not the student's.

restore_and_evaluate is judged on the student's own checkpoint elsewhere; then a bug in
train_and_save (no checkpoint, wrong path, saved too early) also costs every restore point. Here
it restores a model trained by the reference train_and_save in a process where no student code ever
ran (grader/sandbox/given_model.py, made by bench/make_given_model.py), and the judge compares the restored accuracy with that model's accuracy, computed in the grading
process from the same values. Nothing is trained here; what student code in this worker does to
the files can change only what its own restore reads, never what it is compared with. A second
restore of the same checkpoint is handed relabelled test digits (as in the save_restore driver's
`evaluate_on="relabelled"`): the given model's accuracy is public, and a typed-in copy of it does not move.

The checkpoint holds the given values under the names the student's model uses: the stub's
build_model(), which both functions call, is built once in a throwaway graph to read its variables'
names and shapes ([784, 10] gets the weights, [10] the bias). The lesson's default names
(`Variable`, `Variable_1`) and the reference's (`weights`, `bias`) are added where still free, for
a student whose restore builds its model another way.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np

from grader import data
from grader.sandbox.drivers import driver
from grader.sandbox.drivers.mlp_mnist import accuracy_value
from grader.sandbox.drivers.save_restore import (WEIGHTS_SHAPE, BIAS_SHAPE, _error, checkpoint_contents,
                                                 relabelled_test)
from grader.sandbox.given_model import given_model
from grader.sandbox.tfsupport import fresh_graph, tf1

DEFAULT_NAMES = {"Variable": WEIGHTS_SHAPE, "Variable_1": BIAS_SHAPE, "weights": WEIGHTS_SHAPE, "bias": BIAS_SHAPE}


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
def run_restore_given(ctx: Any, folder: str) -> dict[str, Any]:
    """restore_and_evaluate on a checkpoint of the given model, in the form the save_restore driver reports.

    `saved_accuracy` and `checkpoint` are this worker's view, for the record only: the judge
    replaces both with what it computes from the values it handed out. `relabelled` holds a second
    restore's `restored_accuracy` and `restore_error`, on the relabelled test digits.
    """
    restore_and_evaluate = ctx.function("restore_and_evaluate")
    w, b = given_model()
    where = Path(ctx.workdir) / folder
    where.mkdir(parents=True, exist_ok=True)
    save_file = str(where / "model.ckpt")
    write_checkpoint(save_file, model_variables(ctx), w, b)
    test_images, test_labels = data.split_arrays()["test"]
    saved = float(np.mean(np.argmax(test_images @ w + b, axis=1) == test_labels))
    result: dict[str, Any] = {"saved_accuracy": saved, "files": sorted(os.listdir(where)),
                              "checkpoint": checkpoint_contents(save_file),
                              "restored_accuracy": None, "restore_error": None}
    result.update(_restore(ctx, restore_and_evaluate, data.read_data_sets(".", one_hot=True, reshape=True), save_file))
    # The same checkpoint again, on data sets whose test split holds other digits, every label moved on one
    # class: a measured accuracy follows them (the judge recomputes it), a typed-in number does not move.
    result["relabelled"] = _restore(ctx, restore_and_evaluate,
                                    relabelled_test(data.read_data_sets(".", one_hot=True, reshape=True)), save_file)
    return result


def _restore(ctx: Any, restore_and_evaluate: Any, mnist: data.Datasets, save_file: str) -> dict[str, Any]:
    """One restore_and_evaluate call in a fresh graph: its accuracy, or the error it raised."""
    with fresh_graph():
        try:
            return {"restored_accuracy": accuracy_value(restore_and_evaluate(mnist, save_file), "restore_and_evaluate"),
                    "restore_error": None}
        except Exception as exc:  # noqa: BLE001 - the judge explains the failure
            return {"restored_accuracy": None,
                    "restore_error": {**_error(exc), "traceback": ctx.code.format_traceback(exc)[-4000:]}}
