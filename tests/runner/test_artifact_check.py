"""A save_restore check judged on an artifact verified where student code never ran.

The forger's checkpoint on disk holds its trained model, but its code makes the
student's worker report other arrays, and its restore_and_evaluate scores those:
every number from the student's worker agrees, so only the clean worker's
restore of the real files tells the truth.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from grader.judging.checks import Check, load_checks
from grader.judging.judge import judge_all
from grader.pipeline import probes_for
from grading_support import compute_reference
from grader.runner import Limits, Runner

ROOT = Path(__file__).resolve().parents[2]
SOLUTION = (ROOT / "solutions" / "save_restore.py").read_text()

FORGER = SOLUTION + '''

import numpy as _np

import grader.sandbox.drivers.save_restore as _driver

_W = _np.zeros((784, 10))
_B = _np.arange(10, dtype=float)  # always answers 9


def _forged_contents(save_file):
    return {"error": None, "variables": {"weights": [784, 10], "bias": [10]}, "weights": [_W], "bias": [_B]}


_driver.checkpoint_contents = _forged_contents


def restore_and_evaluate(mnist, save_file):
    logits = _np.asarray(mnist.test.images) @ _W + _B
    return float(_np.mean(_np.argmax(logits, 1) == _np.argmax(mnist.test.labels, 1)))
'''


@pytest.fixture(scope="module")
def box() -> Iterator[Runner]:
    with Runner(Limits(student_timeout=300), jobs=2) as r:
        yield r


@pytest.mark.slow
def test_the_clean_restore_catches_a_checkpoint_the_student_worker_misreported(box: Runner) -> None:
    checks: list[Check] = [c for c in load_checks(("save_restore",)) if c.id == "save_restore.evaluates_given_data"]
    assert any(p.needs for c in checks for p in c.probes)
    reference = compute_reference(box, ROOT / "solutions", checks)
    honest = box.run({"save_restore.py": SOLUTION}, probes_for(checks))
    forged = box.run({"save_restore.py": FORGER}, probes_for(checks))
    (good,) = judge_all(checks, honest.observations, reference, honest.loads)
    (bad,) = judge_all(checks, forged.observations, reference, forged.loads)
    assert good.status == "passed", good
    assert bad.status == "failed" and bad.score == 0, bad
