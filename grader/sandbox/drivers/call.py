"""A generic driver: a student function called on constant tensors (and numbers), its result evaluated.

An exercise whose function takes arrays and numbers and returns a tensor or an
array needs no driver of its own:
`probe("...", "call", exercise=..., function="batch_norm", args=[x, gamma, beta])`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from grader.sandbox.drivers import driver
from grader.sandbox.tfsupport import fresh_graph, is_tf_value, session_for, tf1, to_array


@driver("call")
def run_call(ctx: Any, function: str, args: list[Any]) -> np.ndarray:
    fn = ctx.function(function)
    tf = tf1()
    with fresh_graph():
        values = [a if isinstance(a, (int, float)) else tf.constant(np.asarray(a, dtype=np.float32)) for a in args]
        result = fn(*values)
        if not is_tf_value(result):
            return to_array(result, function)
        with session_for(result) as sess:
            sess.run(tf.global_variables_initializer())
            return to_array(result, function, session=sess)
