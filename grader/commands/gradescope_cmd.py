"""`grader gradescope --out autograder.zip`: build a Gradescope autograder."""

from __future__ import annotations

import argparse
from pathlib import Path

HELP = "build a Gradescope autograder zip (setup.sh, run_autograder, hidden checks, precomputed reference)"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--out", type=Path, default=Path("autograder.zip"), metavar="ZIP",
                   help="where to write the zip (default: %(default)s)")
    p.add_argument("--dev-seed", action="store_true",
                   help="when the course has no seed, build with the public development seed instead of "
                        "refusing (hidden inputs anyone can compute: for a test assignment only)")


def run(args: argparse.Namespace) -> int:
    from grader.gradescope.build import build
    from grader.judging.oracles.secret import require_course_seed
    from grader.paths import Paths

    paths = Paths.discover()
    require_course_seed(paths, allow_development=args.dev_seed)  # before the hidden checks are built
    names = build(paths, args.out)
    print(f"wrote {args.out} ({len(names)} files): upload it under Configure Autograder > Zip file upload")
    return 0
