"""Batch grading: results per student, class files, resume/skip/force, atomic writes, reruns agree."""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path

import pytest

from grader import batch
from grader.batch import BatchOptions, grade_class
import numpy as np

from grader.judging.checks import Check
from grader.judging.checks.base import Evidence, Fail, probe
from grader.discovery.discover import discover
from grader.authoring.examples import build_example_class
from grader.paths import Paths
from grader.reports.results_io import load_result
from grader.runner.runner import Limits

pytestmark = pytest.mark.slow


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
    assert 'href="../index.html"' in (out / "perfect" / "report.html").read_text()


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
    # A results.json that is not ours (e.g. hand-edited) does not count as finished.
    (out / "zzz").mkdir()
    resumed = grade_class(subs, paths, _opts(out), relu_checks)
    assert resumed.skipped == list(done) and len(resumed.graded) == 3
    assert not list(out.rglob("*.tmp"))
    (out / "wrong" / "results.json").write_text("{ truncated")
    fixed = grade_class(subs, paths, _opts(out), relu_checks)
    assert fixed.graded == ["wrong"]
    assert load_result(out / "wrong" / "results.json").student_id == "wrong"


def test_atomic_write_leaves_old_file_on_failure(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from grader.reports import results_io

    target = tmp_path / "grades.csv"
    target.write_text("old\n")

    def boom(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(results_io.os, "replace", boom)
    with pytest.raises(OSError):
        results_io.atomic_write_text(target, "new\n")
    assert target.read_text() == "old\n" and os.listdir(tmp_path) == ["grades.csv"]


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
