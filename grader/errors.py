"""Our own exception types, and the one table of exit codes. Only the CLI turns errors into codes.

Every error class names its `ExitCode`; `EXIT_CODES` says what each code means, and the
README's exit-code table is tested against it (tests/test_exit_codes.py), so a code means
one thing everywhere: a script can tell "the shards disagree" from "the sandbox failed".
"""

from __future__ import annotations

import enum
import traceback
from pathlib import Path


class ExitCode(enum.IntEnum):
    """What `grader ...` returns. One code, one meaning; never reuse a code for another cause."""

    OK = 0
    CHECKS_FAILED = 1
    USAGE = 2
    SANDBOX = 3
    REFERENCE = 4
    GRADED_WITH_ERRORS = 5
    OUT_OF_DATE = 6
    BAD_SOLUTIONS = 7
    NO_COURSE_SEED = 8
    STALE_REFERENCE = 9
    SHARDS_DISAGREE = 10
    REJUDGE_REFUSED = 11
    UNREADABLE_OUTPUT = 12
    RELEASE_REFUSED = 13
    ISOLATION_REFUSED = 14
    INTERRUPTED = 130
    BROKEN_PIPE = 141


# What each code means, as the README's table says it (word for word: a test compares them).
EXIT_CODES: dict[ExitCode, str] = {
    ExitCode.OK: "done (a batch is \"done\" whatever the students scored)",
    ExitCode.CHECKS_FAILED: "`grader check` found failing checks",
    ExitCode.USAGE: "usage error (bad option, missing folder, OUT overlapping the submissions)",
    ExitCode.SANDBOX: "the sandbox failed (the zygote did not start or died)",
    ExitCode.REFERENCE: "the reference solutions failed (or need more memory than `--memory` allows: "
                        "the message says so and names the flag)",
    ExitCode.GRADED_WITH_ERRORS:
        "the class was graded, but the grader itself failed on some students' checks: those checks have "
        "status `error`, the student reads \"The grader could not grade this part; your instructor can see "
        "why.\", summary.json and the dashboard list them; run the same command again to retry exactly "
        "those students",
    ExitCode.OUT_OF_DATE: "`grader assign --check` found exercises/ out of date with solutions/",
    ExitCode.BAD_SOLUTIONS: "solutions/ cannot be turned into stubs or the example class (unbalanced "
                            "`SOLUTION` markers, an example edit that no longer applies)",
    ExitCode.NO_COURSE_SEED: "refused to grade real submissions without the course seed: set "
                             "`GRADER_SECRET_SEED` or create `solutions/.grader-seed` (`grader assign`), "
                             "or pass `--dev-seed` to use the public development seed",
    ExitCode.STALE_REFERENCE: "the shipped reference observations belong to other checks, another seed or "
                              "other solutions: rebuild with `grader gradescope`",
    ExitCode.SHARDS_DISAGREE: "`grader merge` refused shards that disagree (checks, versions, secret seed, "
                              "overlapping students) or hold unreadable results",
    ExitCode.REJUDGE_REFUSED: "`grader rejudge` refused: a check's probes changed or the observations it "
                              "needs were not kept; regrade with `grader grade ... --force`",
    ExitCode.UNREADABLE_OUTPUT: "a results.json or observations.json in OUT is missing, damaged or not "
                                "written by this grader",
    ExitCode.RELEASE_REFUSED: "`grader release` refused: the bundle would leak solutions, hidden checks or "
                              "the seed, or cannot be built",
    ExitCode.ISOLATION_REFUSED: "refused to run untrusted student code below the isolation level the command "
                                "needs (nothing ran): the message says what is missing and how to get it, or "
                                "pass `--allow-weak-isolation` for code you trust",
    ExitCode.INTERRUPTED: "interrupted (Ctrl-C); everything finished so far is kept",
    ExitCode.BROKEN_PIPE: "the output pipe closed (`grader list | head`), quietly",
}


class GraderError(Exception):
    """Base of every error the grader raises on purpose."""

    exit_code = ExitCode.USAGE


class UsageError(GraderError):
    """The command was called wrongly (unknown exercise, bad option value)."""

    exit_code = ExitCode.USAGE


class SubmissionError(GraderError):
    """A submission cannot be read (bad archive, malformed notebook, empty).

    This is the student's problem, never the batch's: the grader records it in
    that student's report and goes on.
    """


class SandboxError(GraderError):
    """The sandbox itself failed (the zygote died, a limit could not be set)."""

    exit_code = ExitCode.SANDBOX


class IsolationRefused(SandboxError):
    """Untrusted code would run with less isolation than the command needs: nothing was run."""

    exit_code = ExitCode.ISOLATION_REFUSED


class ReferenceSolutionError(GraderError):
    """The reference solutions did not produce what the checks need."""

    exit_code = ExitCode.REFERENCE


class OutOfDateError(GraderError):
    """`grader assign --check` found exercises/ older than solutions/."""

    exit_code = ExitCode.OUT_OF_DATE


class NoCourseSeed(GraderError):
    """Real submissions would be graded on hidden inputs anyone can compute from the public source."""

    exit_code = ExitCode.NO_COURSE_SEED


class GradedWithErrors(GraderError):
    """The batch finished, but the grader itself failed on some students' checks.

    Those checks have status `error`, summary.json lists them under
    `grader_errors`, and a rerun retries exactly those students.
    """

    exit_code = ExitCode.GRADED_WITH_ERRORS


# What a student is told where the grader itself failed; the instructor sees why.
GRADER_ERROR_MESSAGE = "The grader could not grade this part; your instructor can see why."


def grader_error_text(stage: str, exc: BaseException, limit: int = 4000) -> str:
    """An instructor's line for a failure of the grader itself: stage, exception, where it happened."""
    frames = traceback.extract_tb(exc.__traceback__)[-3:]
    where = "; ".join(f"{Path(f.filename).name}:{f.lineno} in {f.name}" for f in frames)
    text = f"{stage}: {type(exc).__name__}: {str(exc)[:1000]}" + (f" (at {where})" if where else "")
    return text[:limit]

