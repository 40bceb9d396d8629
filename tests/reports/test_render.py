"""Template tests on results built in code (no TensorFlow).

Golden files live in tests/golden/; regenerate them with
    GRADER_UPDATE_GOLDEN=1 pytest tests/test_render.py
and review the diff before committing.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

import report_samples as samples
from grader.cli import main
from grader.model import CheckResult, ExerciseResult, StudentResult
from grader.reports.render import (dashboard_script, render_dashboard, render_student, write_dashboard,
                           write_student_report)
from grader.reports.gradescope_text import write_result
from grader.reports.views import compare, histogram, traceback_lines

GOLDEN = Path(__file__).resolve().parent / "golden"
UPDATE = os.environ.get("GRADER_UPDATE_GOLDEN") == "1"


class Tags(HTMLParser):
    """Every start tag with its attributes, plus the text inside <script> elements."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[str] = []
        self._in_script = False
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts.append(data)

    def named(self, tag: str) -> list[dict[str, str | None]]:
        return [a for t, a in self.tags if t == tag]


def assert_golden(name: str, html: str) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(html, encoding="utf-8")
    assert path.is_file(), f"{path} is missing: run with GRADER_UPDATE_GOLDEN=1 to create it"
    assert html == path.read_text(encoding="utf-8"), (
        f"{name} differs from its golden file; if the change is intended, rerun with GRADER_UPDATE_GOLDEN=1")


def class_pairs() -> list[tuple[str, StudentResult]]:
    return [(r.student_id if r.student_id.isalnum() else "mallory", r) for r in samples.class_results()]


# -- golden pages -----------------------------------------------------------------------------

@pytest.mark.parametrize("view", ["student", "instructor"])
def test_student_report_golden(view: str) -> None:
    assert_golden(f"report_bob_{view}.html", render_student(samples.bob(), view, "../index.html"))


def test_dashboard_golden() -> None:
    assert_golden("dashboard.html", render_dashboard(class_pairs()))


# -- two audiences ----------------------------------------------------------------------------

DISTINCTIVE = ("913.2468", "913.247", "4057.1357", "4057.14", "0.5791", "7531.9864", "1.3572", "8642.0975", "6174.8642",
               "2718.2818", "index 5 is out of bounds", "hidden_shapes")


@pytest.mark.parametrize("make", [samples.bob, samples.carol])
def test_student_view_never_shows_hidden_details(make: object) -> None:
    result = make()  # type: ignore[operator]
    student = render_student(result, "student")
    instructor = render_student(result, "instructor")
    leaked = [s for s in DISTINCTIVE if s in student]
    assert leaked == []
    # The same numbers are in the results and the instructor sees them, so the check above can fail.
    assert "913.2468" in instructor and "7531.9864" in instructor and "6174.8642" in instructor
    assert "hidden check did not pass" in student
    assert "Only the hidden layer gets a ReLU" in student  # the hint stays


def test_hidden_traceback_marks_lines_for_instructor_only() -> None:
    line = f'id="src-relu_model-{samples.HIDDEN_TRACE_LINE}"'
    student, instructor = (render_student(samples.bob(), v) for v in ("student", "instructor"))
    assert line in student and line in instructor  # the line exists in both
    assert "marked lines: 7" in instructor and "hll" in _source_block(instructor)
    assert "marked lines" not in student and "hll" not in _source_block(student)


def _source_block(html: str) -> str:
    return html[html.index('<details class="source"', html.index("relu_model.py") - 400):]


def test_student_dashboard_hides_hidden_messages() -> None:
    """The student view of the dashboard is the anonymous class page (issue 12): it shows no
    messages at all, hidden or not, and no student's id. (It used to list failure messages,
    with hidden ones replaced; a page naming classmates cannot be a student view.)"""
    student = render_dashboard(class_pairs(), view="student")
    instructor = render_dashboard(class_pairs(), view="instructor")
    assert "6174.8642" in instructor and "6174.8642" not in student
    assert "Class statistics" in student and 'id="class-mean"' in student
    for _, r in class_pairs():
        assert r.student_id.split("<")[0] in instructor and r.student_id.split("<")[0] not in student


# -- injection --------------------------------------------------------------------------------

@pytest.mark.parametrize("view", ["student", "instructor"])
def test_student_payloads_are_text(view: str) -> None:
    html = render_student(samples.mallory(), view)
    _assert_inert(html)
    assert "&lt;script&gt;window.__pwned" in html
    assert "&lt;/textarea&gt;" in html
    assert "mallory&lt;img src=x onerror=" in html  # the student id, in the heading and title
    assert Tags(html).named("script") == []


