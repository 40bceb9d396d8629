"""Re-judging from stored observations: a no-op changes nothing, a judge change equals a full regrade.

Fast: a fake runner stands in for the sandbox (no student code, no TensorFlow), so
`batch.grade_submissions` takes its real path (judging, the observation store, every
class file) and the regrade to compare with is byte-for-byte deterministic.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from grader.runner.isolation import Level
from grader import batch, outputs, rejudge as rejudge_mod
from grader.judging.checks.base import check_probes_digest
from grader.batch import BatchOptions, grade_class, grade_submissions
from grader.grading import Reference
from grader.cli import main
from grader.discovery.discover import Submission
from grader.errors import ReferenceSolutionError, UsageError
from grader.judging.checks import Check, load_checks
from grader.judging.checks.base import Evidence, Fail, probe
from grader.model import ErrorInfo, FileLoad, Observation, Probe, RunOutcome, StudentResult
from grader.paths import Paths
from grader.storage import observations
from grader.storage.results import load_result
from grader.rejudge import RejudgeRefused, rejudge
from class_output_support import class_output

P_LESSON = probe("rj.lesson", "parameter_count", exercise="parameter_count", n_inputs=784, n_hidden=256, n_classes=10)
P_HIDDEN = Probe("rj.hidden", "parameter_count", {"n_inputs": 3, "n_hidden": 4, "n_classes": 2},
                 exercise="parameter_count", group="hidden")
P_ARRAY = probe("rj.array", "relu_model", exercise="relu_model", features=[[1.0, -2.0]])


def _right(a: dict[str, int]) -> int:
    return a["n_inputs"] * a["n_hidden"] + a["n_hidden"] + a["n_hidden"] * a["n_classes"] + a["n_classes"]


def _no_biases(a: dict[str, int]) -> int:
    return a["n_inputs"] * a["n_hidden"] + a["n_hidden"] * a["n_classes"]


def count_judge(p: Probe, lenient: bool = False) -> Any:
    def judge(ev: Evidence) -> str:
        got, want = ev.value(p), ev.reference(p)
        if got == want or (lenient and got == _no_biases(p.args)):
            return "Correct."
        if got == _no_biases(p.args):
            raise Fail("The biases are not counted.", mistake="biases_forgotten", expected=want, got=got)
        raise Fail("Wrong count.", mistake="wrong_count", expected=want, got=got)
    return judge


def array_judge(ev: Evidence) -> None:
    got, want = ev.array(P_ARRAY), ev.reference_array(P_ARRAY)
    if got.shape != want.shape or not np.allclose(got, want, atol=1e-6):
        raise Fail("The logits are wrong.", mistake="relu_on_output", expected=want, got=got)


def make_checks(lenient: bool = False, hidden_args: dict[str, int] | None = None) -> list[Check]:
    hidden = P_HIDDEN if hidden_args is None else Probe(P_HIDDEN.id, P_HIDDEN.driver, hidden_args,
                                                         exercise="parameter_count", group="hidden")
    return [
        Check("parameter_count.rj_lesson", "parameter_count", "lesson count", 2.0, "public", (P_LESSON,),
              count_judge(P_LESSON, lenient)),
        Check("parameter_count.rj_hidden", "parameter_count", "hidden count", 3.0, "hidden", (hidden,),
              count_judge(hidden)),
        Check("relu_model.rj_array", "relu_model", "logits", 4.0, "public", (P_ARRAY,), array_judge),
    ]


# Students: what their (pretend) code does, one word in their file.
CLASS = {"ann": "right", "ben": "no_biases", "cat": "no_biases", "dan": "stub", "eve": "missing",
         "fay": "timeout", "gus": "right_but_relu"}
LOGITS = np.array([[0.5, -1.25]], dtype=np.float32)


def _value(mode: str, p: Probe) -> Observation:
    if mode == "stub":
        return Observation(p.id, error=ErrorInfo("NotImplementedError", "stub"), duration=0.01)
    if mode == "missing":
        return Observation(p.id, error=ErrorInfo("NameError", "No function named parameter_count was found.",
                                                 missing="parameter_count"), duration=0.01)
    if mode == "timeout":
        return Observation(p.id, error=ErrorInfo("Timeout", "stopped after 30 s", killed="timeout"), duration=30.0)
    if p.driver == "relu_model":
        value = np.maximum(LOGITS, 0) if mode == "right_but_relu" else LOGITS
        return Observation(p.id, value=value, output=f"{mode} ran\n", duration=0.02)
    count = _no_biases(p.args) if mode == "no_biases" else _right(p.args)
    return Observation(p.id, value=count, duration=0.01)


class FakeRunner:
    """Stands in for the sandbox: 'runs' a file holding one word that says what the code does."""

    # The isolation level make_runner's context reports: a rejudge keeps the grading run's.
    level = Level("full", "sandbox", files=True, network=True, processes=True, scratch=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    def __enter__(self) -> FakeRunner:
        return self

    def __exit__(self, *exc: Any) -> None:
        return None

    def run_many(self, items: Any) -> Iterator[tuple[str, RunOutcome]]:
        for key, files, probes in items:
            mode = "right" if isinstance(key, Reference) else files["parameter_count.py"].strip()
            yield key, RunOutcome({p.id: _value(mode, p) for p in probes},
                                  loads=(FileLoad("parameter_count.py"),), output="", duration=1.5)


@pytest.fixture(autouse=True)
def fake_runner(monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> None:
    if request.node.get_closest_marker("slow") is None:   # the slow test runs students for real
        monkeypatch.setattr(batch, "make_runner", FakeRunner)


def grade(out: Path, checks: list[Check], force: bool = False) -> None:
    subs = [Submission(sid, sid, {"parameter_count.py": mode + "\n"}) for sid, mode in CLASS.items()]
    grade_submissions(subs, Paths.discover(), BatchOptions(out, force=force, progress="quiet"), checks)


@pytest.fixture()
def graded(tmp_path: Path) -> Path:
    out = tmp_path / "out"
    grade(out, make_checks())
    return out


def test_noop_rejudge_leaves_every_file_identical(graded: Path) -> None:
    before = class_output(graded, CLASS)
    report = rejudge(graded, make_checks())
    assert report.students == len(CLASS) and report.changed == []
    assert class_output(graded, CLASS) == before
    assert not [p for p in graded.iterdir() if p.name.startswith(".")]   # no staging left


def test_rejudge_after_a_judge_change_equals_a_full_regrade(graded: Path, tmp_path: Path) -> None:
    before = load_result(graded / "ben" / "results.json")
    assert before.score == 4.0   # ben forgets the biases in both counts; his logits are right
    report = rejudge(graded, make_checks(lenient=True))
    assert sorted(s for s, _, _ in report.changed) == ["ben", "cat"]
    regraded = tmp_path / "regraded"
    grade(regraded, make_checks(lenient=True))
    assert class_output(graded, CLASS) == class_output(regraded, CLASS)
    assert load_result(graded / "ben" / "results.json").isolation == "full"  # the grading run's level, kept
    after = load_result(graded / "ben" / "results.json")
    assert after.score == 6.0 and before.checks[0].mistake == "biases_forgotten" and after.checks[0].status == "passed"


def test_rejudge_selected_checks_only(graded: Path) -> None:
    lenient = make_checks(lenient=True)
    # The changed judge is not selected: nothing changes.
    assert rejudge(graded, lenient, only=["relu_model.rj_array"]).changed == []
    report = rejudge(graded, lenient, only=["parameter_count.rj_lesson"])
    assert sorted(s for s, _, _ in report.changed) == ["ben", "cat"]
    ben = load_result(graded / "ben" / "results.json")
    assert [c.status for c in ben.checks] == ["passed", "failed", "passed"] and ben.score == 6.0
    with pytest.raises(UsageError, match="no check named nope"):
        rejudge(graded, lenient, only=["nope"])


def test_changed_probes_are_refused_by_name_and_nothing_moves(graded: Path) -> None:
    before = class_output(graded, CLASS)
    changed = make_checks(lenient=True, hidden_args={"n_inputs": 5, "n_hidden": 4, "n_classes": 2})
    with pytest.raises(RejudgeRefused, match=r"probes of parameter_count\.rj_hidden changed.*regrade"):
        rejudge(graded, changed)
    added = [*make_checks(), Check("quiz.rj_new", "quiz", "new", 1.0, "public", (P_LESSON,), count_judge(P_LESSON))]
    with pytest.raises(RejudgeRefused, match=r"quiz\.rj_new was not in the catalogue"):
        rejudge(graded, added)
    # Only the unchanged checks: allowed.
    assert rejudge(graded, changed, only=["parameter_count.rj_lesson"]).students == len(CLASS)
    assert class_output(graded, CLASS)["ann/results.json"] == before["ann/results.json"]


def test_a_judge_that_fails_leaves_the_class_intact(graded: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = class_output(graded, CLASS)

    def broken(ev: Evidence) -> None:
        raise ReferenceSolutionError("the reference is broken")

    checks = make_checks()
    checks[2] = Check(checks[2].id, checks[2].exercise, checks[2].title, 4.0, "public", (P_ARRAY,), broken)
    with pytest.raises(ReferenceSolutionError):
        rejudge(graded, checks)
    assert class_output(graded, CLASS) == before

    # A failure while the new files are being staged: still nothing changed, no staging left.
    def disk_full(*args: Any, **kwargs: Any) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(outputs, "write_class_files", disk_full)
    with pytest.raises(OSError):
        rejudge(graded, make_checks(lenient=True))
    assert class_output(graded, CLASS) == before
    assert not [p for p in graded.iterdir() if p.name.startswith(".")]


def test_missing_or_unkept_observations_are_refused(graded: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (graded / "_instructor" / "eve" / "observations.json").unlink()
    with pytest.raises(RejudgeRefused, match=r"eve \(.*observations.json is missing\)"):
        rejudge(graded, make_checks())
    # Over the cap, a marker is kept instead of the observations, and the student must be regraded.
    monkeypatch.setattr(observations, "MAX_BYTES", 200)
    grade(graded, make_checks(), force=True)
    assert "omitted" in (graded / "_instructor" / "eve" / "observations.json").read_text()
    with pytest.raises(RejudgeRefused, match="not kept .*over the"):
        rejudge(graded, make_checks())
    (graded / "reference.json").unlink()
    with pytest.raises(RejudgeRefused, match="stored reference"):
        rejudge(graded, make_checks())


def test_observations_round_trip_exactly(tmp_path: Path) -> None:
    outcome = RunOutcome(
        {"a": Observation("a", value={"w": np.arange(6, dtype=np.float32).reshape(2, 3), "n": float("nan")},
                          output="hi\n", duration=0.25),
         "b": Observation("b", error=ErrorInfo("ValueError", "bad", "Traceback ...", missing=None, killed="memory"))},
        loads=(FileLoad("x.py", ErrorInfo("SyntaxError", "invalid syntax (x.py, line 3)")),),
        problems=("slow",), output="out", duration=2.5)
    observations.store_student(tmp_path, "s1", "d1", outcome, make_checks())
    back = observations.load_student(tmp_path)
    assert back.student_id == "s1" and back.submission_digest == "d1"
    assert back.digests == observations.probe_digests(make_checks())
    a = back.outcome.observations["a"]
    assert a.value["w"].dtype == np.float32 and np.array_equal(a.value["w"], outcome.observations["a"].value["w"])
    assert np.isnan(a.value["n"]) and a.output == "hi\n" and a.duration == 0.25
    assert back.outcome.observations["b"] == outcome.observations["b"]
    assert back.outcome.loads == outcome.loads and back.outcome.problems == ("slow",)


def test_an_unstorable_observation_costs_only_rejudging_that_student(tmp_path: Path) -> None:
    odd = RunOutcome({"a": Observation("a", value=object())})
    observations.store_student(tmp_path, "s1", "d1", odd, make_checks())
    with pytest.raises(observations.ObservationsError, match="not kept .*not storable"):
        observations.load_student(tmp_path)


def test_digest_follows_probes_not_judges() -> None:
    plain, lenient = make_checks(), make_checks(lenient=True)
    assert observations.probe_digests(plain) == observations.probe_digests(lenient)
    regrouped = [Check(c.id, c.exercise, c.title, c.points, c.visibility,
                       tuple(Probe(p.id, p.driver, p.args, exercise=p.exercise, group="fresh:x") for p in c.probes),
                       c.judge) for c in plain]
    assert all(check_probes_digest(a) != check_probes_digest(b) for a, b in zip(plain, regrouped))


def test_rejudge_command(graded: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rejudge_mod, "load_checks", lambda: make_checks(lenient=True))
    assert main(["rejudge", str(graded)]) == 0
    out = capsys.readouterr().out
    assert "rejudged 7 students on 3 checks" in out and "ben: 4 -> 6" in out
    assert main(["rejudge", str(graded), "--check", "nope"]) == 2
    assert "no check named nope" in capsys.readouterr().err
    assert main(["rejudge", str(graded.parent / "missing")]) == 2


# -- for real: a tiny class through the sandbox, then a judge change --------------------------------

def _lenient(c: Check) -> Check:
    """The same check, now accepting a count without biases (a judge change, same probes)."""
    def judge(ev: Evidence) -> str | None:
        try:
            return c.judge(ev)
        except Fail as fail:
            if fail.mistake == "biases_forgotten":
                return "Accepted."
            raise
    return replace(c, judge=judge)


def _timeless(out: Path) -> dict[str, StudentResult]:
    """Results without run times, which differ between two real runs."""
    found = {}
    for path in sorted(out.glob("*/results.json")):
        r = load_result(path)
        found[path.parent.name] = replace(r, execution_time=0.0, exercises=tuple(
            replace(e, checks=tuple(replace(c, duration=0.0) for c in e.checks)) for e in r.exercises))
    return found


@pytest.mark.slow
def test_real_class_rejudge_equals_regrade(tmp_path: Path) -> None:
    paths = Paths.discover()
    checks = load_checks(("parameter_count",))
    solution = (paths.solutions / "parameter_count.py").read_text()
    subs = tmp_path / "subs"
    for name, code in (("right", solution), ("nobias", solution.replace("total += n_in * n_out + n_out",
                                                                         "total += n_in * n_out")),
                       ("stub", (paths.exercises / "parameter_count.py").read_text())):
        (subs / name).mkdir(parents=True)
        (subs / name / "parameter_count.py").write_text(code)
    out = tmp_path / "out"
    grade_class(subs, paths, BatchOptions(out, progress="quiet"), checks)
    graded = {p: p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}
    assert rejudge(out, checks).changed == []
    assert {p: p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()} == graded

    lenient = [_lenient(c) for c in checks]
    report = rejudge(out, lenient)
    assert [s for s, _, _ in report.changed] == ["nobias"]
    regraded = tmp_path / "regraded"
    grade_class(subs, paths, BatchOptions(regraded, progress="quiet"), lenient)
    assert _timeless(out) == _timeless(regraded)


# -- hidden inputs drawn per submission (issue 18) ----------------------------------------------

class ReluRunner(FakeRunner):
    """relu_model answered from each probe's own inputs: "right" with the right logits, else zeros.
    The reference run answers right."""

    def run_many(self, items: Any) -> Iterator[tuple[Any, RunOutcome]]:
        from grader.judging.oracles.relu_model import relu_logits

        for key, files, probes in items:
            right = isinstance(key, Reference) or files.get("relu_model.py", "").strip() == "right"

            def value(p: Probe) -> Any:
                if p.driver != "relu_model":
                    return {"missing": ["features"]}
                logits = relu_logits(p.args)
                return logits if right else np.zeros_like(logits)

            yield key, RunOutcome({p.id: Observation(p.id, value=value(p)) for p in probes},
                                  loads=(FileLoad("relu_model.py"),), output="", duration=1.0)


def _files(out: Path) -> dict[str, bytes]:
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def test_rejudge_draws_each_students_hidden_inputs_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(batch, "make_runner", ReluRunner)
    checks = load_checks(("relu_model",))
    subs = [Submission(sid, sid, {"relu_model.py": mode + "\n"}) for sid, mode in
            (("ann", "right"), ("bob", "right"), ("cat", "zeros"))]
    out = tmp_path / "out"
    grade_submissions(subs, Paths.discover(), BatchOptions(out, progress="quiet"), checks)
    hidden = "relu_model.new_inputs"
    stored = {s.safe_id: observations.load_student(out / "_instructor" / s.safe_id) for s in subs}
    assert stored["ann"].digests[hidden] != stored["bob"].digests[hidden]   # each ran their own inputs
    assert stored["ann"].digests["relu_model.lesson_inputs"] == stored["bob"].digests["relu_model.lesson_inputs"]
    before = _files(out)
    assert load_result(out / "ann" / "results.json").score == load_result(out / "ann" / "results.json").max_score
    assert rejudge(out, checks).changed == []
    assert _files(out) == before
    # Under another course seed the same students would have drawn other inputs: refused, by name.
    monkeypatch.setenv("GRADER_SECRET_SEED", "7")
    with pytest.raises(RejudgeRefused, match=hidden):
        rejudge(out, checks)
    assert _files(out) == before
