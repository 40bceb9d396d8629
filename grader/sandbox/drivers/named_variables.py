"""Driver for exercise 5: save named variables, shift the automatic names, restore.

The second graph creates `decoys` unnamed variables before calling the
student's function again. Unnamed variables then get different automatic names
than when they were saved, which is the lesson's finetuning failure.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from grader.sandbox.drivers import driver
from grader.sandbox.drivers.save_restore import key_line
from grader.sandbox.tfsupport import fresh_graph, tf1, to_array
from grader.sandbox.student import WrongType


def _pair(made: Any) -> tuple[Any, Any]:
    tf = tf1()
    if not isinstance(made, (tuple, list)) or len(made) != 2:
        raise WrongType("make_variables should return two variables: (weights, bias).")
    for var in made:
        if not isinstance(var, tf.Variable):
            raise WrongType(f"make_variables returned a {type(var).__name__}; "
                            "both items should be tf.Variable objects (a Saver stores variables only).")
    return made[0], made[1]


def _shape(var: Any) -> list[int]:
    return [int(d) if d is not None else -1 for d in var.get_shape().as_list()]


@driver("named_variables")
def run_named_variables(ctx: Any, n_inputs: int, n_outputs: int, decoys: int, folder: str) -> dict[str, Any]:
    fn = ctx.function("make_variables")
    tf = tf1()
    where = Path(ctx.workdir) / folder
    where.mkdir(parents=True, exist_ok=True)
    save_file = str(where / "model.ckpt")

    with fresh_graph():
        weights, bias = _pair(fn(n_inputs, n_outputs))
        result: dict[str, Any] = {"names": [weights.name, bias.name],
                                  "shapes": [_shape(weights), _shape(bias)]}
        saver = tf.train.Saver([weights, bias])
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            saved = sess.run([weights, bias])
            saver.save(sess, save_file)
    result["saved"] = [to_array(v, "make_variables") for v in saved]

    with fresh_graph():
        for _ in range(decoys):
            # Unnamed, so they take `Variable`, `Variable_1`, ... before the student's.
            tf.Variable(tf.zeros([n_outputs]))
        weights, bias = _pair(fn(n_inputs, n_outputs))
        result["restore_names"] = [weights.name, bias.name]
        saver = tf.train.Saver([weights, bias])
        result["restored"] = None
        result["restore_error"] = None
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            try:
                saver.restore(sess, save_file)
            except Exception as exc:  # noqa: BLE001 - the failed restore is the finding
                result["restore_error"] = f"{type(exc).__name__}: {key_line(str(exc))[:400]}"
            else:
                result["restored"] = [np.asarray(v, dtype=np.float64) for v in sess.run([weights, bias])]
    return result
