"""Driver for quiz-format scripts on hidden inputs.

A script in the lesson's original quiz format writes the quiz's data as
literals (`hidden_layer_weights = [[0.1, ...]]`, `features = tf.Variable([[...]])`)
and leaves its answer in `output`. On those fixed inputs a wrong model can give
the right numbers (a ReLU on the output layer does), so this driver runs the
script again with the literal assignments of the given names replaced by the
probe's values, in a fresh default graph and a namespace of its own, and
reports the new `output`. The judge compares it with the reference model on
the same values; it never enters this process.
"""

from __future__ import annotations

import ast
from typing import Any

import numpy as np

from grader.sandbox.drivers import driver
from grader.sandbox.drivers.quiz_format import _evaluate, _namespaces, quiz_kind
from grader.sandbox.tfsupport import new_default_graph


def _is_literal(node: ast.AST) -> bool:
    try:
        ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return False
    return True


def _literal(value: Any) -> ast.expr:
    """An AST literal for nested lists of floats."""
    plain = np.asarray(value, dtype=np.float64).tolist()
    return ast.parse(repr(plain), mode="eval").body


class _Replace(ast.NodeTransformer):
    """Swap the data in `name = [[...]]` or `name = tf.Variable([[...]])` (any call
    whose first argument is a literal) for the probe's values."""

    def __init__(self, values: dict[str, Any]) -> None:
        self.values = values
        self.replaced: set[str] = set()

    def visit_Assign(self, node: ast.Assign) -> ast.AST:
        target = node.targets[0] if len(node.targets) == 1 else None
        if isinstance(target, ast.Name) and target.id in self.values:
            new = _literal(self.values[target.id])
            if _is_literal(node.value):
                node.value = new
                self.replaced.add(target.id)
            elif isinstance(node.value, ast.Call) and node.value.args and _is_literal(node.value.args[0]):
                node.value.args[0] = new
                self.replaced.add(target.id)
        return node


def rewrite(source: str, values: dict[str, Any]) -> tuple[ast.Module, set[str]]:
    """The script's syntax tree with the given names' literal data replaced, and which were."""
    tree = ast.parse(source)
    swap = _Replace(values)
    tree = swap.visit(tree)
    ast.fix_missing_locations(tree)
    return tree, swap.replaced


@driver("quiz_rerun")
def rerun_quiz(ctx: Any, values: dict[str, Any], name: str = "output",
               keep_prob: float | None = None) -> dict[str, Any] | None:
    """The quiz-format script for `ctx.exercise`, rerun on `values`.

    None when no submitted file is a quiz-format answer for this exercise (it
    leaves no `output`); otherwise {"file", "replaced", "missing", "output"},
    where `output` is None when some given name was not a literal assignment
    (the script does not follow the quiz's names, so it cannot be rerun).
    """
    for mod in _namespaces(ctx):
        if name not in mod.__dict__:
            continue
        src = ctx.code.sources[mod.__name__]
        if quiz_kind(src.code) != ctx.exercise:
            continue
        tree, replaced = rewrite(src.code, values)
        missing = sorted(set(values) - replaced)
        result: dict[str, Any] = {"file": src.display, "replaced": sorted(replaced), "missing": missing,
                                  "output": None}
        if missing:
            return result
        # Its own namespace, loaded by the student's loader so `import tensorflow` means TF 1.
        namespace: dict[str, Any] = {"__name__": f"_rerun_{mod.__name__}", "__file__": src.name,
                                     "__loader__": ctx.code, "__builtins__": __builtins__}
        new_default_graph()
        exec(compile(tree, src.name, "exec", dont_inherit=True), namespace)
        if namespace.get(name) is None:
            return result
        result["output"] = _evaluate(namespace[name], name, keep_prob)
        return result
    return None
