"""judge(): every branch's CheckResult field by field, on made-up checks (no worker, no TensorFlow).

Written against the mutants the fast suite let live in grader/judging/judge.py (mutmut): fields
assembled from the check, messages and statuses of each outcome, and `displayable` at its limits.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from grader.errors import GRADER_ERROR_MESSAGE, ReferenceSolutionError
from grader.judging.checks.base import Check, Evidence, Fail, NotAttempted
from grader.judging.judge import DISPLAY_LIMIT, displayable, judge, judge_all
from grader.judging.mistakes import student_text
from grader.judging.raised import NUMPY_ON_TENSOR_HINT, numpy_on_tensor_message
from grader.model import ErrorInfo, FileLoad, Observation, Probe, Visibility

P1 = Probe(id="ex.p1", driver="drive_one", args={"x": np.array([1.5, 2.0])})
P2 = Probe(id="ex.p2", driver="drive_two", args={"n": 3})


def _check(fn: Callable[[Evidence], Any], probes: tuple[Probe, ...] = (P1, P2),
           visibility: Visibility = "public") -> Check:
    # Public by default, so the judge's own words reach `message`; hidden checks have their own tests below.
    return Check(id="ex.c", exercise="ex", title="A check", points=4.0, visibility=visibility,
                 probes=probes, judge=fn, hint="Try harder.")


def _obs(error: ErrorInfo | None = None, **values: Any) -> dict[str, Observation]:
    return {"ex.p1": Observation("ex.p1", value=values.get("v1"), error=error, output="out1 ", duration=0.25),
            "ex.p2": Observation("ex.p2", value=values.get("v2"), output="out2", duration=0.5)}


def _fields(result: Any) -> dict[str, Any]:
    return {k: getattr(result, k) for k in ("check_id", "exercise", "title", "max_score", "visibility", "hint",
                                             "inputs", "output", "duration")}


BASE = {"check_id": "ex.c", "exercise": "ex", "title": "A check", "max_score": 4.0, "visibility": "public",
        "hint": "Try harder.", "inputs": {"ex.p1": {"x": [1.5, 2.0]}, "ex.p2": {"n": 3}}, "output": "out1 out2",
        "duration": 0.75}


def test_a_pass_carries_the_checks_fields_and_praise() -> None:
    result = judge(_check(lambda ev: f"got {ev.value(P2)}"), _obs(v2=7), None)
    assert _fields(result) == BASE
    assert (result.status, result.score, result.message) == ("passed", 4.0, "got 7")
    assert judge(_check(lambda ev: None), _obs(), None).message == "Correct."


def test_output_keeps_the_last_20000_characters() -> None:
    obs = _obs()
    obs["ex.p1"] = Observation("ex.p1", output="a" + "b" * 20000)
    assert judge(_check(lambda ev: None), obs, None).output == "b" * 19996 + "out2"


def test_a_missing_observation_is_an_error() -> None:
    obs = _obs()
    del obs["ex.p2"]
    result = judge(_check(lambda ev: None), obs, None)
    assert (result.status, result.score, result.message) == (
        "error", 0.0, "This check did not run: the worker stopped before reaching it.")


def test_a_fail_keeps_its_mistake_and_displayable_values() -> None:
    def fn(ev: Evidence) -> None:
        raise Fail("Wrong.", mistake="relu_missing", expected=np.array([1.0, 2.0]), got=np.float32(0.5))

    result = judge(_check(fn), _obs(), None)
    assert _fields(result) == BASE
    assert (result.status, result.score, result.message, result.mistake) == ("failed", 0.0, "Wrong.", "relu_missing")
    assert result.expected == [1.0, 2.0] and result.got == 0.5


LOAD = FileLoad("ex.py", error=ErrorInfo("SyntaxError", "invalid syntax (ex.py, line 3)", traceback="TB-load"))
MISSING = ErrorInfo("NameError", "ex_fn is not defined", missing="ex_fn")


def test_a_judge_that_finds_the_function_missing_blames_the_broken_file() -> None:
    def fn(ev: Evidence) -> None:
        raise Fail("no function", mistake="missing_function")

    result = judge(_check(fn), _obs(error=MISSING), None, [FileLoad("other.py"), LOAD])
    assert (result.status, result.score, result.mistake, result.traceback) == ("failed", 0.0, "file_not_loaded", "TB-load")
    assert result.message == "ex.py could not be loaded: SyntaxError: invalid syntax (ex.py, line 3), so ex_fn was not found."
    assert _fields(result) == BASE
    plain = judge(_check(fn), _obs(error=MISSING), None, [FileLoad("other.py")])
    assert (plain.mistake, plain.message) == ("missing_function", "no function")


def test_not_attempted() -> None:
    def bare(ev: Evidence) -> None:
        raise NotAttempted()

    def said(ev: Evidence) -> None:
        raise NotAttempted("Left as the stub.")

    result = judge(_check(bare), _obs(), None)
    assert (result.status, result.score, result.message) == ("not_attempted", 0.0, "Not attempted yet.")
    assert _fields(result) == BASE
    assert judge(_check(said), _obs(), None).message == "Left as the stub."


def _value_of_p1(ev: Evidence) -> None:
    ev.value(P1)


STUB_TB = ('Traceback (most recent call last):\n  File "ex.py", line 5, in ex_fn\n'
           '    raise NotImplementedError("not written yet")\nNotImplementedError: not written yet\n')
TF_MESSAGE = ("Cannot convert a symbolic tf.Tensor (Variable/read:0) to a numpy array. This error may indicate that "
              "you're trying to pass a Tensor to a NumPy call, which is not supported.")
NUMPY_TB = ('Traceback (most recent call last):\n  File "ex.py", line 5, in ex_fn\n'
            f'    return np.sum(np.square(w))\nNotImplementedError: {TF_MESSAGE}\n')


@pytest.mark.parametrize(("error", "loads", "expected"), [
    (ErrorInfo("NotImplementedError", "not written yet", traceback=STUB_TB), (),
     ("not_attempted", "Not attempted yet: `ex_fn` still raises the stub's NotImplementedError.", None, STUB_TB)),
    (ErrorInfo("WrongType", "returned a str", traceback="TB"), (), ("failed", "returned a str", None, "TB")),
    (ErrorInfo("ValueError", "boom", traceback="TB"), (), ("failed", "`your code` raised ValueError: boom", None, "TB")),
    (ErrorInfo("Killed", "stopped after 30 s", killed="timeout"), (), ("error", "stopped after 30 s", None, "")),
    (MISSING, (), ("failed", "ex_fn is not defined", "missing_function", "")),
    (MISSING, (LOAD,), ("failed", "ex.py could not be loaded: SyntaxError: invalid syntax (ex.py, line 3), "
                                  "so ex_fn was not found.", "file_not_loaded", "TB-load")),
    (ErrorInfo("ValueError", "boom", traceback=STUB_TB.replace("NotImplementedError", "ValueError")), (LOAD,),
     ("failed", "`ex_fn` raised ValueError: boom", None, STUB_TB.replace("NotImplementedError", "ValueError"))),
    # TensorFlow raised NotImplementedError, not the stub: a named mistake, not "not attempted".
    (ErrorInfo("NotImplementedError", TF_MESSAGE, traceback=NUMPY_TB), (),
     ("failed", numpy_on_tensor_message("ex_fn"), "numpy_on_tensor", NUMPY_TB)),
    (ErrorInfo("NotImplementedError", TF_MESSAGE), (),
     ("failed", numpy_on_tensor_message("your code"), "numpy_on_tensor", "")),
    # The student's own `raise NotImplementedError` in a helper they call is still the unchanged stub's way.
    (ErrorInfo("NotImplementedError", "", traceback=STUB_TB.replace("line 5, in ex_fn", "line 9, in helper")), (),
     ("not_attempted", "Not attempted yet: `helper` still raises the stub's NotImplementedError.", None,
      STUB_TB.replace("line 5, in ex_fn", "line 9, in helper"))),
])
def test_a_probe_that_failed(error: ErrorInfo, loads: tuple[FileLoad, ...], expected: tuple[Any, ...]) -> None:
    result = judge(_check(_value_of_p1), _obs(error=error), None, loads)
    assert (result.status, result.message, result.mistake, result.traceback) == expected
    # numpy on graph tensors brings its own hint: the check's would not say what to change.
    base = {**BASE, "hint": NUMPY_ON_TENSOR_HINT} if result.mistake == "numpy_on_tensor" else BASE
    assert result.score == 0.0 and _fields(result) == base


def test_a_probe_failure_names_the_students_function_never_our_driver() -> None:
    obs = _obs()
    obs["ex.p2"] = Observation("ex.p2", error=ErrorInfo("TypeError", "bad"))
    result = judge(_check(lambda ev: ev.value(P2)), obs, None)
    assert result.message == "`your code` raised TypeError: bad"  # drive_two is ours: not named
    tb = 'Traceback (most recent call last):\n  File "ex.py", line 2, in ex_fn\n    x()\nTypeError: bad\n'
    obs["ex.p2"] = Observation("ex.p2", error=ErrorInfo("TypeError", "bad /tmp/grader-worker-x/public/m.ckpt", tb))
    result = judge(_check(lambda ev: ev.value(P2)), obs, None)
    assert result.message == "`ex_fn` raised TypeError: bad m.ckpt"


def test_a_crashing_judge_costs_only_its_check(capsys: pytest.CaptureFixture[str]) -> None:
    """A judge crash is a grader error: the reason goes to `grader_error` (instructors), nothing to stderr."""
    def fn(ev: Evidence) -> None:
        raise KeyError("x")

    result = judge(_check(fn), _obs(), None)
    assert (result.status, result.score, result.traceback) == ("error", 0.0, "")
    assert result.message == GRADER_ERROR_MESSAGE
    assert result.grader_error == "judging ex.c: KeyError: 'x'"
    assert (result.mistake, result.instructor_message) == (None, "")
    assert _fields(result) == BASE
    assert capsys.readouterr().err == ""
    hidden = judge(_check(fn, visibility="hidden"), _obs(), None)
    assert (hidden.status, hidden.message, hidden.grader_error) == ("error", GRADER_ERROR_MESSAGE,
                                                                    "judging ex.c: KeyError: 'x'")


def test_grader_errors_propagate_and_judge_all_passes_the_reference() -> None:
    def needs_reference(ev: Evidence) -> str:
        return f"reference {ev.reference(P1)}"

    with pytest.raises(ReferenceSolutionError):
        judge(_check(needs_reference), _obs(), None)
    ref = {"ex.p1": Observation("ex.p1", value=9)}
    results = judge_all([_check(needs_reference)], _obs(), ref)
    assert [r.message for r in results] == ["reference 9"]


def test_displayable_at_its_limits() -> None:
    big = np.arange(DISPLAY_LIMIT + 1, dtype=np.float64).reshape(1, -1) / 3
    shown = displayable(big)
    assert shown == {"shape": [1, DISPLAY_LIMIT + 1], "truncated": True,
                     "head": np.round(big.reshape(-1)[:DISPLAY_LIMIT], 6).tolist()}
    assert shown["head"][1] == 0.333333
    assert displayable(np.ones(DISPLAY_LIMIT)) == [1.0] * DISPLAY_LIMIT
    assert displayable(np.array([1.23456789])) == [1.234568]
    assert displayable(np.array([7], dtype=np.int64)) == [7]
    assert displayable((np.float32(0.5), [np.int64(2)])) == [0.5, [2]]
    assert displayable({1: np.array([2.0])}) == {"1": [2.0]}
    assert displayable(float("nan")) == "nan" and displayable(float("-inf")) == "-inf"
    assert displayable("text") == "text" and displayable(3) == 3


def test_missing_function_edges() -> None:
    def fn(ev: Evidence) -> None:
        raise Fail("no function", mistake="missing_function")

    clean = judge(_check(fn), _obs(), None, [LOAD])  # nothing reported missing: the judge's own words stay
    assert (clean.mistake, clean.message) == ("missing_function", "no function")
    other = FileLoad("aaa.py", error=ErrorInfo("ImportError", "no module", traceback="TB-other"))
    for judged in (fn, _value_of_p1):
        result = judge(_check(judged), _obs(error=MISSING), None, [other, LOAD])
        assert result.traceback == "TB-load" and result.message.startswith("ex.py could not be loaded")


def test_a_crash_reason_is_cut_to_2000_characters() -> None:
    def fn(ev: Evidence) -> None:
        raise ValueError("v" * 3000)

    assert judge(_check(fn), _obs(), None).grader_error == ("judging ex.c: ValueError: " + "v" * 3000)[:2000]


HIDDEN_BASE = {**BASE, "visibility": "hidden"}


def test_a_hidden_pass_is_left_as_it_is() -> None:
    result = judge(_check(lambda ev: f"got {ev.value(P2)}", visibility="hidden"), _obs(v2=7), None)
    assert _fields(result) == HIDDEN_BASE
    assert (result.status, result.score, result.message, result.instructor_message) == ("passed", 4.0, "got 7", "")


def test_a_hidden_fail_tells_the_student_only_safe_words() -> None:
    def fn(ev: Evidence) -> None:
        raise Fail("Wrong: expected [1, 2].", mistake="relu_missing", expected=np.array([1.0, 2.0]), got=0.5)

    def said(ev: Evidence) -> None:
        raise Fail("Wrong: expected [1, 2].", mistake="relu_missing", student_message="Check your ReLU.")

    result = judge(_check(fn, visibility="hidden"), _obs(), None)
    assert _fields(result) == HIDDEN_BASE
    assert (result.status, result.score, result.mistake) == ("failed", 0.0, "relu_missing")
    assert result.message == student_text("relu_missing") and "[1, 2]" not in result.message
    assert result.instructor_message == "Wrong: expected [1, 2]."
    assert result.expected == [1.0, 2.0] and result.got == 0.5  # kept for the instructor view
    told = judge(_check(said, visibility="hidden"), _obs(), None)
    assert (told.message, told.instructor_message) == ("Check your ReLU.", "Wrong: expected [1, 2].")


@pytest.mark.parametrize(("error", "message"), [
    (ErrorInfo("ValueError", "boom 42", traceback="TB"), "Your code raised ValueError on inputs you have not seen."),
    (ErrorInfo("WrongType", "returned a str", traceback="TB"),
     "On inputs you have not seen, your function returned something of the wrong type or shape."),
    (ErrorInfo("Killed", "stopped after 30 s", killed="timeout", traceback="TB"),
     "Your code was stopped (timeout) on inputs you have not seen."),
    (ErrorInfo("NotImplementedError", "stub", traceback=STUB_TB),
     "Not attempted yet: `ex_fn` still raises the stub's NotImplementedError."),
])
def test_a_hidden_probe_failure_quotes_nothing_of_the_inputs(error: ErrorInfo, message: str) -> None:
    result = judge(_check(_value_of_p1, visibility="hidden"), _obs(error=error), None)
    assert _fields(result) == HIDDEN_BASE and result.score == 0.0
    assert (result.message, result.traceback) == (message, "")  # the traceback may quote hidden values
    full = judge(_check(_value_of_p1), _obs(error=error), None)
    assert result.status == full.status
    assert result.instructor_message == f"{full.message}\n{error.traceback}"


def test_a_hidden_missing_function_blames_the_broken_file_and_keeps_its_traceback_for_instructors() -> None:
    result = judge(_check(_value_of_p1, visibility="hidden"), _obs(error=MISSING), None, [LOAD])
    assert (result.status, result.mistake, result.traceback) == ("failed", "file_not_loaded", "")
    assert result.message == ("ex.py could not be loaded: SyntaxError: invalid syntax (ex.py, line 3), "
                              "so ex_fn was not found.")
    assert result.instructor_message == f"{result.message}\nTB-load"


def test_every_outcome_carries_the_checks_tolerance_and_hint_for_its_mistake() -> None:
    """Reports mark differing cells with the tolerance the check compared with, whatever the outcome."""
    from dataclasses import replace as _replace

    from grader.judging.checks.base import Check, Fail, probe
    from grader.judging.judge import judge
    from grader.model import ErrorInfo, FileLoad, Observation

    p = probe("demo.p", "relu_model", exercise="relu_model")

    def raises(exc: Exception):  # type: ignore[no-untyped-def]
        def j(ev):  # type: ignore[no-untyped-def]
            ev.value(p)
            raise exc
        return j

    base = Check("relu_model.demo", "relu_model", "demo", 2.0, "public", (p,), raises(KeyError("x")),
                 hint="the hint", tolerance=(0.1, 0.2), hint_for=("missing_function",))
    ok = {p.id: Observation(p.id, value=1)}
    assert judge(base, {}, None).tolerance == (0.1, 0.2)                      # the worker stopped first
    assert judge(base, ok, None).tolerance == (0.1, 0.2)                      # the judge itself tripped
    missing = {p.id: Observation(p.id, error=ErrorInfo("MissingFunction", "none", missing="relu_model"))}
    result = judge(base, missing, None)
    assert (result.mistake, result.hint, result.tolerance) == ("missing_function", "the hint", (0.1, 0.2))
    broken = FileLoad("relu_model.py", ErrorInfo("SyntaxError", "bad", traceback="tb"))
    def diagnoses(ev):  # type: ignore[no-untyped-def]
        raise Fail("gone", mistake="missing_function")  # without reading the failed probe

    diagnosed = _replace(base, judge=diagnoses)
    result = judge(diagnosed, missing, None, [broken])
    assert (result.mistake, result.tolerance, result.traceback) == ("file_not_loaded", (0.1, 0.2), "tb")
    stopped = {p.id: Observation(p.id, error=ErrorInfo("Stopped", "killed", killed="timeout"))}
    assert judge(base, stopped, None).tolerance == (0.1, 0.2)
