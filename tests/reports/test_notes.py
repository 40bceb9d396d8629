"""Notes: one line per kind of note per run, and apart from the problems of a submission."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from grader.catalog import EXERCISE_NAMES
from grader.model import StudentResult
from grader.reports.notes import PLACEHOLDER, grouped_notes, note_kind, split_notes
from grader.reports.gradescope_text import summary_text, to_gradescope

STUB_NOTES = [f"{n}.py and {n}.ipynb are both the released stub; graded {n}.py" for n in EXERCISE_NAMES]


def test_the_same_note_for_every_exercise_is_one_line_naming_them() -> None:
    lines = grouped_notes(STUB_NOTES)
    assert len(lines) == 1
    assert lines[0].startswith(f"{PLACEHOLDER}.py and {PLACEHOLDER}.ipynb are both the released stub; "
                               f"graded {PLACEHOLDER}.py")
    assert f"for {len(EXERCISE_NAMES)} exercises" in lines[0]
    assert all(name in lines[0] for name in EXERCISE_NAMES)


def test_different_kinds_stay_apart_and_a_lone_note_is_kept_word_for_word() -> None:
    edited = "graded relu_model.ipynb, the file you changed (relu_model.py is the released stub)"
    notes = [*STUB_NOTES[:3], edited, STUB_NOTES[0], "the portable runner is used"]
    lines = grouped_notes(notes)
    assert len(lines) == 3 and lines[1] == edited and lines[2] == "the portable runner is used"
    assert "for 3 exercises" in lines[0]  # the repeated note counted once


def test_a_note_naming_two_exercises_is_its_own_kind() -> None:
    two = "relu_model.py imports dropout.py"
    assert note_kind(two) == (two, None)
    assert grouped_notes([two, two.replace("relu_model", "quiz")]) == [two, two.replace("relu_model", "quiz")]
    assert note_kind("relu_model: relu_model.ipynb earned 3/15")[0] == f"{PLACEHOLDER}: {PLACEHOLDER}.ipynb earned 3/15"
    assert note_kind("xrelu_model.py")[1] == "xrelu_model"  # a stem is a whole name, never a piece of one


def test_split_notes_keeps_order_and_drops_only_the_prefix() -> None:
    problems, notes = split_notes(["b.py: syntax error", "Note: graded a.py", "Note: x", "c"])
    assert problems == ["b.py: syntax error", "c"] and notes == ["graded a.py", "x"]


def _result(problems: tuple[str, ...]) -> StudentResult:
    return StudentResult("ann", 0.0, 100.0, (), problems=problems)


def test_gradescope_output_shows_notes_apart_from_problems() -> None:
    r = _result(("quiz.py: SyntaxError at line 3", *(f"Note: {n}" for n in STUB_NOTES)))
    text = to_gradescope(r)["output"]
    problems, _, notes = text.partition("Notes:")
    assert "Problems with the submission:" in problems and "SyntaxError" in problems
    assert "released stub" not in problems
    assert notes.count("released stub") == 1 and "Note:" not in text


def test_notes_alone_give_no_problems_heading() -> None:
    text = summary_text(_result(("Note: graded quiz.ipynb",)))
    assert "Problems with the submission" not in text and "Notes:\n  - graded quiz.ipynb" in text
    assert "Notes:" not in summary_text(replace(_result(("x.py: broken",))))


def test_grader_check_prints_one_note_line_per_kind(monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    from grader.cli import main
    from grader.commands import check_cmd

    monkeypatch.setattr(check_cmd, "self_check", lambda *a: (_result(()), list(STUB_NOTES)))
    main(["check", "--no-report"])
    printed = [line for line in capsys.readouterr().out.splitlines() if line.startswith("Note:")]
    assert len(printed) == 1 and f"for {len(EXERCISE_NAMES)} exercises" in printed[0]


def test_a_watch_cycle_repeats_no_unchanged_notes(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import contextlib

    import watchfiles

    from grader.commands import watch
    from grader.paths import Paths
    from grader.runner import choice

    (tmp_path / "exercises").mkdir()
    saves = iter([[{(1, str(tmp_path / "exercises" / "relu_model.py"))}], [{(1, str(tmp_path / "x" / "quiz.py"))}], []])
    cycles = iter([list(STUB_NOTES), list(STUB_NOTES), ["graded quiz.ipynb, the file you changed"]])
    monkeypatch.setattr(choice, "make_runner", lambda *a, **k: contextlib.nullcontext())
    monkeypatch.setattr(watchfiles, "watch", lambda *a, **k: iter(next(saves)))
    monkeypatch.setattr(watch, "recheck", lambda *a: (_result(()), next(cycles)))
    monkeypatch.setattr("grader.selfcheck.write_report", lambda *a: True)
    printed: list[str] = []
    assert watch.watch_loop(Paths(tmp_path), None, printer=printed.append) == 0
    notes = [line for line in printed if line.startswith("Note:")]
    assert len(notes) == 2 and f"for {len(EXERCISE_NAMES)} exercises" in notes[0] and "quiz.ipynb" in notes[1]
