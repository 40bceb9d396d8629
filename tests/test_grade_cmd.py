"""`grader grade`: options, exit codes, quiet output, and the progress display."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from grader import batch
from grader.progress import Progress
from grader.cli import main


class FakeTTY(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("argv", [
    ["grade", "--out", "OUT"],                                   # nothing to grade
    ["grade", "missing_dir", "--out", "OUT"],                    # no such folder
    ["grade", "DIR", "--example", "--out", "OUT"],               # two modes at once
    ["grade", "--student", "ann", "missing.py", "--out", "OUT"],  # no such entry
    ["grade", "DIR", "--out", "DIR/OUT"],                        # results would become a student
    ["grade", "DIR", "--out", "/"],                              # would hide the whole course
])
def test_usage_errors_exit_2(argv: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                             capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "DIR").mkdir()
    assert main(argv) == 2
    assert "grader:" in capsys.readouterr().err
    assert not (tmp_path / "OUT").exists() and not (tmp_path / "DIR" / "OUT").exists()


@pytest.mark.parametrize("bad", [["--jobs", "0"], ["--timeout", "-1"], ["--memory", "lots"]])
def test_bad_option_values(bad: list[str], tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["grade", str(tmp_path), "--out", str(tmp_path / "o"), *bad])
    assert exc.value.code == 2


def test_progress_modes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    tty = FakeTTY()
    bar = Progress(2, stream=tty)
    bar.step("alice: 3/5")
    bar.step("bob: 5/5")
    assert bar.mode == "bar" and "\r[" in tty.getvalue() and "ETA" in tty.getvalue()
    assert tty.getvalue().endswith("\n")
    monkeypatch.setenv("CI", "true")
    ci = FakeTTY()
    Progress(1, stream=ci).step("alice: 3/5")
    assert ci.getvalue() == "[1/1] alice: 3/5\n"
    pipe = io.StringIO()
    Progress(1, stream=pipe).step("x")
    assert pipe.getvalue() == "[1/1] x\n"
    quiet = FakeTTY()
    Progress(1, "quiet", stream=quiet).step("x")
    assert quiet.getvalue() == ""


@pytest.mark.slow
def test_grade_cli_quiet_and_rerun(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    from test_batch import ARGS, P_HIDDEN, P_PUBLIC, _compare  # noqa: F401 - the same small checks

    from grader.judging.checks import Check

    checks = [Check("relu_model.batch_public", "relu_model", "public", 2.0, "public", (P_PUBLIC,),
                    _compare(P_PUBLIC))]  # type: ignore[arg-type]
    monkeypatch.setattr(batch, "load_checks", lambda: checks)
    root = Path(__file__).resolve().parents[1]
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "ann.py").write_text((root / "solutions" / "relu_model.py").read_text())
    (subs / "bob.zip").write_bytes(b"not a zip")
    out = tmp_path / "out"
    monkeypatch.chdir(root)
    capsys.readouterr()
    assert main(["grade", str(subs), "--out", str(out), "--jobs", "1", "--quiet"]) == 0
    captured = capsys.readouterr()
    assert captured.out == ""
    summary = json.loads((out / "summary.json").read_text())
    assert summary["students"]["ann"]["score"] == 2.0
    assert summary["students"]["bob"]["score"] == 0 and summary["students"]["bob"]["problems"]
    assert main(["grade", str(subs), "--out", str(out), "--jobs", "1"]) == 0
    assert "skipped 2 already graded" in capsys.readouterr().out
    one = tmp_path / "one"
    assert main(["grade", "--student", "cy", str(subs / "ann.py"), "--out", str(one), "--quiet"]) == 0
    assert json.loads((one / "summary.json").read_text())["students"]["cy"]["score"] == 2.0


@pytest.mark.slow
def test_broken_reference_is_the_graders_failure(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from test_batch import P_PUBLIC, _compare

    from grader.judging.checks import Check

    checks = [Check("relu_model.batch_public", "relu_model", "public", 2.0, "public", (P_PUBLIC,),
                    _compare(P_PUBLIC))]  # type: ignore[arg-type]
    monkeypatch.setattr(batch, "load_checks", lambda: checks)
    course = tmp_path / "course"
    (course / "solutions").mkdir(parents=True)
    (course / "exercises").mkdir()
    (course / "pyproject.toml").write_text("")
    (course / "solutions" / "relu_model.py").write_text("def relu_model(*a):\n    raise ValueError('oops')\n")
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "ann.py").write_text("x = 1\n")
    monkeypatch.setenv("GRADER_ROOT", str(course))
    assert main(["grade", str(subs), "--out", str(tmp_path / "out"), "--quiet"]) == 4
    assert not (tmp_path / "out" / "ann" / "results.json").exists()


def test_example_class_is_built_from_solutions(tmp_path: Path) -> None:
    import shutil
    import zipfile

    from grader.discovery.discover import discover
    from grader.authoring.examples import ExampleError, build_example_class
    from grader.paths import Paths

    root = Path(__file__).resolve().parents[1]
    made = build_example_class(Paths(root), tmp_path / "class")
    subs = {s.student_id: s for s in discover(tmp_path / "class")}
    assert set(subs) == {Path(m).stem for m in made}
    solution = (root / "solutions" / "relu_model.py").read_text()
    assert subs["perfect"].files["relu_model.py"] == solution
    assert "tf.nn.relu(tf.add(tf.matmul(hidden_layer" in subs["mistakes"].files["relu_model.py"]
    assert "NotImplementedError" in subs["untouched"].files["relu_model.py"]
    assert list(subs["notebook"].files) == ["notebook.py"]
    assert zipfile.ZipFile(tmp_path / "class" / "zipped.zip").namelist()[0].startswith("homework/")
    assert subs["empty"].empty
    with pytest.raises(SyntaxError):
        compile(subs["loop_and_syntax"].files["regularization.py"], "regularization.py", "exec")
    # A solution edited under a mutation must stop the build, not yield a perfect "mistakes" student.
    course = tmp_path / "course"
    shutil.copytree(root / "solutions", course / "solutions")
    (course / "solutions" / "relu_model.py").write_text(solution.replace("weights[1]), biases[1])", "w1), b1)"))
    with pytest.raises(ExampleError, match="ReLU on the output"):
        build_example_class(Paths(course), tmp_path / "class2")


@pytest.mark.slow
def test_memory_too_small_for_the_reference_names_the_flag(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    root = Path(__file__).resolve().parents[1]
    monkeypatch.chdir(root)
    assert main(["grade", "--student", "ann", str(root / "solutions" / "relu_model.py"),
                 "--out", str(tmp_path / "out"), "--memory", "30", "--jobs", "1", "--quiet"]) == 4
    err = capsys.readouterr().err
    assert "30 MiB memory limit" in err and "--memory MB" in err and "reference solutions failed" not in err


@pytest.mark.slow
def test_student_results_file_is_exactly_there(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from test_batch import P_PUBLIC, _compare

    from grader.judging.checks import Check

    checks = [Check("relu_model.batch_public", "relu_model", "public", 2.0, "public", (P_PUBLIC,),
                    _compare(P_PUBLIC))]  # type: ignore[arg-type]
    monkeypatch.setattr(batch, "load_checks", lambda: checks)
    root = Path(__file__).resolve().parents[1]
    monkeypatch.chdir(root)
    target = tmp_path / "autograder" / "results" / "results.json"
    target.parent.mkdir(parents=True)
    assert main(["grade", "--student", "ann", str(root / "solutions" / "relu_model.py"),
                 "--results", str(target), "--quiet"]) == 0
    assert json.loads(target.read_text())["score"] == 2.0
    assert [p.name for p in target.parent.iterdir()] == ["results.json"]
