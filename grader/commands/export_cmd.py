"""`grader export OUT --format canvas|moodle --out FILE`: the class's grades as an LMS import file."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HELP = "write the grades of a graded class (OUT) as a Canvas or Moodle gradebook import CSV"


def add_arguments(p: argparse.ArgumentParser) -> None:
    from grader.export import DEFAULT_ASSIGNMENT, FORMATS, MOODLE_ID_FIELDS

    p.add_argument("out", type=Path, metavar="OUT", help="a folder written by `grader grade` (or `grader merge`)")
    p.add_argument("--format", required=True, choices=FORMATS, help="the LMS whose import file to write")
    p.add_argument("--out", dest="target", type=Path, required=True, metavar="FILE", help="the CSV file to write")
    p.add_argument("--assignment", default=DEFAULT_ASSIGNMENT, metavar="NAME",
                   help="the assignment's (Canvas) or grade item's (Moodle) name")
    p.add_argument("--assignment-id", default="", metavar="ID",
                   help="Canvas: the assignment's id, so the column updates that assignment "
                        "(without it Canvas makes a new one)")
    p.add_argument("--id-field", default="userid", choices=tuple(MOODLE_ID_FIELDS),
                   help="Moodle: which user field the student ids are (names the id column)")


def run(args: argparse.Namespace) -> int:
    from grader.export import write
    from grader.safetext import terminal_text

    export = write(args.out, args.format, args.target, assignment=args.assignment,
                   assignment_id=args.assignment_id, id_field=args.id_field)
    print(f"wrote {args.target}: {len(export.rows)} student(s), {export.points:g} points, for {args.format}")
    if export.left_out:
        shown = ", ".join(terminal_text(s, 80) for s in export.left_out[:10])
        print(f"grader: warning: not exported, their grading had grader errors (run `grader grade` again): {shown}",
              file=sys.stderr)
    if export.unreadable:
        print(f"grader: warning: unreadable results, not exported: {', '.join(export.unreadable[:10])}", file=sys.stderr)
    return 0
