"""View models for the HTML reports: results turned into ready-to-show strings and numbers.

Templates only display. Every decision (what a student may see of a hidden
check, which cells differ, how long captured output may get) is made here, so
it can be tested without parsing HTML. Nothing in these views is marked safe
except HTML we generate ourselves: Pygments output (which escapes the code it
highlights) and SVG built from numbers.
"""

from __future__ import annotations

import math
import re
import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import quote

import numpy as np
from markupsafe import Markup
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import PythonLexer

from grader.model import CheckResult, ExerciseResult, StudentResult

View = Literal["student", "instructor"]
VIEWS: tuple[View, ...] = ("student", "instructor")

OUTPUT_LIMIT = 4000        # characters of captured output shown per block
TRACEBACK_LIMIT = 3000     # characters of a traceback shown
SOURCE_LIMIT = 60_000      # characters of submitted code highlighted
TEXT_VALUE_LIMIT = 2000    # characters of a non-numeric expected/got value
TABLE_ROWS = 12            # rows and columns of an expected-vs-got table
TABLE_COLS = 10
RTOL = ATOL = 1e-4         # the tolerance the checks use; cells outside it are marked

STATUS_LABELS = {
    "passed": "Passed",
    "failed": "Failed",
    "not_attempted": "Not attempted",
    "error": "Error",
}
HIDDEN_FAILED_MESSAGE = "This hidden check did not pass. Its inputs are not shown; use the hint below."
HIDDEN_PASSED_MESSAGE = "Passed."


def check_view_name(view: str) -> View:
    if view not in VIEWS:
        raise ValueError(f"unknown view {view!r}: use one of {', '.join(VIEWS)}")
    return view


# --------------------------------------------------------------------------
# Small pieces


@dataclass(frozen=True)
class TextBlock:
    """Text that may be cut for display; `note` says what was cut."""

    text: str
    note: str = ""
    lines: int = 0


def clip(text: str, limit: int, what: str) -> TextBlock:
    text = text.replace("\r\n", "\n")
    lines = text.count("\n") + (1 if text and not text.endswith("\n") else 0)
    if len(text) <= limit:
        return TextBlock(text, "", lines)
    return TextBlock(text[:limit], f"Showing the first {limit:,} of {len(text):,} characters of {what}.", lines)


def clip_tail(text: str, limit: int, what: str) -> TextBlock:
    """Keep the end: the last frames of a traceback matter most."""
    text = text.replace("\r\n", "\n").strip("\n")
    lines = text.count("\n") + 1 if text else 0
    if len(text) <= limit:
        return TextBlock(text, "", lines)
    return TextBlock(text[-limit:], f"Showing the last {limit:,} of {len(text):,} characters of {what}.", lines)


def fmt_points(x: float) -> str:
    """3 -> "3", 2.5 -> "2.5": points read best without trailing zeros."""
    if not math.isfinite(x):
        return str(x)
    return f"{x:.2f}".rstrip("0").rstrip(".") or "0"


def fmt_number(x: float) -> str:
    if isinstance(x, (bool, np.bool_)):
        return str(bool(x))
    if isinstance(x, (int, np.integer)):
        return str(int(x))
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    if x == int(x) and abs(x) < 1e15:
        return str(int(x))
    # Enough digits that two values the checks tell apart never print the same.
    return f"{x:.10g}"


def percent(score: float, max_score: float) -> float:
    return round(100.0 * score / max_score, 1) if max_score > 0 else 0.0


# --------------------------------------------------------------------------
# Expected vs got


@dataclass(frozen=True)
class Cell:
    text: str
    differs: bool = False


@dataclass(frozen=True)
class Grid:
    """One side of a comparison: rows of cells, plus what was left out."""

    label: str
    shape: str
    rows: tuple[tuple[Cell, ...], ...]
    note: str = ""


@dataclass(frozen=True)
class Comparison:
    """Expected vs got, as two grids with differing cells marked, or as text."""

    grids: tuple[Grid, ...] = ()
    shapes_differ: bool = False
    summary: str = ""
    # Used when the values are not numeric arrays.
    expected_text: str | None = None
    got_text: str | None = None


