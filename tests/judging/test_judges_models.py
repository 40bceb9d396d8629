"""Judges of the TensorFlow exercises (3, 4, 5) on hand-made observations: every mistake by id. No TensorFlow."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from judge_support import CHECKS, failed, passed, run

from grader import data
from grader.judging.oracles import mlp_mnist as mlp
from grader.judging.oracles import save_restore as sr
from grader.model import ErrorInfo

# ---- exercise 3: mlp_mnist -------------------------------------------------------------------------------------

T, S = "mlp_mnist.train", "mlp_mnist.train_shuffled"


def training(accuracy: Any, shuffled: Any) -> Any:
    return run("mlp_mnist.training", {T: {"accuracy": accuracy}, S: {"accuracy": shuffled}})


@pytest.mark.parametrize(("accuracy", "shuffled", "mistake"), [
    (0.9, 0.9, "accuracy_not_measured"),
    (0.86, 0.84, "wrong_split"),
    (0.1, 0.1, "not_training"),
    (0.0, 0.0, "broken_accuracy_metric"),
    (0.5, 0.1, "low_accuracy"),
    (85.6, 0.1, "not_a_fraction"),
    (float("nan"), 0.1, "not_finite"),
    ("high", 0.1, "malformed"),
])
def test_training_verdicts(accuracy: Any, shuffled: Any, mistake: str) -> None:
    failed(training(accuracy, shuffled), mistake)


@pytest.mark.parametrize(("optimizers", "mistake"), [
    (["Adam"], "other_optimizer"), (["Momentum"], "other_optimizer"), (["GradientDescent"], None), ([], None),
    (["Adam", "GradientDescent"], None),  # gradient descent is there: what else runs is not judged here
])
def test_an_optimizer_other_than_gradient_descent_is_named(optimizers: list[str], mistake: str | None) -> None:
    for accuracy in (0.70, 0.82):  # whatever this run's accuracy: the verdict does not flip
        result = run("mlp_mnist.training", {T: {"accuracy": accuracy, "optimizers": optimizers},
                                             S: {"accuracy": 0.1}})
        if mistake is None:
            assert result.mistake in (None, "low_accuracy")
        else:
            failed(result, mistake)
            assert "GradientDescentOptimizer" in result.message and "tf.train.AdamOptimizer" in (
                result.message if optimizers == ["Adam"] else "tf.train.AdamOptimizer")


def test_training_passes_and_the_shuffled_run_is_its_own_worker() -> None:
    passed(training(0.856, 0.09))
    groups = {p.id: p.group for p in CHECKS["mlp_mnist.training"].probes}
    assert groups[T] == "main" and groups[S].startswith("fresh:")
    assert CHECKS["mlp_mnist.training"].probes[1].args["shuffle_test_labels"] is True


@settings(max_examples=30, deadline=None)
@given(accuracy=st.floats(0.0, mlp.BROKEN_METRIC, exclude_max=True), shuffled=st.floats(0.0, 0.2))
def test_far_below_chance_is_a_broken_metric(accuracy: float, shuffled: float) -> None:
    failed(training(accuracy, shuffled), "broken_accuracy_metric")


FWD = mlp.FORWARD_INPUTS


@pytest.mark.parametrize("mistake", sorted(mlp.known_mistakes(FWD)))
def test_forward_mistakes_are_named(mistake: str) -> None:
    failed(run("mlp_mnist.forward", {"mlp_mnist.forward": mlp.known_mistakes(FWD)[mistake][1]}), mistake)


def test_forward_right_answer_passes() -> None:
    passed(run("mlp_mnist.forward", {"mlp_mnist.forward": mlp.numpy_forward(FWD).astype(np.float32)}))


def params(sizes: tuple[int, int, int], *, transpose: bool = False, keys: tuple[str, str] = mlp.KEYS,
           variable: bool = True, std: float = 1.0) -> dict[str, Any]:
    shapes = mlp.expected_shapes(*sizes)
    if transpose:
        shapes["weights"]["hidden_layer"] = shapes["weights"]["hidden_layer"][::-1]
    return {part: {k2: {"variable": variable, "shape": shapes[part][k], "std": std} for k, k2 in zip(mlp.KEYS, keys)}
            for part in ("weights", "biases")}


@pytest.mark.parametrize(("value", "mistake"), [
    (params((784, 256, 10), transpose=True), "transposed_weights"),
    (params((784, 256, 10), keys=("h1", "out")), "wrong_keys"),
    (params((784, 256, 10), variable=False), "not_variable"),
    (params((784, 256, 10), std=0.0), "constant_weights"),
    (params((784, 128, 10)), "wrong_shapes"),
    ({"weights": 3}, "malformed"),
])
def test_parameter_mistakes(value: Any, mistake: str) -> None:
    failed(run("mlp_mnist.parameters", {"mlp_mnist.parameters": value}), mistake)


def test_hidden_sizes_are_not_shown() -> None:
    p = CHECKS["mlp_mnist.other_sizes"].probes[0]
    sizes = tuple(p.args["sizes"])
    assert len(set(sizes)) == 3
    passed(run("mlp_mnist.other_sizes", {p.id: params(sizes)}, {p.id: params(sizes)}))
    result = run("mlp_mnist.other_sizes", {p.id: params((784, 256, 10))}, {p.id: params(sizes)})
    failed(result, "wrong_shapes")
    assert f"n_input={sizes[0]}" not in result.message and f"n_input={sizes[0]}" in result.instructor_message
    assert "follow the size arguments" in result.message


# ---- exercise 4: save_restore -----------------------------------------------------------------------------------

def centroid_model() -> tuple[np.ndarray, np.ndarray]:
    """A cheap linear classifier (nearest class mean): about 0.8 on the test digits, like the lesson's model."""
    x, y = data.split_arrays()["train"]
    means = np.stack([x[y == k].mean(axis=0) for k in range(data.N_CLASSES)]).astype(np.float64)
    return 2 * means.T, -np.sum(means ** 2, axis=1)


