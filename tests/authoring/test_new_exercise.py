"""`grader new-exercise`: a new exercise with public checks and the generic driver touches at most 5 files.

Each test scaffolds `demo_sum` into a copy of the course's layout (the grader source tree,
exercises/, solutions/ and the top-level files), counts what changed by content, and then
uses the copy as its own course in a child process (`PYTHONPATH` and `GRADER_ROOT` point at
it), so the new check module and catalogue line are imported as a real course would import them.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from grader.authoring.scaffold import new_exercise
from grader.errors import UsageError
from grader.paths import Paths

ROOT = Path(__file__).resolve().parents[2]
COPIED = ("grader", "exercises", "solutions", "pyproject.toml", "README.md", "CONTRIBUTING.md")
MAX_FILES = 5  # issue 17's bar for an exercise with public checks only and the generic driver


def _digests(root: Path) -> dict[Path, str]:
    return {p.relative_to(root): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts}


def _copy_course(root: Path) -> Path:
    root.mkdir()
    for name in COPIED:
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, root / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(src, root / name)
    return root


@pytest.fixture
def course(tmp_path: Path) -> Path:
    return _copy_course(tmp_path / "course")


def _in_course(root: Path, *argv: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """`python -m grader ARGV` (or `python -c`) with the copy as both its package and its course."""
    env = {**os.environ, "PYTHONPATH": str(root), "GRADER_ROOT": str(root)}
    return subprocess.run([sys.executable, *argv], cwd=root, env=env, capture_output=True, text=True,
                          timeout=timeout)


def _scaffold(course: Path) -> tuple[Path, set[Path]]:
    """The copy after `new_exercise(demo_sum)`, and the files that differ from before, by content."""
    before = _digests(course)
    done = new_exercise(Paths(course), "demo_sum")
    after = _digests(course)
    touched = {p for p in before.keys() | after.keys() if before.get(p) != after.get(p)}
    assert touched == set(done.touched)
    return course, touched


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, set[Path]]:
    """One scaffolded copy for the tests that only read it (copying the course costs seconds)."""
    return _scaffold(_copy_course(tmp_path_factory.mktemp("demo") / "course"))


@pytest.fixture
def own_demo(course: Path) -> tuple[Path, set[Path]]:
    """A scaffolded copy of the test's own, for tests that edit it."""
    return _scaffold(course)


def test_demo_sum_touches_at_most_five_files(demo: tuple[Path, set[Path]]) -> None:
    _, touched = demo
    assert sorted(map(str, touched)) == ["exercises/demo_sum.ipynb", "exercises/demo_sum.py",
                                         "grader/catalog.py", "grader/judging/checks/demo_sum.py",
                                         "solutions/demo_sum.py"]
    assert len(touched) <= MAX_FILES


def test_the_written_modules_pass_ruff(demo: tuple[Path, set[Path]]) -> None:
    """The author starts from code the project's own lint rules accept."""
    course, _ = demo
    written = [str(course / p) for p in ("grader/judging/checks/demo_sum.py", "solutions/demo_sum.py")]
    ruff = subprocess.run([sys.executable, "-m", "ruff", "check", "--config", str(ROOT / "pyproject.toml"), *written],
                          capture_output=True, text=True, timeout=120)
    assert ruff.returncode == 0, ruff.stdout + ruff.stderr


@pytest.mark.slow
def test_the_written_check_module_passes_mypy(demo: tuple[Path, set[Path]]) -> None:
    """...and the project's type rules (slow: mypy takes seconds)."""
    course, _ = demo
    mypy = _in_course(course, "-m", "mypy", "--ignore-missing-imports", "--follow-imports=silent",
                      "grader/judging/checks/demo_sum.py", "grader/catalog.py")
    assert mypy.returncode == 0, mypy.stdout + mypy.stderr


def test_the_copy_imports_itself(course: Path) -> None:
    """Guards the other tests: the child process must grade with the copy, not with this checkout."""
    out = _in_course(course, "-c", "import grader, grader.paths as p; print(grader.__file__, p.Paths.discover().root)")
    assert out.returncode == 0, out.stderr
    package, root = out.stdout.split()
    assert Path(package).parent == course / "grader" and Path(root) == course


