"""TensorFlow helpers for drivers: TF1 mode, fresh graphs, turning results into arrays."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from typing import Any

import numpy as np

from grader.sandbox.student import WrongType

# TensorFlow 2.21 ships Keras 3, where tf.compat.v1.layers (tf.layers.dense, dropout,
# flatten: the lesson era's API) fails; the tf-keras package keeps the legacy layers.
# Read when TensorFlow is first imported, so this must run before that import: the
# zygote imports the drivers (and so this module) before anything imports TensorFlow.
os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")

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


def warm_graph_building() -> None:
    """Build (and drop) a small graph of the ops the lesson's models use, with no session.

    For the zygote, before it forks: the first graph a process builds pays for lazy set-up
    on the Python side (op wrappers, shape functions, the variable machinery), 50-100 ms
    that every worker paid again. Building only a graph starts no thread (a session would:
    its thread pools, and forking after that hangs the child), so forking stays safe; the
    graph is dropped, so no worker sees it.
    """
    import numpy as np

    tf = tf1()
    new_default_graph()
    features = tf.placeholder(tf.float32, [None, 4])
    weights = tf.Variable(tf.truncated_normal([4, 3], dtype=tf.float32))
    hidden = tf.nn.relu(tf.add(tf.matmul(features, weights), tf.zeros([3])))
    hidden = tf.nn.dropout(hidden, rate=0.5)
    logits = tf.matmul(hidden, tf.constant(np.ones((3, 2), np.float32))) + tf.Variable(tf.zeros([2]))
    tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits_v2(labels=tf.zeros_like(logits), logits=logits))
    tf.global_variables_initializer()
    tf.reset_default_graph()


def new_default_graph(seed: int | None = GRAPH_SEED) -> Any:
    """Replace the default graph by an empty one (optionally seeded) and return it.

    Done with `tf.reset_default_graph()` at the top level rather than by entering
    `graph.as_default()`: inside such a block the lesson's own
    `tf.reset_default_graph()` (which students call in their functions) raises
    "Do not use tf.reset_default_graph() to clear nested graphs".
    """
    tf = tf1()
    tf.reset_default_graph()
    graph = tf.get_default_graph()
    if seed is not None:
        tf.set_random_seed(seed)
    return graph


@contextlib.contextmanager
def fresh_graph(seed: int = GRAPH_SEED) -> Iterator[Any]:
    """A new default graph with a fixed graph-level seed, so reruns agree.

    Not a nested graph context (see `new_default_graph`): student functions may
    reset the default graph themselves; the driver then works in theirs.
    """
    yield new_default_graph(seed)


@contextlib.contextmanager
def session_for(value: Any) -> Iterator[Any]:
    """A session on the graph `value` (a tensor, variable, or a list/dict of them) lives in.

    A student function may call tf.reset_default_graph() while it builds on the
    tensors it was given; its ops then live in the graph of those tensors, not
    in the new default graph, and that is the graph to run.
    """
    tf = tf1()
    items = list(value.values()) if isinstance(value, dict) else value if isinstance(value, (list, tuple)) else [value]
    graph = next((getattr(v, "graph", None) for v in items if is_tf_value(v)), None) or tf.get_default_graph()
    with graph.as_default(), tf.Session(graph=graph) as sess:
        yield sess


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