W, B = centroid_model()
UNTRAINED = (np.zeros_like(W), np.zeros_like(B))


def saved(split: str, reported: float | None = None, restored: float | None = None, model: Any = (W, B),
          restore_error: dict[str, str] | None = None, files: list[str] | None = None) -> dict[str, Any]:
    actual = sr.split_accuracy(model[0], model[1], split)
    return {"saved_accuracy": actual if reported is None else reported,
            "files": ["checkpoint", "model.ckpt.data-00000-of-00001", "model.ckpt.index", "model.ckpt.meta"]
            if files is None else files,
            "checkpoint": {"error": None, "variables": {"w": [784, 10], "b": [10]},
                           "weights": [model[0]], "bias": [model[1]]},
            "restored_accuracy": None if restore_error else (actual if restored is None else restored),
            "restore_error": restore_error}


def test_centroid_model_is_a_trained_model() -> None:
    assert sr.split_accuracy(W, B, "test") > 0.7 and sr.split_accuracy(W, B, "relabelled") < 0.1


def test_honest_save_and_restore_pass() -> None:
    ok = {"save_restore.save": saved("test"), "save_restore.save_relabelled": saved("relabelled")}
    for cid in ("save_restore.checkpoint_files", "save_restore.saved_after_training", "save_restore.restored_accuracy"):
        passed(run(cid, ok))


def test_a_training_batch_accuracy_off_the_test_accuracy_is_named_by_the_relabelled_run() -> None:
    result = run("save_restore.saved_after_training", {
        "save_restore.save": saved("test", reported=0.8359), "save_restore.save_relabelled": saved("relabelled", 0.84)})
    failed(result, "wrong_split")
    result = run("save_restore.saved_after_training", {
        "save_restore.save": saved("test", reported=0.6), "save_restore.save_relabelled": saved("relabelled")})
    failed(result, "accuracy_mismatch")


