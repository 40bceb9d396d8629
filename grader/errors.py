"""Our own exception types. Only the CLI turns them into exit codes."""

from __future__ import annotations

import traceback
from pathlib import Path


class GraderError(Exception):
    """Base of every error the grader raises on purpose."""

    exit_code = 2


class UsageError(GraderError):
    """The command was called wrongly (unknown exercise, bad option value)."""

    exit_code = 2


class SubmissionError(GraderError):
    """A submission cannot be read (bad archive, malformed notebook, empty).

    This is the student's problem, never the batch's: the grader records it in
    that student's report and goes on.
    """


class SandboxError(GraderError):
    """The sandbox itself failed (the zygote died, a limit could not be set)."""

    exit_code = 3


class IsolationRefused(SandboxError):
    """Untrusted code would run with less isolation than the command needs: nothing was run."""

    exit_code = 6


class ReferenceError_(GraderError):
    """The reference solutions did not produce what the checks need."""

    exit_code = 4


class OutOfDateError(GraderError):
    """`grader assign --check` found exercises/ older than solutions/."""

    exit_code = 1


class GradedWithErrors(GraderError):
    """The batch finished, but the grader itself failed on some students' checks.

    Those checks have status `error`, summary.json lists them under
    `grader_errors`, and a rerun retries exactly those students.
    """

    exit_code = 5


# What a student is told where the grader itself failed; the instructor sees why.
GRADER_ERROR_MESSAGE = "The grader could not grade this part; your instructor can see why."


def grader_error_text(stage: str, exc: BaseException, limit: int = 4000) -> str:
    """An instructor's line for a failure of the grader itself: stage, exception, where it happened."""
    frames = traceback.extract_tb(exc.__traceback__)[-3:]
    where = "; ".join(f"{Path(f.filename).name}:{f.lineno} in {f.name}" for f in frames)
    text = f"{stage}: {type(exc).__name__}: {str(exc)[:1000]}" + (f" (at {where})" if where else "")
    return text[:limit]

