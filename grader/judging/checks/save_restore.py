"""Public checks for exercise 4: save a trained model, restore it, same accuracy (maths in oracles/save_restore.py)."""

from __future__ import annotations

from typing import Any

import numpy as np

from grader.judging.checks.base import Declare, Evidence, Fail, ProbeFailed
from grader.sandbox.given_model import given_model
from grader.judging.oracles.save_restore import (CHECKPOINT_FILES, EXERCISE, TOLERANCE, TRAINED_ACCURACY, TRAINING,
                                                 checkpoint_accuracy, hard_coded_path, judge_measured, judge_restore,
                                                 judge_saved, observed, relabelled_run, split_accuracy)
from grader.judging.messages import say

ex = Declare(EXERCISE)
SAVE = ex.probe("save", "save_restore", timeout=90.0, folder="public", **TRAINING)
# train_and_save handed other test digits (relabelled validation digits), in its own fresh worker: a test
# accuracy follows them down to near zero, a training accuracy (0.81 on the last batch or the whole
# training set, within a digit of the real test accuracy) does not. Two epochs: only honesty is measured.
SAVE_RELABELLED = ex.probe("save_relabelled", "save_restore", timeout=90.0, group=f"fresh:{EXERCISE}.relabelled",
                           folder="relabelled", save_test="relabelled", evaluate_on="relabelled",
                           **{**TRAINING, "training_epochs": 2})


# restore_and_evaluate on a checkpoint of a model the reference train_and_save trained where no student code
# ran (sandbox/given_model.py), written by the driver (drivers/restore_given.py) in a fresh worker: a
# restore that is right earns these points even when train_and_save has a bug. Nothing is trained in that
# worker, and what it reports about the checkpoint is not trusted (see _given).
GIVEN = ex.probe("restore_given", "restore_given", timeout=60.0, group=f"fresh:{EXERCISE}.given", folder="given")


def _given(got: dict[str, Any], split: str = "test") -> dict[str, Any]:
    """The restore_given probe's value with the checkpoint replaced by the model the grader handed out:
    the restored accuracy is compared with that model's, computed here, whatever the worker (where
    student code ran before and during the restore) says its checkpoint held. With `split="relabelled"`,
    the second restore's result, made on the relabelled test digits, stands in for the first."""
    weights, bias = (np.asarray(a, np.float64) for a in given_model())
    run = relabelled_run(got) if split == "relabelled" else got
    return {**run, "saved_accuracy": split_accuracy(weights, bias, split),
            "checkpoint": {"error": None, "variables": got["checkpoint"]["variables"],
                           "weights": [weights], "bias": [bias]}}


def _own_restore(ev: Evidence) -> float | None:
    """The accuracy restore_and_evaluate got back from the student's own checkpoint, if right (else None)."""
    try:
        return judge_restore(observed(ev, SAVE), "test")
    except (Fail, ProbeFailed):
        return None


@ex.check("checkpoint_files", "train_and_save writes a checkpoint at save_file", points=3, probes=[SAVE],
          hint="Build the model, then saver = tf.train.Saver(); saver.save(sess, save_file) after training.")
def checkpoint_files(ev: Evidence) -> str:
    got = observed(ev, SAVE)
    hard_coded_path(got)
    files: list[str] = got["files"]
    missing = [suffix for suffix in CHECKPOINT_FILES if not any(suffix in f for f in files)]
    if missing:
        raise Fail(say("no_checkpoint", files=files or 'nothing'), mistake="no_checkpoint",
                   expected=["model.ckpt.index", "model.ckpt.data-00000-of-00001", "model.ckpt.meta",
                             "checkpoint"], got=files)
    checkpoint_accuracy(got, "test", None)
    return "The checkpoint's .index, .data, .meta and checkpoint files are all there."


@ex.check("saved_after_training", "the checkpoint holds the trained model whose accuracy was reported", points=4,
          probes=[SAVE, SAVE_RELABELLED], tolerance=(0.0, TOLERANCE),
          hint="Save after the training loop, and return the test accuracy of that model.")
def saved_after_training(ev: Evidence) -> str:
    try:
        actual = judge_saved(observed(ev, SAVE), "test")
    except Fail as fail:
        if fail.mistake == "accuracy_mismatch":
            # A training accuracy a digit or two off the test accuracy: the relabelled run names it.
            judge_saved(observed(ev, SAVE_RELABELLED), "relabelled")
        raise
    judge_saved(observed(ev, SAVE_RELABELLED), "relabelled")
    return f"The saved model scores {actual:.3f} on mnist.test, as reported."


@ex.check("restores_given_checkpoint", "restore_and_evaluate restores a checkpoint it did not make itself",
          points=3, probes=[GIVEN, SAVE], tolerance=(0.0, TOLERANCE),
          hint="Rebuild the same variables (build_model()), saver.restore(sess, save_file), no initializer after it.")
def restores_given_checkpoint(ev: Evidence) -> str:
    # A restore that gets the student's own trained checkpoint back is right whatever checkpoint it is
    # handed (one through import_meta_graph needs the student's own .meta); otherwise, as when
    # train_and_save is broken, the grader's checkpoint decides, so that a training bug costs no restore
    # points. An untrained checkpoint of the student's own proves little (weights near zero score the
    # same whether restored or not), so then the grader's decides too. Either way, the grader's model's
    # accuracy is public: a restore that returns the same number on the relabelled digits typed it in.
    actual = _own_restore(ev)
    if actual is not None and actual >= TRAINED_ACCURACY:
        try:
            got = observed(ev, GIVEN)
        except ProbeFailed:
            got = None  # the grader's checkpoint could not be tried: the student's own has decided
        if got is not None:
            judge_measured(_given(got), _given(got, "relabelled"), exact=False)
        return f"Restored in a fresh graph: test accuracy {actual:.3f}, the same as the saved model."
    got = observed(ev, GIVEN)
    actual = judge_restore(_given(got), "test")
    judge_measured(_given(got), _given(got, "relabelled"), exact=True)
    return f"The grader's own checkpoint, restored by your code: test accuracy {actual:.3f}, as saved."


@ex.check("restored_accuracy", "restore_and_evaluate gets the saved model's accuracy back", points=2,
          probes=[SAVE], tolerance=(0.0, TOLERANCE),
          hint="Rebuild the same variables, saver.restore(sess, save_file), no initializer after it.")
def restored_accuracy(ev: Evidence) -> str:
    actual = judge_restore(observed(ev, SAVE), "test")
    return f"Restored in a fresh graph: test accuracy {actual:.3f}, the same as the saved model."