def test_training_accuracy_is_told_from_test_accuracy() -> None:
    """0.8125 (last batch) or the training set's accuracy sit within a digit of the test accuracy; the
    relabelled run separates them."""
    train = sr.split_accuracy(W, B, "train")
    for reported in (train, 0.8125):
        result = run("save_restore.saved_after_training", {
            "save_restore.save": saved("test"), "save_restore.save_relabelled": saved("relabelled", reported)})
        failed(result, "wrong_split")
        assert "not on the training data" in result.message
    result = run("save_restore.saved_after_training", {
        "save_restore.save": saved("test"), "save_restore.save_relabelled": saved("relabelled", train)})
    assert "whole training set" in result.message
    validation = sr.split_accuracy(W, B, "validation")
    result = run("save_restore.saved_after_training", {
        "save_restore.save": saved("test"), "save_restore.save_relabelled": saved("relabelled", validation)})
    failed(result, "wrong_split")
    assert "validation set's accuracy" in result.message and "not on the validation data" in result.message


@pytest.mark.parametrize(("save", "mistake"), [
    (saved("test", reported=0.81, model=UNTRAINED), "saved_before_training"),
    (saved("test", reported=0.0), "broken_accuracy_metric"),
    (saved("test", reported=0.6), "accuracy_mismatch"),
    (saved("test", model=(W * 0 + np.eye(784, 10), B * 0)), "not_training"),
])
def test_saved_after_training_mistakes(save: dict[str, Any], mistake: str) -> None:
    failed(run("save_restore.saved_after_training",
               {"save_restore.save": save, "save_restore.save_relabelled": saved("relabelled")}), mistake)


def test_missing_checkpoint() -> None:
    none = saved("test", files=[])
    none["checkpoint"] = {"error": "NotFoundError: nothing", "variables": {}, "weights": [], "bias": []}
    failed(run("save_restore.checkpoint_files", {"save_restore.save": none}), "no_checkpoint")
    failed(run("save_restore.saved_after_training", {"save_restore.save": none,
                                                     "save_restore.save_relabelled": none}), "no_checkpoint")


@pytest.mark.parametrize(("error", "mistake"), [
    ({"type": "ValueError", "message": "No variables to save"}, "restore_before_variables"),
    ({"type": "NotFoundError", "message": "Failed to find any matching files for x"}, "no_checkpoint"),
    ({"type": "KeyError", "message": "'accuracy'"}, "restore_error"),
])
def test_restore_errors(error: dict[str, str], mistake: str) -> None:
    got = saved("test", files=[], restore_error=error)
    failed(run("save_restore.restored_accuracy", {"save_restore.save": got}), mistake)


def test_restore_from_a_path_in_the_code_and_save_to_one() -> None:
    error = {"type": "NotFoundError", "message": "Failed to find any matching files for model.ckpt"}
    failed(run("save_restore.restored_accuracy", {"save_restore.save": saved("test", restore_error=error)}),
           "hard_coded_path")
    elsewhere = {**saved("test", files=[]), "elsewhere": ["checkpoint", "model.ckpt.index"]}
    result = run("save_restore.checkpoint_files", {"save_restore.save": elsewhere})
    failed(result, "hard_coded_path")
    assert "/" not in result.message.replace("./model.ckpt", "")  # names only, never the worker's folders


def test_restore_not_attempted_and_mismatch() -> None:
    stub = saved("test", restore_error={"type": "NotImplementedError", "message": ""})
    assert run("save_restore.restored_accuracy", {"save_restore.save": stub}).status == "not_attempted"
    failed(run("save_restore.restored_accuracy", {"save_restore.save": saved("test", restored=0.5)}),
           "accuracy_mismatch")


VERIFY = "save_restore.hidden_other_verify"


