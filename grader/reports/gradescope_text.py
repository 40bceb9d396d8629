"""What Gradescope shows a student from results.json: each test's `output` and the summary.

These are the words of a page, like report.html's: for a hidden check a test's `output` is
exactly `student_text(check)`, the text the HTML student view shows (status, named mistake,
hint). `grader.storage.results` keeps the file's format and takes these words as `WORDS`;
`write_result` and `dumps` here bind them, for callers that write a full results.json
(`grader grade --results`, run_autograder).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from grader.errors import GRADER_ERROR_MESSAGE
from grader.model import CheckResult, StudentResult
from grader.reports.feedback import student_text
from grader.reports.notes import grouped_notes, split_notes
from grader.safetext import truncate
from grader.storage import results as stored
from grader.storage.results import MAX_RESULTS_BYTES, Caps, value_text


def test_output(c: CheckResult, caps: Caps = Caps()) -> str:
    """The text Gradescope shows under a test. Hidden checks: exactly `student_text`."""
    if c.visibility == "hidden":
        return truncate(student_text(c), caps.text)  # a hint or message may be long too
    if c.grader_error:
        return GRADER_ERROR_MESSAGE
    parts = [truncate(c.message, caps.text)]
    if c.hint and c.status != "passed":
        parts.append(f"Hint: {truncate(c.hint, caps.text)}")
    if c.status == "failed" and (c.expected is not None or c.got is not None) and caps.value:
        parts.append(f"Expected: {value_text(c.expected, caps.value)}\nGot: {value_text(c.got, caps.value)}")
    if c.traceback:
        parts.append(truncate(c.traceback.rstrip(), caps.text, keep_end=True))
    if c.output:
        parts.append("Your code printed:\n" + truncate(c.output.rstrip(), caps.output, keep_end=True))
    return "\n\n".join(p for p in parts if p)


def summary_text(r: StudentResult, caps: Caps = Caps()) -> str:
    lines = [f"Score: {r.score:g} / {r.max_score:g}"]
    for e in r.exercises:
        lines.append(f"  {e.title}: {e.score:g} / {e.max_score:g}")
    problems, notes = split_notes(r.problems)
    if problems:
        lines.append("Problems with the submission:")
        lines.extend(f"  - {truncate(p, caps.text)}" for p in problems[:caps.problems])
    if notes:  # what the grader decided (which file it graded), apart from faults
        lines.append("Notes:")
        lines.extend(f"  - {truncate(n, caps.text)}" for n in grouped_notes(notes)[:caps.problems])
    if any(c.grader_error for c in r.checks) or r.grader_errors:
        lines.append(GRADER_ERROR_MESSAGE)
    return "\n".join(lines)


WORDS = stored.Words(test_output, summary_text)


def to_gradescope(r: StudentResult, caps: Caps = Caps()) -> dict[str, Any]:
    """A StudentResult as a Gradescope results.json document, with these words."""
    return stored.to_gradescope(r, WORDS, caps)


def dumps(r: StudentResult, max_bytes: int = MAX_RESULTS_BYTES) -> str:
    return stored.dumps(r, WORDS, max_bytes)


def write_result(r: StudentResult, path: Path | str, max_bytes: int = MAX_RESULTS_BYTES) -> None:
    """The full results.json (every detail in extra_data): for the instructor's folder or Gradescope."""
    stored.write_result(r, path, WORDS, max_bytes)
