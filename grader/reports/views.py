"""View models for the student report: results turned into ready-to-show strings and numbers.

Templates only display. Every decision (what a student may see of a hidden
check, which cells differ, how long captured output may get, which links a
student's page may carry) is made here, so it can be tested without parsing
HTML. Nothing in these views is marked safe except HTML we generate
ourselves: Pygments output (which escapes the code it highlights) and SVG
built from numbers. The class dashboard's views are in `grader.reports.dashboard`.
"""

from __future__ import annotations

import functools
import posixpath
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from markupsafe import Markup
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import PythonLexer

from grader.model import CheckResult, ExerciseResult, StudentResult
from grader.reports.charts import histogram, histogram_svg  # noqa: F401 - re-exported for callers
from grader.reports.compare import Comparison, compare
from grader.reports.insight import describe_mistake
from grader.reports.feedback import hidden_message
from grader.reports.text import (TextBlock, clip, clip_tail, fmt_number, fmt_points,  # noqa: F401
                                 percent, value_text, wrap_parts)

View = Literal["student", "instructor"]
VIEWS: tuple[View, ...] = ("student", "instructor")

OUTPUT_LIMIT = 4000        # characters of captured output shown per block
TRACEBACK_LIMIT = 3000     # characters of a traceback shown
SOURCE_LIMIT = 60_000      # characters of submitted code highlighted
NOTE_PREFIX = "Note: "     # batch marks notes (e.g. a skipped `%matplotlib inline`) among the problems
CLASS_PAGE = "class.html"  # the anonymous class statistics a student may see
REPORT_PAGE = "report.html"

STATUS_LABELS = {
    "passed": "Passed",
    "failed": "Failed",
    "not_attempted": "Not attempted",
    "error": "Error",
}


def check_view_name(view: str) -> View:
    if view not in VIEWS:
        raise ValueError(f"unknown view {view!r}: use one of {', '.join(VIEWS)}")
    return view


