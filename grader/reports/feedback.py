"""What a student reads about a check: the words shared by results.json `output` and the HTML
student view, so both say the same (a hidden check: status, named mistake, hint; never inputs or
expected values)."""

from __future__ import annotations

from grader.errors import GRADER_ERROR_MESSAGE
from grader.model import CheckResult

STATUS_LABELS = {"passed": "Passed", "failed": "Failed", "not_attempted": "Not attempted", "error": "Error"}
HIDDEN_FAILED_MESSAGE = "This hidden check did not pass. Its inputs are not shown; use the hint below."
HIDDEN_PASSED_MESSAGE = "Passed."
NOT_ATTEMPTED_MESSAGE = "Not attempted yet."


def hidden_message(c: CheckResult) -> str:
    """A hidden check's message for students, without status or hint: the same words in the HTML
    student view and in results.json `output`. Never its inputs, expected values or own details."""
    if c.grader_error:
        return GRADER_ERROR_MESSAGE
    if c.status == "passed":
        return HIDDEN_PASSED_MESSAGE
    if c.status == "not_attempted":
        return NOT_ATTEMPTED_MESSAGE
    lines = [HIDDEN_FAILED_MESSAGE]
    if c.instructor_message and c.message:
        # Judging split the diagnosis: `message` names the mistake in student-safe words,
        # the inputs and values went to `instructor_message`.
        lines.append(c.message)
    elif c.mistake:
        lines.append(f"Mistake: {c.mistake}")
    return "\n".join(lines)


def student_text(c: CheckResult) -> str:
    """What a student is told about a hidden check: status, `hidden_message`, hint."""
    lines = [f"{STATUS_LABELS.get(c.status, c.status)}: {hidden_message(c)}"]
    if c.status != "passed" and c.hint and not c.grader_error:
        lines.append(f"Hint: {c.hint}")
    return "\n".join(lines)
