"""Hidden checks for exercise 7: many rows, nonzero biases, negative pre-activations, other keep_probs."""

from __future__ import annotations

from typing import Any

import numpy as np

from grader.judging.checks.base import Evidence, check, probe
from grader.judging.checks.dropout import Net, judge_dropout, judge_plain, logits_for


def _inputs(seed: int, rows: int, n_in: int = 4, n_hidden: int = 4, n_out: int = 4) -> dict[str, Any]:
    """Rows whose hidden pre-activations are all clearly away from 0.

    A unit whose ReLU is barely positive would make two masks look alike, so
    such rows are dropped; about a third of the units stay negative (don't care).
    """
    rng = np.random.default_rng(seed)
    w0 = np.round(rng.normal(0, 1, (n_in, n_hidden)), 3)
    b0 = np.round(rng.normal(0.3, 0.5, n_hidden), 3)
    w1 = np.round(rng.normal(0, 1, (n_hidden, n_out)), 3)
    b1 = np.round(rng.normal(0, 0.5, n_out), 3)
    x = np.round(rng.normal(0.5, 1.5, (rows * 3, n_in)), 3)
    z = x @ w0 + b0
    x = x[np.all(np.abs(z) > 0.3, axis=1)][:rows]
    return {"features": x, "weights": [w0, w1], "biases": [b0, b1]}


MANY = _inputs(7101, rows=300)
P_HALF = probe("dropout.hidden_half", "dropout_model", exercise="dropout", keep_probs=[0.5], **MANY)
P_OTHER = probe("dropout.hidden_other", "dropout_model", exercise="dropout", keep_probs=[0.8, 0.25], **MANY)
P_ONE = probe("dropout.hidden_one", "dropout_model", exercise="dropout", keep_probs=[1.0], **MANY)


@check("dropout", "many_rows", "dropout_model on 300 unseen rows with biases, keep_prob 0.5", points=4,
       probes=[P_HALF], visibility="hidden",
       hint="Dropout on the hidden layer after the ReLU; each unit kept with probability keep_prob.")
def many_rows(ev: Evidence) -> None:
    judge_dropout(logits_for(ev, P_HALF, 0), Net.of(MANY), 0.5)


@check("dropout", "other_keep_probs", "dropout_model with keep_prob 0.8 and 0.25", points=4,
       probes=[P_OTHER], visibility="hidden",
       hint="keep_prob is the probability to KEEP a unit; TF 2's `rate` is the probability to drop it.")
def other_keep_probs(ev: Evidence) -> None:
    net = Net.of(MANY)
    judge_dropout(logits_for(ev, P_OTHER, 0), net, 0.8)
    judge_dropout(logits_for(ev, P_OTHER, 1), net, 0.25)


@check("dropout", "keep_prob_one", "dropout_model with keep_prob 1.0 equals the ReLU model on unseen rows",
       points=2, probes=[P_ONE], visibility="hidden",
       hint="With keep_prob 1.0 nothing is dropped or scaled.")
def keep_prob_one(ev: Evidence) -> None:
    judge_plain(logits_for(ev, P_ONE, 0), ev.reference_array(P_ONE, None)[0], Net.of(MANY))
