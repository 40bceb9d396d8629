"""What a worker reports is checked for its form before any judge reads it (named_variables,
quiz_format): each field wrong on its own is refused as malformed, and the function-or-quiz
choice reads the right observation."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from judge_support import fails

from grader.judging.checks.base import Check, Evidence, ProbeFailed, probe
from grader.judging.oracles import named_variables as nv
from grader.judging.oracles import quiz_format
from grader.model import ErrorInfo, Observation

P = probe("demo.p", "named_variables", exercise="named_variables")
Q = probe("demo.q", "quiz_output", exercise="relu_model")
CHECK = Check("named_variables.demo", "named_variables", "demo", 1.0, "public", (P, Q), lambda ev: None)


def evidence(**values: Any) -> Evidence:
    obs = {pid: v if isinstance(v, Observation) else Observation(pid, value=v) for pid, v in values.items()}
    return Evidence(CHECK, {k.replace("_", "."): v for k, v in obs.items()}, None)


def good() -> dict[str, Any]:
    arrays = [np.zeros((3, 2)), np.zeros(2)]
    return {"names": list(nv.NAMES), "restore_names": list(nv.NAMES), "shapes": [[3, 2], [2]],
            "saved": arrays, "restored": arrays, "restore_error": None}


@pytest.mark.parametrize("change", [
    {"names": ["a"]}, {"names": ["a", 1]}, {"restore_names": "ab"},
    {"shapes": [[3, 2]]}, {"shapes": [[3, 2], "2"]}, {"shapes": "x"},
    {"saved": [np.zeros(2)]}, {"saved": [np.zeros(2), [0.0]]}, {"saved": [np.zeros(2), np.zeros(2, dtype=np.int32)]},
    {"restored": [np.zeros(2)]}, {"restored": "x"},
    {"restore_error": 3}, {"restore_error": None, "restored": None},
])
def test_named_variables_fields_wrong_one_at_a_time_are_malformed(change: dict[str, Any]) -> None:
    assert nv.observed(evidence(demo_p=good()), P)
    with fails("malformed"):
        nv.observed(evidence(demo_p={**good(), **change}), P)


def test_a_failed_restore_needs_no_restored_values() -> None:
    got = nv.observed(evidence(demo_p={**good(), "restored": None, "restore_error": "NotFoundError"}), P)
    assert got["restore_error"] == "NotFoundError"


def test_the_function_is_judged_when_it_exists_even_if_it_raises() -> None:
    kind, arr = quiz_format.function_or_quiz(evidence(demo_p=[[1.0]], demo_q=[[2.0]]), P, Q)
    assert kind == "function" and arr.tolist() == [[1.0]]
    raised = Observation(P.id, error=ErrorInfo("ValueError", "bad"))
    with pytest.raises(ProbeFailed):
        quiz_format.function_or_quiz(evidence(demo_p=raised, demo_q=[[2.0]]), P, Q)


@pytest.mark.parametrize("error", [ErrorInfo("NotImplementedError", "not written yet"),
                                   ErrorInfo("MissingFunction", "none", missing="relu_model")])
def test_a_stub_or_missing_function_falls_back_to_the_quiz_output(error: ErrorInfo) -> None:
    kind, arr = quiz_format.function_or_quiz(evidence(demo_p=Observation(P.id, error=error), demo_q=[[2.0]]), P, Q)
    assert kind == "quiz" and arr.tolist() == [[2.0]]


def test_no_function_and_no_quiz_output_is_a_missing_function() -> None:
    missing = Observation(P.id, error=ErrorInfo("MissingFunction", "none", missing="relu_model"))
    for ev in (evidence(demo_p=missing, demo_q=None), evidence(demo_p=missing)):
        with fails("missing_function"):
            quiz_format.function_or_quiz(ev, P, Q)
    stub = Observation(P.id, error=ErrorInfo("NotImplementedError", "not written yet"))
    with pytest.raises(ProbeFailed):  # the stub itself is what is judged (not attempted)
        quiz_format.function_or_quiz(evidence(demo_p=stub), P, Q)
