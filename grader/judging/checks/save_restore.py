"""Public checks for exercise 4: save a trained model, restore it, same accuracy.

The student's accuracies are claims. The driver sends back the arrays the
checkpoint really holds, and the judge recomputes that model's accuracy with
numpy on the same digits; both reported numbers must agree with it.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from grader import data
from grader.judging.checks.base import Evidence, Fail, NotAttempted, check, probe
from grader.judging.checks.mlp_mnist import is_number, is_shape, require

EXERCISE = "save_restore"
TRAINING = {"learning_rate": 0.5, "training_epochs": 5, "batch_size": 128}
TRAINED_ACCURACY = 0.5   # the reference's checkpoint scores about 0.81; untrained weights about 0.1
TOLERANCE = 0.0025       # a bit more than one digit in 500, for float32 round-off in TF vs numpy
CHECKPOINT_FILES = (".index", ".data-", ".meta", "checkpoint")

SAVE = probe("save_restore.save", "save_restore", exercise=EXERCISE, timeout=90.0,
             folder="public", **TRAINING)


def observed(ev: Evidence, p: Any) -> dict[str, Any]:
    """The probe's value, checked for the form the driver gives it."""
    got = ev.value(p)
    require(isinstance(got, dict) and is_number(got.get("saved_accuracy"))
            and isinstance(got.get("files"), list) and all(isinstance(f, str) for f in got["files"])
            and (got.get("restored_accuracy") is None or is_number(got["restored_accuracy"])))
    err = got.get("restore_error")
    require(err is None or (isinstance(err, dict) and isinstance(err.get("type"), str)
                            and isinstance(err.get("message"), str)))
    require(err is not None or is_number(got.get("restored_accuracy")))
    ckpt = got.get("checkpoint")
    require(isinstance(ckpt, dict) and (ckpt.get("error") is None or isinstance(ckpt["error"], str))
            and isinstance(ckpt.get("variables"), dict)
            and all(is_shape(s) for s in ckpt["variables"].values()))
    for key, shape in (("weights", (data.N_PIXELS, data.N_CLASSES)), ("bias", (data.N_CLASSES,))):
        arrays = ckpt.get(key)
        require(isinstance(arrays, list) and all(
            isinstance(a, np.ndarray) and a.shape == shape and a.dtype.kind == "f" for a in arrays))
    return got


def split_accuracy(weights: np.ndarray, bias: np.ndarray, split: str) -> float:
    """Accuracy of logits = images @ weights + bias on one split of the packaged digits.

    `split` is "test", "validation", or "relabelled" (the validation digits
    with `data.relabelled` labels, as the hidden probe hands them out).
    """
    if split == "relabelled":
        images, labels = data.split_arrays()["validation"]
        labels = data.relabelled(labels)
    else:
        images, labels = data.split_arrays()[split]
    logits = images.astype(np.float64) @ weights + bias
    return float(np.mean(np.argmax(logits, axis=1) == labels))


def checkpoint_accuracy(got: dict[str, Any], split: str, near: float | None) -> float:
    """The accuracy of the checkpoint's model; with several candidate arrays, the one nearest `near`."""
    ckpt = got["checkpoint"]
    if ckpt["error"] or not ckpt["weights"] or not ckpt["bias"]:
        shapes = ckpt["variables"]
        why = ckpt["error"] or f"it holds {shapes or 'no variables'}"
        raise Fail("No checkpoint with the model's [784, 10] weights and [10] bias was found at save_file "
                   f"({why}). Call saver.save(sess, save_file) with the save_file argument, inside the "
                   "session, after training.", mistake="no_checkpoint", got=got["files"])
    scores = [split_accuracy(np.asarray(w), np.asarray(b), split)
              for w in ckpt["weights"] for b in ckpt["bias"]]
    if near is None:
        return scores[0]
    return min(scores, key=lambda s: abs(s - near))


@check(EXERCISE, "checkpoint_files", "train_and_save writes a checkpoint at save_file", points=3,
       probes=[SAVE], hint="saver = tf.train.Saver() before the session; saver.save(sess, save_file) after training.")
