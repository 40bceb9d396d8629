"""TensorFlow helpers for drivers: TF1 mode, fresh graphs, turning results into arrays."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import numpy as np

from grader.sandbox.student import WrongType

GRAPH_SEED = 1234
_tf: Any = None


def tf1() -> Any:
    """`tensorflow.compat.v1` with v2 behaviour off (done once per process)."""
    global _tf
    if _tf is None:
        import tensorflow.compat.v1 as tf

        tf.disable_v2_behavior()
        tf.logging.set_verbosity(tf.logging.ERROR)
        _tf = tf
    return _tf


@contextlib.contextmanager
def fresh_graph(seed: int = GRAPH_SEED) -> Iterator[Any]:
    """A new default graph with a fixed graph-level seed, so reruns agree."""
    tf = tf1()
    graph = tf.Graph()
    with graph.as_default():
        tf.set_random_seed(seed)
        yield graph


def is_tf_value(value: Any) -> bool:
    tf = tf1()
    return isinstance(value, (tf.Tensor, tf.Variable)) or hasattr(value, "_as_graph_element")


def to_array(value: Any, what: str, session: Any = None, feed: dict[Any, Any] | None = None) -> np.ndarray:
    """A float64 array from a tensor, variable, ndarray, list or number.

    Anything that is not made of numbers (a string, None, an object with a
    rigged `__eq__`) is the student's `WrongType`, with a message saying what
    came back.
    """
    if value is None:
        raise WrongType(f"{what} returned None; it should return a tensor or an array of numbers.")
    if is_tf_value(value):
        if session is None:
            raise WrongType(f"{what} returned a tensor where a plain value was expected.")
        value = session.run(value, feed_dict=feed)
    if isinstance(value, (str, bytes)):
        raise WrongType(f"{what} returned a {type(value).__name__}; it should return numbers.")
    try:
        arr = np.asarray(value)
    except Exception as exc:  # noqa: BLE001 - odd objects raise anything
        raise WrongType(f"{what} returned a {type(value).__name__}, which is not an array of numbers.") from exc
    if arr.dtype == object or arr.dtype.kind not in "biuf":
        raise WrongType(f"{what} returned a {type(value).__name__}, which is not an array of numbers.")
    return np.array(arr, dtype=np.float64)


def to_int(value: Any, what: str) -> int:
    """An int from an int, a numpy integer, or an integral float/0-d array."""
    if isinstance(value, bool) or value is None:
        raise WrongType(f"{what} returned {value!r}; it should return a whole number.")
    if isinstance(value, (int, np.integer)):
        return int(value)
    try:
        arr = np.asarray(value)
    except Exception as exc:  # noqa: BLE001
        raise WrongType(f"{what} returned a {type(value).__name__}; it should return a whole number.") from exc
    if arr.shape == () and arr.dtype.kind in "iuf" and float(arr) == int(arr):
        return int(arr)
    raise WrongType(f"{what} returned {type(value).__name__} {value!r:.60}; it should return a whole number.")
