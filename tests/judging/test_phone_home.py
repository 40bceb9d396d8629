"""A student who phones home the hidden inputs gains nothing (issue 18), graded for real.

A spy submission, right otherwise, prints the hidden inputs its relu_model receives: at level
`container` its worker could as well send them out. From the instructor-only observations of that
run, the test writes the submission a student would then hand in: relu_model answering exactly
those inputs with the expected logits. Handed in again by the same student (other bytes) or by a
classmate, it draws other hidden inputs and scores 0 on every hidden check. The same table does
earn the hidden points on the inputs it was built from, so the test can fail.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from grader.batch import BatchOptions, grade_class
from grader.discovery.discover import read_submission
from grader.grading import judge_submission, submission_checks
from grader.judging.checks import Check, load_checks
from grader.paths import Paths
from grader.pipeline import probes_for
from grader.rejudge import rejudge
from grader.runner.runner import Runner
from grader.storage.layout import instructor_dir
from grader.storage.observations import load_student
from grader.storage.results import load_result

SPY = '''
import json
import tensorflow as tf2


def _phone_home(features, weights, biases):
    values = [tf2.get_static_value(t) for t in [features, *weights, *biases]]
    print("PHONE " + json.dumps([v.tolist() for v in values]))
'''

CHEAT = '''
import numpy as np
import tensorflow as tf2
import tensorflow.compat.v1 as tf

TABLE = {table!r}


def relu_model(features, weights, biases):
    x = tf2.get_static_value(features)
    key = repr(np.round(np.asarray(x, dtype=np.float64), 3).tolist())
    if key in TABLE:
        return tf.constant(np.asarray(TABLE[key], dtype=np.float32))
    return tf.zeros([int(features.shape[0]), int(biases[1].shape[0])])
'''


def _hidden(result_path: Path) -> dict[str, float]:
    return {c.check_id: c.score for c in load_result(result_path).checks if c.visibility == "hidden"}


def _why(result_path: Path) -> str:
    """The instructor's messages, for a failure under a loaded machine (a probe that timed out)."""
    return "; ".join(f"{c.check_id}: {c.status} {c.message[:200]}" for c in load_result(result_path).checks)


def _spy(solution: str) -> str:
    body = solution.replace("    hidden_layer = tf.add(", "    _phone_home(features, weights, biases)\n"
                                                          "    hidden_layer = tf.add(", 1)
    assert body != solution
    return SPY + body


def _phoned(out: Path, safe: str) -> tuple[dict[str, Any], dict[str, list[Any]]]:
    """What the spy's worker sent out, read back from the instructor-only observations: features
    per hidden probe, and the logits it gave there (right, so the expected ones)."""
    stored = load_student(instructor_dir(out, safe))
    inputs, table = {}, {}
    for pid, obs in stored.outcome.observations.items():
        line = next((ln for ln in obs.output.splitlines() if ln.startswith("PHONE ")), None)
        if pid.startswith("relu_model.hidden_") and line is not None:
            values = json.loads(line[len("PHONE "):])
            inputs[pid] = values
            table[repr(np.round(np.asarray(values[0], dtype=np.float64), 3).tolist())] = \
                np.asarray(obs.value).tolist()
    return inputs, table


def _pairs(inputs: dict[str, Any]) -> list[str]:
    """Patterns for the hidden inputs as a report could print them: two neighbouring values of a row
    (three decimals, any separator), which no other number on a page matches by chance."""
    out = []
    for values in inputs.values():
        for part in values:
            rows = np.atleast_2d(np.asarray(part, dtype=np.float64))
            for row in rows:
                for a, b in zip(row, row[1:]):
                    out.append(rf"(?<![\d.]){re.escape(f'{a:.3f}')}0*[^\d]{{1,24}}?{re.escape(f'{b:.3f}')}(?!\d)")
    return out


@pytest.mark.slow
def test_phoned_home_answers_score_nothing_for_a_resubmission_or_a_classmate(tmp_path: Path, runner: Runner) -> None:
    paths = Paths.discover()
    checks: list[Check] = load_checks(("relu_model",))
    solution = (paths.solutions / "relu_model.py").read_text()
    subs = tmp_path / "subs"
    for name, code in (("ann", _spy(solution)),
                       ("wrong", (Path(__file__).parents[1] / "submissions/wrong/relu_model/relu_on_output.py")
                        .read_text())):
        (subs / name).mkdir(parents=True)
        (subs / name / "relu_model.py").write_text(code)
    out = tmp_path / "out"
    grade_class(subs, paths, BatchOptions(out, progress="quiet"), checks)
    spied = _hidden(out / "ann" / "results.json")
    assert spied and all(score > 0 for score in spied.values()), _why(out / "_instructor" / "ann" / "results.json")

    inputs, table = _phoned(out, "ann")
    assert len(inputs) == 3 and len(table) == 3
    # What the spy printed in its hidden worker, and the hidden inputs, reach no file the students get.
    pairs = _pairs(inputs)
    assert len(pairs) > 20
    instructor = (out / "_instructor" / "ann" / "results.json").read_text(encoding="utf-8")
    assert any(re.search(n, instructor) for n in pairs)   # the instructor's copy shows them: the scan sees them
    for student in ("ann", "wrong"):
        for path in (out / student).rglob("*"):
            text = path.read_text(encoding="utf-8", errors="replace")
            # (Its prints from public probes may show: those inputs are public.)
            assert not any(json.dumps(v)[:40] in text for v in inputs.values()), path
            leaked = [n for n in pairs if re.search(n, text)]
            assert leaked == [], (path, leaked[:5])
    # Rejudging draws the same inputs from what is stored: nothing changes.
    before = {p: p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}
    assert rejudge(out, checks).changed == []
    assert {p: p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()} == before

    cheat = CHEAT.format(table=table)
    # On the inputs it was built from, the table earns every hidden point (the test can fail).
    spy = read_submission(subs / "ann", "ann")
    assert load_student(instructor_dir(out, "ann")).submission_digest == spy.digest
    first = submission_checks(spy, checks)
    files = {"relu_model.py": cheat}
    replayed = judge_submission(spy, runner.run(files, probes_for(first)), None, first, {})
    assert [c.score for c in replayed.checks if c.visibility == "hidden"] == \
        [c.max_score for c in replayed.checks if c.visibility == "hidden"]

    again = tmp_path / "again"
    for name in ("ann", "cara"):   # the same student resubmitting, and a classmate handed the table
        (again / name).mkdir(parents=True)
        (again / name / "relu_model.py").write_text(cheat)
    out2 = tmp_path / "out2"
    grade_class(again, paths, BatchOptions(out2, progress="quiet"), checks)
    for name in ("ann", "cara"):
        assert _hidden(out2 / name / "results.json") == dict.fromkeys(spied, 0.0), \
            _why(out2 / "_instructor" / name / "results.json")
