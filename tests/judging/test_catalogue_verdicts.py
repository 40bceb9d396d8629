"""Real submissions for the verdicts of issue 10: each wrong one fails for the right reason, each right one passes.

Needs the one-run `mlp_mnist.train` and the `save_test` argument of the save_restore driver
(see /work/wt/notes/h1.md); slow: they train real networks in the sandbox.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from catalogue_support import ROOT, Wrong, check_row, grade_wrong, row_id  # noqa: F401 - grade_wrong is a fixture

from grader.judging.checks import Check
from grader.model import Observation, StudentResult
from grading_support import grade_files
from grader.runner.runner import Runner

MLP, SR, QUIZ = "mlp_mnist", "save_restore", "quiz"

ROWS = [
    # Far below chance is a broken metric, not a network that did not learn.
    Wrong(MLP, "accuracy_wrong_axis", "mlp_mnist.training", "broken_accuracy_metric", "far BELOW chance",
          unaffected=("mlp_mnist.parameters", "mlp_mnist.forward")),
    # Training accuracy sits within a digit of the test accuracy; the relabelled test digits separate them.
    Wrong(SR, "training_batch_accuracy", "save_restore.saved_after_training", "wrong_split", "not on the training data",
          unaffected=("save_restore.checkpoint_files", "save_restore.restored_accuracy")),
    Wrong(SR, "training_set_accuracy", "save_restore.saved_after_training", "wrong_split", "whole training set",
          unaffected=("save_restore.checkpoint_files", "save_restore.restored_accuracy")),
    Wrong(SR, "accuracy_wrong_axis", "save_restore.saved_after_training", "broken_accuracy_metric",
          "computed wrongly", unaffected=("save_restore.checkpoint_files",)),
    # A hidden check names the mistake and gives the hint for it, with no hidden values.
    Wrong(SR, "initializer_after_restore", "save_restore.evaluates_given_data", "initializer_after_restore",
          "lost the trained values"),
    # Options written with their text are read as those options.
    Wrong(QUIZ, "option_forms_wrong", "quiz.l2_derivative", "squared_norm", "w^T w is ||w||^2 itself",
          unaffected=("quiz.logistic_parameters",)),
    Wrong(QUIZ, "option_forms_wrong", "quiz.dropout_evaluation", "too_low", "0.5 is a common"),
]


# A call counter cannot tell the shuffled run apart: it runs first in its own fresh worker (the
# runner's probe groups, issue 9 part 2), so the counter starts from zero there too.
COUNTER = Wrong(MLP, "call_counter", "mlp_mnist.training", "wrong_split", "not measured on mnist.test",
                unaffected=("mlp_mnist.parameters", "mlp_mnist.forward"))
ALL_ROWS = [*ROWS, COUNTER]


def test_every_row_has_its_file() -> None:
    assert all(r.path.is_file() for r in [*ROWS, COUNTER])


@pytest.mark.slow
@pytest.mark.parametrize("row", ALL_ROWS, ids=row_id)
def test_wrong_submission(row: Wrong, grade_wrong: Callable[[Wrong], StudentResult]) -> None:  # noqa: F811
    result = grade_wrong(row)
    check_row(result, row)
    hit = next(c for c in result.checks if c.check_id == row.check)
    if hit.visibility == "hidden":
        assert hit.instructor_message and hit.traceback == ""
    if row.mistake == "initializer_after_restore":
        assert "global_variables_initializer" in hit.hint and "mnist.test" not in hit.hint


CORRECT = [ROOT / "tests" / "submissions" / "correct" / "quiz_option_forms.py", ROOT / "solutions" / "save_restore.py",
           ROOT / "solutions" / "mlp_mnist.py"]


@pytest.mark.slow
@pytest.mark.parametrize("path", CORRECT, ids=lambda p: p.stem)
def test_right_submission_gets_full_marks(path: Path, runner: Runner, reference: dict[str, Observation],
                                          all_checks: list[Check]) -> None:
    exercise = next(e for e in (MLP, SR, QUIZ) if path.stem.startswith(e))
    mine = [c for c in all_checks if c.exercise == exercise]
    result = grade_files(runner, f"right-{path.stem}", {f"{exercise}.py": path.read_text(encoding="utf-8")},
                         mine, reference)
    assert [(c.check_id, c.status) for c in result.checks if c.status != "passed"] == []
