"""`grader check [EXERCISE...]`: the student's self-check of exercises/ against the public checks.

Runs in the student bundle too, which has neither solutions/ nor hidden
checks. Public checks carry their own expected values, so the reference
solution is never run here, even where solutions/ exists: the verdicts are
the same in the repository and in the bundle, and the self-check does not
pay for a second run (the MNIST exercise trains a network).
"""

from __future__ import annotations

import argparse
import sys

from grader.errors import ExitCode, UsageError
from grader.judging.checks import EXERCISE_NAMES
from grader.paths import Paths
from grader.reports.notes import grouped_notes
from grader.runner.runner import Limits
from grader.selfcheck import REPORT_NAME, self_check, summary, write_report

HELP = "Check your exercises in exercises/ with the public checks (all exercises, or the ones named)."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("exercises", nargs="*", metavar="EXERCISE",
                        help=f"exercises to check (default: all): {', '.join(EXERCISE_NAMES)}")
    parser.add_argument("--notebooks", action="store_true",
                        help="kept for old instructions: the file you changed (.py or .ipynb) is "
                             "checked automatically, both when both changed")
    parser.add_argument("--no-report", action="store_true", help=f"do not write reports/{REPORT_NAME}")
    parser.add_argument("--watch", action="store_true",
                        help="check again on every save, with a worker kept warm (Ctrl-C stops)")
    parser.add_argument("--load-timeout", type=float, default=Limits.load_timeout, metavar="S",
                        help="seconds each file's top-level code, or each notebook cell, may run "
                             "(default: %(default)g); a cell past it is skipped, the rest still checked")


def chosen_exercises(names: list[str]) -> tuple[str, ...] | None:
    unknown = [n for n in names if n not in EXERCISE_NAMES]
    if unknown:
        raise UsageError(f"unknown exercise {', '.join(map(repr, unknown))}; "
                         f"choose from: {', '.join(EXERCISE_NAMES)}")
    return tuple(dict.fromkeys(names)) or None


def run(args: argparse.Namespace) -> int:
    exercises = chosen_exercises(list(args.exercises))
    paths = Paths.discover()
    if args.load_timeout <= 0:
        raise UsageError("--load-timeout must be a positive number of seconds")
    if args.watch:
        from grader.commands.watch import watch_loop

        return watch_loop(paths, exercises, args.notebooks, report=not args.no_report)
    result, notes = self_check(paths, exercises, args.notebooks, args.load_timeout)
    for note in grouped_notes(notes):  # one line per kind, not one per exercise
        print(f"Note: {note}")
    print(summary(result))
    if not args.no_report:
        report = paths.reports / REPORT_NAME
        if write_report(result, report):
            print(f"Report: {report}")
    sys.stdout.flush()
    all_passed = bool(result.checks) and all(c.status == "passed" for c in result.checks)
    return ExitCode.OK if all_passed else ExitCode.CHECKS_FAILED