def verified(*accuracies: float) -> dict[str, Any]:
    """What the clean worker that restores the checkpoint files reports."""
    return {"models": [{"accuracy": {"relabelled": float(a)}} for a in accuracies]}


def test_hidden_restore_hint_fits_the_mistake() -> None:
    """Initializer after restore gets the initializer hint, not "evaluate on mnist.test"."""
    pid = "save_restore.hidden_other_test"
    result = run("save_restore.restored_accuracy", {"save_restore.save": saved("test", restored=0.1)})
    failed(result, "initializer_after_restore")
    assert "global_variables_initializer" in result.hint
    reset = run("save_restore.evaluates_given_data", {pid: saved("relabelled", restored=0.1), VERIFY: verified()},
                {pid: saved("relabelled")})
    failed(reset, "initializer_after_restore")
    assert "global_variables_initializer" in reset.hint and "0.1" not in reset.message
    hidden = run("save_restore.evaluates_given_data", {pid: saved("relabelled", restored=0.5), VERIFY: verified()},
                 {pid: saved("relabelled")})
    failed(hidden, "accuracy_mismatch")
    assert "mnist.test" in hidden.hint and "0.5" not in hidden.message


# ---- exercise 5: named_variables --------------------------------------------------------------------------------

def named(names: list[str], shapes: list[list[int]], restore_error: str | None = None) -> dict[str, Any]:
    arrays = [np.ones(s) for s in shapes]
    return {"names": names, "restore_names": names, "shapes": shapes, "saved": arrays,
            "restored": None if restore_error else arrays, "restore_error": restore_error}


NAMES = ["weights_0:0", "bias_0:0"]
SH = "named_variables.shifted"


@pytest.mark.parametrize(("cid", "value", "mistake"), [
    ("named_variables.names", named(NAMES[::-1], [[2, 3], [3]]), "swapped_names"),
    ("named_variables.names", named(["Variable:0", "Variable_1:0"], [[2, 3], [3]]), "unnamed_variables"),
    ("named_variables.names", named(["scope/weights_0:0", "scope/bias_0:0"], [[2, 3], [3]]), "wrong_names"),
    ("named_variables.shapes", named(NAMES, [[3], [2, 3]]), "swapped_order"),
    ("named_variables.shapes", named(NAMES, [[3, 2], [3]]), "transposed_weights"),
    ("named_variables.shapes", named(NAMES, [[4, 5], [5]]), "wrong_shapes"),
    ("named_variables.restore_shifted", named(NAMES, [[2, 3], [3]], "Assign requires shapes"), "restore_fails"),
    ("named_variables.names", {"names": 3}, "malformed"),
])
def test_named_variable_mistakes(cid: str, value: Any, mistake: str) -> None:
    failed(run(cid, {SH: value}), mistake)


def test_restored_values_must_match() -> None:
    value = named(NAMES, [[2, 3], [3]])
    passed(run("named_variables.restore_shifted", {SH: value}))
    value["restored"] = [a + 1 for a in value["saved"]]
    failed(run("named_variables.restore_shifted", {SH: value}), "restore_wrong_values")


def test_hidden_named_sizes_are_not_shown() -> None:
    p = CHECKS["named_variables.other_sizes"].probes[0]
    n, m = p.args["n_inputs"], p.args["n_outputs"]
    assert n != m and p.group == "hidden"
    passed(run("named_variables.other_sizes", {p.id: named(NAMES, [[n, m], [m]])}))
    result = run("named_variables.other_sizes", {p.id: named(NAMES, [[2, 3], [3]])})
    failed(result, "wrong_shapes")
    assert f"n_inputs={n}" not in result.message and "use the function's arguments" in result.message.lower()


def test_probe_errors_in_hidden_checks_stay_generic() -> None:
    p = CHECKS["named_variables.other_sizes"].probes[0]
    killed = run("named_variables.other_sizes", {p.id: ErrorInfo("Timeout", "took 30 s", killed="timeout")})
    assert killed.status == "error" and "stopped (timeout)" in killed.message


