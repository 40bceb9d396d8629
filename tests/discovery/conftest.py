"""Every fast discovery test has what it decides pinned: each submission found, each choice and its note."""

from __future__ import annotations

from pathlib import Path

from snapshot_support import snapshot_fixture

from grader.discovery.choose import Choice, default_stubs
from grader.discovery.discover import Submission
from grader.discovery.notebook import NotebookSource

snapshot = snapshot_fixture(Path(__file__).parent, (Choice, Submission, NotebookSource), caches=(default_stubs,))
