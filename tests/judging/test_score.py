"""The score stage on made-up verdicts (no worker): grouping, order, totals, rounding, run facts."""

from __future__ import annotations

from grader import __version__
from grader.judging.score import score_student
from grader.model import CheckResult, RunOutcome


def _result(exercise: str, name: str, score: float, max_score: float) -> CheckResult:
    return CheckResult(check_id=f"{exercise}.{name}", exercise=exercise, title=name, score=score,
                       max_score=max_score, status="passed" if score == max_score else "failed",
                       message="", visibility="public")


def test_checks_are_grouped_by_exercise_in_catalogue_order() -> None:
    results = [_result("dropout", "a", 1.0, 2.0), _result("relu_model", "b", 3.0, 3.0),
               _result("dropout", "c", 0.5, 4.0), _result("not_an_exercise", "d", 9.0, 9.0)]
    student = score_student("s1", results)
    assert student.student_id == "s1"
    assert [e.name for e in student.exercises] == ["relu_model", "dropout"]  # catalogue order, empty ones left out
    relu, dropout = student.exercises
    assert relu.title == "A ReLU hidden layer" and dropout.title == "Dropout with keep_prob"
    assert [c.check_id for c in dropout.checks] == ["dropout.a", "dropout.c"]  # given order kept
    assert (dropout.score, dropout.max_score) == (1.5, 6.0)
    assert (relu.score, relu.max_score) == (3.0, 3.0)
    # Checks of unknown exercises count for nothing: the total is the shown exercises' sum.
    assert (student.score, student.max_score) == (4.5, 9.0)


def test_totals_are_rounded_to_four_places() -> None:
    thirds = [_result("quiz", str(i), 1 / 3, 2 / 3) for i in range(3)]
    more = [_result("relu_model", "x", 0.123456, 0.654321)]
    student = score_student("s", thirds + more)
    quiz = student.exercises[-1]
    assert (quiz.score, quiz.max_score) == (1.0, 2.0)
    assert student.exercises[0].score == 0.1235 and student.exercises[0].max_score == 0.6543
    assert (student.score, student.max_score) == (1.1235, 2.6543)


def test_sources_are_attached_to_their_exercise() -> None:
    results = [_result("relu_model", "a", 1.0, 1.0), _result("quiz", "b", 0.0, 1.0)]
    student = score_student("s", results, sources={"relu_model": ("relu_model.py", "def relu_model(): ...")})
    relu, quiz = student.exercises
    assert (relu.source_name, relu.source) == ("relu_model.py", "def relu_model(): ...")
    assert (quiz.source_name, quiz.source) == ("", "")


def test_run_facts_come_from_the_outcome() -> None:
    outcome = RunOutcome(observations={}, problems=("worker restarted",), output="printed\n", duration=1.23456)
    student = score_student("s", [_result("quiz", "a", 1.0, 1.0)], outcome)
    assert student.problems == ("worker restarted",)
    assert student.output == "printed\n"
    assert student.execution_time == 1.235
    assert student.grader_version == __version__ and __version__


def test_without_an_outcome_or_checks() -> None:
    student = score_student("empty", [])
    assert student.exercises == ()
    assert (student.score, student.max_score, student.execution_time) == (0, 0, 0.0)
    assert student.problems == () and student.output == ""
    assert student.grader_version == __version__
