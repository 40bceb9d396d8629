"""Our own exception types. Only the CLI turns them into exit codes."""


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


class ReferenceError_(GraderError):
    """The reference solutions did not produce what the checks need."""

    exit_code = 4


class OutOfDateError(GraderError):
    """`grader assign --check` found exercises/ older than solutions/."""

    exit_code = 1