def test_list_and_assign_pick_the_new_exercise_up(demo: tuple[Path, set[Path]]) -> None:
    course, _ = demo
    listed = _in_course(course, "-m", "grader", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    rows = {e["name"]: e for e in json.loads(listed.stdout)["exercises"]}
    assert rows["demo_sum"]["order"] == max(e["order"] for e in rows.values())
    assert rows["demo_sum"]["points"] == 5  # the one check's points: nothing else declares them
    assert [(c["id"], c["visibility"]) for c in rows["demo_sum"]["checks"]] == [("demo_sum.lesson_inputs", "public")]
    assert _in_course(course, "-m", "grader", "assign", "--check").returncode == 0  # the stub is what assign writes


def test_the_student_bundle_ships_the_new_exercise(demo: tuple[Path, set[Path]], tmp_path: Path) -> None:
    """`grader release` needs no word about it: the bundle lists it, with its stub, notebook and public check."""
    course, _ = demo
    bundle = tmp_path / "bundle"
    released = _in_course(course, "-m", "grader", "release", "--out", str(bundle))
    assert released.returncode == 0, released.stderr
    assert {"demo_sum.py", "demo_sum.ipynb"} <= {p.name for p in (bundle / "exercises").iterdir()}
    listed = _in_course(bundle, "-m", "grader", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    demo_sum = next(e for e in json.loads(listed.stdout)["exercises"] if e["name"] == "demo_sum")
    assert demo_sum["points"] == 5 and [c["id"] for c in demo_sum["checks"]] == ["demo_sum.lesson_inputs"]


JUDGE_BOTH = """
import numpy as np
from grader.judging.checks import load_checks
from grader.judging.judge import judge
from grader.judging.mistakes import describe_mistake
from grader.model import Observation
check = {c.id: c for c in load_checks()}["demo_sum.lesson_inputs"]
(probe,) = check.probes
x, y = (np.asarray(a) for a in probe.args["args"])
for name, value in (("right", x + y), ("wrong", x - y)):
    r = judge(check, {probe.id: Observation(probe.id, value=value)}, None)
    print(name, r.status, r.score, r.mistake, r.message)
print(probe.driver, probe.args["function"], "|", describe_mistake("subtracted"))
"""


def test_the_new_check_judges_a_right_and_a_wrong_answer(demo: tuple[Path, set[Path]]) -> None:
    course, _ = demo
    out = _in_course(course, "-c", JUDGE_BOTH)
    assert out.returncode == 0, out.stderr
    right, wrong, last = out.stdout.splitlines()
    assert right.startswith("right passed 5.0 None")
    assert wrong.startswith("wrong failed 0.0 subtracted `demo_sum` returned x - y")
    assert last == "call demo_sum | subtracted instead of added"  # generic driver; words beside the family


def test_refuses_a_taken_name_a_bad_name_and_a_bundle(course: Path, tmp_path: Path) -> None:
    before = _digests(course)
    for name in ("relu_model", "Demo", "class", "2x"):
        with pytest.raises(UsageError):
            new_exercise(Paths(course), name)
    assert _digests(course) == before
    bundle = tmp_path / "bundle"
    (bundle / "exercises").mkdir(parents=True)
    with pytest.raises(UsageError, match="not the course repository"):
        new_exercise(Paths(bundle), "demo_sum")


def test_a_second_run_overwrites_nothing(own_demo: tuple[Path, set[Path]]) -> None:
    course, _ = own_demo
    (course / "grader" / "catalog.py").write_text(
        (ROOT / "grader" / "catalog.py").read_text(encoding="utf-8"), encoding="utf-8")  # the name is free again
    with pytest.raises(UsageError, match="would overwrite"):
        new_exercise(Paths(course), "demo_sum")


@pytest.mark.slow
def test_grader_check_passes_the_solution_and_names_the_mistake(own_demo: tuple[Path, set[Path]]) -> None:
    """Through the sandbox and TensorFlow: the scaffolded solution passes, a wrong one is told why."""
    course, _ = own_demo
    stub = course / "exercises" / "demo_sum.py"
    solution = (course / "solutions" / "demo_sum.py").read_text(encoding="utf-8")
    stub.write_text(solution, encoding="utf-8")
    right = _in_course(course, "-m", "grader", "check", "demo_sum", "--no-report", timeout=300)
    assert right.returncode == 0, right.stdout + right.stderr
    stub.write_text(solution.replace("tf.add(x, y)", "tf.subtract(x, y)"), encoding="utf-8")
    wrong = _in_course(course, "-m", "grader", "check", "demo_sum", "--no-report", timeout=300)
    assert wrong.returncode != 0
    assert "`demo_sum` returned x - y" in wrong.stdout
