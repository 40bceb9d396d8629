"""Where each stored file of a class lives in OUT, and what may be handed to whom.

    OUT/<id>/results.json                student copy: hidden checks carry only student-safe text
    OUT/<id>/report.html                 the student's page
    OUT/_instructor/<id>/results.json    full detail: hidden inputs, expected values, tracebacks, output
    OUT/_instructor/<id>/observations.json   what every probe saw, for `grader rejudge`
    OUT/reference.json                   the reference's observations
    OUT/grades.csv, summary.json, misconceptions.csv, index.html, class.html   class files

A student folder holds only what that student may be given, so it can be handed out as it is.
Everything the grader reads back (resume, rejudge, merge, reports) comes from the instructor
copy. No student folder can be named `_instructor`: safe ids start with a letter or digit
(grader.discovery.ids).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

INSTRUCTOR_DIR = "_instructor"
RESULTS_NAME = "results.json"
REPORT_NAME = "report.html"
OBSERVATIONS_NAME = "observations.json"
REFERENCE_NAME = "reference.json"
GRADES_NAME = "grades.csv"
SUMMARY_NAME = "summary.json"
MISCONCEPTIONS_NAME = "misconceptions.csv"


def student_dir(out: Path, safe: str) -> Path:
    """What the student may be given."""
    return Path(out) / safe


def instructor_root(out: Path) -> Path:
    return Path(out) / INSTRUCTOR_DIR


def instructor_dir(out: Path, safe: str) -> Path:
    """What only the instructor may see about one student."""
    return instructor_root(out) / safe


def full_results_path(out: Path, safe: str) -> Path:
    return instructor_dir(out, safe) / RESULTS_NAME


def result_files(out: Path) -> list[Path]:
    """OUT/_instructor/<student>/results.json (the full copies), in a stable order.

    Dot folders are ours (staging), never students'.
    """
    return sorted(p for p in instructor_root(out).glob(f"*/{RESULTS_NAME}")
                  if p.is_file() and not p.parent.name.startswith("."))


def old_layout(out: Path) -> bool:
    """True for a class written before student folders were split from the instructor's data:
    student results.json files but no instructor folder (regrade it, or rejudge refuses)."""
    out = Path(out)
    return not instructor_root(out).is_dir() and any(
        p.is_file() for p in out.glob(f"*/{RESULTS_NAME}") if not p.parent.name.startswith((".", "_")))


def read_summary(out: Path) -> dict[str, Any] | None:
    path = Path(out) / SUMMARY_NAME
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None
