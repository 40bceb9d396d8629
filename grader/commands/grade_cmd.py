"""`grader grade`: grade a class of submissions (or one student, or the built-in example class)."""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from grader.errors import GradedWithErrors, UsageError
from grader.runner.isolation import ALLOW_FLAG, TRUSTED, UNTRUSTED, Need
from grader.runner.runner import Limits

HELP = "grade a folder of submissions into results.json, reports, grades.csv and summary.json"
MAX_ID_CHARS = 200
_DEFAULTS = Limits()


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


def parse_shard(text: str) -> tuple[int, int]:
    """`K/N` with 1 <= K <= N: the K-th of N parts of the class."""
    m = re.fullmatch(r"\s*(\d{1,6})\s*/\s*(\d{1,6})\s*", text)
    if not m or not 1 <= int(m[1]) <= int(m[2]):
        raise argparse.ArgumentTypeError(f"expected K/N with 1 <= K <= N, e.g. 1/4: {text!r}")
    return int(m[1]), int(m[2])


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("submissions", nargs="?", type=Path, metavar="SUBMISSIONS_DIR",
                   help="one entry per student: a folder, a .zip, a .ipynb notebook or a .py file; "
                        "or GitHub Classroom clones, or Canvas's or Moodle's download (its zip itself)")
    p.add_argument("--out", type=Path, metavar="OUT",
                   help="output folder (required, except with --student ... --results FILE)")
    p.add_argument("--student", nargs=2, metavar=("ID", "PATH"),
                   help="grade one student's entry PATH under the id ID")
    p.add_argument("--results", type=Path, metavar="FILE",
                   help="with --student: write that student's results.json exactly to FILE")
    p.add_argument("--example", action="store_true",
                   help="build the built-in example class in a temp folder and grade it")
    p.add_argument("--shard", type=parse_shard, metavar="K/N",
                   help="grade only the K-th of N parts of the class (1-based, by a hash of each id; "
                        "the same on every machine), for `grader merge`")
    p.add_argument("--jobs", type=_positive(int), default=os.cpu_count() or 1, metavar="N",
                   help="workers running at once (default: number of CPUs)")
    p.add_argument("--timeout", type=_positive(float), default=_DEFAULTS.student_timeout, metavar="S",
                   help="time limit per student, seconds")
    p.add_argument("--check-timeout", type=_positive(float), metavar="S",
                   help="time limit per check, seconds (default: each check's own)")
    p.add_argument("--load-timeout", type=_positive(float), default=_DEFAULTS.load_timeout, metavar="S",
                   help="time limit for one file's top-level code, or one notebook cell, seconds")
    p.add_argument("--memory", type=_positive(int), default=_DEFAULTS.memory_mb, metavar="MB",
                   help="memory limit per worker, MiB")
    p.add_argument("--layout", choices=("auto", "folders", "classroom", "canvas", "moodle"), default="auto",
                   help="how SUBMISSIONS_DIR is laid out (default: recognised, and said in one line)")
    p.add_argument("--force", action="store_true", help="regrade students that already have results")
    p.add_argument("--dev-seed", action="store_true",
                   help="when the course has no seed (GRADER_SECRET_SEED, solutions/.grader-seed), grade with "
                        "the public development seed instead of refusing: hidden inputs anyone can compute, "
                        "for trying the grader only (--example always may)")
    p.add_argument(ALLOW_FLAG, action="store_true",
                   help="grade even where the isolation level does not protect your files, network, "
                        "processes and the folders students share (for code you trust; the level is printed "
                        "and recorded as allowed)")
    p.add_argument("--quiet", action="store_true", help="print nothing")


def _limits(args: argparse.Namespace) -> Limits:
    limits = replace(_DEFAULTS, student_timeout=args.timeout, memory_mb=args.memory, load_timeout=args.load_timeout)
    if args.check_timeout is not None:
        limits = replace(limits, check_timeout=args.check_timeout)
    return limits


