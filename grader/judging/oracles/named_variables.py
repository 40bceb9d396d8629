"""Exercise 5, named variables: the names a checkpoint needs, and the known naming mistakes."""

from __future__ import annotations

from typing import Any

import numpy as np

from grader.judging.checks.base import Evidence, Fail, ProbeFailed
from grader.judging.oracles.common import is_shape, require
from grader.judging.oracles.secret import rng

EXERCISE = "named_variables"
NAMES = ["weights_0:0", "bias_0:0"]
SWAPPED = "The names are swapped: return (weights, bias) with the weights named 'weights_0' and the bias 'bias_0'."
UNNAMED = ("The variables are unnamed, so TensorFlow names them by creation order and a checkpoint cannot be "
           "restored when another variable is created first. Pass name='weights_0' and name='bias_0'.")


def _safe(message: str, **kw: Any) -> Fail:
    return Fail(message, student_message=message, **kw)


def _arrays(value: Any) -> bool:
    return (isinstance(value, list) and len(value) == 2
            and all(isinstance(a, np.ndarray) and a.dtype.kind == "f" for a in value))


COLON_NAME = ("make_variables passed a name ending in ':0' (name='weights_0:0'?). TensorFlow refuses ':' in a "
              "name: it adds ':0' itself, so name='weights_0' gives a variable whose .name is 'weights_0:0'.")


def observed(ev: Evidence, p: Any) -> dict[str, Any]:
    """The probe's value, checked for the form the driver gives it; a name with ':0' in it is named."""
    try:
        got = ev.value(p)
    except ProbeFailed as pf:
        err = pf.observation.error
        if err is not None and err.type == "ValueError" and ":0" in err.message and "name" in err.message.lower():
            raise _safe(COLON_NAME, mistake="colon_in_name", hint="name='weights_0' and name='bias_0', no ':0'.") from None
        raise
    require(isinstance(got, dict))
    for key in ("names", "restore_names"):
        require(isinstance(got.get(key), list) and len(got[key]) == 2 and all(isinstance(n, str) for n in got[key]))
    require(isinstance(got.get("shapes"), list) and len(got["shapes"]) == 2 and all(is_shape(s) for s in got["shapes"]))
    require(_arrays(got.get("saved")) and (got.get("restored") is None or _arrays(got["restored"])))
    require(got.get("restore_error") is None or isinstance(got["restore_error"], str))
    require(got["restore_error"] is not None or got["restored"] is not None)
    return got


def judge_names(got: dict[str, Any]) -> None:
    names = list(got["names"])
    if names == NAMES:
        return
    if names == NAMES[::-1]:
        raise Fail("The names are swapped: the weights are called 'bias_0' and the bias 'weights_0' "
                   "(or the function returns (bias, weights)). Return (weights, bias) with the weights "
                   "named 'weights_0'.", mistake="swapped_names", expected=NAMES, got=names,
                   student_message=SWAPPED)
    if any(n.startswith("Variable") for n in names):
        raise Fail(f"The variables are unnamed, so TensorFlow called them {names[0]!r} and {names[1]!r} by "
                   "creation order. A checkpoint stores values under these names: when a new model creates "
                   "its variables in another order, or another variable first, restore loads the bias into "
                   "the weights ('Assign requires shapes of both tensors to match'). Pass name='weights_0' "
                   "and name='bias_0' to tf.Variable.", mistake="unnamed_variables",
                   expected=NAMES, got=names, student_message=UNNAMED)
    raise Fail(f"The variables are named {names[0]!r} and {names[1]!r}; the checkpoint this exercise "
               "restores from uses exactly 'weights_0' and 'bias_0' (no scope, no other spelling).",
               mistake="wrong_names", expected=NAMES, got=names,
               student_message="The variables are not named exactly 'weights_0' and 'bias_0' (no scope, no "
               "other spelling).")


def judge_shapes(got: dict[str, Any], n_inputs: int, n_outputs: int) -> None:
    want = [[n_inputs, n_outputs], [n_outputs]]
    shapes = [list(s) for s in got["shapes"]]
    if shapes == want:
        return
    if shapes == want[::-1]:
        raise _safe("make_variables returns (bias, weights); return (weights, bias) in that order.",
                    mistake="swapped_order", expected=want, got=shapes)
    if shapes[0] == want[0][::-1]:
        raise Fail(f"The weights are {shapes[0]}, transposed: they are [n_inputs, n_outputs] = {want[0]}.",
                   mistake="transposed_weights", expected=want, got=shapes,
                   student_message="The weights are transposed: they are [n_inputs, n_outputs].")
    raise Fail(f"For n_inputs={n_inputs}, n_outputs={n_outputs} the weights should be {want[0]} and the bias "
               f"{want[1]}, but they are {shapes[0]} and {shapes[1]}. Use the function's arguments.",
               mistake="wrong_shapes", expected=want, got=shapes,
               student_message="The shapes do not follow n_inputs and n_outputs: the weights are "
               "[n_inputs, n_outputs] and the bias [n_outputs]. Use the function's arguments.")


def judge_restore(got: dict[str, Any]) -> None:
    err = got["restore_error"]
    if err is not None:
        names = got["restore_names"]
        raise Fail(f"The grader saved your variables, then rebuilt them in a new graph after creating another "
                   f"variable first. They were then called {names[0]!r} and {names[1]!r} (saved as "
                   f"{got['names'][0]!r} and {got['names'][1]!r}), and restoring failed: {err}. Named "
                   "variables keep their names whatever is created before them.",
                   mistake="restore_fails", expected=NAMES, got=names,
                   student_message="After other variables were created first, restoring your variables failed: "
                   "name them (name='weights_0', name='bias_0') so their names do not depend on creation order.")
    saved, restored = got["saved"], got["restored"]
    for s, r in zip(saved, restored):
        if np.shape(s) != np.shape(r) or not np.allclose(s, r, atol=1e-6):
            raise _safe("Restoring ran, but the variables do not hold the saved values afterwards.",
                        mistake="restore_wrong_values", expected=saved, got=restored, tolerance=(0.0, 1e-6))


def hidden_inputs(seed: int) -> dict[str, Any]:
    """Other sizes (n_inputs != n_outputs, so a transpose shows); two variables are created first."""
    r = rng(seed, f"{EXERCISE}.hidden")
    n_inputs, n_outputs = (int(v) for v in r.choice(np.arange(3, 9), size=2, replace=False))
    return {"n_inputs": n_inputs, "n_outputs": n_outputs, "decoys": 2}
