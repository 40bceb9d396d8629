"""`grader grade`: grade a class of submissions (or one student, or the built-in example class)."""

from __future__ import annotations

import argparse
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from grader.errors import UsageError

HELP = "grade a folder of submissions into results.json, reports, grades.csv and summary.json"


def _positive(kind: Callable[[str], Any]) -> Callable[[str], Any]:
    def parse(text: str) -> Any:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
        if value <= 0:
            raise argparse.ArgumentTypeError(f"must be positive: {text!r}")
        return value
    return parse


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("submissions", nargs="?", type=Path, metavar="SUBMISSIONS_DIR",
                   help="one entry per student: a folder, a .zip, a .ipynb notebook or a .py file")
    p.add_argument("--out", type=Path, required=True, metavar="OUT", help="output folder")
    p.add_argument("--student", nargs=2, metavar=("ID", "PATH"),
                   help="grade one student's entry PATH under the id ID")
    p.add_argument("--example", action="store_true",
                   help="build the built-in example class in a temp folder and grade it")
    p.add_argument("--jobs", type=_positive(int), default=os.cpu_count() or 1,
                   help="workers running at once (default: number of CPUs)")
    p.add_argument("--timeout", type=_positive(float), metavar="S", help="time limit per student, seconds")
    p.add_argument("--check-timeout", type=_positive(float), metavar="S",
                   help="time limit per check, seconds (default: each check's own)")
    p.add_argument("--memory", type=_positive(int), metavar="MB", help="memory limit per worker, MiB")
    p.add_argument("--force", action="store_true", help="regrade students that already have results")
    p.add_argument("--quiet", action="store_true", help="print nothing")


def run(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from grader.batch import BatchOptions, BatchReport, grade_class, grade_student
    from grader.paths import Paths
    from grader.runner.runner import Limits

    # Workers inherit this: TensorFlow's C++ start-up chatter is not the grader's output.
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    modes = sum(x is not None and x is not False for x in (args.submissions, args.student, args.example or None))
    if modes != 1:
        raise UsageError("give exactly one of SUBMISSIONS_DIR, --student ID PATH or --example")
    limits = Limits()
    if args.timeout is not None:
        limits = replace(limits, student_timeout=args.timeout)
    if args.check_timeout is not None:
        limits = replace(limits, check_timeout=args.check_timeout)
    if args.memory is not None:
        limits = replace(limits, memory_mb=args.memory)
    paths = Paths.discover()
    if not paths.solutions.is_dir():
        raise UsageError(f"no reference solutions at {paths.solutions}: run this from the course repository")
    opts = BatchOptions(out=args.out, jobs=args.jobs, limits=limits, force=args.force,
                        progress="quiet" if args.quiet else "auto")

    report: BatchReport
    if args.student:
        student_id, path = args.student
        if not Path(path).exists():
            raise UsageError(f"{path} does not exist")
        report = grade_student(student_id, Path(path), paths, opts)
    elif args.example:
        from grader.authoring.examples import build_example_class

        with tempfile.TemporaryDirectory(prefix="grader-example-") as tmp:
            folder = Path(tmp) / "class"
            build_example_class(paths, folder)
            report = grade_class(folder, paths, opts)
    else:
        if not args.submissions.is_dir():
            raise UsageError(f"{args.submissions} is not a folder of submissions")
        report = grade_class(args.submissions, paths, opts)

    if not args.quiet:
        out = opts.out
        print(f"graded {len(report.graded)} student(s), skipped {len(report.skipped)} already graded, "
              f"in {report.elapsed:.1f} s")
        print(f"grades:  {out / 'grades.csv'}\nsummary: {out / 'summary.json'}")
        print(f"reports: {out / 'index.html'}")
    return 0
