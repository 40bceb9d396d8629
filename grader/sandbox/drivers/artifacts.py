"""Artifacts: files a student's code wrote, carried as plain data and verified elsewhere.

`pack_files` runs in the student's worker (after `train_and_save`) and turns the
checkpoint folder into uint8 arrays. `verify_checkpoint` runs in a fresh worker
that loaded none of the student's files (a probe with `needs`): it writes the
bytes back to its own /tmp, restores them with tf.train.Saver into a graph we
build, and evaluates that model on the packaged digits, so the judge gets
accuracies that no student code could have touched.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import numpy as np

from grader import data
from grader.sandbox.drivers import driver
from grader.sandbox.tfsupport import fresh_graph, tf1

MAX_BYTES = 8 << 20       # all files of one artifact; a checkpoint of this model is well under 1 MiB
MAX_FILES = 16
MAX_CANDIDATES = 4        # arrays of each shape restored (optimizer slots share the model's shapes)
SAFE_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-]{0,127}$")
SPLITS = ("train", "validation", "test", "relabelled")


def pack_files(folder: Path) -> dict[str, Any]:
    """{"files": {name: uint8 array}, "skipped": [names]} for the regular files directly in `folder`."""
    files: dict[str, np.ndarray] = {}
    skipped: list[str] = []
    total = 0
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        names = []
    for name in names:
        path = folder / name
        if not path.is_file() or not SAFE_NAME.match(name):
            continue
        size = path.stat().st_size
        if len(files) >= MAX_FILES or total + size > MAX_BYTES:
            skipped.append(name)
            continue
        files[name] = np.frombuffer(path.read_bytes(), dtype=np.uint8).copy()
        total += size
    return {"files": files, "skipped": skipped}


def unpack_files(artifact: Any, folder: Path) -> list[str]:
    """Write an artifact's files into `folder`, refusing anything that is not plain and small."""
    packed = artifact.get("checkpoint_files", artifact) if isinstance(artifact, dict) else None
    files = packed.get("files") if isinstance(packed, dict) else None
    if not isinstance(files, dict):
        raise ValueError("the artifact holds no files")
    folder.mkdir(parents=True, exist_ok=True)
    written, total = [], 0
    for name, blob in list(files.items())[:MAX_FILES]:
        if not (isinstance(name, str) and SAFE_NAME.match(name) and isinstance(blob, np.ndarray)
                and blob.dtype == np.uint8 and blob.ndim == 1):
            continue
        total += blob.size
        if total > MAX_BYTES:
            break
        (folder / name).write_bytes(blob.tobytes())
        written.append(name)
    return sorted(written)


def _prefix(folder: Path, prefix: str) -> str | None:
    """The checkpoint prefix to restore: `prefix` if its index is there, else the only index file."""
    if (folder / f"{prefix}.index").is_file():
        return str(folder / prefix)
    found = sorted(p.name[:-len(".index")] for p in folder.glob("*.index"))
    return str(folder / found[-1]) if found else None


def _split(name: str) -> tuple[np.ndarray, np.ndarray]:
    arrays = data.split_arrays()
    if name == "relabelled":
        images, labels = arrays["validation"]
        return images, data.relabelled(labels)
    return arrays[name]


def _first_line(exc: BaseException) -> str:
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return f"{type(exc).__name__}: {lines[0][:300] if lines else ''}"


@driver("verify_checkpoint")
def verify_checkpoint(ctx: Any, artifact: Any = None, splits: Any = ("test",),
                      prefix: str = "model.ckpt") -> dict[str, Any]:
    """Restore the artifact's checkpoint in a graph we build and score it on `splits`.

    Returns {"error", "files", "variables": {name: shape}, "models": [{"weights",
    "bias", "accuracy": {split: float}}]}, one model per pair of candidate
    arrays shaped [784, 10] and [10] (plain names first, optimizer slots after).
    """
    wanted = [s for s in (splits if isinstance(splits, (list, tuple)) else [splits]) if s in SPLITS]
    out: dict[str, Any] = {"error": None, "files": [], "variables": {}, "models": []}
    folder = Path(ctx.workdir) / "artifact"
    try:
        out["files"] = unpack_files(artifact, folder)
    except ValueError as exc:
        out["error"] = str(exc)
        return out
    path = _prefix(folder, prefix)
    if path is None:
        out["error"] = "no checkpoint index among the saved files"
        return out
    tf = tf1()
    try:
        reader = tf.train.load_checkpoint(path)
        shapes, dtypes = reader.get_variable_to_shape_map(), reader.get_variable_to_dtype_map()
    except Exception as exc:  # noqa: BLE001 - an unreadable checkpoint is the finding
        out["error"] = _first_line(exc)
        return out
    out["variables"] = {n: [int(d) for d in s] for n, s in sorted(shapes.items())}
    ordered = sorted(shapes, key=lambda n: (n.count("/"), n))
    weights = [n for n in ordered if list(shapes[n]) == [data.N_PIXELS, data.N_CLASSES]][:MAX_CANDIDATES]
    biases = [n for n in ordered if list(shapes[n]) == [data.N_CLASSES]][:MAX_CANDIDATES]
    for w_name in weights:
        for b_name in biases:
            try:
                accuracy = _restore_and_score(tf, path, (w_name, dtypes[w_name]), (b_name, dtypes[b_name]), wanted)
            except Exception as exc:  # noqa: BLE001
                out["error"] = _first_line(exc)
                return out
            out["models"].append({"weights": w_name, "bias": b_name, "accuracy": accuracy})
    return out


def _restore_and_score(tf: Any, path: str, weights: tuple[str, Any], bias: tuple[str, Any],
                       splits: list[str]) -> dict[str, float]:
    """Restore two saved tensors (name, dtype) through tf.train.Saver and measure the model they form."""
    with fresh_graph():
        w = tf.Variable(tf.zeros([data.N_PIXELS, data.N_CLASSES], weights[1]), name="verify_weights")
        b = tf.Variable(tf.zeros([data.N_CLASSES], bias[1]), name="verify_bias")
        saver = tf.train.Saver(var_list={weights[0]: w, bias[0]: b})
        images = tf.placeholder(tf.float32, [None, data.N_PIXELS])
        logits = tf.matmul(images, tf.cast(w, tf.float32)) + tf.cast(b, tf.float32)
        predicted = tf.argmax(logits, axis=1)
        scores = {}
        with tf.Session() as sess:
            saver.restore(sess, path)
            for split in splits:
                x, labels = _split(split)
                got = sess.run(predicted, feed_dict={images: x.reshape(len(x), -1).astype(np.float32)})
                scores[split] = float(np.mean(got == np.asarray(labels)))
        return scores
