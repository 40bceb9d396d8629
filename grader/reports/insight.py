"""What the class misunderstood: misconceptions per exercise, item analysis per check.

Plain data computed from results only, so the dashboard, `misconceptions.csv`
and summary.json's "analysis" section all say the same thing. Instructor-only:
these name students.

A check result counts as a *misconception* when its judge named a mistake that
`grader.judging.mistakes.is_misconception` accepts. Everything that kept the code
from being judged (not attempted, a missing function, a file that failed to
load, a stopped worker, a grader error) and failures without a named mistake are
counted in rows of their own, never mixed with misconceptions.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

# The one import of the judging stage in grader.reports: the mistake ids' teaching words
# (reports present what judging decided). views.py takes describe_mistake from here.
from grader.judging.mistakes import describe_mistake, is_misconception
from grader.model import CheckResult, StudentResult
from grader.reports.charts import histogram
from grader.reports.text import percent
from grader.storage.classfiles import csv_cell

__all__ = ["describe_mistake", "analyse", "to_csv", "to_summary", "spreadsheet_cell", "classify", "item_analysis"]

SCHEMA = "grader-analysis/1"
EXERCISE_BINS = 5           # bands of the per-exercise score charts (20% each)
Kind = Literal["misconception", "not_judged"]

# Why a check's code could not be judged (or was judged wrong without a name), in the order shown.
NOT_JUDGED: dict[str, str] = {
    "not_attempted": "not attempted (the stub is unchanged)",
    "missing_function": "function missing",
    "file_not_loaded": "file failed to load",
    "stopped": "stopped: time limit, memory or crash",
    "malformed": "answer returned in the wrong form",
    "grader_error": "grader error (not the student's fault)",
    "unnamed": "failed, no named mistake",
}
_STOPPED = frozenset({"timeout", "memory", "crash"})
# The judge's own wording when a check's judge crashed (grader.judging.judge); used only
# while error results carry no mistake id of their own.
_GRADER_ERROR_PHRASE = "grader could not judge"


@dataclass(frozen=True)
class StudentRef:
    student_id: str
    folder: str          # OUT/<folder>/report.html


@dataclass(frozen=True)
class MistakeRow:
    exercise: str
    kind: Kind
    id: str
    description: str
    students: tuple[StudentRef, ...]
    checks: tuple[str, ...]
    example: str = ""    # the most common judge message behind this row, for the instructor

    @property
    def count(self) -> int:
        return len(self.students)


@dataclass(frozen=True)
class ExerciseInsight:
    name: str
    title: str
    students: int
    mistakes: tuple[MistakeRow, ...]
    not_judged: tuple[MistakeRow, ...]
    distribution: tuple[int, ...]      # students per score band of this exercise


@dataclass(frozen=True)
class ItemStats:
    check_id: str
    exercise: str
    title: str
    hidden: bool
    students: int
    passed: int
    discrimination: float | None      # pass rate of the strongest third minus the weakest third's
    flags: tuple[str, ...]

    @property
    def pass_rate(self) -> float:
        return self.passed / self.students if self.students else 0.0


@dataclass(frozen=True)
class ClassInsight:
    exercises: tuple[ExerciseInsight, ...]
    items: tuple[ItemStats, ...]


FLAG_NOBODY = "nobody passes"
FLAG_EVERYONE = "everyone passes"
FLAG_REVERSED = "weak students pass more often than strong ones"


def classify(c: CheckResult) -> tuple[Kind, str] | None:
    """Which row a check result counts in, or None when it passed."""
    if c.status == "passed":
        return None
    if c.status == "not_attempted" or c.mistake == "not_attempted":
        return "not_judged", "not_attempted"
    if c.mistake and is_misconception(c.mistake):
        return "misconception", c.mistake
    if c.mistake in _STOPPED:
        return "not_judged", "stopped"
    if c.mistake:
        return "not_judged", c.mistake    # a reason the code was not judged, named by the judge
    if c.status == "error":
        return "not_judged", "grader_error" if _GRADER_ERROR_PHRASE in c.message.lower() else "stopped"
    return "not_judged", "unnamed"


def _rows(exercise: str, found: dict[tuple[Kind, str], dict[str, Any]], kind: Kind) -> tuple[MistakeRow, ...]:
    rows = []
    for (k, mid), seen in found.items():
        if k != kind:
            continue
        messages: dict[str, int] = seen["messages"]
        example = max(messages.items(), key=lambda kv: (kv[1], -len(kv[0])))[0] if messages else ""
        rows.append(MistakeRow(
            exercise=exercise, kind=k, id=mid,
            description=NOT_JUDGED.get(mid, describe_mistake(mid)) if k == "not_judged" else describe_mistake(mid),
            students=tuple(sorted(seen["students"].values(), key=lambda s: (s.student_id, s.folder))),
            checks=tuple(seen["checks"]), example=example[:300],
        ))
    if kind == "misconception":
        return tuple(sorted(rows, key=lambda r: (-r.count, r.description)))
    order = {mid: i for i, mid in enumerate(NOT_JUDGED)}
    return tuple(sorted(rows, key=lambda r: (order.get(r.id, len(order)), r.id)))


def _exercise(name: str, title: str, results: Sequence[tuple[str, StudentResult]]) -> ExerciseInsight:
    found: dict[tuple[Kind, str], dict[str, Any]] = {}
    percents = []
    for folder, r in results:
        for e in r.exercises:
            if e.name != name:
                continue
            percents.append(percent(e.score, e.max_score))
            for c in e.checks:
                where = classify(c)
                if where is None:
                    continue
                seen = found.setdefault(where, {"students": {}, "checks": {}, "messages": {}})
                seen["students"][folder] = StudentRef(r.student_id, folder)   # once per student
                seen["checks"][c.check_id] = None
                seen["messages"][c.message] = seen["messages"].get(c.message, 0) + 1
    return ExerciseInsight(name, title, len(percents), _rows(name, found, "misconception"),
                           _rows(name, found, "not_judged"), tuple(histogram(percents, EXERCISE_BINS)))


def _thirds(results: Sequence[tuple[str, StudentResult]]) -> tuple[set[str], set[str]]:
    """Folders of the weakest and the strongest third by total score (ties broken by id, for stability)."""
    ranked = sorted(results, key=lambda fr: (percent(fr[1].score, fr[1].max_score), fr[1].student_id, fr[0]))
    k = len(ranked) // 3
    if k == 0:
        return set(), set()
    return {f for f, _ in ranked[:k]}, {f for f, _ in ranked[-k:]}


def _rate(results: Sequence[tuple[str, CheckResult]], folders: set[str]) -> float | None:
    mine = [c for f, c in results if f in folders]
    return sum(c.status == "passed" for c in mine) / len(mine) if mine else None


def item_analysis(results: Sequence[tuple[str, StudentResult]]) -> tuple[ItemStats, ...]:
    weak, strong = _thirds(results)
    order: dict[str, CheckResult] = {}
    for _, r in results:
        for c in r.checks:
            order.setdefault(c.check_id, c)
    items = []
    for cid, first in order.items():
        mine = [(f, c) for f, r in results for c in r.checks if c.check_id == cid]
        passed = sum(c.status == "passed" for _, c in mine)
        high, low = _rate(mine, strong), _rate(mine, weak)
        disc = round(high - low, 3) if high is not None and low is not None else None
        flags = []
        if mine and passed == 0:
            flags.append(FLAG_NOBODY)
        if mine and passed == len(mine):
            flags.append(FLAG_EVERYONE)
        if disc is not None and disc < 0:
            flags.append(FLAG_REVERSED)
        items.append(ItemStats(cid, first.exercise, first.title, first.visibility == "hidden",
                               len(mine), passed, disc, tuple(flags)))
    return tuple(items)


def analyse(results: Sequence[tuple[str, StudentResult]]) -> ClassInsight:
    """`results` pairs each student's report folder with their result."""
    ordered = sorted(results, key=lambda fr: (fr[1].student_id, fr[0]))
    titles: dict[str, str] = {}
    for _, r in ordered:
        for e in r.exercises:
            titles.setdefault(e.name, e.title)
    return ClassInsight(tuple(_exercise(n, t, ordered) for n, t in titles.items()), item_analysis(ordered))


