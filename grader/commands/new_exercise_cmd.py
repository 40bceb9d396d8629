"""`grader new-exercise NAME`: a new exercise's files, ready for the author to rewrite (grader/authoring/scaffold.py)."""

from __future__ import annotations

import argparse

from grader.authoring.scaffold import DEFAULT_POINTS, new_exercise
from grader.paths import Paths

HELP = ("Start a new exercise: its solution, stub and notebook, a check module with one public check "
        "(generic driver) and its catalogue line.")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("name", help="the module name students edit: exercises/NAME.py (lower case, like demo_sum)")
    parser.add_argument("--title", help="the title students see (default: NAME in words)")
    parser.add_argument("--points", type=int, default=DEFAULT_POINTS, help="points of the one public check")


def run(args: argparse.Namespace) -> int:
    paths = Paths.discover()
    done = new_exercise(paths, args.name, title=args.title, points=args.points)
    for path in done.created:
        print(f"created {path}")
    for path in done.changed:
        print(f"changed {path}")
    print(f"{len(done.touched)} files. Next: rewrite solutions/{args.name}.py and "
          f"grader/judging/checks/{args.name}.py, then `grader assign` and `grader check {args.name}`.")
    return 0
