"""Grades for an LMS: `grader export OUT --format canvas|moodle --out FILE`.

Both files are built from OUT/*/results.json (as grades.csv is) and matched on the student
id the grader kept: the LMS's own user id when the class came from its download.

Canvas (Grades > Import; the layout of Canvas's own gradebook export):

    Student,ID,SIS User ID,SIS Login ID,Section,<Assignment name> (<assignment id>)
    Points Possible,,,,,100
    "Lovelace, Ada",4242,,,,87.5

Canvas matches each row on ID (its user id); the name is shown but not matched, and the
SIS columns and Section may stay empty. A column named `<name> (<id>)` updates that
assignment; a bare `<name>` makes a new one, whose points come from the Points Possible row.

Moodle (Grades > Import > CSV file): one column that identifies the user and one grade
column. In the import form, map the id column ("Identify user by") to the user field it
holds (`--id-field`: the user id, an email address, an ID number or a username) and map the
grade column to the grade item; set that item's maximum grade to the points shown.

Every cell is written as it is unless it could start a spreadsheet formula
(grader.storage.classfiles.csv_cell: OWASP's list), so numeric ids survive exactly.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grader.storage.classfiles import SUMMARY_NAME, csv_cell
from grader.errors import UsageError
from grader.model import StudentResult
from grader.storage.atomic import atomic_write_text
from grader.storage.results import load_class

FORMATS = ("canvas", "moodle")
CANVAS_COLUMNS = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
POINTS_POSSIBLE = "Points Possible"
# Moodle's "Identify user by" fields, by the header this file gives the id column.
MOODLE_ID_FIELDS = {"userid": "User ID", "email": "Email address", "idnumber": "ID number", "username": "Username"}
DEFAULT_ASSIGNMENT = "Deep neural networks exercises"


@dataclass(frozen=True)
class Row:
    """One student as an LMS sees them."""

    student_id: str
    name: str
    score: float
    max_score: float


@dataclass(frozen=True)
class Export:
    rows: tuple[Row, ...]
    points: float                  # the assignment's points (the class's maximum score)
    left_out: tuple[str, ...]      # students not exported: their grading is incomplete (grader errors)
    unreadable: tuple[str, ...]    # folders whose results.json could not be read


def _names(out: Path) -> dict[str, str]:
    """Student names kept by `grader grade` for the dashboard (summary.json), by student id."""
    try:
        doc = json.loads((out / SUMMARY_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    students = doc.get("students") if isinstance(doc, dict) else None
    names = {}
    for row in students.values() if isinstance(students, dict) else ():
        if isinstance(row, dict) and isinstance(row.get("student_id"), str) and isinstance(row.get("name"), str):
            names[row["student_id"]] = row["name"]
    return names


def _incomplete(r: StudentResult) -> bool:
    return bool(r.grader_errors) or any(c.grader_error or c.status == "error" for c in r.checks)


def collect(out: Path) -> Export:
    """The class in OUT as rows for an LMS, sorted by id. UsageError when OUT holds no results."""
    if not out.is_dir():
        raise UsageError(f"{out} is not a folder")
    loaded = load_class(out)
    if not loaded.results:
        raise UsageError(f"{out} holds no <student>/results.json files to export")
    names = _names(out)
    by_id: dict[str, StudentResult] = {}
    for folder, r in sorted(loaded.results.items()):
        if r.student_id in by_id:
            raise UsageError(f"two results in {out} have the student id {r.student_id!r}: an LMS could not "
                             "tell them apart")
        by_id[r.student_id] = r
    rows = tuple(Row(sid, names.get(sid, ""), r.score, r.max_score) for sid, r in sorted(by_id.items())
                 if not _incomplete(r))
    left_out = tuple(sid for sid, r in sorted(by_id.items()) if _incomplete(r))
    points = max(r.max_score for r in by_id.values())
    return Export(rows, points, left_out, tuple(sorted(loaded.errors)))


def _number(x: float) -> str:
    return f"{round(x, 4):g}"


def canvas_csv(export: Export, assignment: str = DEFAULT_ASSIGNMENT, assignment_id: str = "") -> str:
    """Canvas's gradebook import: Student, ID, SIS User ID, SIS Login ID, Section, the assignment."""
    column = f"{assignment} ({assignment_id})" if assignment_id else assignment
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow([*CANVAS_COLUMNS, csv_cell(column)])
    w.writerow([POINTS_POSSIBLE, "", "", "", "", _number(export.points)])
    for row in export.rows:
        w.writerow([csv_cell(row.name), csv_cell(row.student_id), "", "", "", _number(row.score)])
    return buf.getvalue()


def moodle_csv(export: Export, assignment: str = DEFAULT_ASSIGNMENT, id_field: str = "userid") -> str:
    """Moodle's CSV grade import: the id column, the full name (not imported), the grade column."""
    if id_field not in MOODLE_ID_FIELDS:
        raise UsageError(f"unknown Moodle id field {id_field!r}; choose from: {', '.join(MOODLE_ID_FIELDS)}")
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow([MOODLE_ID_FIELDS[id_field], "Full name", csv_cell(assignment)])
    for row in export.rows:
        w.writerow([csv_cell(row.student_id), csv_cell(row.name), _number(row.score)])
    return buf.getvalue()


def write(out: Path, fmt: str, target: Path, **options: Any) -> Export:
    """Write the LMS file for the class in `out`; returns what went into it."""
    if fmt not in FORMATS:
        raise UsageError(f"unknown format {fmt!r}; choose from: {', '.join(FORMATS)}")
    export = collect(out)
    if fmt == "canvas":
        text = canvas_csv(export, options.get("assignment") or DEFAULT_ASSIGNMENT, options.get("assignment_id") or "")
    else:
        text = moodle_csv(export, options.get("assignment") or DEFAULT_ASSIGNMENT, options.get("id_field") or "userid")
    atomic_write_text(target, text)
    return export
