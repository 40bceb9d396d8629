"""Quiz-format scripts on hidden inputs: probes and judges, for the hidden checks to call.

A script in the ReLU or dropout quiz's original format (it assigns the quiz's
data to `hidden_layer_weights`, `out_weights` and `features` and leaves its
answer in `output`) is rerun in the sandbox by the `quiz_rerun` driver with
those literals replaced by the values below, and judged here against the
model computed with numpy on the same values. It earns the hidden credit the
function format earns; a script that does not follow the quiz's names keeps
the old verdict (graded on the quiz's own inputs only).

Nothing is registered here (adding checks would change every student's
maximum): a hidden check of the exercise calls `quiz_rerun_verdict` first,

    @check("relu_model", "new_inputs", ..., probes=[P_SHAPES, RELU_RERUN], visibility="hidden")
    def new_inputs(ev):
        verdict = quiz_rerun_verdict(ev, P_SHAPES, RELU_RERUN)
        if verdict is not None:
            return verdict
        ...   # the function format, as before

The quiz scripts build their biases as tf.zeros(3) and tf.zeros(2), so the
layer widths stay the quiz's (4 -> 3 -> 2); the number of rows changes.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from grader.judging.checks.base import Evidence, Fail
from grader.judging.oracles.dropout import Net, judge_dropout
from grader.judging.oracles.relu_model import compare_logits, relu_logits
from grader.judging.oracles.secret import course_seed, rng
from grader.judging.raised import stub_unchanged
from grader.model import Observation, Probe
from grader.judging.messages import say

N_IN, N_HIDDEN, N_OUT = 4, 3, 2
GIVEN = ("hidden_layer_weights", "out_weights", "features")
KEEP_PROB = 0.5  # the dropout quiz feeds 0.5 as a literal in its feed_dict


def _relu_values(seed: int, rows: int) -> dict[str, Any]:
    """Mixed signs, so that hidden units and logits go negative: a ReLU in the wrong place shows."""
    gen = rng(seed, "relu_model.quiz_rerun")
    return {"hidden_layer_weights": np.round(gen.normal(0, 1, (N_IN, N_HIDDEN)), 3),
            "out_weights": np.round(gen.normal(0, 1, (N_HIDDEN, N_OUT)), 3),
            "features": np.round(gen.normal(0, 2, (rows, N_IN)), 3)}


def _dropout_values(seed: int, rows: int) -> dict[str, Any]:
    """Hidden pre-activations clearly away from 0, so each row's keep/drop mask can be told."""
    gen = rng(seed, "dropout.quiz_rerun")
    w0 = np.round(gen.normal(0.2, 1, (N_IN, N_HIDDEN)), 3)
    x = np.round(gen.normal(0.8, 1.5, (rows * 4, N_IN)), 3)
    x = x[np.all(np.abs(x @ w0) > 0.3, axis=1)][:rows]
    return {"hidden_layer_weights": w0, "out_weights": np.round(gen.normal(0, 1, (N_HIDDEN, N_OUT)), 3),
            "features": x}


RELU_VALUES = _relu_values(course_seed(), rows=9)
DROPOUT_VALUES = _dropout_values(course_seed(), rows=120)

RELU_RERUN = Probe("relu_model.quiz_rerun", "quiz_rerun", {"values": RELU_VALUES}, timeout=60.0,
                   exercise="relu_model", group="hidden")
DROPOUT_RERUN = Probe("dropout.quiz_rerun", "quiz_rerun", {"values": DROPOUT_VALUES, "keep_prob": KEEP_PROB},
                      timeout=60.0, exercise="dropout", group="hidden")


def net_inputs(values: dict[str, Any]) -> dict[str, Any]:
    """The quiz's values as the function-format judges take them (zero biases, as in the quiz)."""
    return {"features": values["features"], "weights": [values["hidden_layer_weights"], values["out_weights"]],
            "biases": [np.zeros(N_HIDDEN), np.zeros(N_OUT)]}


def _function_absent(obs: Observation) -> bool:
    err = obs.error
    return err is not None and (err.missing is not None or stub_unchanged(err.type, err.message, err.traceback))


def quiz_rerun_verdict(ev: Evidence, function_probe: Probe, rerun_probe: Probe) -> str | None:
    """The verdict on the student's quiz-format script rerun on hidden values, or None when
    the check should judge the function format as before (the function exists, or there is
    no quiz-format script following the quiz's names)."""
    try:
        if not _function_absent(ev.observation(function_probe)):
            return None
        obs = ev.observation(rerun_probe)
    except KeyError:
        return None
    if obs.error is not None:
        raise Fail(say("quiz_rerun_error", GIVEN=', '.join(GIVEN), type=obs.error.type), mistake="quiz_rerun_error")
    value = obs.value
    missing = value.get("missing") if isinstance(value, dict) else None
    if not isinstance(missing, list) or missing:
        return None  # no quiz-format script, or one that does not assign the quiz's names
    if value.get("output") is None:
        raise Fail(say("all_zeros"), mistake="all_zeros")
    got = np.asarray(value["output"], dtype=np.float64)
    shown = value.get("file") or "your script"
    # The values the check's own probe ran with (drawn per submission), not the module's course-seed ones.
    values = next((q for q in ev.check.probes if q.id == rerun_probe.id), rerun_probe).args["values"]
    if rerun_probe.id == DROPOUT_RERUN.id:
        judge_dropout(got, Net.of(net_inputs(values)), KEEP_PROB)
    else:
        inputs = net_inputs(values)
        compare_logits(got, relu_logits(inputs), inputs)
    return (f"{shown} (quiz format) was run again with other values for {', '.join(GIVEN)} and gave the "
            "right output on them too.")
