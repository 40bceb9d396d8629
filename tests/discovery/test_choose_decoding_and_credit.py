"""choose.py read exactly: decoding, fingerprints of code that does not parse, the stub index,
and which file each exercise's result is credited to when two gradings are merged."""

from __future__ import annotations

import json
from pathlib import Path

from grader.discovery.choose import (STUB_INDEX, Candidate, choose, decode_source, digest, fingerprint,
                                     label_sources, load_stubs, merge_best, stub_digests,
                                     write_stub_index)
from grader.model import CheckResult, ExerciseResult, StudentResult


def test_a_bom_is_dropped_and_nothing_else() -> None:
    assert decode_source("\ufeffx = 1\n".encode("utf-8")) == "x = 1\n"
    assert decode_source(b"x = 1\n") == "x = 1\n"


def test_code_that_does_not_parse_is_compared_without_comments_and_blank_lines() -> None:
    code = "def f(:  # a # b\n\n   return 1 #x\n"
    assert fingerprint(code) == "def f(:\nreturn 1"
    assert fingerprint("y = (\n# only a comment\n") == "y = ("


def test_digest_takes_any_text_a_notebook_may_hold() -> None:
    assert len(digest("x = '\udcff'")) == 64  # a lone surrogate (an undecodable byte kept as text)
    assert digest("x = 1  # one") == digest("x = 1\n\n")


def test_an_unreadable_stub_is_skipped_and_the_others_still_read(tmp_path: Path) -> None:
    (tmp_path / "a.py").mkdir()  # a folder named like a stub cannot be read as one
    (tmp_path / "b.py").write_text("x = 1\n", encoding="utf-8")
    (tmp_path / "c.py").write_bytes(b"\xff\xfe not utf-8")
    (tmp_path / "notes.txt").write_text("x", encoding="utf-8")
    assert stub_digests(tmp_path) == {"b.py": digest("x = 1\n")}


def test_the_stub_index_is_read_back_and_used_before_the_files(tmp_path: Path) -> None:
    (tmp_path / "b.py").write_text("x = 1\n", encoding="utf-8")
    (tmp_path / "a.py").write_text("y = 2\n", encoding="utf-8")
    index = write_stub_index(tmp_path)
    assert index == tmp_path / STUB_INDEX
    assert index.read_text(encoding="utf-8") == json.dumps(
        {"a.py": digest("y = 2\n"), "b.py": digest("x = 1\n")}, indent=1) + "\n"
    (tmp_path / "a.py").write_text("y = 3  # the student's edit\n", encoding="utf-8")
    assert load_stubs(tmp_path, edited_here=True) == {"a.py": digest("y = 2\n"), "b.py": digest("x = 1\n")}


