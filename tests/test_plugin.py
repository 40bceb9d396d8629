"""The pytest plugin: the bundle's `pytest` runs public checks; `--grader-submission` the course's; else nothing."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from grader.authoring.release import build
from grader.judging.checks import load_checks
from grader.judging.judge import judge_all
from grader.paths import Paths
from grader.errors import ExitCode

ROOT = Path(__file__).resolve().parents[1]
SUBMISSIONS = ROOT / "tests" / "submissions"


def pytest_run(cwd: Path, *args: str, pythonpath: Path = ROOT) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(pythonpath)}
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "grader.plugin", "-p", "no:cacheprovider",
                           "-rA", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=900)


def outcomes(xml: Path) -> dict[str, tuple[str, dict[str, str]]]:
    """testcase name (exercise::check) -> (passed|failed|skipped, properties)."""
    out = {}
    for case in ET.parse(xml).getroot().iter("testcase"):
        kind = "passed"
        for tag in ("failure", "error", "skipped"):
            if case.find(tag) is not None:
                kind = "failed" if tag != "skipped" else "skipped"
        props = {p.get("name", ""): p.get("value", "") for p in case.iter("property")}
        out[case.get("classname", "").rpartition(".")[2] + "::" + case.get("name", "")] = (kind, props)
    return out


@pytest.mark.slow
def test_plugin_adds_nothing_to_other_projects() -> None:
    args = ["--co", "-q", "tests/test_list_cmd.py"]
    with_plugin = pytest_run(ROOT, *args)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    without = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-rA", *args], cwd=ROOT,
                             env=env, capture_output=True, text=True)
    strip = lambda s: [ln for ln in s.splitlines() if "::" in ln]  # noqa: E731
    assert strip(with_plugin.stdout) == strip(without.stdout) != []


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("plugin") / "bundle"
    build(Paths(ROOT), out)
    shutil.copy(SUBMISSIONS / "correct" / "relu_model_bias_add.py", out / "exercises" / "relu_model.py")
    wrong = sorted((SUBMISSIONS / "wrong" / "quiz").glob("*.py"))[0]
    shutil.copy(wrong, out / "exercises" / "quiz.py")
    return out


@pytest.mark.slow
def test_bundle_pytest_runs_public_checks_like_grader_check(bundle: Path, tmp_path: Path) -> None:
    from grader.selfcheck import self_check

    xml = tmp_path / "checks.xml"
    proc = pytest_run(bundle, f"--junitxml={xml}", pythonpath=bundle)
    assert proc.returncode == 1, proc.stdout[-3000:]  # the quiz is wrong
    got = outcomes(xml)
    assert "PASSED grader.toml::relu_model::lesson_inputs" in proc.stdout
    result, _ = self_check(Paths(bundle), None)
    mapping = {"passed": "passed", "not_attempted": "failed", "failed": "failed", "error": "failed"}
    expected = {c.check_id.replace(".", "::", 1): mapping[c.status] for c in result.checks}
    assert {k: v[0] for k, v in got.items()} == expected
    assert got["relu_model::lesson_inputs"][1] == {"points": "4.0", "visibility": "public", "exercise": "relu_model",
                                                   "check_id": "relu_model.lesson_inputs", "score": "4.0"}
    quiz_failure = next(c for c in result.checks if c.exercise == "quiz" and c.status == "failed")
    assert quiz_failure.message.splitlines()[0][:60] in proc.stdout  # the check's feedback is the failure text
    assert not any(v[1]["visibility"] == "hidden" for v in got.values())

    only = pytest_run(bundle, "-k", "relu_model", "-m", "public", "-q", pythonpath=bundle)
    assert only.returncode == 0 and "1 passed" in only.stdout and "deselected" in only.stdout


@pytest.mark.slow
def test_an_untouched_bundle_is_red_until_the_work_is_done(tmp_path: Path) -> None:
    """Not attempted is a failed item, never a skipped one: pytest (and the bundle's workflow) exits 1."""
    out = tmp_path / "bundle"
    build(Paths(ROOT), out)
    xml = tmp_path / "checks.xml"
    proc = pytest_run(out, f"--junitxml={xml}", pythonpath=out)
    got = outcomes(xml)
    public = [c for c in load_checks(include_hidden=False)]
    assert proc.returncode == 1, proc.stdout[-3000:]
    assert {kind for kind, _ in got.values()} == {"failed"} and len(got) == len(public)
    assert "skipped" not in proc.stdout.splitlines()[-1]
    assert "not attempted" in proc.stdout.lower()
    notes = [line for line in proc.stdout.splitlines() if line.startswith("Note: ")]
    assert len(notes) == 1 and "released stub" in notes[0]  # one line for all 8 exercises, once per run
    for name in {c.exercise for c in public}:
        shutil.copy(ROOT / "solutions" / f"{name}.py", out / "exercises" / f"{name}.py")
    done = pytest_run(out, "-q", pythonpath=out)
    assert done.returncode == 0 and f"{len(public)} passed" in done.stdout, done.stdout[-3000:]


@pytest.mark.slow
def test_grader_submission_gives_grade_verdicts(tmp_path: Path, runner: Any, reference: Any) -> None:
    sub = tmp_path / "ada"
    sub.mkdir()
    wrong = SUBMISSIONS / "wrong" / "relu_model"
    name = next(f for f in sorted(wrong.glob("*.py")) if "relu_missing" in f.name)
    shutil.copy(name, sub / "relu_model.py")
    xml = tmp_path / "out.xml"
    proc = pytest_run(ROOT, f"--grader-submission={sub}", "-k", "relu_model", f"--junitxml={xml}")
    assert proc.returncode == 1, proc.stdout[-3000:]
    got = outcomes(xml)
    checks = [c for c in load_checks() if c.exercise == "relu_model"]
    outcome = runner.run({"relu_model.py": name.read_text()}, [p for c in checks for p in c.probes])
    verdicts = judge_all(checks, outcome.observations, reference, outcome.loads)
    mapping = {"passed": "passed", "not_attempted": "failed", "failed": "failed", "error": "failed"}
    assert {k: v[0] for k, v in got.items()} == {v.check_id.replace(".", "::", 1): mapping[v.status] for v in verdicts}
    assert any(v[1]["visibility"] == "hidden" for v in got.values())


@pytest.mark.slow
def test_grader_submission_is_refused_below_the_untrusted_level(tmp_path: Path) -> None:
    """Someone else's code, where only the portable runner runs: refused before it runs, unless allowed."""
    sub = tmp_path / "eve"
    sub.mkdir()
    marker = tmp_path / "ran"
    (sub / "relu_model.py").write_text(f"open({str(marker)!r}, 'w').write('ran')\n"
                                       "def relu_model(features, weights, biases):\n    return None\n")
    env = {**os.environ, "GRADER_RUNNER": "portable"}
    env.pop("GRADER_ALLOW_WEAK_ISOLATION", None)
    proc = subprocess.run([sys.executable, "-m", "pytest", "-p", "grader.plugin", "-p", "no:cacheprovider",
                           f"--grader-submission={sub}", "-k", "relu_model"], cwd=ROOT,
                          env={**env, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True, timeout=600)
    said = proc.stdout + proc.stderr
    assert proc.returncode == ExitCode.ISOLATION_REFUSED, said[-3000:]
    assert "refusing to run untrusted student code at isolation level 'none'" in said
    assert "GRADER_ALLOW_WEAK_ISOLATION=1" in said and not marker.exists()