def split_problems(problems: Sequence[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(problems, notes), each listed once in first-seen order.

    A note (something skipped on purpose, like a `%matplotlib inline` line) is not a problem.
    """
    real: dict[str, None] = {}
    notes: dict[str, None] = {}
    for p in problems:
        if p.startswith(NOTE_PREFIX):
            notes.setdefault(p.removeprefix(NOTE_PREFIX), None)
        else:
            real.setdefault(p, None)
    return tuple(real), tuple(notes)


# --------------------------------------------------------------------------
# Student report


@dataclass(frozen=True)
class CheckView:
    anchor: str
    check_id: str
    title: str
    status: str
    status_label: str
    points: str
    max_points: str
    hidden: bool
    message: str
    hint: str
    mistake: str
    comparison: Comparison | None
    inputs: str
    traceback: TextBlock | None
    output: TextBlock | None


@dataclass(frozen=True)
class SourceView:
    name: str
    html: Markup          # Pygments output: it escaped the code itself
    marked_lines: tuple[int, ...]
    note: str = ""


@dataclass(frozen=True)
class ExerciseView:
    anchor: str
    name: str
    title: str
    score: str
    max_score: str
    percent: float
    status: str
    counts: str
    checks: tuple[CheckView, ...]
    source: SourceView | None


@dataclass(frozen=True)
class StudentPage:
    view: View
    title: str
    student_id: str
    score: str
    max_score: str
    percent: float
    bar_width: str
    counts: tuple[tuple[str, str, int], ...]  # (status, label, count)
    exercises: tuple[ExerciseView, ...]
    problems: tuple[str, ...]
    output: TextBlock | None
    execution_time: str
    grader_version: str
    pygments_css: Markup
    notes: tuple[str, ...] = ()
    id_parts: tuple[str, ...] = ()
    # The one link off the page: the instructor's dashboard, or for a student the anonymous class page.
    link_label: str = ""
    link_href: str = ""


_TB_FRAME = re.compile(r'File "([^"\n]+)", line (\d+)')
_SYNTAX_AT = re.compile(r"\(([^()\n]+), line (\d+)\)")


def traceback_lines(text: str, file_name: str) -> set[int]:
    """Line numbers in `file_name` that a traceback (or a SyntaxError message) points at."""
    lines = set()
    for regex in (_TB_FRAME, _SYNTAX_AT):
        for m in regex.finditer(text):
            if m.group(1) == file_name:
                lines.add(int(m.group(2)))
    return lines


def shows_details(result: CheckResult, view: View) -> bool:
    """The instructor sees everything; a student sees a hidden check's status and hint only."""
    return view == "instructor" or result.visibility != "hidden"


def _anchor(*parts: str) -> str:
    # Anchors are built from our own ids (exercise and check names), but keep them tame anyway.
    return "-".join(re.sub(r"[^A-Za-z0-9_-]+", "_", p) for p in parts)


def _inputs_text(inputs: Any) -> str:
    if inputs in (None, {}, []):
        return ""
    return value_text(inputs)


def check_view(result: CheckResult, view: View) -> CheckView:
    full = shows_details(result, view)
    if full:
        message = result.message
        comparison = compare(result.expected, result.got, result.tolerance) if result.status != "passed" else None
        tb = clip_tail(result.traceback, TRACEBACK_LIMIT, "the traceback") if result.traceback.strip() else None
        out = clip(result.output, OUTPUT_LIMIT, "the output") if result.output else None
        inputs = _inputs_text(result.inputs)
        # Teaching words first; the id is what the dashboard and misconceptions.csv use.
        mistake = f"{describe_mistake(result.mistake)} ({result.mistake})" if result.mistake else ""
    else:
        message = hidden_message(result)  # word for word what results.json `output` says
        comparison, tb, out, inputs, mistake = None, None, None, "", ""
    return CheckView(
        anchor=_anchor("check", result.check_id),
        check_id=result.check_id,
        title=result.title,
        status=result.status,
        status_label=STATUS_LABELS.get(result.status, result.status),
        points=fmt_points(result.score),
        max_points=fmt_points(result.max_score),
        hidden=result.visibility == "hidden",
        message=message,
        hint=result.hint if result.status != "passed" else "",
        mistake=mistake,
        comparison=comparison,
        inputs=inputs,
        traceback=tb,
        output=out,
    )


def source_view(exercise: ExerciseResult, view: View) -> SourceView | None:
    if not exercise.source:
        return None
    name = exercise.source_name or f"{exercise.name}.py"
    marked: set[int] = set()
    for r in exercise.checks:
        if shows_details(r, view):
            marked |= traceback_lines(r.traceback, name) | traceback_lines(r.message, name)
    code, note = exercise.source, ""
    if len(code) > SOURCE_LIMIT:
        code = code[:SOURCE_LIMIT]
        note = f"Showing the first {SOURCE_LIMIT:,} of {len(exercise.source):,} characters."
    n_lines = code.count("\n") + 1
    marked_in = tuple(sorted(n for n in marked if 1 <= n <= n_lines))
    # Pygments escapes every token of the code; this is the only student text we mark safe.
    html = Markup(_highlighted(code, marked_in, _anchor("src", exercise.name)))
    return SourceView(name=name, html=html, marked_lines=marked_in, note=note)


@functools.lru_cache(maxsize=128)
def _highlighted(code: str, marked: tuple[int, ...], anchors: str) -> str:
    """The highlighted HTML of `code`, kept for files handed in byte for byte alike (the stub
    of an exercise nobody attempted, a notebook the class shares): highlighting is most of
    what a report page costs, and the page is written once per student and view."""
    formatter = HtmlFormatter(linenos="inline", hl_lines=list(marked), cssclass="code",
                              lineanchors=anchors, wrapcode=True)
    return highlight(code, PythonLexer(), formatter)


def _exercise_status(checks: Sequence[CheckResult]) -> str:
    statuses = {c.status for c in checks}
    if statuses == {"passed"}:
        return "passed"
    if statuses == {"not_attempted"}:
        return "not_attempted"
    if "error" in statuses:
        return "error"
    return "failed"


def _counts_text(checks: Sequence[CheckResult]) -> str:
    passed = sum(c.status == "passed" for c in checks)
    return f"{passed} of {len(checks)} checks passed"


def exercise_view(exercise: ExerciseResult, view: View) -> ExerciseView:
    return ExerciseView(
        anchor=_anchor("ex", exercise.name),
        name=exercise.name,
        title=exercise.title,
        score=fmt_points(exercise.score),
        max_score=fmt_points(exercise.max_score),
        percent=percent(exercise.score, exercise.max_score),
        status=_exercise_status(exercise.checks),
        counts=_counts_text(exercise.checks),
        checks=tuple(check_view(c, view) for c in exercise.checks),
        source=source_view(exercise, view),
    )


@functools.lru_cache(maxsize=1)
def pygments_css() -> Markup:
    # Our own stylesheet text: Pygments generates it from its style, no student input
    # (the same for every page, so made once).
    return Markup(HtmlFormatter(cssclass="code").get_style_defs(".code"))


def page_link(view: View, dashboard_href: str) -> tuple[str, str]:
    """(label, href) of the link a report carries, given where the class dashboard is.

    A student's page never links to the dashboard (it names every classmate) or to
    the class files; it links to the anonymous class page beside the dashboard.
    """
    if not dashboard_href:
        return "", ""
    if view == "instructor":
        return "Class dashboard", dashboard_href
    folder = posixpath.dirname(dashboard_href)
    return "Class statistics", posixpath.join(folder, CLASS_PAGE) if folder else CLASS_PAGE


def student_page(result: StudentResult, view: str = "student", dashboard_href: str = "") -> StudentPage:
    v = check_view_name(view)
    checks = result.checks
    counts = tuple((s, STATUS_LABELS[s], sum(c.status == s for c in checks)) for s in STATUS_LABELS)
    pct = percent(result.score, result.max_score)
    problems, notes = split_problems(result.problems)
    label, href = page_link(v, dashboard_href)
    return StudentPage(
        view=v,
        title=f"Feedback for {result.student_id}",
        student_id=result.student_id,
        score=fmt_points(result.score),
        max_score=fmt_points(result.max_score),
        percent=pct,
        bar_width=f"{max(0.0, min(100.0, pct)):.1f}",
        # Only statuses that occur: a student with nothing passed gets no green "Passed: 0".
        counts=tuple(c for c in counts if c[2]),
        exercises=tuple(exercise_view(e, v) for e in result.exercises),
        problems=problems,
        output=clip(result.output, OUTPUT_LIMIT, "the output") if result.output else None,
        execution_time=f"{result.execution_time:.1f} s",
        grader_version=result.grader_version,
        pygments_css=pygments_css(),
        notes=notes,
        id_parts=wrap_parts(result.student_id),
        link_label=label,
        link_href=href,
    )
