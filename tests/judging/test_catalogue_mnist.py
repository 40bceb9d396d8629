"""Exercises 3, 4, 5 (MNIST network, save/restore, named variables): the wrong-submission
catalogue, correct-another-way submissions, honesty of the accuracy checks, timing, determinism."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from snapshot_support import pin
from catalogue_support import Wrong, check_row, grade_wrong, row_id  # noqa: F401 - grade_wrong is a fixture

from grader.authoring.assign import make_stub
from grader.judging.judge import judge_all
from grader.judging.checks import Check
from grader.judging.checks.base import Fail
from grader.judging.checks.mlp_mnist import TRAIN, TRAIN_SECONDS_LIMIT, TRAIN_SHUFFLED, _judge_training
from grader.judging.checks.named_variables import judge_names
from grader.model import Observation, Probe, StudentResult
from grader.pipeline import probes_for
from grading_support import grade_files
from grader.runner.runner import Runner

MLP, SR, NV = "mlp_mnist", "save_restore", "named_variables"
MINE = (MLP, SR, NV)
ROOT = Path(__file__).resolve().parents[2]
CORRECT = Path(__file__).resolve().parents[1] / "submissions" / "correct"

ROWS = [
    # Exercise 3: the 2-layer MNIST network.
    Wrong(MLP, "relu_missing", "mlp_mnist.forward", "relu_missing", "without a ReLU",
          unaffected=("mlp_mnist.parameters",)),
    Wrong(MLP, "relu_on_output", "mlp_mnist.forward", "relu_on_output", "output layer must stay linear",
          unaffected=("mlp_mnist.parameters",)),
    Wrong(MLP, "softmax_output", "mlp_mnist.forward", "softmax_output", "return the logits",
          unaffected=("mlp_mnist.parameters",)),
    Wrong(MLP, "hardcoded_accuracy", "mlp_mnist.training", "accuracy_not_measured", "shuffled the test labels",
          unaffected=("mlp_mnist.parameters", "mlp_mnist.forward")),
    Wrong(MLP, "validation_accuracy", "mlp_mnist.training", "wrong_split", "not measured on mnist.test",
          unaffected=("mlp_mnist.parameters", "mlp_mnist.forward")),
    Wrong(MLP, "optimizer_not_run", "mlp_mnist.training", "not_training", "did not learn",
          unaffected=("mlp_mnist.parameters", "mlp_mnist.forward")),
    Wrong(MLP, "ignores_learning_rate", "mlp_mnist.training", "low_accuracy", "use the learning_rate",
          unaffected=("mlp_mnist.parameters", "mlp_mnist.forward")),
    # Named from the graph's update ops, whatever accuracy Adam happens to reach on this run.
    Wrong(MLP, "adam_optimizer", "mlp_mnist.training", "other_optimizer", "tf.train.AdamOptimizer",
          unaffected=("mlp_mnist.parameters", "mlp_mnist.forward")),
    Wrong(MLP, "zero_weights", "mlp_mnist.parameters", "constant_weights", "all zeros",
          unaffected=("mlp_mnist.forward",)),
    Wrong(MLP, "wrong_keys", "mlp_mnist.parameters", "wrong_keys", "'hidden_layer' and 'out'"),
    Wrong(MLP, "transposed_weights", "mlp_mnist.parameters", "transposed_weights", "transposed",
          unaffected=("mlp_mnist.forward",)),
    # The lesson's sizes hide this; other sizes, never shown to the student, expose it.
    Wrong(MLP, "fixed_sizes", "mlp_mnist.other_sizes", "wrong_shapes", "follow the size arguments",
          unaffected=("mlp_mnist.parameters", "mlp_mnist.forward", "mlp_mnist.training")),
    # Exercise 4: save and restore.
    Wrong(SR, "initializer_after_restore", "save_restore.restored_accuracy", "initializer_after_restore",
          "global_variables_initializer", unaffected=("save_restore.checkpoint_files",
                                                      "save_restore.saved_after_training")),
    Wrong(SR, "saver_before_variables", "save_restore.restored_accuracy", "restore_before_variables",
          "before the model's variables", unaffected=("save_restore.checkpoint_files",
                                                      "save_restore.saved_after_training")),
    Wrong(SR, "saved_before_training", "save_restore.saved_after_training", "saved_before_training",
          "untrained weights", unaffected=("save_restore.checkpoint_files",)),
    # A training bug and a restore bug cost their own points: the restore of the grader's checkpoint still passes.
    Wrong(SR, "never_saved", "save_restore.checkpoint_files", "no_checkpoint", "holds nothing",
          unaffected=("save_restore.restores_given_checkpoint",)),
    Wrong(SR, "never_saved", "save_restore.restored_accuracy", "no_checkpoint", "train_and_save must write it",
          unaffected=("save_restore.restores_given_checkpoint",)),
    Wrong(SR, "saver_made_first", "save_restore.saved_after_training", "saver_before_variables",
          "before any variable existed", unaffected=("save_restore.restores_given_checkpoint",)),
    Wrong(SR, "no_initializer", "save_restore.checkpoint_files", "initializer_not_run", "before initializing them",
          unaffected=("save_restore.restores_given_checkpoint",)),
    Wrong(SR, "initializer_after_restore", "save_restore.restores_given_checkpoint", "initializer_after_restore",
          "global_variables_initializer", unaffected=("save_restore.checkpoint_files",
                                                      "save_restore.saved_after_training")),
    Wrong(SR, "restore_fixed_path", "save_restore.restores_given_checkpoint", "hard_coded_path",
          "restore from the save_file", unaffected=("save_restore.checkpoint_files",)),
    Wrong(SR, "fixed_path", "save_restore.checkpoint_files", "hard_coded_path", "somewhere other than save_file"),
    Wrong(SR, "restore_fixed_path", "save_restore.restored_accuracy", "hard_coded_path", "restore from the save_file",
          unaffected=("save_restore.checkpoint_files", "save_restore.saved_after_training")),
    Wrong(SR, "saver_made_first", "save_restore.checkpoint_files", "saver_before_variables",
          "before any variable existed"),
    # The grader's checkpoint's accuracy is public (its check prints it): typed in, it does not follow the
    # relabelled digits the same restore is handed next.
    Wrong(SR, "typed_in_restore", "save_restore.restores_given_checkpoint", "accuracy_not_measured", "typed in",
          unaffected=("save_restore.checkpoint_files", "save_restore.saved_after_training")),
    # Public checks cannot tell a remembered number from a measured one; the hidden data can.
    Wrong(SR, "remembered_accuracy", "save_restore.evaluates_given_data", "accuracy_mismatch",
          "on the mnist.test it was given",
          unaffected=("save_restore.checkpoint_files", "save_restore.saved_after_training",
                      "save_restore.restored_accuracy")),
    # Exercise 5: named variables.
    Wrong(NV, "unnamed", "named_variables.names", "unnamed_variables", "'Variable:0'",
          unaffected=("named_variables.shapes",)),
    Wrong(NV, "unnamed", "named_variables.restore_shifted", "restore_fails", "restoring failed",
          unaffected=("named_variables.shapes",)),
    Wrong(NV, "colon_in_name", "named_variables.names", "colon_in_name", "TensorFlow refuses ':'"),
    Wrong(NV, "swapped_names", "named_variables.names", "swapped_names", "swapped",
          unaffected=("named_variables.shapes", "named_variables.restore_shifted")),
    Wrong(NV, "transposed_shapes", "named_variables.shapes", "transposed_weights", "transposed",
          unaffected=("named_variables.names", "named_variables.restore_shifted")),
    Wrong(NV, "returns_bias_first", "named_variables.shapes", "swapped_order", "return (weights, bias)"),
    Wrong(NV, "scoped_names", "named_variables.names", "wrong_names", "no scope",
          unaffected=("named_variables.shapes", "named_variables.restore_shifted")),
    Wrong(NV, "fixed_shapes", "named_variables.other_sizes", "wrong_shapes", "use the function's arguments",
          unaffected=("named_variables.names", "named_variables.shapes", "named_variables.restore_shifted")),
]

CORRECT_FILES = sorted(p for p in CORRECT.glob("*.py") if p.stem.startswith(MINE))


@pytest.fixture(scope="module")
def reference(runner: Runner, all_checks: list[Check]) -> dict[str, Observation]:
    """The reference observations for these three exercises only (overrides the session fixture),
    so that work in progress on other exercises cannot break this module."""
    from grading_support import compute_reference

    return compute_reference(runner, ROOT / "solutions", [c for c in all_checks if c.exercise in MINE])


def exercise_of(path: Path) -> str:
    return next(e for e in MINE if path.stem.startswith(e))


def test_every_row_has_its_file() -> None:
    assert not [row_id(r) for r in ROWS if not r.path.is_file()]


def test_catalogue_is_big_enough() -> None:
    assert len({(r.exercise, r.file) for r in ROWS}) >= 10
    assert {r.exercise for r in ROWS} == set(MINE)
    assert {exercise_of(p) for p in CORRECT_FILES} == set(MINE)


@pytest.mark.parametrize("name", MINE)
def test_stub_is_generated_from_the_solution(name: str) -> None:
    solution = (ROOT / "solutions" / f"{name}.py").read_text(encoding="utf-8")
    stub = (ROOT / "exercises" / f"{name}.py").read_text(encoding="utf-8")
    assert stub == make_stub(solution, name)
    assert "BEGIN SOLUTION" not in stub and "NotImplementedError" in stub


# -- judges on made-up observations (no TensorFlow) ----------------------------

def test_training_judge_refuses_a_claim_that_ignores_the_labels() -> None:
    with pytest.raises(Fail) as info:
        _judge_training({"accuracy": 0.9, "scrambled_accuracy": 0.9})
    pin(info.value)  # what the student reads
    assert info.value.mistake == "accuracy_not_measured"
    with pytest.raises(Fail) as info:
        _judge_training({"accuracy": 85.6, "scrambled_accuracy": 0.1})
    pin(info.value)  # what the student reads
    assert info.value.mistake == "not_a_fraction" and "percentage" in info.value.message
    assert "0.856" in _judge_training({"accuracy": np.float32(0.856), "scrambled_accuracy": 0.09})


def test_names_judge_explains_unnamed_variables() -> None:
    with pytest.raises(Fail) as info:
        judge_names({"names": ["Variable:0", "Variable_1:0"]})
    pin(info.value)  # what the student reads
    assert info.value.mistake == "unnamed_variables" and "creation order" in info.value.message


# -- graded with the worker ------------------------------------------------------

@pytest.mark.slow
@pytest.mark.parametrize("row", ROWS, ids=row_id)
def test_wrong_submission(row: Wrong, grade_wrong: Callable[[Wrong], StudentResult]) -> None:  # noqa: F811
    result = grade_wrong(row)
    check_row(result, row)
    assert result.score < result.max_score


@pytest.mark.slow
@pytest.mark.parametrize("path", CORRECT_FILES, ids=lambda p: p.stem)
def test_correct_another_way(path: Path, runner: Runner, reference: dict[str, Observation],
                             all_checks: list[Check]) -> None:
    name = exercise_of(path)
    checks = [c for c in all_checks if c.exercise == name]
    result = grade_files(runner, path.stem, {f"{name}.py": path.read_text(encoding="utf-8")}, checks, reference)
    assert result.score == result.max_score, [(c.check_id, c.message) for c in result.checks if c.status != "passed"]


@pytest.mark.slow
def test_a_tampered_given_checkpoint_earns_no_restore_points(runner: Runner, reference: dict[str, Observation],
                                                             all_checks: list[Check]) -> None:
    """Student code in the restore's worker makes TensorFlow read the handed checkpoint as all zeros and
    overwrites its files; it "restores" that and reports its accuracy. The judge compares with the model
    it handed out, so nothing it did to the checkpoint counts (judged on the worker's word, it passed)."""
    path = ROOT / "tests" / "submissions" / "hostile" / "forged_given_checkpoint" / "save_restore.py"
    checks = [c for c in all_checks if c.exercise == SR]
    result = grade_files(runner, "forged", {f"{SR}.py": path.read_text(encoding="utf-8")}, checks, reference)
    given = next(c for c in result.checks if c.check_id == "save_restore.restores_given_checkpoint")
    assert (given.status, given.score) == ("failed", 0.0), given.message
    assert given.mistake == "initializer_after_restore"   # the trained values did not come back
    assert result.score == 0, [(c.check_id, c.score) for c in result.checks]


@pytest.mark.slow
def test_public_checks_need_no_reference(runner: Runner, all_checks: list[Check]) -> None:
    """The student's self-check has no solutions/: every public check must judge without them."""
    from grader.pipeline import read_python_files

    public = [c for c in all_checks if c.exercise in MINE and c.visibility == "public"]
    files = {k: v for k, v in read_python_files(ROOT / "solutions").items() if Path(k).stem in MINE}
    outcome = runner.run(files, probes_for(public))
    results = judge_all(public, outcome.observations, None)
    assert [r.check_id for r in results if r.status != "passed"] == []


@pytest.mark.slow
def test_training_check_is_fast_and_repeatable(runner: Runner, reference: dict[str, Observation]) -> None:
    """The MNIST training probes (real and shuffled labels, in separate workers) stay under their
    time budget and grade the same twice."""
    files = {f"{MLP}.py": (ROOT / "solutions" / f"{MLP}.py").read_text(encoding="utf-8")}
    again = runner.run(files, [TRAIN, TRAIN_SHUFFLED]).observations
    for probe in (TRAIN, TRAIN_SHUFFLED):
        first, second = reference[probe.id], again[probe.id]
        assert first.duration < TRAIN_SECONDS_LIMIT
        assert second.ok and second.duration < TRAIN_SECONDS_LIMIT
        assert second.value["accuracy"] == first.value["accuracy"]
    assert again[TRAIN.id].value["accuracy"] >= 0.8 and again[TRAIN_SHUFFLED.id].value["accuracy"] < 0.2


@pytest.mark.slow
def test_grading_twice_gives_identical_scores(runner: Runner, reference: dict[str, Observation],
                                              all_checks: list[Check]) -> None:
    checks = [c for c in all_checks if c.exercise in (SR, NV)]
    files = {f"{SR}.py": Wrong(SR, "initializer_after_restore", "", None, "").source(),
             f"{NV}.py": Wrong(NV, "unnamed", "", None, "").source()}
    a = grade_files(runner, "twice", files, checks, reference)
    b = grade_files(runner, "twice", files, checks, reference)
    assert [(c.check_id, c.score, c.message) for c in a.checks] == [(c.check_id, c.score, c.message) for c in b.checks]


FORGERIES = [None, "0.9", 0.9, [1, 2], {"accuracy": "high", "scrambled_accuracy": 0.1},
             {"names": ["weights_0:0"], "shapes": 3}, {"checkpoint": {"weights": ["x"]}, "saved_accuracy": 1.0}]


def _numpy_reference_value(p: Probe) -> object:
    """What the reference solution observes for one probe, made with numpy (no TensorFlow).

    Hidden checks need the reference's observation; the drivers of this module's hidden probes
    are made here. A probe with another driver gets no entry, so a new hidden check that needs
    one fails loudly in `test_numpy_reference_passes_every_hidden_check` instead of being skipped.
    """
    from grader.judging.oracles.mlp_mnist import expected_shapes, numpy_forward
    from grader.judging.oracles.save_restore import split_accuracy

    # The save_restore stand-in: a model that always says "0" (about a tenth of any balanced split).
    bias = np.zeros(10)
    bias[0] = 1.0
    weights = np.zeros((784, 10))

    if p.driver == "mlp_mnist.parameters":
        shapes = expected_shapes(*(p.args.get("sizes") or (784, 256, 10)))
        return {part: {k: {"variable": True, "shape": s, "std": 1.0} for k, s in d.items()}
                for part, d in shapes.items()}
    if p.driver == "mlp_mnist.forward":
        return numpy_forward(p.args)
    if p.driver == "mlp_mnist.train":
        return {"accuracy": 0.1 if p.args.get("shuffle_test_labels") else 0.9}
    if p.driver == "save_restore":
        saved_accuracy = split_accuracy(weights, bias, p.args.get("save_test", "test"))
        restored_accuracy = split_accuracy(weights, bias, p.args.get("evaluate_on", "test"))
        return {"saved_accuracy": saved_accuracy, "restored_accuracy": restored_accuracy, "restore_error": None,
                "files": ["model.ckpt.index", "model.ckpt.data-00000-of-00001", "model.ckpt.meta", "checkpoint"],
                "checkpoint": {"error": None, "variables": {"weights": [784, 10], "bias": [10]},
                               "weights": [weights], "bias": [bias]}}
    if p.driver == "verify_checkpoint":
        # The clean worker's re-score of the checkpoint the stand-in wrote, on each split asked for.
        return {"models": [{"accuracy": {split: split_accuracy(weights, bias, split) for split in p.args["splits"]}}]}
    if p.driver == "named_variables":
        n_in, n_out = p.args["n_inputs"], p.args["n_outputs"]
        saved = [np.ones((n_in, n_out)), np.zeros(n_out)]
        return {"names": ["weights_0:0", "bias_0:0"], "restore_names": ["weights_0:0", "bias_0:0"],
                "shapes": [[n_in, n_out], [n_out]], "saved": saved, "restored": saved, "restore_error": None}
    return None


def numpy_reference(checks: list[Check]) -> dict[str, Observation]:
    ref = {}
    for chk in checks:
        for p in chk.probes:
            value = _numpy_reference_value(p)
            if value is not None:
                ref[p.id] = Observation(p.id, value=value)
    return ref


def test_numpy_reference_passes_every_hidden_check(all_checks: list[Check]) -> None:
    """The stand-in reference is a right answer: judged as a student, every hidden check passes."""
    from grader.judging.judge import judge

    hidden = [c for c in all_checks if c.exercise in MINE and c.visibility == "hidden"]
    assert hidden
    ref = numpy_reference(hidden)
    for chk in hidden:
        missing = [p.id for p in chk.probes if p.id not in ref]
        assert not missing, f"{chk.id}: add its probes' drivers to _numpy_reference_value ({missing})"
        result = judge(chk, ref, ref)
        assert result.status == "passed", (chk.id, result.instructor_message or result.message, result.grader_error)


@pytest.mark.parametrize("forged", FORGERIES, ids=range(len(FORGERIES)))
def test_forged_observations_fail_cleanly(forged: object, all_checks: list[Check]) -> None:
    """Student code shares the worker and can forge any value: judges fail it, never crash.

    Every check is judged, hidden ones too, against a numpy stand-in for the reference
    (a ReferenceSolutionError here is a test failure, never a skip)."""
    from grader.judging.judge import judge

    mine = [c for c in all_checks if c.exercise in MINE]
    reference = numpy_reference(mine)
    judged = []
    for chk in mine:
        obs = {p.id: Observation(p.id, value=forged) for p in chk.probes}
        result = judge(chk, obs, reference)
        pin(result)  # what a student who forges this value reads
        assert result.status == "failed" and result.score == 0.0, (
            chk.id, result.instructor_message or result.message, result.grader_error)
        judged.append(chk.id)
    assert len(judged) == len(mine) >= 13
