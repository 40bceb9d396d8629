"""Public checks for exercise 5: named variables survive a change of creation order (oracles/named_variables.py)."""

from __future__ import annotations

from grader.judging.checks.base import Declare, Evidence
from grader.judging.oracles.named_variables import EXERCISE, judge_names, judge_restore, judge_shapes, observed  # noqa: F401

ex = Declare(EXERCISE)
SHIFTED = ex.probe("shifted", "named_variables", n_inputs=2, n_outputs=3, decoys=1, folder="named_public")


@ex.check("names", "the variables are named 'weights_0' and 'bias_0'", points=3, probes=[SHIFTED],
          hint="tf.Variable(tf.truncated_normal([n_inputs, n_outputs]), name='weights_0')")
def names(ev: Evidence) -> str:
    judge_names(observed(ev, SHIFTED))
    return "weights_0:0 and bias_0:0."


@ex.check("shapes", "make_variables returns [2, 3] weights and a [3] bias", points=2, probes=[SHIFTED],
          hint="weights are [n_inputs, n_outputs], the bias is [n_outputs]; return (weights, bias).")
def shapes(ev: Evidence) -> str:
    judge_shapes(observed(ev, SHIFTED), 2, 3)
    return "Shapes [2, 3] and [3], returned as (weights, bias)."


@ex.check("restore_shifted", "a checkpoint restores after another variable is created first", points=3,
          probes=[SHIFTED], tolerance=(0.0, 1e-6), hint="Unnamed variables are named by creation order; give both a name.")
def restore_shifted(ev: Evidence) -> str:
    judge_restore(observed(ev, SHIFTED))
    return "Restored the saved values although the automatic names had shifted."
