"""What an exception from student code says about the student's work, read from its type, message and
the traceback the worker cut down to the student's own frames.

"Not attempted" is a claim about the stub: only the stub's own `raise NotImplementedError` line may
make it. TensorFlow raises NotImplementedError too (numpy called on a graph tensor), and a student
who wrote code that fails that way has attempted the exercise and made a nameable mistake.
"""

from __future__ import annotations

import re

# A traceback frame's source line, as traceback.format_list and the notebook formatter write it.
_FRAME = re.compile(r'^  File "[^"]*", .*\n    (?P<line>.*)$', re.MULTILINE)
STUB_MESSAGES = ("not written yet", "")  # grader/authoring/assign.py's stub line, or a bare raise
_STUB_RAISE = re.compile(r"raise\s+NotImplementedError\b")
# TensorFlow's words when a graph tensor reaches numpy (np.square(w), np.sum(...), np.array(t)).
_NUMPY_ON_TENSOR = ("to a numpy array", "NumPy call", "Cannot convert a symbolic")


def stub_unchanged(kind: str, message: str, traceback: str) -> bool:
    """True when the stub's own `raise NotImplementedError` line raised.

    With the source in the traceback, the deepest student frame must be that raise statement (a
    NotImplementedError raised inside TensorFlow leaves the student's calling line as the deepest
    student frame). Without it (a file whose source the worker's traceback cannot quote), the message
    decides: the stub's own words (grader assign writes `raise NotImplementedError("not written yet")`)
    or a bare raise, never TensorFlow's or a library's explanation.
    """
    if kind != "NotImplementedError":
        return False
    lines = [m.group("line") for m in _FRAME.finditer(traceback)]
    if lines:
        return bool(_STUB_RAISE.match(lines[-1].strip()))
    return message.strip() in STUB_MESSAGES


def numpy_on_tensor(kind: str, message: str) -> bool:
    """True when TensorFlow refused to hand a graph tensor to numpy."""
    return kind in ("NotImplementedError", "TypeError", "ValueError") and any(
        marker in message for marker in _NUMPY_ON_TENSOR)


NUMPY_ON_TENSOR_HINT = ("Inside the graph, use TensorFlow's ops: tf.square, tf.reduce_sum, tf.matmul, "
                        "tf.nn.l2_loss. numpy only sees values after sess.run.")


def numpy_on_tensor_message(function: str) -> str:
    return (f"`{function}` passed a TensorFlow tensor to numpy (np.square, np.sum, ...): while the graph is "
            "being built a tensor has no values yet, so numpy cannot compute with it. Use the TensorFlow op "
            "instead (tf.square, tf.reduce_sum, ...).")
