"""A generic driver: call a student function on constant tensors and evaluate what it returns.

Exercises whose function takes arrays (and numbers) and returns a tensor or an
array need no driver of their own: `probe("...", "call", function="batch_norm", args=[x, gamma, beta])`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from grader.sandbox.drivers import driver
from grader.sandbox.tfsupport import fresh_graph, is_tf_value, tf1, to_array


@driver("call")
def run_call(ctx: Any, function: str, args: list[Any]) -> np.ndarray:
    fn = ctx.function(function)
    tf = tf1()
    with fresh_graph():
        values = [a if isinstance(a, (int, float)) else tf.constant(np.asarray(a, dtype=np.float32)) for a in args]
        result = fn(*values)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            return to_array(result, function, session=sess if is_tf_value(result) else None)
