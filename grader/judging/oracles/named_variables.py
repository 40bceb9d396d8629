"""Exercise 5, named variables: the names a checkpoint needs, and the known naming mistakes."""

from __future__ import annotations

from typing import Any

import numpy as np

from grader.judging.checks.base import Evidence, Fail, ProbeFailed
from grader.judging.oracles.common import is_shape, require
from grader.judging.oracles.secret import rng
from grader.judging.messages import say

EXERCISE = "named_variables"
NAMES = ["weights_0:0", "bias_0:0"]


def _safe(message: str, **kw: Any) -> Fail:
    return Fail(message, student_message=message, **kw)


def _arrays(value: Any) -> bool:
    return (isinstance(value, list) and len(value) == 2
            and all(isinstance(a, np.ndarray) and a.dtype.kind == "f" for a in value))


def observed(ev: Evidence, p: Any) -> dict[str, Any]:
    """The probe's value, checked for the form the driver gives it; a name with ':0' in it is named."""
    try:
        got = ev.value(p)
    except ProbeFailed as pf:
        err = pf.observation.error
        if err is not None and err.type == "ValueError" and ":0" in err.message and "name" in err.message.lower():
            raise _safe(say("colon_in_name"),
                        mistake="colon_in_name", hint=say("colon_in_name.hint")) from None
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
        raise Fail(say("swapped_names"), mistake="swapped_names", expected=NAMES, got=names,
                   student_message=say("swapped_names.student"))
    if any(n.startswith("Variable") for n in names):
        raise Fail(say("unnamed_variables", names_0=names[0], names_1=names[1]), mistake="unnamed_variables",
                   expected=NAMES, got=names, student_message=say("unnamed_variables.student"))
    raise Fail(say("wrong_names", names_0=names[0], names_1=names[1]),
               mistake="wrong_names", expected=NAMES, got=names,
               student_message=say("wrong_names.student"))


def judge_shapes(got: dict[str, Any], n_inputs: int, n_outputs: int) -> None:
    want = [[n_inputs, n_outputs], [n_outputs]]
    shapes = [list(s) for s in got["shapes"]]
    if shapes == want:
        return
    if shapes == want[::-1]:
        raise _safe(say("swapped_order"),
                    mistake="swapped_order", expected=want, got=shapes)
    if shapes[0] == want[0][::-1]:
        raise Fail(say("transposed_weights", shapes_0=shapes[0], want_0=want[0]),
                   mistake="transposed_weights", expected=want, got=shapes,
                   student_message=say("transposed_weights.student"))
    raise Fail(say("wrong_shapes", n_inputs=n_inputs, n_outputs=n_outputs, want_0=want[0], want_1=want[1],
                   shapes_0=shapes[0], shapes_1=shapes[1]),
               mistake="wrong_shapes", expected=want, got=shapes,
               student_message=say("wrong_shapes.student"))


def judge_restore(got: dict[str, Any]) -> None:
    err = got["restore_error"]
    if err is not None:
        names = got["restore_names"]
        raise Fail(say("restore_fails", names_0=names[0], names_1=names[1], got_0=got["names"][0], got_1=got["names"][1],
                       err=err),
                   mistake="restore_fails", expected=NAMES, got=names,
                   student_message=say("restore_fails.student"))
    saved, restored = got["saved"], got["restored"]
    for s, r in zip(saved, restored):
        if np.shape(s) != np.shape(r) or not np.allclose(s, r, atol=1e-6):
            raise _safe(say("restore_wrong_values"),
                        mistake="restore_wrong_values", expected=saved, got=restored, tolerance=(0.0, 1e-6))


def hidden_inputs(seed: int) -> dict[str, Any]:
    """Other sizes (n_inputs != n_outputs, so a transpose shows); two variables are created first."""
    r = rng(seed, f"{EXERCISE}.hidden")
    n_inputs, n_outputs = (int(v) for v in r.choice(np.arange(3, 9), size=2, replace=False))
    return {"n_inputs": n_inputs, "n_outputs": n_outputs, "decoys": 2}
