"""Variables a driver puts in the graph besides the ones it hands the student's function.

A real model's graph holds more than the variables a function is given (other layers, biases, a
non-trainable global step). A function that ignores its argument and reads the graph instead
(tf.trainable_variables(), tf.global_variables()) gives the right answer only in a graph that holds
exactly its inputs; with these bystanders in it, it counts or penalises them too and shows itself.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from grader.sandbox.tfsupport import tf1


def make_bystanders(specs: list[dict[str, Any]] | None) -> list[Any]:
    """One variable per spec: {"name", "value" (nested list or number), "trainable"}."""
    tf = tf1()
    return [tf.Variable(np.asarray(s["value"], dtype=np.float32), name=str(s["name"]),
                        trainable=bool(s["trainable"])) for s in specs or []]
