"""Hidden checks for exercise 7: many rows from the course seed, nonzero biases, other keep_probs."""

from __future__ import annotations

from grader.judging.checks.base import Declare, Evidence
from grader.judging.oracles.dropout import EXERCISE, RTOL, Net, hidden_inputs, judge_dropout, judge_plain, logits_for
from grader.judging.oracles.quiz_rerun import DROPOUT_RERUN, quiz_rerun_verdict
from grader.judging.oracles.secret import course_seed

ex = Declare(EXERCISE)
MANY = hidden_inputs(course_seed())
P_HALF = ex.probe("hidden_half", "dropout_model", keep_probs=[0.5], **MANY)
P_OTHER = ex.probe("hidden_other", "dropout_model", keep_probs=[0.8, 0.25], **MANY)
P_ONE = ex.probe("hidden_one", "dropout_model", keep_probs=[1.0], **MANY)


@ex.check("many_rows", "dropout_model on 300 unseen rows with biases, keep_prob 0.5", points=4,
          probes=[P_HALF, DROPOUT_RERUN], visibility="hidden", tolerance=(RTOL, RTOL),
          hint="Dropout on the hidden layer after the ReLU; each unit kept with probability keep_prob.")
def many_rows(ev: Evidence) -> str | None:
    p = ev.check.probes[0]
    if (verdict := quiz_rerun_verdict(ev, p, DROPOUT_RERUN)) is not None:
        return verdict
    judge_dropout(logits_for(ev, p, 0), Net.of(p.args), 0.5)
    return None


@ex.check("other_keep_probs", "dropout_model with keep_prob 0.8 and 0.25", points=4, probes=[P_OTHER, DROPOUT_RERUN],
          visibility="hidden", tolerance=(RTOL, RTOL),
          hint_for=("keep_prob_as_rate", "keep_prob_ignored", "keep_prob_inverted", "wrong_keep_rate", "never_drops"),
          hint="keep_prob is the probability to KEEP a unit; TF 2's `rate` is the probability to drop it.")
def other_keep_probs(ev: Evidence) -> str | None:
    p = ev.check.probes[0]
    if (verdict := quiz_rerun_verdict(ev, p, DROPOUT_RERUN)) is not None:
        return verdict
    net = Net.of(p.args)
    for i, keep_prob in enumerate(p.args["keep_probs"]):
        judge_dropout(logits_for(ev, p, i), net, keep_prob)
    return None


@ex.check("keep_prob_one", "dropout_model with keep_prob 1.0 equals the ReLU model on unseen rows", points=2,
          probes=[P_ONE, DROPOUT_RERUN], visibility="hidden", tolerance=(RTOL, RTOL),
          hint="With keep_prob 1.0 nothing is dropped or scaled.")
def keep_prob_one(ev: Evidence) -> str | None:
    p = ev.check.probes[0]
    if (verdict := quiz_rerun_verdict(ev, p, DROPOUT_RERUN)) is not None:
        return verdict
    judge_plain(logits_for(ev, p, 0), ev.reference_array(p, None)[0], Net.of(p.args))
    return None
