"""`grader release`: the student bundle leaks nothing and self-checks after a plain install."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import sysconfig
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from grader.judging.checks.base import CHECKS
from grader.model import Observation
from grader.paths import Paths
from grader.authoring.release import NEVER_SHIP, build, module_closure

BLOCK = re.compile(r"^[ \t]*# BEGIN SOLUTION[ \t]*\n(.*?)^[ \t]*# END SOLUTION", re.M | re.S)
INLINE = re.compile(r"^[ \t]*([A-Za-z_]\w*(?:\s*:[^=]+)?\s*=\s*.*?)\s*#\s*SOLUTION\s*$", re.M)


def _code_lines(text: str) -> str:
    kept = (ln.strip() for ln in text.splitlines())
    return "\n".join(ln for ln in kept if ln and not ln.startswith("#"))


def _readable(bundle: Path) -> dict[str, str]:
    """What a student can read: every file, notebooks also as their cells' code."""
    out = {}
    for f in bundle.rglob("*"):
        if not f.is_file() or "__pycache__" in f.parts:
            continue
        text = f.read_bytes().decode("utf-8", errors="replace")
        if f.suffix == ".ipynb":
            text += "\n" + "\n".join("".join(c["source"]) for c in json.loads(text)["cells"])
        out[f.relative_to(bundle).as_posix()] = text
    return out


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("release") / "bundle"
    build(Paths(Path(__file__).resolve().parents[2]), out)
    return out


def test_bundle_layout(bundle: Path) -> None:
    files = _readable(bundle)
    assert "pyproject.toml" in files and "README.md" in files
    assert "grader/cli.py" in files and "grader/commands/list_cmd.py" in files
    # The self-check report needs its templates, and `grader check` the released stubs' digests.
    assert {"grader/reports/templates/student.html", "grader/reports/templates/style.css"} <= set(files)
    assert "exercises/.released-stubs.json" in files
    assert not any(f.startswith(("solutions/", "grader/judging/checks/hidden")) for f in files)
    shipped = {f.removesuffix(".py").replace("/", ".") for f in files if f.endswith(".py")}
    for never in NEVER_SHIP:
        assert not any(m == never or m.startswith(never + ".") for m in shipped), never
    solutions = Path(__file__).resolve().parents[2] / "solutions"
    for solution in solutions.glob("[!_]*.py"):
        assert f"exercises/{solution.stem}.py" in files and f"exercises/{solution.stem}.ipynb" in files


def test_no_solution_body_in_the_bundle(bundle: Path, paths: Paths) -> None:
    texts = {name: _code_lines(t) for name, t in _readable(bundle).items()}
    bodies = []
    for solution in paths.solutions.glob("[!_]*.py"):
        src = solution.read_text()
        bodies += [(solution.name, _code_lines(m)) for m in BLOCK.findall(src)]
        bodies += [(solution.name, m.strip()) for m in INLINE.findall(src)]
    assert len(bodies) >= len(list(paths.solutions.glob("[!_]*.py")))
    for name, body in bodies:
        assert body
        leaks = [f for f, t in texts.items() if body in t]
        assert not leaks, f"solution body of {name} found in {leaks}: {body[:80]!r}"


def test_no_hidden_check_name_in_the_bundle(bundle: Path, all_checks: list[Any]) -> None:
    hidden = [c for c in CHECKS.values() if c.visibility == "hidden"]
    assert hidden
    texts = _readable(bundle)
    for c in hidden:
        for secret in (c.id, c.title, *(p.id for p in c.probes)):
            leaks = [f for f, t in texts.items() if secret in t]
            assert not leaks, f"hidden {secret!r} found in {leaks}"


def _numbers(value: Any) -> list[float]:
    if isinstance(value, np.ndarray) and value.dtype.kind in "iuf":
        return [float(v) for v in value.reshape(-1)]
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return [float(value)]
    if isinstance(value, (list, tuple)):
        return [n for v in value for n in _numbers(v)]
    if isinstance(value, dict):
        return [n for v in value.values() for n in _numbers(v)]
    return []


def _distinctive(x: float) -> list[str]:
    """How a hidden number would be written if copied in; only numbers unlikely to occur by chance."""
    if not np.isfinite(x):
        return []
    if float(x).is_integer():
        return [str(int(x))] if abs(x) >= 10_000 else []
    if abs(x) < 0.01 or round(x, 2) == x:
        return []
    return [f"{x:.4f}"]


@pytest.mark.slow
def test_no_hidden_expected_value_in_the_bundle(bundle: Path, reference: dict[str, Observation]) -> None:
    hidden_probes = {p.id for c in CHECKS.values() if c.visibility == "hidden" for p in c.probes}
    public_probes = {p.id for c in CHECKS.values() if c.visibility == "public" for p in c.probes}
    secrets: set[str] = set()
    for pid in hidden_probes - public_probes:
        obs = reference.get(pid)
        if obs is not None:
            for x in _numbers(obs.value):
                secrets.update(_distinctive(x))
    assert len(secrets) >= 10  # the scan has something to find
    texts = _readable(bundle)
    leaks = {s: [f for f, t in texts.items() if s in t] for s in secrets}
    assert not {s: f for s, f in leaks.items() if f}


