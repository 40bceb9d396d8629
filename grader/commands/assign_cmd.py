"""`grader assign`: regenerate exercises/ (stubs and notebooks) from solutions/."""

from __future__ import annotations

import argparse

from grader.authoring.assign import assign
from grader.paths import Paths

HELP = "Regenerate exercises/*.py stubs and exercises/*.ipynb notebooks from solutions/."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 listing the files when exercises/ is out of date")


def run(args: argparse.Namespace) -> int:
    paths = Paths.discover()
    changed = assign(paths, check=args.check)  # --check raises OutOfDateError (exit 1) when stale
    if args.check:
        print("exercises/ is up to date with solutions/.")
        return 0
    for path in changed:
        print(f"wrote {path.relative_to(paths.root)}")
    if not changed:
        print("exercises/ was already up to date.")
    return 0
