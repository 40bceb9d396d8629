"""The quiz judges: every option in every form students write it, and feedback per wrong option. No TensorFlow."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from judge_support import failed, passed, run

from grader.judging.oracles.quiz import DROPOUT, L2, PARAMETER_FEEDBACK, Options, read_option
from grader.model import ErrorInfo

P, L, D = "quiz.logistic_parameters", "quiz.l2_derivative", "quiz.dropout_evaluation"


@pytest.mark.parametrize("value", [7850, "7850", "7,850", "7 850", 7850.0])
def test_parameter_count_forms(value: Any) -> None:
    passed(run(P, {P: value}))


@pytest.mark.parametrize("count", sorted(PARAMETER_FEEDBACK))
def test_parameter_feedback(count: int) -> None:
    failed(run(P, {P: count}), PARAMETER_FEEDBACK[count][0])


def test_parameter_wrong_forms() -> None:
    failed(run(P, {P: 1234}), "wrong_count")
    failed(run(P, {P: "many"}), "wrong_type")
    failed(run(P, {P: True}), "wrong_type")
    assert run(P, {P: None}).status == "not_attempted"


@pytest.mark.parametrize("value", ["c", "C", "(c)", "c)", "c.", "C) w", "option c", "Option C: w", "w", " W ", 3, "3",
                                   "(3)", "answer: c"])
def test_l2_right_answer_forms(value: Any) -> None:
    passed(run(L, {L: value}))


@pytest.mark.parametrize("value", ["4", 4, 4.0, "(4)", "4)", "4.", "option 4", "Option  4", "d", "D)",
                                   "4) keep_prob should be 1.0 when evaluating",
                                   "keep_prob should be 1.0 when evaluating", "KEEP_PROB SHOULD BE 1.0 WHEN EVALUATING."])
def test_dropout_right_answer_forms(value: Any) -> None:
    passed(run(D, {D: value}))


@pytest.mark.parametrize(("check", "value", "mistake"), [
    (L, "a", "integrated"), (L, "1/3 ||w||^3", "integrated"), (L, "Option B: w^T w", "squared_norm"),
    (L, "||w||^2", "squared_norm"), (L, "d", "not_an_option"), (L, "c) w^T w", "not_an_option"),
    (L, ["c"], "wrong_type"),
    (D, 1, "batching"), (D, "(2) 0.5 is too low", "too_low"), (D, "0.5 is too low", "too_low"),
    (D, "option 3", "no_value"), (D, "four", "not_an_option"), (D, "4) 0.5 is too low", "not_an_option"),
    (D, 5, "not_an_option"), (D, True, "wrong_type"),
])
def test_wrong_options_named(check: str, value: Any, mistake: str) -> None:
    failed(run(check, {check: value}), mistake)


STUB_OPTION_4 = "keep_prob should be set to 1.0 when evaluating validation accuracy."


@pytest.mark.parametrize("value", [STUB_OPTION_4, f"4) {STUB_OPTION_4}", f"4. {STUB_OPTION_4}", STUB_OPTION_4.upper(),
                                   STUB_OPTION_4[:60], "keep_prob should be set to 1.0", f"4) {STUB_OPTION_4[:45]}",
                                   "keep_prob should be 1.0 when evaluating"])
def test_dropout_option_text_copied_whole_or_cut(value: str) -> None:
    """The stub's own sentence (or the lesson's), copied whole or cut, with or without its number."""
    passed(run(D, {D: value}))


@pytest.mark.parametrize(("value", "mistake"), [
    ("The keep_prob value of 0.5 is too low.", "too_low"), ("There shouldn't be a value passed to keep_", "no_value"),
    ("Dropout doesn't work with batching.", "batching"),
    ("keep_prob", "not_an_option"),  # too short to name an option by its text
    ("keep_prob should be set to 0.5", "not_an_option"),  # not the start of any option's text
])
def test_dropout_other_option_texts(value: str, mistake: str) -> None:
    failed(run(D, {D: value}), mistake)


@pytest.mark.parametrize(("check", "value"), [
    (D, "4 or 3"), (D, "4, 3"), (D, "4/3"), (D, "3 and 4"), (D, "(4) or (3)"), (D, "option 4 or 3"), (D, "c or d"),
    (L, "c or b"), (L, "c, b"), (L, "b/c"), (L, "a and c"),
])
def test_several_options_are_wrong(check: str, value: str) -> None:
    result = run(check, {check: value})
    failed(result, "several_options")
    assert "more than one option" in result.message


def test_not_an_option_message_cut_at_a_word() -> None:
    result = run(D, {D: "keep_prob is the probability of keeping a unit, and it should be changed when evaluating"})
    failed(result, "not_an_option")
    assert result.message.endswith("…."), result.message
    assert " changed" not in result.message and "evaluat" not in result.message


def _forms(options: Options) -> st.SearchStrategy[tuple[str, str]]:
    """(key, an answer naming it): marker and/or text, in random case, spacing and punctuation."""
    def build(key: str, lead: str, style: int, sep: str, text_on: bool, upper: bool, pad: str) -> tuple[str, str]:
        i = options.keys.index(key)
        marker = (str(i + 1), chr(ord("a") + i))[style % 2]
        wrapped = (f"{marker}", f"({marker})", f"{marker})", f"{marker}.", f"{marker}:")[style % 5]
        text = options.texts[key][0]
        if text_on and wrapped == marker and not sep.strip():
            sep = " - "  # "1" glued to "1/3 ||w||^3" would be another answer
        body = f"{lead}{wrapped}{sep}{text}" if text_on else f"{lead}{wrapped}"
        body = body.upper() if upper else body
        return key, f"{pad}{body}{pad}"

    return st.builds(build, st.sampled_from(options.keys), st.sampled_from(["", "option ", "Option", "answer: "]),
                     st.integers(0, 9), st.sampled_from([" ", "  ", "", " - "]), st.booleans(), st.booleans(),
                     st.sampled_from(["", " ", "\t"]))


@settings(max_examples=60, deadline=None)
@given(form=_forms(DROPOUT))
def test_fuzz_dropout_option_forms(form: tuple[str, str]) -> None:
    key, text = form
    assert read_option(text, DROPOUT) == key, text


@settings(max_examples=60, deadline=None)
@given(form=_forms(L2))
def test_fuzz_l2_option_forms(form: tuple[str, str]) -> None:
    key, text = form
    assert read_option(text, L2) == key, text


@settings(max_examples=80, deadline=None)
@given(value=st.one_of(st.text(max_size=40), st.integers(), st.floats(), st.none(), st.booleans()))
def test_fuzz_any_answer_gives_an_option_or_none(value: Any) -> None:
    for options in (L2, DROPOUT):
        assert read_option(value, options) in (None, *options.keys)


@settings(max_examples=40, deadline=None)
@given(value=st.one_of(st.text(max_size=40), st.integers(), st.floats(allow_nan=True)))
def test_fuzz_quiz_judges_never_crash(value: Any) -> None:
    for check in (P, L, D):
        assert run(check, {check: value}).status in ("passed", "failed", "not_attempted")


# ---- quiz-format scripts (a script that leaves `output`), judged through the exercises' lesson checks ----------

def _quiz_format(check: str, fn_probe: str, quiz_probe: str, output: Any) -> Any:
    """The student defined no function, only the quiz's `output` (None: not even that)."""
    missing = ErrorInfo("NameError", "no function", missing=fn_probe.split(".")[0])
    return run(check, {fn_probe: missing, quiz_probe: output})


def test_relu_quiz_format_families() -> None:
    import numpy as np

    from grader.judging.oracles.quiz_format import relu_quiz_answer

    right = relu_quiz_answer()
    check, fn, quiz = "relu_model.lesson_inputs", "relu_model.lesson", "relu_model.quiz_output"
    passed(_quiz_format(check, fn, quiz, right))
    e = np.exp(right - right.max(axis=1, keepdims=True))
    failed(_quiz_format(check, fn, quiz, e / e.sum(axis=1, keepdims=True)), "softmax_applied")
    failed(_quiz_format(check, fn, quiz, right - 30.0), "relu_missing")
    failed(_quiz_format(check, fn, quiz, np.zeros_like(right)), "all_zeros")
    failed(_quiz_format(check, fn, quiz, right[:, :1]), "wrong_shape")
    failed(_quiz_format(check, fn, quiz, right + 1.0), "wrong_values")
    failed(_quiz_format(check, fn, quiz, None), "missing_function")
