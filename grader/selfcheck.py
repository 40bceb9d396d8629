"""The student's self-check as a library: which files to check, running the public checks on
them, and the terminal and HTML summaries. `grader check`, `grader check --watch`, the pytest
plugin and `grader.check()` in a notebook all use it, so they give the same verdicts.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grader.discovery.choose import Candidate, choose, decode_source, load_stubs
from grader.errors import SubmissionError, UsageError
from grader.judging.checks import load_checks
from grader.model import CheckResult, StudentResult
from grader.paths import Paths
from grader.runner.runner import Limits

REPORT_NAME = "self-check.html"
SELF_CHECK_ID = "self-check"   # the student id a self-check result carries
PRINTED_LINES = 20  # of what the student's code printed, per check
MARKS = {"passed": "PASS", "failed": "FAIL", "not_attempted": "TODO", "error": "ERROR"}


@dataclass(frozen=True)
class StudentFiles:
    files: dict[str, str]                 # graded name (`<stem>.py`) -> Python source
    notes: list[str]
    origins: dict[str, str]               # graded name -> the file in exercises/ it came from
    alternates: dict[str, Candidate]      # graded name -> the other changed file, graded too


def _read(path: Path, notes: list[str]) -> str | None:
    if path.suffix == ".ipynb":
        from grader.discovery.notebook import notebook_to_source

        try:
            converted = notebook_to_source(path.read_bytes(), path.name)
        except SubmissionError as exc:
            notes.append(f"{path.name} could not be read: {exc}")
            return None
        notes.extend(f"{path.name}: {n}" for n in converted.notes)
        return converted.source
    text = decode_source(path.read_bytes())
    if text is None:
        notes.append(f"{path.name} could not be read: it is not UTF-8 and declares no other encoding")
    return text


def _readable(file: str, candidates: list[Candidate]) -> bool:
    """Whether `file` was read at all (a file that could not be read keeps its note: that is news)."""
    return any(c.submitted == file for c in candidates)


def student_files(folder: Path, prefer_notebooks: bool = False) -> StudentFiles:
    """The student's files: for each stem, `<stem>.py` or `<stem>.ipynb`, whichever was changed.

    The rule is grader.discovery.choose's (the same as for graded submissions):
    the file that differs from the released stub; both when both changed.
    `prefer_notebooks` is accepted for old instructions (`--notebooks`) and
    changes nothing. Timestamps are not used: Jupyter's autosave touches
    notebooks the student never edited.
    """
    del prefer_notebooks
    stubs = load_stubs(folder, edited_here=True)
    out = StudentFiles({}, [], {}, {})
    stems = sorted({p.stem for p in folder.glob("*.py")} | {p.stem for p in folder.glob("*.ipynb")})
    for stem in stems:
        candidates = []
        own_notes: dict[str, list[str]] = {}  # a file's own notes, said only when that file is checked
        for path in (folder / f"{stem}.py", folder / f"{stem}.ipynb"):
            own_notes[path.name] = []
            text = _read(path, own_notes[path.name]) if path.is_file() else None
            if text is not None:
                candidates.append(Candidate(path.name, text))
        if not candidates:
            out.notes.extend(n for ns in own_notes.values() for n in ns)
            continue
        name = f"{stem}.py"
        chosen = choose(name, candidates, stubs)
        used = {chosen.graded.submitted} | ({chosen.alternate.submitted} if chosen.alternate else set())
        out.notes.extend(n for file, ns in own_notes.items() if file in used or not _readable(file, candidates)
                         for n in ns)
        if len(candidates) > 1:
            out.notes.append(chosen.note)
        out.files[name] = chosen.graded.code
        out.origins[name] = chosen.graded.submitted
        if chosen.alternate is not None:
            out.alternates[name] = chosen.alternate
    return out


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
    from grader.discovery.discover import Submission
    from grader.grading import grade_one
    from grader.reference import NO_REFERENCE

    if not paths.exercises.is_dir():
        raise UsageError(f"no exercises/ folder in {paths.root}: run this inside the course folder "
                         "(or set GRADER_ROOT)")
    checks = load_checks(exercises, include_hidden=False)
    chosen = student_files(paths.exercises, prefer_notebooks)
    # Public checks carry their own expected values: no reference is run.
    sub = Submission(SELF_CHECK_ID, SELF_CHECK_ID, chosen.files, alternates=chosen.alternates, origins=chosen.origins)
    result = grade_one(runner, sub, checks, NO_REFERENCE, self_check=True)
    return result, chosen.notes


def self_check(paths: Paths, exercises: tuple[str, ...] | None, prefer_notebooks: bool = False,
               load_timeout: float = Limits.load_timeout) -> tuple[StudentResult, list[str]]:
    from grader.runner.choice import make_runner

    if not paths.exercises.is_dir():
        raise UsageError(f"no exercises/ folder in {paths.root}: run this inside the course folder "
                         "(or set GRADER_ROOT)")
    with make_runner(Limits(load_timeout=load_timeout), None) as runner:
        return check_with(runner, paths, exercises, prefer_notebooks)