# -- the same data for other tools ------------------------------------------------------------

_FORMULA_START = frozenset("=+-@\t\r")  # OWASP's list, as grader.storage.classfiles guards grades.csv


def spreadsheet_cell(text: str) -> str:
    """A text cell no spreadsheet runs as a formula: a leading =, +, -, @, tab or carriage
    return (also after spaces) gets a quote in front; any other text is written as it is."""
    stripped = text.lstrip(" ")
    return "'" + text if stripped[:1] in _FORMULA_START else text


CSV_COLUMNS = ("exercise", "kind", "mistake", "description", "students", "student_ids", "checks")


def to_csv(insight: ClassInsight) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(CSV_COLUMNS)
    for ex in insight.exercises:
        for row in (*ex.mistakes, *ex.not_judged):
            w.writerow([spreadsheet_cell(ex.name), row.kind, spreadsheet_cell(row.id),
                        spreadsheet_cell(row.description), row.count,
                        # Ids are the students' own text: any character (a NUL, which Python
                        # 3.10's csv cannot write), so they go through the class files' guard.
                        "; ".join(csv_cell(s.student_id) for s in row.students),
                        spreadsheet_cell(" ".join(row.checks))])
    return buf.getvalue()


def _row_json(row: MistakeRow) -> dict[str, Any]:
    return {"id": row.id, "description": row.description, "count": row.count,
            "students": [s.student_id for s in row.students], "folders": [s.folder for s in row.students],
            "checks": list(row.checks)}


def to_summary(insight: ClassInsight) -> dict[str, Any]:
    """summary.json's "analysis" section."""
    return {
        "schema": SCHEMA,
        "exercises": {
            ex.name: {"title": ex.title, "students": ex.students,
                      "misconceptions": [_row_json(r) for r in ex.mistakes],
                      "not_judged": [_row_json(r) for r in ex.not_judged],
                      "distribution": {"band_percent": 100 // EXERCISE_BINS, "counts": list(ex.distribution)}}
            for ex in insight.exercises
        },
        "checks": {
            it.check_id: {"exercise": it.exercise, "students": it.students, "passed": it.passed,
                          "pass_rate": round(it.pass_rate, 4), "discrimination": it.discrimination,
                          "flags": list(it.flags)}
            for it in insight.items
        },
    }
