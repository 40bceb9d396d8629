"""Class layouts: Canvas's and Moodle's downloads (zipped or unpacked), strays, and auto-detection.
The names follow what the LMS writes: Canvas's ContentZipper (`<sortablename>[_LATE]_<userid>_<fileid>_<file>`,
`anon_<id>` when anonymous, `_text.html` for text entries), Moodle's assign module
(`<Full Name>_<participantid>_assignsubmission_<plugin>_` as a folder, or as a prefix of flat files)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from grader.discovery.discover import discover
from grader.discovery.layouts import CANVAS, MOODLE, assignment_prefix, find_layout
from grader.errors import UsageError

RELU = "def relu_model(features, weights, biases):\n    return features\n"
COUNT = "def count_parameters(layer_sizes):\n    return 0\n"


def _zip_bytes(members: dict[str, str]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, text in members.items():
            zf.writestr(name, text)
    return buf.getvalue()


def _write_zip(path: Path, members: dict[str, str | bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


CANVAS_FILES: dict[str, str | bytes] = {
    "smithbob_340934_208490284_relu_model.py": RELU,
    "smithbob_340934_208490285_parameter_count.py": COUNT,
    "jonesann_LATE_55_901_relu_model-1.py": RELU,            # late, and renamed by Canvas on resubmission
    "anon_Xy12z_777_work.zip": _zip_bytes({"hw/relu_model.py": RELU, "inner.zip": "x"}),
    "garcíaana_66_text.html": "<p>my answer</p>",              # a text entry: nothing to grade
}

MOODLE_FILES: dict[str, str | bytes] = {
    "Ann Lee_101_assignsubmission_file_/relu_model.py": RELU,
    "Ann Lee_101_assignsubmission_file_/sub/parameter_count.py": COUNT,
    "Ann Lee_101_assignsubmission_onlinetext_/onlinetext.html": "<p>hi</p>",
    "Bo Chen_102_assignsubmission_file_/work.zip": _zip_bytes({"relu_model.py": RELU}),
    "Cy Dee_103_assignsubmission_file_relu_model.py": RELU,   # "download submissions in folders" off
}


def test_names_as_the_lms_writes_them() -> None:
    m = CANVAS.match("smithbob_LATE_340934_208490284_relu_model_v2.py")
    assert m is not None and (m["name"], m["late"], m["uid"], m["fid"], m["file"]) == (
        "smithbob", "LATE_", "340934", "208490284", "relu_model_v2.py")
    m = CANVAS.match("anon_Xy12z_777_a_1_b.py")
    assert m is not None and (m["name"], m["uid"], m["fid"], m["file"]) == (None, "anon_Xy12z", "777", "a_1_b.py")
    assert CANVAS.match("relu_model.py") is None and CANVAS.match("alice") is None
    m = MOODLE.match("Ann_Marie Lee_101_assignsubmission_file_relu_model.py")
    assert m is not None and (m["name"], m["pid"], m["plugin"], m["rest"]) == (
        "Ann_Marie Lee", "101", "file", "relu_model.py")
    assert MOODLE.match("alice_101_file_") is None


@pytest.mark.parametrize("zipped", [True, False])
def test_canvas_download(tmp_path: Path, zipped: bool) -> None:
    if zipped:
        path = _write_zip(tmp_path / "cs101-hw2 submissions.zip", CANVAS_FILES)
    else:
        path = tmp_path / "unpacked"
        path.mkdir()
        for name, data in CANVAS_FILES.items():
            (path / name).write_bytes(data.encode() if isinstance(data, str) else data)
    found = find_layout(path)
    assert found.layout == "canvas" and "Canvas user ids" in found.summary
    assert {e.student_id: e.display_name for e in found.entries} == {
        "340934": "smithbob", "55": "jonesann", "anon_Xy12z": "", "66": "garcíaana"}
    subs = {s.student_id: s for s in discover(path)}
    assert subs["340934"].display_name == "smithbob" and subs["anon_Xy12z"].display_name == ""
    assert subs["340934"].files == {"relu_model.py": RELU, "parameter_count.py": COUNT}
    assert subs["55"].files == {"relu_model.py": RELU} and "the LMS marked this submission late" in subs["55"].notes
    assert subs["anon_Xy12z"].files == {"relu_model.py": RELU}  # the student's zip is opened, one level
    assert any("inner.zip: archives inside the submission are not opened" in n for n in subs["anon_Xy12z"].notes)
    assert subs["66"].empty and subs["66"].problems and not subs["66"].grader_errors


@pytest.mark.parametrize("zipped", [True, False])
def test_moodle_download(tmp_path: Path, zipped: bool) -> None:
    if zipped:
        path = _write_zip(tmp_path / "COURSE-Assignment 2-12345.zip", MOODLE_FILES)
    else:
        path = tmp_path / "unpacked"
        for name, data in MOODLE_FILES.items():
            (path / name).parent.mkdir(parents=True, exist_ok=True)
            (path / name).write_bytes(data.encode() if isinstance(data, str) else data)
    found = find_layout(path)
    assert found.layout == "moodle" and "participant ids" in found.summary
    assert {e.student_id: e.display_name for e in found.entries} == {"101": "Ann Lee", "102": "Bo Chen",
                                                                     "103": "Cy Dee"}
    subs = {s.student_id: s for s in discover(path)}
    assert {s.display_name for s in subs.values()} == {"Ann Lee", "Bo Chen", "Cy Dee"}
    assert subs["101"].files == {"relu_model.py": RELU, "parameter_count.py": COUNT}
    assert subs["102"].files == {"relu_model.py": RELU}
    assert subs["103"].files == {"relu_model.py": RELU}
    assert not any(s.problems or s.grader_errors for s in subs.values())


def test_a_stray_is_its_own_problem_never_the_batch(tmp_path: Path) -> None:
    path = _write_zip(tmp_path / "dl.zip", {**CANVAS_FILES, "README.txt": "notes", "hw/x.py": "x = 1\n"})
    subs = {s.student_id: s for s in discover(path)}
    assert subs["340934"].files and set(subs) >= {"README.txt", "hw"}
    for stray in ("README.txt", "hw"):
        assert subs[stray].empty and not subs[stray].grader_errors
        assert "does not follow the canvas layout" in subs[stray].problems[0]
    corrupt = _write_zip(tmp_path / "c.zip", {"smithbob_1_2_relu_model.py": RELU})
    data = bytearray(corrupt.read_bytes())
    data[40:60] = b"\xff" * 20   # the member's data, not the listing
    corrupt.write_bytes(bytes(data))
    (only,) = discover(corrupt)
    assert only.student_id == "1" and only.problems and not only.grader_errors


def test_explicit_layout_and_auto_on_plain_folders(tmp_path: Path) -> None:
    (tmp_path / "class").mkdir()
    (tmp_path / "class" / "alice.py").write_text(RELU)
    (tmp_path / "class" / "bob").mkdir()
    (tmp_path / "class" / "bob" / "relu_model.py").write_text(RELU)
    assert find_layout(tmp_path / "class").layout == "folders"
    canvas = find_layout(tmp_path / "class", "canvas")
    assert canvas.layout == "canvas" and {e.student_id for e in canvas.entries} == {"alice.py", "bob"}
    with pytest.raises(UsageError, match="not a Canvas or Moodle download"):
        find_layout(_write_zip(tmp_path / "plain.zip", {"alice/relu_model.py": RELU}))
    with pytest.raises(UsageError, match="unzip it first"):
        find_layout(tmp_path / "plain.zip", "folders")
    with pytest.raises(UsageError, match="cannot be read as a zip"):
        find_layout(_bad_zip(tmp_path / "bad.zip"))


def _bad_zip(path: Path) -> Path:
    path.write_bytes(b"not a zip at all")
    return path


def test_assignment_prefix(tmp_path: Path) -> None:
    assert assignment_prefix(tmp_path / "x", ["hw1-ann", "hw1-anna-b", "hw1-bob"]) == "hw1-"
    assert assignment_prefix(tmp_path / "x", ["dnn-hw-alice", "dnn-hw-bob-smith"]) == "dnn-hw-"
    assert assignment_prefix(tmp_path / "x", ["hw1-ann"]) == ""       # one clone: nothing to compare
    assert assignment_prefix(tmp_path / "hw1-submissions", ["hw1-ann"]) == "hw1-"
    assert assignment_prefix(tmp_path / "x", ["alice", "bob"]) == ""
    assert assignment_prefix(tmp_path / "x", ["hw-", "hw-b"]) == ""   # an id would be empty