def test_dashboard_payloads_are_text() -> None:
    summary = {"note": samples.SCRIPT}
    html = render_dashboard(class_pairs(), summary)
    _assert_inert(html)
    tags = Tags(html)
    assert len(tags.named("script")) == 1 and tags.scripts[0].startswith("// Sort and filter")
    assert "mallory&lt;img" in html


def test_hostile_folder_name_is_a_relative_link() -> None:
    html = render_dashboard([("x\" onmouseover=\"alert(1)<b>", samples.alice()), ("javascript:alert(1)", samples.bob())])
    hrefs = [a["href"] for a in Tags(html).named("a")]
    assert "x%22%20onmouseover%3D%22alert%281%29%3Cb%3E/report.html" in hrefs
    assert "javascript%3Aalert%281%29/report.html" in hrefs
    assert not any(a.get("onmouseover") for a in Tags(html).named("a"))


def _assert_inert(html: str) -> None:
    for payload in samples.PAYLOADS:
        assert payload not in html
    tags = Tags(html)
    assert tags.named("img") == [] and tags.named("textarea") == []
    for _, attrs in tags.tags:
        assert not any(k.startswith("on") for k in attrs), attrs


def test_source_is_escaped_by_pygments() -> None:
    html = render_student(samples.mallory(), "instructor")
    block = html[html.index('<div class="code">'):]
    assert "window.__pwned" in block and "<script>" not in block
    assert '<span class="k">def</span>' in block  # highlighted, not just dumped


def test_csp_allows_only_our_script() -> None:
    html = render_dashboard(class_pairs())
    script, source = dashboard_script()
    digest = base64.b64encode(hashlib.sha256(str(script).encode()).digest()).decode()
    csp = [m["content"] for m in Tags(html).named("meta") if m.get("http-equiv") == "Content-Security-Policy"]
    assert source == f"'sha256-{digest}'" and csp == [f"default-src 'none'; style-src 'unsafe-inline'; "
                                                      f"script-src {source}; img-src data:"]
    assert Tags(html).scripts == [str(script)]  # the hash covers exactly the inline script
    assert "script-src 'none'" in render_student(samples.alice())
    assert "http://" not in html.replace("http://www.w3.org/2000/svg", "") and "https://" not in html


# -- what the student page shows ---------------------------------------------------------------

def test_differing_cells_are_marked() -> None:
    html = render_student(samples.bob(), "student")
    assert html.count('class="num differs"') == 2
    assert ">-5.11<" in html and ">-8.44<" in html
    assert "2 of 6 values differ" in html


def test_shapes_shown_when_they_differ() -> None:
    html = render_student(samples.shapes(), "student")
    assert "The shapes differ: expected 3×2, got 2×3." in html
    assert 'class="num differs"' not in html  # cells of different shapes are not compared


def test_output_is_collapsed_and_truncated() -> None:
    html = render_student(samples.bob(), "student")
    details = re.search(r'<details class="textblock"\s*>\s*<summary>Captured output', html)
    assert details, "captured output should be in a closed <details>"
    assert "Showing the first 4,000 of 5,027 characters of the output." in html
    kept = 4000 - len("step 1\nlogits shape (3, 2)\n")
    assert "x" * kept in html and "x" * (kept + 1) not in html


def test_score_at_a_glance_and_sections() -> None:
    html = render_student(samples.bob(), "student")
    head = html[:html.index('id="ex-parameter_count"')]
    assert '<span class="big" id="score">2</span>' in head and "/ 14 points" in head and "14.3%" in head
    assert 'href="#ex-relu_model"' in head
    assert "Passed: 1" in head and "Failed: 2" in head and "Error: 1" in head


def test_public_traceback_marks_student_lines() -> None:
    code = "import numpy as np\n\ndef relu_model(f, w, b):\n    return np.dot(f, w[0])[9]\n"
    check = CheckResult(check_id="relu_model.lesson_inputs", exercise="relu_model", title="t", score=0.0,
                        max_score=4.0, status="failed", message="`relu_model` raised IndexError: x",
                        visibility="public",
                        traceback='Traceback (most recent call last):\n  File "relu_model.py", line 4, in relu_model\n'
                                  '    return np.dot(f, w[0])[9]\nIndexError: x\n')
    ex = ExerciseResult("relu_model", "A ReLU hidden layer", 0.0, 4.0, (check,), code, "relu_model.py")
    html = render_student(StudentResult("s1", 0.0, 4.0, (ex,)), "student")
    assert "marked lines: 4" in html
    assert 'id="src-relu_model-4" name="src-relu_model-4"></a><span class="hll">' in html
    assert html.count('<span class="hll">') == 1
    assert "Traceback (most recent call last)" in html