def _numeric(value: Any) -> tuple[np.ndarray, str] | None:
    """An array and a shape label, or None when the value is not numbers.

    Values come from `grader.judging.judge.displayable`: lists, scalars, non-finite
    floats spelled as strings, or {"shape", "truncated", "head"} for big arrays.
    """
    shape_note = ""
    if isinstance(value, dict) and value.get("truncated") and "head" in value:
        shape_note = " (first values only)"
        full_shape = value.get("shape")
        value = value["head"]
        label = "×".join(str(n) for n in full_shape) if isinstance(full_shape, list) else "?"
    else:
        label = ""
    if isinstance(value, bool) or value is None or isinstance(value, dict):
        return None
    try:
        arr = np.asarray(_nonfinite(value), dtype=np.float64)
    except (TypeError, ValueError):
        return None
    if arr.dtype == object:
        return None
    if not label:
        label = "scalar" if arr.ndim == 0 else "×".join(str(n) for n in arr.shape)
    return arr, label + shape_note


def _nonfinite(value: Any) -> Any:
    if isinstance(value, str) and value in ("nan", "inf", "-inf"):
        return float(value)
    if isinstance(value, list):
        return [_nonfinite(v) for v in value]
    return value


def _as_2d(arr: np.ndarray) -> np.ndarray:
    if arr.ndim == 0:
        return arr.reshape(1, 1)
    if arr.ndim == 1:
        return arr.reshape(1, -1)
    return arr.reshape(-1, arr.shape[-1])


def _grid(label: str, shape: str, arr: np.ndarray, differs: np.ndarray | None) -> Grid:
    two = _as_2d(arr)
    rows = []
    for i in range(min(two.shape[0], TABLE_ROWS)):
        rows.append(tuple(
            Cell(fmt_number(float(two[i, j])), bool(differs[i, j]) if differs is not None else False)
            for j in range(min(two.shape[1], TABLE_COLS))
        ))
    cut = []
    if two.shape[0] > TABLE_ROWS:
        cut.append(f"{two.shape[0] - TABLE_ROWS} more rows")
    if two.shape[1] > TABLE_COLS:
        cut.append(f"{two.shape[1] - TABLE_COLS} more columns")
    return Grid(label, shape, tuple(rows), ("Not shown: " + ", ".join(cut) + ".") if cut else "")


def _value_text(value: Any) -> str:
    text = repr(value) if not isinstance(value, str) else value
    return text if len(text) <= TEXT_VALUE_LIMIT else text[:TEXT_VALUE_LIMIT] + " …"


def compare(expected: Any, got: Any) -> Comparison | None:
    """The expected-vs-got display for a failed check, or None when there is nothing to show."""
    if expected is None and got is None:
        return None
    want, have = _numeric(expected), _numeric(got)
    if want is None or have is None:
        # A side the judge left out (e.g. a quiz answer it must not reveal) is not shown.
        return Comparison(expected_text=None if expected is None else _value_text(expected),
                          got_text=None if got is None else _value_text(got))
    (w, wshape), (g, gshape) = want, have
    if w.shape == g.shape:
        with np.errstate(invalid="ignore"):
            bad = ~np.isclose(g, w, rtol=RTOL, atol=ATOL, equal_nan=True)
        bad2 = _as_2d(bad)
        n = int(bad.sum())
        summary = (f"{n} of {bad.size} values differ (marked)." if n else "All shown values agree.")
        return Comparison((_grid("Expected", wshape, w, None), _grid("Got", gshape, g, bad2)),
                          shapes_differ=False, summary=summary)
    return Comparison((_grid("Expected", wshape, w, None), _grid("Got", gshape, g, None)),
                      shapes_differ=True, summary=f"The shapes differ: expected {wshape}, got {gshape}.")


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
    dashboard_href: str = ""


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
    return _value_text(inputs)


