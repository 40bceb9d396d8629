"""Every exercise end to end: reference solutions, untouched stubs, and other correct or hard-coded answers."""

from __future__ import annotations

import re
import sys
import types
from pathlib import Path

import numpy as np
import pytest
from snapshot_support import pin

from grader.authoring.assign import make_stub
from grader.judging.checks import EXERCISE_NAMES, Check, exercise_points, load_checks
from grader.judging.checks.dropout import Net, all_masks, judge_dropout, judge_plain
from grader.judging.checks.base import Fail
from grader.judging.mistakes import TEACHING_WORDS, declared_words, describe_mistake, student_text
from grader.model import Observation, StudentResult
from grader.paths import Paths
from grader.pipeline import probes_for, read_python_files
from grading_support import grade_files
from grader.runner.runner import Runner

SUBMISSIONS = Path(__file__).resolve().parents[1] / "submissions"
MINE = ("parameter_count", "relu_model", "regularization", "dropout", "quiz")
README = Path(__file__).resolve().parents[2] / "README.md"


def exercise_of(path: Path) -> str:
    """`relu_model_tf_maximum.py` -> `relu_model` (the longest exercise name that prefixes the stem)."""
    matches = [e for e in EXERCISE_NAMES if path.stem == e or path.stem.startswith(e + "_")]
    assert matches, f"{path.name} is not named after an exercise"
    return max(matches, key=len)


CORRECT = sorted((SUBMISSIONS / "correct").glob("*.py"))


def failures(result: StudentResult) -> list[str]:
    return [f"{c.check_id}: {c.status} {c.message}" for c in result.checks if c.status != "passed"]


# -- fast ---------------------------------------------------------------------

def readme_exercise_table() -> tuple[float, dict[str, float]]:
    """(the total in the heading, module -> points) from README's "## The exercises (N points)" table."""
    text = README.read_text(encoding="utf-8")
    head = re.search(r"^## The exercises \((\d+) points\)$", text, re.MULTILINE)
    assert head, "README has no '## The exercises (N points)' heading"
    rows: dict[str, float] = {}
    for line in text[head.end():].split("\n## ")[0].splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 4 and cells[0].isdigit():
            rows[cells[1].strip("`")] = float(cells[3])
    return float(head[1]), rows


def test_every_exercise_has_points_and_the_readme_agrees(all_checks: list[Check]) -> None:
    """Points are declared once, by the checks; README's table repeats them, so it must agree."""
    per_exercise = exercise_points(all_checks)
    assert set(per_exercise) == set(EXERCISE_NAMES)
    assert all(points > 0 for points in per_exercise.values())
    total, rows = readme_exercise_table()
    assert rows, "README's exercise table has no rows"
    assert {name: per_exercise.get(name) for name in rows} == rows
    assert total == sum(rows.values())


def test_an_exercise_points_are_the_sum_of_its_checks_points(all_checks: list[Check]) -> None:
    points = exercise_points(all_checks)
    relu = [c.points for c in all_checks if c.exercise == "relu_model"]
    assert len(relu) > 1 and points["relu_model"] == sum(relu)
    assert list(points) == [e for e in EXERCISE_NAMES if e in points]  # checks come in exercise order


def test_an_exercise_module_declares_words_beside_its_families(monkeypatch: pytest.MonkeyPatch) -> None:
    """A module's TEACHING_WORDS name its own ids for the dashboard and hidden checks; the table keeps its own."""
    module = types.ModuleType("grader.judging.checks.fake_exercise")
    module.TEACHING_WORDS = {"halved_sum": "summed, then halved", "wrong_shape": "another wording"}  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, module.__name__, module)
    declared_words.cache_clear()
    try:
        assert describe_mistake("halved_sum") == "summed, then halved"
        assert describe_mistake("wrong_shape") == TEACHING_WORDS["wrong_shape"]
        assert student_text("halved_sum").endswith("known mistake: summed, then halved.")
        assert describe_mistake("never_declared") == "never declared"
    finally:
        monkeypatch.delitem(sys.modules, module.__name__)
        declared_words.cache_clear()


def test_no_exercise_module_rewords_the_tables_teaching_words() -> None:
    """An exercise declares words only for its own ids; a shared id keeps the table's words."""
    declared = declared_words()
    assert {k: v for k, v in declared.items() if k in TEACHING_WORDS and TEACHING_WORDS[k] != v} == {}


