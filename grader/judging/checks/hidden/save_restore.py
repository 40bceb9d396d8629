"""Hidden check for exercise 4: the restored model is really evaluated on the data it is given."""

from __future__ import annotations

from typing import Any

from grader.judging.checks.base import Declare, Evidence, Fail
from grader.judging.oracles.save_restore import EXERCISE, TOLERANCE, TRAINING, judge_restore, observed
from grader.model import Probe
from grader.judging.messages import say

ex = Declare(EXERCISE)
# restore_and_evaluate receives datasets whose test split holds the validation
# digits with shifted labels: an honest evaluation scores near zero, while a
# number remembered from train_and_save (or typed in) does not move. How well
# the model trained does not matter here, so two epochs keep the probe cheap.
P_OTHER = ex.probe("hidden_other_test", "save_restore", timeout=90.0, folder="hidden", evaluate_on="relabelled",
                   **{**TRAINING, "training_epochs": 2})

# The checkpoint files that probe wrote, restored and scored in a fresh worker that
# never ran student code: what the judge compares with comes from there, not from
# the student's process.
P_VERIFY = Probe("save_restore.hidden_other_verify", "verify_checkpoint", {"splits": ["relabelled"]},
                 timeout=60.0, exercise=EXERCISE, group="hidden:artifact", needs=P_OTHER.id)


def verified_scores(value: Any) -> list[float]:
    """The relabelled accuracies of every model the clean worker restored."""
    models = value.get("models") if isinstance(value, dict) else None
    out = []
    for m in models if isinstance(models, list) else []:
        acc = m.get("accuracy") if isinstance(m, dict) else None
        score = acc.get("relabelled") if isinstance(acc, dict) else None
        if isinstance(score, float):
            out.append(score)
    return out


@ex.check("evaluates_given_data", "restore_and_evaluate evaluates the restored model on the data it is given",
          points=3, probes=[P_OTHER, P_VERIFY], visibility="hidden", tolerance=(0.0, TOLERANCE), hint_for=("accuracy_mismatch",),
          hint="Compute the accuracy in restore_and_evaluate from mnist.test; do not reuse a number from training.")
def evaluates_given_data(ev: Evidence) -> None:
    ev.reference(P_OTHER)
    actual = judge_restore(observed(ev, P_OTHER), "relabelled")  # from the arrays the student's worker read
    clean = verified_scores(ev.value(P_VERIFY))
    if not any(abs(score - actual) <= TOLERANCE for score in clean):
        raise Fail(say("accuracy_mismatch"), mistake="accuracy_mismatch")
