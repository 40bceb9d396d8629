"""The check stage: turn observations into verdicts, in the trusted process."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from grader.errors import GRADER_ERROR_MESSAGE, GraderError
from grader.judging.checks.base import Check, Evidence, Fail, NotAttempted, ProbeFailed
from grader.judging.mistakes import student_text
from grader.model import CheckResult, ErrorInfo, FileLoad, Observation

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


def failed_load(loads: Sequence[FileLoad], exercise: str) -> FileLoad | None:
    """The file that most likely should have defined this exercise's names but failed to load.

    The exercise's own file (`relu_model.py`, or a notebook converted to
    `relu_model.py`) comes first; otherwise any file that failed, since
    students may put every function in one file.
    """
    broken = [load for load in loads if load.error is not None]
    for load in broken:
        if Path(load.name).stem == exercise:
            return load
    return broken[0] if broken else None


# Missing-name errors whose message already says why (a notebook cell failed, or no cell
# defines the name): a failed file load is not to blame (grader.sandbox.student).
EXPLAINED_MISSING = ("CellFailed", "NotDefined")


def load_message(load: FileLoad) -> str:
    err = load.error
    assert err is not None
    return f"{load.name} could not be loaded: {err.type}: {err.message}"


def describe_error(err: ErrorInfo, where: str, broken: FileLoad | None = None) -> tuple[str, str]:
    """(status, message) for a probe that raised or was stopped."""
    if err.killed:
        return "error", err.message
    if err.missing:
        if broken is not None:
            return "failed", f"{load_message(broken)}, so {err.missing} was not found."
        return "failed", err.message
    if err.type == "NotImplementedError":
        return "not_attempted", "Not attempted yet: the stub still raises NotImplementedError."
    if err.type in ("WrongType",):
        return "failed", err.message
    return "failed", f"`{where}` raised {err.type}: {err.message}"


def hidden_error_text(err: ErrorInfo, status: str, message: str) -> str:
    """A hidden probe's error in words that quote nothing of the hidden inputs."""
    if err.killed:
        return f"Your code was stopped ({err.killed}) on inputs you have not seen."
    if err.missing or status == "not_attempted":
        return message  # names the student's function or the stub, nothing else
    if err.type == "WrongType":
        return "On inputs you have not seen, your function returned something of the wrong type or shape."
    return f"Your code raised {err.type} on inputs you have not seen."


def judge(check: Check, student: dict[str, Observation],
          reference: dict[str, Observation] | None, loads: Sequence[FileLoad] = ()) -> CheckResult:
    """Run one check's judge on the student's observations.

    `loads` tells how loading each submitted file went, so that a function
    missing because its file did not even load is reported as such. For a
    hidden check, `message` holds only student-safe text (the named mistake and
    a hint, no inputs or values) and the full diagnosis goes to `instructor_message`.
    """
    result = _judge(check, student, reference, loads)
    if check.visibility != "hidden" or result.status == "passed":
        return result
    # The traceback may quote hidden values: instructors only.
    details = "\n".join(t for t in (result.instructor_message or result.message, result.traceback) if t)
    return replace(result, traceback="", instructor_message=details)


def _judge(check: Check, student: dict[str, Observation],
           reference: dict[str, Observation] | None, loads: Sequence[FileLoad]) -> CheckResult:
    hidden = check.visibility == "hidden"
    base: dict[str, Any] = dict(
        check_id=check.id, exercise=check.exercise, title=check.title,
        max_score=check.points, visibility=check.visibility,
        inputs=displayable({p.id: p.args for p in check.probes}),
    )
    observed = [student[p.id] for p in check.probes if p.id in student]
    base["output"] = "".join(o.output for o in observed)[-20000:]
    base["duration"] = sum(o.duration for o in observed)
    missing = [p.id for p in check.probes if p.id not in student]
    if missing:
        return CheckResult(score=0.0, status="error", hint=check.hint, tolerance=check.tolerance, **base,
                           message="This check did not run: the worker stopped before reaching it.")
    ev = Evidence(check, student, reference)
    try:
        praise = check.judge(ev)
    except Fail as fail:
        tolerance = fail.tolerance or check.tolerance
        hint = check.hint_on(fail.mistake) if fail.hint is None else fail.hint
        if fail.mistake == "missing_function":
            # A judge that diagnosed the missing function itself: still say why, when a file failed to load.
            name = next((o.error.missing for o in observed if o.error and o.error.missing
                         and o.error.type not in EXPLAINED_MISSING), None)
            broken = failed_load(loads, check.exercise)
            if name and broken is not None and broken.error is not None:
                return CheckResult(score=0.0, status="failed", mistake="file_not_loaded", hint=hint,
                                   message=f"{load_message(broken)}, so {name} was not found.",
                                   traceback=broken.error.traceback, tolerance=tolerance, **base)
        message = fail.message
        if hidden:
            message = fail.student_message or student_text(fail.mistake)
        return CheckResult(score=0.0, status="failed", message=message, mistake=fail.mistake, hint=hint,
                           expected=displayable(fail.expected), got=displayable(fail.got), tolerance=tolerance,
                           instructor_message=fail.message if hidden else "", **base)
    except NotAttempted as na:
        return CheckResult(score=0.0, status="not_attempted", message=str(na) or "Not attempted yet.",
                           hint=check.hint, tolerance=check.tolerance, **base)
    except ProbeFailed as pf:
        err = pf.observation.error
        assert err is not None
        driver = next((p.driver for p in check.probes if p.id == pf.observation.probe_id), "")
        broken = failed_load(loads, check.exercise) if err.missing and err.type not in EXPLAINED_MISSING else None
        status, message = describe_error(err, driver, broken)
        lost = broken is not None or err.type == "CellFailed"
        mistake = ("file_not_loaded" if lost else "missing_function") if err.missing else None
        trace = broken.error.traceback if broken is not None and broken.error else err.traceback
        return CheckResult(score=0.0, status=status,  # type: ignore[arg-type]
                           message=hidden_error_text(err, status, message) if hidden else message,
                           instructor_message=message if hidden else "",
                           mistake=mistake, traceback=trace, hint=check.hint_on(mistake), tolerance=check.tolerance,
                           **base)
    except GraderError:
        raise  # e.g. the reference is broken: every student would be wrong
    except Exception as exc:  # noqa: BLE001 - a judge tripping on odd data costs this check, not the class
        return CheckResult(score=0.0, status="error", hint=check.hint, tolerance=check.tolerance, **base,
                           message=GRADER_ERROR_MESSAGE,
                           grader_error=f"judging {check.id}: {type(exc).__name__}: {exc}"[:2000])
    return CheckResult(score=check.points, status="passed", message=praise or "Correct.", hint=check.hint,
                       tolerance=check.tolerance, **base)


def judge_all(checks: list[Check], student: dict[str, Observation],
              reference: dict[str, Observation] | None, loads: Sequence[FileLoad] = ()) -> list[CheckResult]:
    return [judge(c, student, reference, loads) for c in checks]