def test_every_check_has_a_hint_and_both_visibilities_are_used(all_checks: list[Check]) -> None:
    for name in MINE:
        mine = [c for c in all_checks if c.exercise == name]
        assert all(c.hint for c in mine), name
        assert {c.visibility for c in mine} == {"public", "hidden"} or name == "quiz"


@pytest.mark.parametrize("name", MINE)
def test_stub_is_generated_from_the_solution(paths: Paths, name: str) -> None:
    solution = (paths.solutions / f"{name}.py").read_text(encoding="utf-8")
    assert "# BEGIN SOLUTION" in solution or "# SOLUTION" in solution
    assert (paths.exercises / f"{name}.py").read_text(encoding="utf-8") == make_stub(solution, name)


def _simulate(net: Net, keep_prob: float, rng: np.random.Generator, scale: float | None = None) -> np.ndarray:
    mask = (rng.random(net.hidden.shape) < keep_prob).astype(np.float64)
    return (net.hidden * mask * (scale if scale is not None else 1 / keep_prob)) @ net.w1 + net.b1


def _hidden_inputs() -> Net:
    from grader.judging.checks.hidden.dropout import MANY

    return Net.of(MANY)


def test_dropout_judge_accepts_every_seed() -> None:
    """Legitimate dropout passes whatever masks a TF version or seed happens to draw."""
    net = _hidden_inputs()
    for seed in range(200):
        rng = np.random.default_rng(seed)
        for kp in (0.5, 0.8, 0.25):
            judge_dropout(_simulate(net, kp, rng).astype(np.float32).astype(np.float64), net, kp)


def test_dropout_judge_rejects_rate_confusion_and_never_dropping() -> None:
    net, rng = _hidden_inputs(), np.random.default_rng(0)
    with pytest.raises(Fail) as rate:
        judge_dropout(_simulate(net, 0.2, rng, scale=1 / 0.2), net, 0.8)
    pin(rate.value)  # what the student reads
    assert rate.value.mistake == "keep_prob_as_rate"
    with pytest.raises(Fail) as never:
        judge_dropout(_simulate(net, 1.0, rng, scale=1 / 0.8), net, 0.8)
    pin(never.value)  # what the student reads
    assert never.value.mistake == "never_drops"


# The dropout quiz's table (QUIZZES.md): logits of each keep/drop mask at keep_prob 0.5, rows 0-2.
# Keys are (1st, 2nd, 3rd) hidden unit kept.
QUIZ_TABLE = {
    (0, 0, 0): [[0, 0], [0, 0], [0, 0]],
    (0, 0, 1): [[6.58, 8.46], [0.714, 0.918], [33.74, 43.38]],
    (0, 1, 0): [[1.88, 0.94], [0.196, 0.098], [9.56, 4.78]],
    (0, 1, 1): [[8.46, 9.4], [0.91, 1.016], [43.3, 48.16]],
    (1, 0, 0): [[1.1, 6.6], [0.112, 0.672], [4.72, 28.32]],
    (1, 0, 1): [[7.68, 15.06], [0.826, 1.59], [38.46, 71.7]],
    (1, 1, 0): [[2.98, 7.54], [0.308, 0.77], [14.28, 33.1]],
    (1, 1, 1): [[9.56, 16.0], [1.022, 1.688], [48.02, 76.48]],
}


def test_all_masks_enumerates_every_keep_drop_pattern_once() -> None:
    masks = all_masks(3)
    assert masks.shape == (8, 3)
    assert sorted(tuple(int(v) for v in m) for m in masks) == sorted(QUIZ_TABLE)


def test_dropout_masks_name_exactly_the_lesson_table_rows() -> None:
    """Every entry of the quiz's table is explained by its own mask, and by no other one."""
    from grader.judging.checks.dropout import LESSON_INPUTS, hidden_masks

    net = Net.of(LESSON_INPUTS)
    masks = [tuple(int(v) for v in m) for m in all_masks(3)]
    for row in range(3):
        got = np.array([QUIZ_TABLE[m][row] for m in masks])  # one candidate output per mask
        fits = hidden_masks(Net(net.x[[row] * 8], net.w0, net.b0, net.w1, net.b1), got, 2.0)
        assert fits.tolist() == np.eye(8, dtype=bool).tolist(), row
    # The "no dropout" answer is no mask at scale 2 (the original checker's false pass).
    assert not hidden_masks(net, net.plain(), 2.0).any()


