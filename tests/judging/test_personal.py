"""Hidden inputs drawn per submission (grader.judging.personal, grader.judging.checks.hidden.draws).

Issue 18: at level `container` a worker keeps the network, so the hidden inputs it sees could be
sent home. Drawn from the course seed, the student's id and the submission's digest, they help
neither a resubmission (other bytes) nor a classmate (another id); the same submission always
draws the same ones, which regrading and rejudging rely on.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from grader.discovery.discover import Submission
from grader.grading import submission_checks
from grader.judging import personal
from grader.judging.checks import Check
from grader.judging.checks.base import probe_digest
from grader.judging.checks.hidden import draws
from grader.judging.oracles.secret import course_seed, submission_seed
from grader.model import Observation
from grader.paths import Paths
from grader.runner.runner import Runner

# Probes whose inputs are drawn from so many values that two seeds never draw the same ones
# (named_variables picks two sizes out of six, parameter_count's small widths can repeat).
WIDE = ("relu_model.hidden_shapes", "relu_model.hidden_square", "relu_model.hidden_one_row",
        "relu_model.quiz_rerun", "dropout.hidden_half", "dropout.hidden_one", "dropout.quiz_rerun",
        "regularization.hidden_three", "regularization.hidden_one", "mlp_mnist.hidden_forward")


def _drawn(checks: list[Check]) -> dict[str, str]:
    ids = personal.drawn_ids()
    return {p.id: probe_digest(p) for c in checks for p in c.probes if p.id in ids}


def test_drawing_with_the_course_seed_gives_exactly_the_declared_probes(all_checks: list[Check]) -> None:
    # The draw table lives apart from the check modules: it must not drift from what they declare.
    declared = {p.id: p for c in all_checks for p in c.probes}
    drawn = draws.draw_all(course_seed())
    assert set(drawn) <= set(declared)
    for pid, args in drawn.items():
        p = declared[pid]
        assert probe_digest(replace(p, args={**p.args, **args})) == probe_digest(p), pid


def test_every_hidden_probe_with_seeded_inputs_is_drawn_per_submission(all_checks: list[Check]) -> None:
    hidden = {p.id for c in all_checks if c.visibility == "hidden" for p in c.probes}
    # save_restore's hidden probe uses a fixed relabelled split (no seed), and its verifier no inputs.
    assert hidden - personal.drawn_ids() == {"save_restore.hidden_other_test", "save_restore.hidden_other_verify"}
    assert not {p.id for c in all_checks if c.visibility == "public" for p in c.probes} & personal.drawn_ids()


def test_students_resubmissions_and_regrades_draw_as_they_should(all_checks: list[Check]) -> None:
    ann = Submission("ann", "ann", {"relu_model.py": "def relu_model(f, w, b): ...\n"})
    bob = Submission("bob", "bob", dict(ann.files))                              # a classmate, same bytes
    again = Submission("ann", "ann", {"relu_model.py": ann.files["relu_model.py"] + "# v2\n"})  # a resubmission
    first = _drawn(submission_checks(ann, all_checks))
    assert first == _drawn(submission_checks(Submission("ann", "ann", dict(ann.files)), all_checks))  # a regrade
    for other in (bob, again):
        theirs = _drawn(submission_checks(other, all_checks))
        assert set(theirs) == set(first)
        assert all(theirs[pid] != first[pid] for pid in WIDE), other.student_id
    # Nothing else moves: public probes, and hidden ones without seeded inputs, are the catalogue's.
    ids = personal.drawn_ids()
    assert [probe_digest(p) for c in submission_checks(bob, all_checks) for p in c.probes if p.id not in ids] == \
        [probe_digest(p) for c in all_checks for p in c.probes if p.id not in ids]


def test_the_seed_keys_on_all_three_parts_without_ambiguity() -> None:
    base = submission_seed(7, "ann", "d")
    assert base == submission_seed(7, "ann", "d")
    others = {submission_seed(8, "ann", "d"), submission_seed(7, "bob", "d"), submission_seed(7, "ann", "e"),
              submission_seed(7, "an", "nd"), submission_seed(7, "annd", "")}   # length-prefixed parts
    assert base not in others and len(others) == 5
    assert 0 <= base < 2**63


def test_the_personal_reference_swaps_course_seed_observations_for_the_oracles(all_checks: list[Check]) -> None:
    mine = personal.personalize(all_checks, "ann", "d1")
    batch = {"relu_model.hidden_shapes": Observation("relu_model.hidden_shapes", value=np.zeros((7, 3))),
             "relu_model.lesson": Observation("relu_model.lesson", value="kept")}
    ref = personal.personal_reference(batch, mine)
    assert ref is not None
    assert ref["relu_model.lesson"].value == "kept"
    p = next(p for c in mine for p in c.probes if p.id == "relu_model.hidden_shapes")
    h = np.maximum(p.args["features"] @ p.args["weights"][0] + p.args["biases"][0], 0)
    assert np.allclose(ref[p.id].value, h @ p.args["weights"][1] + p.args["biases"][1])
    # A drawn probe without an oracle is left out (a judge reading it fails loudly), never the course seed's.
    assert "dropout.hidden_half" not in ref
    assert personal.personal_reference(None, mine) is None


def test_oracle_disagreement_is_named(all_checks: list[Check]) -> None:
    oracle = personal.oracle_observations(all_checks)
    exact = {pid: obs for pid, obs in oracle.items() if pid not in draws.AGREES}  # held otherwise
    assert personal.oracle_disagreements(exact, all_checks) == []
    wrong = {**exact, "regularization.hidden_one": Observation("regularization.hidden_one", value=123.0)}
    assert personal.oracle_disagreements(wrong, all_checks) == ["regularization.hidden_one"]


@pytest.mark.slow
def test_oracles_agree_with_the_reference_solution(all_checks: list[Check], runner: Runner, paths: Paths) -> None:
    """Each oracle gives what the reference solution's driver returns on the catalogue's inputs
    (only the checks with oracles run: the whole reference trains MNIST)."""
    from grading_support import compute_reference

    oracles = personal.oracle_observations(all_checks)
    checks = [c for c in all_checks if any(p.id in oracles for p in c.probes)]
    reference = compute_reference(runner, paths.solutions, checks)
    assert set(oracles) <= set(reference)
    assert personal.oracle_disagreements(reference, checks) == []
    # The guard bites: the reference of another submission's inputs disagrees everywhere it can.
    other = personal.oracle_observations(personal.personalize(checks, "ann", "d1"))
    assert set(personal.oracle_disagreements({**reference, **other}, checks)) >= set(WIDE) & set(oracles)


def test_a_selection_of_exercises_draws_the_same_inputs_for_them(all_checks: list[Check]) -> None:
    # Only the exercises graded are drawn (cheaper), and each draws as it would in the whole catalogue.
    relu = [c for c in all_checks if c.exercise == "relu_model"]
    alone = personal.personalize(relu, "ann", "d1")
    within = [c for c in personal.personalize(all_checks, "ann", "d1") if c.exercise == "relu_model"]
    assert [probe_digest(p) for c in alone for p in c.probes] == [probe_digest(p) for c in within for p in c.probes]
    assert set(draws.draw_all(1, frozenset({"relu_model"}))) == {
        "relu_model.hidden_shapes", "relu_model.hidden_square", "relu_model.hidden_one_row", "relu_model.quiz_rerun"}
