"""Public checks for exercise 2: relu_model on the ReLU quiz's inputs (maths in oracles/relu_model.py)."""

from __future__ import annotations

from grader.judging.checks.base import Declare, Evidence
from grader.judging.oracles.quiz_format import function_or_quiz, judge_relu_quiz
from grader.judging.oracles.relu_model import EXERCISE, LESSON_INPUTS, TOL, compare_logits, relu_logits

ex = Declare(EXERCISE)
LESSON = ex.probe("lesson", "relu_model", **LESSON_INPUTS)
# The quiz's original format: a script that leaves its answer in `output`.
RELU_QUIZ = ex.probe("quiz_output", "quiz_output", name="output")


@ex.check("lesson_inputs", "relu_model on the ReLU quiz's inputs", points=4, probes=[LESSON, RELU_QUIZ],
          hint="hidden = relu(features @ W0 + b0); logits = hidden @ W1 + b1.", tolerance=(TOL, TOL))
def lesson_inputs(ev: Evidence) -> str:
    # The quiz's original format (a script leaving `output`) is accepted here, on these inputs only.
    kind, got = function_or_quiz(ev, LESSON, RELU_QUIZ)
    if kind == "quiz":
        return judge_relu_quiz(got)
    # Judged with numpy: the student bundle ships without the reference solution.
    compare_logits(got, relu_logits(LESSON_INPUTS), LESSON_INPUTS)
    return "Matches the quiz's expected output [[5.11, 8.44], [0, 0], [24.01, 38.24]]."
