"""`grader report OUT`: re-render every HTML page from the results.json files, without grading again."""

from __future__ import annotations

import argparse
from pathlib import Path

from grader.reports.views import VIEWS

HELP = ("Re-render OUT/<student>/report.html, OUT/index.html, OUT/class.html and misconceptions.csv "
        "from OUT/*/results.json.")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("out", type=Path, metavar="OUT", help="a folder written by `grader grade`")
    parser.add_argument("--view", choices=VIEWS, default="student",
                        help="who the student pages are for: 'student' withholds hidden checks' "
                             "inputs, values, output and tracebacks (default); 'instructor' shows all")
    parser.add_argument("--dashboard-view", choices=VIEWS, default="instructor",
                        help="who OUT/index.html is for (default: instructor); 'student' makes it the "
                             "anonymous class page, since a dashboard naming classmates cannot be private")


def run(args: argparse.Namespace) -> int:
    from grader.errors import UsageError
    from grader.reports.render import CLASS_NAME, DASHBOARD_NAME, result_files, write_all

    out: Path = args.out
    if not out.is_dir():
        raise UsageError(f"{out} is not a folder")
    if not result_files(out):
        raise UsageError(f"{out} holds no <student>/results.json files to render")
    n = write_all(out, args.view, args.dashboard_view)
    print(f"wrote {n} student report{'s' if n != 1 else ''} ({args.view} view), "
          f"{out / DASHBOARD_NAME} ({args.dashboard_view} view) and {out / CLASS_NAME} (anonymous, for students)")
    return 0
