"""`grader check`: the student's self-check, run the way a student runs it (no solutions/, no hidden checks)."""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import pytest

from grader.judging.checks import EXERCISE_NAMES
from grader.cli import main
from grader.selfcheck import student_files
from grader.paths import Paths

ROOT = Path(__file__).resolve().parents[1]


def course(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, files: dict[str, str]) -> Path:
    """A student's course folder: pyproject.toml and exercises/, and no solutions/."""
    (tmp_path / "pyproject.toml").write_text("", encoding="utf-8")
    (tmp_path / "exercises").mkdir()
    for name, text in files.items():
        (tmp_path / "exercises" / name).write_text(text, encoding="utf-8")
    monkeypatch.setenv("GRADER_ROOT", str(tmp_path))
    return tmp_path


def read(folder: str, name: str) -> str:
    return (ROOT / folder / name).read_text(encoding="utf-8")


def test_unknown_exercise_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "relu_model", "relu_modle"]) == 2
    err = capsys.readouterr().err
    assert "unknown exercise 'relu_modle'" in err and "parameter_count" in err


def test_no_exercises_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                             capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("GRADER_ROOT", str(tmp_path))
    assert main(["check", "quiz"]) == 2
    assert "no exercises/ folder" in capsys.readouterr().err


def _notebook(source: str) -> str:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# Quiz"), nbformat.v4.new_code_cell(source)]
    return nbformat.writes(nb)


def _bundle(tmp_path: Path, py: str, nb: str, stub: str = "L2_DERIVATIVE = None\n") -> Path:
    """A bundle's exercises/: quiz.py and quiz.ipynb, plus the index of the released stubs."""
    from grader.discovery.choose import write_stub_index

    (tmp_path / "quiz.py").write_text(stub, encoding="utf-8")
    (tmp_path / "quiz.ipynb").write_text(_notebook(stub), encoding="utf-8")
    write_stub_index(tmp_path)
    (tmp_path / "quiz.py").write_text(py, encoding="utf-8")
    (tmp_path / "quiz.ipynb").write_text(_notebook(nb), encoding="utf-8")
    return tmp_path


# Replaces test_student_files_reads_notebooks_only_where_asked: the rule is now "the changed file"
# (issue 10), and --notebooks is only an alias kept for old instructions.
def test_the_changed_notebook_is_checked_beside_an_untouched_py(tmp_path: Path) -> None:
    got = student_files(_bundle(tmp_path, "L2_DERIVATIVE = None\n", 'L2_DERIVATIVE = "c"'))
    assert 'L2_DERIVATIVE = "c"' in got.files["quiz.py"] and got.origins["quiz.py"] == "quiz.ipynb"
    assert not got.alternates
    assert any("graded quiz.ipynb, the file you changed" in n for n in got.notes)
    assert student_files(tmp_path, prefer_notebooks=True).files == got.files  # the alias changes nothing


def test_the_changed_py_is_checked_beside_an_untouched_notebook(tmp_path: Path) -> None:
    got = student_files(_bundle(tmp_path, 'L2_DERIVATIVE = "c"\n', "L2_DERIVATIVE = None"))
    assert 'L2_DERIVATIVE = "c"' in got.files["quiz.py"] and got.origins["quiz.py"] == "quiz.py"
    assert not got.alternates


def test_both_changed_both_are_checked(tmp_path: Path) -> None:
    got = student_files(_bundle(tmp_path, 'L2_DERIVATIVE = "b"\n', 'L2_DERIVATIVE = "c"'))
    assert got.origins["quiz.py"] == "quiz.py" and got.alternates["quiz.py"].submitted == "quiz.ipynb"


def test_without_an_index_equal_files_are_one_and_different_ones_both(tmp_path: Path) -> None:
    (tmp_path / "quiz.py").write_text("L2_DERIVATIVE = None\n", encoding="utf-8")
    (tmp_path / "quiz.ipynb").write_text(_notebook("L2_DERIVATIVE = None"), encoding="utf-8")
    (tmp_path / "dropout.ipynb").write_text(_notebook("KEEP = 1.0"), encoding="utf-8")
    got = student_files(tmp_path)
    assert sorted(got.files) == ["dropout.py", "quiz.py"] and not got.alternates
    assert "KEEP = 1.0" in got.files["dropout.py"] and got.origins["dropout.py"] == "dropout.ipynb"
    (tmp_path / "quiz.ipynb").write_text(_notebook('L2_DERIVATIVE = "c"'), encoding="utf-8")
    assert student_files(tmp_path).alternates["quiz.py"].submitted == "quiz.ipynb"


