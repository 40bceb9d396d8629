"""`grader export`: Canvas's and Moodle's grade import files, read back with csv."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace
from pathlib import Path

import pytest

from grader.outputs import write_student
from grader.storage.classfiles import write_class_files
from grader.cli import main
from grader.errors import ExitCode
from grader.export import CANVAS_COLUMNS, MOODLE_ID_FIELDS, POINTS_POSSIBLE, canvas_csv, collect, moodle_csv
from grader.model import CheckResult, ExerciseResult, StudentResult

SCORES = {"2024001": 87.5, "0042": 100.0, "ada@example.org": 12.25, "=HYPERLINK(1)": 0.0, "-7": 50.0}
NAMES = {"2024001": "Lovelace, Ada", "0042": "Turing, Alan"}


def result(sid: str, score: float, error: str = "") -> StudentResult:
    c = CheckResult("relu_model.lesson_inputs", "relu_model", "ReLU", score, 100.0,
                    "error" if error else ("passed" if score == 100 else "failed"), "msg", "public",
                    grader_error=error)
    ex = ExerciseResult("relu_model", "A ReLU hidden layer", score, 100.0, (c,))
    return StudentResult(sid, score, 100.0, (ex,), grader_version="0.1.0", submission_digest=sid)


@pytest.fixture
def graded(tmp_path: Path) -> Path:
    out = tmp_path / "out"
    results = {f"s{i}": result(sid, score) for i, (sid, score) in enumerate(SCORES.items())}
    results["broken"] = result("9999", 3.0, error="worker died")
    for folder, r in results.items():
        write_student(out, folder, r)
    write_class_files(out, results)
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    for row in summary["students"].values():  # the names discovery keeps for the dashboard
        if row["student_id"] in NAMES:
            row["name"] = NAMES[row["student_id"]]
    (out / "summary.json").write_text(json.dumps(summary), encoding="utf-8")
    return out


def rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_canvas_layout_points_possible_and_ids_as_they_are(graded: Path) -> None:
    table = rows(canvas_csv(collect(graded), "Lesson 3", "777"))
    assert table[0] == [*CANVAS_COLUMNS, "Lesson 3 (777)"]
    assert table[1] == [POINTS_POSSIBLE, "", "", "", "", "100"]
    body = {row[1]: row for row in table[2:]}
    assert set(body) == {"2024001", "0042", "ada@example.org", "'=HYPERLINK(1)", "'-7"}  # 9999 left out
    assert body["0042"] == ["Turing, Alan", "0042", "", "", "", "100"]
    assert body["2024001"][0] == "Lovelace, Ada" and body["2024001"][5] == "87.5"
    assert body["ada@example.org"] == ["", "ada@example.org", "", "", "", "12.25"]
    assert all(len(row) == len(table[0]) for row in table)


def test_canvas_without_an_assignment_id_makes_a_new_assignment(graded: Path) -> None:
    assert rows(canvas_csv(collect(graded), "Lesson 3"))[0][-1] == "Lesson 3"


@pytest.mark.parametrize("field", sorted(MOODLE_ID_FIELDS))
def test_moodle_layout_an_id_column_and_a_grade_column(graded: Path, field: str) -> None:
    table = rows(moodle_csv(collect(graded), "Lesson 3", field))
    assert table[0] == [MOODLE_ID_FIELDS[field], "Full name", "Lesson 3"]
    grades = {row[0]: float(row[2]) for row in table[1:]}
    assert grades == {("'" + k if k[0] in "=-" else k): v for k, v in SCORES.items()}
    assert ["0042", "Turing, Alan", "100"] in table


def test_a_student_the_grader_failed_on_is_left_out_and_named(graded: Path, tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "canvas.csv"
    assert main(["export", str(graded), "--format", "canvas", "--out", str(target)]) == 0
    assert "9999" not in target.read_text(encoding="utf-8")
    captured = capsys.readouterr()
    assert "9999" in captured.err and "5 student(s)" in captured.out
    assert collect(graded).left_out == ("9999",)


def test_the_command_writes_what_the_functions_give(graded: Path, tmp_path: Path) -> None:
    target = tmp_path / "moodle.csv"
    assert main(["export", str(graded), "--format", "moodle", "--out", str(target), "--id-field", "email",
                 "--assignment", "Exercises"]) == 0
    assert target.read_text(encoding="utf-8") == moodle_csv(collect(graded), "Exercises", "email")


def test_usage_errors(graded: Path, tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    assert main(["export", str(tmp_path / "empty"), "--format", "canvas", "--out", str(tmp_path / "x.csv")]) \
        == ExitCode.USAGE
    assert main(["export", str(tmp_path / "nope"), "--format", "moodle", "--out", str(tmp_path / "x.csv")]) \
        == ExitCode.USAGE
    with pytest.raises(SystemExit):
        main(["export", str(graded), "--format", "blackboard", "--out", str(tmp_path / "x.csv")])
    assert not (tmp_path / "x.csv").exists()


def test_two_results_with_one_id_are_refused(graded: Path, tmp_path: Path) -> None:
    write_student(graded, "twin", replace(result("0042", 1.0)))
    assert main(["export", str(graded), "--format", "canvas", "--out", str(tmp_path / "x.csv")]) == ExitCode.USAGE
