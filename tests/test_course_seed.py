"""The course seed is never silently public: grading real submissions without one refuses first."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from grader import batch
from grader.cli import main
from grader.errors import ExitCode, NoCourseSeed
from grader.judging.oracles import secret
from grader.paths import Paths


@pytest.fixture
def seedless(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A course checkout with solutions/ but no seed anywhere, and one submission."""
    course = tmp_path / "course"
    (course / "solutions").mkdir(parents=True)
    (course / "exercises").mkdir()
    (course / "pyproject.toml").write_text("[project]\nname = 'c'\n", encoding="utf-8")
    (tmp_path / "subs" / "ann").mkdir(parents=True)
    (tmp_path / "subs" / "ann" / "relu_model.py").write_text("x = 1\n", encoding="utf-8")
    monkeypatch.delenv(secret.ENV, raising=False)
    monkeypatch.setenv("GRADER_ROOT", str(course))
    return tmp_path


@pytest.fixture
def graded(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Stands in for the batch: records what would have been graded, grades nothing."""
    calls: list[str] = []

    def fake(kind: str) -> Any:
        def run(*args: Any, **kwargs: Any) -> batch.BatchReport:
            calls.append(kind)
            return batch.BatchReport()
        return run

    monkeypatch.setattr(batch, "grade_class", fake("class"))
    monkeypatch.setattr(batch, "grade_student", fake("student"))
    return calls


REAL = {
    "grade": lambda t: ["grade", str(t / "subs"), "--out", str(t / "out"), "--quiet"],
    "grade --student": lambda t: ["grade", "--student", "ann", str(t / "subs" / "ann"), "--out", str(t / "out")],
    "gradescope": lambda t: ["gradescope", "--out", str(t / "out" / "autograder.zip")],
}


@pytest.mark.parametrize("command", sorted(REAL))
def test_grading_real_submissions_without_a_seed_refuses_naming_both_sources(
        command: str, seedless: Path, graded: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(REAL[command](seedless)) == ExitCode.NO_COURSE_SEED
    err = capsys.readouterr().err
    assert "GRADER_SECRET_SEED" in err and "solutions/.grader-seed" in err and "--dev-seed" in err
    assert graded == [] and not (seedless / "out").exists()  # refused before anything was graded or written


@pytest.mark.parametrize(("command", "kind"), [("grade", "class"), ("grade --student", "student")])
def test_the_development_seed_is_an_explicit_choice(command: str, kind: str, seedless: Path,
                                                    graded: list[str]) -> None:
    assert main([*REAL[command](seedless), "--dev-seed", "--quiet"]) == 0
    assert graded == [kind]


def test_the_example_class_may_use_the_development_seed(seedless: Path, graded: list[str],
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    from grader.authoring import examples

    monkeypatch.setattr(examples, "build_example_class", lambda paths, folder: folder.mkdir(parents=True))
    assert main(["grade", "--example", "--out", str(seedless / "out"), "--quiet"]) == 0
    assert graded == ["class"]


@pytest.mark.parametrize("command", sorted(REAL))
def test_a_seed_from_the_environment_or_the_file_is_enough(command: str, seedless: Path, graded: list[str],
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("grader.gradescope.build.build", lambda paths, out: [])
    monkeypatch.setenv(secret.ENV, "autumn term")
    assert main(REAL[command](seedless)) == 0
    monkeypatch.delenv(secret.ENV)
    (seedless / "course" / "solutions" / secret.SEED_FILE).write_text("12345\n", encoding="utf-8")
    assert main(REAL[command](seedless)) == 0


def test_require_course_seed_names_where_the_seed_comes_from(seedless: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    paths = Paths(seedless / "course")
    with pytest.raises(NoCourseSeed):
        secret.require_course_seed(paths)
    assert secret.require_course_seed(paths, allow_development=True) == "development seed"
    made = secret.ensure_seed(paths)
    assert secret.require_course_seed(paths) == str(made)
    monkeypatch.setenv(secret.ENV, "x")
    assert secret.require_course_seed(paths) == secret.ENV


def test_an_unreadable_seed_file_is_no_seed(seedless: Path) -> None:
    paths = Paths(seedless / "course")
    secret.seed_file(paths).write_bytes(b"\xff\xfe not text")
    assert secret.seed_source(paths) is None
    with pytest.raises(NoCourseSeed):
        secret.require_course_seed(paths)


def test_rejudge_without_a_seed_refuses_before_touching_the_class(seedless: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    (seedless / "out").mkdir()
    assert main(["rejudge", str(seedless / "out")]) == ExitCode.NO_COURSE_SEED
    assert "GRADER_SECRET_SEED" in capsys.readouterr().err
    # With the development seed chosen it goes on, and finds no stored reference in this empty folder.
    assert main(["rejudge", str(seedless / "out"), "--dev-seed"]) == ExitCode.REJUDGE_REFUSED
    assert "stored reference" in capsys.readouterr().err
