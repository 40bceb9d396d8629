"""The lesson's TF 1 code runs unchanged in the worker; `import tensorflow` elsewhere stays TF 2."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from grader.model import Probe
from grader.runner.runner import Limits, Runner

LESSON = Path(__file__).resolve().parents[1] / "submissions" / "lesson"

# Every valid row of the dropout quiz's output with keep_prob 0.5 (QUIZZES.md section 8).
DROPOUT_ROWS: list[list[list[float]]] = [
    [[0, 0], [6.58, 8.46], [1.88, 0.94], [8.46, 9.4], [1.1, 6.6], [7.68, 15.06], [2.98, 7.54], [9.56, 16.0]],
    [[0, 0], [0.714, 0.918], [0.196, 0.098], [0.91, 1.016], [0.112, 0.672], [0.826, 1.59], [0.308, 0.77],
     [1.022, 1.688]],
    [[0, 0], [33.74, 43.38], [9.56, 4.78], [43.3, 48.16], [4.72, 28.32], [38.46, 71.7], [14.28, 33.1],
     [48.02, 76.48]],
]


@pytest.fixture(scope="module")
def lesson_runner() -> Any:
    # Whole training runs happen while the file loads: allow more than the default 30 s.
    with Runner(Limits(load_timeout=240, student_timeout=600)) as r:
        yield r


def _run(runner: Runner, name: str, names: list[str]) -> dict[str, Any]:
    outcome = runner.run({name: (LESSON / name).read_text()},
                         [Probe("values", "top_level_values", {"names": names})])
    assert not outcome.problems, outcome.problems
    assert outcome.loads[0].error is None, outcome.loads[0].error
    obs = outcome.observations["values"]
    assert obs.error is None, obs.error
    assert set(obs.value) == set(names), f"missing: {set(names) - set(obs.value)}"
    return obs.value


@pytest.mark.slow
def test_multilayer_perceptron_trains(lesson_runner: Runner) -> None:
    v = _run(lesson_runner, "mlp.py", ["valid_accuracy", "test_accuracy", "first_cost", "last_cost",
                                       "image_shape", "n_train"])
    assert list(v["image_shape"]) == [28, 28, 1]   # reshape=False keeps images 28x28x1
    assert v["n_train"] >= 1000
    assert v["last_cost"] < v["first_cost"] / 2
    # 20 epochs of plain gradient descent on the sample: far above chance (0.1).
    assert v["test_accuracy"] > 0.25 and v["valid_accuracy"] > 0.25


@pytest.mark.slow
def test_save_restore_and_finetune_walkthrough(lesson_runner: Runner) -> None:
    v = _run(lesson_runner, "save_restore.py", [
        "saved_weights", "restored_weights", "saved_bias", "restored_bias", "valid_accuracies",
        "trained_test_accuracy", "test_accuracy", "unnamed_names", "naming_error", "named_saved",
        "named_restored", "named_names"])
    np.testing.assert_array_equal(v["restored_weights"], v["saved_weights"])
    np.testing.assert_array_equal(v["restored_bias"], v["saved_bias"])
    assert np.all(np.abs(v["saved_weights"]) <= 2.0)          # truncated_normal: within 2 std
    assert v["valid_accuracies"][-1] > v["valid_accuracies"][0]  # validation accuracy climbs
    assert v["test_accuracy"] == v["trained_test_accuracy"]    # the restored model is the trained one
    assert v["unnamed_names"] == "Variable:0 Variable_1:0"
    assert "Assign requires shapes of both tensors to match" in v["naming_error"]
    np.testing.assert_array_equal(v["named_restored"], v["named_saved"])
    assert v["named_names"] == "weights_0:0 bias_0:0"


@pytest.mark.slow
def test_dropout_uses_keep_prob_semantics(lesson_runner: Runner) -> None:
    v = _run(lesson_runner, "dropout.py", ["output", "no_dropout", "kept_fraction", "kept_scale"])
    np.testing.assert_allclose(v["no_dropout"], [[4.78, 8.0], [0.511, 0.844], [24.01, 38.24]], rtol=1e-4)
    valid_rows: list[list[list[float]]] = DROPOUT_ROWS
    for row, valid in zip(v["output"], valid_rows):
        assert any(np.allclose(row, r, rtol=1e-3, atol=1e-3) for r in valid), row
    # keep_prob=0.8 keeps ~80% of units (rate semantics would keep ~20%) and scales them by 1/0.8.
    assert 0.74 < v["kept_fraction"] < 0.86
    assert v["kept_scale"] == pytest.approx(1.25, rel=1e-5)


@pytest.mark.slow
def test_contrib_import_is_a_clear_student_error(lesson_runner: Runner) -> None:
    outcome = lesson_runner.run({"old.py": "import tensorflow as tf\nfrom tensorflow.contrib import layers\n"}, [])
    err = outcome.loads[0].error
    assert err is not None and err.type == "ImportError" and "removed in TensorFlow 2" in err.message
    assert "tf.layers.dense" in err.message and "tf.nn.l2_loss" in err.message


ROOT = Path(__file__).resolve().parents[2]
# What the contrib message recommends, each actually used (tf.layers needs legacy Keras: TF 2.21 ships Keras 3).
RECOMMENDED = textwrap.dedent("""
    import numpy as np
    import tensorflow as tf
    x = tf.placeholder(tf.float32, [None, 2, 2])
    flat = tf.layers.flatten(x)
    hidden = tf.layers.dense(flat, 3, activation=tf.nn.relu, kernel_initializer=tf.glorot_uniform_initializer())
    hidden = tf.layers.dropout(hidden, rate=0.5, training=True)
    loss = tf.reduce_sum(hidden) + tf.nn.l2_loss(tf.trainable_variables()[0]) * 0.01
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        shape = list(sess.run(hidden, feed_dict={x: np.ones((5, 2, 2))}).shape)
""")


@pytest.mark.slow
def test_what_the_contrib_message_recommends_works(lesson_runner: Runner) -> None:
    outcome = lesson_runner.run({"layers.py": RECOMMENDED}, [Probe("v", "top_level_values", {"names": ["shape"]})])
    assert outcome.loads[0].error is None, outcome.loads[0].error
    assert "deprecated" not in outcome.loads[0].output  # TF's per-call warnings are not the student's
    assert list(outcome.observations["v"].value["shape"]) == [5, 3]


def _grade(runner: Runner, files: dict[str, str], exercise: str) -> list[Any]:
    from grader.judging.checks import load_checks
    from grading_support import grade_files

    return list(grade_files(runner, "s", files, load_checks((exercise,), include_hidden=False), None).checks)


def _solution(name: str) -> str:
    return (ROOT / "solutions" / name).read_text(encoding="utf-8")


@pytest.mark.slow
def test_reset_default_graph_inside_student_functions_works(lesson_runner: Runner) -> None:
    # The lesson clears the graph before building a model; students do it inside their functions.
    source = _solution("save_restore.py").replace(
        "    features, labels, model = build_model()",
        "    tf.reset_default_graph()\n    features, labels, model = build_model()")
    assert source.count("tf.reset_default_graph()") >= 2
    checks = _grade(lesson_runner, {"save_restore.py": source}, "save_restore")
    assert checks and all(c.status == "passed" for c in checks), [(c.check_id, c.message) for c in checks]


@pytest.mark.slow
@pytest.mark.parametrize("inserted, passes", [
    # Building on the given tensors after a reset: the ops live in their graph, which is the one run.
    ("    tf.reset_default_graph()\n", True),
    # Mixing a tensor made after the reset with the given ones: explained at the student's line.
    ("    tf.reset_default_graph()\n    features = features + tf.zeros([1])\n", False),
])
def test_reset_inside_a_function_given_tensors(lesson_runner: Runner, inserted: str, passes: bool) -> None:
    source = _solution("relu_model.py").replace("    hidden_layer = tf.add(", inserted + "    hidden_layer = tf.add(", 1)
    checks = _grade(lesson_runner, {"relu_model.py": source}, "relu_model")
    if passes:
        assert all(c.status == "passed" for c in checks), [(c.check_id, c.message) for c in checks]
        return
    wrong = [c for c in checks if c.status != "passed"]
    assert wrong
    for c in wrong:
        text = c.message + c.traceback
        assert "Tensors from two graphs were mixed" in text and 'File "relu_model.py", line' in text, text
        assert "nested graphs" not in text and "drivers" not in text and "grader/" not in text


@pytest.mark.slow
@pytest.mark.parametrize("dropout_line, passes", [
    ("tf.layers.dropout(hidden_layer, rate=1 - keep_prob, training=True)", True),
    ("tf.layers.dropout(hidden_layer, rate=keep_prob, training=True)", True),   # same at 0.5 ...
    ("tf.layers.dropout(hidden_layer, rate=keep_prob, training=False)", False),  # never drops
])
def test_tf_layers_dropout_is_graded_like_tf_nn_dropout(lesson_runner: Runner, dropout_line: str,
                                                         passes: bool) -> None:
    source = _solution("dropout.py").replace("tf.nn.dropout(hidden_layer, keep_prob)", dropout_line)
    assert dropout_line in source
    checks = {c.check_id: c for c in _grade(lesson_runner, {"dropout.py": source}, "dropout")}
    half = checks["dropout.lesson_keep_prob_half"]
    assert (half.status == "passed") is passes, half.message


# That the shim is scoped to a worker, and that nothing outside it changes, is proven inside a
# worker by tests/sandbox/test_tf1shim_worker.py (a check in this process could not fail).


SCOPE_SCRIPT = textwrap.dedent("""
    import sys
    import tensorflow as real_tf
    from grader.sandbox import tf1shim
    from grader.sandbox.worker import StudentCode

    tf1shim.install()
    code = StudentCode({"student.py": STUDENT})
    sys.meta_path.append(code)
    student = __import__("student")
    # Student code sees TF 1 ...
    assert student.tf.__name__ == "tensorflow" and student.tf is not real_tf
    assert student.tf.placeholder is real_tf.compat.v1.placeholder
    assert student.v1 is real_tf.compat.v1
    assert student.input_data.read_data_sets is not None
    assert student.inner().placeholder is real_tf.compat.v1.placeholder  # imports inside functions too
    # ... while this (non-student) module still gets the real package.
    import tensorflow as again
    assert again is real_tf and sys.modules["tensorflow"] is real_tf and not hasattr(again, "placeholder")
    from tensorflow.compat import v1
    assert v1 is real_tf.compat.v1
    missing = []
    for dotted in tf1shim.SUPPORTED:
        obj = student.tf
        try:
            for part in dotted.split("."):
                obj = getattr(obj, part)
        except AttributeError:
            missing.append(dotted)
    assert not missing, missing
    assert student.tf.sub is real_tf.compat.v1.subtract
    try:
        student.tf.contrib
    except AttributeError as exc:
        assert "removed" in str(exc)
    else:
        raise AssertionError("tf.contrib resolved")
    print("SCOPED-OK")
""")

STUDENT = textwrap.dedent("""
    import tensorflow as tf
    import tensorflow.compat.v1 as v1
    from tensorflow.examples.tutorials.mnist import input_data

    def inner():
        import tensorflow
        return tensorflow
""")


@pytest.mark.slow
def test_shim_is_scoped_to_student_modules() -> None:
    script = f"STUDENT = {STUDENT!r}\n" + SCOPE_SCRIPT
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=180)
    assert "SCOPED-OK" in done.stdout, done.stderr[-3000:]
