"""Regenerate the notebooks of tests/sandbox/test_notebook_cells_e2e.py (code written here, plus
the lesson's own "Saving Variables" and "Loading Variables" blocks, copied unchanged).

    python tests/submissions/notebooks/make_cells.py /path/to/lesson-09-deep-neural-networks.md
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import nbformat

HERE = Path(__file__).resolve().parent
QUIZ = HERE.parent / "quiz_format" / "relu_quiz.py"

RELU = '''import tensorflow as tf


def relu_model(features, weights, biases):
    hidden_layer = tf.nn.relu(tf.add(tf.matmul(features, weights[0]), biases[0]))
    return tf.add(tf.matmul(hidden_layer, weights[1]), biases[1])
'''
# Needed (count_parameters reads BIAS_PER_UNIT) and failing half-way, as a restore cell would.
FAILING = '''BIAS_PER_UNIT = 1
raise ValueError("Restoring from checkpoint failed")
WEIGHT_SCALE = 1
'''
COUNT = '''def count_parameters(layer_sizes):
    return sum(n * k + BIAS_PER_UNIT * k for n, k in zip(layer_sizes, layer_sizes[1:]))
'''
COUNT_VARIABLES = '''def count_variables(variables):
    total = 0
    for v in variables:
        size = 1
        for d in v.get_shape().as_list():
            size *= d
        total += size * WEIGHT_SCALE
    return total
'''
EXPLORE = '''# Exploring: train for a while (a minute here) and look at the loss.
import time

start = time.time()
steps = 0
while time.time() - start < 60:
    steps += 1
print("steps:", steps)
'''


def _blocks(lesson: Path) -> tuple[str, str]:
    found = [b for _, b in re.findall(r"^```(\w*)\n(.*?)^```", lesson.read_text(encoding="utf-8"), re.S | re.M)]
    save = next(b for b in found if "saver.save(sess, save_file)" in b and "truncated_normal([2, 3])" in b)
    load = next(b for b in found if "Remove the previous weights and bias" in b)
    return save, load


def _write(name: str, cells: list[str]) -> None:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell(f"# {name}")] + [nbformat.v4.new_code_cell(c.rstrip("\n")) for c in cells]
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{i}"
    (HERE / name).write_text(nbformat.writes(nb), encoding="utf-8")


def main(lesson: Path) -> None:
    save, load = _blocks(lesson)
    # A right relu_model, the lesson's save and load blocks, a needed cell that fails half-way,
    # a function that needs the name the failed cell never reached, one that needs what it did define.
    _write("failing_middle.ipynb", [RELU, save, load, FAILING, COUNT, COUNT_VARIABLES, "print('after')"])
    # Right functions, then a minute of exploring.
    _write("exploring.ipynb", [RELU, COUNT.replace("BIAS_PER_UNIT * k", "k"), EXPLORE])
    # The ReLU quiz answered in its own format, then the lesson's blocks in order (the load
    # block fails in one notebook: the quiz's unnamed variables clash), then exploring.
    _write("quiz_then_lesson.ipynb", [QUIZ.read_text(encoding="utf-8"), save, load, EXPLORE])


if __name__ == "__main__":
    main(Path(sys.argv[1]))
