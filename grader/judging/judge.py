"""The check stage: turn observations into verdicts, in the trusted process."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from grader.errors import GRADER_ERROR_MESSAGE, GraderError
from grader.judging.checks.base import Check, Evidence, Fail, NotAttempted, ProbeFailed
from grader.judging.mistakes import student_text
from grader.judging.raised import NUMPY_ON_TENSOR_HINT, numpy_on_tensor, numpy_on_tensor_message, stub_unchanged
from grader.model import CheckResult, ErrorInfo, FileLoad, Observation

DISPLAY_LIMIT = 400  # array elements kept for the expected-vs-got table
ROW_LIMIT = 10       # rows of it: enough to see the mistake (dropout repeats a 3-row input 40 times)


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


def first_rows(value: Any) -> Any:
    """An array cut to its first ROW_LIMIT rows, for the table a student reads (the message says what
    the rows show; more of the same rows only bury it)."""
    if isinstance(value, np.ndarray) and value.ndim >= 1 and value.shape[0] > ROW_LIMIT:
        return value[:ROW_LIMIT]
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


# The student's function each driver calls: what an error message names when the traceback names none.
DRIVER_FUNCTIONS = {
    "relu_model": "relu_model", "dropout_model": "dropout_model", "l2_regularized_loss": "l2_regularized_loss",
    "count_parameters": "count_parameters", "count_variables": "count_variables",
    "named_variables": "make_variables", "mlp_mnist.parameters": "make_parameters",
    "mlp_mnist.forward": "multilayer_perceptron", "mlp_mnist.train": "train_mnist",
    "save_restore": "train_and_save", "verify_checkpoint": "train_and_save",
    "quiz_output": "your quiz script", "quiz_rerun": "your quiz script", "top_level_values": "your quiz script",
    "quiz_answer": "quiz.py",
}
_FIRST_FRAME = re.compile(r'^  File "[^"]*", .*, in (?P<fn>[A-Za-z_][A-Za-z_0-9]*)$', re.MULTILINE)
# Folders only the worker has (its scratch folder, where checkpoints are written): never shown.
_WORKER_PATH = re.compile(r"(?:/private)?/(?:tmp|var/folders)/[^\s'\"`,;:()]*?([^/\s'\"`,;:()]+)(?=[\s'\"`,;:()]|$)")


def scrub_paths(text: str) -> str:
    """`text` with the worker's scratch paths cut to their file name (/tmp/public/model.ckpt -> model.ckpt)."""
    return _WORKER_PATH.sub(lambda m: m.group(1), text) if text else text


def student_function(err: ErrorInfo, driver: str, args: dict[str, Any] | None = None) -> str:
    """The student's function an error came from: the outermost frame of the student's traceback,
    else the function the driver calls."""
    m = _FIRST_FRAME.search(err.traceback or "")
    if m and m.group("fn") != "<module>":
        return m.group("fn")
    if driver == "call" and args and isinstance(args.get("function"), str):
        return str(args["function"])
    return DRIVER_FUNCTIONS.get(driver, "your code")


def describe_error(err: ErrorInfo, where: str, broken: FileLoad | None = None) -> tuple[str, str, str | None]:
    """(status, message, mistake) for a probe that raised or was stopped; `where` names the student's function."""
    if err.killed:
        return "error", err.message, None
    if err.missing:
        if broken is not None:
            return "failed", f"{load_message(broken)}, so {err.missing} was not found.", "file_not_loaded"
        return "failed", err.message, "missing_function"
    if stub_unchanged(err.type, err.message, err.traceback):
        return "not_attempted", f"Not attempted yet: `{where}` still raises the stub's NotImplementedError.", None
    if numpy_on_tensor(err.type, err.message):
        return "failed", numpy_on_tensor_message(where), "numpy_on_tensor"
    if err.type in ("WrongType",):
        return "failed", scrub_paths(err.message), None
    return "failed", f"`{where}` raised {err.type}: {scrub_paths(err.message)}", None


def hidden_error_text(err: ErrorInfo, status: str, message: str) -> str:
    """A hidden probe's error in words that quote nothing of the hidden inputs."""
    if err.killed:
        return f"Your code was stopped ({err.killed}) on inputs you have not seen."
    if err.missing or status == "not_attempted" or numpy_on_tensor(err.type, err.message):
        return message  # names the student's function, the stub or the mistake, nothing else
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
        message = scrub_paths(fail.message)
        if hidden:
            message = fail.student_message or student_text(fail.mistake)
        # A value with nothing to compare it to is shown by the message itself (no "Expected: null").
        got = fail.got if fail.expected is not None else None
        return CheckResult(score=0.0, status="failed", message=message, mistake=fail.mistake, hint=hint,
                           expected=displayable(first_rows(fail.expected)), got=displayable(first_rows(got)),
                           tolerance=tolerance,
                           instructor_message=scrub_paths(fail.message) if hidden else "", **base)
    except NotAttempted as na:
        return CheckResult(score=0.0, status="not_attempted", message=str(na) or "Not attempted yet.",
                           hint=check.hint, tolerance=check.tolerance, **base)
    except ProbeFailed as pf:
        err = pf.observation.error
        assert err is not None
        failing = next((p for p in check.probes if p.id == pf.observation.probe_id), None)
        where = student_function(err, failing.driver if failing else "", failing.args if failing else None)
        broken = failed_load(loads, check.exercise) if err.missing and err.type not in EXPLAINED_MISSING else None
        status, message, mistake = describe_error(err, where, broken)
        if err.missing and err.type == "CellFailed":
            mistake = "file_not_loaded"  # the cell defining it raised: a load problem, not a missing function
        trace = broken.error.traceback if broken is not None and broken.error else err.traceback
        hint = NUMPY_ON_TENSOR_HINT if mistake == "numpy_on_tensor" else check.hint_on(mistake)
        return CheckResult(score=0.0, status=status,  # type: ignore[arg-type]
                           message=hidden_error_text(err, status, message) if hidden else message,
                           instructor_message=message if hidden else "",
                           mistake=mistake, traceback=scrub_paths(trace), hint=hint, tolerance=check.tolerance,
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