def check_view(result: CheckResult, view: View) -> CheckView:
    full = shows_details(result, view)
    if full:
        message = result.message
        comparison = compare(result.expected, result.got) if result.status != "passed" else None
        tb = clip_tail(result.traceback, TRACEBACK_LIMIT, "the traceback") if result.traceback.strip() else None
        out = clip(result.output, OUTPUT_LIMIT, "the output") if result.output else None
        inputs = _inputs_text(result.inputs)
        mistake = result.mistake or ""
    else:
        message = {"passed": HIDDEN_PASSED_MESSAGE, "not_attempted": "Not attempted yet."}.get(
            result.status, HIDDEN_FAILED_MESSAGE)
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
    formatter = HtmlFormatter(linenos="inline", hl_lines=list(marked_in), cssclass="code",
                              lineanchors=_anchor("src", exercise.name), wrapcode=True)
    # Pygments escapes every token of the code; this is the only student text we mark safe.
    html = Markup(highlight(code, PythonLexer(), formatter))
    return SourceView(name=name, html=html, marked_lines=marked_in, note=note)


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


def pygments_css() -> Markup:
    # Our own stylesheet text: Pygments generates it from its style, no student input.
    return Markup(HtmlFormatter(cssclass="code").get_style_defs(".code"))


def student_page(result: StudentResult, view: str = "student", dashboard_href: str = "") -> StudentPage:
    v = check_view_name(view)
    checks = result.checks
    counts = tuple((s, STATUS_LABELS[s], sum(c.status == s for c in checks)) for s in STATUS_LABELS)
    pct = percent(result.score, result.max_score)
    return StudentPage(
        view=v,
        title=f"Feedback for {result.student_id}",
        student_id=result.student_id,
        score=fmt_points(result.score),
        max_score=fmt_points(result.max_score),
        percent=pct,
        bar_width=f"{max(0.0, min(100.0, pct)):.1f}",
        counts=tuple(c for c in counts if c[2] or c[0] == "passed"),
        exercises=tuple(exercise_view(e, v) for e in result.exercises),
        problems=result.problems,
        output=clip(result.output, OUTPUT_LIMIT, "the output") if result.output else None,
        execution_time=f"{result.execution_time:.1f} s",
        grader_version=result.grader_version,
        pygments_css=pygments_css(),
        dashboard_href=dashboard_href,
    )


# --------------------------------------------------------------------------
# Class dashboard


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
class FailureRow:
    check_id: str
    message: str
    students: int
    examples: str


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
    checks: tuple[RateRow, ...]
    failures: tuple[FailureRow, ...]
    exercise_names: tuple[tuple[str, str], ...]
    students: tuple[StudentRow, ...]
    links: tuple[Link, ...]
    summary_items: tuple[tuple[str, str], ...] = field(default_factory=tuple)


HISTOGRAM_BINS = 10


