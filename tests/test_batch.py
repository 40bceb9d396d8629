"""Batch grading: results per student, class files, resume/skip/force, atomic writes, reruns agree.

The slow tests run real workers; the fast ones use FakeRunner below: a Runner stand-in and
tiny checks, so batch logic is tested without TensorFlow or the sandbox. A fake student's
answer is the text of their `answer.py`, observed as the value of every probe; the reference
observes "42". JUDGE_CRASH makes the judge raise, RUNNER_CRASH makes the runner raise
mid-run, INTERRUPT stands for Ctrl-C, and PRINT:<text> prints <text> (backslash escapes decoded) and answers right.
"""

from __future__ import annotations

import csv
from collections import Counter
import json
import os
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from grader import batch
from grader.batch import BatchOptions, grade_class
from grader.grading import Reference, Run
import numpy as np

from grader.judging.checks import Check
from grader.judging.checks.base import Evidence, Fail, probe
from grader.model import ErrorInfo, Observation, Probe, RunOutcome
from grader.discovery.discover import discover
from grader.errors import GRADER_ERROR_MESSAGE
from grader.authoring.examples import build_example_class
from grader.paths import Paths
from grader.storage.results import load_result
from grader.runner.runner import Limits


# Our own small checks on the relu_model driver, so these tests do not move with the real catalogue.
ARGS = {"features": [[1.0, -2.0], [-3.0, 0.5]], "weights": [[[1.0, -1.0], [0.5, 2.0]], [[1.0], [-1.0]]],
        "biases": [[0.1, -0.2], [-0.5]]}
# Positive logits here, so a ReLU on the output passes this one and fails the hidden one.
P_PUBLIC = probe("batchtest.public", "relu_model", exercise="relu_model",
                 **{**ARGS, "weights": [ARGS["weights"][0], [[1.0], [1.0]]], "biases": [[0.1, -0.2], [0.5]]})
P_HIDDEN = probe("batchtest.hidden", "relu_model", exercise="relu_model", **ARGS)


def _compare(p: object) -> object:
    def judge(ev: Evidence) -> None:
        got, want = ev.array(p), ev.reference_array(p)  # type: ignore[arg-type]
        if got.shape != want.shape or not np.allclose(got, want, atol=1e-5):
            raise Fail("The logits are wrong.", mistake="wrong_values", expected=want, got=got)
    return judge


@pytest.fixture(scope="module")
def relu_checks() -> list[Check]:
    return [Check("relu_model.batch_public", "relu_model", "public", 2.0, "public", (P_PUBLIC,),
                  _compare(P_PUBLIC)),  # type: ignore[arg-type]
            Check("relu_model.batch_hidden", "relu_model", "hidden", 3.0, "hidden", (P_HIDDEN,),
                  _compare(P_HIDDEN))]  # type: ignore[arg-type]


FP_PUBLIC = probe("fake.public", "relu_model", exercise="relu_model")
FP_HIDDEN = probe("fake.hidden", "relu_model", exercise="relu_model", secret_input=[[7.25, 9.5]])


def _judge(p: Probe) -> Any:
    def judge(ev: Evidence) -> None:
        got, want = ev.value(p), ev.reference(p)
        if got == "JUDGE_CRASH":
            raise RuntimeError("the judge tripped")
        if got != want:
            raise Fail(f"For secret_input=[[7.25, 9.5]] you returned {str(got)[:50]}", mistake="wrong_values",
                       expected=want, got=got)
    return judge


FAKE_CHECKS = [Check("relu_model.fake_public", "relu_model", "public fake", 2.0, "public", (FP_PUBLIC,), _judge(FP_PUBLIC)),
          Check("relu_model.fake_hidden", "relu_model", "hidden fake", 3.0, "hidden", (FP_HIDDEN,), _judge(FP_HIDDEN),
                hint="Look at the hidden layer.")]


# Set FakeRunner.reference_answer to one of these to break the reference.
REFERENCE_FAILURES = {"BROKEN": ErrorInfo("ValueError", "oops"),
                      "OUT_OF_MEMORY": ErrorInfo("MemoryError", "exceeded the 64 MiB memory limit", killed="memory")}


