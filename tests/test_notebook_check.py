"""`grader.check` in a notebook: which code it checks, how it shows, and that `import grader` stays cheap."""

from __future__ import annotations

import json
import subprocess
import sys
import types
from pathlib import Path
from typing import Any

import pytest

import grader
from grader import notebook_check
from grader.errors import UsageError

ROOT = Path(__file__).resolve().parents[1]


def test_import_grader_is_cheap() -> None:
    code = "import sys, grader; print(sorted(m for m in sys.modules if m.startswith(('grader.', 'numpy', 'tensorflow'))))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                         env={"PYTHONPATH": str(ROOT)}).stdout
    assert out.strip() == "[]"


def test_check_is_inert_inside_a_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(grader, "_in_worker", True)  # what the worker sets before running student code
    assert grader.check("relu_model") is None


def fake_ipython(monkeypatch: pytest.MonkeyPatch, cells: list[str]) -> None:
    shell = types.SimpleNamespace(history_manager=types.SimpleNamespace(input_hist_raw=["", *cells]))
    module = types.ModuleType("IPython")
    module.get_ipython = lambda: shell  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "IPython", module)


def test_kernel_cells_are_the_cells_run_without_check_calls(monkeypatch: pytest.MonkeyPatch) -> None:
    assert notebook_check.kernel_cells() is None or "IPython" in sys.modules
    fake_ipython(monkeypatch, ["import numpy as np", "  ", "def f():\n    return 1", "import grader\ngrader.check('x')",
                               "%time f()", "def f():\n    return 2"])
    cells = notebook_check.kernel_cells()
    assert cells == ["import numpy as np", "def f():\n    return 1", "%time f()", "def f():\n    return 2"]
    source, notes = notebook_check._as_source(cells, "relu_model.ipynb")
    ns: dict[str, Any] = {}
    exec(compile(source, "nb", "exec"), ns)
    assert ns["f"]() == 2  # the latest definition wins, as in the kernel
    assert notes  # the magic was skipped, and said so


def test_saved_source_prefers_the_notebook(tmp_path: Path) -> None:
    (tmp_path / "quiz.py").write_text("A = 1\n")
    assert notebook_check.saved_source("quiz", tmp_path)[0] == "A = 1\n"
    nb = {"nbformat": 4, "nbformat_minor": 5, "metadata": {},
          "cells": [{"cell_type": "code", "source": "A = 2", "metadata": {}, "outputs": [], "execution_count": None}]}
    (tmp_path / "quiz.ipynb").write_text(json.dumps(nb))
    source, origin, _ = notebook_check.saved_source("quiz", tmp_path)
    assert "A = 2" in source and origin.endswith("quiz.ipynb")


def test_bad_arguments() -> None:
    with pytest.raises(UsageError, match="unknown exercise"):
        notebook_check.check("relu")
    with pytest.raises(UsageError, match="source must be"):
        notebook_check.check("quiz", source="disk")


def test_report_shows_text_and_isolated_html() -> None:
    from grader.model import CheckResult, ExerciseResult, StudentResult

    c = CheckResult("quiz.l2_derivative", "quiz", "L2 <derivative>", 0.0, 1.0, "failed", "Not (c).", "public")
    r = StudentResult("self-check", 0.0, 1.0, (ExerciseResult("quiz", "Quizzes", 0.0, 1.0, (c,)),))
    report = notebook_check.CheckReport(r, ["a note"], "2 cells")
    assert "FAIL" in str(report) and "Note: a note" in str(report) and not report.passed
    page = report._repr_html_()
    assert page.count("<iframe") == 1 and "L2 &amp;lt;derivative&amp;gt;" in page


@pytest.mark.slow
def test_check_runs_the_kernel_cells(monkeypatch: pytest.MonkeyPatch) -> None:
    solution = (ROOT / "solutions" / "relu_model.py").read_text()
    fake_ipython(monkeypatch, [solution, 'import grader\ngrader.check("relu_model")'])
    try:
        report = grader.check("relu_model")
        assert report.passed and "2 cell" not in report.origin and "1 cell(s)" in report.origin
        fake_ipython(monkeypatch, ["def relu_model(features, weights, biases):\n    return 0\n"])
        assert not grader.check("relu_model").passed
    finally:
        notebook_check.close()
