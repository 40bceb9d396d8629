"""`grader check`: the student's self-check, run the way a student runs it (no solutions/, no hidden checks)."""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import pytest

from grader.judging.checks import EXERCISE_NAMES
from grader.cli import main
from grader.commands.check_cmd import student_files
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


def test_student_files_reads_notebooks_only_where_asked(tmp_path: Path) -> None:
    (tmp_path / "quiz.py").write_text("L2_DERIVATIVE = None\n", encoding="utf-8")
    (tmp_path / "quiz.ipynb").write_text(_notebook('L2_DERIVATIVE = "c"'), encoding="utf-8")
    (tmp_path / "dropout.ipynb").write_text(_notebook("KEEP = 1.0"), encoding="utf-8")
    files, notes = student_files(tmp_path)
    assert sorted(files) == ["dropout.py", "quiz.py"]
    assert "None" in files["quiz.py"] and "KEEP = 1.0" in files["dropout.py"]
    files, notes = student_files(tmp_path, prefer_notebooks=True)
    assert 'L2_DERIVATIVE = "c"' in files["quiz.py"]
    assert "checked quiz.ipynb instead of quiz.py" in notes


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
    assert "Public checks: 18 of 18 passed, 59/59 points." in out
    assert not (root / "reports").exists()
