"""Make grader/sandbox/given_model.py: the model restore_and_evaluate is judged on apart from
the student's own training (check save_restore.restores_given_checkpoint).

Not a benchmark: a maintenance script, kept here with the other scripts that run TensorFlow outside the
test suite. The model is trained by the reference solution's own train_and_save (solutions/save_restore.py)
at the checks' TRAINING settings, in a fresh interpreter that imports nothing but that file and the
packaged digits: no student code has ever run in it. Its weights and bias are read back from the
checkpoint train_and_save wrote and stored in the module as float16 (half the size; the grader hands
out exactly these values and judges against exactly these values, so no precision is lost in the
comparison).

    .venv/bin/python bench/make_given_model.py          # rewrites the module, prints its test accuracy
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import textwrap
import zlib
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SOLUTION = ROOT / "solutions" / "save_restore.py"
TARGET = ROOT / "grader" / "sandbox" / "given_model.py"
SEED = 20170201  # the graph seed of the one training run (any seed gives a model scoring about 0.81)

# Runs in the fresh interpreter: argv = solution path, output folder, TRAINING as JSON, seed.
TRAIN = """
import importlib.util, json, sys
import numpy as np
import tensorflow.compat.v1 as tf
from grader.data import read_data_sets
spec = importlib.util.spec_from_file_location("reference_save_restore", sys.argv[1])
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
tf.disable_eager_execution()
tf.reset_default_graph()
tf.set_random_seed(int(sys.argv[4]))
save_file = sys.argv[2] + "/model.ckpt"
reported = module.train_and_save(read_data_sets(".", one_hot=True, reshape=True), save_file, **json.loads(sys.argv[3]))
reader = tf.train.load_checkpoint(save_file)
shapes = reader.get_variable_to_shape_map()
weights = [n for n, s in shapes.items() if list(s) == [784, 10]]
bias = [n for n, s in shapes.items() if list(s) == [10]]
assert len(weights) == 1 and len(bias) == 1, shapes
np.savez(sys.argv[2] + "/model.npz", weights=reader.get_tensor(weights[0]), bias=reader.get_tensor(bias[0]),
         reported=np.float64(reported))
"""


def _pack(array: np.ndarray) -> str:
    return base64.b64encode(zlib.compress(array.astype("<f2").tobytes(), 9)).decode("ascii")


def _lines(name: str, text: str, width: int = 116) -> str:
    return f"{name} = (\n" + "".join(f'    "{text[i:i + width]}"\n' for i in range(0, len(text), width)) + ")\n"


def main() -> None:
    sys.path.insert(0, str(ROOT))
    from grader import data
    from grader.judging.oracles.save_restore import TRAINING

    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "CUDA_VISIBLE_DEVICES": ""}
        subprocess.run([sys.executable, "-c", TRAIN, str(SOLUTION), tmp, json.dumps(TRAINING), str(SEED)],
                       check=True, env=env, cwd=tmp)
        made = np.load(Path(tmp) / "model.npz")
        weights, bias, reported = made["weights"], made["bias"], float(made["reported"])
    images, labels = data.split_arrays()["test"]
    stored_w, stored_b = weights.astype(np.float16).astype(np.float64), bias.astype(np.float16).astype(np.float64)
    accuracy = float(np.mean(np.argmax(images.astype(np.float64) @ stored_w + stored_b, axis=1) == labels))
    digest = hashlib.sha256(SOLUTION.read_bytes()).hexdigest()
    head = textwrap.dedent(f'''\
        """The model restore_and_evaluate is judged on apart from the student's own training (generated).

        Made by bench/make_given_model.py: the reference solution's train_and_save (solutions/save_restore.py,
        sha256 {digest[:16]}...) at the checks' TRAINING settings
        {TRAINING}, graph seed {SEED}, in a fresh interpreter where no student code ever ran. Its train_and_save reported {reported:.4f} on mnist.test;
        stored as float16, the model scores {accuracy:.4f}. Do not edit: rerun the script.

        Both sides read it: the restore_given driver writes these values as the checkpoint it hands to the
        student's restore_and_evaluate, and the judge (save_restore.restores_given_checkpoint) computes the
        expected accuracy from them in the grading process. Student code in the worker may change its own
        copy; that changes only what its restore sees, never what it is compared with.
        """

        from __future__ import annotations

        import base64
        import zlib
        from functools import cache

        import numpy as np

        from grader import data

        SHAPES = {{"weights": (data.N_PIXELS, data.N_CLASSES), "bias": (data.N_CLASSES,)}}


        @cache
        def given_model() -> tuple[np.ndarray, np.ndarray]:
            """(weights [784, 10], bias [10]) as float32 arrays (fresh copies are cheap; do not mutate)."""
            w, b = (np.frombuffer(zlib.decompress(base64.b64decode(text)), dtype="<f2").astype(np.float32)
                    .reshape(SHAPES[name]) for name, text in (("weights", _WEIGHTS), ("bias", _BIAS)))
            w.flags.writeable = False
            b.flags.writeable = False
            return w, b


        ''')
    TARGET.write_text(head + _lines("_WEIGHTS", _pack(weights)) + "\n" + _lines("_BIAS", _pack(bias)), encoding="utf-8")
    print(f"train_and_save reported {reported:.4f}; stored model scores {accuracy:.4f}; wrote {TARGET}")


if __name__ == "__main__":
    main()