def _venv_seeing_work_venv(tmp: Path) -> Path:
    """A fresh venv from the base interpreter whose site-packages also reads /work/venv's (via .pth).

    TensorFlow & co. come from the existing install (no 1-minute reinstall, no
    network); grader itself is installed by a real, non-editable `pip install`.
    The editable grader of the repository stays invisible: .pth files inside a
    folder added by a .pth line are not processed.
    """
    venv = tmp / "venv"
    subprocess.run([getattr(sys, "_base_executable", sys.executable), "-m", "venv", "--without-pip",
                    str(venv)], check=True, timeout=120)
    py = venv / "bin" / "python"
    site = subprocess.run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          check=True, capture_output=True, text=True).stdout.strip()
    (Path(site) / "work_venv.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return venv


@pytest.mark.slow
def test_grader_check_works_in_the_installed_bundle(bundle: Path, paths: Paths, tmp_path: Path) -> None:
    venv = _venv_seeing_work_venv(tmp_path)
    py = venv / "bin" / "python"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GRADER_", "PYTHON"))}
    # Dependencies are resolved (not skipped) against what is installed; --no-index: nothing downloads.
    done = subprocess.run([str(py), "-m", "pip", "install", "--no-index", "--no-build-isolation", str(bundle)],
                          capture_output=True, text=True, timeout=300, env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    where = subprocess.run([str(py), "-P", "-c", "import grader, importlib.util as u; print(grader.__file__); "
                            "print(u.find_spec('grader.judging.checks.hidden')); print(u.find_spec('solutions'))"],
                           capture_output=True, text=True, env=env, cwd=bundle, check=True).stdout.split()
    assert where[0].startswith(str(venv)) and where[1:] == ["None", "None"]

    grader = str(venv / "bin" / "grader")
    listed = subprocess.run([grader, "list"], capture_output=True, text=True, env=env, cwd=bundle, timeout=120)
    assert listed.returncode == 0 and "relu_model.lesson_inputs" in listed.stdout
    # Real points per exercise, and that hidden checks exist, never their names.
    assert "Total: 100 points" in listed.stdout and "hidden check" in listed.stdout
    assert not any(c.id in listed.stdout for c in CHECKS.values() if c.visibility == "hidden")

    # An untouched stub: the self-check runs and says "not attempted".
    todo = subprocess.run([grader, "check", "relu_model", "--no-report"], capture_output=True, text=True,
                          env=env, cwd=bundle, timeout=300)
    assert "TODO" in todo.stdout and todo.returncode == 1, todo.stdout + todo.stderr[-2000:]
    # The student's finished work passes.
    (bundle / "exercises" / "relu_model.py").write_text((paths.solutions / "relu_model.py").read_text())
    try:
        ok = subprocess.run([grader, "check", "relu_model", "--no-report"], capture_output=True, text=True,
                            env=env, cwd=bundle, timeout=300)
    finally:
        (bundle / "exercises" / "relu_model.py").write_text(
            (paths.exercises / "relu_model.py").read_text())
    assert ok.returncode == 0 and "PASS" in ok.stdout, ok.stdout + ok.stderr[-2000:]


def test_closure_follows_imports_and_leaves_out_batch_modules(tmp_path: Path) -> None:
    pkg = tmp_path / "grader"
    (pkg / "commands").mkdir(parents=True)
    (pkg / "judging" / "checks" / "hidden").mkdir(parents=True)
    (pkg / "sandbox" / "drivers").mkdir(parents=True)
    for f in ("__init__.py", "commands/__init__.py", "judging/__init__.py", "judging/checks/__init__.py",
              "judging/checks/hidden/__init__.py", "sandbox/__init__.py", "sandbox/drivers/__init__.py",
              "sandbox/drivers/d.py", "judging/checks/public.py"):
        (pkg / f).write_text("")
    (pkg / "cli.py").write_text("def main():\n    from grader import helper\n")
    (pkg / "helper.py").write_text("from .util import x\nimport grader.batch\n"
                                   "for m in ('grader.dynamic', 'grader.judging.checks.hidden'):\n    __import__(m)\n")
    (pkg / "dynamic.py").write_text("")
    (pkg / "util.py").write_text("x = 1\n")
    (pkg / "batch.py").write_text("")
    (pkg / "unused.py").write_text("")
    (pkg / "judging" / "checks" / "hidden" / "secret.py").write_text("")
    modules, notes = module_closure(pkg)
    assert {"grader.cli", "grader.helper", "grader.util", "grader.dynamic", "grader.sandbox.drivers.d",
            "grader.judging.checks.public"} <= set(modules)
    assert "grader.unused" not in modules and "grader.batch" not in modules
    assert not any(m.startswith("grader.judging.checks.hidden") for m in modules)
    assert notes == ["grader.helper imports grader.batch, which the bundle leaves out"]


def test_release_refuses_to_overwrite(tmp_path: Path, paths: Paths) -> None:
    from grader.errors import UsageError

    other = tmp_path / "mine"
    other.mkdir()
    (other / "notes.txt").write_text("keep me")
    with pytest.raises(UsageError, match="not empty"):
        build(paths, other)
    with pytest.raises(UsageError, match="not an earlier bundle"):
        build(paths, other, force=True)
    assert (other / "notes.txt").read_text() == "keep me"
    with pytest.raises(UsageError, match="over the course"):
        build(paths, paths.root / "exercises")


def test_the_bundle_readme_says_which_command_checks_what_and_what_to_hand_in() -> None:
    from grader.authoring.release import README, WORKFLOW

    assert "--notebooks" not in README  # the flag does nothing: it never chose the notebook
    assert 'grader.check("relu_model")' in README and "grader check relu_model" in README
    assert "whichever you changed" in README and "save it first" in README
    assert "## Handing in" in README and "exercises/<name>.ipynb" in README
    assert "Not attempted yet." in README and "pytest -k <name>" in README
    assert "pytest --junitxml=reports/checks.xml" in README and "pytest --junitxml=reports/checks.xml" in WORKFLOW
