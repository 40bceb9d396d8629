"""`grader rejudge OUT`: judge a graded class again from its stored observations, without running code."""

from __future__ import annotations

import argparse
from pathlib import Path

HELP = ("Re-judge every student in OUT with the current judges, from the observations stored at "
        "grading time (no student code runs); refuses when a check's probes changed.")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("out", type=Path, metavar="OUT", help="a folder written by `grader grade`")
    parser.add_argument("--check", dest="checks", nargs="+", default=[], metavar="ID",
                        help="re-judge only these checks (ids as in `grader list`); the others keep their verdicts")
    parser.add_argument("--dev-seed", action="store_true",
                        help="when the course has no seed, rebuild the hidden checks from the public development "
                             "seed (a class graded with `grade --dev-seed`) instead of refusing")


def run(args: argparse.Namespace) -> int:
    from grader.judging.oracles.secret import require_course_seed
    from grader.paths import Paths
    from grader.rejudge import rejudge

    # Hidden checks are rebuilt from the seed: without the course's, they would not be the ones graded.
    require_course_seed(Paths.discover(), allow_development=args.dev_seed)
    report = rejudge(args.out, only=args.checks)
    what = f"{len(report.checks)} check{'s' if len(report.checks) != 1 else ''}"
    print(f"rejudged {report.students} student{'s' if report.students != 1 else ''} on {what} "
          f"in {report.elapsed:.1f} s; {len(report.changed)} score{'s' if len(report.changed) != 1 else ''} changed")
    for student, old, new in report.changed:
        shown = "".join(ch if ch.isprintable() else "?" for ch in student)  # ids are the students' own text
        print(f"  {shown}: {old:g} -> {new:g}")
    return 0