def test_a_latin1_file_declaring_its_encoding_is_read(tmp_path: Path) -> None:
    (tmp_path / "quiz.py").write_bytes("# -*- coding: latin-1 -*-\nNAME = 'Zoë'\n".encode("latin-1"))
    got = student_files(tmp_path)
    assert "Zoë" in got.files["quiz.py"]


@pytest.mark.slow
def test_self_check_of_a_work_in_progress(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    root = course(tmp_path, monkeypatch, {
        "relu_model.py": read("solutions", "relu_model.py"),
        "quiz.py": 'LOGISTIC_PARAMETERS = 7850\nL2_DERIVATIVE = "b"\nDROPOUT_EVALUATION = None\n',
        "dropout.py": read("exercises", "dropout.py"),
    })
    code = main(["check", "relu_model", "quiz", "dropout"])
    out = capsys.readouterr().out
    assert code == 1
    assert "PASS  4/4  relu_model on the ReLU quiz's inputs" in out
    assert "FAIL  0/2  Quiz: the derivative of 1/2 ||w||^2" in out
    assert "w^T w is ||w||^2 itself" in out
    assert "TODO  0/2  Quiz: what is wrong" in out
    assert "TODO  0/3  dropout_model with keep_prob 0.5" in out
    assert "Public checks: 2 of 6 passed, 5/14 points." in out
    # Only public checks, and nothing about exercises that were not asked for.
    assert "unseen" not in out and "parameter_count" not in out
    report = root / "reports" / "self-check.html"
    assert report.is_file() and "relu_model" in report.read_text(encoding="utf-8")
    assert not (root / "solutions").exists()


@pytest.mark.slow
def test_self_check_of_finished_work_exits_0(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    root = course(tmp_path, monkeypatch, {})
    for name in EXERCISE_NAMES:
        shutil.copy(Paths(ROOT).solutions / f"{name}.py", root / "exercises" / f"{name}.py")
    assert main(["check", "--no-report"]) == 0
    out = capsys.readouterr().out
    assert "FAIL" not in out and "TODO" not in out
    assert "Public checks: 19 of 19 passed, 59/59 points." in out
    assert not (root / "reports").exists()


def _bundle_course(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, py: str | None, nb: str | None) -> Path:
    """A bundle's course folder with the released quiz stubs and their index; then the student's edits."""
    from grader.discovery.choose import write_stub_index

    root = course(tmp_path, monkeypatch, {"quiz.py": read("exercises", "quiz.py"),
                                          "quiz.ipynb": read("exercises", "quiz.ipynb")})
    write_stub_index(root / "exercises")
    if py is not None:
        (root / "exercises" / "quiz.py").write_text(py, encoding="utf-8")
    if nb is not None:
        (root / "exercises" / "quiz.ipynb").write_text(_notebook(nb), encoding="utf-8")
    return root


@pytest.mark.slow
@pytest.mark.parametrize("py, nb, earned_by", [
    (None, "SOLVED", "quiz.ipynb"),          # the bundle's .py untouched: the notebook is checked
    ("SOLVED", None, "quiz.py"),             # the notebook untouched: the .py is checked
    ("WRONG", "SOLVED", "quiz.ipynb"),       # both changed: both checked, the better kept
])
def test_self_check_grades_the_changed_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str], py: str | None,
                                            nb: str | None, earned_by: str) -> None:
    solved = read("solutions", "quiz.py")
    wrong = solved.replace('L2_DERIVATIVE = "c"', 'L2_DERIVATIVE = "b"')
    assert wrong != solved
    code = {"SOLVED": solved, "WRONG": wrong, None: None}
    _bundle_course(tmp_path, monkeypatch, code[py], code[nb])
    assert main(["check", "quiz", "--no-report"]) == 0
    out = capsys.readouterr().out
    assert "FAIL" not in out and "TODO" not in out
    if py and nb:
        assert "quiz.py and quiz.ipynb were both changed" in out
        assert "quiz.ipynb earned" in out and "the better result was kept" in out
    else:
        assert f"graded {earned_by}, the file you changed" in out


def test_what_the_code_printed_is_shown_capped() -> None:
    from grader.selfcheck import PRINTED_LINES, format_check
    from grader.model import CheckResult

    printed = "".join(f"line {i}\n" for i in range(PRINTED_LINES + 5))
    c = CheckResult("quiz.q", "quiz", "Quiz", 0.0, 1.0, "failed", "Wrong.", "public", output=printed)
    text = format_check(c)
    assert "Your code printed:" in text and "line 0" in text and f"line {PRINTED_LINES - 1}" in text
    assert f"line {PRINTED_LINES}\n" not in text and "[... 5 more lines]" in text
