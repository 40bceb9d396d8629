"""`grader gradescope --out autograder.zip`: build a Gradescope autograder."""

from __future__ import annotations

import argparse
from pathlib import Path

HELP = "build a Gradescope autograder zip (setup.sh, run_autograder, hidden checks, precomputed reference)"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--out", type=Path, default=Path("autograder.zip"), metavar="ZIP",
                   help="where to write the zip (default: %(default)s)")


def run(args: argparse.Namespace) -> int:
    from grader.gradescope.build import build
    from grader.paths import Paths

    names = build(Paths.discover(), args.out)
    print(f"wrote {args.out} ({len(names)} files): upload it under Configure Autograder > Zip file upload")
    return 0
