"""Shared fixtures: one runner and one set of reference observations per test session."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from grader.judging.checks import Check, load_checks
from grader.model import Observation
from grader.paths import Paths
from grader.runner.runner import Runner

ROOT = Path(__file__).resolve().parents[1]
SUBMISSIONS = Path(__file__).resolve().parent / "submissions"


@pytest.fixture(scope="session")
def paths() -> Paths:
    return Paths(ROOT)


@pytest.fixture(scope="session")
def all_checks() -> list[Check]:
    return load_checks()


@pytest.fixture(scope="session")
def runner() -> Iterator[Runner]:
    with Runner() as r:
        yield r


@pytest.fixture(scope="session")
def reference(runner: Runner, paths: Paths, all_checks: list[Check]) -> dict[str, Observation]:
    from grader.pipeline import compute_reference

    return compute_reference(runner, paths.solutions, all_checks)