class FakeRunner:
    """Runner's interface (context manager, run_many) answering from the files' text."""

    runs: list[Any] = []          # keys run, across instances (reset by tests)
    reference_answer = "42"
    enter_error: BaseException | None = None
    level = None                  # the isolation level make_runner's context reports

    def __init__(self, limits: Any = None, jobs: Any = None, *, hidden_paths: Sequence[Any] = (),
                 need: Any = None) -> None:
        self.limits = limits

    def __enter__(self) -> "FakeRunner":
        if FakeRunner.enter_error is not None:
            raise FakeRunner.enter_error
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def run_many(self, items: Iterable[tuple[Any, dict[str, str], Sequence[Probe]]]) -> Iterator[tuple[Any, RunOutcome]]:
        for key, files, probes in items:
            FakeRunner.runs.append(key)
            answer = (FakeRunner.reference_answer if isinstance(key, Reference)
                      else files.get("answer.py", files.get("relu_model.py", "")))
            answer = answer.strip()
            if answer == "RUNNER_CRASH":
                raise ValueError("the collector choked on a value")
            if answer == "INTERRUPT":
                raise KeyboardInterrupt
            if answer in REFERENCE_FAILURES:
                yield key, RunOutcome({p.id: Observation(p.id, error=REFERENCE_FAILURES[answer]) for p in probes})
                continue
            output = answer[6:].encode("ascii").decode("unicode_escape") if answer.startswith("PRINT:") else ""
            yield key, RunOutcome({p.id: Observation(p.id, value="42" if output else answer, output=output)
                                   for p in probes}, duration=0.01)


def use_fakes(monkeypatch: Any) -> None:
    FakeRunner.runs = []
    FakeRunner.reference_answer = "42"
    FakeRunner.enter_error = None
    monkeypatch.setattr(batch, "make_runner", FakeRunner)
    monkeypatch.setattr(batch, "load_checks", lambda: list(FAKE_CHECKS))


def _class(root: Path, paths: Paths) -> Path:
    """perfect, relu-on-output, empty, and a student id that needs a safe folder name."""
    subs = root / "subs"
    solution = (paths.solutions / "relu_model.py").read_text()
    (subs / "perfect").mkdir(parents=True)
    (subs / "perfect" / "relu_model.py").write_text(solution)
    (subs / "wrong").mkdir()
    (subs / "wrong" / "relu_model.py").write_text(solution.replace(
        "return tf.add(tf.matmul(hidden_layer, weights[1]), biases[1])",
        "return tf.nn.relu(tf.add(tf.matmul(hidden_layer, weights[1]), biases[1]))"))
    (subs / "nobody").mkdir()
    (subs / "José =cmd.py").write_text(solution)
    return subs


def _opts(out: Path, **kw: object) -> BatchOptions:
    return BatchOptions(out=out, jobs=2, limits=Limits(load_timeout=5), progress="quiet", **kw)  # type: ignore[arg-type]


def _scores(out: Path) -> dict[str, list[tuple[str, float, str]]]:
    return {p.parent.name: [(c.check_id, c.score, c.status) for c in load_result(p).checks]
            for p in sorted(out.glob("*/results.json"))}


@pytest.mark.slow
def test_grades_a_class(tmp_path: Path, paths: Paths, relu_checks: list[Check]) -> None:
    subs, out = _class(tmp_path, paths), tmp_path / "out"
    report = grade_class(subs, paths, _opts(out), relu_checks)
    assert len(report.graded) == 4 and not report.skipped
    safe = {s.student_id: s.safe_id for s in discover(subs)}
    assert safe["José =cmd"] != "José =cmd"
    perfect = load_result(out / "perfect" / "results.json")
    assert perfect.score == perfect.max_score > 0
    wrong = load_result(out / "wrong" / "results.json")
    assert 0 < wrong.score < wrong.max_score
    assert "wrong_values" in {c.mistake for c in wrong.checks}
    nobody = load_result(out / "nobody" / "results.json")
    assert nobody.score == 0 and any("empty" in p for p in nobody.problems)
    rows = list(csv.reader((out / "grades.csv").open()))
    assert rows[0] == ["id", "total", "max", "relu_model"]
    ids = [r[0] for r in rows[1:]]
    assert "'José =cmd" not in ids and "José =cmd" in ids  # only a leading =,+,-,@ gets quoted
    summary = json.loads((out / "summary.json").read_text())
    assert summary["students"][safe["José =cmd"]]["student_id"] == "José =cmd"
    assert summary["exercises"]["relu_model"]["students"] == 4
    assert not list(out.rglob("*.tmp"))
    assert (out / "perfect" / "report.html").is_file() and (out / "index.html").is_file()
    # A student's page links only to the anonymous class page, never to the dashboard (issue 12).
    report = (out / "perfect" / "report.html").read_text()
    assert 'href="../class.html"' in report and "index.html" not in report and (out / "class.html").is_file()