def histogram(percents: Sequence[float], bins: int = HISTOGRAM_BINS) -> list[int]:
    """Counts per 10-point band; 100% falls in the top band."""
    counts = [0] * bins
    for p in percents:
        i = int(max(0.0, min(99.999, p)) // (100 / bins))
        counts[i] += 1
    return counts


def histogram_svg(counts: Sequence[int]) -> Markup:
    """A bar chart as inline SVG. Every value written into it is a number we computed."""
    width, height, left, bottom, top = 480, 220, 34, 40, 16
    plot_w, plot_h = width - left - 10, height - bottom - top
    peak = max(max(counts, default=0), 1)
    bar_w = plot_w / len(counts)
    parts = [f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
             f'aria-labelledby="chart-title" xmlns="http://www.w3.org/2000/svg">',
             '<title id="chart-title">Number of students per score band</title>']
    for tick in sorted({0, peak // 2, peak}):
        y = top + plot_h - plot_h * tick / peak
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - 10}" y2="{y:.1f}" class="grid"/>')
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{int(tick)}</text>')
    step = 100 // len(counts)
    for i, n in enumerate(counts):
        h = plot_h * n / peak
        x = left + i * bar_w + 3
        y = top + plot_h - h
        parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w - 6:.1f}" height="{h:.1f}" class="hbar">'
                     f'<title>{i * step}–{(i + 1) * step}%: {int(n)}</title></rect>')
        if n:
            parts.append(f'<text x="{x + (bar_w - 6) / 2:.1f}" y="{y - 3:.1f}" text-anchor="middle">{int(n)}</text>')
        parts.append(f'<text x="{x + (bar_w - 6) / 2:.1f}" y="{height - bottom + 16}" '
                     f'text-anchor="middle">{i * step}</text>')
    parts.append(f'<text x="{left + plot_w / 2:.1f}" y="{height - 4}" text-anchor="middle">score %</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def _rate_row(key: str, title: str, passed: int, total: int, hidden: bool = False, mean: str = "") -> RateRow:
    rate = round(100.0 * passed / total, 1) if total else 0.0
    return RateRow(key, title, passed, total, rate, f"{rate:.1f}", hidden, mean)


def dashboard_page(results: Sequence[tuple[str, StudentResult]], summary: dict[str, Any] | None = None,
                   view: str = "instructor", links: Sequence[Link] = ()) -> DashboardPage:
    """`results` pairs each student's report folder (relative to the dashboard) with their result."""
    v = check_view_name(view)
    ordered = sorted(results, key=lambda r: r[1].student_id)
    percents = [percent(r.score, r.max_score) for _, r in ordered]

    # Exercises and checks in first-seen order, so the grading order is kept.
    ex_titles: dict[str, str] = {}
    check_titles: dict[str, tuple[str, bool]] = {}
    for _, r in ordered:
        for e in r.exercises:
            ex_titles.setdefault(e.name, e.title)
            for c in e.checks:
                check_titles.setdefault(c.check_id, (c.title, c.visibility == "hidden"))

    exercises = []
    for name, title in ex_titles.items():
        mine = [e for _, r in ordered for e in r.exercises if e.name == name]
        full = sum(e.max_score > 0 and e.score >= e.max_score for e in mine)
        mean = statistics.fmean(percent(e.score, e.max_score) for e in mine) if mine else 0.0
        exercises.append(_rate_row(name, title, full, len(mine), mean=f"{mean:.1f}%"))

    checks = []
    for cid, (title, hidden) in check_titles.items():
        mine_c = [c for _, r in ordered for c in r.checks if c.check_id == cid]
        checks.append(_rate_row(cid, title, sum(c.status == "passed" for c in mine_c), len(mine_c), hidden))

    failures: Counter[tuple[str, str]] = Counter()
    who: dict[tuple[str, str], list[str]] = {}
    for _, r in ordered:
        for c in r.checks:
            if c.status in ("failed", "error"):
                msg = c.message if shows_details(c, v) else HIDDEN_FAILED_MESSAGE
                key = (c.check_id, msg)
                failures[key] += 1
                who.setdefault(key, []).append(r.student_id)
    top = sorted(failures.items(), key=lambda kv: (-kv[1], kv[0]))[:15]
    failure_rows = tuple(
        FailureRow(cid, msg, n, ", ".join(who[(cid, msg)][:5]) + (" …" if n > 5 else ""))
        for (cid, msg), n in top
    )

    rows = []
    for folder, r in ordered:
        by_name = {e.name: e for e in r.exercises}
        rows.append(StudentRow(
            student_id=r.student_id,
            href=quote(folder) + "/report.html",
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
            problems=len(r.problems),
        ))

    def stat(values: Sequence[float], fn: Any) -> str:
        return f"{fn(values):.1f}%" if values else "–"

    summary_items = tuple((str(k), _value_text(v)[:200]) for k, v in (summary or {}).items()
                          if isinstance(v, (str, int, float)) and not isinstance(v, bool))[:12]
    counts = histogram(percents)
    return DashboardPage(
        view=v,
        title="Class dashboard",
        n_students=len(ordered),
        mean=stat(percents, statistics.fmean),
        median=stat(percents, statistics.median),
        lowest=stat(percents, min),
        highest=stat(percents, max),
        chart_svg=histogram_svg(counts),
        chart_caption=", ".join(f"{i * 10}–{i * 10 + 10}%: {n}" for i, n in enumerate(counts)),
        exercises=tuple(exercises),
        checks=tuple(checks),
        failures=failure_rows,
        exercise_names=tuple(ex_titles.items()),
        students=tuple(rows),
        links=tuple(links),
        summary_items=summary_items,
    )

