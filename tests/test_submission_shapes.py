"""Submissions as courses collect them: a student's whole repository (the released bundle plus edits,
build leftovers and `.git`), zipped or not. Only the exercise files are the student's; the end-to-end
test grades a repository through `grader grade` and compares it with its exercise files alone."""

from __future__ import annotations

import json
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from grader.discovery.discover import read_submission
from grader.paths import Paths

SUBMISSIONS = Path(__file__).parent / "submissions" / "correct"
# Two right answers, as a student would write them into the bundle's exercises/.
RIGHT = {"relu_model.py": SUBMISSIONS / "relu_model_bias_add.py",
         "parameter_count.py": SUBMISSIONS / "parameter_count_numpy.py"}


@pytest.fixture(scope="session")
def bundle(tmp_path_factory: pytest.TempPathFactory, paths: Paths) -> Path:
    from grader.authoring.release import build

    out = tmp_path_factory.mktemp("release") / "bundle"
    build(paths, out)
    return out


def make_repository(bundle: Path, where: Path, *, git: bool = True) -> Path:
    """The bundle with two exercises answered, after `pip install .`, pytest and an editor ran there."""
    shutil.copytree(bundle, where)
    for name, source in RIGHT.items():
        shutil.copyfile(source, where / "exercises" / name)
    leftovers = {
        "build/lib/grader/__init__.py": "raise SystemExit('build leftover')\n",
        "build/lib/grader/judging/checks/dropout.py": "def dropout(*a):\n    return None\n",
        "deep_neural_networks.egg-info/PKG-INFO": "Name: grader\n",
        "deep_neural_networks.egg-info/SOURCES.txt": "grader/__init__.py\n",
        "__pycache__/conftest.cpython-311.pyc": "\0\0",
        "exercises/__pycache__/relu_model.cpython-311.pyc": "\0",
        ".pytest_cache/v/cache/lastfailed": "{}",
        ".venv/lib/python3.11/site-packages/site.py": "import os\n",
        "reports/self-check.html": "<html></html>",
        "conftest.py": "import grader\n",
        "tests/test_mine.py": "def test_x():\n    assert True\n",
    }
    for rel, text in leftovers.items():
        (where / rel).parent.mkdir(parents=True, exist_ok=True)
        (where / rel).write_text(text)
    if git:
        if shutil.which("git"):
            subprocess.run(["git", "init", "-q", str(where)], check=True)
            subprocess.run(["git", "-C", str(where), "add", "-A"], check=True)
            subprocess.run(["git", "-C", str(where), "-c", "user.name=s", "-c", "user.email=s@example.org",
                            "commit", "-qm", "work"], check=True)
        else:
            (where / ".git").mkdir()
            (where / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    return where


def _zip_folder(folder: Path, target: Path, top: str = "") -> Path:
    with zipfile.ZipFile(target, "w") as zf:
        for f in sorted(folder.rglob("*")):
            if f.is_file():
                zf.write(f, top + f.relative_to(folder).as_posix())
    return target


def _assert_only_exercises(sub: object, prefix: str = "") -> None:
    origins = getattr(sub, "origins")
    files = getattr(sub, "files")
    assert not getattr(sub, "grader_errors") and not getattr(sub, "problems")
    assert all(v.startswith(f"{prefix}exercises/") for v in origins.values()), origins
    for name, source in RIGHT.items():
        assert files[name] == source.read_text()
        assert origins[name] == f"{prefix}exercises/{name}"
    assert any("student repository" in n for n in getattr(sub, "notes"))


def test_repository_counts_only_its_exercise_files(bundle: Path, tmp_path: Path) -> None:
    sub = read_submission(make_repository(bundle, tmp_path / "alice"))
    _assert_only_exercises(sub)
    assert sorted(sub.files) == sorted(f"{n}.py" for n in json.loads(
        (bundle / "grader" / "points.json").read_text()))


def test_repository_without_git_and_marker_files(bundle: Path, tmp_path: Path) -> None:
    repo = make_repository(bundle, tmp_path / "bob", git=False)
    (repo / "grader.toml").unlink()
    (repo / "exercises" / ".released-stubs.json").unlink()
    _assert_only_exercises(read_submission(repo))


def test_zipped_repository_with_its_top_folder(bundle: Path, tmp_path: Path) -> None:
    """GitHub's "Download ZIP" puts everything under `<repo>-main/`; a plain zip has no top folder."""
    repo = make_repository(bundle, tmp_path / "carol")
    _assert_only_exercises(read_submission(_zip_folder(repo, tmp_path / "carol.zip", "carol-main/")), "carol-main/")
    _assert_only_exercises(read_submission(_zip_folder(repo, tmp_path / "flat.zip")))


def test_repository_leftovers_do_not_count_toward_the_entry_limit(bundle: Path, tmp_path: Path) -> None:
    from grader.discovery import collect

    repo = make_repository(bundle, tmp_path / "dan", git=False)
    for i in range(collect.MAX_ENTRIES + 10):
        (repo / "build" / f"m{i}.py").write_text("x = 1\n")
    _assert_only_exercises(read_submission(repo))


def test_repository_notebook_edited_is_the_one_graded(bundle: Path, tmp_path: Path) -> None:
    """The choice between X.py and X.ipynb holds in a repository: the one that differs from the stub."""
    repo = make_repository(bundle, tmp_path / "erin", git=False)
    nb = json.loads((repo / "exercises" / "dropout.ipynb").read_text())
    nb["cells"].append({"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
                        "source": "def dropout(hidden_layer, keep_prob):\n    return hidden_layer\n"})
    (repo / "exercises" / "dropout.ipynb").write_text(json.dumps(nb))
    sub = read_submission(repo)
    assert sub.origins["dropout.py"] == "exercises/dropout.ipynb"
    assert sub.origins["quiz.py"] == "exercises/quiz.py"  # both untouched: the .py
    assert any("graded exercises/dropout.ipynb, the file you changed" in n for n in sub.notes)


@pytest.mark.parametrize("zipped", [False, True])
def test_repository_without_the_course_at_hand_uses_its_own_stub_index(bundle: Path, tmp_path: Path, zipped: bool,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """A Gradescope autograder has no exercises/ of the course: the repository's released-stub index
    (the same on every Python) still tells an untouched notebook from an edited file."""
    from grader.discovery import choose

    monkeypatch.setattr(choose, "default_stubs", lambda: {})
    repo = make_repository(bundle, tmp_path / "gina", git=False)
    sub = read_submission(_zip_folder(repo, tmp_path / "gina.zip") if zipped else repo)
    _assert_only_exercises(sub)
    assert not sub.alternates and not any("both changed" in n for n in sub.notes)
    assert any("graded exercises/relu_model.py, the file you changed" in n for n in sub.notes)
    (repo / "exercises" / ".released-stubs.json").write_text("not json")
    assert set(read_submission(repo).alternates) == set(RIGHT)  # no index: the stub notebooks count as changed


def test_loose_folder_skips_the_grader_package_and_build_leftovers(bundle: Path, tmp_path: Path) -> None:
    """Without the bundle's layout the student's own files count, never a copy of the grader or a build."""
    loose = tmp_path / "fay"
    shutil.copytree(bundle / "grader", loose / "grader")
    (loose / "build" / "lib").mkdir(parents=True)
    (loose / "build" / "lib" / "relu_model.py").write_text("def relu_model(*a):\n    return None\n")
    (loose / "x.egg-info").mkdir()
    (loose / "x.egg-info" / "top_level.txt").write_text("grader\n")
    shutil.copyfile(RIGHT["relu_model.py"], loose / "relu_model.py")
    sub = read_submission(loose)
    assert sub.files == {"relu_model.py": RIGHT["relu_model.py"].read_text()}
    assert sub.notes == ("grader: skipped, a copy of the grader package is not your code",)
    zipped = read_submission(_zip_folder(loose, tmp_path / "fay.zip"))
    assert zipped.files == sub.files and not zipped.problems


@pytest.mark.slow
def test_repository_graded_end_to_end_like_its_exercise_files(bundle: Path, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """Before: 0/100, every check "raised GraderTampered". Now the repository scores what its two
    exercise files score alone, check by check."""
    from grader.cli import main

    monkeypatch.setenv("GRADER_SECRET_SEED", "424242")
    classroom = tmp_path / "class"
    make_repository(bundle, classroom / "alice")
    loose = classroom / "loose"
    loose.mkdir()
    for name, source in RIGHT.items():
        shutil.copyfile(source, loose / name)
    out = tmp_path / "out"
    assert main(["grade", str(classroom), "--out", str(out), "--jobs", "1", "--quiet"]) == 0
    repo_result = json.loads((out / "alice" / "results.json").read_text())
    loose_result = json.loads((out / "loose" / "results.json").read_text())
    assert repo_result["score"] == loose_result["score"] == 25
    assert [(t["name"], t["score"]) for t in repo_result["tests"]] == \
        [(t["name"], t["score"]) for t in loose_result["tests"]]
    assert "GraderTampered" not in json.dumps(repo_result)


# -- a folder of GitHub Classroom clones, and LMS downloads, through `grader grade` ------------------

def make_clones(bundle: Path, folder: Path) -> Path:
    """`gh classroom clone student-repos` output: `<assignment>-<username>/` per student."""
    make_repository(bundle, folder / "dnn-hw-alice")
    make_repository(bundle, folder / "dnn-hw-bob-smith", git=False)
    (folder / "dnn-hw-carol").mkdir(parents=True)  # an empty clone: carol's problem, not the class's
    return folder


def test_classroom_clones_are_one_student_each(bundle: Path, tmp_path: Path) -> None:
    from grader.discovery.discover import discover
    from grader.discovery.layouts import find_layout

    clones = make_clones(bundle, tmp_path / "clones")
    found = find_layout(clones)
    assert found.layout == "classroom" and "'dnn-hw-' stripped" in found.summary
    subs = {s.student_id: s for s in discover(clones)}
    assert sorted(subs) == ["alice", "bob-smith", "carol"]
    _assert_only_exercises(subs["alice"])
    _assert_only_exercises(subs["bob-smith"])
    assert subs["carol"].empty and subs["carol"].problems and not subs["carol"].grader_errors


@pytest.mark.slow
def test_lms_downloads_and_clones_graded_end_to_end(bundle: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    """Each path as the instructor runs it: the layout is said in one line, ids are the LMS's, and the
    right relu_model earns the same score wherever it came from."""
    from grader.cli import main

    monkeypatch.setenv("GRADER_SECRET_SEED", "424242")
    relu = RIGHT["relu_model.py"].read_text()
    canvas = tmp_path / "canvas.zip"
    with zipfile.ZipFile(canvas, "w") as zf:
        zf.writestr("smithbob_340934_208490284_relu_model.py", relu)
        zf.writestr("jonesann_LATE_55_901_relu_model-1.py", relu)
    moodle = tmp_path / "moodle.zip"
    with zipfile.ZipFile(moodle, "w") as zf:
        zf.writestr("Ann Lee_101_assignsubmission_file_/relu_model.py", relu)
    clones = make_clones(bundle, tmp_path / "clones")
    scores: dict[str, dict[str, float]] = {}
    for name, path, layout in (("canvas", canvas, "canvas"), ("moodle", moodle, "moodle"),
                               ("clones", clones, "classroom")):
        out = tmp_path / f"out-{name}"
        assert main(["grade", str(path), "--out", str(out), "--jobs", "1"]) == 0
        said = [line for line in capsys.readouterr().out.splitlines() if line.startswith("layout:")]
        assert len(said) == 1 and said[0].startswith(f"layout: {layout}:")
        summary = json.loads((out / "summary.json").read_text())
        scores[name] = {sid: s["score"] for sid, s in summary["students"].items()}
    assert scores["canvas"] == {"340934": 15, "55": 15}
    assert json.loads((tmp_path / "out-canvas" / "340934" / "results.json").read_text())[
        "extra_data"]["display_name"] == "smithbob"
    assert "Ann Lee" in (tmp_path / "out-moodle" / "index.html").read_text()  # the name, beside the id
    assert scores["moodle"] == {"101": 15}
    assert scores["clones"] == {"alice": 25, "bob-smith": 25, "carol": 0}


@pytest.mark.slow
def test_gradescope_whole_repository_upload_scores_as_its_exercise_files(bundle: Path, tmp_path: Path) -> None:
    """A student who uploads their GitHub repository to Gradescope (the submission folder is the repository)
    gets what their exercise files alone get, check by check."""
    import os
    import sys

    from grader.gradescope.build import build

    autograder = tmp_path / "autograder.zip"
    build(Paths.discover(), autograder)

    def run(root: Path, fill: Path) -> dict:
        with zipfile.ZipFile(autograder) as zf:
            zf.extractall(root / "source")
        shutil.copy(root / "source" / "run_autograder", root / "run_autograder")
        os.chmod(root / "run_autograder", 0o755)
        shutil.copytree(fill, root / "submission")
        (root / "submission_metadata.json").write_text(json.dumps({"users": [{"email": "ada@example.org"}]}))
        env = {**os.environ, "GRADER_GRADESCOPE_ROOT": str(root), "GRADER_PYTHON": sys.executable}
        env.pop("PYTHONPATH", None)
        proc = subprocess.run([str(root / "run_autograder")], env=env, capture_output=True, text=True, timeout=900)
        results = root / "results" / "results.json"
        assert results.is_file(), proc.stderr[-3000:]
        return json.loads(results.read_text())

    loose = tmp_path / "loose"
    loose.mkdir()
    for name, source in RIGHT.items():
        shutil.copyfile(source, loose / name)
    from_repo = run(tmp_path / "repo-run", make_repository(bundle, tmp_path / "repo"))
    from_files = run(tmp_path / "files-run", loose)
    assert from_repo["score"] == from_files["score"] == 25
    assert [(t["name"], t["score"]) for t in from_repo["tests"]] == [(t["name"], t["score"]) for t in from_files["tests"]]


def test_an_unreadable_exercise_file_is_the_students_problem(bundle: Path, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    repo = make_repository(bundle, tmp_path / "hal", git=False)
    real = os.lstat
    blocked = str(repo / "exercises" / "quiz.py")

    def lstat(path: object, *args: object, **kwargs: object) -> os.stat_result:
        if str(path) == blocked:
            raise PermissionError(13, "Permission denied", blocked)
        return real(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "lstat", lstat)
    sub = read_submission(repo)
    assert sub.problems == ("exercises/quiz.py: cannot be read (Permission denied)",)
    assert not sub.grader_errors and sub.origins["quiz.py"] == "exercises/quiz.ipynb"
    assert sub.files["relu_model.py"] == RIGHT["relu_model.py"].read_text()
