"""pytest plugin (entry point `pytest11: "grader.plugin" = "grader.plugin"`): pytest runs the grader's checks.

- In a student bundle (a `grader.toml` marker at pytest's root), plain `pytest` runs the
  public checks on exercises/: one item per check (`grader.toml::relu_model::lesson_inputs`),
  passed / failed (also "not attempted": the run is red until the work is done), the check's
  feedback as the failure text, the run's notes once at the end,
  and points, score and visibility as JUnit XML properties. `-k relu_model`, `-m public` work.
- In the course repository, `pytest --grader-submission=PATH` (with `=`: pytest would
  otherwise take PATH for a test path and lose the project's settings) runs the public and hidden
  checks for one submission (folder, .zip, .py or .ipynb) against the reference
  solutions, instead of the project's tests; `-k` and `--pdb` work on judges.

Student code runs only in workers (the sandbox, or the portable runner where it
cannot start); the checks of the selected items run in one worker run, and each item
judges its observations with the same `judge` as `grader grade`, so verdicts agree.
Without the marker or the option the plugin adds nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

MARKER = "grader.toml"
OPTION = "--grader-submission"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("grader")
    group.addoption(OPTION, metavar="PATH", default=None,
                    help="run the public and hidden checks on this submission (course repository only)")


def _active(config: pytest.Config) -> str | None:
    if config.getoption(OPTION, None):
        return "course"
    if (config.rootpath / MARKER).is_file():
        return "bundle"
    return None


@pytest.hookimpl(trylast=True)
def pytest_configure(config: pytest.Config) -> None:
    if _active(config):
        markers = config.getini("markers")
        for line in ("public: a public grader check", "hidden: a hidden grader check (course repository only)"):
            if line not in markers:
                config.addinivalue_line("markers", line)


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    if _active(parent.config) == "bundle" and file_path == parent.config.rootpath / MARKER:
        from grader.plugin.items import GraderFile

        return GraderFile.from_parent(parent, path=file_path)
    return None


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    """The run's notes (which file was checked), once, one line per kind."""
    from grader.plugin.items import RUN_KEY

    run = config.stash.get(RUN_KEY, None)
    if run is None or not run.notes:
        return
    from grader.reports.notes import grouped_notes

    terminalreporter.section("grader notes")
    for note in grouped_notes(run.notes):
        terminalreporter.write_line(f"Note: {note}")


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """With --grader-submission, the project's own tests are not collected at all."""
    return True if config.getoption(OPTION, None) else None


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[Any]) -> None:
    """With --grader-submission the checks replace the project's tests (before -k/-m deselect)."""
    option = config.getoption(OPTION, None)
    if not option:
        return
    from grader.plugin.items import GraderFile, flatten

    path = Path(option).resolve()
    if not path.exists():
        raise pytest.UsageError(f"{OPTION} {option}: no such file or folder")
    items[:] = flatten(GraderFile.from_parent(session, path=path))
