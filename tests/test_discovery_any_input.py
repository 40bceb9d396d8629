"""Property-based fuzzing of discovery: any folder, zip or notebook names and contents (fast, no TensorFlow).

Whatever a class folder holds, discovery returns one Submission per entry without raising;
ids are valid UTF-8; safe ids are distinct case-insensitively, never a class file's
name, and usable as one folder name; a grader error never comes with half the files.
"""

from __future__ import annotations

import io
import json
import os
import re
import tempfile
import zipfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grader.discovery.discover import discover, read_submission, safe_id

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
CLASS_FILES = {"grades.csv", "summary.json", "index.html", "results.json", "report.html"}
SAFE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")

# File names as raw bytes: anything a file system takes (no '/', no NUL), including non-UTF-8.
name_bytes = st.one_of(
    st.binary(min_size=1, max_size=40),
    st.sampled_from([b"grades.csv", b"Summary.JSON", b"index.html", b"Ann", b"ann", b"caf\xe9", b"\xff\xfe",
                     b"=cmd|' /C calc'!A0", b"\x1b[2Jevil", b"a\nb", b"con", b"x.py", b"y.ipynb", b"z.zip"]),
).map(lambda b: b.replace(b"/", b"_").replace(b"\x00", b"_")).filter(lambda b: b not in (b".", b".."))
contents = st.one_of(st.binary(max_size=200), st.text(max_size=200).map(lambda t: t.encode("utf-8")),
                     st.just(b"def relu_model(*a):\n    return 1\n"))
texts = st.one_of(st.text(max_size=30), st.text(st.characters(categories=["Cs", "Cc", "Cf", "Zl", "Lu"]), max_size=20))


def _check_ids(subs: list) -> None:  # type: ignore[type-arg]
    lows = [s.safe_id.lower() for s in subs]
    assert len(set(lows)) == len(lows)
    for s in subs:
        s.student_id.encode("utf-8")  # valid UTF-8: no surrogates left
        assert SAFE.match(s.safe_id) and s.safe_id.lower() not in CLASS_FILES and len(s.safe_id) < 120
        for line in (*s.problems, *s.notes, *s.grader_errors):
            assert isinstance(line, str)
        if s.grader_errors:
            assert not s.files


@FUZZ
@given(st.lists(st.tuples(name_bytes, st.booleans(), contents), max_size=8))
def test_any_folder_of_entries(entries: list[tuple[bytes, bool, bytes]]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = os.fsencode(tmp)
        for name, is_dir, data in entries:
            path = root + b"/" + name
            if os.path.lexists(path):
                continue
            if is_dir:
                os.mkdir(path)
                with open(path + b"/" + name + b".py", "wb") as f:
                    f.write(data)
            else:
                with open(path, "wb") as f:
                    f.write(data)
        subs = discover(Path(tmp))
        assert len(subs) == len([e for e in os.listdir(root) if not e.startswith(b".")
                                 and e not in (b"__MACOSX", b"__pycache__")])
        _check_ids(subs)


@FUZZ
@given(st.lists(st.tuples(texts, contents), max_size=6))
def test_any_zip(members: list[tuple[str, bytes]]) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in {(n or "x"): d for n, d in members}.items():
            try:
                zf.writestr(name, data)
            except (UnicodeEncodeError, ValueError, IndexError):  # names zipfile itself cannot store
                continue
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "student.zip"
        path.write_bytes(buf.getvalue())
        _check_ids([read_submission(path)])


json_values = st.recursive(
    st.none() | st.booleans() | st.floats(allow_nan=False) | st.integers() | texts,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(texts, inner, max_size=4), max_leaves=20)


@FUZZ
@given(json_values, st.lists(st.one_of(texts, st.lists(texts, max_size=3), json_values), max_size=4),
       st.integers(min_value=0, max_value=6000), st.booleans())
def test_any_notebook(metadata: object, sources: list[object], digits: int, huge_in_cell: bool) -> None:
    cells = [{"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None, "source": s}
             for s in sources]
    text = json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": metadata, "cells": cells})
    if digits:  # an integer Python's json refuses (more than 4300 digits) or only just accepts
        big = "7" * digits
        text = text.replace('"nbformat_minor": 5', f'"nbformat_minor": 5, "big": {big}', 1)
        if huge_in_cell and cells:
            text = text.replace('"execution_count": null', f'"execution_count": {big}', 1)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "nb.ipynb"
        path.write_text(text, encoding="utf-8")
        sub = read_submission(path)
        _check_ids([sub])
        assert sub.files or sub.problems or sub.grader_errors


@FUZZ
@given(st.lists(texts, min_size=1, max_size=10))
def test_safe_ids_are_folder_names(ids: list[str]) -> None:
    for sid in ids:
        safe = safe_id(sid)
        assert SAFE.match(safe) and safe.lower() not in CLASS_FILES and "/" not in safe
        assert safe_id(sid) == safe  # stable
