"""`grader check --watch [EXERCISE...]`: re-check on every save, with a warm worker.

The runner is started once and kept: the sandbox's zygote (or the portable runner's
spare worker) has TensorFlow imported before the first save, so a re-check costs
only the exercise's own probes. Only the exercises whose file changed are re-checked
(all chosen ones when a file not named after an exercise changes). watchfiles
(Rust `notify`) reports saves; Ctrl-C stops.

Hook (in check_cmd.py):
    parser.add_argument("--watch", action="store_true", help="re-check on every save (Ctrl-C stops)")
    ...
    if args.watch:
        from grader.commands.watch import watch_loop
        return watch_loop(paths, exercises, args.notebooks, report=not args.no_report)
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from grader.catalog import EXERCISE_NAMES
from grader.model import StudentResult
from grader.paths import Paths

DEBOUNCE_MS = 50   # editors write a file in several steps; wait this long for the last one


def changed_exercises(changes: Iterable[tuple[Any, str]], chosen: tuple[str, ...]) -> tuple[str, ...]:
    """The chosen exercises a batch of file changes touches (all of them for another .py/.ipynb)."""
    stems = set()
    for _, path in changes:
        p = Path(path)
        if p.suffix in (".py", ".ipynb") and not p.name.startswith("."):
            stems.add(p.stem)
    if not stems:
        return ()
    hit = tuple(e for e in chosen if e in stems)
    return hit if hit or not stems <= set(EXERCISE_NAMES) else ()


def recheck(runner: Any, paths: Paths, exercises: tuple[str, ...], prefer_notebooks: bool) -> tuple[StudentResult, list[str]]:
    """One self-check with a runner that is already started."""
    from grader.selfcheck import check_with

    return check_with(runner, paths, exercises, prefer_notebooks)


def watch_loop(paths: Paths, exercises: tuple[str, ...] | None, prefer_notebooks: bool = False, *,
               report: bool = True, stop: Callable[[], bool] | None = None,
               printer: Callable[[str], None] = print) -> int:
    """Check now, then again after every save until Ctrl-C (or `stop()` is true)."""
    import watchfiles

    from grader.reports.notes import grouped_notes
    from grader.selfcheck import REPORT_NAME, summary, write_report
    from grader.errors import ExitCode, UsageError
    from grader.runner.choice import make_runner

    if not paths.exercises.is_dir():
        raise UsageError(f"no exercises/ folder in {paths.root}")
    chosen = exercises or EXERCISE_NAMES
    with make_runner(None, 1) as runner:
        todo: tuple[str, ...] = chosen
        shown: list[str] = []
        try:
            while True:
                started = time.perf_counter()
                result, notes = recheck(runner, paths, todo, prefer_notebooks)
                # One line per kind of note, and only when they changed since the last cycle:
                # the same notes on every save would bury the result.
                lines = grouped_notes(notes)
                if lines != shown:
                    for note in lines:
                        printer(f"Note: {note}")
                    shown = lines
                printer(summary(result))
                if report:
                    write_report(result, paths.reports / REPORT_NAME)
                printer(f"[checked {', '.join(todo)} in {time.perf_counter() - started:.2f} s; "
                        "watching exercises/ for saves, Ctrl-C stops]")
                todo = ()
                for changes in watchfiles.watch(paths.exercises, debounce=DEBOUNCE_MS, step=25,
                                                stop_event=_Stop(stop) if stop else None, raise_interrupt=False):
                    todo = changed_exercises(changes, chosen)
                    if todo:
                        break
                if not todo:
                    return 0
        except KeyboardInterrupt:
            return ExitCode.INTERRUPTED


class _Stop:
    """watchfiles' stop_event protocol over a plain callable (for tests)."""

    def __init__(self, fn: Callable[[], bool]) -> None:
        self.fn = fn

    def is_set(self) -> bool:
        return self.fn()
