"""Exercise 4, save and restore: the checkpoint's model re-scored with numpy, and the known mistakes.

The student's accuracies are claims. The driver sends back the arrays the
checkpoint really holds, and the judge recomputes that model's accuracy with
numpy on the same digits; both reported numbers must agree with it.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from grader import data
from grader.judging.checks.base import Evidence, Fail, NotAttempted, ProbeFailed
from grader.judging.oracles.common import is_number, is_shape, require
from grader.judging.raised import NUMPY_ON_TENSOR_HINT, numpy_on_tensor, numpy_on_tensor_message, stub_unchanged
from grader.judging.messages import say

EXERCISE = "save_restore"
TRAINING: dict[str, Any] = {"learning_rate": 0.5, "training_epochs": 5, "batch_size": 128}
TRAINED_ACCURACY = 0.5   # the reference's checkpoint scores about 0.81; untrained weights about 0.1
TOLERANCE = 0.0025       # a bit more than one digit in 500, for float32 round-off in TF vs numpy
BROKEN_METRIC = 0.04     # far below chance (0.1): no model scores that, a broken metric does
CHANCE_BAND = 0.25       # random weights score about 0.1 on any labels: below this, "untrained"
CHECKPOINT_FILES = (".index", ".data-", ".meta", "checkpoint")


def _safe(message: str, **kw: Any) -> Fail:
    return Fail(message, student_message=message, **kw)


def observed(ev: Evidence, p: Any) -> dict[str, Any]:
    """The probe's value, checked for the form the driver gives it. train_and_save's own known
    failures are named here, so that every check reading the probe tells the same story."""
    try:
        got = ev.value(p)
    except ProbeFailed as pf:
        err = pf.observation.error
        if err is not None and "No variables to save" in err.message:
            raise _safe(say("saver_before_variables"), mistake="saver_before_variables",
                        hint=say("saver_before_variables.hint")) from None
        if err is not None and err.type == "FailedPreconditionError" and "uninitialized" in err.message.lower():
            raise _safe(say("initializer_not_run"),
                        mistake="initializer_not_run",
                        hint=say("initializer_not_run.hint")) from None
        raise
    require(isinstance(got, dict) and is_number(got.get("saved_accuracy"))
            and isinstance(got.get("files"), list) and all(isinstance(f, str) for f in got["files"])
            and (got.get("restored_accuracy") is None or is_number(got["restored_accuracy"])))
    require(got.get("elsewhere") is None or (isinstance(got["elsewhere"], list)
                                             and all(isinstance(n, str) for n in got["elsewhere"])))
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

    `split` is "train", "test", "validation", or "relabelled" (the validation
    digits with `data.relabelled` labels, as the relabelled probes hand them out).
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
        advice = say("no_checkpoint.hint.checkpoint_accuracy")
        raise Fail(say("no_checkpoint.checkpoint_accuracy", why=why, advice=advice),
                   mistake="no_checkpoint", got=got["files"],
                   student_message=say("no_checkpoint.student", advice=advice),
                   hint=advice)
    scores = [split_accuracy(np.asarray(w), np.asarray(b), split)
              for w in ckpt["weights"] for b in ckpt["bias"]]
    if near is None:
        return scores[0]
    return min(scores, key=lambda s: abs(s - near))


def judge_saved(got: dict[str, Any], split: str = "test") -> float:
    """Raise Fail unless train_and_save reported the test accuracy of the model it saved.

    On the "relabelled" split (the probe that hands train_and_save other test digits) an honest
    test accuracy is near zero, so a training accuracy (last batch or whole set) shows.
    """
    reported = float(got["saved_accuracy"])
    actual = checkpoint_accuracy(got, split, reported)
    if abs(actual - reported) <= TOLERANCE:
        if split == "test" and actual < TRAINED_ACCURACY:
            raise Fail(say("not_training.judge_saved", actual=actual),
                       mistake="not_training", expected=f">= {TRAINED_ACCURACY}", got=actual)
        return actual
    tol = (0.0, TOLERANCE)
    if split == "test" and actual < TRAINED_ACCURACY <= reported:
        raise Fail(say("saved_before_training", actual=actual, reported=reported),
                   mistake="saved_before_training", expected=actual, got=reported, tolerance=tol)
    if split == "test" and reported < BROKEN_METRIC <= actual:
        raise Fail(say("broken_accuracy_metric.judge_saved", reported=reported, actual=actual),
                   mistake="broken_accuracy_metric",
                   expected=actual, got=reported, tolerance=tol)
    if split != "test" and reported >= TRAINED_ACCURACY:
        where, data_set = "an accuracy measured on training data (a training batch?)", "the training data"
        for split_name, words, name in (("train", "the whole training set's accuracy", "the training data"),
                                        ("validation", "the validation set's accuracy", "the validation data")):
            if abs(checkpoint_accuracy(got, split_name, reported) - reported) <= TOLERANCE:
                where, data_set = words, name
                break
        raise Fail(say("wrong_split.judge_saved", reported=reported, actual=actual, where=where, data_set=data_set),
                   mistake="wrong_split", expected=actual, got=reported, tolerance=tol,
                   hint=say("wrong_split.hint"))
    raise Fail(say("accuracy_mismatch.judge_saved", reported=reported, actual=actual),
               mistake="accuracy_mismatch", expected=actual, got=reported, tolerance=tol)


def _not_found(message: str) -> bool:
    return "not a valid checkpoint" in message or "Failed to find any matching files" in message


def hard_coded_path(got: dict[str, Any]) -> None:
    """Raise Fail when the checkpoint went somewhere other than save_file (a path in the code)."""
    elsewhere = got.get("elsewhere") or []
    if elsewhere and not any(".index" in f for f in got["files"]):
        shown = ", ".join(elsewhere[:4])
        raise _safe(say("hard_coded_path", shown=shown), mistake="hard_coded_path",
                    hint=say("hard_coded_path.hint"))


def judge_restore(got: dict[str, Any], split: str) -> float:
    """Raise Fail unless the restored model scores what the checkpoint's model scores."""
    err = got["restore_error"]
    if err is not None:
        # Each mistake brings its own hint, so a hidden check's hint fits the mistake seen.
        kind, message = err["type"], err["message"]
        if stub_unchanged(kind, message, err.get("traceback", "")):
            raise NotAttempted("Not attempted yet: `restore_and_evaluate` still raises the stub's NotImplementedError.")
        if numpy_on_tensor(kind, message):
            raise Fail(numpy_on_tensor_message("restore_and_evaluate"), mistake="numpy_on_tensor",
                       hint=NUMPY_ON_TENSOR_HINT)
        if _not_found(message) and any(".index" in f for f in got["files"]):
            raise _safe(say("hard_coded_path.judge_restore"), mistake="hard_coded_path",
                        hint=say("hard_coded_path.hint.judge_restore"))
        if _not_found(message):
            raise _safe(say("no_checkpoint.judge_restore"), mistake="no_checkpoint",
                        got=f"{kind}: {message}", hint=say("no_checkpoint.hint"))
        if "No variables to save" in message:
            raise _safe(say("restore_before_variables"),
                        mistake="restore_before_variables", got=f"{kind}: {message}",
                        hint=say("restore_before_variables.hint"))
        raise Fail(say("restore_error", kind=kind, message=message), mistake="restore_error",
                   got=f"{kind}: {message}", student_message=say("restore_error.student", kind=kind),
                   hint=say("restore_error.hint"))
    restored = float(got["restored_accuracy"])
    actual = checkpoint_accuracy(got, split, restored)
    if abs(restored - actual) > TOLERANCE:
        # On relabelled digits the trained model scores near 0 and fresh random weights near chance.
        untrained = (restored < TRAINED_ACCURACY if split == "test"
                     else actual < BROKEN_METRIC <= restored < CHANCE_BAND)
        if (actual >= TRAINED_ACCURACY or split != "test") and untrained:
            advice = say("initializer_after_restore.hint")
            raise Fail(say("initializer_after_restore", restored=restored, actual=actual, advice=advice),
                       mistake="initializer_after_restore",
                       expected=actual, got=restored, tolerance=(0.0, TOLERANCE), hint=advice,
                       student_message=say("initializer_after_restore.student", advice=advice))
        advice = say("accuracy_mismatch.hint.judge_restore")
        raise Fail(say("accuracy_mismatch.judge_restore", restored=restored, actual=actual, advice=advice),
                   mistake="accuracy_mismatch",
                   expected=actual, got=restored, tolerance=(0.0, TOLERANCE), hint=advice,
                   student_message=say("accuracy_mismatch.student", advice=advice))
    return actual


