"""The portable runner: chosen where the sandbox cannot start, and the same verdicts as the sandbox."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest

from grader.catalog import EXERCISE_NAMES
from grader.errors import SandboxError, UsageError
from grader.judging.checks import load_checks
from grader.judging.judge import judge_all
from grader.codec import from_jsonable, to_jsonable
from grader.model import Probe, RunOutcome
from grader.runner import Limits, Runner
from grader.runner import choice
from grader.runner.isolation import Level
from grader.runner.portable import PortableRunner

SUBMISSIONS = Path(__file__).resolve().parent / "submissions"
ROOT = Path(__file__).resolve().parents[1]


class Fake:
    level = Level("full", "sandbox", files=True, network=True, processes=True, scratch=True)

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
    monkeypatch.setattr(choice.sys, "platform", platform)
    monkeypatch.setattr(choice, "Runner", runner)
    monkeypatch.setattr(choice, "PortableRunner", Fake)
    notes: list[str] = []
    chosen = choice.make_runner(note=notes.append)
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
    monkeypatch.setattr(choice, "Runner", Broken)
    with pytest.raises(SandboxError, match="cannot start.*forbids any other runner"):
        choice.make_runner(note=lambda _: None).__enter__()
    monkeypatch.setenv("GRADER_RUNNER", "fast")
    with pytest.raises(UsageError, match="GRADER_RUNNER"):
        choice.make_runner(note=lambda _: None).__enter__()


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

    sandboxed = dict(runner.run_many(items))
    with PortableRunner(jobs=2) as portable:
        ported_outcomes = dict(portable.run_many(items))
    sandbox, ported = verdicts(sandboxed), verdicts(ported_outcomes)
    assert len(cases) >= 45
    differ = [f"{label} {s[0]}: sandbox {s[1:4]} portable {p[1:]}" for label in sandbox
              for s, p in zip(sandbox[label], ported[label]) if s[:4] != p[:4]]
    assert not differ, "\n".join(differ[:20])
    kinds = {label: shape(o, values=False) for label, o in sandboxed.items()}
    assert kinds == {label: shape(o, values=False) for label, o in ported_outcomes.items()}


def _rounded(value: Any) -> Any:
    """A JSON form of an observed value with floats to 5 significant digits: the two runners'
    workers may sum in another order (threads), never to another answer."""
    if isinstance(value, float):
        return float(f"{value:.5g}") if math.isfinite(value) else repr(value)  # nan == nan here
    if isinstance(value, dict) and "__ndarray__" in value:
        return _rounded(from_jsonable(value).tolist())
    if isinstance(value, list):
        return [_rounded(v) for v in value]
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    return value


def shape(outcome: RunOutcome, *, values: bool = True) -> dict[str, Any]:
    """What an outcome says, runner aside: each probe's value (or error kind), loads, problems."""
    return {
        "observations": {pid: (o.error.type, o.error.killed) if o.error is not None
                         else _rounded(to_jsonable(o.value)) if values else "ok"
                         for pid, o in sorted(outcome.observations.items())},
        "loads": [(ld.name, ld.error.type if ld.error else None) for ld in outcome.loads],
        "problems": list(outcome.problems),
        "notes": [n.split(":")[0] for n in outcome.instructor_notes],
    }


HOSTILE = ("loop_in_function", "loop_at_load", "os_exit", "segfault", "missing_function", "syntax_error",
           "wrong_return_type", "nan_output")
WRONG = ("hard_coded.py", "leaky_relu.py", "relu_on_output.py", "transposed_weights.py")


@pytest.mark.slow
def test_portable_outcomes_equal_the_sandbox_for_right_wrong_and_hostile_submissions() -> None:
    """Same probes, same worker messages, same policy: the same outcome, timeouts and missing artifacts too."""
    probes = [p for c in load_checks() if c.exercise == "relu_model" for p in c.probes]
    # A check of the first probe's value in a clean worker: a missing artifact when that probe failed.
    probes.append(Probe("relu_model.artifact", "verify_checkpoint", {"splits": ["relabelled"]}, timeout=20.0,
                        exercise="relu_model", group="artifact", needs=probes[0].id))
    files = [("solution", (ROOT / "solutions" / "relu_model.py").read_text()),
             *[(f"correct/{f.name}", f.read_text()) for f in sorted((SUBMISSIONS / "correct").glob("relu_model*.py"))],
             *[(f"wrong/{w}", (SUBMISSIONS / "wrong" / "relu_model" / w).read_text()) for w in WRONG],
             *[(f"hostile/{h}", (SUBMISSIONS / "hostile" / h / "relu_model.py").read_text()) for h in HOSTILE]]
    items = [(label, {"relu_model.py": text}, probes) for label, text in files]
    # The submission's limit is generous: a portable worker that imports TensorFlow after a kill
    # spends the student's time once it is ready (the sandbox forks a warm one at once).
    limits = Limits(check_timeout=4.0, load_timeout=4.0, student_timeout=600.0)
    with Runner(limits, jobs=2) as sandbox:
        sandboxed = {label: shape(o) for label, o in sandbox.run_many(items)}
    with PortableRunner(limits, jobs=2) as portable:
        ported = {label: shape(o) for label, o in portable.run_many(items)}
    differ = [f"{label}:\n  sandbox  {sandboxed[label]}\n  portable {ported[label]}"
              for label in sandboxed if sandboxed[label] != ported[label]]
    assert not differ, "\n".join(differ)
    # The cases this test exists for really happened.
    kinds = {label: {v for v in s["observations"].values() if isinstance(v, tuple)} for label, s in sandboxed.items()}
    assert not kinds["solution"]
    assert ("timeout", "timeout") in kinds["hostile/loop_in_function"]
    assert ("NoArtifact", None) in kinds["hostile/loop_in_function"]
    assert any("exited early with status" in p for p in sandboxed["hostile/os_exit"]["problems"])


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
            "import grader.runner.choice, grader.runner.portable\nprint('ok')")
    root = Path(__file__).resolve().parents[1]
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=root,
                         env={"PYTHONPATH": str(root)})
    assert out.stdout.strip() == "ok", out.stderr[-2000:]
