"""The Gradescope autograder is the course grader: a seeded course's zip, run as root in the
simulated layout, grades as `grader grade --student` does."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from grader.judging.checks import load_checks
from test_gradescope import ROOT, SUBMISSIONS, exercise_score, run_layout

TF_LAYERS_DROPOUT = '''import tensorflow.compat.v1 as tf


def dropout_model(features, weights, biases, keep_prob):
    hidden = tf.nn.relu(tf.add(tf.matmul(features, weights[0]), biases[0]))
    hidden = tf.layers.dropout(hidden, rate=1 - keep_prob, training=True)
    return tf.add(tf.matmul(hidden, weights[1]), biases[1])
'''


def _env(**extra: str) -> dict[str, str]:
    """The environment of a `python -m grader ...` run of this checkout, with no seed unless given."""
    env = {k: v for k, v in os.environ.items() if k not in ("GRADER_SECRET_SEED", "GRADER_ROOT")}
    return {**env, "PYTHONPATH": str(ROOT), "TF_CPP_MIN_LOG_LEVEL": "2", **extra}


@pytest.fixture(scope="module")
def seeded_zip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`grader gradescope` for a course whose seed is not the development seed."""
    out = tmp_path_factory.mktemp("seeded") / "autograder.zip"
    proc = subprocess.run([sys.executable, "-m", "grader", "gradescope", "--out", str(out)], cwd=ROOT,
                          env=_env(GRADER_SECRET_SEED="autumn term, not the development seed"),
                          capture_output=True, text=True, timeout=1800)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return out


@pytest.mark.slow
def test_building_without_a_seed_refuses(tmp_path: Path) -> None:
    course = tmp_path / "course"
    (course / "solutions").mkdir(parents=True)
    proc = subprocess.run([sys.executable, "-m", "grader", "gradescope", "--out", str(tmp_path / "a.zip")],
                          cwd=ROOT, env=_env(GRADER_ROOT=str(course)), capture_output=True, text=True, timeout=300)
    assert proc.returncode == 8 and "GRADER_SECRET_SEED" in proc.stderr and ".grader-seed" in proc.stderr
    assert not (tmp_path / "a.zip").exists()


@pytest.mark.slow
def test_a_seeded_course_gives_full_marks_to_the_right_submission(seeded_zip: Path, tmp_path: Path) -> None:
    with zipfile.ZipFile(seeded_zip) as zf:
        assert zf.read("seed/.grader-seed").decode().strip() != "20170201"
    right = {f.name: f.read_text(encoding="utf-8") for f in sorted((ROOT / "solutions").glob("*.py"))}
    # Gradescope sets no seed variable; a stray one must not win over the shipped seed either.
    doc = run_layout(seeded_zip, tmp_path / "right", right, GRADER_SECRET_SEED="a stray seed")
    assert doc["score"] == doc["extra_data"]["max_score"] == 100, json.dumps(doc)[:3000]
    hidden = [t for t in doc["tests"] if t["extra_data"]["visibility"] == "hidden"]
    assert hidden and all(t["score"] == t["max_score"] for t in hidden)  # rebuilt from the shipped seed
    mode = (tmp_path / "right" / "source" / "seed" / ".grader-seed").stat().st_mode
    assert mode & 0o077 == 0  # run_autograder keeps the seed root-only


@pytest.mark.slow
def test_a_tf_layers_file_loads_on_gradescope(seeded_zip: Path, tmp_path: Path) -> None:
    doc = run_layout(seeded_zip, tmp_path / "layers", {"dropout.py": TF_LAYERS_DROPOUT})
    got, full = exercise_score(doc, "dropout")
    assert got == full > 0, json.dumps(doc)[:3000]
    assert "could not be loaded" not in json.dumps(doc)


RIGHT = {"relu_model.py": SUBMISSIONS / "correct" / "relu_model_bias_add.py",
         "dropout.py": SUBMISSIONS / "correct" / "dropout_rate.py"}


