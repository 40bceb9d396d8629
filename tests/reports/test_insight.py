"""Misconceptions, item analysis and the private student view, on a synthetic class of known mistakes.

No TensorFlow: the results are built in code, as grading would leave them.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from snapshot_support import Snapshot
from hypothesis import given, settings
from hypothesis import strategies as st

from grader.cli import main
from grader.model import CheckResult, ExerciseResult, StudentResult
from grader.reports.compare import compare
from grader.reports.dashboard import MIN_CLASS_SIZE
from grader.reports.insight import (FLAG_EVERYONE, FLAG_NOBODY, FLAG_REVERSED, analyse, spreadsheet_cell,
                                    to_csv)
from grader.reports.render import render_class, render_dashboard, render_student, write_dashboard
from grader.reports.gradescope_text import write_result

GRADER_ERROR = "The grader could not judge this check (an internal error, not your fault)."
HOSTILE = "=HYPERLINK(\"http://x\")"


def check(cid: str, status: str, points: float, mistake: str | None = None, message: str = "") -> CheckResult:
    exercise = cid.split(".")[0]
    return CheckResult(check_id=cid, exercise=exercise, title=cid, score=points if status == "passed" else 0.0,
                       max_score=points, status=status, message=message or status,  # type: ignore[arg-type]
                       visibility="public", mistake=mistake)


def student(sid: str, lesson: tuple[str, str | None], count: tuple[str, str | None, str], broken: bool,
            problems: tuple[str, ...] = ()) -> StudentResult:
    relu = (check("relu_model.lesson", lesson[0], 4, lesson[1]),
            check("relu_model.broken", "passed" if broken else "failed", 0.5, None if broken else "wrong_values"),
            check("relu_model.easy", "passed", 1),
            check("relu_model.shape", "failed" if broken else "passed", 2, "wrong_shape" if broken else None),
            check("relu_model.impossible", "failed", 1, None, "Always wrong."))
    pc = (check("parameter_count.count", count[0], 2, count[1], count[2]),)
    exs = tuple(ExerciseResult(name, title, sum(c.score for c in cs), sum(c.max_score for c in cs), cs)
                for name, title, cs in (("parameter_count", "Counting parameters", pc),
                                        ("relu_model", "A ReLU hidden layer", relu)))
    return StudentResult(sid, sum(e.score for e in exs), sum(e.max_score for e in exs), exs, problems=problems)


PASS = ("passed", None, "")
# Nine students; the broken check is passed by exactly the three weakest (by total score: 9, 9, 5, 3, 3, 3,
# 1.5, 1.5, 1.5 of 10.5) and failed by the three strongest.
CLASS = [
    student("zq01x", ("passed", None), PASS, False),
    student("zq02x", ("passed", None), PASS, False),
    student("zq03x", ("failed", "relu_on_output"), PASS, False),
    student("zq04x", ("failed", "relu_on_output"), ("failed", "biases_forgotten", "no biases"), False),
    student("zq05x", ("failed", "relu_on_output"), ("failed", "biases_forgotten", "no biases"), False),
    student("zq06x", ("failed", "relu_missing"), ("failed", "biases_forgotten", "no biases"), False),
    student("zq07x", ("failed", "relu_missing"), ("failed", "file_not_loaded", "x.py could not be loaded"), True,
            problems=("Note: cell 2: skipped IPython magic `%matplotlib inline` (never run)",
                      "x.py could not be loaded: SyntaxError", "x.py could not be loaded: SyntaxError")),
    student("zq08x", ("failed", "missing_function"), ("error", None, "stopped after 30 s"), True),
    student("zq09x", ("not_attempted", None), ("error", None, GRADER_ERROR), True),
]
IDS = [r.student_id for r in CLASS]


def pairs(results: list[StudentResult] = CLASS) -> list[tuple[str, StudentResult]]:
    return [(r.student_id, r) for r in results]


def rows(insight: object, exercise: str, kind: str) -> list[tuple[str, int, list[str]]]:
    ex = next(e for e in insight.exercises if e.name == exercise)  # type: ignore[attr-defined]
    group = ex.mistakes if kind == "misconception" else ex.not_judged
    return [(r.id, r.count, [s.student_id for s in r.students]) for r in group]


def test_misconceptions_are_ranked_and_kept_apart_from_unjudged_code() -> None:
    insight = analyse(pairs())
    relu = rows(insight, "relu_model", "misconception")
    assert relu == [("wrong_values", 6, IDS[:6]), ("relu_on_output", 3, ["zq03x", "zq04x", "zq05x"]),
                    ("wrong_shape", 3, IDS[6:]), ("relu_missing", 2, ["zq06x", "zq07x"])]
    assert rows(insight, "relu_model", "not_judged") == [
        ("not_attempted", 1, ["zq09x"]), ("missing_function", 1, ["zq08x"]), ("unnamed", 9, IDS)]
    assert rows(insight, "parameter_count", "misconception") == [("biases_forgotten", 3, ["zq04x", "zq05x", "zq06x"])]
    assert rows(insight, "parameter_count", "not_judged") == [
        ("file_not_loaded", 1, ["zq07x"]), ("stopped", 1, ["zq08x"]), ("grader_error", 1, ["zq09x"])]
    ex = insight.exercises[1]
    assert ex.mistakes[1].description == "ReLU also on the output layer"
    assert sum(ex.distribution) == 9 and len(ex.distribution) == 5


def test_item_analysis_flags_the_broken_check() -> None:
    items = {it.check_id: it for it in analyse(pairs()).items}
    assert items["relu_model.broken"].discrimination == -1.0 and FLAG_REVERSED in items["relu_model.broken"].flags
    assert items["relu_model.easy"].flags == (FLAG_EVERYONE,) and items["relu_model.easy"].discrimination == 0.0
    assert items["relu_model.impossible"].flags == (FLAG_NOBODY,)
    lesson = items["relu_model.lesson"]
    assert lesson.flags == () and lesson.passed == 2 and lesson.discrimination == pytest.approx(2 / 3, abs=1e-3)
    # Fewer than three students: no thirds, no index, no reversed flag.
    small = {it.check_id: it for it in analyse(pairs(CLASS[:2])).items}
    assert small["relu_model.broken"].discrimination is None


def test_dashboard_sections_link_each_student() -> None:
    html = render_dashboard(pairs())
    assert "Most common failures" not in html
    section = html[html.index('id="misconceptions"'):html.index('id="item-analysis"')]
    row = re.search(r'data-mistake="relu_on_output">(.*?)</tr>', section, re.S)
    assert row and "ReLU also on the output layer" in row.group(1)
    assert re.findall(r'href="([^"]+)"', row.group(1)) == [f"zq0{i}x/report.html" for i in (3, 4, 5)]
    mistakes_only = "".join(re.findall(r'<table class="mistakes">(.*?)</table>', section, re.S))
    for not_a_misconception in ("missing_function", "file_not_loaded", "not_attempted", "grader error"):
        assert not_a_misconception not in mistakes_only
    assert section.count("<svg") == 2   # one score chart per exercise
    items = html[html.index('id="item-analysis"'):]
    broken = re.search(r'data-check="relu_model.broken">(.*?)</tr>', items, re.S)
    assert broken and "-1.00" in broken.group(1) and FLAG_REVERSED in broken.group(1)


def test_csv_and_summary_carry_the_same_data(tmp_path: Path) -> None:
    hostile = student(HOSTILE, ("failed", "relu_on_output"), PASS, False)
    out = tmp_path / "out"
    for i, r in enumerate([*CLASS, hostile]):
        write_result(r, out / "_instructor" / f"s{i}" / "results.json")
    (out / "summary.json").write_text('{"count": 10}', encoding="utf-8")
    write_dashboard(out)
    table = list(csv.DictReader(io.StringIO((out / "misconceptions.csv").read_text(encoding="utf-8"))))
    relu = next(r for r in table if r["mistake"] == "relu_on_output")
    assert relu["students"] == "4" and relu["kind"] == "misconception"
    assert relu["student_ids"].split("; ") == ["'" + HOSTILE, "zq03x", "zq04x", "zq05x"]
    assert {r["mistake"] for r in table if r["kind"] == "not_judged"} >= {"stopped", "grader_error", "unnamed"}
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["count"] == 10   # batch's part is kept
    analysis = summary["analysis"]
    mis = analysis["exercises"]["relu_model"]["misconceptions"]
    assert {"id": "relu_on_output", "count": 4} .items() <= mis[1].items()
    assert analysis["checks"]["relu_model.broken"]["flags"] == [FLAG_REVERSED]
    html = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="misconceptions.csv"' in html and 'href="class.html"' in html


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=12))
def test_no_cell_starts_a_formula(text: str) -> None:
    cell = spreadsheet_cell(text)
    assert cell in (text, "'" + text)
    assert cell.lstrip(" ")[:1] not in set("=+-@\t\r")


def test_spreadsheet_cells() -> None:
    for bad in ("=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r1", " =1"):
        assert spreadsheet_cell(bad).startswith("'")
    for fine in ("01234", ".x", "/x", ":x", "<x", ">x", "?x", "\uff1d1"):
        assert spreadsheet_cell(fine) == fine
    assert spreadsheet_cell("zq01x") == "zq01x" and to_csv(analyse([])).count("\n") == 1


# -- the private student view ---------------------------------------------------------------------

CLASS_FILES = ("grades.csv", "summary.json", "index.html", "misconceptions.csv", "observations.json",
               "reference.json", "results.json")


def _out(tmp_path: Path, results: list[StudentResult]) -> Path:
    out = tmp_path / "out"
    for r in results:
        write_result(r, out / "_instructor" / r.student_id / "results.json")
    (out / "grades.csv").write_text("id,total\n", encoding="utf-8")
    (out / "summary.json").write_text("{}", encoding="utf-8")
    return out


@pytest.mark.parametrize("dashboard_view", ["instructor", "student"])
def test_no_student_page_shows_another_student(tmp_path: Path, dashboard_view: str) -> None:
    out = _out(tmp_path, CLASS)
    assert main(["report", str(out), "--view", "student", "--dashboard-view", dashboard_view]) == 0
    given = {sid: [(out / sid / "report.html").read_text(encoding="utf-8"),
                   (out / "class.html").read_text(encoding="utf-8")] for sid in IDS}
    if dashboard_view == "student":
        given = {sid: pages + [(out / "index.html").read_text(encoding="utf-8")] for sid, pages in given.items()}
    for sid, pages in given.items():
        assert sid in pages[0]
        for page in pages:
            others = [o for o in IDS if o != sid and o in page]
            assert others == [], f"{sid}'s pages name {others}"
            links = re.findall(r'href="([^"#]+)"', page)
            assert not [h for h in links if h.rsplit("/", 1)[-1] in CLASS_FILES], links
    assert 'href="../class.html"' in given["zq01x"][0]
    # The instructor's pages do name everyone (so the check above can fail).
    if dashboard_view == "instructor":
        index = (out / "index.html").read_text(encoding="utf-8")
        assert all(sid in index for sid in IDS)


def test_class_page_is_withheld_for_small_classes() -> None:
    small = render_class(CLASS[:MIN_CLASS_SIZE - 1])
    assert 'id="withheld"' in small and "<svg" not in small and "%" not in small.split("<main>")[1]
    full = render_class(CLASS)
    assert '<span class="v" id="n-students">9</span>' in full and "<svg" in full and 'id="class-median"' in full


def test_notes_are_not_problems_and_problems_are_listed_once() -> None:
    html = render_student(CLASS[6], "student")
    problems = html[html.index("Problems with this submission"):html.index("<h2>Notes</h2>")]
    assert problems.count("x.py could not be loaded: SyntaxError") == 1
    assert "matplotlib" not in problems
    assert "skipped IPython magic `%matplotlib inline`" in html[html.index("<h2>Notes</h2>"):]
    dash = render_dashboard(pairs())
    row = re.search(r'<tr data-id="zq07x".*?</tr>', dash, re.S)
    assert row and re.findall(r'<td class="num" data-sort="(\d+)">', row.group(0))[-1] == "1"  # problems


def test_zero_points_shows_no_passed_badge() -> None:
    zero = student("zq10x", ("failed", "relu_missing"), ("failed", "biases_forgotten", "x"), False)
    zero = StudentResult("zq10x", 0.0, 10.0, tuple(
        ExerciseResult(e.name, e.title, 0.0, e.max_score, tuple(
            CheckResult(**{**c.__dict__, "status": "failed", "score": 0.0}) for c in e.checks))
        for e in zero.exercises))
    html = render_student(zero, "student")
    assert "Passed: 0" not in html and "badge s-passed" not in html and "Failed: 6" in html


def test_long_ids_break_at_separators() -> None:
    r = student("jane.doe_2024@uni-example.org", PASS, PASS, True)
    html = render_student(r, "student")
    assert '<h1 class="id">jane.<wbr>doe_<wbr>2024@<wbr>uni-<wbr>example.<wbr>org</h1>' in html


def test_differs_uses_the_checks_tolerance() -> None:
    want, got = [1.0, 2.0, 3.0], [1.0005, 2.0, 3.1]
    loose = compare(want, got, (1e-3, 0.0))
    exact = compare(want, got, None)
    assert loose is not None and [c.differs for c in loose.grids[1].rows[0]] == [False, False, True]
    assert exact is not None and [c.differs for c in exact.grids[1].rows[0]] == [True, False, True]
    wide = compare(want, got, (0.0, 0.2))
    assert wide is not None and wide.summary == "All shown values agree."


def test_the_analysis_documents_are_pinned(snapshot: Snapshot) -> None:
    """summary.json's "analysis" and misconceptions.csv are read by instructors' scripts: any change to
    a key, a rounding or a column is a reviewed diff of tests/reports/snapshots/test_insight.json."""
    from grader.reports.insight import to_csv, to_summary

    insight = analyse(pairs([*CLASS, student(HOSTILE, ("failed", "relu_on_output"), PASS, False)]))
    snapshot.check({"summary": to_summary(insight), "csv": to_csv(insight)})


def test_each_row_shows_its_most_common_message_and_reasons_keep_their_order() -> None:
    def failing(message: str, mistake: str | None, status: str = "failed") -> CheckResult:
        return CheckResult("relu_model.lesson_inputs", "relu_model", "t", 0.0, 1.0, status, message, "public",  # type: ignore[arg-type]
                           mistake=mistake)

    def one(sid: str, *checks: CheckResult) -> StudentResult:
        return StudentResult(sid, 0.0, 1.0, (ExerciseResult("relu_model", "ReLU", 0.0, 1.0, checks),))

    results = [one("a", failing("short", "relu_on_output")), one("b", failing("a longer one", "relu_on_output")),
               one("c", failing("a longer one", "relu_on_output")), one("d", failing("tie one", "relu_on_output")),
               one("e", failing("x", None, "not_attempted"), failing("z", "zzz_unknown_reason")),
               one("f", failing("stopped", "timeout"), failing("crash", None, "error")),
               one("g", failing("x" * 400, "timeout"))]
    ex = next(e for e in analyse(pairs(results)).exercises if e.name == "relu_model")
    assert ex.mistakes[0].example == "a longer one" and ex.mistakes[0].count == 4
    assert [r.id for r in ex.not_judged] == ["not_attempted", "stopped"]  # in NOT_JUDGED's order
    stopped = next(r for r in ex.not_judged if r.id == "stopped")
    assert stopped.checks == ("relu_model.lesson_inputs",) and [s.student_id for s in stopped.students] == ["f", "g"]
    assert stopped.example == "crash"
    timed_out = analyse(pairs([results[-1]])).exercises
    assert len(next(e for e in timed_out if e.name == "relu_model").not_judged[0].example) == 300
    assert [r.id for r in ex.mistakes] == ["relu_on_output", "zzz_unknown_reason"]  # an unknown id is a mistake


def test_students_with_the_same_id_in_two_folders_are_ordered_by_folder() -> None:
    """Two submissions can carry one student id (a resubmission under another folder name)."""
    from dataclasses import replace as _replace

    twins = [("b-folder", _replace(student("same", PASS, PASS, False), execution_time=2.0)),
             ("a-folder", _replace(student("same", PASS, PASS, False), execution_time=1.0))]
    insight = analyse(twins)
    assert sum(e.students for e in insight.exercises if e.name == "relu_model") == 2
    from grader.storage.classfiles import grades_csv
    assert grades_csv(dict(twins)).count("same,") == 2


def test_pass_rates_keep_four_decimals() -> None:
    from grader.reports.insight import to_summary

    three = [student(f"s{i}", ("failed", "relu_on_output") if i else PASS, PASS, False) for i in range(3)]
    rates = {cid: it["pass_rate"] for cid, it in to_summary(analyse(pairs(three)))["checks"].items()}
    assert 0.3333 in rates.values()


def test_a_mistake_seen_in_two_checks_lists_both_in_the_csv() -> None:
    from grader.reports.insight import to_csv

    def two(sid: str) -> StudentResult:
        checks = tuple(CheckResult(f"relu_model.{n}", "relu_model", n, 0.0, 1.0, "failed", "m", "public",
                                   mistake="relu_on_output") for n in ("a", "b"))
        return StudentResult(sid, 0.0, 2.0, (ExerciseResult("relu_model", "ReLU", 0.0, 2.0, checks),))

    table = list(csv.DictReader(io.StringIO(to_csv(analyse(pairs([two("x"), two("y")]))))))
    assert table[0]["checks"] == "relu_model.a relu_model.b"
