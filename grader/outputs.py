"""Writing a graded class into OUT: one student's files, and the class files.

`grader grade`, `grader merge` and `grader rejudge` all write through here, so a class looks
the same whichever command wrote it (layout: grader.storage.layout). A student's folder gets
only what the student may be given; the full results go to the instructor's folder.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grader.discovery.discover import Submission
from grader.errors import grader_error_text
from grader.model import StudentResult
from grader.reports import render
from grader.reports.gradescope_text import WORDS
from grader.storage import results as stored
from grader.storage.classfiles import write_class_files
from grader.storage.student_copy import student_copy
from grader.storage.layout import REPORT_NAME, RESULTS_NAME, full_results_path, student_dir

DASHBOARD_HREF = f"../{render.DASHBOARD_NAME}"  # from OUT/<id>/report.html


def write_student(out: Path, safe: str, result: StudentResult) -> None:
    """report.html and the student's copy of results.json, then the full copy: a valid full
    results.json (OUT/_instructor/<id>/) marks a finished student."""
    folder = student_dir(out, safe)
    folder.mkdir(parents=True, exist_ok=True)
    render.write_student_report(result, folder / REPORT_NAME, view="student", dashboard_href=DASHBOARD_HREF)
    stored.write_result(student_copy(result), folder / RESULTS_NAME, WORDS)
    stored.write_result(result, full_results_path(out, safe), WORDS)


def write_full_result(out: Path, safe: str, result: StudentResult) -> None:
    """Only the results, both copies (when the report could not be written)."""
    stored.write_result(student_copy(result), student_dir(out, safe) / RESULTS_NAME, WORDS)
    stored.write_result(result, full_results_path(out, safe), WORDS)


def finished(out: Path, sub: Submission, check_ids: set[str] | None = None,
             checks_digest: str = "") -> StudentResult | None:
    """The student's valid full results.json from an earlier run, if any.

    A result graded with a different set of checks (the catalogue changed
    since), from other files (the student resubmitted), or with grader errors
    does not count: the student is graded again. So does a student whose
    folder lacks either copy, or holds a damaged one.
    """
    path = full_results_path(out, sub.safe_id)
    if not path.is_file():
        return None
    try:
        result = stored.load_result(path)
        # The student's copy is what is handed out: a damaged or missing one is written again.
        stored.load_result(student_dir(out, sub.safe_id) / RESULTS_NAME)
    except stored.ResultsFileError:
        return None
    if result.student_id != sub.student_id or result.submission_digest != sub.digest:
        return None
    if check_ids is not None and {c.check_id for c in result.checks} != check_ids:
        return None
    if checks_digest and result.checks_digest and result.checks_digest != checks_digest:
        return None  # same ids, but points, probes or (hidden) inputs changed
    if result.grader_errors or any(c.grader_error for c in result.checks):
        return None
    return result


@dataclass(frozen=True)
class ClassOutputs:
    summary: dict[str, Any]   # what summary.json says (before the pages add their analysis)
    page_error: str = ""      # why the dashboard pages could not be written (only when not `strict`)


def write_class_outputs(out: Path, results: dict[str, StudentResult], meta: dict[str, Any] | None = None,
                        load_errors: dict[str, str] | None = None, *, strict: bool = True) -> ClassOutputs:
    """The class files of OUT from these results: grades.csv and summary.json, then
    misconceptions.csv, summary.json's analysis, class.html and index.html.

    With `strict` off, a failure to write the pages is returned instead of raised: the grades
    stand, and `grader report` can rebuild the pages.
    """
    summary = write_class_files(out, results, meta, load_errors)
    try:
        render.write_dashboard(out, results=sorted(results.items()))
    except Exception as exc:  # noqa: BLE001 - reported to the caller, or raised with `strict`
        if strict:
            raise
        return ClassOutputs(summary, grader_error_text("writing the dashboard", exc))
    return ClassOutputs(summary)