def test_keep_prob_one_judge_names_each_mistake() -> None:
    """judge_plain passes the plain ReLU model and names every way keep_prob 1.0 can go wrong."""
    from grader.judging.checks.dropout import LESSON_INPUTS

    net = Net.of(LESSON_INPUTS)
    want = net.plain()
    assert np.allclose(want, [[4.78, 8.0], [0.511, 0.844], [24.01, 38.24]])  # QUIZZES.md
    judge_plain(want + 1e-7, want, net)
    cases = {
        "keep_prob_inverted": np.zeros_like(want) + net.b1,                 # every unit dropped
        "keep_prob_ignored": np.array([QUIZ_TABLE[(1, 1, 1)][0], QUIZ_TABLE[(1, 0, 0)][1],
                                       QUIZ_TABLE[(0, 1, 1)][2]]),          # the TF 1.3 answer at 0.5
        "keep_prob_one_changes_output": want * 1.1,
        "wrong_shape": want[:2],
        "not_finite": np.where(want > 30, np.nan, want),
    }
    for mistake, got in cases.items():
        with pytest.raises(Fail) as info:
            judge_plain(got, want, net)
        pin(info.value)  # what the student reads
        assert info.value.mistake == mistake


# -- slow: through the worker ---------------------------------------------------

@pytest.mark.slow
def test_reference_solutions_score_full_marks(runner: Runner, reference: dict[str, Observation],
                                              paths: Paths, all_checks: list[Check]) -> None:
    result = grade_files(runner, "reference", read_python_files(paths.solutions), all_checks, reference)
    assert failures(result) == []
    assert result.score == result.max_score == 100


@pytest.mark.slow
def test_public_checks_need_no_reference(runner: Runner, paths: Paths) -> None:
    """The student bundle has no solutions/: public checks must judge with numpy or published numbers."""
    public = load_checks(include_hidden=False)
    result = grade_files(runner, "bundle", read_python_files(paths.solutions), public, None)
    assert failures(result) == []


@pytest.mark.slow
def test_untouched_stubs_are_not_attempted(runner: Runner, reference: dict[str, Observation],
                                           paths: Paths, all_checks: list[Check]) -> None:
    result = grade_files(runner, "stubs", read_python_files(paths.exercises), all_checks, reference)
    assert result.score == 0
    wrong = [f"{c.check_id}: {c.status} {c.message}" for c in result.checks if c.status != "not_attempted"]
    assert wrong == []
    assert not any("Traceback" in c.message for c in result.checks)


@pytest.mark.slow
def test_hard_coded_relu_output_fails_every_hidden_check(runner: Runner, reference: dict[str, Observation],
                                                         all_checks: list[Check]) -> None:
    checks = [c for c in all_checks if c.exercise == "relu_model"]
    source = (SUBMISSIONS / "wrong" / "relu_model" / "hard_coded.py").read_text(encoding="utf-8")
    result = grade_files(runner, "hard-coded", {"relu_model.py": source}, checks, reference)
    public = [c for c in result.checks if c.visibility == "public"]
    hidden = [c for c in result.checks if c.visibility == "hidden"]
    assert public and all(c.status == "passed" for c in public)
    assert hidden and all(c.status == "failed" and c.mistake == "hard_coded" for c in hidden)


@pytest.mark.slow
@pytest.mark.parametrize("path", CORRECT, ids=lambda p: p.stem)
def test_correct_another_way(path: Path, runner: Runner, reference: dict[str, Observation],
                             all_checks: list[Check]) -> None:
    exercise = exercise_of(path)
    checks = [c for c in all_checks if c.exercise == exercise]
    result = grade_files(runner, path.stem, {f"{exercise}.py": path.read_text(encoding="utf-8")}, checks, reference)
    assert failures(result) == []


@pytest.mark.slow
def test_dropout_grading_is_deterministic(runner: Runner, paths: Paths, all_checks: list[Check]) -> None:
    checks = [c for c in all_checks if c.exercise == "dropout"]
    files = {"dropout.py": (paths.solutions / "dropout.py").read_text(encoding="utf-8")}
    first, second = (runner.run(files, probes_for(checks)).observations for _ in range(2))
    compared = 0
    for p in probes_for(checks):
        obs = first[p.id]
        if p.driver == "dropout_model":
            assert obs.error is None, obs.error
            compared += 1
            assert all(np.array_equal(a, b) for a, b in zip(obs.value, second[p.id].value)), p.id
    assert compared == 5