def checkpoint_files(ev: Evidence) -> str:
    got = observed(ev, SAVE)
    files: list[str] = got["files"]
    missing = [suffix for suffix in CHECKPOINT_FILES if not any(suffix in f for f in files)]
    if missing:
        raise Fail("tf.train.Saver().save(sess, save_file) writes model.ckpt.index, model.ckpt.data-*, "
                   f"model.ckpt.meta and checkpoint; the folder of save_file holds {files or 'nothing'}. "
                   "Save with the save_file you were given.", mistake="no_checkpoint",
                   expected=["model.ckpt.index", "model.ckpt.data-00000-of-00001", "model.ckpt.meta",
                             "checkpoint"], got=files)
    checkpoint_accuracy(got, "test", None)
    return "The checkpoint's .index, .data, .meta and checkpoint files are all there."


@check(EXERCISE, "saved_after_training", "the checkpoint holds the trained model whose accuracy was reported",
       points=4, probes=[SAVE], hint="Save after the training loop, and return the test accuracy of that model.")
def saved_after_training(ev: Evidence) -> str:
    got = observed(ev, SAVE)
    reported = float(got["saved_accuracy"])
    actual = checkpoint_accuracy(got, "test", reported)
    if abs(actual - reported) > TOLERANCE:
        if actual < TRAINED_ACCURACY <= reported:
            raise Fail(f"The checkpoint holds untrained weights (test accuracy {actual:.3f}) while "
                       f"train_and_save reported {reported:.3f}: save after the training loop, not before.",
                       mistake="saved_before_training", expected=actual, got=reported)
        raise Fail(f"train_and_save reported {reported:.4f}, but the model in the checkpoint scores "
                   f"{actual:.4f} on mnist.test. Return the test accuracy of the model you saved.",
                   mistake="accuracy_mismatch", expected=actual, got=reported)
    if actual < TRAINED_ACCURACY:
        raise Fail(f"The saved model scores only {actual:.3f} on mnist.test: it was barely trained. Run the "
                   "optimizer on every batch with the learning_rate, training_epochs and batch_size arguments.",
                   mistake="not_training", expected=f">= {TRAINED_ACCURACY}", got=actual)
    return f"The saved model scores {actual:.3f} on mnist.test, as reported."


def judge_restore(got: dict[str, Any], split: str) -> float:
    """Raise Fail unless the restored model scores what the checkpoint's model scores."""
    err = got["restore_error"]
    if err is not None:
        kind, message = err["type"], err["message"]
        if kind == "NotImplementedError":
            raise NotAttempted()
        if "not a valid checkpoint" in message or "Failed to find any matching files" in message:
            raise Fail("restore_and_evaluate found no checkpoint at save_file to restore: train_and_save "
                       "must write it there with saver.save(sess, save_file).", mistake="no_checkpoint",
                       got=f"{kind}: {message}")
        if "No variables to save" in message:
            raise Fail("restore_and_evaluate created the Saver before the model's variables: build the "
                       "model (the same variables as when saving) first, then tf.train.Saver(), then restore.",
                       mistake="restore_before_variables", got=f"{kind}: {message}")
        raise Fail(f"restore_and_evaluate raised {kind}: {message}", mistake="restore_error",
                   got=f"{kind}: {message}")
    restored = float(got["restored_accuracy"])
    actual = checkpoint_accuracy(got, split, restored)
    if abs(restored - actual) > TOLERANCE:
        if actual >= TRAINED_ACCURACY and restored < TRAINED_ACCURACY:
            raise Fail(f"The restored model scores {restored:.3f}, but the saved one scores {actual:.3f}: "
                       "the trained values were lost. Do not run tf.global_variables_initializer() after "
                       "saver.restore(sess, save_file); restoring already sets every variable.",
                       mistake="initializer_after_restore", expected=actual, got=restored)
        raise Fail(f"restore_and_evaluate returned {restored:.4f}, but the model in the checkpoint scores "
                   f"{actual:.4f} on the mnist.test it was given. Evaluate the restored model on "
                   "mnist.test.images and mnist.test.labels.", mistake="accuracy_mismatch",
                   expected=actual, got=restored)
    return actual


@check(EXERCISE, "restored_accuracy", "restore_and_evaluate gets the saved model's accuracy back", points=5,
       probes=[SAVE], hint="Rebuild the same variables, saver.restore(sess, save_file), no initializer after it.")
def restored_accuracy(ev: Evidence) -> str:
    got = observed(ev, SAVE)
    actual = judge_restore(got, "test")
    return f"Restored in a fresh graph: test accuracy {actual:.3f}, the same as the saved model."
