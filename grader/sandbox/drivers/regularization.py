"""Driver for exercise 6: evaluate l2_regularized_loss on variables with known values."""

from __future__ import annotations

from typing import Any

import numpy as np

from grader.sandbox.drivers import driver
from grader.sandbox.drivers.bystanders import make_bystanders
from grader.sandbox.tfsupport import fresh_graph, is_tf_value, session_for, tf1, to_array


@driver("l2_regularized_loss")
def run_l2_regularized_loss(ctx: Any, loss: float, weights: list[Any], beta: float,
                            others: list[dict[str, Any]] | None = None) -> float:
    fn = ctx.function("l2_regularized_loss")
    tf = tf1()
    others = others or []
    with fresh_graph():
        # Variables, like the weights a student regularizes in a real model, among biases and a
        # step counter that are not to be penalised.
        make_bystanders(others[:1])
        ws = [tf.Variable(np.asarray(w, dtype=np.float32), name=f"weights_{i}")
              for i, w in enumerate(weights)]
        make_bystanders(others[1:])
        total = fn(tf.constant(float(loss), dtype=tf.float32), ws, float(beta))
        with session_for(total if is_tf_value(total) else ws) as sess:
            sess.run(tf.global_variables_initializer())
            arr = to_array(total, "l2_regularized_loss", session=sess if is_tf_value(total) else None)
    if arr.size != 1:
        # Judges explain the shape; hand back what came out.
        return arr  # type: ignore[return-value]
    return float(arr.reshape(()))
