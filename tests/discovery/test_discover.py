"""Discovery: every kind of entry, and every hostile archive, as per-student problems."""

from __future__ import annotations

import json
import os
import shutil
import zipfile
from pathlib import Path

import pytest
from snapshot_support import pin

from grader.discovery import collect
from grader.discovery import discover as disc
from grader.discovery import ids
from grader.discovery.discover import Submission, discover, read_submission, safe_id
from grader.errors import UsageError

ARCHIVES = Path(__file__).resolve().parents[1] / "submissions" / "archives"
CODE = "def relu_model(features, weights, biases):\n    return features\n"


def _notebook(*cells: str) -> bytes:
    nb = {"nbformat": 4, "nbformat_minor": 5, "metadata": {},
          "cells": [{"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
                     "source": c} for c in cells]}
    return json.dumps(nb).encode()


def _problems(sub: Submission) -> str:
    """What the student is told to fix; pinned with the notes and the instructor's errors beside it."""
    pin({"problems": sub.problems, "notes": sub.notes, "grader_errors": sub.grader_errors})
    return "\n".join(sub.problems)


def test_each_entry_kind(tmp_path: Path) -> None:
    (tmp_path / "alice").mkdir()
    (tmp_path / "alice" / "relu_model.py").write_text(CODE)
    (tmp_path / "alice" / "extra").mkdir()
    (tmp_path / "alice" / "extra" / "parameter_count.py").write_text("N = 1\n")
    (tmp_path / "bob.ipynb").write_bytes(_notebook("import numpy as np", "%matplotlib inline\n" + CODE))
    (tmp_path / "carol.py").write_text(CODE)
    shutil.copy(ARCHIVES / "top_folder.zip", tmp_path / "dave.zip")
    (tmp_path / ".DS_Store").write_bytes(b"\x00")
    subs = {s.student_id: s for s in discover(tmp_path)}
    assert sorted(subs) == ["alice", "bob", "carol", "dave"]
    assert sorted(subs["alice"].files) == ["parameter_count.py", "relu_model.py"]
    assert list(subs["bob"].files) == ["bob.py"] and "def relu_model" in subs["bob"].files["bob.py"]
    assert any("magic" in n or "skipped" in n for n in subs["bob"].notes)
    assert subs["carol"].files == {"carol.py": CODE}
    assert sorted(subs["dave"].files) == ["parameter_count.py", "relu_model.py"]
    assert any("notes.txt" in n for n in subs["dave"].notes)
    assert all(not s.problems for s in subs.values())


def test_notebook_inside_folder_becomes_stem_py(tmp_path: Path) -> None:
    (tmp_path / "s").mkdir()
    (tmp_path / "s" / "all_exercises.ipynb").write_bytes(_notebook(CODE))
    sub = read_submission(tmp_path / "s")
    assert list(sub.files) == ["all_exercises.py"]


def test_malformed_notebook_is_a_problem(tmp_path: Path) -> None:
    (tmp_path / "eve.ipynb").write_text("{not json")
    sub = discover(tmp_path)[0]
    assert sub.empty and "eve.ipynb" in _problems(sub)


@pytest.mark.parametrize("archive, words", [
    ("traversal.zip", "'..'"),
    ("absolute.zip", "absolute path"),
    ("symlink.zip", "symbolic link"),
])
def test_hostile_members_are_skipped(archive: str, words: str) -> None:
    sub = read_submission(ARCHIVES / archive)
    assert list(sub.files) == ["relu_model.py"]  # the honest file still counts
    assert words in _problems(sub)


def test_binary_and_non_utf8_are_noted() -> None:
    sub = read_submission(ARCHIVES / "binary.zip")
    assert list(sub.files) == ["relu_model.py"]
    notes = "\n".join(sub.notes)
    assert "blob.py" in notes and "binary" in notes
    assert "latin1.py" in notes and "UTF-8" in notes
    assert not sub.problems


@pytest.mark.parametrize("archive", ["corrupt.zip", "not_a_zip.zip"])
def test_corrupt_zip(archive: str) -> None:
    sub = read_submission(ARCHIVES / archive)
    assert sub.empty and "corrupt" in _problems(sub)


def test_empty_submissions(tmp_path: Path) -> None:
    (tmp_path / "nobody").mkdir()
    shutil.copy(ARCHIVES / "empty.zip", tmp_path / "zilch.zip")
    for sub in discover(tmp_path):
        assert sub.empty and "empty" in _problems(sub)


