"""The one object that knows where things live."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


def _is_course(folder: Path) -> bool:
    return (folder / "exercises").is_dir() and (folder / "pyproject.toml").is_file()


def _find_root(start: Path) -> Path:
    """The course folder: the nearest one above `start`, else the one this package
    was installed from in development mode, else `start` itself."""
    for folder in (start, *start.parents):
        if _is_course(folder):
            return folder
    if _is_course(PACKAGE_DIR.parent):
        return PACKAGE_DIR.parent
    return start


@dataclass(frozen=True)
class Paths:
    """Where the course lives: exercises, solutions, reports, and package data.

    `root` is the course folder (the repository, or an unpacked student bundle,
    which has no `solutions/`).
    """

    root: Path

    @classmethod
    def discover(cls, start: Path | None = None) -> "Paths":
        env = os.environ.get("GRADER_ROOT")
        if env:
            return cls(Path(env).resolve())
        return cls(_find_root((start or Path.cwd()).resolve()))

    @property
    def exercises(self) -> Path:
        return self.root / "exercises"

    @property
    def solutions(self) -> Path:
        return self.root / "solutions"

    @property
    def reports(self) -> Path:
        return self.root / "reports"

    @property
    def examples(self) -> Path:
        """The built-in example class: one entry per synthetic student."""
        return self.root / "examples" / "class"

    @property
    def package(self) -> Path:
        return PACKAGE_DIR

    @property
    def hidden_checks(self) -> Path:
        """The judging room: checks and their oracles hold hidden inputs, so workers must not read them."""
        return PACKAGE_DIR / "judging"
