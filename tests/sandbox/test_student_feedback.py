"""What the student reads: their own frames and lines (notebook cells too), their prints, and
a slow notebook cell costing only itself."""

from __future__ import annotations

import json
from typing import Any

import pytest

from grader.discovery.notebook import NOTEBOOK_HEADER as CONVERTER_HEADER
from grader.discovery.notebook import notebook_to_source
from grader.model import Probe
from grader.runner.runner import Limits, Runner
from grader.sandbox.student import NOTEBOOK_HEADER, clean_message, notebook_cells

COUNT = Probe("count.probe_xyz", "count_parameters", {"layer_sizes": [2, 3, 1]}, exercise="parameter_count")
FOREIGN = ("grader/", "site-packages", "/work/", "drivers", "tensorflow/python", "Original stack trace", "probe_xyz")


def _nb(*cells: str) -> bytes:
    return json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
        {"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [], "source": c}
        for c in cells]}).encode()


def test_the_worker_reads_the_converters_markers() -> None:
    assert NOTEBOOK_HEADER == CONVERTER_HEADER
    source = notebook_to_source(_nb("a = 1\n", "b = 2\nc = 3\n"), "x.ipynb").source
    name, cells = notebook_cells(source)
    assert name == "x.ipynb" and [c.number for c in cells] == [1, 2]
    lines = source.split("\n")
    assert lines[cells[1].first_line - 1] == "b = 2"
    assert notebook_cells("# In[1]:\nx = 1\n") == ("", ())  # an exported script is a plain script


def test_tensorflow_error_messages_keep_the_telling_line_only() -> None:
    raw = ("Restoring from checkpoint failed. Original error:\n\nGraph execution error:\n\n"
           "Detected at node 'save/Assign_1' defined at (most recent call last):\n"
           '    File "finetune.py", line 29, in <module>\n'
           "Node: 'save/Assign_1'\nAssign requires shapes of both tensors to match. lhs shape= [2,3] rhs shape= [3]\n"
           "\t [[{{node save/Assign_1}}]]\n\nOriginal stack trace for 'save/Assign_1':\n"
           '  File "/work/main/.venv/lib/python3.11/site-packages/tensorflow/python/training/saver.py", line 934\n'
           "    raise X\n")
    assert clean_message(raw) == ("Restoring from checkpoint failed. Original error:\n\n"
                                  "Assign requires shapes of both tensors to match. lhs shape= [2,3] rhs shape= [3]")
    assert clean_message("see /usr/lib/python3/x/y.py") == "see y.py"


@pytest.fixture(scope="module")
def quick() -> Any:
    with Runner(Limits(load_timeout=4, student_timeout=120)) as r:
        yield r


@pytest.mark.slow
def test_a_cell_past_its_limit_voids_only_itself_and_what_needs_it(quick: Runner) -> None:
    source = notebook_to_source(_nb(
        "def count_parameters(sizes):\n    return sum(a * b + b for a, b in zip(sizes, sizes[1:]))\n",
        "slow = 0\nwhile True:\n    slow += 1\n",
        "print('after the slow cell')\nneeds_slow = slow + 1\n",
    ), "parameter_count.ipynb", wanted=None).source  # every cell planned, as "Run All" would
    outcome = quick.run({"parameter_count.py": source}, [COUNT])
    assert outcome.observations[COUNT.id].value == 13           # the earlier cell's function is graded
    by_name = {load.name: load for load in outcome.loads}
    timed_out = by_name["parameter_count.ipynb, cell 2"].error
    assert timed_out is not None and timed_out.killed == "timeout"
    main = by_name["parameter_count.py"]
    assert main.error is not None and main.error.type == "NameError"     # cell 3 needed cell 2
    assert 'File "parameter_count.ipynb", cell 3, line 2, in <module>' in main.error.traceback
    assert main.error.message.endswith("(parameter_count.ipynb, cell 3, line 2)")
    assert "after the slow cell" in main.output and "cell 2 was not run this time" in main.output


@pytest.mark.slow
def test_syntax_error_in_a_cell_points_at_the_cell(quick: Runner) -> None:
    source = notebook_to_source(_nb("x = 1\n", "def f(:\n    pass\n"), "quiz.ipynb").source
    outcome = quick.run({"quiz.py": source}, [])
    err = outcome.loads[0].error
    assert err is not None and err.type == "SyntaxError" and err.message.endswith("(quiz.ipynb, cell 2, line 1)")


@pytest.mark.slow
def test_error_in_a_student_function_names_their_function_and_line_only(quick: Runner) -> None:
    code = ("import tensorflow as tf\n\ndef count_parameters(sizes):\n"
            "    w = tf.constant([[1.0, 2.0]])\n    with tf.Session() as s:\n"
            "        return s.run(tf.matmul(w, w))\n")
    obs = quick.run({"parameter_count.py": code}, [COUNT]).observations[COUNT.id]
    err = obs.error
    assert err is not None
    text = err.message + err.traceback
    assert 'File "parameter_count.py", line 6, in count_parameters' in err.traceback
    assert len(err.traceback.splitlines()) <= 6, err.traceback
    for word in FOREIGN:
        assert word not in text, (word, text)


@pytest.mark.slow
def test_what_a_twice_called_function_printed_is_marked(quick: Runner) -> None:
    code = ("def train_mnist(mnist, learning_rate, training_epochs, batch_size):\n"
            "    print('epochs', training_epochs)\n    return 0.5\n")
    probe = Probe("train", "mlp_mnist.train", {"learning_rate": 0.1, "training_epochs": 3, "batch_size": 10,
                                               "scrambled_epochs": 1}, exercise="mlp_mnist")
    out = quick.run({"mlp_mnist.py": code}, [probe]).observations["train"].output
    first, marker, second = out.partition("[The grader now calls train_mnist a second time")
    assert "epochs 3" in first and marker and "epochs 1" in second


@pytest.mark.slow
def test_the_shuffled_labels_call_in_its_own_worker_says_so(quick: Runner) -> None:
    code = ("def train_mnist(mnist, learning_rate, training_epochs, batch_size):\n"
            "    print('training')\n    return 0.5\n")
    probe = Probe("shuffled", "mlp_mnist.train", {"learning_rate": 0.1, "training_epochs": 1, "batch_size": 10,
                                                  "shuffle_test_labels": True}, exercise="mlp_mnist",
                  group="fresh:shuffled")
    obs = quick.run({"mlp_mnist.py": code}, [probe]).observations["shuffled"]
    assert obs.value == {"accuracy": 0.5, "optimizers": []}  # the function built no optimizer
    assert obs.output.startswith("[The grader calls train_mnist again, with the test labels shuffled")
    assert obs.output.rstrip().endswith("training")


@pytest.mark.slow
def test_top_level_prints_are_shown_with_the_exercises_first_check(quick: Runner) -> None:
    code = ("print('hello from the top')\n\ndef count_parameters(sizes):\n    print('counting')\n"
            "    return 13\n")
    second = Probe("count.again", "count_parameters", {"layer_sizes": [1, 1]}, exercise="parameter_count")
    outcome = quick.run({"parameter_count.py": code}, [COUNT, second])
    first = outcome.observations[COUNT.id].output
    assert first.startswith("[While parameter_count.py was loading, it printed:]\nhello from the top\n")
    assert first.endswith("[While this check ran, your code printed:]\ncounting\n")
    assert outcome.observations["count.again"].output == "counting\n"  # shown once, not with every check
