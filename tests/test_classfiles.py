"""grades.csv and summary.json: what a gradebook import and an instructor's script read."""

from __future__ import annotations

import csv
import io
import json
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from snapshot_support import Snapshot

from grader.storage.classfiles import FORMULA_START, GRADES_NAME, SUMMARY_NAME, csv_cell, grades_csv, summary, write_class_files
from grader.model import StudentResult

sys.path.insert(0, str(Path(__file__).parent / "reports"))
from report_samples import class_results  # noqa: E402


def _result(student_id: str) -> StudentResult:
    return replace(class_results()[0], student_id=student_id)


def _class() -> dict[str, StudentResult]:
    return {f"s{i}-{r.student_id[:5]}": r for i, r in enumerate(class_results())}


def test_grades_rows_are_sorted_by_student_and_list_only_graded_exercises() -> None:
    rows = list(csv.reader(io.StringIO(grades_csv(_class()))))
    header, body = rows[0], rows[1:]
    assert header[:3] == ["id", "total", "max"]
    graded = {e.name for r in class_results() for e in r.exercises}
    assert set(header[3:]) == graded
    ids = [row[0] for row in body]
    assert ids == sorted(ids) and len(ids) == len(class_results())
    for row in body:
        assert len(row) == len(header)


def test_a_student_id_cannot_become_a_formula_or_split_a_row() -> None:
    assert csv_cell("=1+1") == "'=1+1"
    assert csv_cell("ok,@SUM(A1)") == "ok,'@SUM(A1)"
    assert csv_cell('  "-2') == "'  \"-2"
    assert csv_cell("a\tb\r\nc") == "a b  c"
    assert csv_cell("plain-name") == "plain-name"  # a formula sign inside a name is harmless


@pytest.mark.parametrize("student_id", ["01_correct_add", "2024001", "0", "9z", ".hidden", "/abs", ":x",
                                        "<tag>", ">x", "?q", "'quoted", "\uff1dfull-width", "a+b", "x=1"])
def test_an_id_that_cannot_start_a_formula_is_written_as_it_is(student_id: str) -> None:
    assert csv_cell(student_id) == student_id
    rows = list(csv.reader(io.StringIO(grades_csv({"s": _result(student_id)}))))
    assert rows[1][0] == student_id


@pytest.mark.parametrize("sign", ["=", "+", "-", "@"])
def test_each_formula_sign_of_owasps_list_is_guarded(sign: str) -> None:
    for text in (f"{sign}1", f" {sign}SUM(A1)", f'"{sign}2', f"ok;{sign}cmd", f"ok|{sign}x"):
        cell = csv_cell(text)
        assert any(cell == guarded for guarded in ("'" + text, text.replace(sign, "'" + sign, 1))), (text, cell)
    rows = list(csv.reader(io.StringIO(grades_csv({"s": _result(f"{sign}123")}))))
    assert rows[1][0] == f"'{sign}123"


@pytest.mark.parametrize("control", ["\t", "\r"])
def test_a_leading_tab_or_carriage_return_cannot_start_a_cell(control: str) -> None:
    cell = csv_cell(f"{control}123")
    assert cell == " 123" and cell[:1] not in FORMULA_START
    assert csv_cell(f"{control}=1") == "' =1"


def test_owasps_list_is_the_whole_guard() -> None:
    assert sorted(FORMULA_START) == sorted("=+-@\t\r")
    for ch in filter(str.isprintable, map(chr, range(32, 0x250))):  # control characters become spaces
        assert (csv_cell(ch + "x") != ch + "x") == (ch in FORMULA_START), repr(ch)


def test_summary_counts_full_marks_and_splits_notes_from_problems() -> None:
    results = _class()
    first = next(iter(results))
    results[first] = replace(results[first], problems=("Note: graded a.py", "b.py: syntax error"))
    doc = summary(results, {"grader_version": "x"}, {"zz": "unreadable", "aa": "not ours"})
    assert doc["count"] == len(results) and doc["grader_version"] == "x"
    assert list(doc["load_errors"]) == ["aa", "zz"]
    assert doc["students"][first]["notes"] == ["graded a.py"]
    assert doc["students"][first]["problems"] == ["b.py: syntax error"]
    for name, ex in doc["exercises"].items():
        got = [e for r in results.values() for e in r.exercises if e.name == name]
        assert ex["students"] == len(got)
        assert ex["full_marks"] == sum(e.score >= e.max_score for e in got)
        assert ex["min"] == min(e.score for e in got) and ex["max"] == max(e.score for e in got)
        assert ex["mean"] == round(sum(e.score for e in got) / len(got), 4)


def test_the_class_files_are_pinned(tmp_path: Path, snapshot: Snapshot) -> None:
    doc = write_class_files(tmp_path, _class(), {"grader_version": "test"}, {"broken": "cannot read"})
    assert json.loads((tmp_path / SUMMARY_NAME).read_text(encoding="utf-8")) == doc
    snapshot.check({"grades.csv": (tmp_path / GRADES_NAME).read_text(encoding="utf-8").splitlines(),
                     "summary.json": (tmp_path / SUMMARY_NAME).read_text(encoding="utf-8").splitlines()})


def test_every_control_or_separator_character_becomes_a_space() -> None:
    assert csv_cell("a\udcffb\u2028c\u2029d\x1be") == "a b c d e"


def test_rows_follow_student_ids_and_lines_end_with_a_newline_only() -> None:
    results = _class()
    first, second = sorted(results)[:2]
    a, b = results[first], results[second]
    swapped = {first: replace(b, student_id="zz last"), second: replace(a, student_id="aa first")}
    text = grades_csv(swapped)
    assert "\r" not in text and text.endswith("\n")
    assert [line.split(",")[0] for line in text.splitlines()[1:]] == ["aa first", "zz last"]


def test_summary_json_keeps_non_ascii_text_and_refuses_nan(tmp_path: Path) -> None:
    import pytest

    results = {"s": replace(next(iter(_class().values())), student_id="Zoë")}
    write_class_files(tmp_path, results)
    assert '"student_id": "Zoë"' in (tmp_path / SUMMARY_NAME).read_text(encoding="utf-8")
    with pytest.raises(ValueError):
        write_class_files(tmp_path, results, {"grader_version": float("nan")})
