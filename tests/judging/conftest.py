"""Every fast judging test has its verdicts pinned: each Fail a judge raises, each CheckResult built,
and each complaint about the reference solutions."""

from __future__ import annotations

from pathlib import Path

from snapshot_support import snapshot_fixture

from grader.errors import ReferenceSolutionError
from grader.judging.checks.base import Fail
from grader.model import CheckResult

snapshot = snapshot_fixture(Path(__file__).parent, (Fail, CheckResult, ReferenceSolutionError))