def test_the_checkpoint_is_judged_by_a_worker_that_never_ran_student_code() -> None:
    """The student's worker reports the checkpoint's arrays; a clean worker restores the files
    themselves. A student process that misreports its checkpoint is caught by the difference."""
    pid = "save_restore.hidden_other_test"
    honest = saved("relabelled")
    actual = honest["restored_accuracy"]
    passed(run("save_restore.evaluates_given_data", {pid: honest, VERIFY: verified(actual)}, {pid: saved("relabelled")}))
    forged = run("save_restore.evaluates_given_data", {pid: honest, VERIFY: verified(actual + 0.3)},
                 {pid: saved("relabelled")})
    failed(forged, "accuracy_mismatch")
    nothing = run("save_restore.evaluates_given_data", {pid: honest, VERIFY: verified()}, {pid: saved("relabelled")})
    failed(nothing, "accuracy_mismatch")


def given_accuracy(split: str = "test") -> float:
    from grader.sandbox.given_model import given_model

    w, b = given_model()
    return sr.split_accuracy(np.asarray(w, np.float64), np.asarray(b, np.float64), split)


def handed(restored: float | None = None, relabelled: float | None = None, model: Any = (W, B),
           restore_error: dict[str, str] | None = None,
           relabelled_error: dict[str, str] | None = None) -> dict[str, Any]:
    """What the restore_given probe reports: a restore on mnist.test, then one on the relabelled digits
    (by default the given model's true accuracies, as a right restore measures them)."""
    got = saved("test", restored=given_accuracy() if restored is None else restored, model=model,
                restore_error=restore_error)
    second = given_accuracy("relabelled") if relabelled is None else relabelled
    got["relabelled"] = {"restored_accuracy": None if relabelled_error or restore_error else second,
                         "restore_error": relabelled_error or restore_error}
    return got


def test_a_restore_is_judged_apart_from_the_training() -> None:
    """restores_given_checkpoint: the grader's checkpoint decides when the student's own cannot."""
    given, own = "save_restore.restore_given", "save_restore.save"
    check = "save_restore.restores_given_checkpoint"
    broken_training = {**saved("test", files=[]), "restore_error": {"type": "NotFoundError",
                                                                   "message": "Failed to find any matching files"}}
    passed(run(check, {given: handed(), own: broken_training}))  # a training bug costs nothing here
    passed(run(check, {given: handed(restore_error={"type": "TypeError", "message": "x"}),
                       own: saved("test")}))  # restores its own checkpoint (import_meta_graph): right
    failed(run(check, {given: handed(restored=0.1, relabelled=0.1), own: broken_training}), "initializer_after_restore")
    stub = {"type": "NotImplementedError", "message": "not written yet"}
    assert run(check, {given: handed(restore_error=stub),
                       own: saved("test", restore_error=stub)}).status == "not_attempted"


def test_the_given_checkpoint_is_judged_on_the_values_handed_out_not_on_the_workers_word() -> None:
    """The worker reports which checkpoint it wrote and what that scores; student code ran there, so both
    may be forged. The expected accuracy is the handed-out model's, computed in the grading process."""
    given, own = "save_restore.restore_given", "save_restore.save"
    check = "save_restore.restores_given_checkpoint"
    broken_training = {**saved("test", files=[]), "restore_error": {"type": "NotFoundError",
                                                                   "message": "Failed to find any matching files"}}
    zeros = (np.zeros((784, 10)), np.zeros(10))
    chance = sr.split_accuracy(*zeros, "test")
    # A worker whose checkpoint (and report of it) was swapped for an all-zero model, restored "right".
    forged = handed(model=zeros, restored=chance)
    assert forged["restored_accuracy"] == forged["saved_accuracy"] == chance
    failed(run(check, {given: forged, own: broken_training}), "initializer_after_restore")
    # The same with a trained model of its own choosing: still not the model that was handed out.
    centroid = handed(restored=sr.split_accuracy(W, B, "test"))
    assert abs(centroid["restored_accuracy"] - given_accuracy()) > sr.TOLERANCE
    failed(run(check, {given: centroid, own: broken_training}), "accuracy_mismatch")
    # Its own untrained checkpoint, "restored" to the same chance accuracy, proves nothing: the given one decides.
    failed(run(check, {given: forged, own: saved("test", model=zeros)}), "initializer_after_restore")
    passed(run(check, {given: handed(), own: saved("test", model=zeros)}))


