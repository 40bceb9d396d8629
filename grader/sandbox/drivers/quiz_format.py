"""Drivers for answers in the lesson's original quiz format, and for top-level names.

The original quizzes were scripts: build the quiz's fixed tensors, run them,
and leave the result in a top-level variable `output` (an array, or a tensor
still to evaluate). The student's file already ran when the worker loaded it;
these drivers only read what it left behind.
"""

from __future__ import annotations

import ast
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from grader.catalog import EXERCISE_NAMES
from grader.sandbox.drivers import driver
from grader.sandbox.tfsupport import is_tf_value, tf1, to_array
from grader.sandbox.student import WrongType

# The names the ReLU and dropout quizzes give the student, holding the quiz's data.
QUIZ_GIVEN = frozenset({"hidden_layer_weights", "out_weights", "features"})


def _namespaces(ctx: Any) -> Iterator[types.ModuleType]:
    """The exercise's own file first, then quiz.py, then files that belong to no other exercise.

    A `dropout.py` answer must never be read as the ReLU quiz's `output`, and
    neither may a `dropout_quiz.py` (or a quiz.py) whose names and content
    show that it answers the dropout quiz: see `quiz_kind`.
    """
    mods: dict[str, types.ModuleType] = ctx.code.modules
    if ctx.exercise is None:
        yield from mods.values()
        return
    stems = {name: Path(ctx.code.sources[name].name).stem for name in mods}
    # The original quiz workspaces named the file quiz.py, which is also exercise 8's file.
    rank = {ctx.exercise: 0, "quiz": 1}
    usable = [name for name in mods if stems[name] == ctx.exercise
              or ((stems[name] == "quiz" or stems[name] not in EXERCISE_NAMES)
                  and quiz_kind(ctx.code.sources[name].code) in (None, ctx.exercise))]
    for name in sorted(usable, key=lambda n: rank.get(stems[n], 2)):
        yield mods[name]


def _assigned_and_used(tree: ast.AST) -> tuple[set[str], set[str]]:
    assigned: set[str] = set()
    used: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            (assigned if isinstance(node.ctx, ast.Store) else used).add(node.id)
        elif isinstance(node, ast.Attribute):
            used.add(node.attr)
        elif isinstance(node, ast.arg):
            assigned.add(node.arg)
    return assigned, used


def quiz_kind(source: str) -> str | None:
    """The exercise whose quiz a script answers, told by its names: "dropout" when it uses
    dropout or keep_prob, "relu_model" when it has the ReLU quiz's given names or a ReLU,
    None when it looks like neither (or does not parse)."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return None
    assigned, used = _assigned_and_used(tree)
    names = assigned | used
    if "dropout" in names or "keep_prob" in names:
        return "dropout"
    if QUIZ_GIVEN & assigned or "relu" in used:
        return "relu_model"
    return None


def _evaluate(value: Any, what: str, feed_scalars: float | None) -> np.ndarray:
    """A tensor left in `output` is run in its own graph, the way the quiz would have."""
    if value is None:
        raise WrongType(f"`{what}` is still None: run the result in a session and store it, "
                        f"e.g. {what} = sess.run(logits).")
    if not is_tf_value(value):
        return to_array(value, f"`{what}`")
    tf = tf1()
    graph = getattr(value, "graph", None)
    if graph is None:
        raise WrongType(f"`{what}` is a TensorFlow object that cannot be evaluated; store the array "
                        "that session.run(...) returned instead.")
    feed: dict[Any, float] = {}
    if feed_scalars is not None:
        # The dropout quiz feeds keep_prob through a float placeholder (scalar, or of unknown shape).
        for op in graph.get_operations():
            out = op.outputs[0] if op.outputs else None
            if (op.type in ("Placeholder", "PlaceholderV2") and out is not None and out.dtype.is_floating
                    and out.shape.ndims in (None, 0)):
                feed[out] = float(feed_scalars)
    with graph.as_default(), tf.Session(graph=graph) as sess:
        sess.run(tf.global_variables_initializer())
        return to_array(value, what, session=sess, feed=feed)


@driver("quiz_output")
def read_quiz_output(ctx: Any, name: str = "output", keep_prob: float | None = None) -> np.ndarray | None:
    """The quiz answer the student's script left in the top-level variable `name`.

    None when there is no such variable: most answers are function-style, and
    the reference solutions (run through the same probe) have none either.
    """
    for mod in _namespaces(ctx):
        if name in mod.__dict__:
            return _evaluate(mod.__dict__[name], name, keep_prob)
    return None


@driver("top_level_values")
def read_top_level_values(ctx: Any, names: list[str]) -> dict[str, Any]:
    """Numbers, strings and arrays the student's script left in top-level variables.

    Missing names are left out, so a judge can tell "absent" from "wrong".
    """
    out: dict[str, Any] = {}
    for name in names:
        for mod in _namespaces(ctx):
            if name not in mod.__dict__:
                continue
            value = mod.__dict__[name]
            if isinstance(value, (str, bool)) or value is None:
                out[name] = value
            else:
                arr = _evaluate(value, name, None)
                out[name] = float(arr) if arr.ndim == 0 else arr
            break
    return out
