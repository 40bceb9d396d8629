"""The judge on hand-made observations: load errors, missing functions, stubs, stopped workers."""

from __future__ import annotations

import numpy as np

from grader.judging.judge import failed_load, judge, judge_all
from grader.judging.checks.base import Check, Evidence, Fail, probe
from grader.model import ErrorInfo, FileLoad, Observation

P = probe("demo.p", "relu_model", exercise="relu_model")


def _judge(ev: Evidence) -> str:
    if float(ev.array(P).sum()) != 3.0:
        raise Fail("wrong sum", mistake="bad_sum", expected=3.0, got=float(ev.array(P).sum()))
    return "fine"


CHECK = Check("relu_model.demo", "relu_model", "demo", 2.0, "public", (P,), _judge, hint="add")
MISSING = ErrorInfo("MissingFunction", "No name named `relu_model` was found in your submission.",
                    missing="relu_model")
SYNTAX = FileLoad("relu_model.py", ErrorInfo("SyntaxError", "expected ':' (relu_model.py, line 5)",
                                             traceback='  File "relu_model.py", line 5\n'))


def obs(value: object = None, error: ErrorInfo | None = None) -> dict[str, Observation]:
    return {P.id: Observation(P.id, value=value, error=error)}


def test_pass_and_fail() -> None:
    ok = judge(CHECK, obs(np.ones(3)), None)
    assert (ok.status, ok.score, ok.message) == ("passed", 2.0, "fine")
    bad = judge(CHECK, obs(np.ones(2)), None)
    assert (bad.status, bad.score, bad.mistake, bad.got) == ("failed", 0.0, "bad_sum", 2.0)


def test_missing_function_because_its_file_did_not_load() -> None:
    result = judge(CHECK, obs(error=MISSING), None, loads=(FileLoad("quiz.py"), SYNTAX))
    assert result.status == "failed"
    assert result.mistake == "file_not_loaded"
    assert result.message == ("relu_model.py could not be loaded: SyntaxError: expected ':' (relu_model.py, "
                              "line 5), so relu_model was not found.")
    assert "line 5" in result.traceback


def test_missing_function_with_every_file_loaded() -> None:
    result = judge(CHECK, obs(error=MISSING), None, loads=(FileLoad("relu_model.py"),))
    assert (result.status, result.mistake) == ("failed", "missing_function")
    assert "No name named `relu_model`" in result.message


def test_failed_load_prefers_the_exercises_own_file() -> None:
    other = FileLoad("helpers.py", ErrorInfo("ImportError", "No module named 'cv2'"))
    assert failed_load((other, SYNTAX), "relu_model") is SYNTAX
    assert failed_load((other,), "relu_model") is other
    assert failed_load((FileLoad("relu_model.py"),), "relu_model") is None


def test_stub_is_not_attempted_and_stopped_worker_is_an_error() -> None:
    stub = judge(CHECK, obs(error=ErrorInfo("NotImplementedError", "not written yet")), None)
    assert (stub.status, stub.score) == ("not_attempted", 0.0)
    killed = judge(CHECK, obs(error=ErrorInfo("timeout", "timed out after 30 s", killed="timeout")), None)
    assert (killed.status, killed.message) == ("error", "timed out after 30 s")
    never_ran = judge(CHECK, {}, None)
    assert never_ran.status == "error"


def test_judge_all_passes_loads_to_every_check() -> None:
    results = judge_all([CHECK, CHECK], obs(error=MISSING), None, (SYNTAX,))
    assert [r.mistake for r in results] == ["file_not_loaded", "file_not_loaded"]


def _diagnosing_judge(ev: Evidence) -> None:
    obs = ev.observation(P)
    if obs.error is not None and obs.error.missing:
        raise Fail("No function and no `output` either.", mistake="missing_function")


def test_a_judges_own_missing_function_diagnosis_still_names_the_load_error() -> None:
    diagnosing = Check("relu_model.diag", "relu_model", "diag", 1.0, "public", (P,), _diagnosing_judge)
    result = judge(diagnosing, obs(error=MISSING), None, loads=(SYNTAX,))
    assert result.mistake == "file_not_loaded"
    assert result.message.startswith("relu_model.py could not be loaded: SyntaxError")
    plain = judge(diagnosing, obs(error=MISSING), None, loads=(FileLoad("relu_model.py"),))
    assert (plain.mistake, plain.message) == ("missing_function", "No function and no `output` either.")


def _hidden_judge(ev: Evidence) -> str:
    got = float(ev.array(P).sum())
    if got == 6.0:
        raise Fail(f"sum([2, 2, 2]) gave {got}", mistake="relu_on_output", got=got, hint="only the hidden layer")
    if got != 3.0:
        raise Fail(f"the inputs [1, 1, 1] sum to 3, not {got}", mistake="bad_sum", got=got)
    return "fine"


HIDDEN = Check("relu_model.hidden_demo", "relu_model", "demo", 2.0, "hidden", (P,), _hidden_judge, hint="add",
               tolerance=(1e-4, 1e-4))


def test_hidden_failures_show_only_student_safe_text() -> None:
    named = judge(HIDDEN, obs(np.full(3, 2.0)), None)
    assert named.message == ("On inputs you have not seen, your answer shows a known mistake: "
                             "ReLU also on the output layer.")
    assert named.instructor_message == "sum([2, 2, 2]) gave 6.0" and named.hint == "only the hidden layer"
    assert named.tolerance == (1e-4, 1e-4)
    unknown = judge(HIDDEN, obs(np.full(3, 5.0)), None)
    assert unknown.message == "Your answer is not right on inputs you have not seen."
    assert "[1, 1, 1]" in unknown.instructor_message and unknown.hint == "add"
    ok = judge(HIDDEN, obs(np.ones(3)), None)
    assert (ok.status, ok.message, ok.instructor_message) == ("passed", "fine", "")


def test_hidden_probe_errors_keep_the_traceback_for_instructors() -> None:
    err = ErrorInfo("IndexError", "index 7 is out of bounds for size 7", traceback="line 9\nIndexError: index 7")
    result = judge(HIDDEN, obs(error=err), None)
    assert result.message == "Your code raised IndexError on inputs you have not seen."
    assert result.traceback == "" and "index 7" in result.instructor_message and "line 9" in result.instructor_message
    missing = judge(HIDDEN, obs(error=MISSING), None)
    assert missing.message == MISSING.message and missing.mistake == "missing_function"
    stub = judge(HIDDEN, obs(error=ErrorInfo("NotImplementedError", "")), None)
    assert stub.status == "not_attempted"
    wrong_type = judge(HIDDEN, obs(error=ErrorInfo("WrongType", "relu_model returned shape [7, 3]")), None)
    assert "[7, 3]" not in wrong_type.message and "wrong type or shape" in wrong_type.message
