"""Plain, frozen result types shared by every stage.

Every field is JSON-friendly (str, numbers, None, tuples/lists/dicts of those),
so results can be written to `results.json` and rebuilt without grading again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Visibility = Literal["public", "hidden"]
Status = Literal["passed", "failed", "not_attempted", "error"]


@dataclass(frozen=True)
class Probe:
    """One thing to run inside a worker: a named driver applied to plain inputs.

    Probes carry inputs only. Expected values never travel with them, so a
    worker never holds anything worth stealing beyond the inputs themselves.
    """

    id: str
    driver: str
    args: dict[str, Any] = field(default_factory=dict)
    timeout: float = 30.0
    # The exercise whose file is searched first for the student's functions.
    exercise: str | None = None
    # Probes of one group share one worker; every other group gets a fresh worker
    # forked from the zygote. Observations that must be independent (hidden inputs,
    # a second training run, verifying an artifact) go in their own group.
    group: str = "main"
    # Evidence checked where student code never ran: when set, this probe runs in a fresh
    # worker with none of the student's files loaded, after the probe it names, and its
    # driver receives that probe's observed value as the `artifact` argument.
    needs: str | None = None


@dataclass(frozen=True)
class ErrorInfo:
    """An exception raised by student code, as text."""

    type: str
    message: str
    traceback: str = ""
    # Set when the student did not define the function a driver looked for.
    missing: str | None = None
    # Set by the sandbox when it stopped the worker ("timeout", "memory", "crash").
    killed: str | None = None


@dataclass(frozen=True)
class Observation:
    """What one probe saw, decoded and type-checked in the trusted process."""

    probe_id: str
    value: Any = None
    error: ErrorInfo | None = None
    output: str = ""
    duration: float = 0.0

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass(frozen=True)
class FileLoad:
    """How loading (executing) one submitted file went."""

    name: str
    error: ErrorInfo | None = None
    output: str = ""


@dataclass(frozen=True)
class RunOutcome:
    """Everything a worker run produced for one submission."""

    observations: dict[str, Observation]
    loads: tuple[FileLoad, ...] = ()
    # Submission-level problems: unreadable archive, worker crash, timeout.
    problems: tuple[str, ...] = ()
    output: str = ""
    duration: float = 0.0
    # Instructor only: problems, failed loads and printed output of every probe group
    # other than "main" (hidden inputs, artifact checks), each line led by "[group] ".
    # loads/problems/output above come from the "main" worker alone. Kept in
    # OUT/_instructor/<id>/observations.json (grader.storage.observations), never in
    # anything a student is given.
    instructor_notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class CheckResult:
    check_id: str
    exercise: str
    title: str
    score: float
    max_score: float
    status: Status
    message: str
    visibility: Visibility
    hint: str = ""
    mistake: str | None = None
    # For numeric checks: what the reference gave and what the student gave.
    # Hidden checks keep them for the instructor view only.
    expected: Any = None
    got: Any = None
    inputs: Any = None
    traceback: str = ""
    output: str = ""
    duration: float = 0.0
    # (rtol, atol) the judge compared with, so reports mark differing cells the same way.
    tolerance: tuple[float, float] | None = None
    # Set when the grader itself failed on this check (instructor only; the student sees `message`).
    grader_error: str = ""
    # The full diagnosis for instructors. For hidden checks `message` is student-safe (names the
    # mistake, never inputs or expected values) and the details, traceback included, live here only.
    instructor_message: str = ""


@dataclass(frozen=True)
class ExerciseResult:
    name: str
    title: str
    score: float
    max_score: float
    checks: tuple[CheckResult, ...]
    # The student's source for this exercise, for the report.
    source: str = ""
    source_name: str = ""


@dataclass(frozen=True)
class StudentResult:
    student_id: str
    score: float
    max_score: float
    exercises: tuple[ExerciseResult, ...]
    problems: tuple[str, ...] = ()
    output: str = ""
    execution_time: float = 0.0
    grader_version: str = ""
    # Digest of the submitted files: a rerun regrades a student whose files changed.
    submission_digest: str = ""
    # Stages where the grader itself failed on this student (instructor only); a rerun retries them.
    grader_errors: tuple[str, ...] = ()
    # Digest of the checks graded (ids, points, probes and inputs): a rerun regrades when it changes.
    checks_digest: str = ""
    # The isolation level the student's code ran at (grader.runner.isolation), "" where none ran.
    isolation: str = ""
    # The LMS's name for the student (Canvas, Moodle; grader.discovery.layouts), shown beside the id.
    display_name: str = ""

    @property
    def checks(self) -> tuple[CheckResult, ...]:
        return tuple(c for e in self.exercises for c in e.checks)
