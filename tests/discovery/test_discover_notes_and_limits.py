"""Discovery read exactly: every note and problem word for word, and every limit at its edge.

Written against the mutants tests/discovery/test_discover.py let live (mutmut): a note that
names the wrong file, a `continue` turned into `break`, limits off by one, collision suffixes.
"""

from __future__ import annotations

import hashlib
import json
import os
import zipfile
from pathlib import Path

import pytest

from grader.discovery import collect
from grader.discovery import discover as disc
from grader.discovery.discover import discover, read_submission, safe_id
from grader.errors import UsageError

CODE = "def relu_model(features, weights, biases):\n    return features\n"


def _sha8(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:8]


def _notebook(source: str) -> bytes:
    cell = {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None, "source": source}
    return json.dumps({"nbformat": 4, "nbformat_minor": 4, "metadata": {}, "cells": [cell]}).encode()


def test_a_folder_gives_exactly_these_files_notes_and_problems(tmp_path: Path) -> None:
    root = tmp_path / "alice"
    (root / "sub").mkdir(parents=True)
    (root / "__pycache__").mkdir()
    (root / "__pycache__" / "cached.py").write_text("CACHED = 1\n")
    (root / ".hidden.py").write_text("HIDDEN = 1\n")   # sorts first: skipping it must not stop the walk
    (root / "a.py").write_text(CODE)
    (root / "sub" / "a.py").write_text("DUPLICATE = 1\n")
    (root / "nested.zip").write_bytes(b"PK")
    (root / "readme.txt").write_text("notes")
    (root / "nb.ipynb").write_bytes(_notebook("%matplotlib inline\nN = 2\n"))
    (root / "z_in.py").symlink_to(root / "a.py")
    (root / "z_out.py").symlink_to(tmp_path / "elsewhere.py")
    sub = read_submission(root)
    assert sub.student_id == "alice" and sub.safe_id == "alice"
    assert sub.files == {"a.py": CODE,
                         "nb.py": "# grader notebook: nb.ipynb\n# In[1]:\n# [skipped magic] %matplotlib inline\nN = 2\n\n\n"}
    assert sub.notes == (
        "nb.ipynb: cell 1: skipped IPython magic `%matplotlib inline` (never run)",
        "nested.zip: archives inside the submission are not opened",
        "readme.txt: ignored (only .py files and .ipynb notebooks are graded)",
        # Two changed files of one name: both graded, the better result kept (grader.discovery.choose).
        "a.py and a.py were both changed: both were graded, and each exercise keeps the better result",
        "z_in.py: skipped, symbolic links are not followed",
    )
    assert sub.origins == {"a.py": "a.py", "nb.py": "nb.ipynb"}
    assert {n: (c.submitted, c.code) for n, c in sub.alternates.items()} == {"a.py": ("sub/a.py", "DUPLICATE = 1\n")}
    assert sub.problems == ("z_out.py: skipped, it is a symbolic link pointing outside the submission",)


def test_a_notebook_and_a_py_of_the_same_stem_name_the_first_origin(tmp_path: Path) -> None:
    root = tmp_path / "bob"
    root.mkdir()
    (root / "a.ipynb").write_bytes(_notebook("A = 1\n"))
    (root / "b" / "a.py").parent.mkdir()
    (root / "b" / "a.py").write_text("A = 2\n")
    sub = read_submission(root)
    # Both changed: the .py is graded first and the notebook kept as the alternate, whatever the order read.
    assert sub.notes == ("a.py and a.ipynb were both changed: both were graded, and each exercise keeps the better result",)
    assert sub.files == {"a.py": "A = 2\n"} and sub.origins == {"a.py": "b/a.py"}
    assert sub.alternates["a.py"].submitted == "a.ipynb"


def test_nesting_limit_is_exact(tmp_path: Path) -> None:
    deepest = tmp_path / "s"
    for i in range(1, disc.MAX_DEPTH + 2):
        deepest = deepest / f"d{i}"
        deepest.mkdir(parents=True)
        (deepest / f"f{i}.py").write_text(f"N{i} = {i}\n")
    sub = read_submission(tmp_path / "s")
    assert sorted(sub.files) == sorted(f"f{i}.py" for i in range(1, disc.MAX_DEPTH + 1))
    too_deep = "/".join(f"d{i}" for i in range(1, disc.MAX_DEPTH + 2))
    assert sub.notes == (f"{too_deep}: not searched, folders nested too deeply",)


def test_file_size_limit_is_exact_with_its_unit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(collect, "MAX_SOURCE_BYTES", 2048)
    (tmp_path / "s").mkdir()
    (tmp_path / "s" / "fits.py").write_text("#" * 2048)
    (tmp_path / "s" / "over.py").write_text("#" * 2049)
    sub = read_submission(tmp_path / "s")
    assert list(sub.files) == ["fits.py"]
    assert sub.problems == ("over.py: skipped, larger than 2 KiB",)
    (tmp_path / "carol.py").write_text("#" * 2049)
    assert read_submission(tmp_path / "carol.py").problems == (
        "carol.py: skipped, larger than 2 KiB", "no gradable files were found in the submission")