def test_a_typed_in_restore_of_the_given_checkpoint_fails() -> None:
    """The given model's accuracy is public: a restore_and_evaluate that returns it typed in passes on
    mnist.test, but returns it again on the relabelled digits, where the restored model scores near zero."""
    given, own = "save_restore.restore_given", "save_restore.save"
    check = "save_restore.restores_given_checkpoint"
    broken_training = {**saved("test", files=[]), "restore_error": {"type": "NotFoundError",
                                                                   "message": "Failed to find any matching files"}}
    typed = round(given_accuracy(), 3)
    assert abs(given_accuracy("relabelled") - typed) > 0.5
    result = run(check, {given: handed(restored=typed, relabelled=typed), own: broken_training})
    failed(result, "accuracy_not_measured")
    assert "restore_and_evaluate" in result.message and "typed in" in result.message
    shown = [f"{given_accuracy('relabelled'):{f}}" for f in (".2f", ".3f", ".4f")] + [f"{typed}", "0.016"]
    assert not any(number in result.message for number in shown), result.message
    # A number typed in that happens to be the student's own model's (say train_and_save ran the same
    # training as the grader's): its own checkpoint passes, the relabelled digits still name it.
    lucky = saved("test")
    number = lucky["restored_accuracy"]
    failed(run(check, {given: handed(restored=number, relabelled=number), own: lucky}), "accuracy_not_measured")
    # Any other wrong number on the relabelled digits, after a right one on mnist.test: not measured there.
    other = run(check, {given: handed(relabelled=0.3), own: broken_training})
    failed(other, "accuracy_mismatch")
    assert "0.3" not in other.message and "0.016" not in other.message
    # A right restore passes; one that measures but raises on the second call names its error.
    passed(run(check, {given: handed(), own: broken_training}))
    crash = run(check, {given: handed(relabelled_error={"type": "KeyError", "message": "'x'"}), own: broken_training})
    failed(crash, "restore_error")
    # A restore of its own checkpoint that does not work on the grader's: nothing typed in, still right.
    passed(run(check, {given: handed(restored=0.3, relabelled=0.2), own: saved("test")}))
    malformed = handed()
    malformed["relabelled"] = {"restored_accuracy": "0.016"}
    failed(run(check, {given: malformed, own: broken_training}), "malformed")


def test_the_given_model_is_a_trained_one_and_nothing_is_trained_beside_student_code() -> None:
    from grader.judging.checks.save_restore import GIVEN
    from grader.sandbox.given_model import given_model

    w, b = given_model()
    assert w.shape == (784, 10) and b.shape == (10,) and w.dtype == b.dtype == np.float32
    assert given_accuracy() >= sr.TRAINED_ACCURACY + 0.2   # the reference reaches about 0.81
    assert GIVEN.args == {"folder": "given"} and GIVEN.driver == "restore_given"


def test_a_name_with_colon_zero_is_named() -> None:
    from grader.model import ErrorInfo

    err = ErrorInfo("ValueError", "'weights_0:0' is not a valid root scope name. A root scope name has to match "
                    "the following pattern: ^[A-Za-z0-9.][A-Za-z0-9_.\\\\/>-]*$")
    result = run("named_variables.names", {"named_variables.shifted": err})
    failed(result, "colon_in_name")
    assert "regex" not in result.message and "pattern" not in result.message
