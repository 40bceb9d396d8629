"""Hidden check for exercise 4: the restored model is really evaluated on the data it is given."""

from __future__ import annotations

from grader.judging.checks.base import Declare, Evidence
from grader.judging.oracles.save_restore import EXERCISE, TOLERANCE, TRAINING, judge_restore, observed

ex = Declare(EXERCISE)
# restore_and_evaluate receives datasets whose test split holds the validation
# digits with shifted labels: an honest evaluation scores near zero, while a
# number remembered from train_and_save (or typed in) does not move. How well
# the model trained does not matter here, so two epochs keep the probe cheap.
P_OTHER = ex.probe("hidden_other_test", "save_restore", timeout=90.0, folder="hidden", evaluate_on="relabelled",
                   **{**TRAINING, "training_epochs": 2})


@ex.check("evaluates_given_data", "restore_and_evaluate evaluates the restored model on the data it is given",
          points=3, probes=[P_OTHER], visibility="hidden", tolerance=(0.0, TOLERANCE), hint_for=("accuracy_mismatch",),
          hint="Compute the accuracy in restore_and_evaluate from mnist.test; do not reuse a number from training.")
def evaluates_given_data(ev: Evidence) -> None:
    ev.reference(P_OTHER)
    judge_restore(observed(ev, P_OTHER), "relabelled")