def _repository(where: Path) -> dict[str, str]:
    """A student's whole repository, as Gradescope's GitHub upload gives it: the released bundle with
    two exercises answered, after `pip install .` and a pytest run, with its .git folder."""
    from grader.authoring.release import build
    from grader.paths import Paths

    build(Paths(ROOT), where)
    for name, source in RIGHT.items():
        shutil.copyfile(source, where / "exercises" / name)
    leftovers = {"build/lib/grader/__init__.py": "raise SystemExit('build leftover')\n",
                 "grader.egg-info/PKG-INFO": "Name: grader\n", ".pytest_cache/v/cache/lastfailed": "{}\n",
                 ".git/HEAD": "ref: refs/heads/main\n", "reports/self-check.html": "<html></html>\n"}
    for rel, text in leftovers.items():
        (where / rel).parent.mkdir(parents=True, exist_ok=True)
        (where / rel).write_text(text, encoding="utf-8")
    return {f.relative_to(where).as_posix(): f.read_text(encoding="utf-8")
            for f in sorted(where.rglob("*")) if f.is_file()}


@pytest.mark.slow
@pytest.mark.skipif(importlib.util.find_spec("grader.discovery.collect") is None,
                    reason="needs the whole-repository discovery (grader/discovery/collect.py, issue 19 item 1)")
def test_a_whole_repository_upload_scores_as_its_exercise_files(seeded_zip: Path, tmp_path: Path) -> None:
    repo = run_layout(seeded_zip, tmp_path / "repo", _repository(tmp_path / "bundle"))
    plain = run_layout(seeded_zip, tmp_path / "plain", {n: f.read_text(encoding="utf-8") for n, f in RIGHT.items()})
    scores = {t["extra_data"]["check_id"]: t["score"] for t in plain["tests"]}
    assert {t["extra_data"]["check_id"]: t["score"] for t in repo["tests"]} == scores
    assert repo["score"] == plain["score"] == sum(exercise_score(plain, n)[1] for n in ("relu_model", "dropout"))
    assert "GraderTampered" not in json.dumps(repo) and "could not be loaded" not in json.dumps(repo)


def _catalogue_submission(kind: str) -> dict[str, str]:
    """One file per exercise from the catalogue (tests/submissions): the first right one of each,
    a second right one where there is one, or the first wrong .py of each."""
    chosen: dict[str, str] = {}
    from grader.catalog import EXERCISE_NAMES

    for name in EXERCISE_NAMES:
        if kind == "wrong":
            picked = sorted((SUBMISSIONS / "wrong" / name).glob("*.py"))[:1]
        else:
            files = sorted((SUBMISSIONS / "correct").glob(f"{name}_*.py"))
            picked = files[:1] if kind == "right" else files[1:2]
        for f in picked:
            chosen[f"{name}.py"] = f.read_text(encoding="utf-8")
    return chosen


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["right", "right-alternates", "wrong"])
def test_gradescope_scores_each_check_as_grade_student(kind: str, autograder: Path, tmp_path: Path) -> None:
    files = _catalogue_submission(kind)
    folder = tmp_path / "ann"
    folder.mkdir()
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    results = tmp_path / "student.json"
    proc = subprocess.run([sys.executable, "-m", "grader", "grade", "--student", "ann", str(folder),
                           "--results", str(results)], cwd=ROOT, env=_env(GRADER_SECRET_SEED="20170201"),
                          capture_output=True, text=True, timeout=1800)
    assert proc.returncode == 0, proc.stderr[-3000:]
    course = {t["extra_data"]["check_id"]: t["score"] for t in json.loads(results.read_text())["tests"]}
    gs = run_layout(autograder, tmp_path / "gs", files)
    assert {t["extra_data"]["check_id"]: t["score"] for t in gs["tests"]} == course
    assert sum(course.values()) > 0 and len(course) == len(load_checks())  # every check, hidden ones included


@pytest.fixture(scope="module")
def autograder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from grader.gradescope.build import build
    from grader.paths import Paths

    zip_path = tmp_path_factory.mktemp("zip") / "autograder.zip"
    build(Paths(ROOT), zip_path)
    return zip_path
