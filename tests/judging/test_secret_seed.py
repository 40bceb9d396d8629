"""Hidden inputs come from the course's secret seed: other seeds, other inputs, same verdicts for right answers."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from judge_support import CHECKS, passed, run, with_args

from grader.judging.oracles import dropout, mlp_mnist, named_variables, parameter_count, regularization, relu_model, secret
from grader.paths import Paths

SEEDS = (11, 987654321)


def flat(value: object) -> list[float]:
    if isinstance(value, dict):
        return [x for k in sorted(value) for x in flat(value[k])]
    if isinstance(value, (list, tuple)):
        return [x for v in value for x in flat(v)]
    if isinstance(value, str):
        return []  # names (of the graph's bystander variables) are not drawn from the seed
    return list(np.ravel(np.asarray(value, dtype=np.float64)))


@pytest.mark.parametrize("oracle", [dropout, mlp_mnist, named_variables, parameter_count, regularization, relu_model])
def test_two_seeds_give_different_inputs_and_one_seed_the_same(oracle: object) -> None:
    a, b = (oracle.hidden_inputs(s) for s in SEEDS)  # type: ignore[attr-defined]
    assert flat(a) != flat(b)
    assert flat(a) == flat(oracle.hidden_inputs(SEEDS[0]))  # type: ignore[attr-defined]


def _right_answers_pass(seed: int) -> None:
    """Every hidden check rebuilt on this seed's inputs gives full marks to the reference maths."""
    rel = relu_model.hidden_inputs(seed)
    for cid, name in (("relu_model.new_inputs", "hidden_shapes"), ("relu_model.square_weights", "hidden_square"),
                      ("relu_model.one_row_wide", "hidden_one_row")):
        assert relu_model.separates_mistakes(rel[name])
        chk, (p,) = with_args(cid, [rel[name]])
        want = relu_model.relu_logits(p.args)
        passed(run(chk, {p.id: want.astype(np.float32)}, {p.id: want}))
    reg = regularization.hidden_inputs(seed)
    for cid, name in (("regularization.three_weights", "hidden_three"), ("regularization.one_weight", "hidden_one")):
        chk, (p,) = with_args(cid, [reg[name]])
        want = regularization.expected_loss(p.args)
        passed(run(chk, {p.id: want}, {p.id: want}))
    pc = parameter_count.hidden_inputs(seed)
    chk, probes = with_args("parameter_count.other_networks", [{"layer_sizes": s} for s in pc["networks"]])
    right = {p.id: parameter_count.expected_parameters(p.args["layer_sizes"]) for p in probes}
    passed(run(chk, right, right))
    chk, (p,) = with_args("parameter_count.other_variables", [{"shapes": pc["shapes"]}])
    passed(run(chk, {p.id: parameter_count.expected_scalars(pc["shapes"])},
               {p.id: parameter_count.expected_scalars(pc["shapes"])}))
    many = dropout.hidden_inputs(seed)
    net = dropout.Net.of(many)
    rng = np.random.default_rng(seed)
    for cid, kps in (("dropout.many_rows", [0.5]), ("dropout.other_keep_probs", [0.8, 0.25])):
        chk, (p,) = with_args(cid, [many])
        logits = [(net.hidden * (rng.random(net.hidden.shape) < kp) / kp) @ net.w1 + net.b1 for kp in kps]
        passed(run(chk, {p.id: logits}))
    chk, (p,) = with_args("dropout.keep_prob_one", [many])
    passed(run(chk, {p.id: [net.plain()]}, {p.id: [net.plain()]}))
    mlp = mlp_mnist.hidden_inputs(seed)
    chk, (p,) = with_args("mlp_mnist.unseen_inputs", [mlp["wide"]])
    want = mlp_mnist.numpy_forward(p.args)
    passed(run(chk, {p.id: want}, {p.id: want}))
    n = named_variables.hidden_inputs(seed)
    chk, (p,) = with_args("named_variables.other_sizes", [n])
    arrays = [np.ones((n["n_inputs"], n["n_outputs"])), np.ones(n["n_outputs"])]
    passed(run(chk, {p.id: {"names": ["weights_0:0", "bias_0:0"], "restore_names": ["weights_0:0", "bias_0:0"],
                            "shapes": [list(a.shape) for a in arrays], "saved": arrays, "restored": arrays,
                            "restore_error": None}}))


@pytest.mark.parametrize("seed", SEEDS)
def test_reference_maths_gets_full_marks_for_any_seed(seed: int) -> None:
    _right_answers_pass(seed)


def test_seed_sources(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    paths = Paths(tmp_path)
    monkeypatch.delenv(secret.ENV, raising=False)
    assert secret.course_seed(paths) == secret.DEVELOPMENT_SEED
    assert secret.ensure_seed(paths) is None  # no solutions folder: nothing to keep a seed beside
    (tmp_path / "solutions").mkdir()
    made = secret.ensure_seed(paths)
    assert made == tmp_path / "solutions" / ".grader-seed"
    seed = secret.course_seed(paths)
    assert seed != secret.DEVELOPMENT_SEED and secret.ensure_seed(paths) is None
    assert secret.course_seed(paths) == seed
    monkeypatch.setenv(secret.ENV, "spring term")
    assert secret.course_seed(paths) == secret.parse_seed("spring term") != seed


def test_hidden_probes_run_in_the_hidden_group() -> None:
    hidden = [p for c in CHECKS.values() if c.visibility == "hidden" for p in c.probes]
    assert hidden and all(p.group == "hidden" or p.group.startswith("hidden:") for p in hidden)
    public = {p.id: p.group for c in CHECKS.values() if c.visibility == "public" for p in c.probes}
    assert not {p.id for p in hidden} & set(public)


def test_every_mistake_family_has_teaching_words() -> None:
    """Mistake ids are keys of results and analytics: a family renamed by accident shows up here."""
    from grader.judging.mistakes import TEACHING_WORDS
    from grader.judging.oracles import quiz

    ids = set(relu_model.known_mistakes(relu_model.hidden_inputs(1)["hidden_square"]))
    ids |= set(regularization.known_mistakes(regularization.LESSON_INPUTS))
    ids |= set(parameter_count.parameter_mistakes([5, 4, 3])) | set(parameter_count.scalar_mistakes([[2, 3]]))
    ids |= set(dropout.MISTAKES) | set(mlp_mnist.known_mistakes(mlp_mnist.FORWARD_INPUTS))
    ids |= {m for m, _ in quiz.PARAMETER_FEEDBACK.values()} | {m for m, _ in quiz.L2_OPTIONS.values()}
    ids |= {m for m, _ in quiz.DROPOUT_OPTIONS.values()}
    assert ids - set(TEACHING_WORDS) == set()
