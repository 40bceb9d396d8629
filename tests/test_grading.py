"""The grading service (grader.grading) and the reference provider (grader.reference), with a fake runner.

A fake student's answer is the text of their one file, observed as the value of every probe;
the reference solutions observe what their one file says. The slow tests of the entry
points (test_batch, test_grade_cmd, test_check_cmd, test_notebook_check, test_plugin,
tests/gradescope) check that grading through the service behaves as before.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from grader.discovery.choose import Candidate
from grader.discovery.discover import Submission
from grader.errors import ReferenceSolutionError, SandboxError
from grader.grading import Graded, Reference, Run, grade_many, grade_one, judge_submission
from grader.judging.checks import Check
from grader.judging.checks.base import Evidence, Fail, probe
from grader.model import ErrorInfo, Observation, Probe, RunOutcome
from grader.reference import NO_REFERENCE, ReferenceProvider, StaleReference, cache_file, save

P = probe("grading.answer", "relu_model", exercise="relu_model")


def _against_reference(ev: Evidence) -> None:
    if ev.value(P) != ev.reference(P):
        raise Fail("The answer is wrong.", mistake="wrong_values")


def _against_42(ev: Evidence) -> None:
    if ev.value(P) != "42":
        raise Fail("The answer is wrong.", mistake="wrong_values")


CHECKS = [Check("relu_model.grading", "relu_model", "answer", 2.0, "hidden", (P,), _against_reference)]
PUBLIC = [Check("relu_model.grading_public", "relu_model", "answer", 2.0, "public", (P,), _against_42)]


class FakeRunner:
    """Both runner interfaces; `reference_last` delivers the reference after every student."""

    def __init__(self, reference_last: bool = False, crash_after: int | None = None) -> None:
        self.keys: list[Any] = []
        self.files: list[dict[str, str]] = []
        self.reference_last, self.crash_after = reference_last, crash_after

    def _outcome(self, files: dict[str, str], probes: Sequence[Probe]) -> RunOutcome:
        answer = next(iter(files.values()), "").strip()
        if answer == "BROKEN":
            return RunOutcome({p.id: Observation(p.id, error=ErrorInfo("ValueError", "oops")) for p in probes})
        return RunOutcome({p.id: Observation(p.id, value=answer) for p in probes}, duration=0.5)

    def run(self, files: dict[str, str], probes: Sequence[Probe]) -> RunOutcome:
        self.files.append(files)
        return self._outcome(files, probes)

    def run_many(self, items: Iterable[tuple[Any, dict[str, str], Sequence[Probe]]]) -> Iterator[tuple[Any, RunOutcome]]:
        listed = list(items)
        if self.reference_last:
            listed.sort(key=lambda item: isinstance(item[0], Reference))
        for count, (key, files, probes) in enumerate(listed):
            if self.crash_after is not None and count >= self.crash_after:
                raise ValueError("the collector choked")
            self.keys.append(key)
            self.files.append(files)
            yield key, self._outcome(files, probes)


class Sink:
    def __init__(self, fail_on: str | None = None) -> None:
        self.reference: list[tuple[Any, float]] = []
        self.items: list[Graded] = []
        self.fail_on = fail_on

    def reference_ready(self, observations: dict[str, Observation] | None, seconds: float) -> None:
        self.reference.append((observations, seconds))

    def graded(self, item: Graded) -> None:
        if item.submission.safe_id == self.fail_on:
            raise OSError("disk full")
        self.items.append(item)


@pytest.fixture()
def solutions(tmp_path: Path) -> Path:
    folder = tmp_path / "solutions"
    folder.mkdir()
    (folder / "answer.py").write_text("42\n")
    return folder


def sub(safe: str, answer: str, other: str | None = None) -> Submission:
    alternates = {"relu_model.py": Candidate("relu_model.ipynb", other)} if other is not None else {}
    return Submission(safe, safe, {"relu_model.py": answer}, alternates=alternates,
                      origins={"relu_model.py": "relu_model.py"})


def scores(sink: Sink) -> dict[str, float]:
    return {g.submission.safe_id: g.result.score for g in sink.items}


def test_the_reference_runs_first_under_its_own_key_and_every_student_is_judged_against_it(solutions: Path) -> None:
    runner, sink = FakeRunner(), Sink()
    grade_many(runner, [sub("a", "42"), sub("b", "41")], CHECKS, ReferenceProvider(solutions=solutions), sink)
    assert runner.keys == [Reference(), Run("a"), Run("b")]
    assert [obs[P.id].value for obs, _ in sink.reference] == ["42"]
    assert scores(sink) == {"a": 2.0, "b": 0.0}
    assert all(g.outcome is not None and g.outcome.duration == 0.5 for g in sink.items)


def test_students_finished_before_the_reference_wait_for_it(solutions: Path) -> None:
    runner, sink = FakeRunner(reference_last=True), Sink()
    grade_many(runner, [sub("a", "42"), sub("b", "41")], CHECKS, ReferenceProvider(solutions=solutions), sink)
    assert runner.keys[-1] == Reference()
    assert scores(sink) == {"a": 2.0, "b": 0.0}


def test_a_student_named_like_the_old_reference_key_is_still_a_student(solutions: Path) -> None:
    runner, sink = FakeRunner(), Sink()
    grade_many(runner, [sub("/reference", "41")], CHECKS, ReferenceProvider(solutions=solutions), sink)
    assert scores(sink) == {"/reference": 0.0}


def test_both_changed_files_run_and_each_exercise_keeps_the_better(solutions: Path) -> None:
    runner, sink = FakeRunner(), Sink()
    grade_many(runner, [sub("both", "41", other="42")], CHECKS, ReferenceProvider(solutions=solutions), sink)
    assert sorted(map(repr, runner.keys)) == sorted(map(repr, [Reference(), Run("both"), Run("both", "alternate")]))
    [item] = sink.items
    assert item.result.score == 2.0
    assert [e.source_name for e in item.result.exercises] == ["relu_model.ipynb"]
    assert item.outcome is not None and item.outcome.observations[P.id].value == "41"  # the main run is kept


def test_a_students_runs_come_one_after_the_other_as_one_cohort(solutions: Path) -> None:
    """The runner holds a student's hidden work until every public run of theirs is sealed
    (grader.runner.groups.cohort_clear); it can do so only if their runs come together."""
    runner = FakeRunner()
    grade_many(runner, [sub("a", "42", other="41"), sub("b", "42"), sub("c", "41", other="42")], CHECKS,
               ReferenceProvider(solutions=solutions), Sink())
    assert runner.keys == [Reference(), Run("a"), Run("a", "alternate"), Run("b"), Run("c"), Run("c", "alternate")]
    assert [getattr(k, "cohort", None) for k in runner.keys] == [None, ("a", 2), ("a", 2), None, ("c", 2), ("c", 2)]


def test_a_known_reference_spares_the_reference_run(tmp_path: Path, solutions: Path) -> None:
    provider = ReferenceProvider(solutions=solutions, cache_root=tmp_path)
    grade_many(FakeRunner(), [sub("a", "42")], CHECKS, provider, Sink())  # computes and remembers
    assert cache_file(tmp_path).is_file()
    runner, sink = FakeRunner(), Sink()
    grade_many(runner, [sub("a", "42")], CHECKS, provider, sink)
    assert runner.keys == [Run("a")]
    assert [seconds for _, seconds in sink.reference] == [0.0]
    assert scores(sink) == {"a": 2.0}


def test_a_broken_reference_stops_the_stream(solutions: Path) -> None:
    (solutions / "answer.py").write_text("BROKEN\n")
    sink = Sink()
    with pytest.raises(ReferenceSolutionError, match="reference solutions failed"):
        grade_many(FakeRunner(), [sub("a", "42")], CHECKS, ReferenceProvider(solutions=solutions), sink)
    assert sink.items == []


def test_collecting_failures_before_the_reference_are_the_graders(solutions: Path) -> None:
    with pytest.raises(SandboxError, match="before the reference finished"):
        grade_many(FakeRunner(crash_after=0), [sub("a", "42")], CHECKS, ReferenceProvider(solutions=solutions), Sink())


def test_collecting_failures_after_the_reference_become_grader_errors_for_the_rest(solutions: Path) -> None:
    sink = Sink()
    grade_many(FakeRunner(crash_after=2), [sub("a", "42"), sub("b", "42")], CHECKS,
               ReferenceProvider(solutions=solutions), sink)
    assert scores(sink) == {"a": 2.0, "b": 0.0}
    b = sink.items[1]
    assert b.outcome is None and "collecting results" in b.result.grader_errors[0]


def test_a_failing_sink_stops_the_stream_and_is_raised(solutions: Path) -> None:
    sink = Sink(fail_on="a")
    with pytest.raises(OSError, match="disk full"):
        grade_many(FakeRunner(), [sub("a", "42"), sub("b", "42")], CHECKS, ReferenceProvider(solutions=solutions), sink)
    assert "a" not in scores(sink)


def test_grade_one_runs_the_reference_then_both_file_sets(solutions: Path) -> None:
    runner = FakeRunner()
    result = grade_one(runner, sub("s", "42", other="41"), CHECKS, ReferenceProvider(solutions=solutions))
    assert [next(iter(f.values())).strip() for f in runner.files] == ["42", "42", "41"]  # reference, main, alternate
    # Both runs of the student go to the runner in one call, as one cohort: its hidden work waits for both.
    assert runner.keys == [Run("s", "main"), Run("s", "alternate")]
    assert [k.cohort for k in runner.keys] == [("s", 2), ("s", 2)]
    assert result.score == 2.0 and [e.source_name for e in result.exercises] == ["relu_model.py"]
    assert result.submission_digest == sub("s", "42", other="41").digest


def test_grade_one_without_files_may_skip_the_run() -> None:
    runner = FakeRunner()
    empty = Submission("s", "s", {})
    grade_one(runner, empty, PUBLIC, NO_REFERENCE, run_empty=False)
    assert runner.files == []
    grade_one(runner, empty, PUBLIC, NO_REFERENCE)
    assert runner.files == [{}]


def test_a_self_check_has_no_reference_no_digest_and_no_submission_problems() -> None:
    runner = FakeRunner()
    student = Submission("self-check", "self-check", {"relu_model.py": "42"}, problems=("odd file",))
    result = grade_one(runner, student, PUBLIC, NO_REFERENCE, self_check=True)
    assert result.score == 2.0 and result.submission_digest == "" and result.problems == ()
    graded = judge_submission(student, RunOutcome({P.id: Observation(P.id, value="42")}), None, PUBLIC, None)
    assert graded.problems == ("odd file",) and graded.submission_digest == student.digest


def test_a_shipped_reference_is_used_as_is(tmp_path: Path) -> None:
    shipped = tmp_path / "observations.json"
    save({P.id: Observation(P.id, value="41")}, CHECKS, shipped)
    runner = FakeRunner()
    result = grade_one(runner, sub("s", "41"), CHECKS, ReferenceProvider(shipped=shipped))
    assert result.score == 2.0 and len(runner.files) == 1


def test_a_stale_shipped_reference_is_computed_from_shipped_solutions_or_refused(
        tmp_path: Path, solutions: Path, capsys: pytest.CaptureFixture[str]) -> None:
    stale = tmp_path / "observations.json"
    stale.write_text("{}")
    with pytest.raises(StaleReference, match="rebuild the zip"):
        ReferenceProvider(shipped=stale, solutions=tmp_path / "none").settle(CHECKS)
    settled = ReferenceProvider(shipped=stale, solutions=solutions).settle(CHECKS)
    assert capsys.readouterr().err.count("running the reference solutions") == 1
    runner = FakeRunner()
    assert settled.obtain(runner, CHECKS) == {P.id: Observation(P.id, value="42")}
    assert capsys.readouterr().err == ""   # announced once, at settle


def test_no_reference_runs_nothing() -> None:
    runner = FakeRunner()
    assert not NO_REFERENCE.wanted and NO_REFERENCE.obtain(runner, CHECKS) is None and runner.files == []


def test_a_computed_reference_covers_compute_for_and_is_remembered(tmp_path: Path, solutions: Path) -> None:
    other = probe("grading.other", "relu_model", exercise="relu_model")
    every = (*CHECKS, Check("relu_model.other", "relu_model", "other", 1.0, "hidden", (other,), _against_42))
    provider = ReferenceProvider(solutions=solutions, cache_root=tmp_path, compute_for=every)
    assert set(provider.obtain(FakeRunner(), CHECKS) or {}) == {P.id, other.id}
    runner = FakeRunner()
    assert set(ReferenceProvider(solutions=solutions, cache_root=tmp_path).obtain(runner, CHECKS) or {}) == {P.id}
    assert runner.files == []   # served from the cache


# -- hidden inputs drawn per submission (issue 18) ----------------------------------------------

class ModelRunner:
    """Answers relu_model probes as the student's one file says: "honest" computes the logits of the
    probe's own inputs; "table" answers from `table` (features bytes -> logits), else zeros: a
    submission that hard-codes answers phoned home from an earlier run."""

    def __init__(self) -> None:
        self.table: dict[bytes, Any] = {}
        self.ran: dict[Any, dict[str, Probe]] = {}

    def _value(self, kind: str, p: Probe) -> Any:
        from grader.judging.oracles.relu_model import relu_logits

        if p.driver != "relu_model":
            return {"missing": ["features"]}   # quiz_rerun: no quiz-format script
        if kind == "honest":
            return relu_logits(p.args)
        feats = np.asarray(p.args["features"], dtype=np.float64)
        return self.table.get(feats.tobytes(), np.zeros((feats.shape[0], len(p.args["biases"][1]))))

    def run_many(self, items: Iterable[tuple[Any, dict[str, str], Sequence[Probe]]]) -> Iterator[tuple[Any, RunOutcome]]:
        for key, files, probes in items:
            self.ran[key] = {p.id: p for p in probes}
            kind = next(iter(files.values()), "").split()[0]
            yield key, RunOutcome({p.id: Observation(p.id, value=self._value(kind, p)) for p in probes})


def _relu_hidden(sink: Sink, safe: str) -> dict[str, float]:
    item = next(g for g in sink.items if g.submission.safe_id == safe)
    return {c.check_id: c.score for c in item.result.checks if c.visibility == "hidden"}


def test_each_submission_runs_and_is_judged_on_its_own_hidden_inputs() -> None:
    from grader.judging.checks import load_checks

    checks = load_checks(("relu_model",))
    runner, sink = ModelRunner(), Sink()
    subs = [sub("ann", "honest"), sub("bob", "honest")]
    grade_many(runner, subs, checks, ReferenceProvider(given={}), sink)
    ann, bob = runner.ran[Run("ann")], runner.ran[Run("bob")]
    shapes = "relu_model.hidden_shapes"
    assert not np.array_equal(ann[shapes].args["features"], bob[shapes].args["features"])
    assert ann["relu_model.lesson"] == bob["relu_model.lesson"]   # public probes are everyone's
    # Judged on what ran (the oracle's expected values on those inputs), and stored as it ran.
    assert all(score > 0 for score in _relu_hidden(sink, "ann").values())
    assert all(score > 0 for score in _relu_hidden(sink, "bob").values())
    stored = {p.id: p for g in sink.items if g.submission.safe_id == "ann" for c in g.checks for p in c.probes}
    assert stored[shapes] == ann[shapes]
    # A regrade of the same files draws the same inputs.
    again = ModelRunner()
    grade_many(again, [sub("ann", "honest")], checks, ReferenceProvider(given={}), Sink())
    assert again.ran[Run("ann")] == ann


def test_answers_phoned_home_help_neither_a_resubmission_nor_a_classmate() -> None:
    from grader.judging.checks import load_checks

    checks = load_checks(("relu_model",))
    runner, sink = ModelRunner(), Sink()
    grade_many(runner, [sub("ann", "honest")], checks, ReferenceProvider(given={}), sink)
    hidden = {pid: p for pid, p in runner.ran[Run("ann")].items() if p.group == "hidden" and p.driver == "relu_model"}
    assert hidden
    from grader.judging.oracles.relu_model import relu_logits
    runner.table = {np.asarray(p.args["features"], dtype=np.float64).tobytes(): relu_logits(p.args)
                    for p in hidden.values()}
    # The table does earn the hidden points on the inputs it was built from (so the test can fail):
    # with inputs drawn from the course seed alone, every later submission would get those.
    first = next(g.checks for g in sink.items if g.submission.safe_id == "ann")
    table = RunOutcome({p.id: Observation(p.id, value=runner._value("table", p)) for c in first for p in c.probes})
    replayed = judge_submission(sub("ann", "table v2"), table, None, first, {})
    assert [c.score for c in replayed.checks if c.visibility == "hidden"] == [c.max_score for c in replayed.checks
                                                                              if c.visibility == "hidden"]
    grade_many(runner, [sub("ann", "table v2"), sub("cara", "table v2")], checks, ReferenceProvider(given={}), sink)
    assert set(_relu_hidden(sink, "ann")) == {"relu_model.new_inputs", "relu_model.square_weights",
                                             "relu_model.one_row_wide"}
    assert _relu_hidden(sink, "cara") == dict.fromkeys(_relu_hidden(sink, "cara"), 0.0)
    resubmitted = [g for g in sink.items if g.submission.files["relu_model.py"] == "table v2"]
    assert len(resubmitted) == 2
    assert all(c.score == 0.0 for g in resubmitted for c in g.result.checks if c.visibility == "hidden")


def test_observe_with_its_submission_runs_and_returns_that_submissions_hidden_inputs() -> None:
    from grader.grading import observe, submission_checks
    from grader.judging.checks import load_checks
    from grader.judging.checks.base import check_probes_digest, probe_digest
    from grader.judging.oracles.relu_model import relu_logits

    checks = load_checks(("relu_model",))
    ran: list[set[str]] = []

    class One:
        def run(self, files: dict[str, str], probes: Sequence[Probe]) -> RunOutcome:
            ran.append({probe_digest(p) for p in probes})
            return RunOutcome({})

    def digests(cs: Sequence[Check]) -> set[str]:
        return {probe_digest(p) for c in cs for p in c.probes}

    ann = sub("ann", "honest")
    observed = observe(One(), ann.files, checks, ReferenceProvider(given={}), ann)
    mine = submission_checks(ann, checks)
    assert [check_probes_digest(c) for c in observed.checks] == [check_probes_digest(c) for c in mine]
    assert ran[-1] == digests(mine) != digests(checks)
    shapes = next(p for c in mine for p in c.probes if p.id == "relu_model.hidden_shapes")
    assert observed.reference is not None
    assert np.allclose(observed.reference[shapes.id].value, relu_logits(shapes.args))
    plain = observe(One(), ann.files, checks, ReferenceProvider(given={}))
    assert plain.checks == () and ran[-1] == digests(checks)
