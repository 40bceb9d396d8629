"""Run one check's judge on hand-made observations: the fast way to test verdicts (no TensorFlow)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import pytest
from snapshot_support import pin

from grader.judging.checks import Check, load_checks
from grader.judging.checks.base import Fail
from grader.judging.judge import judge
from grader.model import CheckResult, ErrorInfo, Observation, Probe

CHECKS: dict[str, Check] = {c.id: c for c in load_checks()}


def obs(values: Mapping[str, Any]) -> dict[str, Observation]:
    """Observations by probe id; an ErrorInfo value becomes the probe's error."""
    return {pid: Observation(pid, error=v) if isinstance(v, ErrorInfo) else Observation(pid, value=v)
            for pid, v in values.items()}


def run(check: str | Check, student: Mapping[str, Any], reference: Mapping[str, Any] | None = None) -> CheckResult:
    """The verdict on these observations. A quiz-format rerun probe the test leaves out observed
    what it does for a function-format student: no quiz script (None)."""
    chk = CHECKS[check] if isinstance(check, str) else check
    student = {**{p.id: None for p in chk.probes if p.driver == "quiz_rerun"}, **student}
    return judge(chk, obs(student), obs(reference) if reference is not None else None)


def with_args(check: str, args: list[dict[str, Any]]) -> tuple[Check, list[Probe]]:
    """The check rebuilt on other probe inputs (as another course seed would give), and its probes."""
    chk = CHECKS[check]
    probes = [replace(p, args={**p.args, **a}) for p, a in zip(chk.probes, args)]
    return replace(chk, probes=tuple(probes)), probes


def failed(result: CheckResult, mistake: str | None) -> None:
    """Exactly this verdict: failed, no points, this mistake id; what its reader reads is pinned."""
    pin(result)
    assert (result.status, result.score, result.mistake) == ("failed", 0.0, mistake), (
        result.status, result.mistake, result.message)


def fails(mistake: str) -> Any:
    """`with fails("wrong_type"):` an oracle must raise Fail naming exactly this mistake; its
    message, student message and hint are pinned."""
    def matches(e: Fail) -> bool:
        pin(e)
        return e.mistake == mistake
    return pytest.raises(Fail, check=matches)


def passed(result: CheckResult) -> None:
    """Full points; what its reader reads is pinned."""
    pin(result)
    assert (result.status, result.score) == ("passed", result.max_score), (result.mistake, result.message)
