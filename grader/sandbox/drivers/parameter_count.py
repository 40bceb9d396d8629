"""Drivers for exercise 1: call the counting functions and return whole numbers."""

from __future__ import annotations

from typing import Any

import numpy as np

from grader.sandbox.drivers import driver
from grader.sandbox.drivers.bystanders import make_bystanders
from grader.sandbox.tfsupport import fresh_graph, is_tf_value, session_for, tf1, to_array, to_int


@driver("count_parameters")
def run_count_parameters(ctx: Any, layer_sizes: list[int]) -> int:
    fn = ctx.function("count_parameters")
    return to_int(fn([int(n) for n in layer_sizes]), "count_parameters")


@driver("count_variables")
def run_count_variables(ctx: Any, shapes: list[list[int]], others: list[dict[str, Any]] | None = None) -> int:
    """Build one variable per shape in a fresh graph, among `others` it is not given, and count them.

    A student may count with TensorFlow ops (tf.size, tf.reduce_prod) and
    return a tensor; that is evaluated in a session here.
    """
    fn = ctx.function("count_variables")
    tf = tf1()
    others = others or []
    with fresh_graph():
        make_bystanders(others[:1])  # one before the given variables, the rest after
        variables = [tf.Variable(tf.zeros([int(d) for d in shape]), name=f"v{i}")
                     for i, shape in enumerate(shapes)]
        make_bystanders(others[1:])
        result = fn(list(variables))
        if is_tf_value(result):
            with session_for(result) as sess:
                sess.run(tf.global_variables_initializer())
                result = to_array(result, "count_variables", session=sess)
        if isinstance(result, np.ndarray) and result.shape == ():
            result = result.item()
        return to_int(result, "count_variables")
