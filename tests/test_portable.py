"""The portable runner: chosen where the sandbox cannot start, and the same verdicts as the sandbox."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from grader.catalog import EXERCISE_NAMES
from grader.errors import SandboxError, UsageError
from grader.judging.checks import load_checks
from grader.judging.judge import judge_all
from grader.model import Probe
from grader.runner import select
from grader.runner.isolation import Level
from grader.runner.portable import PortableRunner, split_units

SUBMISSIONS = Path(__file__).resolve().parent / "submissions"


class Fake:
    level = Level("full", "sandbox", files=True, network=True, processes=True)

    def __init__(self, *args: Any, **kw: Any) -> None:
        self.entered = False

    def __enter__(self) -> "Fake":
        self.entered = True
        return self

    def __exit__(self, *exc: object) -> None:
        pass


class Broken(Fake):
    def __enter__(self) -> "Fake":
        raise SandboxError("the sandbox's zygote process did not start")


@pytest.mark.parametrize("env, platform, runner, expect, noted", [
    ("", "linux", Fake, "sandbox", False),
    ("auto", "linux", Broken, "portable", True),
    ("portable", "linux", Fake, "portable", False),
    ("", "darwin", Fake, "portable", True),
    ("", "win32", Fake, "portable", True),
])
def test_make_runner_chooses(monkeypatch: pytest.MonkeyPatch, env: str, platform: str, runner: type,
                             expect: str, noted: bool) -> None:
    monkeypatch.setenv("GRADER_RUNNER", env)
    monkeypatch.setattr(select.sys, "platform", platform)
    monkeypatch.setattr(select, "Runner", runner)
    monkeypatch.setattr(select, "PortableRunner", Fake)
    notes: list[str] = []
    chosen = select.make_runner(note=notes.append)
    with chosen as r:
        assert isinstance(r, Fake)
    assert chosen.kind == expect
    assert notes[-1].startswith("isolation: " + ("full" if expect == "sandbox" else "none"))
    notes = notes[:-1]  # the level line comes last, always
    assert bool(notes) == noted and all("\n" not in n for n in notes)
    if noted and platform == "linux":
        assert "GRADER_RUNNER=portable" in notes[0]


def test_forced_sandbox_does_not_fall_back(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRADER_RUNNER", "sandbox")
    monkeypatch.setattr(select, "Runner", Broken)
    with pytest.raises(SandboxError, match="cannot start.*forbids any other runner"):
        select.make_runner(note=lambda _: None).__enter__()
    monkeypatch.setenv("GRADER_RUNNER", "fast")
    with pytest.raises(UsageError, match="GRADER_RUNNER"):
        select.make_runner(note=lambda _: None).__enter__()


def test_units_follow_groups_and_needs() -> None:
    a, b = Probe("a", "d"), Probe("b", "d", group="hidden")
    c, d = Probe("c", "d"), Probe("v", "d", needs="a")
    assert split_units([a, b, c, d]) == [[a, c], [b], [d]]


def catalogue() -> list[tuple[str, str, dict[str, str]]]:
    """(label, exercise, files) for every right and wrong .py submission in tests/submissions."""
    out = []
    for f in sorted((SUBMISSIONS / "correct").glob("*.py")):
        ex = next(e for e in EXERCISE_NAMES if f.stem.startswith(e))
        out.append((f"correct/{f.name}", ex, {f"{ex}.py": f.read_text()}))
    for ex in EXERCISE_NAMES:
        for f in sorted((SUBMISSIONS / "wrong" / ex).glob("*.py")):
            out.append((f"wrong/{ex}/{f.name}", ex, {f"{ex}.py": f.read_text()}))
    return out


@pytest.mark.slow
def test_portable_verdicts_equal_the_sandbox_over_the_catalogue(runner: Any, reference: Any) -> None:
    cases = catalogue()
    checks = load_checks()
    by_ex = {ex: [c for c in checks if c.exercise == ex] for ex in EXERCISE_NAMES}
    items = [(label, files, [p for c in by_ex[ex] for p in c.probes]) for label, ex, files in cases]

    def verdicts(outcomes: dict[str, Any]) -> dict[str, list[tuple[str, str, float, str | None, str]]]:
        out = {}
        for label, ex, _ in cases:
            o = outcomes[label]
            out[label] = [(v.check_id, v.status, v.score, v.mistake, v.message[:120])
                          for v in judge_all(by_ex[ex], o.observations, reference, o.loads)]
        return out

    sandbox = verdicts(dict(runner.run_many(items)))
    with PortableRunner(jobs=2) as portable:
        ported = verdicts(dict(portable.run_many(items)))
    assert len(cases) >= 45
    differ = [f"{label} {s[0]}: sandbox {s[1:4]} portable {p[1:]}" for label in sandbox
              for s, p in zip(sandbox[label], ported[label]) if s[:4] != p[:4]]
    assert not differ, "\n".join(differ[:20])


@pytest.mark.slow
def test_portable_runner_stops_loops_and_exits() -> None:
    probes = [Probe("relu_model.lesson", "relu_model", {"features": [[1.0, 2.0]], "weights": [[[1.0]], [[1.0]]],
                                                        "biases": [[0.0], [0.0]]}, timeout=3, exercise="relu_model")]
    with PortableRunner(jobs=1) as r:
        looped = r.run({"relu_model.py": "def relu_model(*a):\n    while True: pass\n"}, probes)
        exited = r.run({"relu_model.py": "import os\nos._exit(3)\n"}, probes)
    err = looped.observations["relu_model.lesson"].error
    assert err is not None and err.killed == "timeout" and "timed out after 3 s" in err.message
    assert any("exited early with status 3" in p for p in exited.problems)


@pytest.mark.slow
def test_a_worker_that_cannot_start_is_retried_then_reported(tmp_path: Path) -> None:
    (tmp_path / "grader").mkdir()
    (tmp_path / "grader" / "__init__.py").write_text("raise ImportError('broken install')\n")
    with PortableRunner(jobs=1) as r:
        r.env = {**r.env, "PYTHONPATH": str(tmp_path)}   # every new worker now fails to import grader
        r.spares[0].stop(0)
        r.spares.clear()
        out = r.run({"quiz.py": "A = 1\n"}, [Probe("quiz.a", "quiz", {}, exercise="quiz")])
    assert any("could not start" in p and "broken install" in p for p in out.problems), out.problems
    assert "quiz.a" not in out.observations


def test_portable_runner_imports_without_posix_modules() -> None:
    """Windows has no `resource`, `fcntl` or `os.fork`-era modules: choosing the runner must still import."""
    import subprocess
    import sys

    code = ("import sys\nfor m in ('resource', 'fcntl', 'termios'):\n    sys.modules[m] = None\n"
            "import grader.runner.select, grader.runner.portable\nprint('ok')")
    root = Path(__file__).resolve().parents[1]
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=root,
                         env={"PYTHONPATH": str(root)})
    assert out.stdout.strip() == "ok", out.stderr[-2000:]
