"""The class files beside the student folders: grades.csv and summary.json.

Both are built from results only (the full copies, OUT/_instructor/*/results.json, through
`grader.storage.results.load_outputs`), so `grader grade`, a rerun, `grader merge` of shards
and `grader rejudge` all write them the same way (`grader.outputs.write_class_outputs`).

summary.json:
    students        safe id -> student_id, folder, score, max_score, exercises (name -> score),
                    problems, notes, grader_errors (instructor-only reasons; empty when none)
    exercises       name -> max_score, students, mean, min, max, full_marks
    count           number of students listed
    grader_errors   safe id -> reasons, only students the grader failed on (a rerun retries them)
    load_errors     folder -> why its results.json could not be read (never a student row)
    grader_version  the grader that wrote this file
    checks          sorted ids of the checks graded
    checks_digest   sha256 of the checks, their points and probes (grader.judging.checks.base.check_set_digest)
    shard           {"index": K, "count": N} for `grade --shard K/N` (1-based), else null
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from typing import Any

from grader.catalog import EXERCISES
from grader.model import StudentResult
from grader.storage.atomic import atomic_write_text
from grader.storage.layout import GRADES_NAME, MISCONCEPTIONS_NAME, SUMMARY_NAME
from pathlib import Path

__all__ = ["ANALYSIS_KEY", "FORMULA_START", "GRADES_NAME", "SUMMARY_NAME", "csv_cell", "grades_csv", "summary",
           "write_analysis", "write_class_files"]
ANALYSIS_KEY = "analysis"   # summary.json's section that the class analysis (grader.reports.insight) fills

# OWASP's list of characters that make a spreadsheet read a cell as a formula
# (https://owasp.org/www-community/attacks/CSV_Injection): nothing else is guarded, so an id
# such as `01234` or `./x` is written as it is and still matches the roster it came from.
FORMULA_START = "=+-@\t\r"
# A formula can start a cell, or follow a separator a spreadsheet may split on, after blanks or
# quotes. Each character is escaped: a bare `+-@` inside [...] would be a range (`+` to `@`,
# digits included).
_FORMULA_START = re.compile(rf"(^|[;,|])(?=[\s\"'`]*[{''.join(map(re.escape, FORMULA_START))}])")


def csv_cell(text: str) -> str:
    """A student-chosen text that a spreadsheet shows as text: control characters (tab, CR, LF,
    escapes) become spaces, so no cell can split a row, and every place a formula could start
    gets a leading apostrophe."""
    flat = "".join(" " if unicodedata.category(ch) in ("Cc", "Cs", "Zl", "Zp") else ch for ch in text)
    return _FORMULA_START.sub(lambda m: m.group(1) + "'", flat)


def grades_csv(results: dict[str, StudentResult]) -> str:
    """id, total, max and one column per exercise, one row per student (sorted by id)."""
    names = [e.name for e in EXERCISES if any(x.name == e.name for r in results.values() for x in r.exercises)]
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["id", "total", "max", *names])
    for _, r in sorted(results.items(), key=lambda kv: (kv[1].student_id, kv[0])):
        scores = {e.name: e.score for e in r.exercises}
        w.writerow([csv_cell(r.student_id), f"{r.score:g}", f"{r.max_score:g}",
                    *(f"{scores[n]:g}" if n in scores else "" for n in names)])
    return buf.getvalue()


def _grader_errors(r: StudentResult) -> list[str]:
    return list(dict.fromkeys([*r.grader_errors, *(c.grader_error for c in r.checks if c.grader_error)]))


def summary(results: dict[str, StudentResult], meta: dict[str, Any] | None = None,
            load_errors: dict[str, str] | None = None) -> dict[str, Any]:
    names = [e.name for e in EXERCISES if any(x.name == e.name for r in results.values() for x in r.exercises)]
    exercises: dict[str, dict[str, Any]] = {}
    for n in names:
        got = [(e.score, e.max_score) for r in results.values() for e in r.exercises if e.name == n]
        points = [s for s, _ in got]
        exercises[n] = {
            "max_score": max(m for _, m in got), "students": len(got),
            "mean": round(sum(points) / len(points), 4), "min": min(points), "max": max(points),
            "full_marks": sum(1 for s, m in got if s >= m),
        }
    students = {
        safe: {"student_id": r.student_id, "folder": safe, "score": r.score, "max_score": r.max_score,
               "exercises": {e.name: e.score for e in r.exercises},
               "problems": [p for p in r.problems if not p.startswith("Note: ")],
               "notes": [p.removeprefix("Note: ") for p in r.problems if p.startswith("Note: ")],
               "grader_errors": _grader_errors(r)}
        for safe, r in sorted(results.items())
    }
    return {
        "students": students,
        "exercises": exercises,
        "count": len(results),
        "grader_errors": {safe: s["grader_errors"] for safe, s in students.items() if s["grader_errors"]},
        "load_errors": dict(sorted((load_errors or {}).items())),
        **(meta or {}),
    }


def write_class_files(out: Path, results: dict[str, StudentResult], meta: dict[str, Any] | None = None,
                      load_errors: dict[str, str] | None = None) -> dict[str, Any]:
    """Write OUT/grades.csv and OUT/summary.json (atomically); returns the summary."""
    atomic_write_text(out / GRADES_NAME, grades_csv(results))
    doc = summary(results, meta, load_errors)
    atomic_write_text(out / SUMMARY_NAME, json.dumps(doc, indent=1, ensure_ascii=False, allow_nan=False) + "\n")
    return doc


def write_analysis(out: Path, misconceptions_csv: str, analysis: dict[str, Any],
                   summary_doc: dict[str, Any] | None) -> None:
    """Write OUT/misconceptions.csv, and the analysis section of an existing summary.json."""
    atomic_write_text(out / MISCONCEPTIONS_NAME, misconceptions_csv)
    if summary_doc is not None:
        merged = {**summary_doc, ANALYSIS_KEY: analysis}
        atomic_write_text(out / SUMMARY_NAME, json.dumps(merged, indent=1, ensure_ascii=False) + "\n")
