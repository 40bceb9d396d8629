"""One reader of a student's files: `grader check` (grader.discovery.discover.read_own) reads its
folder through the same collector as a graded submission, and a file's own notes travel with it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from grader import notebook_check
from grader.discovery.choose import Candidate, choose, write_stub_index
from grader.discovery.discover import read_own, read_submission
from grader.errors import SubmissionError
from grader.selfcheck import said_notes, student_files

ROOT = Path(__file__).resolve().parents[2]
STUB_PY = (ROOT / "exercises" / "save_restore.py").read_text(encoding="utf-8")
STUB_NB = (ROOT / "exercises" / "save_restore.ipynb").read_text(encoding="utf-8")  # has a cell not run


def _released(folder: Path) -> Path:
    """A student's exercises/ as released: both stubs and the index of their digests."""
    folder.mkdir()
    (folder / "save_restore.py").write_text(STUB_PY, encoding="utf-8")
    (folder / "save_restore.ipynb").write_text(STUB_NB, encoding="utf-8")
    write_stub_index(folder)
    return folder


def _edited_nb() -> str:
    """The notebook stub with an edit in a cell that is run (the one defining build_model)."""
    nb = json.loads(STUB_NB)
    cell = next(c for c in nb["cells"] if "def build_model" in "".join(c["source"]))
    cell["source"] = "EDITED = 1\n\n" + "".join(cell["source"])
    return json.dumps(nb)


def _nb_notes(notes: tuple[str, ...] | list[str]) -> list[str]:
    return [n for n in notes if n.startswith("save_restore.ipynb:")]


def test_a_candidate_keeps_its_own_notes_through_the_choice() -> None:
    py, nb = Candidate("x.py", "A = 1\n"), Candidate("x.ipynb", "A = 2\n", ("x.ipynb: cell 2 not run",))
    chosen = choose("x.py", [nb, py], {})
    assert chosen.graded is py and chosen.alternate is nb and chosen.alternate.notes == ("x.ipynb: cell 2 not run",)


def test_the_self_check_says_a_notebooks_notes_only_when_it_is_checked(tmp_path: Path) -> None:
    folder = _released(tmp_path / "exercises")
    (folder / "save_restore.py").write_text(STUB_PY + "\nEDITED = 1\n", encoding="utf-8")
    sub = student_files(folder)
    assert sub.origins == {"save_restore.py": "save_restore.py"} and not sub.alternates
    assert not _nb_notes(sub.notes), sub.notes   # the untouched notebook lost: its notes are not news
    (folder / "save_restore.ipynb").write_text(_edited_nb(), encoding="utf-8")
    both = student_files(folder)
    assert both.alternates["save_restore.py"].submitted == "save_restore.ipynb"
    assert _nb_notes(both.notes) and both.alternates["save_restore.py"].notes == tuple(_nb_notes(both.notes))


def test_the_self_check_and_the_batch_read_a_folder_alike(tmp_path: Path) -> None:
    """Same files, origins, alternates and notes, given the same released stubs."""
    folder = _released(tmp_path / "exercises")
    (folder / "save_restore.ipynb").write_text(_edited_nb(), encoding="utf-8")
    own, graded = read_own(folder, "s"), read_submission(folder, "s")
    assert own.files == graded.files and own.origins == graded.origins == {"save_restore.py": "save_restore.ipynb"}
    assert own.notes == graded.notes and _nb_notes(own.notes)


def test_the_self_check_reads_only_its_folders_sources_and_says_what_it_could_not_read(tmp_path: Path) -> None:
    folder = _released(tmp_path / "exercises")
    (folder / "model.ckpt.index").write_bytes(b"\x00checkpoint")   # what save_restore wrote: not noted
    (folder / "scratch").mkdir()
    (folder / "scratch" / "quiz.py").write_text("L2_DERIVATIVE = 'c'\n", encoding="utf-8")  # not checked
    (folder / "quiz.ipynb").write_text("{not json", encoding="utf-8")
    sub = student_files(folder)
    assert sorted(sub.files) == ["save_restore.py"]
    notes = said_notes(sub)
    assert any(n.startswith("quiz.ipynb:") for n in notes), notes   # a problem reaches the student
    assert not any("model.ckpt" in n or "scratch" in n for n in notes), notes


def test_grader_check_in_a_notebook_reads_its_saved_file_through_the_same_reader(tmp_path: Path) -> None:
    (tmp_path / "quiz.py").write_bytes("# -*- coding: latin-1 -*-\nNAME = 'Zoë'\n".encode("latin-1"))
    code, origin, _ = notebook_check.saved_source("quiz", tmp_path)
    assert "Zoë" in code and origin.endswith("quiz.py")   # as Python reads it, not as UTF-8
    (tmp_path / "quiz.ipynb").write_text("{not json", encoding="utf-8")
    with pytest.raises(SubmissionError, match=r"quiz\.ipynb: .*not valid JSON"):
        notebook_check.saved_source("quiz", tmp_path)
