"""Report view models read exactly: clipping, number formats, comparisons, visibility, the dashboard.

Written against the mutants the golden-page tests let live (mutmut on grader/reports/views.py):
limits off by one, labels and notes that change unseen, defaults, and counts at their edges.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from grader.model import CheckResult, ExerciseResult, StudentResult
from grader.reports import views
from grader.reports.feedback import HIDDEN_FAILED_MESSAGE
from grader.reports import dashboard, text
from grader.reports.charts import histogram, histogram_svg
from grader.reports.compare import Cell, compare
from grader.reports.dashboard import dashboard_page
from grader.reports.text import TextBlock, clip, clip_tail, fmt_number, fmt_points, percent
from grader.reports.views import check_view, source_view, student_page


def _check(cid: str = "ex.a", status: str = "failed", *, hidden: bool = False, score: float = 0.0,
           max_score: float = 1.0, **extra: object) -> CheckResult:
    return CheckResult(check_id=cid, exercise=cid.split(".")[0], title=cid, score=score, max_score=max_score,
                       status=status, message=extra.pop("message", "msg"),  # type: ignore[arg-type]
                       visibility="hidden" if hidden else "public", **extra)  # type: ignore[arg-type]


def _exercise(name: str, checks: list[CheckResult], source: str = "", source_name: str = "",
              score: float | None = None, max_score: float | None = None) -> ExerciseResult:
    return ExerciseResult(name=name, title=name.title(),
                          score=sum(c.score for c in checks) if score is None else score,
                          max_score=sum(c.max_score for c in checks) if max_score is None else max_score,
                          checks=tuple(checks), source=source, source_name=source_name)


def _student(sid: str, exercises: list[ExerciseResult], **extra: object) -> StudentResult:
    return StudentResult(student_id=sid, score=sum(e.score for e in exercises),
                         max_score=sum(e.max_score for e in exercises), exercises=tuple(exercises),
                         **extra)  # type: ignore[arg-type]


# -- small pieces -------------------------------------------------------------

def test_clip_counts_lines_and_cuts_at_the_limit() -> None:
    assert clip("a\r\nb", 10, "x") == TextBlock("a\nb", "", 2)
    assert clip("a\n", 10, "x") == TextBlock("a\n", "", 1)
    assert clip("", 10, "x") == TextBlock("", "", 0)
    assert clip("abcde", 5, "the output") == TextBlock("abcde", "", 1)
    assert clip("abcdef", 5, "the output") == TextBlock(
        "abcde", "Showing the first 5 of 6 characters of the output.", 1)


def test_clip_tail_keeps_the_end() -> None:
    assert clip_tail("\n  x\r\ny  \n\n", 20, "t") == TextBlock("  x\ny  ", "", 2)
    assert clip_tail("", 20, "t") == TextBlock("", "", 0)
    assert clip_tail("abcde", 5, "the traceback") == TextBlock("abcde", "", 1)
    assert clip_tail("abcdef", 5, "the traceback") == TextBlock(
        "bcdef", "Showing the last 5 of 6 characters of the traceback.", 1)


def test_number_formats() -> None:
    assert [fmt_points(x) for x in (3.0, 2.5, 0.0, 10.0, 0.125, math.inf)] == ["3", "2.5", "0", "10", "0.12", "inf"]
    assert fmt_number(True) == "True" and fmt_number(np.bool_(False)) == "False"
    assert fmt_number(np.int64(3)) == "3" and fmt_number(5.0) == "5" and fmt_number(0.1) == "0.1"
    assert [fmt_number(x) for x in (math.nan, math.inf, -math.inf)] == ["nan", "inf", "-inf"]
    assert fmt_number(1e15) == "1e+15" and fmt_number(999999999999999.0) == "999999999999999"
    assert fmt_number(1.000000000001) == "1"  # 10 significant digits


def test_percent() -> None:
    assert percent(1.0, 0.0) == 0.0
    assert percent(0.5, 0.5) == 100.0
    assert percent(1.0, 3.0) == 33.3


def test_long_values_are_cut_with_an_ellipsis() -> None:
    exact = "x" * text.TEXT_VALUE_LIMIT
    assert text.value_text(exact) == exact
    assert text.value_text(exact + "y") == exact + " …"


# -- expected vs got ------------------------------------------------------------

def test_compare_marks_cells_with_the_checks_tolerance() -> None:
    cmp = compare([1000.0, 0.0, 1.0], [1000.05, 5e-5, 2.0], (1e-4, 1e-4))
    assert cmp is not None and cmp.shapes_differ is False
    expected, got = cmp.grids
    assert (expected.label, expected.shape, got.label, got.shape) == ("Expected", "3", "Got", "3")
    assert got.rows == ((Cell("1000.05"), Cell("5e-05"), Cell("2", True)),)
    assert expected.rows == ((Cell("1000"), Cell("0"), Cell("1")),)
    assert cmp.summary == "1 of 3 values differ (marked)."
    same = compare(["nan", "inf", "-inf"], ["nan", "inf", "-inf"])
    assert same is not None and same.summary == "All shown values agree."
    assert same.grids[1].rows == ((Cell("nan"), Cell("inf"), Cell("-inf")),)


def test_compare_labels_scalars_matrices_and_higher_ranks() -> None:
    scalar = compare(1.0, 2.0)
    assert scalar is not None
    assert [(g.label, g.shape, g.rows) for g in scalar.grids] == [
        ("Expected", "scalar", ((Cell("1"),),)), ("Got", "scalar", ((Cell("2", True),),))]
    cube = np.arange(24.0).reshape(2, 3, 4)
    cmp = compare(cube.tolist(), cube.tolist())
    assert cmp is not None and cmp.grids[0].shape == "2×3×4"
    assert len(cmp.grids[0].rows) == 6 and len(cmp.grids[0].rows[0]) == 4


def test_compare_of_different_shapes_shows_both_plainly() -> None:
    cmp = compare([1.0, 2.0], [[1.0], [2.0]])
    assert cmp is not None and cmp.shapes_differ
    assert [(g.label, g.shape) for g in cmp.grids] == [("Expected", "2"), ("Got", "2×1")]
    assert not any(c.differs for row in cmp.grids[1].rows for c in row)
    assert cmp.summary == "The shapes differ: expected 2, got 2×1."


def test_truncated_values_say_so() -> None:
    big = {"shape": [2, 500], "truncated": True, "head": [0.0] * 400}
    cmp = compare(big, big)
    assert cmp is not None and cmp.grids[0].shape == "2×500 (first values only)"
    odd = compare({"shape": "?", "truncated": True, "head": [1.0]}, 1.0)
    assert odd is not None and odd.grids[0].shape == "? (first values only)"


def test_grid_cuts_rows_and_columns_beyond_the_table() -> None:
    fits = compare(np.zeros((12, 10)).tolist(), np.zeros((12, 10)).tolist())
    assert fits is not None and fits.grids[0].note == ""
    tall = compare(np.zeros((13, 2)).tolist(), np.zeros((13, 2)).tolist())
    assert tall is not None and tall.grids[0].note == "Not shown: 1 more rows." and len(tall.grids[0].rows) == 12
    wide = compare(np.zeros((1, 11)).tolist(), np.zeros((1, 11)).tolist())
    assert wide is not None and wide.grids[0].note == "Not shown: 1 more columns."


def test_a_missing_side_stays_missing() -> None:
    cmp = compare("words", None)
    assert cmp is not None and (cmp.expected_text, cmp.got_text) == ("words", None)
    cmp = compare(None, {"a": 1})
    assert cmp is not None and (cmp.expected_text, cmp.got_text) == (None, "{'a': 1}")


# -- student report ---------------------------------------------------------------

@pytest.mark.parametrize(("status", "message"), [
    ("passed", "Passed."), ("not_attempted", "Not attempted yet."), ("failed", HIDDEN_FAILED_MESSAGE),
    ("error", HIDDEN_FAILED_MESSAGE),
])
def test_hidden_checks_show_students_only_a_fixed_message(status: str, message: str) -> None:
    view = check_view(_check("ex.h", status, hidden=True, message="secret", expected=[1.0], got=[2.0]), "student")
    assert (view.check_id, view.message, view.comparison, view.mistake) == ("ex.h", message, None, "")


def test_check_view_details_for_the_instructor() -> None:
    passed = check_view(_check(status="passed", expected=[1.0], got=[1.0]), "instructor")
    assert passed.comparison is None and passed.status_label == "Passed"
    odd = check_view(_check(status="weird", traceback="x" * (views.TRACEBACK_LIMIT + 1)), "instructor")
    assert odd.status_label == "weird"
    assert odd.traceback is not None and odd.traceback.note.endswith("characters of the traceback.")


def test_exercise_status_and_percent() -> None:
    def status(*statuses: str) -> str:
        return views._exercise_status([_check(status=s) for s in statuses])

    assert status("not_attempted", "not_attempted") == "not_attempted"
    assert status("passed", "not_attempted") == "failed" and status("passed", "failed") == "failed"
    ex = views.exercise_view(_exercise("ex", [_check(status="passed", score=1.0, max_score=4.0)]), "student")
    assert ex.percent == 25.0 and ex.status == "passed"


SOURCE = "a = 1\nb = 2\nc = 3"


def test_source_view_marks_lines_named_by_tracebacks_and_messages() -> None:
    checks = [_check(traceback='File "ex.py", line 1, in f'), _check(message='raised (ex.py, line 3)'),
              _check(traceback='File "ex.py", line 4, in f'), _check(traceback='File "other.py", line 2, in f')]
    src = source_view(_exercise("ex", checks, SOURCE), "instructor")
    assert src is not None and src.name == "ex.py" and src.marked_lines == (1, 3) and src.note == ""
    named = source_view(_exercise("ex", [_check(traceback='File "mine.py", line 2, in f')], SOURCE, "mine.py"),
                        "instructor")
    assert named is not None and named.name == "mine.py" and named.marked_lines == (2,)


def test_source_view_cuts_long_code(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(views, "SOURCE_LIMIT", len(SOURCE))
    src = source_view(_exercise("ex", [], SOURCE), "student")
    assert src is not None and src.note == ""
    monkeypatch.setattr(views, "SOURCE_LIMIT", 5)
    src = source_view(_exercise("ex", [], SOURCE), "student")
    assert src is not None and src.note == "Showing the first 5 of 17 characters."
    assert '<span class="n">a</span>' in src.html and '<span class="n">b</span>' not in src.html


def test_student_page_defaults_and_counts() -> None:
    result = _student("s", [_exercise("ex", [_check(status="failed")])], problems=("late",), output="printed\n")
    page = student_page(result)
    assert page.view == "student" and page.link_href == "" and page.problems == ("late",)
    assert page.output == TextBlock("printed\n", "", 1)
    assert page.bar_width == "0.0"
    assert page.counts == (("failed", "Failed", 1),)  # no "Passed: 0" badge
    over = _student("s", [_exercise("ex", [_check(status="passed", score=2.0, max_score=1.0)])])
    assert student_page(over).bar_width == "100.0"


# -- dashboard ---------------------------------------------------------------------

def test_histogram_bands_and_svg() -> None:
    assert histogram([0.0, 5.0, -3.0, 10.0, 100.0]) == [3, 1, 0, 0, 0, 0, 0, 0, 0, 1]
    assert histogram([0.5], bins=100)[0] == 1
    svg = str(histogram_svg([3] + [0] * 9))
    assert '<line x1="34" y1="125.3"' in svg  # the middle tick is at 1 of 3, not 1.5
    empty = str(histogram_svg([0] * 10))
    assert [t for t in ('>0</text>', '>1</text>', '>2</text>') if t in empty] == ['>0</text>', '>1</text>']
    assert "0–100%: 5" in str(histogram_svg([5]))


def test_rate_row_defaults() -> None:
    row = dashboard._rate_row("k", "t", 0, 0)
    assert (row.rate, row.bar_width, row.hidden, row.mean) == (0.0, "0.0", False, "")


def test_dashboard_of_nobody() -> None:
    page = dashboard_page([])
    assert page.view == "instructor"
    assert (page.mean, page.median, page.lowest, page.highest) == ("–", "–", "–", "–")


def test_dashboard_orders_counts_and_cuts() -> None:
    students = []
    for i in range(6):
        checks = [_check(f"ex.c{j}", "failed") for j in range(16 if i == 0 else 1)]
        students.append((f"folder{9 - i}", _student(f"s{i}", [_exercise("ex", checks)])))
    zero = _exercise("free", [], score=0.0, max_score=0.0)
    half = _exercise("half", [], score=0.5, max_score=0.5)
    students.append(("a", _student("t", [zero, half])))
    summary = {f"k{i:02}": i for i in range(13)}
    summary.update({"long": "v" * 300, "flag": True, "items": [1, 2]})
    page = dashboard_page(students, summary=summary)
    assert [s.student_id for s in page.students] == ["s0", "s1", "s2", "s3", "s4", "s5", "t"]
    assert {r.key: (r.passed, r.total) for r in page.exercises} == {"ex": (0, 6), "free": (0, 1), "half": (1, 1)}
    assert len(page.summary_items) == 12 and page.summary_items[0] == ("k00", "0")



def test_dashboard_summary_values_are_cut_and_typed() -> None:
    page = dashboard_page([], summary={"long": "v" * 300, "flag": True, "items": [1, 2], "n": 3})
    assert page.summary_items == (("long", "v" * 200), ("n", "3"))


def test_the_last_edges() -> None:
    assert views._anchor("check", "Ex.A b") == "check-Ex_A_b"
    with pytest.raises(ValueError, match="^unknown view 'teacher': use one of student, instructor$"):
        views.check_view_name("teacher")
    assert clip_tail("X\n", 10, "t").text == "X"
    odd = compare({"shape": None, "truncated": True, "head": [1.0]}, 1.0)
    assert odd is not None and odd.grids[0].shape == "? (first values only)"
    long = _student("s", [], output="y" * (views.OUTPUT_LIMIT + 1))
    page = student_page(long)
    assert page.output is not None and page.output.note == (
        f"Showing the first {views.OUTPUT_LIMIT:,} of {views.OUTPUT_LIMIT + 1:,} characters of the output.")


def test_empty_arrays_compare_without_crashing() -> None:
    """Found by the HTML fuzz test: expected [] and got [[]] made the report renderer raise."""
    cmp = compare([], [[]])
    assert cmp is not None and cmp.shapes_differ and all(g.rows == () for g in cmp.grids)


def test_non_finite_values_spelled_as_text_are_compared_as_numbers() -> None:
    cmp = compare(["nan", "inf", "-inf", 1.0], ["nan", "inf", "-inf", 2.0], None)
    assert cmp is not None and cmp.summary == "1 of 4 values differ (marked)."
    expected, got = cmp.grids
    assert [c.text for c in expected.rows[0]] == ["nan", "inf", "-inf", "1"]
    assert [c.differs for c in got.rows[0]] == [False, False, False, True]
    words = compare("x", "nan", None)
    assert words is not None and words.expected_text is not None and not words.grids


def test_arrays_of_any_rank_are_shown_as_rows_of_their_last_axis() -> None:
    cube = np.arange(12.0).reshape(2, 3, 2)
    cmp = compare(cube.tolist(), (cube + 1).tolist(), (0.0, 0.0))
    assert cmp is not None and cmp.grids[0].shape == "2×3×2"
    assert len(cmp.grids[0].rows) == 6 and len(cmp.grids[0].rows[0]) == 2
    flat = compare([1.0, 2.0], [1.0, 3.0], None)
    assert flat is not None and len(flat.grids[1].rows) == 1 and len(flat.grids[1].rows[0]) == 2
    empty = compare([[]], [[]], None)
    assert empty is not None and empty.grids[0].rows == ()


def test_a_results_file_that_is_a_folder_is_listed_not_read(tmp_path: Path) -> None:
    from grader.storage.results import load_class

    (tmp_path / "alice" / "results.json").mkdir(parents=True)
    loaded = load_class(tmp_path)
    assert loaded.results == {} and loaded.errors["alice"].endswith("results.json: not a file")


def test_a_tolerance_of_true_is_not_a_number() -> None:
    from grader.storage.results import from_gradescope
    from grader.reports.gradescope_text import to_gradescope

    check = _check("ex.a", "failed", tolerance=(1e-4, 1e-3))
    doc = to_gradescope(_student("s", [_exercise("ex", [check])]))
    assert from_gradescope(doc).checks[0].tolerance == (1e-4, 1e-3)
    doc["tests"][0]["extra_data"]["tolerance"] = [True, 1e-3]
    assert from_gradescope(doc).checks[0].tolerance is None


def test_charts_of_no_bands_and_of_one_band() -> None:
    assert "<svg" in histogram_svg([])
    one = histogram_svg([3])
    assert 'width="430.0"' in one  # a single bar takes the whole plot
    from grader.reports.charts import band_labels
    assert band_labels(1) == ["0–100%"] and band_labels(4)[-1] == "75–100%"


def test_spreadsheet_cells_and_wrap_points_at_their_edges() -> None:
    from grader.reports.insight import spreadsheet_cell

    assert spreadsheet_cell(" \rx") == "' \rx"
    assert spreadsheet_cell(" \nx") == " \nx"  # a line feed is not on OWASP's list: it starts no formula
    assert spreadsheet_cell("\u3000=1") == "\u3000=1"  # only plain spaces are skipped before a sign
    assert text.wrap_parts("") == ("",)
    assert text.wrap_parts("a.b") == ("a.", "b")


def test_a_failed_checks_comparison_uses_its_tolerance() -> None:
    check = _check("ex.a", "failed", expected=[[1.0, 2.0]], got=[[1.05, 2.5]], tolerance=(0.0, 0.1))
    view = check_view(check, "student")
    assert view.comparison is not None and view.comparison.summary == "1 of 2 values differ (marked)."


def test_highlighted_source_is_kept_per_code_marks_and_anchors() -> None:
    # Files handed in alike are highlighted once; what differs (marked lines, the exercise's
    # anchors, the code) must never come back from another student's page.
    views._highlighted.cache_clear()
    plain = source_view(_exercise("ex", [], SOURCE), "student")
    again = source_view(_exercise("ex", [], SOURCE), "student")
    assert plain is not None and again is not None and plain.html == again.html
    assert views._highlighted.cache_info().hits == 1
    marked = source_view(_exercise("ex", [_check(traceback='File "ex.py", line 2, in f')], SOURCE), "instructor")
    other = source_view(_exercise("other", [], SOURCE), "student")
    changed = source_view(_exercise("ex", [], SOURCE.replace("b = 2", "b = 9")), "student")
    assert marked is not None and other is not None and changed is not None
    assert 'class="hll"' in marked.html and 'class="hll"' not in plain.html
    assert "src-other" in other.html and "src-other" not in plain.html
    assert '<span class="mi">9</span>' in changed.html and '<span class="mi">9</span>' not in plain.html
