"""Every exit code of the CLI with its message, --help's defaults, and a closed pipe (fast: fake runner)."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from grader.cli import main
from grader.errors import SandboxError
from test_batch import FakeRunner, _write, use_fakes

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def course(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A class of one right and one wrong student, graded by the fake runner."""
    use_fakes(monkeypatch)
    monkeypatch.setenv("GRADER_ROOT", str(ROOT))
    subs = tmp_path / "subs"
    _write(subs / "ann", "42")
    _write(subs / "bob", "41")
    return subs


def _grade(subs: Path, *extra: str) -> int:
    return main(["grade", str(subs), "--out", str(subs.parent / "out"), "--quiet", *extra])


def test_exit_0_when_all_graded(course: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _grade(course) == 0
    assert capsys.readouterr().err == ""


def test_exit_2_usage(course: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["grade", str(course)]) == 2
    assert "--out OUT" in capsys.readouterr().err
    assert main(["grade", str(course), "--out", str(course.parent / "o"), "--results", "r.json"]) == 2
    assert "--results FILE goes with --student" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:
        main(["grade", str(course), "--out", "o", "--shard", "4/3"])
    assert exc.value.code == 2 and "K/N" in capsys.readouterr().err


def test_exit_3_sandbox(course: Path, capsys: pytest.CaptureFixture[str]) -> None:
    FakeRunner.enter_error = SandboxError("the sandbox's zygote process did not start")
    assert _grade(course) == 3
    assert capsys.readouterr().err == "grader: the sandbox's zygote process did not start\n"


def test_exit_4_reference(course: Path, capsys: pytest.CaptureFixture[str]) -> None:
    FakeRunner.reference_answer = "BROKEN"
    assert _grade(course) == 4
    assert "the reference solutions failed" in capsys.readouterr().err
    assert not (course.parent / "out" / "ann" / "results.json").exists()


def test_exit_4_names_the_memory_flag(course: Path, capsys: pytest.CaptureFixture[str]) -> None:
    FakeRunner.reference_answer = "OUT_OF_MEMORY"
    assert _grade(course, "--memory", "64") == 4
    err = capsys.readouterr().err
    assert "64 MiB memory limit" in err and "--memory" in err and "failed" not in err


def test_exit_5_grader_errors(course: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _write(course / "cy", "JUDGE_CRASH")
    assert _grade(course) == 5
    err = capsys.readouterr().err
    assert "failed on 1 student(s)" in err and "grader_errors" in err
    summary = json.loads((course.parent / "out" / "summary.json").read_text())
    assert list(summary["grader_errors"]) == ["cy"]


def test_exit_130_interrupted(course: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _write(course / "cy", "INTERRUPT")
    assert _grade(course) == 130
    assert capsys.readouterr().err.endswith("grader: interrupted\n")


def test_empty_class_warns(tmp_path: Path, course: Path, capsys: pytest.CaptureFixture[str]) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["grade", str(empty), "--out", str(tmp_path / "o"), "--quiet"]) == 0
    assert "warning: no submissions found" in capsys.readouterr().err


def test_student_results_file(tmp_path: Path, course: Path) -> None:
    target = tmp_path / "gs" / "results.json"
    target.parent.mkdir()
    assert main(["grade", "--student", "ann", str(course / "ann"), "--results", str(target), "--quiet"]) == 0
    doc = json.loads(target.read_text())
    assert doc["score"] == 5 and doc["extra_data"]["student_id"] == "ann"
    assert os.listdir(target.parent) == ["results.json"]


def test_help_shows_defaults(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["grade", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    for flag in ("--timeout S time limit per student, seconds (default: 600",
                 "--memory MB memory limit per worker, MiB (default: 2048)",
                 "--jobs N workers running at once (default: number of CPUs)",
                 "--check-timeout S time limit per check, seconds (default: each check's own)"):
        assert flag in text


class ClosedPipe(io.StringIO):
    def write(self, text: str) -> int:
        raise BrokenPipeError

    def flush(self) -> None:
        raise BrokenPipeError


def test_broken_pipe_is_quiet_in_process(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(sys, "stdout", ClosedPipe())
    monkeypatch.setenv("GRADER_ROOT", str(ROOT))
    assert main(["list"]) == 141
    assert capsys.readouterr().err == ""


def test_broken_pipe_is_quiet_from_a_shell() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "GRADER_ROOT": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "grader", "list"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=env, cwd=ROOT)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # like `| head` exiting before the grader writes
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) in (0, 141)
    assert "Traceback" not in err and "BrokenPipe" not in err
