"""The Gradescope autograder: the zip's layout, results.json against the spec, and a simulated run."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from packaging.requirements import Requirement

from grader.errors import UsageError
from grader.gradescope import schema
from grader.gradescope.build import RUN_AUTOGRADER, SETUP_SH, build, requirements
from grader.judging.oracles import secret
from grader.paths import Paths

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]

ROOT = Path(__file__).resolve().parents[2]
SUBMISSIONS = ROOT / "tests" / "submissions"

HOSTILE = '''
import os
ROOT = os.environ.get("GRADER_GRADESCOPE_ROOT", "/autograder")
def relu_model(features, weights, biases):
    seen = []
    for path in (ROOT + "/source/reference/observations.json",
                 ROOT + "/source/grader/judging/checks/hidden/relu_model.py",
                 ROOT + "/source/seed/.grader-seed"):
        try:
            with open(path) as f:
                f.read(10)
            seen.append("L" "EAKED " + path)
        except OSError:
            seen.append("blocked")
    raise RuntimeError(" ".join(seen))
'''


def test_schema_accepts_a_minimal_document_and_names_each_fault() -> None:
    assert schema.validate({"score": 1.0, "tests": [{"score": 1, "max_score": 1, "status": "passed"}]}) == []
    errors = schema.validate({"scroe": 1, "visibility": "public",
                              "tests": [{"score": 2, "max_score": 1, "status": "error", "tags": [3]}]})
    text = "\n".join(errors)
    for part in ("unknown key 'scroe'", "visibility is 'public'", "status is 'error'", "score above max_score",
                 "non-string"):
        assert part in text
    assert "no top-level score" in "\n".join(schema.validate({"tests": [{"max_score": 1}]}))
    assert schema.validate([]) == ["results.json is not a JSON object"]
    assert "is not a finite number" in "\n".join(schema.validate({"score": float("nan")}))


def test_requirements_are_the_course_graders_own_dependencies() -> None:
    """One source of truth: the zip installs pyproject's dependencies, as `pip install .` does."""
    with open(ROOT / "pyproject.toml", "rb") as f:
        deps = tomllib.load(f)["project"]["dependencies"]
    lines = requirements(ROOT / "pyproject.toml").splitlines()
    assert lines == deps
    assert "tf-keras==2.21.0" in lines  # tf.layers loads on Gradescope as in `grader grade`
    assert any(line.startswith("tensorflow-cpu==2.21.0;") for line in lines)
    assert [str(r) for r in map(Requirement, lines)]  # each line is a valid requirement (markers included)


