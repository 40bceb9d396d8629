"""Oracles at their edges: the thresholds, branches and refusals the catalogue tests do not reach.

Each test names the mistake or the value an oracle must give when an input sits right where a
rule changes (a single-layer network, a scalar variable, keep_prob 1.0, a copied quiz answer that
is only nearly right, a seed text that is not a number).
"""

from __future__ import annotations

import numpy as np
import pytest
from judge_support import fails

from grader.judging.checks.hidden.save_restore import verified_scores
from grader.judging.oracles import dropout, mlp_mnist, parameter_count, relu_model, secret
from grader.judging.oracles.dropout import Net
from grader.paths import Paths


# -- parameter counts ------------------------------------------------------------------------

def test_one_layer_has_no_first_or_last_layer_only_mistake() -> None:
    assert "first_layer_only" not in parameter_count.parameter_mistakes([3, 2])
    assert {"first_layer_only", "last_layer_only"} <= set(parameter_count.parameter_mistakes([3, 2, 2]))


def test_first_dimension_only_counts_a_scalar_variable_as_one() -> None:
    assert parameter_count.scalar_mistakes([[3, 4], []])["first_dim_only"][0] == 4
    with fails("first_dim_only"):
        parameter_count.judge_scalars(12, [[4, 5], [], [7, 2]])  # 4 + 1 + 7; the right total is 35


def test_a_count_that_is_not_a_whole_number_is_refused_naming_the_function() -> None:
    with fails("wrong_type") as info:
        parameter_count.judge_parameters("12", [2, 3], "this network")
    assert info.value.student_message == "count_parameters should return a whole number."
    with fails("wrong_type") as info:
        parameter_count.judge_scalars(12.0, [[2, 3]])
    assert info.value.student_message == "count_variables should return a whole number."


# -- dropout at keep_prob 1.0 ----------------------------------------------------------------

def small_net() -> Net:
    """Two rows, hidden activations all between 0 and 1 (so a threshold of 1 would hide them)."""
    return Net.of({"features": [[0.5, 0.2], [0.3, 0.6]], "weights": [[[0.4, 0.7], [0.9, 0.3]], [[1.0, -2.0], [0.5, 3.0]]],
                   "biases": [[0.1, 0.05], [0.2, -0.1]]})


def test_keep_prob_one_with_every_unit_dropped_is_keep_prob_inverted_even_for_small_activations() -> None:
    net = small_net()
    assert (net.hidden > 0).all() and (net.hidden < 1).all()
    want = net.plain()
    with fails("keep_prob_inverted"):
        dropout.judge_plain(np.zeros_like(want) + net.b1, want, net)


def test_keep_prob_one_slightly_off_is_a_changed_output() -> None:
    net = small_net()
    want = net.plain()
    with fails("keep_prob_one_changes_output"):
        dropout.judge_plain(want + 0.5, want, net)


def test_keep_prob_one_ignored_only_when_every_row_looks_halved() -> None:
    net = small_net()
    want = net.plain()
    doubled = net.hidden * 2.0 @ net.w1 + net.b1  # every unit kept and scaled by 1 / 0.5
    with fails("keep_prob_ignored"):
        dropout.judge_plain(doubled, want, net)
    mixed = np.vstack([doubled[:1], want[1:] + 0.5])
    with fails("keep_prob_one_changes_output"):
        dropout.judge_plain(mixed, want, net)


def test_dropout_judged_at_keep_prob_one_names_no_rate_mistake() -> None:
    """At keep_prob 1.0 the keep_prob-as-rate family is the plain model (1 / (1 - 1) is no scale)."""
    net = small_net()
    with fails("not_a_dropout_mask"):
        dropout.judge_dropout(net.plain() * 3.0 + 1.0, net, 1.0)
    dropout.judge_dropout(net.plain(), net, 1.0)


# -- relu_model: a copied quiz answer ---------------------------------------------------------

def test_the_quiz_answer_returned_for_other_inputs_is_hard_coded_even_when_rounded() -> None:
    quiz = relu_model.relu_logits(relu_model.LESSON_INPUTS)
    other = {**relu_model.LESSON_INPUTS, "features": np.asarray(relu_model.LESSON_INPUTS["features"]) + 1.0}
    want = relu_model.relu_logits(other)
    with fails("hard_coded") as info:
        relu_model.compare_logits(quiz + 0.004, want, other)  # within 0.01 of the published numbers
    assert info.value.tolerance == (0.0, 0.01)
    nudged = {**relu_model.LESSON_INPUTS, "features": np.asarray(relu_model.LESSON_INPUTS["features"]) + 0.01}
    near = relu_model.relu_logits(nudged)
    assert 1e-3 < np.max(np.abs(near - quiz)) < 1.0
    with fails("hard_coded"):
        relu_model.compare_logits(quiz, near, nudged)  # inputs barely moved: still a copy
    with fails("wrong_values"):
        relu_model.compare_logits(quiz + 0.5, want, other)  # far from the quiz's numbers: not a copy
    relu_model.compare_logits(quiz, quiz, relu_model.LESSON_INPUTS)  # on the quiz's inputs it is right


