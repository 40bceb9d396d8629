"""X.py beside X.ipynb: the changed file is graded (both when both changed); PEP 263 sources."""

from __future__ import annotations

import zipfile
from pathlib import Path

import nbformat
import pytest

from grader.discovery.choose import Candidate, choose, decode_source, digest, merge_best, stub_digests
from grader.discovery.discover import read_submission
from grader.model import CheckResult, ExerciseResult, StudentResult

ROOT = Path(__file__).resolve().parents[2]
STUB = (ROOT / "exercises" / "quiz.py").read_text(encoding="utf-8")
STUB_NB = (ROOT / "exercises" / "quiz.ipynb").read_text(encoding="utf-8")
SOLVED = (ROOT / "solutions" / "quiz.py").read_text(encoding="utf-8")


def _nb(code: str) -> str:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(code)]
    return nbformat.writes(nb)


def test_pep263_latin1_is_read_as_python_reads_it() -> None:
    data = "# -*- coding: latin-1 -*-\nNAME = 'café'\n".encode("latin-1")
    assert decode_source(data) == "# -*- coding: latin-1 -*-\nNAME = 'café'\n"
    assert decode_source("\ufeffx = 'é'\n".encode()) == "x = 'é'\n"          # UTF-8 with a BOM
    assert decode_source("x = 'é'\n".encode("latin-1")) is None               # no declaration: not UTF-8
    assert decode_source(b"# coding: no-such-codec\nx = 1\n") is None


def test_a_latin1_file_in_a_submission_is_graded(tmp_path: Path) -> None:
    (tmp_path / "quiz.py").write_bytes("# -*- coding: latin-1 -*-\n# Réponse\nL2_DERIVATIVE = 'c'\n"
                                       .encode("latin-1"))
    sub = read_submission(tmp_path, "s")
    assert "Réponse" in sub.files["quiz.py"] and not sub.problems


def test_released_py_and_notebook_stubs_have_one_fingerprint() -> None:
    digests = stub_digests(ROOT / "exercises")
    assert digests["quiz.py"] == digests["quiz.ipynb"] == digest(STUB)
    assert digest(SOLVED) != digest(STUB)


@pytest.mark.parametrize("order", [("quiz.py", "quiz.ipynb"), ("quiz.ipynb", "quiz.py")])
def test_zip_with_solved_py_and_untouched_notebook_grades_the_py_in_any_order(tmp_path: Path,
                                                                             order: tuple[str, str]) -> None:
    content = {"quiz.py": SOLVED, "quiz.ipynb": STUB_NB}
    archive = tmp_path / "s.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for name in order:
            zf.writestr(name, content[name])
    sub = read_submission(archive, "s")
    assert sub.files["quiz.py"] == SOLVED and sub.origins["quiz.py"] == "quiz.py" and not sub.alternates
    assert any("graded quiz.py, the file you changed" in n for n in sub.notes)


def test_folder_with_solved_notebook_and_untouched_py_grades_the_notebook(tmp_path: Path) -> None:
    (tmp_path / "quiz.py").write_text(STUB, encoding="utf-8")
    (tmp_path / "quiz.ipynb").write_text(_nb(SOLVED), encoding="utf-8")
    sub = read_submission(tmp_path, "s")
    assert "L2_DERIVATIVE" in sub.files["quiz.py"] and sub.origins["quiz.py"] == "quiz.ipynb"
    assert sub.files["quiz.py"].startswith("# grader notebook: quiz.ipynb")


def test_both_changed_keeps_the_other_as_alternate(tmp_path: Path) -> None:
    (tmp_path / "quiz.py").write_text(SOLVED + "\nEXTRA = 1\n", encoding="utf-8")
    (tmp_path / "quiz.ipynb").write_text(_nb(SOLVED), encoding="utf-8")
    sub = read_submission(tmp_path, "s")
    assert sub.origins["quiz.py"] == "quiz.py" and sub.alternates["quiz.py"].submitted == "quiz.ipynb"


def test_choice_without_known_stubs_is_deterministic() -> None:
    a, b = Candidate("x/quiz.ipynb", "A = 1\n"), Candidate("quiz.py", "A = 1\n")
    assert choose("quiz.py", [a, b], {}).graded is b and choose("quiz.py", [b, a], {}).graded is b
    assert choose("quiz.py", [a, b], {}).alternate is None  # same code: one grading is enough


def _result(score: float, source: str) -> StudentResult:
    check = CheckResult("quiz.q", "quiz", "t", score, 2.0, "passed" if score else "failed", "", "public")
    return StudentResult("s", score, 2.0, (ExerciseResult("quiz", "Quiz", score, 2.0, (check,), "", source),))


def test_both_graded_and_the_better_result_kept_naming_its_file() -> None:
    origins, swapped = {"quiz.py": "quiz.py"}, {"quiz.py": "quiz.ipynb"}
    merged = merge_best(_result(0.0, "quiz.py"), _result(2.0, "quiz.py"), origins, swapped)
    assert merged.score == 2.0
    assert merged.exercises[0].source_name == "quiz.ipynb"
    assert any("quiz.ipynb earned 2/2" in p and "quiz.py earned 0" in p for p in merged.problems)
    kept = merge_best(_result(2.0, "quiz.py"), _result(0.0, "quiz.py"), origins, swapped)
    assert kept.score == 2.0 and kept.exercises[0].source_name == "quiz.py"


@pytest.mark.slow
@pytest.mark.parametrize("order", [("quiz.py", "quiz.ipynb"), ("quiz.ipynb", "quiz.py")])
def test_a_bundle_zip_with_the_py_solved_earns_the_points_in_any_order(tmp_path: Path, runner: object,
                                                                       order: tuple[str, str]) -> None:
    from grader.grading import grade_one
    from grader.judging.checks import load_checks
    from grader.reference import NO_REFERENCE
    from grader.runner.runner import Runner

    assert isinstance(runner, Runner)
    content = {"quiz.py": SOLVED, "quiz.ipynb": STUB_NB}
    archive = tmp_path / "s.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for name in order:
            zf.writestr(name, content[name])
    sub = read_submission(archive, "s")
    checks = load_checks(("quiz",), include_hidden=False)
    result = grade_one(runner, sub, checks, NO_REFERENCE)
    assert result.score == result.max_score > 0   # before: 0 when the notebook came first in the zip
    assert result.exercises[0].source_name == "quiz.py"


def test_an_untouched_notebook_that_is_not_graded_adds_none_of_its_own_notes(tmp_path: Path) -> None:
    """Its cells never run, so its "cell N not run" notes would only confuse the student."""
    stub_nb = (ROOT / "exercises" / "save_restore.ipynb").read_text(encoding="utf-8")
    assert any(n.startswith("save_restore.ipynb:") for n in read_submission(_only(tmp_path / "nb", stub_nb), "s").notes)
    (tmp_path / "both").mkdir()
    (tmp_path / "both" / "save_restore.py").write_text(
        (ROOT / "exercises" / "save_restore.py").read_text(encoding="utf-8") + "\nEDITED = 1\n", encoding="utf-8")
    (tmp_path / "both" / "save_restore.ipynb").write_text(stub_nb, encoding="utf-8")
    sub = read_submission(tmp_path / "both", "s")
    assert sub.origins["save_restore.py"] == "save_restore.py" and not sub.alternates
    assert not any(n.startswith("save_restore.ipynb:") for n in sub.notes), sub.notes


def _only(folder: Path, notebook: str) -> Path:
    folder.mkdir()
    (folder / "save_restore.ipynb").write_text(notebook, encoding="utf-8")
    return folder
