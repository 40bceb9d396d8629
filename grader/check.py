"""The check stage: turn observations into verdicts, in the trusted process."""

from __future__ import annotations

from typing import Any

import numpy as np

from grader.checks.base import Check, Evidence, Fail, NotAttempted, ProbeFailed
from grader.errors import ReferenceError_
from grader.model import CheckResult, ErrorInfo, Observation

DISPLAY_LIMIT = 400  # array elements kept for the expected-vs-got table


def displayable(value: Any) -> Any:
    """A JSON-friendly, size-capped copy of a value for reports."""
    if isinstance(value, np.ndarray):
        if value.size > DISPLAY_LIMIT:
            return {"shape": list(value.shape), "truncated": True,
                    "head": np.round(value.reshape(-1)[:DISPLAY_LIMIT], 6).tolist()}
        if value.dtype.kind == "f":
            return np.round(value, 6).tolist()
        return value.tolist()
    if isinstance(value, (np.floating, np.integer)):
        return value.item()
    if isinstance(value, (list, tuple)):
        return [displayable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): displayable(v) for k, v in value.items()}
    if isinstance(value, float) and not np.isfinite(value):
        return str(value)
    return value


def describe_error(err: ErrorInfo, where: str) -> tuple[str, str]:
    """(status, message) for a probe that raised or was stopped."""
    if err.killed:
        return "error", err.message
    if err.missing:
        return "failed", err.message
    if err.type == "NotImplementedError":
        return "not_attempted", "Not attempted yet: the stub still raises NotImplementedError."
    if err.type in ("WrongType",):
        return "failed", err.message
    return "failed", f"`{where}` raised {err.type}: {err.message}"


def judge(check: Check, student: dict[str, Observation],
          reference: dict[str, Observation] | None) -> CheckResult:
    """Run one check's judge on the student's observations."""
    base: dict[str, Any] = dict(
        check_id=check.id, exercise=check.exercise, title=check.title,
        max_score=check.points, visibility=check.visibility, hint=check.hint,
        inputs=displayable({p.id: p.args for p in check.probes}),
    )
    observed = [student[p.id] for p in check.probes if p.id in student]
    base["output"] = "".join(o.output for o in observed)[-20000:]
    base["duration"] = sum(o.duration for o in observed)
    missing = [p.id for p in check.probes if p.id not in student]
    if missing:
        return CheckResult(score=0.0, status="error", **base,
                           message="This check did not run: the worker stopped before reaching it.")
    ev = Evidence(check, student, reference)
    try:
        praise = check.judge(ev)
    except Fail as fail:
        return CheckResult(score=0.0, status="failed", message=fail.message, mistake=fail.mistake,
                           expected=displayable(fail.expected), got=displayable(fail.got), **base)
    except NotAttempted:
        return CheckResult(score=0.0, status="not_attempted", message="Not attempted yet.", **base)
    except ProbeFailed as pf:
        err = pf.observation.error
        assert err is not None
        driver = next((p.driver for p in check.probes if p.id == pf.observation.probe_id), "")
        status, message = describe_error(err, driver)
        return CheckResult(score=0.0, status=status, message=message,  # type: ignore[arg-type]
                           mistake=err.missing and "missing_function", traceback=err.traceback, **base)
    except ReferenceError_:
        raise
    return CheckResult(score=check.points, status="passed", message=praise or "Correct.", **base)


def judge_all(checks: list[Check], student: dict[str, Observation],
              reference: dict[str, Observation] | None) -> list[CheckResult]:
    return [judge(c, student, reference) for c in checks]
