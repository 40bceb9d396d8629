"""A fault of the submission is the student's problem, never the grader's error ("run again to retry"
can never fix it): huge integers, deep nesting, text no codec reads. One file's fault costs that file."""

from __future__ import annotations

import json
from pathlib import Path

from grader.discovery.faults import content_fault
from grader.discovery.discover import read_submission

OK = "def relu_model(features, weights, biases):\n    return features\n"


def _notebook(cells: list[str], metadata: str = "{}") -> str:
    body = ", ".join(json.dumps({"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
                                 "source": c}) for c in cells)
    return '{"nbformat": 4, "nbformat_minor": 5, "metadata": ' + metadata + ', "cells": [' + body + "]}"


def _student(tmp_path: Path, files: dict[str, str | bytes]) -> Path:
    folder = tmp_path / "s"
    folder.mkdir()
    for name, data in files.items():
        (folder / name).write_bytes(data.encode() if isinstance(data, str) else data)
    return folder


def test_a_notebook_with_a_5000_digit_number_is_the_students_problem(tmp_path: Path) -> None:
    sub = read_submission(_student(tmp_path, {"quiz.ipynb": _notebook(["x = 1"], "9" * 5000),
                                              "relu_model.py": OK}))
    assert not sub.grader_errors and sub.files == {"relu_model.py": OK}
    assert sub.problems == ("quiz.ipynb: the notebook cannot be read: it holds an integer with thousands of digits, "
                            "more than Python reads (write big numbers as expressions such as 10**5000, or remove "
                            "them)",)


def test_deep_nesting_is_the_students_problem(tmp_path: Path) -> None:
    deep_json = '{"nbformat": 4, "cells": [], "metadata": ' + "[" * 100_000 + "]" * 100_000 + "}"
    deep_code = _notebook(["x = " + "+".join(["1"] * 100_000)])
    sub = read_submission(_student(tmp_path, {"a.ipynb": deep_json, "b.ipynb": deep_code, "relu_model.py": OK}))
    assert not sub.grader_errors and "relu_model.py" in sub.files
    for name in ("a.ipynb", "b.ipynb"):  # json's and compile's recursion limits
        assert any(p.startswith(f"{name}: the notebook cannot be read: it is nested too deeply") for p in sub.problems)


def test_a_file_no_codec_reads_is_skipped_alone(tmp_path: Path) -> None:
    sub = read_submission(_student(tmp_path, {"bad.py": b"# coding: punycode\nx = '#'\n", "relu_model.py": OK}))
    assert sub.files == {"relu_model.py": OK} and not sub.grader_errors and not sub.problems
    assert any(n.startswith("bad.py: skipped, it is not UTF-8 text") for n in sub.notes)


def test_only_content_faults_are_the_students() -> None:
    assert content_fault(ValueError("Exceeds the limit (4300 digits) for integer string conversion")) is not None
    assert content_fault(RecursionError()) is not None
    assert content_fault(ValueError("some bug of ours")) is None
    assert content_fault(KeyError("x")) is None and content_fault(OSError()) is None