def relabelled_run(got: dict[str, Any]) -> dict[str, Any]:
    """`got` with its restore replaced by the second one of the restore_given probe, made on the relabelled
    test digits (the checkpoint is the same, so the rest of `got` still describes it)."""
    other = got.get("relabelled")
    require(isinstance(other, dict))
    assert isinstance(other, dict)  # for the type checker: require() has refused anything else
    require(other.get("restored_accuracy") is None or is_number(other["restored_accuracy"]))
    err = other.get("restore_error")
    require(err is None or (isinstance(err, dict) and isinstance(err.get("type"), str)
                            and isinstance(err.get("message"), str)))
    require(err is not None or is_number(other.get("restored_accuracy")))
    return {**got, "restored_accuracy": other.get("restored_accuracy"), "restore_error": err}


def judge_measured(on_test: dict[str, Any], on_relabelled: dict[str, Any], *, exact: bool) -> None:
    """Raise Fail unless restore_and_evaluate measured its accuracy on the test digits it was handed.

    The same checkpoint restored twice, on mnist.test and on the relabelled digits: the restored model
    scores very differently on the two, so a number that does not move is typed in (or measured on other
    data). `exact` (the restore on mnist.test was right) also refuses any other wrong number on the
    relabelled digits. Without it only the unmoved number is named: a restore judged right on the
    student's own checkpoint may get the grader's wrong in some other way, and that costs nothing.
    The messages give no accuracy: the expected one is the grader's to know.
    """
    if on_test["restore_error"] is not None:
        return  # the grader's checkpoint did not restore at all: judged where that matters
    if on_relabelled["restore_error"] is not None:
        if exact:
            judge_restore(on_relabelled, "relabelled")  # names the error, as on mnist.test
        return
    first, second = float(on_test["restored_accuracy"]), float(on_relabelled["restored_accuracy"])
    actual = checkpoint_accuracy(on_relabelled, "relabelled", second)
    if abs(second - actual) <= TOLERANCE:
        return
    tol = (0.0, TOLERANCE)
    if abs(second - first) <= TOLERANCE and second >= CHANCE_BAND:
        advice = say("accuracy_mismatch.hint.judge_restore")
        raise _safe(say("accuracy_not_measured.judge_restore", advice=advice), mistake="accuracy_not_measured",
                    expected="another accuracy on other test digits", got=[first, second], tolerance=tol, hint=advice)
    if exact:
        advice = say("accuracy_mismatch.hint.judge_restore")
        raise _safe(say("accuracy_mismatch.student", advice=advice), mistake="accuracy_mismatch",
                    expected="the restored model's accuracy on other test digits", got=second, tolerance=tol, hint=advice)
