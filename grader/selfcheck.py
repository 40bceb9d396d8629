"""The student's self-check as a library: which files to check, running the public checks on
them, and the terminal and HTML summaries. `grader check`, `grader check --watch`, the pytest
plugin and `grader.check()` in a notebook all use it, so they give the same verdicts.
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

from grader.discovery.discover import Submission, read_own
from grader.errors import UsageError
from grader.judging.checks import load_checks
from grader.model import CheckResult, StudentResult
from grader.paths import Paths
from grader.runner.runner import Limits

REPORT_NAME = "self-check.html"
SELF_CHECK_ID = "self-check"   # the student id a self-check result carries
PRINTED_LINES = 20  # of what the student's code printed, per check
MARKS = {"passed": "PASS", "failed": "FAIL", "not_attempted": "TODO", "error": "ERROR"}


def student_files(folder: Path, prefer_notebooks: bool = False) -> Submission:
    """The student's files in `folder` (their exercises/), read by grader.discovery as any graded
    submission is: for each stem, `<stem>.py` or `<stem>.ipynb`, whichever differs from the
    released stub, both when both changed. Timestamps are not used: Jupyter's autosave touches
    notebooks the student never edited. `prefer_notebooks` is accepted for old instructions
    (`--notebooks`) and changes nothing.
    """
    del prefer_notebooks
    return read_own(folder, SELF_CHECK_ID)


def said_notes(sub: Submission) -> list[str]:
    """What the student is told about reading their files: what stopped a file from being read
    (a self-check judges no `problems`), then the notes of the files checked."""
    return [*sub.problems, *sub.grader_errors, *sub.notes]


def _indent(text: str, prefix: str = "        ") -> str:
    lines = []
    for para in text.strip().splitlines() or [""]:
        lines.extend(textwrap.wrap(para, 100 - len(prefix)) or [""])
    return "\n".join(prefix + line for line in lines)


def format_check(c: CheckResult) -> str:
    out = [f"  {MARKS.get(c.status, c.status.upper()):<5} {c.score:g}/{c.max_score:g}  {c.title}"]
    if c.status != "passed" or c.message not in ("", "Correct."):
        out.append(_indent(c.message))
    if c.status in ("failed", "error") and c.hint:
        out.append(_indent(f"Hint: {c.hint}"))
    if c.traceback and c.status in ("failed", "error"):
        out.append(_indent(c.traceback.rstrip()))
    if c.output.strip():
        printed = c.output.rstrip().splitlines()
        if len(printed) > PRINTED_LINES:
            printed = printed[:PRINTED_LINES] + [f"[... {len(printed) - PRINTED_LINES} more lines]"]
        out.append(_indent("Your code printed:") + "\n" + "\n".join("          " + line[:200] for line in printed))
    return "\n".join(out)


def summary(result: StudentResult) -> str:
    lines: list[str] = []
    for ex in result.exercises:
        lines.append(f"{ex.name} - {ex.title}: {ex.score:g}/{ex.max_score:g}")
        lines.extend(format_check(c) for c in ex.checks)
        lines.append("")
    passed = sum(c.status == "passed" for c in result.checks)
    lines.append(f"Public checks: {passed} of {len(result.checks)} passed, "
                 f"{result.score:g}/{result.max_score:g} points.")
    lines.append("Hidden checks with other inputs add the remaining points when your work is graded.")
    lines.extend(p if p.startswith("Note: ") else f"Problem: {p}" for p in result.problems)
    return "\n".join(lines)


def write_report(result: StudentResult, path: Path) -> bool:
    try:
        from grader.reports.render import write_student_report
    except ImportError:  # a build without the HTML renderer
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    write_student_report(result, path, view="student")
    return True


def check_with(runner: Any, paths: Paths, exercises: tuple[str, ...] | None,
               prefer_notebooks: bool = False) -> tuple[StudentResult, list[str]]:
    """One self-check of exercises/ with a started runner (the watch loop keeps one warm)."""
    from grader.grading import grade_one
    from grader.reference import NO_REFERENCE

    if not paths.exercises.is_dir():
        raise UsageError(f"no exercises/ folder in {paths.root}: run this inside the course folder "
                         "(or set GRADER_ROOT)")
    checks = load_checks(exercises, include_hidden=False)
    sub = student_files(paths.exercises, prefer_notebooks)
    # Public checks carry their own expected values: no reference is run.
    result = grade_one(runner, sub, checks, NO_REFERENCE, self_check=True)
    return result, said_notes(sub)


def self_check(paths: Paths, exercises: tuple[str, ...] | None, prefer_notebooks: bool = False,
               load_timeout: float = Limits.load_timeout) -> tuple[StudentResult, list[str]]:
    from grader.runner.choice import make_runner

    if not paths.exercises.is_dir():
        raise UsageError(f"no exercises/ folder in {paths.root}: run this inside the course folder "
                         "(or set GRADER_ROOT)")
    with make_runner(Limits(load_timeout=load_timeout), None) as runner:
        return check_with(runner, paths, exercises, prefer_notebooks)
