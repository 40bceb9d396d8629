"""Driver for exercise 4: train and save, then restore into a fresh graph.

Besides the two accuracies the student reports, it returns what the
checkpoint really holds (the [784, 10] and [10] arrays), so the judge can
recompute the saved model's accuracy itself with numpy.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import numpy as np

from grader import data
from grader.sandbox.drivers import driver
from grader.sandbox.drivers.artifacts import pack_files
from grader.sandbox.drivers.mlp_mnist import accuracy_value
from grader.sandbox.tfsupport import fresh_graph, tf1

WEIGHTS_SHAPE = [data.N_PIXELS, data.N_CLASSES]
BIAS_SHAPE = [data.N_CLASSES]
MAX_CANDIDATES = 4  # arrays of each shape sent back (optimizer slots share the shape)


def checkpoint_contents(save_file: str) -> dict[str, Any]:
    """Variable names/shapes in the checkpoint, and the arrays shaped like the model's."""
    tf = tf1()
    try:
        reader = tf.train.load_checkpoint(save_file)
        shapes = reader.get_variable_to_shape_map()
    except Exception as exc:  # noqa: BLE001 - a missing or broken checkpoint is the finding
        return {"error": f"{type(exc).__name__}: {str(exc).splitlines()[0][:300] if str(exc) else ''}",
                "variables": {}, "weights": [], "bias": []}
    found: dict[str, list[Any]] = {"weights": [], "bias": []}
    for name in sorted(shapes, key=lambda n: (n.count("/"), n)):  # plain names before slots
        for key, want in (("weights", WEIGHTS_SHAPE), ("bias", BIAS_SHAPE)):
            if list(shapes[name]) == want and len(found[key]) < MAX_CANDIDATES:
                found[key].append(np.asarray(reader.get_tensor(name), dtype=np.float64))
    return {"error": None, "variables": {n: list(s) for n, s in sorted(shapes.items())}, **found}


def _error(exc: BaseException) -> dict[str, str]:
    return {"type": type(exc).__name__, "message": key_line(str(exc))}


def key_line(text: str) -> str:
    """The telling line of a TensorFlow error (they open with generic advice)."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    for marker in ("Assign requires shapes", "not found in checkpoint", "No variables to save",
                   "not a valid checkpoint", "Failed to find any matching files"):
        for line in lines:
            if marker in line:
                return line[:600]
    return lines[0][:600] if lines else ""


_CHECKPOINT_NAME = re.compile(r"(\.ckpt|^checkpoint$)")


def checkpoints_elsewhere(workdir: Path, where: Path) -> list[str]:
    """Names of checkpoint files written in the worker's folders but not next to save_file: a
    hard-coded path ("./model.ckpt") shows here. Names only: the folders are the worker's."""
    found: set[str] = set()
    for folder in {workdir, Path.cwd()}:
        try:
            paths = [p for p in folder.iterdir()] + [p for d in folder.iterdir() if d.is_dir() and d != where
                                                     for p in d.iterdir()]
        except OSError:
            continue
        found.update(p.name for p in paths if p.is_file() and p.parent != where and _CHECKPOINT_NAME.search(p.name))
    return sorted(found)[:20]


def relabelled_test(mnist: data.Datasets) -> data.Datasets:
    """`mnist` with its test split replaced by the validation digits, every label moved on one class."""
    images, labels = data.split_arrays()["validation"]
    return data.Datasets(mnist.train, mnist.validation,
                         data.make_dataset(images, data.relabelled(labels), reshape=True))


@driver("save_restore")
def run_save_restore(ctx: Any, learning_rate: float, training_epochs: int, batch_size: int,
                     folder: str, evaluate_on: str = "test", save_test: str = "test") -> dict[str, Any]:
    """train_and_save, inspect the checkpoint, then restore_and_evaluate in a new graph.

    `evaluate_on="relabelled"` hands restore_and_evaluate datasets whose test
    split holds the validation digits with every label moved on by one class
    (see `data.relabelled`): an honest evaluation scores near zero there, so a
    number remembered from training, or typed in, gives itself away.
    `save_test="relabelled"` hands train_and_save such datasets too: an accuracy
    measured on mnist.test falls with the relabelled digits, a training one does not.
    """
    train_and_save = ctx.function("train_and_save")
    restore_and_evaluate = ctx.function("restore_and_evaluate")
    where = Path(ctx.workdir) / folder
    where.mkdir(parents=True, exist_ok=True)
    save_file = str(where / "model.ckpt")

    mnist = data.read_data_sets(".", one_hot=True, reshape=True)
    if save_test == "relabelled":
        mnist = relabelled_test(mnist)
    with fresh_graph():
        saved = accuracy_value(train_and_save(mnist, save_file, learning_rate, training_epochs, batch_size),
                               "train_and_save")
    result: dict[str, Any] = {"saved_accuracy": saved, "files": sorted(os.listdir(where)),
                              "elsewhere": checkpoints_elsewhere(Path(ctx.workdir), where),
                              "checkpoint": checkpoint_contents(save_file),
                              # The files themselves, for verification in a worker that never ran student code.
                              "checkpoint_files": pack_files(where),
                              "restored_accuracy": None, "restore_error": None}

    fresh = data.read_data_sets(".", one_hot=True, reshape=True)
    if evaluate_on == "relabelled":
        fresh = relabelled_test(fresh)
    with fresh_graph():
        try:
            result["restored_accuracy"] = accuracy_value(restore_and_evaluate(fresh, save_file),
                                                         "restore_and_evaluate")
        except Exception as exc:  # noqa: BLE001 - the judge explains the failure
            result["restore_error"] = {**_error(exc), "traceback": ctx.code.format_traceback(exc)[-4000:]}
    return result
