"""What `grader grade` leaves in OUT for a class, read back byte for byte.

Rejudging, merging and regrading promise the same files as grading afresh; these tests compare
the folders with this one reader, so a file added to OUT is added to every such comparison at once.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from pathlib import Path

from grader.storage.observations import REFERENCE_NAME

CLASS_FILES = ("grades.csv", "summary.json", "misconceptions.csv", "index.html", "class.html", REFERENCE_NAME)
STUDENT_FILES = ("results.json", "report.html")          # OUT/<id>/: what the student may be given
INSTRUCTOR_FILES = ("results.json", "observations.json")  # OUT/_instructor/<id>/: the full data


def class_output(out: Path, students: Iterable[str], *, without: Collection[str] = ()) -> dict[str, bytes]:
    """Every file of the class and of each student in `out`, by its path under OUT; the class files
    named in `without` are left out (e.g. summary.json, whose provenance differs after a merge)."""
    files = {name: (out / name).read_bytes() for name in CLASS_FILES if name not in without}
    for sid in students:
        for name in STUDENT_FILES:
            files[f"{sid}/{name}"] = (out / sid / name).read_bytes()
        for name in INSTRUCTOR_FILES:
            files[f"_instructor/{sid}/{name}"] = (out / "_instructor" / sid / name).read_bytes()
    return files