def test_a_mistake_closer_than_the_margin_does_not_separate() -> None:
    inputs = relu_model.hidden_inputs(secret.DEVELOPMENT_SEED)["hidden_shapes"]
    assert relu_model.separates_mistakes(inputs)
    positive = {**inputs, "features": np.abs(inputs["features"]) + 5.0, "biases": [np.zeros(4), np.zeros(3)]}
    assert not relu_model.separates_mistakes(positive)  # biases_ignored equals the right answer here


# -- the course seed -------------------------------------------------------------------------

def test_seeds_are_bounded_and_any_text_is_one() -> None:
    assert secret.parse_seed(str(2**63 + 5)) == 5
    assert secret.parse_seed(" 42\n") == 42
    assert isinstance(secret.parse_seed("caf\udcff term"), int)  # an undecodable byte in the seed file


def test_a_written_seed_holds_62_random_bits(tmp_path: object) -> None:
    from pathlib import Path

    seeds = []
    for i in range(64):
        folder = Path(str(tmp_path)) / str(i)
        (folder / "solutions").mkdir(parents=True)
        made = secret.ensure_seed(Paths(folder))
        assert made is not None
        seeds.append(int(made.read_text(encoding="utf-8")))
    assert max(seeds) < 2**62 and len(set(seeds)) == len(seeds)


# -- save_restore: scores read back from the clean worker --------------------------------------

def test_verified_scores_read_only_well_formed_models() -> None:
    assert verified_scores("not a dict") == []
    assert verified_scores({"models": "not a list"}) == []
    assert verified_scores({"models": [1, {"accuracy": 2}, {"accuracy": {"relabelled": 1}},
                                       {"accuracy": {"relabelled": 0.25}}]}) == [0.25]


# -- mlp_mnist -------------------------------------------------------------------------------

def _params(shapes: dict[str, dict[str, list[int]]], **entry: object) -> dict[str, object]:
    return {part: {k: {"variable": True, "shape": s, "std": 0.1, **entry} for k, s in d.items()}
            for part, d in shapes.items()}


@pytest.mark.parametrize("entry", [
    {"variable": "yes"}, {"shape": "784x256"}, {"shape": [784, True]}, {"std": "0.1"}, {"std": True},
])
def test_a_parameter_entry_missing_any_field_is_malformed(entry: dict[str, object]) -> None:
    got = _params(mlp_mnist.expected_shapes(6, 5, 3))
    got["weights"]["out"] = {**got["weights"]["out"], **entry}  # type: ignore[index]
    with fails("malformed"):
        mlp_mnist.compare_parameters(got, (6, 5, 3))
    got["weights"]["out"] = "not a dict"  # type: ignore[index]
    with fails("malformed"):
        mlp_mnist.compare_parameters(got, (6, 5, 3))


def test_only_the_output_weights_transposed_is_named() -> None:
    shapes = mlp_mnist.expected_shapes(6, 5, 3)
    shapes["weights"]["out"] = [3, 5]
    with fails("transposed_weights"):
        mlp_mnist.compare_parameters(_params(shapes), (6, 5, 3))
    shapes["weights"]["out"] = [5, 4]
    with fails("wrong_shapes"):
        mlp_mnist.compare_parameters(_params(shapes), (6, 5, 3))


def test_forward_logits_that_match_no_known_mistake_get_the_general_message() -> None:
    inputs = mlp_mnist.FORWARD_INPUTS
    want = mlp_mnist.numpy_forward(inputs)
    with fails("wrong_values") as info:
        mlp_mnist.compare_logits(want + 0.5, want, inputs)
    assert info.value.student_message == "The logits are not relu(x @ W_hidden + b_hidden) @ W_out + b_out."


@pytest.mark.parametrize("accuracy, shuffled, mistake", [
    (1.0, 0.1, None),                                # a perfect score is a fraction
    (1.5, 0.1, "not_a_fraction"), (100.0, 0.1, "not_a_fraction"), (100.5, 0.1, "not_a_fraction"),
    (0.9, mlp_mnist.CHANCE_LIMIT, "wrong_split"),     # the chance limit itself is too high
    (0.9, mlp_mnist.CHANCE_LIMIT - 1e-6, None),
    (mlp_mnist.BROKEN_METRIC, 0.1, "not_training"),   # each limit is the first value that passes it
    (mlp_mnist.NOT_LEARNING, 0.1, "low_accuracy"),
    (mlp_mnist.PASS_ACCURACY, 0.1, None),
])
def test_training_limits_are_exact(accuracy: float, shuffled: float, mistake: str | None) -> None:
    got = {"accuracy": accuracy, "scrambled_accuracy": shuffled}
    if mistake is None:
        assert mlp_mnist.judge_training(got).startswith(f"Test accuracy {accuracy:.3f}")
        return
    with fails(mistake) as info:
        mlp_mnist.judge_training(got)
    percentage = " It looks like a percentage; return a fraction."
    assert info.value.message.endswith(percentage) == (mistake == "not_a_fraction" and accuracy <= 100.0)