def test_notebooks_get_the_notebook_limit_whatever_the_case() -> None:
    assert disc._limit_for("Work.IPYNB") == disc._limit_for("w.ipynb") == disc.MAX_NOTEBOOK_BYTES
    assert disc._limit_for("w.py") == disc._limit_for("w.ipynb.py") == disc.MAX_SOURCE_BYTES


def test_total_and_entry_budgets_are_exact(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "s"
    root.mkdir()
    for name in ("a.py", "b.py", "c.py"):
        (root / name).write_text("x = 1\n")  # 6 bytes each
    monkeypatch.setattr(collect, "MAX_TOTAL_BYTES", 18)
    monkeypatch.setattr(collect, "MAX_ENTRIES", 3)
    assert list(read_submission(root).files) == ["a.py", "b.py", "c.py"]
    monkeypatch.setattr(collect, "MAX_TOTAL_BYTES", 17)
    assert read_submission(root).problems == ("s: the submission is larger than 0 MiB unpacked; nothing was graded",
                                              "no gradable files were found in the submission")
    monkeypatch.setattr(collect, "MAX_TOTAL_BYTES", 18)
    monkeypatch.setattr(collect, "MAX_ENTRIES", 2)
    sub = read_submission(root)
    assert sub.files == {} and sub.problems == ("s: the submission has more than 2 files and folders; nothing was graded",
                                                "no gradable files were found in the submission")


def _zip(path: Path, members: dict[str, str]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in members.items():
            zf.writestr(name, text)
    return path


def test_a_zip_skips_clutter_and_keeps_going(tmp_path: Path) -> None:
    archive = _zip(tmp_path / "dave.zip", {
        "folder/": "", "__MACOSX/a.py": "x", ".git/b.py": "x", "sub/.c.py": "x", "readme.md": "hi",
        "\\evil.py": "x", "C:evil.py": "x", "c:evil.py": "x", "a/../../evil.py": "x",
        "sub/relu_model.py": CODE,
    })
    sub = read_submission(archive)
    assert sub.files == {"relu_model.py": CODE}
    assert sub.notes == ("readme.md: ignored (only .py files and .ipynb notebooks are graded)",)
    assert sub.problems == ("\\evil.py: skipped, it has an absolute path", "C:evil.py: skipped, it has an absolute path",
                            "c:evil.py: skipped, it has an absolute path",
                            "a/../../evil.py: skipped, it climbs out of the archive with '..'")


def test_unsafe_member_reasons() -> None:
    assert disc._unsafe_member("/etc/passwd") == "has an absolute path"
    assert disc._unsafe_member("a\\..\\b.py") == "climbs out of the archive with '..'"
    assert disc._unsafe_member("a\x00b.py") == "has a NUL byte in its name"
    assert disc._unsafe_member("a..b.py") is None and disc._unsafe_member("dir/x.py") is None


def test_zip_member_limit_is_exact_in_small_chunks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(collect, "MAX_SOURCE_BYTES", 2048)
    monkeypatch.setattr(collect, "CHUNK", 1000)
    fits = "#" * 2047 + "\n"
    archive = _zip(tmp_path / "e.zip", {"fits.py": fits, "over.py": "#" * 2049})
    sub = read_submission(archive)
    assert sub.files == {"fits.py": fits}  # joined from 3 chunks, nothing added between them
    assert sub.problems == ("over.py: skipped, larger than 2 KiB unpacked",)


def test_zip_entry_limit_is_exact(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(collect, "MAX_ENTRIES", 2)
    monkeypatch.setattr(collect, "MAX_ARCHIVE_ENTRIES", 2)  # the listing's own limit, checked first
    assert list(read_submission(_zip(tmp_path / "f.zip", {"a.py": "A = 1\n", "b.py": "B = 1\n"})).files) == [
        "a.py", "b.py"]
    sub = read_submission(_zip(tmp_path / "g.zip", {"a.py": "", "b.py": "", "c.py": ""}))
    assert sub.problems == ("g.zip: the archive has 3 entries (at most 2); nothing was graded",
                            "no gradable files were found in the submission")


def test_entries_that_are_not_submissions(tmp_path: Path) -> None:
    assert read_submission(tmp_path / "gone.py").problems == (
        "gone.py: does not exist", "no gradable files were found in the submission")
    (tmp_path / "notes.txt").write_text("x")
    assert read_submission(tmp_path / "notes.txt").problems == (
        "notes.txt: unsupported submission type (submit a folder, a .zip, a .ipynb notebook or a .py file)",
        "no gradable files were found in the submission")
    (tmp_path / "empty").mkdir()
    assert read_submission(tmp_path / "empty").problems == (
        "the submission is empty: no .py files or .ipynb notebooks were found",)


def test_ids_from_entries_and_given_ids(tmp_path: Path) -> None:
    (tmp_path / "carol.zip").mkdir()  # a folder, whatever its name says
    (tmp_path / "notes.txt").write_text("x")
    assert disc._student_id(tmp_path / "carol.zip") == "carol.zip"
    assert disc._student_id(tmp_path / "notes.txt") == "notes.txt"
    assert disc._student_id(tmp_path / "Dave.IPYNB") == "Dave"
    (tmp_path / "e.py").write_text("E = 1\n")
    given = read_submission(tmp_path / "e.py", student_id="Erin Example")
    assert given.student_id == "Erin Example" and given.safe_id == safe_id("Erin Example")
    assert read_submission(tmp_path / "e.py", safe="chosen").safe_id == "chosen"


def test_not_a_regular_file_and_not_followed_links_are_reported(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.py")
    into = disc._Collector()
    assert disc._read_regular(tmp_path / "pipe.py", "pipe.py", 100, into) is None
    assert into.notes == ["pipe.py: skipped, not a regular file"]
    (tmp_path / "real.py").write_text("R = 1\n")
    (tmp_path / "link.py").symlink_to(tmp_path / "real.py")
    assert disc._read_regular(tmp_path / "link.py", "link.py", 100, into) is None  # O_NOFOLLOW
    assert into.problems == ["link.py: cannot be read (Too many levels of symbolic links)"]


@pytest.mark.parametrize(("student_id", "cleaned"), [
    ("Zoë Smith!", "Zoe_Smith"),
    ("a..b", "a..b"),
    ("__Hi there__", "Hi_there"),
    ("!!!", "student"),
    ("x y" * 30, ("x_y" * 30)[:40]),
    ("bad\udcffname", "badname"),
])
def test_unsafe_ids_become_cleaned_name_and_hash(student_id: str, cleaned: str) -> None:
    assert safe_id(student_id) == f"{cleaned}-{_sha8(student_id)}"


def test_collisions_get_the_entry_hash_then_a_counter(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / f"b-{_sha8('b.py')}").mkdir()   # already holds the name the collision would get
    (tmp_path / "b.py").write_text("B = 1\n")
    long = "a" * 60
    (tmp_path / long).mkdir()
    (tmp_path / f"{long}.py").write_text("A = 1\n")
    safe = {(s.student_id, s.safe_id) for s in discover(tmp_path)}
    assert safe == {("b", "b"), (f"b-{_sha8('b.py')}", f"b-{_sha8('b.py')}"), ("b", f"b-{_sha8('b.py')}-2"),
                    (long, long), (long, f"{'a' * 50}-{_sha8(long + '.py')}")}


def test_a_missing_folder_says_so(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=f"^{tmp_path / 'nope'} is not a folder of submissions$"):
        discover(tmp_path / "nope")


def test_names_starting_with_x_keep_it() -> None:
    assert safe_id("Xavier X!") == f"Xavier_X-{_sha8('Xavier X!')}"


def test_a_zip_symlink_member_does_not_stop_the_rest(tmp_path: Path) -> None:
    import stat

    link = zipfile.ZipInfo("a_link.py")
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    with zipfile.ZipFile(tmp_path / "h.zip", "w") as zf:
        zf.writestr(link, "/etc/passwd")
        zf.writestr("b.py", "B = 1\n")
    sub = read_submission(tmp_path / "h.zip")
    assert sub.files == {"b.py": "B = 1\n"}
    assert sub.problems == ("a_link.py: skipped, symbolic links inside archives are not followed",)


def test_undecodable_names_collide_safely(tmp_path: Path) -> None:
    os.mkdir(os.fsencode(tmp_path) + b"/\xff")
    (Path(os.fsdecode(os.fsencode(tmp_path) + b"/\xff.py"))).write_text("A = 1\n")
    subs = discover(tmp_path)
    # The byte 0xff shows as the text `\xff` (grader.discovery.discover.clean_id); the second entry's
    # collision suffix hashes its raw (surrogate-escaped) name.
    assert [s.student_id for s in subs] == ["\\xff", "\\xff"]
    assert [s.safe_id for s in subs] == [f"xff-{_sha8(chr(92) + 'xff')}",
                                        f"xff-{_sha8(chr(92) + 'xff')}-{_sha8(chr(0xdcff) + '.py')}"]


def test_suffixes_keep_counting_until_a_safe_id_is_free(tmp_path: Path) -> None:
    digest = hashlib.sha256(b"alice.zip").hexdigest()[:8]
    for name in ("alice", f"alice-{digest}", f"alice-{digest}-2"):
        (tmp_path / name).mkdir()
    with zipfile.ZipFile(tmp_path / "alice.zip", "w") as zf:
        zf.writestr("a.py", "x = 1\n")
    safe = {entry.name: s for entry, _, s in disc.list_entries(tmp_path)}
    assert safe["alice.zip"] == f"alice-{digest}-2-3"
    assert [s.student_id for s in discover(tmp_path)] == [sid for _, sid, _ in disc.list_entries(tmp_path)]


def test_an_id_with_a_lone_surrogate_is_written_as_its_bytes() -> None:
    from grader.discovery.ids import clean_id

    assert clean_id("a\ud800b") == "a\\xed\\xa0\\x80b"   # not a surrogate escape: no other way to spell it
    assert clean_id("caf\udce9") == "caf\\xe9"          # an undecodable byte kept by the file system
    assert clean_id("café") == "café"
