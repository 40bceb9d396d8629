"""Driver for exercise 7: run dropout_model with keep_prob fed through a placeholder.

The mask is random, so the driver only reports the logits it saw; the judge
decides whether some legitimate keep/drop mask explains every row.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from grader.sandbox.drivers import driver
from grader.sandbox.drivers.relu_model import constants
from grader.sandbox.tfsupport import fresh_graph, session_for, tf1, to_array


@driver("dropout_model")
def run_dropout_model(ctx: Any, features: Any, weights: list[Any], biases: list[Any],
                      keep_probs: list[float], repeats: int = 1) -> list[np.ndarray]:
    """Logits for each keep_prob in turn; `repeats` runs are stacked row-wise.

    Repeating a run draws fresh masks, which gives the judge enough rows to
    estimate how often units are kept.
    """
    fn = ctx.function("dropout_model")
    tf = tf1()
    with fresh_graph():
        keep_prob = tf.placeholder(tf.float32, name="keep_prob")
        logits = fn(constants([features])[0], constants(weights), constants(biases), keep_prob)
        out = []
        with session_for(logits) as sess:
            sess.run(tf.global_variables_initializer())
            for kp in keep_probs:
                runs = [to_array(logits, "dropout_model", session=sess, feed={keep_prob: float(kp)})
                        for _ in range(int(repeats))]
                out.append(np.concatenate(runs, axis=0) if runs[0].ndim >= 1 else runs[0])
        return out
