"""A student's whole repository: what in it is the student's work, and what is not.

GitHub Classroom collects repositories, not files: the released student bundle
(grader.authoring.release) with the student's edits, plus whatever `pip install .`,
pytest or an editor left behind. Only the exercise files are the student's
(`exercises/<name>.py` or `.ipynb` for the catalogue's names); the bundle's own
`grader/` package, tests, workflow, pyproject and build leftovers are never
loaded, so they can never look like tampering with the grader.

A repository is recognised by an `exercises/` folder holding a catalogue
exercise next to one of the bundle's markers. A folder without that layout is
read as loose files, still skipping build leftovers and any copy of the grader
package, which are never anyone's answer.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable

from grader.catalog import EXERCISE_NAMES

EXERCISES_DIR = "exercises"
STUB_INDEX = f"{EXERCISES_DIR}/.released-stubs.json"  # grader.discovery.choose.STUB_INDEX, in a repository
SUFFIXES = (".py", ".ipynb")
# Any one of these beside exercises/ marks the bundle (or a repository made from it).
MARKERS = ("grader.toml", STUB_INDEX, "grader/__init__.py", "pyproject.toml",
           ".git", ".github")
# Folders tools write, never a student's answer (skipped without counting toward any limit).
TOOL_DIRS = frozenset({"build", "dist", "venv", "env", ".venv", "__pycache__", ".pytest_cache", ".tox", ".nox",
                       ".mypy_cache", ".ruff_cache", ".eggs", "site-packages", "node_modules", ".ipynb_checkpoints"})
TOOL_SUFFIXES = (".egg-info", ".dist-info")
# The bundle's own files a loose folder may still hold: test configuration, packaging.
TOOL_FILES = frozenset({"conftest.py", "setup.py", "noxfile.py"})
REPOSITORY_NOTE = ("a student repository: only its exercises/ files were graded "
                   "(the grader package, tests and build files in it are not your code)")
GRADER_PACKAGE_NOTE = "{rel}: skipped, a copy of the grader package is not your code"


def exercise_files(prefix: str = "") -> list[str]:
    """The files of a repository that may hold the student's work, in reading order."""
    return [f"{prefix}{EXERCISES_DIR}/{name}{suffix}" for name in EXERCISE_NAMES for suffix in SUFFIXES]


def is_repository(has: Callable[[str], bool], prefix: str = "") -> bool:
    """`has(rel)`: whether the path rel (a file or folder, posix) exists in the submission."""
    return any(has(rel) for rel in exercise_files(prefix)) and any(has(prefix + m) for m in MARKERS)


def repository_prefix(has: Callable[[str], bool], top_dirs: Iterable[str]) -> str | None:
    """Where the repository starts: "" (at the top), "d/" (a single folder holding it, as GitHub's
    "Download ZIP" makes), or None when the submission is not a repository."""
    if is_repository(has):
        return ""
    found = [f"{d}/" for d in sorted(top_dirs) if is_repository(has, f"{d}/")]
    return found[0] if len(found) == 1 else None


def is_tool_dir(name: str) -> bool:
    return name in TOOL_DIRS or name.endswith(TOOL_SUFFIXES)


def stub_index(data: bytes | None) -> dict[str, str]:
    """A repository's stub index, or {} when it is missing or not one (the student may have edited it:
    at worst they choose which of their own two files is graded)."""
    try:
        index = json.loads(data.decode("utf-8")) if data else None
    except (ValueError, RecursionError):
        return {}
    if not isinstance(index, dict) or not all(isinstance(v, str) for v in index.values()):
        return {}
    return {str(k): v for k, v in index.items()}