@pytest.mark.slow
def test_rerun_skips_then_force_regrades_identically(tmp_path: Path, paths: Paths,
                                                      relu_checks: list[Check]) -> None:
    subs, out = _class(tmp_path, paths), tmp_path / "out"
    grade_class(subs, paths, _opts(out), relu_checks)
    first = _scores(out)
    stamp = (out / "perfect" / "results.json").stat().st_mtime_ns
    again = grade_class(subs, paths, _opts(out), relu_checks)
    assert not again.graded and len(again.skipped) == 4
    assert (out / "perfect" / "results.json").stat().st_mtime_ns == stamp
    # A resubmission is graded again; the others are not.
    (subs / "nobody" / "relu_model.py").write_text((subs / "perfect" / "relu_model.py").read_text())
    resubmitted = grade_class(subs, paths, _opts(out), relu_checks)
    assert resubmitted.graded == ["nobody"] and len(resubmitted.skipped) == 3
    assert _scores(out)["nobody"] == _scores(out)["perfect"]
    (subs / "nobody" / "relu_model.py").unlink()
    fewer = grade_class(subs, paths, _opts(out), relu_checks[:1])  # catalogue changed: regrade
    assert len(fewer.graded) == 4
    grade_class(subs, paths, _opts(out), relu_checks)
    forced = grade_class(subs, paths, _opts(out, force=True), relu_checks)
    assert len(forced.graded) == 4
    assert _scores(out) == first  # same class, same scores, check by check