def _need(args: argparse.Namespace) -> Need:
    """The built-in example class is our own code; anything else handed in is untrusted."""
    if args.example:
        return TRUSTED
    return replace(UNTRUSTED, allow_weak=bool(args.allow_weak_isolation))


def _check_modes(args: argparse.Namespace) -> None:
    modes = sum(x is not None and x is not False for x in (args.submissions, args.student, args.example or None))
    if modes != 1:
        raise UsageError("give exactly one of SUBMISSIONS_DIR, --student ID PATH or --example")
    if args.results is not None and not args.student:
        raise UsageError("--results FILE goes with --student ID PATH")
    if args.out is None and args.results is None:
        raise UsageError("give the output folder with --out OUT")
    if args.shard is not None and not args.submissions:
        raise UsageError("--shard K/N goes with SUBMISSIONS_DIR")
    if args.student and not args.student[0].strip():
        raise UsageError("the student ID is empty")
    if args.student and len(args.student[0]) > MAX_ID_CHARS:
        raise UsageError(f"the student ID is longer than {MAX_ID_CHARS} characters")


def run(args: argparse.Namespace) -> int:
    from grader.batch import BatchOptions, BatchReport, grade_class, grade_student
    from grader.paths import Paths

    # Workers inherit this: TensorFlow's C++ start-up chatter is not the grader's output.
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    _check_modes(args)
    paths = Paths.discover()
    if not paths.solutions.is_dir():
        raise UsageError(f"no reference solutions at {paths.solutions}: run this from the course repository")
    from grader.judging.oracles.secret import require_course_seed

    # Before any hidden check is built: real submissions are never graded on public hidden inputs.
    require_course_seed(paths, allow_development=args.dev_seed or args.example)
    with tempfile.TemporaryDirectory(prefix="grader-") as tmp:
        out = args.out if args.out is not None else Path(tmp) / "out"
        opts = BatchOptions(out=out, jobs=args.jobs, limits=_limits(args), force=args.force,
                            progress="quiet" if args.quiet else "auto", shard=args.shard,
                            reuse_reference=bool(args.student), need=_need(args))
        report: BatchReport
        if args.student:
            student_id, path = args.student
            if not Path(path).exists():
                raise UsageError(f"{path} does not exist")
            report = grade_student(student_id, Path(path), paths, opts)
            if args.results is not None:
                from grader.reports.gradescope_text import write_result

                write_result(next(iter(report.results.values())), args.results)
        elif args.example:
            from grader.authoring.examples import build_example_class

            folder = Path(tmp) / "class"
            build_example_class(paths, folder)
            report = grade_class(folder, paths, opts)
        else:
            from dataclasses import replace

            from grader.discovery.layouts import find_layout

            found = find_layout(args.submissions, args.layout)  # a UsageError when it is no layout at all
            if not args.quiet:
                print(f"layout: {found.layout}: {found.summary}")
            report = grade_class(args.submissions, paths, replace(opts, layout=found.layout))
        _print_report(args, opts.out, report)
    if report.grader_errors or report.class_errors:
        raise GradedWithErrors(
            f"the grader itself failed on {len(report.grader_errors)} student(s)"
            + (f" and {len(report.class_errors)} class file(s)" if report.class_errors else "")
            + "; their checks have status 'error' and summary.json lists them under 'grader_errors'. "
            "Run the same command again to retry them.")
    return 0


def _print_report(args: argparse.Namespace, out: Path, report: Any) -> None:
    count = len(report.graded) + len(report.skipped)
    if count == 0 and args.submissions is not None:
        where = f"shard {args.shard[0]}/{args.shard[1]} of " if args.shard else ""
        print(f"grader: warning: no submissions found in {where}{args.submissions}", file=sys.stderr)
    if args.quiet:
        return
    print(f"graded {len(report.graded)} student(s), skipped {len(report.skipped)} already graded, "
          f"in {report.elapsed:.1f} s")
    if args.out is not None:
        print(f"grades:  {out / 'grades.csv'}\nsummary: {out / 'summary.json'}")
        print(f"reports: {out / 'index.html'}")
    if args.results is not None:
        print(f"results: {args.results}")
