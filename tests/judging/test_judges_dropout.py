"""The dropout judges on numpy-made logits: every legitimate mask passes, every wrong model is named. No TensorFlow."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from judge_support import CHECKS, failed, passed, run

from grader.judging.oracles.dropout import Net

MANY = CHECKS["dropout.many_rows"].probes[0].args
NET = Net.of(MANY)
H, O = "dropout.hidden_half", "dropout.hidden_other"


def masked(net: Net, rng: np.random.Generator, keep: float, scale: float) -> np.ndarray:
    """Hidden units kept with probability `keep`, kept ones multiplied by `scale`."""
    mask = (rng.random(net.hidden.shape) < keep).astype(float)
    return (net.hidden * mask * scale) @ net.w1 + net.b1


def on_inputs(net: Net, rng: np.random.Generator, kp: float) -> np.ndarray:
    mask = (rng.random(net.x.shape) < kp) / kp
    return np.maximum((net.x * mask) @ net.w0 + net.b0, 0.0) @ net.w1 + net.b1


def on_output(net: Net, rng: np.random.Generator, kp: float) -> np.ndarray:
    plain = net.plain()
    return plain * (rng.random(plain.shape) < kp) / kp


def before_bias(net: Net, rng: np.random.Generator, kp: float) -> np.ndarray:
    mask = (rng.random(net.hidden.shape) < kp) / kp
    return np.maximum((net.x @ net.w0) * mask + net.b0, 0.0) @ net.w1 + net.b1


RIGHT_QUARTER = masked(NET, np.random.default_rng(1), 0.25, 4.0)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), kp=st.sampled_from([0.5, 0.8, 0.25]))
def test_every_legitimate_mask_passes(seed: int, kp: float) -> None:
    rng = np.random.default_rng(seed)
    got = masked(NET, rng, kp, 1.0 / kp)
    if kp == 0.5:
        passed(run("dropout.many_rows", {H: [got]}))
    else:
        other = masked(NET, rng, 0.25, 4.0) if kp == 0.8 else masked(NET, rng, 0.8, 1.25)
        pair = [got, other] if kp == 0.8 else [other, got]
        passed(run("dropout.other_keep_probs", {O: pair}))


CASES = {
    # name: (logits at keep_prob 0.8 from the wrong model, the mistake id the judge must give)
    "no_dropout": (lambda r: NET.plain(), "no_dropout"),
    "keep_prob_as_rate": (lambda r: masked(NET, r, 0.2, 5.0), "keep_prob_as_rate"),
    "keep_prob_ignored": (lambda r: masked(NET, r, 0.5, 2.0), "keep_prob_ignored"),
    "not_scaled": (lambda r: masked(NET, r, 0.8, 1.0), "not_scaled"),
    "dropout_on_output": (lambda r: on_output(NET, r, 0.8), "dropout_on_output"),
    "dropout_on_inputs": (lambda r: on_inputs(NET, r, 0.8), "dropout_on_inputs"),
    "dropout_before_bias": (lambda r: before_bias(NET, r, 0.8), "dropout_before_bias"),
    "keeps_20_percent": (lambda r: masked(NET, r, 0.2, 1.25), "wrong_keep_rate"),
    "never_drops": (lambda r: masked(NET, r, 1.0, 1.25), "never_drops"),
    "noise": (lambda r: NET.plain() + r.normal(0, 1, NET.plain().shape), "not_a_dropout_mask"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_wrong_dropout_models_are_named(case: str) -> None:
    make, mistake = CASES[case]
    result = run("dropout.other_keep_probs", {O: [make(np.random.default_rng(7)), RIGHT_QUARTER]})
    failed(result, mistake)
    assert result.message.startswith("With keep_prob 0.8")
    assert "over" not in result.message and result.tolerance is not None


def test_wrong_keep_rate_message_names_the_rate_not_the_count() -> None:
    result = run("dropout.other_keep_probs", {O: [masked(NET, np.random.default_rng(3), 0.2, 1.25), RIGHT_QUARTER]})
    failed(result, "wrong_keep_rate")
    assert "of the hidden units were kept" in result.message and "units)" in result.instructor_message


ONE = "dropout.hidden_one"


@pytest.mark.parametrize(("make", "mistake"), [
    (lambda: np.zeros_like(NET.plain()) + NET.b1, "keep_prob_inverted"),
    (lambda: masked(NET, np.random.default_rng(2), 0.5, 2.0), "keep_prob_ignored"),
    (lambda: NET.plain() * 1.1, "keep_prob_one_changes_output"),
    (lambda: NET.plain()[:, :2], "wrong_shape"),
])
def test_keep_prob_one_mistakes(make: object, mistake: str) -> None:
    want = [NET.plain()]
    passed(run("dropout.keep_prob_one", {ONE: want}, {ONE: want}))
    failed(run("dropout.keep_prob_one", {ONE: [make()]}, {ONE: want}), mistake)  # type: ignore[operator]


def test_unreadable_logits() -> None:
    failed(run("dropout.many_rows", {H: "logits"}), "wrong_type")
    failed(run("dropout.many_rows", {H: [np.array(["a"])]}), "wrong_type")
    nan = NET.plain().copy()
    nan[0, 0] = np.nan
    failed(run("dropout.many_rows", {H: [nan]}), "not_finite")


def test_hidden_rows_keep_their_character() -> None:
    assert len(MANY["features"]) == 300
    assert np.all(np.abs(NET.z) > 0.3) and (NET.z < 0).any() and np.any(NET.b0 != 0) and np.any(NET.b1 != 0)


def test_lesson_half_accepts_the_quiz_table_masks() -> None:
    from grader.judging.oracles.dropout import lesson_net

    net = lesson_net(40)
    got = masked(net, np.random.default_rng(5), 0.5, 2.0)
    passed(run("dropout.lesson_keep_prob_half", {"dropout.lesson_keep_half": [got], "dropout.quiz_output": None}))
    failed(run("dropout.lesson_keep_prob_half", {"dropout.lesson_keep_half": [net.plain()],
                                                 "dropout.quiz_output": None}), "no_dropout")


@settings(max_examples=30, deadline=None)
@given(c=st.floats(0.05, 20.0).filter(lambda c: abs(c - 1.0) > 1e-3))
def test_any_scaling_of_the_plain_model_fails_at_keep_prob_one(c: float) -> None:
    want = [NET.plain()]
    result = run("dropout.keep_prob_one", {ONE: [NET.plain() * c]}, {ONE: want})
    assert result.status == "failed" and result.score == 0.0
