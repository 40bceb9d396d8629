"""The built-in example class: synthetic students generated from solutions/ and exercises/.

Nothing here holds solution code: every student is derived at build time
from the reference solutions (copied, or mutated by exact text edits) and the
student stubs (exercises/, or stubs made from the solutions when exercises/
has not been generated). A mutation whose target text is gone raises
`ExampleError`, so a changed solution cannot silently turn a "mistake" student
into a perfect one.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from grader.authoring.assign import make_stub
from grader.errors import ExitCode, GraderError
from grader.paths import Paths


class ExampleError(GraderError):
    """The example class could not be built (a solution changed under a mutation)."""

    exit_code = ExitCode.BAD_SOLUTIONS


@dataclass(frozen=True)
class Mutation:
    file: str
    old: str
    new: str
    mistake: str   # what a student did wrong, for people reading this list


MUTATIONS: tuple[Mutation, ...] = (
    Mutation("relu_model.py",
             "return tf.add(tf.matmul(hidden_layer, weights[1]), biases[1])",
             "return tf.nn.relu(tf.add(tf.matmul(hidden_layer, weights[1]), biases[1]))",
             "ReLU on the output layer too"),
    Mutation("regularization.py", "penalty = tf.add_n([tf.nn.l2_loss(w) for w in weights])",
             "penalty = tf.add_n([tf.reduce_sum(tf.square(w)) for w in weights])",
             "L2 penalty without the 1/2"),
    Mutation("parameter_count.py", "total += n_in * n_out + n_out", "total += n_in * n_out",
             "forgot the biases when counting parameters"),
    Mutation("dropout.py", "hidden_layer = tf.nn.dropout(hidden_layer, keep_prob)",
             "hidden_layer = tf.nn.dropout(hidden_layer, 1 - keep_prob)",
             "passed the drop rate where keep_prob was expected"),
    Mutation("quiz.py", "LOGISTIC_PARAMETERS = 7850", "LOGISTIC_PARAMETERS = 7840",
             "quiz answer without the 10 biases"),
)

# Students who only did the cheap exercises, so the example grades quickly.
NOTEBOOK_EXERCISES = ("relu_model", "regularization", "dropout", "quiz")
ZIP_EXERCISES = ("parameter_count", "relu_model", "dropout", "quiz")


def apply_edits(source: str, edits: Sequence[tuple[str, str]], where: str) -> str:
    """Replace each `old` (found exactly once in the original `source`) by its `new`.

    Edits are located in the original text, so one edit's result can never be
    matched by another; overlapping edits are refused.
    """
    spans = []
    for old, new in edits:
        count = source.count(old)
        if count != 1:
            raise ExampleError(f"{where}: expects {old!r} exactly once, found it {count} times")
        start = source.index(old)
        spans.append((start, start + len(old), new))
    spans.sort()
    if any(a[1] > b[0] for a, b in zip(spans, spans[1:])):
        raise ExampleError(f"{where}: edits overlap")
    for start, end, new in reversed(spans):
        source = source[:start] + new + source[end:]
    return source


def mutate(source: str, m: Mutation) -> str:
    where = f"example class: the mutation '{m.mistake}' of solutions/{m.file} (update grader/examples.py)"
    return apply_edits(source, [(m.old, m.new)], where)


def _solutions(paths: Paths) -> dict[str, str]:
    files = {p.name: p.read_text(encoding="utf-8") for p in sorted(paths.solutions.glob("*.py"))}
    if not files:
        raise ExampleError(f"example class: no solutions in {paths.solutions}")
    return files


def _stubs(paths: Paths, solutions: dict[str, str]) -> dict[str, str]:
    out = {}
    for name, code in solutions.items():
        given = paths.exercises / name
        out[name] = given.read_text(encoding="utf-8") if given.is_file() else make_stub(code, name)
    return out


def _write_folder(folder: Path, files: dict[str, str]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, code in files.items():
        (folder / name).write_text(code, encoding="utf-8")


def _notebook(cells: list[tuple[str, str]]) -> str:
    def cell(kind: str, text: str) -> dict[str, object]:
        c: dict[str, object] = {"cell_type": kind, "metadata": {}, "source": text.splitlines(keepends=True)}
        if kind == "code":
            c.update(execution_count=None, outputs=[])
        return c

    nb = {"nbformat": 4, "nbformat_minor": 5,
          "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
          "cells": [cell(k, t) for k, t in cells]}
    return json.dumps(nb, indent=1) + "\n"


def build_example_class(paths: Paths, dest: Path) -> dict[str, str]:
    """Write the example students into `dest`; returns entry name -> what it shows."""
    solutions = _solutions(paths)
    stubs = _stubs(paths, solutions)
    dest.mkdir(parents=True, exist_ok=True)
    made: dict[str, str] = {}

    _write_folder(dest / "perfect", solutions)
    made["perfect"] = "every exercise solved"

    _write_folder(dest / "untouched", stubs)
    made["untouched"] = "the stubs as handed out"

    mistakes = dict(solutions)
    for m in MUTATIONS:
        if m.file not in mistakes:
            raise ExampleError(f"example class: solutions/{m.file} is missing (needed for '{m.mistake}')")
        mistakes[m.file] = mutate(mistakes[m.file], m)
    _write_folder(dest / "mistakes", mistakes)
    made["mistakes"] = "; ".join(m.mistake for m in MUTATIONS)

    cells: list[tuple[str, str]] = [("markdown", "# My lesson 9 exercises\n"), ("code", "%matplotlib inline\n")]
    for ex in NOTEBOOK_EXERCISES:
        if f"{ex}.py" in solutions:
            cells += [("markdown", f"## {ex}\n"), ("code", solutions[f"{ex}.py"])]
    (dest / "notebook.ipynb").write_text(_notebook(cells), encoding="utf-8")
    made["notebook.ipynb"] = "one notebook holding several exercises"

    with zipfile.ZipFile(dest / "zipped.zip", "w", zipfile.ZIP_DEFLATED) as zf:
        for name in sorted(solutions):
            code = solutions[name] if Path(name).stem in ZIP_EXERCISES else stubs[name]
            zf.writestr(f"homework/{name}", code)
    made["zipped.zip"] = "a zip with one top-level folder"

    broken = dict(stubs)
    broken["parameter_count.py"] = (solutions["parameter_count.py"]
                                    + "\n\n# Try it out\nwhile True:\n    pass\n")
    broken["regularization.py"] = mutate(solutions["regularization.py"], Mutation(
        "regularization.py", "for w in weights])", "for w in weights]", "unclosed bracket"))
    broken["relu_model.py"] = solutions["relu_model.py"]
    _write_folder(dest / "loop_and_syntax", broken)
    made["loop_and_syntax"] = "an infinite loop in one file, a syntax error in another"

    (dest / "empty").mkdir(exist_ok=True)
    made["empty"] = "handed in nothing"
    return made
