"""The check catalogue: public checks here, hidden ones in `grader.judging.checks.hidden`.

The student bundle ships without the `hidden` package; `load_checks` simply
finds fewer checks there. A module here is found by scanning the package, so a new
exercise's checks need no list: `grader new-exercise NAME` writes one.
"""

from __future__ import annotations

import importlib
import pkgutil

from grader.judging.checks.base import CHECKS, EXERCISE_NAMES, EXERCISES, Check, Exercise, exercise_points

__all__ = ["Check", "Exercise", "EXERCISES", "EXERCISE_NAMES", "exercise_points", "load_checks"]


def _import_package(package: str) -> None:
    try:
        mod = importlib.import_module(package)
    except ModuleNotFoundError:
        return
    for info in pkgutil.iter_modules(mod.__path__):
        if info.name != "base":
            importlib.import_module(f"{package}.{info.name}")


def load_checks(exercises: tuple[str, ...] | None = None, *, include_hidden: bool = True) -> list[Check]:
    """Every registered check, in exercise order, then in definition order."""
    _import_package("grader.judging.checks")
    if include_hidden:
        _import_package("grader.judging.checks.hidden")
    order = {name: i for i, name in enumerate(EXERCISE_NAMES)}
    chosen = [
        c for c in CHECKS.values()
        if (exercises is None or c.exercise in exercises)
        and (include_hidden or c.visibility == "public")
    ]
    return sorted(chosen, key=lambda c: order.get(c.exercise, len(order)))