def test_zip_bomb_counts_real_bytes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(collect, "MAX_TOTAL_BYTES", 4 * 1024 * 1024)
    bomb = tmp_path / "bomb.zip"
    zeros = b"0" * (1024 * 1024)
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        for i in range(8):  # 8 MiB unpacked, each file under the 32 MiB notebook limit
            zf.writestr(f"nb{i}.ipynb", zeros)
    sub = read_submission(bomb)
    assert sub.empty and "larger than 4 MiB unpacked" in _problems(sub)


def test_zip_bomb_lying_header(tmp_path: Path) -> None:
    """A header claiming a tiny size must not let a big member through."""
    bomb = tmp_path / "liar.zip"
    payload = b"#" * (3 * 1024 * 1024)
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("relu_model.py", payload)
    data = bytearray(bomb.read_bytes())
    # Patch the uncompressed size (offset 22 local header, 24 in the central directory) to 10.
    central = data.rfind(b"PK\x01\x02")
    for offset in (22, central + 24):
        data[offset:offset + 4] = (10).to_bytes(4, "little")
    bomb.write_bytes(bytes(data))
    sub = read_submission(bomb)
    assert sub.empty and sub.problems  # either too large or corrupt, never 3 MiB of "source"


def test_too_many_entries(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(collect, "MAX_ENTRIES", 5)
    monkeypatch.setattr(collect, "MAX_ARCHIVE_ENTRIES", 5)  # the listing's own limit, checked first
    many = tmp_path / "many.zip"
    with zipfile.ZipFile(many, "w") as zf:
        for i in range(10):
            zf.writestr(f"f{i}.py", "x = 1\n")
    sub = read_submission(many)
    assert sub.empty and "entries" in _problems(sub)


def test_oversized_file(tmp_path: Path) -> None:
    (tmp_path / "big").mkdir()
    (tmp_path / "big" / "relu_model.py").write_text("#" * (disc.MAX_SOURCE_BYTES + 10))
    (tmp_path / "big" / "ok.py").write_text("x = 1\n")
    sub = read_submission(tmp_path / "big")
    assert list(sub.files) == ["ok.py"] and "larger than" in _problems(sub)


def test_folder_symlinks_never_followed(tmp_path: Path) -> None:
    outside = tmp_path / "secret.py"
    outside.write_text("SECRET = 1\n")
    subs = tmp_path / "subs"
    (subs / "mallory").mkdir(parents=True)
    (subs / "mallory" / "relu_model.py").write_text(CODE)
    os.symlink(outside, subs / "mallory" / "steal.py")
    os.symlink(tmp_path, subs / "mallory" / "updir")
    os.symlink(outside, subs / "linked.py")  # a whole entry that is a link
    found = {s.student_id: s for s in discover(subs)}
    assert list(found["mallory"].files) == ["relu_model.py"]
    assert "outside" in _problems(found["mallory"])
    assert found["linked"].empty and "symbolic link" in _problems(found["linked"])


def test_fifo_is_not_read(tmp_path: Path) -> None:
    (tmp_path / "s").mkdir()
    os.mkfifo(tmp_path / "s" / "pipe.py")
    (tmp_path / "s" / "relu_model.py").write_text(CODE)
    sub = read_submission(tmp_path / "s")  # would hang if it opened the FIFO blocking
    assert list(sub.files) == ["relu_model.py"]


def test_safe_ids() -> None:
    assert safe_id("alice_01") == "alice_01"
    for bad in ("../etc", "José García", "con", ".hidden", "a/b", "x" * 100, ""):
        s = safe_id(bad)
        assert s != bad and ids._SAFE_ID.match(s), (bad, s)
    assert safe_id("José García") != safe_id("Jose Garcia!")


def test_colliding_ids_get_distinct_folders(tmp_path: Path) -> None:
    (tmp_path / "alice").mkdir()
    (tmp_path / "alice" / "a.py").write_text("x = 1\n")
    (tmp_path / "alice.py").write_text("x = 2\n")
    subs = discover(tmp_path)
    assert [s.student_id for s in subs] == ["alice", "alice"]
    assert len({s.safe_id for s in subs}) == 2


def test_missing_folder_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError):
        discover(tmp_path / "nope")
