"""Driver for exercise 2: call relu_model on constant tensors and evaluate the logits."""

from __future__ import annotations

from typing import Any

import numpy as np

from grader.sandbox.drivers import driver
from grader.sandbox.tfsupport import fresh_graph, session_for, tf1, to_array


def constants(arrays: list[Any]) -> list[Any]:
    tf = tf1()
    return [tf.constant(np.asarray(a, dtype=np.float32)) for a in arrays]


@driver("relu_model")
def run_relu_model(ctx: Any, features: Any, weights: list[Any], biases: list[Any]) -> np.ndarray:
    fn = ctx.function("relu_model")
    with fresh_graph():
        logits = fn(constants([features])[0], constants(weights), constants(biases))
        with session_for(logits) as sess:
            return to_array(logits, "relu_model", session=sess)
