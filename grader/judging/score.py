"""The score stage: group verdicts by exercise and total them."""

from __future__ import annotations

from collections.abc import Sequence

from grader import __version__
from grader.judging.checks.base import EXERCISES
from grader.model import CheckResult, ExerciseResult, RunOutcome, StudentResult


def score_student(student_id: str, results: Sequence[CheckResult], outcome: RunOutcome | None = None,
                  sources: dict[str, tuple[str, str]] | None = None) -> StudentResult:
    """Total the checks. `sources` maps exercise -> (file name, code) for the report."""
    exercises = []
    sources = sources or {}
    for ex in EXERCISES:
        mine = tuple(r for r in results if r.exercise == ex.name)
        if not mine:
            continue
        name, code = sources.get(ex.name, ("", ""))
        exercises.append(ExerciseResult(
            name=ex.name, title=ex.title,
            score=round(sum(r.score for r in mine), 4),
            max_score=round(sum(r.max_score for r in mine), 4),
            checks=mine, source=code, source_name=name,
        ))
    return StudentResult(
        student_id=student_id,
        score=round(sum(e.score for e in exercises), 4),
        max_score=round(sum(e.max_score for e in exercises), 4),
        exercises=tuple(exercises),
        problems=outcome.problems if outcome else (),
        output=outcome.output if outcome else "",
        execution_time=round(outcome.duration, 3) if outcome else 0.0,
        grader_version=__version__,
    )
