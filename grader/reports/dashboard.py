"""View models for the class pages: the instructor's dashboard and the anonymous class page.

The dashboard names students and is for course staff only. The class page is
what a student may see of the class: counts, mean, median and a histogram, no
ids, scores of others or links to class files, and nothing at all for a class
smaller than `MIN_CLASS_SIZE` (a mean of three students says too much about each).
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from markupsafe import Markup

from grader.model import StudentResult
from grader.reports.charts import band_labels, histogram, histogram_svg
from grader.reports.insight import ClassInsight, ItemStats, MistakeRow, analyse
from grader.reports.text import fmt_points, percent, value_text, wrap_parts
from grader.reports.views import REPORT_PAGE, View, check_view_name, split_problems

MIN_CLASS_SIZE = 5


@dataclass(frozen=True)
class RateRow:
    key: str
    title: str
    passed: int
    total: int
    rate: float
    bar_width: str
    hidden: bool = False
    mean: str = ""


@dataclass(frozen=True)
class StudentLink:
    student_id: str
    id_parts: tuple[str, ...]
    href: str


@dataclass(frozen=True)
class MistakeView:
    id: str
    description: str
    count: int
    students: tuple[StudentLink, ...]
    checks: str
    example: str


@dataclass(frozen=True)
class ExerciseInsightView:
    anchor: str
    name: str
    title: str
    chart_svg: Markup     # numbers only
    chart_caption: str
    mistakes: tuple[MistakeView, ...]
    not_judged: tuple[MistakeView, ...]


@dataclass(frozen=True)
class ItemView:
    check_id: str
    title: str
    hidden: bool
    passed: int
    total: int
    rate: float
    bar_width: str
    discrimination: str
    flags: tuple[str, ...]


@dataclass(frozen=True)
class StudentRow:
    student_id: str
    href: str
    score: str
    max_score: str
    percent: float
    passed: int
    total: int
    failing: str          # space-separated exercise names, for the filter
    exercise_scores: tuple[tuple[str, str], ...]   # (shown text, sort key)
    problems: int
    display_name: str = ""   # the LMS's name for the student, beside the id


@dataclass(frozen=True)
class Link:
    label: str
    href: str


@dataclass(frozen=True)
class DashboardPage:
    view: View
    title: str
    n_students: int
    mean: str
    median: str
    lowest: str
    highest: str
    chart_svg: Markup     # built here from numbers only
    chart_caption: str
    exercises: tuple[RateRow, ...]
    items: tuple[ItemView, ...]
    misconceptions: tuple[ExerciseInsightView, ...]
    exercise_names: tuple[tuple[str, str], ...]
    students: tuple[StudentRow, ...]
    links: tuple[Link, ...]
    summary_items: tuple[tuple[str, str], ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class ClassPage:
    """Anonymous aggregates only; `shown` is False for classes under MIN_CLASS_SIZE."""

    title: str
    shown: bool
    n_students: int
    mean: str
    median: str
    chart_svg: Markup
    chart_caption: str
    withheld: str = ""


def report_href(folder: str) -> str:
    return quote(folder) + "/" + REPORT_PAGE


def _stat(values: Sequence[float], fn: Any) -> str:
    return f"{fn(values):.1f}%" if values else "–"


def _caption(counts: Sequence[int]) -> str:
    return ", ".join(f"{label}: {n}" for label, n in zip(band_labels(len(counts)), counts))


def _rate_row(key: str, title: str, passed: int, total: int, hidden: bool = False, mean: str = "") -> RateRow:
    rate = round(100.0 * passed / total, 1) if total else 0.0
    return RateRow(key, title, passed, total, rate, f"{rate:.1f}", hidden, mean)


def _mistake_view(row: MistakeRow) -> MistakeView:
    return MistakeView(row.id, row.description, row.count,
                       tuple(StudentLink(s.student_id, wrap_parts(s.student_id), report_href(s.folder))
                             for s in row.students),
                       ", ".join(row.checks), row.example)


def _item_view(it: ItemStats) -> ItemView:
    rate = round(100.0 * it.pass_rate, 1)
    disc = "–" if it.discrimination is None else f"{it.discrimination:+.2f}"
    return ItemView(it.check_id, it.title, it.hidden, it.passed, it.students, rate, f"{rate:.1f}", disc, it.flags)


def insight_views(insight: ClassInsight) -> tuple[tuple[ExerciseInsightView, ...], tuple[ItemView, ...]]:
    exercises = tuple(
        ExerciseInsightView(
            anchor=f"mis-{i}", name=ex.name, title=ex.title,
            chart_svg=histogram_svg(ex.distribution, chart_id=f"mis-{i}-chart", small=True,
                                    title="Students per score band of this exercise"),
            chart_caption=_caption(ex.distribution),
            mistakes=tuple(_mistake_view(r) for r in ex.mistakes),
            not_judged=tuple(_mistake_view(r) for r in ex.not_judged),
        ) for i, ex in enumerate(insight.exercises))
    return exercises, tuple(_item_view(it) for it in insight.items)


def dashboard_page(results: Sequence[tuple[str, StudentResult]], summary: dict[str, Any] | None = None,
                   view: str = "instructor", links: Sequence[Link] = (),
                   insight: ClassInsight | None = None) -> DashboardPage:
    """`results` pairs each student's report folder (relative to the dashboard) with their result."""
    v = check_view_name(view)
    ordered = sorted(results, key=lambda r: r[1].student_id)
    percents = [percent(r.score, r.max_score) for _, r in ordered]

    # Exercises in first-seen order, so the grading order is kept.
    ex_titles: dict[str, str] = {}
    for _, r in ordered:
        for e in r.exercises:
            ex_titles.setdefault(e.name, e.title)

    exercises = []
    for name, title in ex_titles.items():
        mine = [e for _, r in ordered for e in r.exercises if e.name == name]
        full = sum(e.max_score > 0 and e.score >= e.max_score for e in mine)
        mean = statistics.fmean(percent(e.score, e.max_score) for e in mine) if mine else 0.0
        exercises.append(_rate_row(name, title, full, len(mine), mean=f"{mean:.1f}%"))

    misconceptions, items = insight_views(insight if insight is not None else analyse(ordered))

    rows = []
    for folder, r in ordered:
        by_name = {e.name: e for e in r.exercises}
        rows.append(StudentRow(
            student_id=r.student_id,
            display_name=r.display_name,
            href=report_href(folder),
            score=fmt_points(r.score),
            max_score=fmt_points(r.max_score),
            percent=percent(r.score, r.max_score),
            passed=sum(c.status == "passed" for c in r.checks),
            total=len(r.checks),
            failing=" ".join(e.name for e in r.exercises if e.score < e.max_score),
            exercise_scores=tuple(
                (f"{fmt_points(by_name[n].score)}/{fmt_points(by_name[n].max_score)}", fmt_points(by_name[n].score))
                if n in by_name else ("–", "")
                for n in ex_titles
            ),
            problems=len(split_problems(r.problems)[0]),   # notes are not problems
        ))

    summary_items = tuple((str(k), value_text(v)[:200]) for k, v in (summary or {}).items()
                          if isinstance(v, (str, int, float)) and not isinstance(v, bool))[:12]
    counts = histogram(percents)
    return DashboardPage(
        view=v,
        title="Class dashboard",
        n_students=len(ordered),
        mean=_stat(percents, statistics.fmean),
        median=_stat(percents, statistics.median),
        lowest=_stat(percents, min),
        highest=_stat(percents, max),
        chart_svg=histogram_svg(counts),
        chart_caption=_caption(counts),
        exercises=tuple(exercises),
        items=items,
        misconceptions=misconceptions,
        exercise_names=tuple(ex_titles.items()),
        students=tuple(rows),
        links=tuple(links),
        summary_items=summary_items,
    )


def class_page(results: Sequence[StudentResult]) -> ClassPage:
    """What a student may see of the class: aggregates of scores, nothing per student."""
    percents = [percent(r.score, r.max_score) for r in results]
    n = len(percents)
    if n < MIN_CLASS_SIZE:
        return ClassPage("Class statistics", False, 0, "–", "–", Markup(""), "",
                         withheld=f"Class statistics are shown only for classes of {MIN_CLASS_SIZE} "
                                  "or more students.")
    counts = histogram(percents)
    return ClassPage("Class statistics", True, n, _stat(percents, statistics.fmean),
                     _stat(percents, statistics.median), histogram_svg(counts), _caption(counts))
