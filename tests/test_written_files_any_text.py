"""Property-based fuzzing of what the grader writes: results.json, grades.csv, summary.json, HTML
and terminal lines, from arbitrary student-supplied text and values (fast, no TensorFlow).

Every file is valid UTF-8, results.json stays under its size cap and loads back, a hidden
check's Gradescope output is exactly the student view's text, grades.csv reads back with the
csv module as one row per student with no cell a spreadsheet would run as a formula.
"""

from __future__ import annotations

import csv
import json
import re
import tempfile
import unicodedata
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grader.safetext import terminal_text
from grader.storage.classfiles import csv_cell, write_class_files
from grader.model import CheckResult, ExerciseResult, StudentResult
from grader.reports import render
from grader.storage.results import MAX_RESULTS_BYTES, load_result
from grader.reports.feedback import student_text
from grader.reports.gradescope_text import to_gradescope, write_result

FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])

TRICKY = ["=cmd|' /C calc'!A0", " =1+1", "\t=1", "\r=1", "'=1", '"=HYPERLINK("x")', "a;=1", "a,@SUM(1)",
          "\uff1d1", "-2", "+3", "@x", "x\n=1", "x\r\n+1", "\x1b[31m", "\ud800", "\udcff\udcfe", "a|=b"]
texts = st.one_of(st.text(max_size=40), st.sampled_from(TRICKY),
                  st.text(st.characters(categories=["Cs", "Cc", "Cf", "Zl", "Zp", "Sm", "Lu"]), max_size=30))
values = st.recursive(
    st.none() | st.booleans() | st.floats() | st.integers(min_value=-10**30, max_value=10**30) | texts,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=5), inner, max_size=4),
    max_leaves=30)


@st.composite
def results(draw: Any, big: bool = False) -> StudentResult:
    def text() -> str:
        t = draw(texts)
        return t * draw(st.integers(min_value=1, max_value=40_000)) if big and draw(st.booleans()) else t

    checks = []
    for i in range(draw(st.integers(min_value=1, max_value=4))):
        checks.append(CheckResult(
            check_id=f"relu_model.c{i}", exercise="relu_model", title=text(), score=0.0, max_score=1.0,
            status=draw(st.sampled_from(["passed", "failed", "not_attempted", "error"])),
            message=text(), visibility=draw(st.sampled_from(["public", "hidden"])), hint=text(),
            mistake=draw(st.none() | texts), expected=draw(values), got=draw(values), inputs=draw(values),
            traceback=text(), output=text(), grader_error=draw(st.sampled_from(["", "judging: boom"]))))
    ex = ExerciseResult("relu_model", "A ReLU hidden layer", 0.0, float(len(checks)), tuple(checks),
                        source=text(), source_name=draw(texts))
    return StudentResult(student_id=draw(texts), score=0.0, max_score=float(len(checks)), exercises=(ex,),
                         problems=tuple(draw(st.lists(texts, max_size=3))), output=text(), grader_version="0.1.0")


def _formula_start(cell: str) -> bool:
    """Could a spreadsheet read this cell, or a piece of it after a separator, as a formula?"""
    for piece in re.split(r"[;,|]", cell):
        if not piece.startswith("'") and piece.lstrip(" \"`\u3000\u00a0")[:1] in set("=+-@\t\r"):
            return True
    return False


@FUZZ
@given(results())
def test_results_json_is_utf8_loads_back_and_hides_hidden_text(r: StudentResult) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "results.json"
        write_result(r, path)
        data = path.read_bytes()
        data.decode("utf-8")
        assert len(data) <= MAX_RESULTS_BYTES
        back = load_result(path)
        assert len(back.checks) == len(r.checks)
    for test, c in zip(json.loads(data)["tests"], r.checks):
        if c.visibility == "hidden":
            assert test["output"] == student_text(c).encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(results(big=True))
def test_results_json_is_bounded(r: StudentResult) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "results.json"
        write_result(r, path)
        assert path.stat().st_size <= MAX_RESULTS_BYTES
        load_result(path)
    doc = to_gradescope(r)
    big = [len(t["extra_data"]["output"]) for t in doc["tests"]]
    assert max(big) <= 8200


@FUZZ
@given(st.lists(texts, min_size=1, max_size=6, unique=True))
def test_grades_csv_reads_back_one_safe_row_per_student(ids: list[str]) -> None:
    class_results = {f"s{i}": StudentResult(sid, 1.0, 2.0, ()) for i, sid in enumerate(ids)}
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        write_class_files(out, class_results)
        text = (out / "grades.csv").read_bytes().decode("utf-8")
        json.loads((out / "summary.json").read_bytes().decode("utf-8"))
    rows = list(csv.reader(text.splitlines(keepends=True)))
    assert len(rows) == len(ids) + 1 and all(len(row) == 3 for row in rows)
    for row in rows[1:]:
        cell = row[0]
        assert not _formula_start(cell), cell
        assert not any(unicodedata.category(ch) in ("Cc", "Cs", "Zl", "Zp") for ch in cell)


@FUZZ
@given(texts)
def test_csv_cell_neutralises_anywhere(text: str) -> None:
    assert not _formula_start(csv_cell(text))


@FUZZ
@given(results())
def test_html_pages_are_utf8(r: StudentResult) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        for view in ("student", "instructor"):
            render.write_student_report(r, out / "s" / f"{view}.html", view=view)
            (out / "s" / f"{view}.html").read_bytes().decode("utf-8")
        write_result(r, out / "_instructor" / "s" / "results.json")
        render.write_dashboard(out)
        (out / "index.html").read_bytes().decode("utf-8")


@FUZZ
@given(texts)
def test_terminal_lines_carry_no_control_characters(text: str) -> None:
    shown = terminal_text(text)
    assert all(ch == " " or unicodedata.category(ch)[0] not in "CZ" for ch in shown)


def test_misconceptions_csv_takes_any_student_id() -> None:
    """A NUL in an id stopped the dashboard on Python 3.10 (its csv cannot write one); an id is
    the student's own text, so it gets the class files' guard: control characters become spaces
    and a formula gets its apostrophe."""
    check = CheckResult(check_id="relu_model.c0", exercise="relu_model", title="", score=0.0, max_score=1.0,
                        status="failed", message="", visibility="public", hint="", mistake=None)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        for i, sid in enumerate(("a\x00b", "=1+1")):
            r = StudentResult(student_id=sid, score=0.0, max_score=1.0, exercises=(ExerciseResult(
                name="relu_model", title="A ReLU hidden layer", score=0.0, max_score=1.0, checks=(check,)),))
            write_result(r, out / "_instructor" / f"s{i}" / "results.json")
        render.write_dashboard(out)
        rows = list(csv.DictReader((out / "misconceptions.csv").read_text(encoding="utf-8").splitlines()))
    assert [row["student_ids"] for row in rows] == ["'=1+1; a b"]
