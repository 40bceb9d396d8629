"""Smoke test for every supported Python (tox runs it in py310..py313): `grader check` passes the solutions."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_grader_check_passes_the_solutions(tmp_path: Path) -> None:
    (tmp_path / "exercises").mkdir()
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'smoke'\n")
    for name in ("relu_model", "quiz"):
        shutil.copy(ROOT / "solutions" / f"{name}.py", tmp_path / "exercises" / f"{name}.py")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "GRADER_ROOT": str(tmp_path)}
    proc = subprocess.run([sys.executable, "-m", "grader", "check", "relu_model", "quiz"], env=env,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr[-3000:]
    assert "Public checks: 4 of 4 passed" in proc.stdout
    assert (tmp_path / "reports" / "self-check.html").is_file()
