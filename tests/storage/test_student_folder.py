"""OUT/<id>/ holds only what its student may be given; the instructor's data lives in OUT/_instructor/<id>/."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from grader.discovery.ids import distinct_safe_ids, safe_id
from grader.errors import UsageError
from grader.model import CheckResult, ExerciseResult, Observation, RunOutcome, StudentResult
from grader.outputs import write_class_outputs, write_student
from grader.reports import render
from grader.storage.layout import INSTRUCTOR_DIR, OBSERVATIONS_NAME
from grader.storage.observations import store_student
from grader.storage.results import ResultsFileError, load_outputs, load_result
from grader.storage.student_copy import student_copy

# Values only a hidden check's inputs, expected/observed values, traceback, printed output and
# the instructor's diagnosis hold: none may reach the student's folder.
SECRETS = ("987.654321", "1234.5678", "secret_frame_xyz", "hidden worker printed this",
           "instructor only: input 987.654321", "grader tripped on q7")


def _result() -> StudentResult:
    hidden = CheckResult(
        check_id="relu_model.new_inputs", exercise="relu_model", title="ReLU on unseen inputs",
        score=0.0, max_score=6.0, status="failed", message="ReLU applied to the output layer too.",
        visibility="hidden", hint="Only the hidden layer gets a ReLU.", mistake="relu_on_output",
        expected=[[987.654321]], got=[[1234.5678]], inputs={"features": [[987.654321]]},
        traceback="Traceback: secret_frame_xyz", output="hidden worker printed this",
        tolerance=(1e-5, 1e-6), instructor_message="instructor only: input 987.654321")
    hidden_plain = CheckResult(
        check_id="relu_model.more", exercise="relu_model", title="More unseen inputs",
        score=0.0, max_score=2.0, status="failed", message="Expected 987.654321, got 1234.5678",
        visibility="hidden", hint="Look at the shapes.", expected=987.654321, got=1234.5678)
    broken = CheckResult(
        check_id="relu_model.q7", exercise="relu_model", title="A check the grader failed on",
        score=0.0, max_score=1.0, status="error", message="The grader failed on this check.",
        visibility="public", grader_error="grader tripped on q7")
    public = CheckResult(
        check_id="relu_model.lesson", exercise="relu_model", title="ReLU on the lesson's inputs",
        score=0.0, max_score=4.0, status="failed", message="Wrong values.", visibility="public",
        expected=[[5.5]], got=[[6.5]], inputs={"features": [[1.0]]}, output="my own print")
    return StudentResult(
        student_id="ada", score=0.0, max_score=13.0,
        exercises=(ExerciseResult("relu_model", "A ReLU hidden layer", 0.0, 13.0,
                                  (public, hidden, hidden_plain, broken), "def f(): ...", "relu_model.py"),),
        output="worker said hi", grader_errors=("grader tripped on q7",), grader_version="0.1.0")


def _files_under(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): p.read_text(encoding="utf-8") for p in folder.rglob("*") if p.is_file()}


def test_no_hidden_detail_anywhere_in_the_student_folder(tmp_path: Path) -> None:
    out, r = tmp_path / "out", _result()
    write_student(out, "ada", r)
    store_student(out / INSTRUCTOR_DIR / "ada", "ada", "", RunOutcome(
        {"p": Observation("p", [[987.654321]], output="hidden worker printed this")}), [])
    given = _files_under(out / "ada")
    assert sorted(given) == ["report.html", "results.json"]
    for name, text in given.items():
        leaked = [s for s in SECRETS if s in text]
        assert leaked == [], f"{name} holds {leaked}"
    # ... and every one of them is kept for the instructor (so the check above can fail).
    kept = "".join(_files_under(out / INSTRUCTOR_DIR / "ada").values())
    assert all(s in kept for s in SECRETS) and OBSERVATIONS_NAME in _files_under(out / INSTRUCTOR_DIR / "ada")
    assert load_result(out / INSTRUCTOR_DIR / "ada" / "results.json").checks[1].expected == [[987.654321]]


def test_the_student_copy_still_says_everything_a_student_is_told(tmp_path: Path) -> None:
    r = _result()
    copy = student_copy(r)
    # The student's page and Gradescope's text are the same from either copy.
    assert render.render_student(copy, "student") == render.render_student(r, "student")
    from grader.reports.gradescope_text import to_gradescope

    shown = [t["output"] for t in to_gradescope(r)["tests"]], to_gradescope(r)["output"]
    assert ([t["output"] for t in to_gradescope(copy)["tests"]], to_gradescope(copy)["output"]) == shown
    # Public checks keep their details; scores are untouched.
    assert copy.checks[0] == r.checks[0] and copy.score == r.score
    assert copy.checks[1].message == r.checks[1].message  # the split, student-safe diagnosis
    assert copy.checks[2].message == ""                    # an unsplit hidden message may name values


def test_class_files_come_from_the_instructor_copies(tmp_path: Path) -> None:
    out, r = tmp_path / "out", _result()
    write_student(out, "ada", r)
    (out / "stranger").mkdir()
    (out / "stranger" / "results.json").write_text("{}", encoding="utf-8")
    loaded = load_outputs(out)
    assert loaded.results["ada"] == r and "stranger" in loaded.errors
    summary = write_class_outputs(out, dict(loaded.results)).summary
    assert summary["grader_errors"] == {"ada": ["grader tripped on q7"]}
    assert json.loads((out / "summary.json").read_text())["count"] == 1


def test_an_older_layout_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    from grader.reports.gradescope_text import write_result

    write_result(_result(), tmp_path / "ada" / "results.json")  # results in the student folder only
    with pytest.raises(ResultsFileError, match="older grader"):
        load_outputs(tmp_path)
    with pytest.raises(UsageError, match="older grader"):
        render.result_files(tmp_path)


@pytest.mark.parametrize("name", [INSTRUCTOR_DIR, INSTRUCTOR_DIR.upper(), f" {INSTRUCTOR_DIR}", f".{INSTRUCTOR_DIR}"])
def test_no_student_can_be_named_like_the_instructor_folder(name: str) -> None:
    assert safe_id(name).lower() != INSTRUCTOR_DIR
    assert all(s.lower() != INSTRUCTOR_DIR for s in distinct_safe_ids([(name, name), (name + "x", name)]))
