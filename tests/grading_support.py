"""Test shortcuts over the one grading service (grader.grading) and the one ReferenceProvider.

Tests that judge a file set, or need the reference observations, go through the same path as
every command does, so there is no second way to grade that only tests exercise.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from grader.discovery.discover import Submission
from grader.grading import OneRunner, grade_one
from grader.judging.checks import Check
from grader.model import Observation, StudentResult
from grader.reference import NO_REFERENCE, ReferenceProvider


def compute_reference(runner: OneRunner, solutions: Path, checks: Sequence[Check]) -> dict[str, Observation]:
    """The reference solutions in `solutions` run through these checks' probes (never cached)."""
    observations = ReferenceProvider(solutions=solutions).obtain(runner, checks)
    assert observations is not None  # solutions given: a reference is always wanted
    return observations


def grade_files(runner: OneRunner, student_id: str, files: dict[str, str], checks: Sequence[Check],
                reference: dict[str, Observation] | None) -> StudentResult:
    """Run and judge one file set as the self-check does: no problems or notes listed, no digest."""
    provider = NO_REFERENCE if reference is None else ReferenceProvider(given=reference)
    return grade_one(runner, Submission(student_id, student_id, dict(files)), checks, provider, self_check=True)
