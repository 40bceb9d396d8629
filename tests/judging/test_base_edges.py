"""checks/base.py read exactly: values by key, numbers of every kind, both tolerances of a logits
comparison, a check's defaults, and digests of probe inputs that are not arrays."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from judge_support import fails

from grader.judging.checks import base
from grader.judging.checks.base import Check, Evidence, compare_logits_with_mistakes, probe, probe_digest
from grader.model import Observation

P = probe("demo.p", "relu_model", exercise="relu_model")


def evidence(student: Any, reference: Any = None) -> Evidence:
    chk = Check("relu_model.demo", "relu_model", "demo", 1.0, "public", (P,), lambda ev: None)
    ref = None if reference is None else {P.id: Observation(P.id, value=reference)}
    return Evidence(chk, {P.id: Observation(P.id, value=student)}, ref)


def test_values_are_read_by_key_and_a_missing_key_is_the_wrong_type() -> None:
    ev = evidence({"a": [1, 2], "b": 3}, reference={"a": [4, 5]})
    assert ev.array(P, "a").tolist() == [1.0, 2.0]
    assert ev.reference_array(P, "a").tolist() == [4.0, 5.0]
    for bad in (evidence({"a": [1]}), evidence([1, 2])):
        with fails("wrong_type"):
            bad.array(P, "b")


def test_numbers_of_every_kind_become_floats() -> None:
    assert evidence(np.array([True, False])).array(P).tolist() == [1.0, 0.0]
    assert evidence(np.array([3], dtype=np.uint8)).array(P).dtype == np.float64
    assert evidence(7).array(P).tolist() == 7.0
    for bad in (True, "7", np.array(["a"]), [[1], "x"]):
        with fails("wrong_type"):
            evidence(bad).array(P)


def test_logits_compare_with_both_tolerances() -> None:
    want = np.array([[1e4, 0.0]])
    args = {"shape_message": "shape", "otherwise": "otherwise", "tol": 1e-4}
    compare_logits_with_mistakes(want + [[0.5, 5e-5]], want, {}, **args)  # 0.5 is within rtol of 1e4
    mistake = np.array([[-1e4, 1.0]])
    with fails("sign"):
        compare_logits_with_mistakes(mistake + [[0.5, 5e-5]], want, {"sign": ("flipped", mistake)}, **args)
    with fails("wrong_values"):
        compare_logits_with_mistakes(want + [[2.0, 0.0]], want, {"sign": ("flipped", mistake)}, **args)


def test_a_check_is_public_without_a_hint_unless_told(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(base, "CHECKS", {})

    @base.Declare("relu_model").check("demo", "a demo", points=1, probes=[P])
    def demo(ev: Evidence) -> None:
        return None

    made = base.CHECKS["relu_model.demo"]
    assert (made.visibility, made.hint, made.tolerance, made.hint_for, made.points) == ("public", "", None, (), 1.0)
    with pytest.raises(ValueError, match=r"^check relu_model\.demo registered twice$"):
        base.check("relu_model", "demo", "again", points=1, probes=[P])(demo)


def test_probe_inputs_that_json_cannot_hold_are_digested_by_their_repr() -> None:
    def digest(args: dict[str, Any]) -> str:
        return probe_digest(probe("demo.p", "relu_model", exercise="relu_model", **args))

    assert digest({"s": frozenset({1, 2})}) == digest({"s": frozenset({2, 1})})
    assert digest({"s": frozenset({1, 2})}) != digest({"s": frozenset({1, 3})})
    assert digest({"a": np.zeros(3)}) != digest({"a": np.zeros(3, dtype=np.float32)})
    assert digest({"a": np.zeros((2, 3))}) != digest({"a": np.zeros((3, 2))})


def test_observations_and_references_by_probe_or_by_id() -> None:
    from grader.errors import ReferenceSolutionError
    from grader.model import ErrorInfo

    ev = evidence([1.0], reference=[2.0])
    assert ev.observation(P.id) is ev.observation(P)
    assert ev.reference(P.id) == [2.0] == ev.reference(P)
    with pytest.raises(KeyError, match="elsewhere"):
        ev.observation("elsewhere")
    with pytest.raises(ReferenceSolutionError, match=r"probe demo\.p: missing$"):
        evidence([1.0]).reference(P.id)
    broken = Evidence(ev.check, {}, {P.id: Observation(P.id, error=ErrorInfo("ValueError", "it broke"))})
    with pytest.raises(ReferenceSolutionError, match=r"probe demo\.p: it broke$"):
        broken.reference(P)
