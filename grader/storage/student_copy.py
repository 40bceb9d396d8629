"""The student's copy of a result: what OUT/<id>/results.json may hold.

A student folder is handed out as it is, so everything only the instructor may see is dropped
here, once, before writing: a hidden check's inputs, expected and observed values, traceback,
the hidden worker's printed output and the instructor's diagnosis, and every grader error's
reason. The student's page and Gradescope's text read the same from either copy.
"""

from __future__ import annotations

from dataclasses import replace

from grader.model import CheckResult, StudentResult

WITHHELD = "(withheld from the student's copy)"


def _student_check(c: CheckResult) -> CheckResult:
    """A check as its student may read it: a hidden check keeps its status, points, hint and
    named mistake, and its message only where judging split off a student-safe one; never its
    inputs, expected or observed values, traceback or the hidden worker's printed output.
    A grader error's reason is the instructor's (the student is told one happened)."""
    error = WITHHELD if c.grader_error else ""
    if c.visibility != "hidden":
        return replace(c, grader_error=error, instructor_message="")
    split = bool(c.instructor_message)  # then `message` names the mistake in student-safe words
    return replace(c, message=c.message if split else "", expected=None, got=None, inputs=None, traceback="",
                   output="", tolerance=None, grader_error=error, instructor_message=WITHHELD if split else "")


def student_copy(r: StudentResult) -> StudentResult:
    """What OUT/<id>/results.json holds: the result with instructor-only detail withheld."""
    checks = {c.check_id: _student_check(c) for c in r.checks}
    exercises = tuple(replace(e, checks=tuple(checks[c.check_id] for c in e.checks)) for e in r.exercises)
    return replace(r, exercises=exercises, grader_errors=tuple(WITHHELD for _ in r.grader_errors[:1]))
