"""Shared fixtures: one runner and one set of reference observations per test session."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

# Hidden inputs come from the course seed: tests always use the development seed, whatever the
# developer's shell or a local solutions/.grader-seed says, so verdict snapshots mean one thing.
os.environ["GRADER_SECRET_SEED"] = "20170201"

import pytest
from hypothesis import settings

from grader.judging.checks import Check, load_checks
from grader.model import Observation
from grader.paths import Paths
from grader.runner.runner import Runner
from snapshot_support import _test_snapshot, collected, snapshot, write_pending

ROOT = Path(__file__).resolve().parents[1]
SUBMISSIONS = Path(__file__).resolve().parent / "submissions"

# Fuzzing explores new inputs on every developer run; under CI it replays a fixed sequence, so a
# red CI always means a change broke something, never that the fuzzer got lucky that day.
settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


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
    from grading_support import compute_reference

    return compute_reference(runner, paths.solutions, all_checks)


__all__ = ["_test_snapshot", "snapshot"]  # the fixtures of tests/snapshot_support.py, for every test


def pytest_collectreport(report: pytest.CollectReport) -> None:
    collected(x for x in report.result if isinstance(x, pytest.Item))  # even those -k/-m deselect


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Updating: write the snapshots of the tests that ran. Checking: an entry no test owns fails."""
    stale = write_pending(Path(__file__).parent)
    if stale:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.ensure_newline()
            reporter.write_sep("-", "stale snapshot entries: no test owns them (GRADER_UPDATE_SNAPSHOTS=1 drops them)",
                               red=True)
            for line in stale:
                reporter.write_line(f"  {line}")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
