"""save_restore's judges at their limits: the tolerance, each accuracy threshold, several candidate
arrays in one checkpoint, and observations of the wrong form."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from judge_support import fails
from test_judges_models import UNTRAINED, B, W, saved

from grader.judging.checks.base import Evidence, Fail, NotAttempted
from grader.judging.checks import load_checks
from grader.judging.oracles import save_restore as sr
from grader.model import Observation

TEST = sr.split_accuracy(W, B, "test")
RELABELLED = sr.split_accuracy(W, B, "relabelled")
CHANCE = sr.split_accuracy(*UNTRAINED, "test")


def test_the_models_used_here_are_what_their_names_say() -> None:
    assert TEST > sr.TRAINED_ACCURACY and RELABELLED < sr.BROKEN_METRIC and CHANCE < sr.CHANCE_BAND
    assert sr.split_accuracy(*UNTRAINED, "relabelled") > 0.05  # "always 0" meets the relabelled 9s


def test_a_report_exactly_at_the_tolerance_is_accepted(monkeypatch: pytest.MonkeyPatch) -> None:
    """Float distances equal TOLERANCE exactly only next to 0, so the checkpoint scores 0 here."""
    monkeypatch.setattr(sr, "split_accuracy", lambda weights, bias, split: 0.0)
    assert abs(0.0 - sr.TOLERANCE) == sr.TOLERANCE
    with fails("not_training"):  # accepted as the checkpoint's accuracy, then judged untrained
        sr.judge_saved(saved("test", reported=sr.TOLERANCE))
    assert sr.judge_restore(saved("test", restored=sr.TOLERANCE), "test") == 0.0
    with fails("accuracy_mismatch"):
        sr.judge_restore(saved("test", restored=np.nextafter(sr.TOLERANCE, 1)), "test")


@pytest.mark.parametrize("reported, mistake", [
    (sr.TRAINED_ACCURACY, "saved_before_training"),       # the trained threshold itself counts as trained
    (sr.BROKEN_METRIC, "accuracy_mismatch"),              # the broken-metric limit itself is not broken
    (sr.BROKEN_METRIC - 0.001, "broken_accuracy_metric"),
])
def test_untrained_checkpoint_thresholds(reported: float, mistake: str) -> None:
    with fails(mistake):
        sr.judge_saved(saved("test", reported=reported, model=UNTRAINED))


def test_a_barely_trained_honest_report_is_not_training() -> None:
    with fails("not_training"):
        sr.judge_saved(saved("test", model=UNTRAINED))


def test_training_accuracy_at_the_threshold_on_other_digits_is_the_wrong_split() -> None:
    with fails("wrong_split"):
        sr.judge_saved(saved("relabelled", reported=sr.TRAINED_ACCURACY), "relabelled")
    with fails("accuracy_mismatch"):
        sr.judge_saved(saved("relabelled", reported=sr.TRAINED_ACCURACY - 0.01), "relabelled")


def test_the_training_split_is_named_when_it_explains_the_number() -> None:
    train = sr.split_accuracy(W, B, "train")
    with fails("wrong_split") as info:
        sr.judge_saved(saved("relabelled", reported=train), "relabelled")
    assert "the whole training set's accuracy" in info.value.message


def test_among_several_saved_arrays_the_one_nearest_the_report_is_judged() -> None:
    got = saved("test")
    got["checkpoint"]["weights"] = [UNTRAINED[0], W]
    got["checkpoint"]["bias"] = [UNTRAINED[1], B]
    assert sr.judge_saved(got) == TEST
    assert sr.checkpoint_accuracy(got, "test", None) == CHANCE  # without a report: the first
    assert sr.judge_restore(got, "test") == TEST


@pytest.mark.parametrize("change, why", [
    ({"bias": []}, "it holds {'w': [784, 10], 'b': [10]}"),
    ({"weights": []}, "it holds {'w': [784, 10], 'b': [10]}"),
    ({"error": "corrupt file"}, "corrupt file"),
    ({"weights": [], "bias": [], "variables": {}}, "it holds no variables"),
])
def test_a_checkpoint_without_the_model_is_no_checkpoint(change: dict[str, Any], why: str) -> None:
    got = saved("test")
    got["checkpoint"].update(change)
    with fails("no_checkpoint") as info:
        sr.judge_saved(got)
    assert f"({why})" in info.value.message


def test_restore_thresholds_on_relabelled_digits() -> None:
    """On relabelled digits the trained model scores near 0: a number in [BROKEN_METRIC, CHANCE_BAND)
    is fresh random weights (the initializer ran after restoring); anything else is another mistake."""
    with fails("initializer_after_restore"):
        sr.judge_restore(saved("relabelled", restored=sr.BROKEN_METRIC), "relabelled")
    with fails("accuracy_mismatch"):
        sr.judge_restore(saved("relabelled", restored=sr.CHANCE_BAND), "relabelled")
    with fails("accuracy_mismatch"):
        sr.judge_restore(saved("relabelled", restored=0.3), "relabelled")


def test_restore_of_an_untrained_checkpoint_that_disagrees_is_a_mismatch() -> None:
    with fails("accuracy_mismatch"):
        sr.judge_restore(saved("test", restored=0.3, model=UNTRAINED), "test")
    with fails("initializer_after_restore"):
        sr.judge_restore(saved("test", restored=CHANCE), "test")


@pytest.mark.parametrize("message, mistake", [
    ("model.ckpt is not a valid checkpoint", "no_checkpoint"),
    ("Failed to find any matching files for model.ckpt", "no_checkpoint"),
    ("No variables to save", "restore_before_variables"),
    ("something else", "restore_error"),
])
def test_restore_errors_are_told_apart_by_their_message(message: str, mistake: str) -> None:
    with fails(mistake):
        sr.judge_restore(saved("test", files=[], restore_error={"type": "ValueError", "message": message}), "test")
    # The checkpoint is at save_file, yet restoring found none: the restore looked elsewhere.
    with fails("hard_coded_path" if mistake == "no_checkpoint" else mistake):
        sr.judge_restore(saved("test", restore_error={"type": "ValueError", "message": message}), "test")
    # Only the stub's own raise is "not attempted"; a NotImplementedError with other words is TensorFlow's.
    with pytest.raises(NotAttempted):
        sr.judge_restore(saved("test", restore_error={"type": "NotImplementedError", "message": "not written yet"}),
                         "test")
    with pytest.raises(Fail):
        sr.judge_restore(saved("test", restore_error={"type": "NotImplementedError", "message": message}), "test")


def test_numpy_on_a_restored_tensor_is_named() -> None:
    message = "Cannot convert a symbolic tf.Tensor (Mean:0) to a numpy array."
    with fails("numpy_on_tensor"):
        sr.judge_restore(saved("test", restore_error={"type": "NotImplementedError", "message": message}), "test")


def _observed(value: Any) -> dict[str, Any]:
    check = next(c for c in load_checks(("save_restore",)) if c.id == "save_restore.saved_after_training")
    p = check.probes[0]
    return sr.observed(Evidence(check, {p.id: Observation(p.id, value=value)}, None), p)


@pytest.mark.parametrize("change", [
    {"restore_error": {"type": "E"}}, {"restore_error": {"message": "m"}}, {"restore_error": "boom"},
    {"restored_accuracy": "0.8"}, {"restored_accuracy": None},
    {"restore_error": {"type": "E", "message": "m"}, "restored_accuracy": "0.8"},
    {"checkpoint": "x"}, {"checkpoint": {"error": 3, "variables": {}, "weights": [], "bias": []}},
    {"checkpoint": {"error": None, "variables": [], "weights": [], "bias": []}},
    {"checkpoint": {"error": None, "variables": {"w": "784"}, "weights": [], "bias": []}},
    {"checkpoint": {"error": None, "variables": {}, "weights": "w", "bias": []}},
    {"checkpoint": {"error": None, "variables": {}, "weights": [np.zeros((10, 784))], "bias": []}},
    {"checkpoint": {"error": None, "variables": {}, "weights": [np.zeros((784, 10), dtype=np.int64)], "bias": []}},
    {"checkpoint": {"error": None, "variables": {}, "weights": [[0.0] * 10] * 784, "bias": []}},
])
def test_observations_of_the_wrong_form_are_malformed(change: dict[str, Any]) -> None:
    assert _observed(saved("test"))  # the well-formed one is read
    with fails("malformed"):
        _observed({**saved("test"), **change})
