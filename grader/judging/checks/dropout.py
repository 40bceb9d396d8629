"""Public checks for exercise 7: dropout_model on the dropout quiz's inputs (maths in oracles/dropout.py)."""

from __future__ import annotations

from grader.judging.checks.base import Declare, Evidence
from grader.judging.oracles.dropout import (EXERCISE, LESSON_INPUTS, LESSON_REPEATS, RTOL, Net, all_masks,  # noqa: F401
                                            hidden_masks, judge_dropout, judge_plain, lesson_net, logits_for)
from grader.judging.oracles.lesson import DROPOUT_KEEP_PROB
from grader.judging.oracles.quiz_format import function_or_quiz, judge_dropout_quiz

ex = Declare(EXERCISE)
P_LESSON_ONE = ex.probe("lesson_keep_one", "dropout_model", keep_probs=[1.0], **LESSON_INPUTS)
P_LESSON_HALF = ex.probe("lesson_keep_half", "dropout_model", keep_probs=[0.5], repeats=LESSON_REPEATS,
                         **LESSON_INPUTS)
# The quiz's original format: a script that leaves its answer in `output`, keep_prob fed 0.5.
DROPOUT_QUIZ = ex.probe("quiz_output", "quiz_output", name="output", keep_prob=DROPOUT_KEEP_PROB)


@ex.check("lesson_keep_prob_one", "dropout_model with keep_prob 1.0 on the dropout quiz's inputs", points=2,
          probes=[P_LESSON_ONE], tolerance=(RTOL, RTOL),
          hint="Feed keep_prob 1.0 when evaluating: the output is then the plain ReLU model's.")
def lesson_keep_prob_one(ev: Evidence) -> str:
    net = lesson_net()
    judge_plain(logits_for(ev, P_LESSON_ONE, 0), net.plain(), net)
    return "keep_prob 1.0 gives the no-dropout answer [[4.78, 8.0], [0.511, 0.844], [24.01, 38.24]]."


@ex.check("lesson_keep_prob_half", "dropout_model with keep_prob 0.5 on the dropout quiz's inputs", points=3,
          probes=[P_LESSON_HALF, DROPOUT_QUIZ], tolerance=(RTOL, RTOL),
          hint="tf.nn.dropout(hidden_layer, keep_prob) after the ReLU, before the output layer.")
def lesson_keep_prob_half(ev: Evidence) -> str:
    # The quiz's original format (a script leaving `output`) is accepted here, on these inputs only.
    if function_or_quiz(ev, P_LESSON_HALF, DROPOUT_QUIZ)[0] == "quiz":
        return judge_dropout_quiz(ev.array(DROPOUT_QUIZ))
    judge_dropout(logits_for(ev, P_LESSON_HALF, 0), lesson_net(LESSON_REPEATS), 0.5)
    return "Every row is one of the quiz table's 8 keep/drop masks, and about half the units were kept."
