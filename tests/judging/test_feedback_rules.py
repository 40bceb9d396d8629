"""The feedback rules (feedback_rules.py) over every verdict the fast suite builds and records.

The snapshot files hold every Fail and CheckResult a fast test makes (judges run on hand-made
observations of the catalogue's mistakes); the slow catalogue applies the same rules to the real
submissions' results in catalogue_support.check_row.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from feedback_rules import all_problems, recorded_verdicts

from grader.model import CheckResult, ErrorInfo

SNAPSHOTS = Path(__file__).parent / "snapshots"
VERDICTS = recorded_verdicts(SNAPSHOTS)


def test_the_snapshots_hold_many_verdicts() -> None:
    assert len(VERDICTS) > 500


def test_every_recorded_verdict_follows_the_rules() -> None:
    broken = [f"{where}: {p}" for where, kind, verdict in VERDICTS for p in all_problems(verdict, kind)]
    assert not broken, "\n".join(broken[:30])


@pytest.mark.parametrize(("verdict", "rule"), [
    ({"status": "failed", "message": "`mlp_mnist.forward` raised ValueError: x"}, "not a function of the student's"),
    ({"status": "failed", "message": "`relu_model.lesson` raised ValueError: x"}, "not a function"),
    ({"status": "failed", "message": "`save_restore` raised FailedPreconditionError"}, "not a function"),
    ({"status": "failed", "message": "could not read /tmp/public/model.ckpt"}, "worker path"),
    ({"status": "failed", "message": "wrong", "expected": None, "got": "d"}, "Expected: null"),
    ({"status": "failed", "message": "Expected: null"}, "says null"),
    ({"status": "failed", "message": "rows", "expected": [[1.0, 2.0]] * 3, "got": [[1.0, 2.0]] * 120}, "120 rows"),
    ({"status": "failed", "message": "rows", "visibility": "hidden", "expected": [[1.0]] * 3, "got": None,
      "hint": "see /tmp/grader-worker-1/x"}, "worker path"),
    ({"status": "not_attempted", "message": "Not attempted yet.", "mistake": "numpy_on_tensor"}, "another story"),
])
def test_the_rules_catch_what_they_are_for(verdict: dict[str, object], rule: str) -> None:
    assert any(rule in p for p in all_problems(verdict)), all_problems(verdict)


def test_a_right_verdict_breaks_no_rule() -> None:
    from judge_support import run

    result: CheckResult = run("regularization.lesson_weights", {"regularization.lesson": ErrorInfo(
        "NotImplementedError", "not written yet", traceback='  File "regularization.py", line 30, in '
        'l2_regularized_loss\n    raise NotImplementedError("not written yet")\n')})
    assert result.status == "not_attempted"
    assert all_problems(vars(result)) == []