def test_without_an_index_the_folder_is_the_stubs_unless_it_is_where_the_student_works(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("y = 2\n", encoding="utf-8")
    assert load_stubs(tmp_path) == {"a.py": digest("y = 2\n")}
    assert load_stubs(tmp_path, edited_here=True) == {}
    (tmp_path / STUB_INDEX).write_text("[1, 2]", encoding="utf-8")  # not an index: the files decide
    assert load_stubs(tmp_path) == {"a.py": digest("y = 2\n")}
    assert load_stubs(tmp_path / "missing") == {} and load_stubs(None) == {}


def test_each_choice_names_the_files_it_compared() -> None:
    stub = Candidate("hw/q.ipynb", "x = 1\n")
    stubs = {"q.py": digest("x = 1\n"), "q.ipynb": digest("x = 1\n")}
    same = choose("q.py", [stub, Candidate("hw/q.py", "x = 1\n")], stubs)
    assert (same.graded.submitted, same.alternate, same.note) == (
        "hw/q.py", None, "q.py and q.ipynb are both the released stub; graded hw/q.py")
    one = choose("q.py", [stub, Candidate("hw/q.py", "x = 2\n")], stubs)
    assert (one.graded.submitted, one.note) == (
        "hw/q.py", "graded hw/q.py, the file you changed (hw/q.ipynb is the released stub)")
    twins = choose("q.py", [Candidate("q.ipynb", "x = 2\n"), Candidate("q.py", "x = 2  # same\n")], stubs)
    assert (twins.graded.submitted, twins.alternate, twins.note) == (
        "q.py", None, "q.py and q.ipynb hold the same code; graded q.py")
    both = choose("q.py", [Candidate("q.ipynb", "x = 3\n"), Candidate("q.py", "x = 2\n")], stubs)
    assert (both.graded.submitted, both.alternate) == ("q.py", Candidate("q.ipynb", "x = 3\n"))
    assert both.note == "q.py and q.ipynb were both changed: both were graded, and each exercise keeps the better result"


def _ex(name: str, score: float, source: str) -> ExerciseResult:
    check = CheckResult(f"{name}.c", name, "c", score, 2.0, "passed" if score == 2.0 else "failed", "m", "public")
    return ExerciseResult(name, name.title(), score, 2.0, (check,), "code", source)


def _student(*exercises: ExerciseResult) -> StudentResult:
    return StudentResult("s", sum(e.score for e in exercises), 2.0 * len(exercises), exercises,
                         problems=("kept",))


def test_merging_credits_each_exercise_to_the_file_that_earned_it() -> None:
    primary = _student(_ex("quiz", 0.5, "quiz.py"), _ex("dropout", 2.0, "dropout.py"), _ex("relu", 1.0, "relu.py"))
    alternate = _student(_ex("quiz", 1.5, "quiz.py"), _ex("dropout", 1.0, "dropout.py"), _ex("relu", 2.0, "relu.py"))
    origins = {"quiz.py": "hw/quiz.py", "dropout.py": "hw/dropout.py", "relu.py": "relu.py"}
    swapped = {"quiz.py": "hw/quiz.ipynb", "dropout.py": "hw/dropout.ipynb"}
    merged = merge_best(primary, alternate, origins, swapped)
    assert [(e.name, e.score, e.source_name) for e in merged.exercises] == [
        ("quiz", 1.5, "hw/quiz.ipynb"), ("dropout", 2.0, "hw/dropout.py"), ("relu", 1.0, "relu.py")]
    assert merged.score == 4.5
    assert merged.problems == (
        "kept",
        "Note: quiz: hw/quiz.ipynb earned 1.5/2 (hw/quiz.py earned 0.5); the better result was kept",
        "Note: dropout: hw/dropout.py earned 2/2, at least as much as the other file")


def test_merged_scores_are_rounded_and_unknown_files_keep_their_names() -> None:
    thirds = _student(_ex("a", 1 / 3, "a.py"), _ex("b", 1 / 3, "b.py"), _ex("c", 1 / 3, "c.py"))
    merged = merge_best(thirds, _student(), {}, {"x.py": "x.ipynb"})
    assert merged.score == 1.0 and [e.source_name for e in merged.exercises] == ["a.py", "b.py", "c.py"]
    better = merge_best(_student(_ex("a", 0.0, "a.py")), _student(_ex("a", 2.0, "a2.py")), {}, {"a.py": "a.ipynb"})
    assert better.exercises[0].source_name == "a2.py"


def test_one_grading_only_relabels_sources() -> None:
    result = label_sources(_student(_ex("quiz", 1.0, "quiz.py"), _ex("relu", 1.0, "relu.py")),
                           {"quiz.py": "hw/quiz.ipynb"})
    assert [e.source_name for e in result.exercises] == ["hw/quiz.ipynb", "relu.py"]
    assert label_sources(result, {}) == result


def test_a_note_names_the_graded_file_even_without_a_known_origin() -> None:
    primary = _student(_ex("quiz", 2.0, "quiz.py"))
    merged = merge_best(primary, _student(_ex("quiz", 1.0, "quiz.py")), {}, {"quiz.py": "quiz.ipynb"})
    assert merged.problems[-1] == "Note: quiz: quiz.py earned 2/2, at least as much as the other file"
    better = merge_best(_student(_ex("quiz", 0.0, "quiz.py")), _student(_ex("quiz", 2.0, "quiz.py")),
                        {}, {"quiz.py": "quiz.ipynb"})
    assert better.problems[-1] == "Note: quiz: quiz.ipynb earned 2/2 (quiz.py earned 0); the better result was kept"