@pytest.mark.slow
def test_interrupted_run_loses_nothing(tmp_path: Path, paths: Paths, relu_checks: list[Check],
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    subs, out = _class(tmp_path, paths), tmp_path / "out"
    real = batch.write_student
    calls = {"n": 0}

    def dies_on_second(out_dir: Path, safe: str, result: object) -> None:
        calls["n"] += 1
        if calls["n"] == 2:
            # Killed mid-write: a temp file is left behind, the real file is never touched.
            (out_dir / safe).mkdir(parents=True, exist_ok=True)
            (out_dir / safe / ".results.json.abc.tmp").write_text('{"half": ')
            raise KeyboardInterrupt
        real(out_dir, safe, result)  # type: ignore[arg-type]

    monkeypatch.setattr(batch, "write_student", dies_on_second)
    with pytest.raises(KeyboardInterrupt):
        grade_class(subs, paths, _opts(out), relu_checks)
    done = _scores(out)
    assert len(done) == 1  # the finished student is kept, valid
    monkeypatch.setattr(batch, "write_student", real)
    # A results.json that is not ours (another autograder's, hand-edited) never counts as finished:
    # in a student's folder that student is graded and the file replaced; elsewhere it is left
    # alone, listed in summary.json's load_errors, and never becomes a row of grades.csv.
    foreign = json.dumps({"score": 99.0, "tests": [], "output": "not from this grader"})
    pending_sub = next(s for s in discover(subs) if s.safe_id not in done)
    pending = pending_sub.safe_id
    (out / pending).mkdir(exist_ok=True)
    (out / pending / "results.json").write_text(foreign)
    (out / "zzz").mkdir()
    (out / "zzz" / "results.json").write_text(foreign)
    resumed = grade_class(subs, paths, _opts(out), relu_checks)
    assert resumed.skipped == list(done) and len(resumed.graded) == 3 and pending in resumed.graded
    assert load_result(out / pending / "results.json").student_id == pending_sub.student_id
    assert (out / "zzz" / "results.json").read_text() == foreign
    summary = json.loads((out / "summary.json").read_text())
    assert "zzz" in summary["load_errors"] and "zzz" not in summary["students"]
    assert len(list(csv.reader((out / "grades.csv").open()))) == 1 + 4
    assert not list(out.rglob("*.tmp"))
    (out / "wrong" / "results.json").write_text("{ truncated")
    fixed = grade_class(subs, paths, _opts(out), relu_checks)
    assert fixed.graded == ["wrong"]
    assert load_result(out / "wrong" / "results.json").student_id == "wrong"


def test_atomic_write_leaves_old_file_on_failure(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from grader.storage import atomic

    target = tmp_path / "grades.csv"
    target.write_text("old\n")

    def boom(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(atomic.os, "replace", boom)
    with pytest.raises(OSError):
        atomic.atomic_write_text(target, "new\n")
    assert target.read_text() == "old\n" and os.listdir(tmp_path) == ["grades.csv"]


@pytest.mark.slow
def test_example_class(tmp_path: Path, paths: Paths, relu_checks: list[Check]) -> None:
    made = build_example_class(paths, tmp_path / "class")
    assert {"perfect", "untouched", "mistakes", "notebook.ipynb", "zipped.zip", "loop_and_syntax",
            "empty"} <= set(made)
    out = tmp_path / "out"
    grade_class(tmp_path / "class", paths, _opts(out), relu_checks)
    s = {k: v for k, v in json.loads((out / "summary.json").read_text())["students"].items()}
    assert s["perfect"]["score"] == load_result(out / "perfect" / "results.json").max_score == 5
    assert s["untouched"]["score"] == 0
    assert 0 < s["mistakes"]["score"] < load_result(out / "mistakes" / "results.json").max_score
    assert s["notebook"]["score"] == s["perfect"]["score"]
    assert s["zipped"]["score"] == s["perfect"]["score"]
    assert s["empty"]["score"] == 0 and s["empty"]["problems"]
    loop = load_result(out / "loop_and_syntax" / "results.json")
    assert any("timed out" in p for p in loop.problems)


# -- fast: one student never stops the class ------------------------------------------------

def _write(folder: Path, answer: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "answer.py").write_text(answer, encoding="utf-8")


def _hostile_class(root: Path) -> Path:
    """Two right students around every kind of input that used to stop the batch."""
    subs = root / "subs"
    _write(subs / "aaa_first", "42")
    _write(subs / "crash_judge", "JUDGE_CRASH")
    _write(subs / "prints_surrogate", r"PRINT:lone \ud800 surrogate \x1b[31mred")
    os.mkdir(os.fsencode(subs) + b"/caf\xe9-latin1")
    (Path(os.fsdecode(os.fsencode(subs) + b"/caf\xe9-latin1")) / "answer.py").write_text("42")
    huge = '{"nbformat": 4, "nbformat_minor": 5, "metadata": {"n": ' + "9" * 5000 + '}, "cells": []}'
    (subs / "huge_int.ipynb").write_text(huge)
    for name in ("grades.csv", "summary.json", "index.html", "Ann", "ann"):
        _write(subs / name, "42")
    _write(subs / "zzz_last", "42")
    return subs


def test_grader_errors_never_stop_the_class(tmp_path: Path, paths: Paths, monkeypatch: pytest.MonkeyPatch) -> None:
    use_fakes(monkeypatch)
    subs, out = _hostile_class(tmp_path), tmp_path / "out"
    report = grade_class(subs, paths, _opts(out))
    assert len(report.graded) == 11 and len(set(s.lower() for s in report.graded)) == 11
    for safe in ("aaa_first", "zzz_last", "prints_surrogate"):
        assert report.results[safe].score == report.results[safe].max_score == 5
    assert set(report.grader_errors) == {"crash_judge"}  # a 5,000-digit number is the notebook's fault, not ours
    assert any("integer with thousands of digits" in p for p in report.results["huge_int"].problems)
    crashed = load_result(out / "_instructor" / "crash_judge" / "results.json")
    assert {c.status for c in crashed.checks} == {"error"} and crashed.score == 0
    assert all(c.message == GRADER_ERROR_MESSAGE and "tripped" in c.grader_error for c in crashed.checks)
    assert "tripped" not in json.dumps([t["output"] for t in json.loads(
        (out / "crash_judge" / "results.json").read_text())["tests"]])
    summary = json.loads((out / "summary.json").read_text())
    assert set(summary["grader_errors"]) == {"crash_judge"}
    assert "lone \ufffd surrogate" in (out / "prints_surrogate" / "results.json").read_text(encoding="utf-8")
    assert summary["students"]["aaa_first"]["grader_errors"] == []
    # Class files are files, never a student's folder; every text written is valid UTF-8.
    for name in ("grades.csv", "summary.json", "index.html"):
        assert (out / name).is_file()
    for path in out.rglob("*"):
        if path.is_file():
            path.read_bytes().decode("utf-8")
    ids = {row[0] for row in csv.reader((out / "grades.csv").open(encoding="utf-8"))}
    assert {"caf\\xe9-latin1", "grades.csv", "Ann", "ann"} <= ids
    # A rerun retries exactly the students with grader errors.
    again = grade_class(subs, paths, _opts(out))
    assert sorted(again.graded) == ["crash_judge"] and len(again.skipped) == 10


def test_grader_errors_exit_5_and_terminal_lines_are_clean(tmp_path: Path, paths: Paths,
                                                           monkeypatch: pytest.MonkeyPatch,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    from grader.cli import main

    use_fakes(monkeypatch)
    subs = tmp_path / "subs"
    _write(subs / "ok", "42")
    _write(subs / "crash", "JUDGE_CRASH")
    _write(subs / "evil\x1b]0;pwned\x07\x1b[2J", "42")
    monkeypatch.setenv("GRADER_ROOT", str(paths.root))
    monkeypatch.setenv("CI", "true")  # plain progress lines
    assert main(["grade", str(subs), "--out", str(tmp_path / "out"), "--jobs", "1"]) == 5
    captured = capsys.readouterr()
    assert "grader_errors" in captured.err and "again" in captured.err
    assert "\x1b" not in captured.err + captured.out and "\x07" not in captured.err
    assert "(grader error" in captured.err


def test_a_runner_failure_mid_run_is_a_grader_error(tmp_path: Path, paths: Paths,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    use_fakes(monkeypatch)
    subs, out = tmp_path / "subs", tmp_path / "out"
    for name, answer in (("a", "42"), ("b", "RUNNER_CRASH"), ("c", "42")):
        _write(subs / name, answer)
    report = grade_class(subs, paths, _opts(out))
    assert report.results["a"].score == 5
    assert set(report.grader_errors) == {"b", "c"}
    assert "collector choked" in report.grader_errors["b"][0]
    (subs / "b" / "answer.py").write_text("42")
    again = grade_class(subs, paths, _opts(out))
    assert sorted(again.graded) == ["b", "c"] and not again.grader_errors


def test_a_write_failure_is_that_students_grader_error(tmp_path: Path, paths: Paths,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    use_fakes(monkeypatch)
    subs, out = tmp_path / "subs", tmp_path / "out"
    for name in ("a", "b", "c"):
        _write(subs / name, "42")
    real = batch.render.write_student_report

    def breaks_for_b(result: Any, path: Path, *a: Any, **kw: Any) -> None:
        if result.student_id == "b":
            raise UnicodeError("the template tripped")
        real(result, path, *a, **kw)

    monkeypatch.setattr(batch.render, "write_student_report", breaks_for_b)
    report = grade_class(subs, paths, _opts(out))
    assert set(report.grader_errors) == {"b"} and report.results["c"].score == 5
    b = load_result(out / "_instructor" / "b" / "results.json")
    assert b.grader_errors and "template tripped" in b.grader_errors[0]
    assert json.loads((out / "summary.json").read_text())["grader_errors"]["b"]


def test_interrupt_stops_the_batch(tmp_path: Path, paths: Paths, monkeypatch: pytest.MonkeyPatch) -> None:
    use_fakes(monkeypatch)
    subs = tmp_path / "subs"
    _write(subs / "a", "42")
    _write(subs / "b", "INTERRUPT")
    with pytest.raises(KeyboardInterrupt):
        grade_class(subs, paths, _opts(tmp_path / "out"))


# -- fast: resume decisions -------------------------------------------------------------------

def test_resume_regrades_changed_files_checks_and_grader_errors(tmp_path: Path, paths: Paths,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    use_fakes(monkeypatch)
    subs, out = tmp_path / "subs", tmp_path / "out"
    for name in ("a", "b", "c"):
        _write(subs / name, "42")
    assert len(grade_class(subs, paths, _opts(out)).graded) == 3
    FakeRunner.runs = []
    again = grade_class(subs, paths, _opts(out))
    assert not again.graded and FakeRunner.runs == []  # nothing to run: not even the reference
    (subs / "b" / "answer.py").write_text("41")  # changed digest
    assert grade_class(subs, paths, _opts(out)).graded == ["b"]
    assert grade_class(subs, paths, _opts(out), FAKE_CHECKS[:1]).graded == ["a", "b", "c"]  # catalogue changed
    assert len(grade_class(subs, paths, _opts(out)).graded) == 3  # and back
    assert grade_class(subs, paths, _opts(out, force=True)).graded == ["a", "b", "c"]
    # A result whose student id or digest does not match its folder's entry is not this student's.
    doc = json.loads((out / "_instructor" / "c" / "results.json").read_text())
    doc["extra_data"]["student_id"] = "someone else"
    (out / "_instructor" / "c" / "results.json").write_text(json.dumps(doc))
    assert grade_class(subs, paths, _opts(out)).graded == ["c"]


def test_foreign_results_file_is_never_a_student(tmp_path: Path, paths: Paths,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    use_fakes(monkeypatch)
    subs, out = tmp_path / "subs", tmp_path / "out"
    _write(subs / "a", "42")
    _write(subs / "b", "42")
    foreign = json.dumps({"score": 99.0, "tests": [], "output": "from another autograder"})
    (out / "b").mkdir(parents=True)
    (out / "b" / "results.json").write_text(foreign)
    (out / "stranger").mkdir()
    (out / "stranger" / "results.json").write_text(foreign)
    report = grade_class(subs, paths, _opts(out))
    assert report.graded == ["a", "b"]  # b's foreign file did not count as finished
    assert load_result(out / "b" / "results.json").score == 5
    assert (out / "stranger" / "results.json").read_text() == foreign  # not ours to touch
    summary = json.loads((out / "summary.json").read_text())
    assert set(summary["students"]) == {"a", "b"} and "stranger" in summary["load_errors"]
    assert [r[0] for r in csv.reader((out / "grades.csv").open())] == ["id", "a", "b"]


def test_summary_records_shard_version_and_checks(tmp_path: Path, paths: Paths,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    from grader import __version__
    from grader.judging.checks.base import check_set_digest

    use_fakes(monkeypatch)
    subs = tmp_path / "subs"
    names = [f"s{i:02d}" for i in range(12)]
    for name in names:
        _write(subs / name, "42")
    seen: list[str] = []
    for k in (1, 2, 3):
        out = tmp_path / f"out{k}"
        report = grade_class(subs, paths, _opts(out, shard=(k, 3)))
        summary = json.loads((out / "summary.json").read_text())
        assert summary["shard"] == {"index": k, "count": 3}
        assert summary["grader_version"] == __version__
        assert summary["checks_digest"] == check_set_digest(FAKE_CHECKS)
        assert summary["checks"] == sorted(c.id for c in FAKE_CHECKS)
        assert all(batch.shard_of(s, 3) == k for s in report.graded)
        seen += report.graded
    assert sorted(seen) == names  # every student in exactly one shard
    assert batch.shard_of("s00", 3) == batch.shard_of("s00", 3)
    assert check_set_digest(FAKE_CHECKS) != check_set_digest(FAKE_CHECKS[:1])


def test_atomic_writes_keep_the_old_results_when_replace_fails(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    from grader.model import StudentResult
    from grader.reports import gradescope_text as results_io
    from grader.storage import atomic

    path = tmp_path / "s" / "results.json"
    results_io.write_result(StudentResult("ann", 1.0, 2.0, ()), path)
    before = path.read_bytes()

    def boom(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(atomic.os, "replace", boom)
    with pytest.raises(OSError):
        results_io.write_result(StudentResult("ann", 2.0, 2.0, ()), path)
    assert path.read_bytes() == before and os.listdir(path.parent) == ["results.json"]


@pytest.mark.slow
def test_hostile_inputs_between_two_right_students(tmp_path: Path, paths: Paths, relu_checks: list[Check]) -> None:
    """Issue 9 class 1 with real workers: none of these stops the batch or spoils a file."""
    solution = (paths.solutions / "relu_model.py").read_text()
    subs, out = tmp_path / "subs", tmp_path / "out"
    for name in ("a_right", "z_right", "grades.csv", "Index.HTML"):
        (subs / name).mkdir(parents=True)
        (subs / name / "relu_model.py").write_text(solution)
    (subs / "prints").mkdir()
    (subs / "prints" / "relu_model.py").write_text(
        solution + "\nimport sys\nsys.stdout.write('\\x1b]0;pwned\\x07\\x1b[2J')\n"
        "print('lone \\ud800 surrogate')\n")
    latin1 = os.fsencode(subs) + b"/caf\xe9"
    os.mkdir(latin1)
    Path(os.fsdecode(latin1 + b"/relu_model.py")).write_text(solution)
    cells = [{"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None, "source": solution}]
    nb = json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {"n": 0}, "cells": cells})
    (subs / "huge.ipynb").write_text(nb.replace('"n": 0', '"n": ' + "9" * 5000))
    report = grade_class(subs, paths, _opts(out), relu_checks)
    assert len(report.graded) == 7
    for safe in ("a_right", "z_right"):
        assert report.results[safe].score == report.results[safe].max_score == 5
    assert set(report.grader_errors) <= {"huge"}  # the notebook reader may or may not cope; never fatal
    for path in out.rglob("*"):
        if path.is_file():
            path.read_bytes().decode("utf-8")
    for name in ("grades.csv", "summary.json", "index.html"):
        assert (out / name).is_file()
    rows = list(csv.reader((out / "grades.csv").open(encoding="utf-8")))
    assert len(rows) == 8 and {"grades.csv", "Index.HTML", "caf\\xe9"} <= {r[0] for r in rows}


def test_a_runner_failure_before_the_reference_is_the_sandbox_s(tmp_path: Path, paths: Paths,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    from grader.errors import SandboxError

    use_fakes(monkeypatch)
    FakeRunner.reference_answer = "RUNNER_CRASH"
    _write(tmp_path / "subs" / "a", "42")
    with pytest.raises(SandboxError, match="before the reference finished"):
        grade_class(tmp_path / "subs", paths, _opts(tmp_path / "out"))


def test_resume_regrades_when_a_checks_inputs_change(tmp_path: Path, paths: Paths,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from dataclasses import replace as dc_replace

    use_fakes(monkeypatch)
    subs, out = tmp_path / "subs", tmp_path / "out"
    _write(subs / "a", "42")
    grade_class(subs, paths, _opts(out))
    assert grade_class(subs, paths, _opts(out)).skipped == ["a"]
    # Same check ids, new hidden inputs (say, a new course seed): the old verdicts do not count.
    reseeded = dc_replace(FP_HIDDEN, args={"secret_input": [[1.5, 2.5]]})
    checks = [FAKE_CHECKS[0], dc_replace(FAKE_CHECKS[1], probes=(reseeded,))]
    assert grade_class(subs, paths, _opts(out), checks).graded == ["a"]
    assert load_result(out / "a" / "results.json").checks_digest


@pytest.mark.parametrize("primary, other, score, earned_by", [
    ("41", "42", 5.0, "relu_model.ipynb"),   # the notebook is right: its result is kept and named
    ("42", "41", 5.0, "relu_model.py"),      # the script is right
    ("41", "40", 0.0, "relu_model.py"),      # both wrong: the primary stands
])
def test_a_student_who_changed_both_files_keeps_the_better_run(
        tmp_path: Path, paths: Paths, monkeypatch: pytest.MonkeyPatch,
        primary: str, other: str, score: float, earned_by: str) -> None:
    from grader.batch import grade_submissions
    from grader.discovery.choose import Candidate
    from grader.discovery.discover import Submission

    use_fakes(monkeypatch)
    sub = Submission("both", "both", {"relu_model.py": primary},
                     alternates={"relu_model.py": Candidate("relu_model.ipynb", other)},
                     origins={"relu_model.py": "relu_model.py"})
    report = grade_submissions([sub], paths, _opts(tmp_path / "out"))
    assert Counter(FakeRunner.runs) == Counter([Reference(), Run("both"), Run("both", "alternate")])
    result = report.results["both"]
    assert result.score == score
    assert [e.source_name for e in result.exercises if e.name == "relu_model"] == [earned_by]
    assert load_result(tmp_path / "out" / "both" / "results.json").score == score