# -- dropout: the kept fraction and where a bad row is ------------------------------------------

def visible_net(rows: int = 25) -> Net:
    """Every hidden unit active in every row, and distinct outputs for every mask: each row's mask
    can be read back exactly."""
    r = np.random.default_rng(7)
    return Net.of({"features": r.uniform(0.5, 1.5, (rows, 4)), "weights": [np.eye(4), r.normal(0, 1, (4, 4))],
                   "biases": [np.full(4, 0.5), r.normal(0, 0.1, 4)]})


def logits_with_kept(net: Net, kept: int, keep_prob: float = 0.5) -> np.ndarray:
    """Rows from explicit masks keeping `kept` of the rows * 4 hidden units."""
    flat = np.zeros(net.hidden.size)
    flat[:kept] = 1.0
    masks = flat.reshape(net.hidden.shape)
    return (net.hidden * masks / keep_prob) @ net.w1 + net.b1


def test_the_kept_fraction_limit_is_exact() -> None:
    """100 units at keep_prob 0.5: the limit is 6 standard deviations (5 units) plus one, 31 units."""
    net = visible_net()
    assert net.hidden.size == 100 and (net.hidden > 0).all()
    for kept in (19, 50, 81):
        dropout.judge_dropout(logits_with_kept(net, kept), net, 0.5)
    for kept in (18, 82):
        with fails("wrong_keep_rate"):
            dropout.judge_dropout(logits_with_kept(net, kept), net, 0.5)
    with fails("never_drops"):
        dropout.judge_dropout(logits_with_kept(net, 100), net, 0.5)


def test_the_first_row_no_mask_explains_is_named() -> None:
    net = visible_net()
    got = logits_with_kept(net, 50)
    got[7] += 3.0
    with fails("not_a_dropout_mask") as info:
        dropout.judge_dropout(got, net, 0.5)
    assert "row 7 of the logits" in info.value.message


def test_logits_for_a_run_that_is_not_there_is_the_wrong_type() -> None:
    from grader.judging.checks.base import Check, Evidence, probe
    from grader.model import Observation

    p = probe("demo.p", "dropout_model", exercise="dropout")
    ev = Evidence(Check("dropout.demo", "dropout", "d", 1.0, "public", (p,), lambda e: None),
                  {p.id: Observation(p.id, value=[np.array([[True, False]])])}, None)
    assert dropout.logits_for(ev, p, 0).tolist() == [[1.0, 0.0]]
    with fails("wrong_type"):
        dropout.logits_for(ev, p, 1)


# -- quiz options ----------------------------------------------------------------------------

def test_quiz_options_read_past_quotes_and_refuse_long_markers() -> None:
    from grader.judging.oracles import quiz

    assert quiz.read_option("dropout doesnt work with batching", quiz.DROPOUT) == "1"
    assert quiz.read_option("'0.5' is too low.", quiz.DROPOUT) == "2"
    assert quiz.DROPOUT.by_marker("ab") is None and quiz.L2.by_marker("C") is None
    assert quiz.L2.by_marker("c") == "c" and quiz.DROPOUT.by_marker("4") == "4"


def test_the_lesson_keep_prob_one_check_uses_the_quizs_three_rows() -> None:
    from judge_support import CHECKS, failed, passed, run

    inputs = dropout.LESSON_INPUTS
    x, (w0, w1), (b0, b1) = (np.asarray(inputs["features"]), [np.asarray(w) for w in inputs["weights"]],
                             [np.asarray(b) for b in inputs["biases"]])
    plain = np.maximum(x @ w0 + b0, 0.0) @ w1 + b1
    assert plain.shape[0] == 3
    check = CHECKS["dropout.lesson_keep_prob_one"]
    pid = check.probes[0].id
    passed(run(check, {pid: [plain.astype(np.float32)]}))
    failed(run(check, {pid: [np.vstack([plain, plain]).astype(np.float32)]}), "wrong_shape")


def test_regularization_closeness_is_relative_to_the_loss_above_one() -> None:
    from grader.judging.oracles import regularization as reg

    assert reg.close(1000.0 + 0.5 * reg.RTOL * 1000.0, 1000.0)
    assert not reg.close(0.5 + 1.5 * reg.RTOL, 0.5)
    assert reg.close(0.5 + 0.5 * reg.RTOL, 0.5)


def test_a_reference_that_disagrees_with_the_formula_stops_grading() -> None:
    from judge_support import CHECKS, obs

    from grader.errors import ReferenceSolutionError
    from grader.judging.judge import judge

    check = CHECKS["parameter_count.other_networks"]
    right = {p.id: parameter_count.expected_parameters(p.args["layer_sizes"]) for p in check.probes}
    stale = {pid: n + 1 for pid, n in right.items()}
    with pytest.raises(ReferenceSolutionError, match="the reference solution gives"):
        judge(check, obs(right), obs(stale))