def test_requirements_refuse_a_pyproject_without_dependencies(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n", encoding="utf-8")
    with pytest.raises(UsageError, match="no \\[project\\] dependencies"):
        requirements(tmp_path / "pyproject.toml")
    with pytest.raises(UsageError, match="cannot read"):
        requirements(tmp_path / "missing.toml")


def test_scripts_install_the_requirements_and_honour_the_root_override() -> None:
    assert "pip install -q -r /autograder/source/requirements.txt" in SETUP_SH
    assert '${GRADER_GRADESCOPE_ROOT:-/autograder}' in RUN_AUTOGRADER
    assert "python -m grader.gradescope.run" in RUN_AUTOGRADER.replace('"$PY"', "python")


def test_zip_layout_without_running_the_reference(tmp_path: Path) -> None:
    out = tmp_path / "autograder.zip"
    names = build(Paths(ROOT), out, reference_text="{}\n")
    assert {"setup.sh", "run_autograder", "requirements.txt", "reference/observations.json"} <= set(names)
    assert "grader/gradescope/run.py" in names and "grader/judging/checks/hidden/relu_model.py" in names
    assert not [n for n in names if n.startswith("solutions/") or "__pycache__" in n]
    with zipfile.ZipFile(out) as zf:
        mode = zf.getinfo("run_autograder").external_attr >> 16
        seed_mode = zf.getinfo("seed/.grader-seed").external_attr >> 16
        seed = zf.read("seed/.grader-seed").decode()
    assert mode & 0o111
    assert seed_mode & 0o777 == 0o600  # readable by root only
    assert int(seed) == secret.course_seed() == secret.DEVELOPMENT_SEED  # tests/conftest.py's seed


@pytest.fixture(scope="module")
def autograder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    zip_path = tmp_path_factory.mktemp("zip") / "autograder.zip"
    build(Paths(ROOT), zip_path)
    return zip_path


def run_layout(zip_path: Path, root: Path, files: dict[str, str], **extra_env: str) -> dict:
    """Unpack like Gradescope (/autograder/source, run_autograder beside it) and run one submission."""
    (root / "source").mkdir(parents=True)
    with zipfile.ZipFile(zip_path) as zf:
        zf.extractall(root / "source")
    shutil.copy(root / "source" / "run_autograder", root / "run_autograder")
    os.chmod(root / "run_autograder", 0o755)
    (root / "submission").mkdir()
    for name, text in files.items():
        (root / "submission" / name).parent.mkdir(parents=True, exist_ok=True)
        (root / "submission" / name).write_text(text)
    (root / "submission_metadata.json").write_text(json.dumps({"users": [{"email": "ada@example.org"}]}))
    env = {**os.environ, "GRADER_GRADESCOPE_ROOT": str(root), "GRADER_PYTHON": sys.executable, **extra_env}
    env.pop("PYTHONPATH", None)
    proc = subprocess.run([str(root / "run_autograder")], env=env, capture_output=True, text=True, timeout=600)
    results = root / "results" / "results.json"
    assert results.is_file(), proc.stderr[-3000:]
    doc = json.loads(results.read_text())
    assert schema.validate(doc) == [], doc
    return doc


def exercise_score(doc: dict, exercise: str) -> tuple[float, float]:
    tests = [t for t in doc["tests"] if t["extra_data"]["exercise"] == exercise]
    return sum(t["score"] for t in tests), sum(t["max_score"] for t in tests)


@pytest.mark.slow
def test_run_autograder_right_wrong_and_hostile(autograder: Path, tmp_path: Path) -> None:
    right = run_layout(autograder, tmp_path / "right", {"relu_model.py": (SUBMISSIONS / "correct" /
                                                                          "relu_model_bias_add.py").read_text()})
    got, full = exercise_score(right, "relu_model")
    assert got == full > 0
    assert right["extra_data"]["student_id"] == "ada@example.org"
    assert right["extra_data"]["isolation"] == "full"  # this CI machine: root with every namespace

    wrong_file = sorted((SUBMISSIONS / "wrong" / "relu_model").glob("*.py"))[0]
    wrong = run_layout(autograder, tmp_path / "wrong", {"relu_model.py": wrong_file.read_text()})
    assert exercise_score(wrong, "relu_model")[0] < full

    hostile = run_layout(autograder, tmp_path / "hostile", {"relu_model.py": HOSTILE})
    assert exercise_score(hostile, "relu_model")[0] == 0
    assert "LEAKED" not in json.dumps(hostile) and "blocked blocked blocked" in json.dumps(hostile)


@pytest.mark.slow
def test_hostile_submission_under_the_portable_runner(autograder: Path, tmp_path: Path) -> None:
    """Where the sandbox cannot start (a container without namespaces), the fallback still hides the
    answers, once the instructor allowed weak isolation; without that, nothing runs."""
    hostile = run_layout(autograder, tmp_path / "hostile", {"relu_model.py": HOSTILE}, GRADER_RUNNER="portable",
                         GRADER_ALLOW_WEAK_ISOLATION="1")
    assert exercise_score(hostile, "relu_model")[0] == 0
    assert "LEAKED" not in json.dumps(hostile) and "blocked blocked blocked" in json.dumps(hostile)
    assert hostile["extra_data"]["isolation"] == "none (weak isolation allowed)"

    refused = run_layout(autograder, tmp_path / "refused", {"relu_model.py": HOSTILE}, GRADER_RUNNER="portable")
    assert refused["score"] == 0 and refused["tests"] == []
    assert "refusing to run untrusted student code at isolation level 'none'" in refused["output"]