def test_traceback_lines_parser() -> None:
    tb = 'File "a.py", line 3, in f\nFile "b.py", line 9\ninvalid syntax (a.py, line 12)'
    assert traceback_lines(tb, "a.py") == {3, 12}
    assert traceback_lines(tb, "c.py") == set()


def test_compare_values() -> None:
    c = compare([1.0, "nan", 3.0], [1.0, "nan", 3.5])
    assert c is not None and c.summary == "1 of 3 values differ (marked)."
    assert [cell.differs for cell in c.grids[1].rows[0]] == [False, False, True]
    big = compare({"shape": [100, 50], "truncated": True, "head": [0.0] * 400}, [[0.0] * 50] * 100)
    assert big is not None and big.shapes_differ and "100×50" in big.grids[0].shape
    text = compare({"a": 1}, "oops")
    assert text is not None and text.expected_text == "{'a': 1}" and text.got_text == "oops"
    assert compare(None, None) is None
    wide = compare([[1.0] * 30] * 40, [[1.0] * 30] * 40)
    assert wide is not None and wide.grids[0].note == "Not shown: 28 more rows, 20 more columns."


def test_histogram_bands() -> None:
    assert histogram([0.0, 9.99, 10.0, 100.0, 95.0]) == [2, 1, 0, 0, 0, 0, 0, 0, 0, 2]


def test_unknown_view_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown view"):
        write_student_report(samples.alice(), tmp_path / "r.html", view="teacher")
    assert list(tmp_path.iterdir()) == []


# -- files and the report command --------------------------------------------------------------

def test_write_student_report_is_atomic(tmp_path: Path) -> None:
    target = tmp_path / "deep" / "report.html"
    write_student_report(samples.alice(), target)
    write_student_report(samples.bob(), target)
    assert "Feedback for bob" in target.read_text(encoding="utf-8")
    assert [p.name for p in target.parent.iterdir()] == ["report.html"]  # no temp files left


def _out(tmp_path: Path) -> Path:
    out = tmp_path / "out"
    for folder, result in class_pairs():
        write_result(result, out / "_instructor" / folder / "results.json")  # the stored (full) copy
    (out / "grades.csv").write_text("student_id,score\n", encoding="utf-8")
    (out / "summary.json").write_text('{"students": 5, "mean": 31.4}', encoding="utf-8")
    return out


def test_write_dashboard_reads_results_json(tmp_path: Path) -> None:
    out = _out(tmp_path)
    write_dashboard(out)
    html = (out / "index.html").read_text(encoding="utf-8")
    hrefs = [a["href"] for a in Tags(html).named("a")]
    assert {"alice/report.html", "bob/report.html", "mallory/report.html", "grades.csv", "summary.json"} <= set(hrefs)
    assert '<span class="v" id="n-students">5</span>' in html
    assert "<th>mean</th>" in html  # from summary.json


def test_report_command_rerenders_every_page(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = _out(tmp_path)
    assert main(["report", str(out)]) == 0
    assert "wrote 5 student reports" in capsys.readouterr().out
    for folder, result in class_pairs():
        page = (out / folder / "report.html").read_text(encoding="utf-8")
        assert page == render_student(result, "student", "../index.html")
    assert (out / "index.html").is_file()
    assert main(["report", str(out), "--view", "instructor"]) == 0
    # The instructor's pages go beside the full results, never into the folder a student is given.
    assert "913.2468" in (out / "_instructor" / "bob" / "report.html").read_text(encoding="utf-8")
    assert "913.2468" not in (out / "bob" / "report.html").read_text(encoding="utf-8")


def test_report_command_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", str(tmp_path)]) == 2
    assert "no <student>/results.json" in capsys.readouterr().err
    assert main(["report", str(tmp_path / "nope")]) == 2
    with pytest.raises(SystemExit):
        main(["report", str(tmp_path), "--view", "teacher"])


def test_a_side_the_judge_withheld_is_not_shown() -> None:
    """A quiz judge gives only the student's answer: no 'Expected None' box."""
    shown = compare(None, 7840)
    assert shown is not None and shown.expected_text is None and shown.got_text == "7840"
    check = CheckResult(check_id="quiz.logistic_parameters", exercise="quiz", title="Quiz", score=0.0,
                        max_score=1.0, status="failed", message="7840 is not right.", visibility="public",
                        got=7840)
    result = StudentResult("kim", 0.0, 1.0, (ExerciseResult("quiz", "Quizzes", 0.0, 1.0, (check,)),))
    page = render_student(result, "student")
    assert "7840" in page and "<strong>Expected</strong>" not in page
