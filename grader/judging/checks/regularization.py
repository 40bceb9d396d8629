"""Public checks for exercise 6: l2_regularized_loss on the quiz's weights (maths in oracles/regularization.py)."""

from __future__ import annotations

from grader.judging.checks.base import Declare, Evidence
from grader.judging.oracles.regularization import EXERCISE, LESSON_INPUTS, RTOL, compare_loss, expected_loss

ex = Declare(EXERCISE)
LESSON = ex.probe("lesson", "l2_regularized_loss", **LESSON_INPUTS)


@ex.check("lesson_weights", "l2_regularized_loss on the ReLU quiz's weights", points=4, probes=[LESSON],
          hint="loss + beta * tf.add_n([tf.nn.l2_loss(w) for w in weights])", tolerance=(RTOL, 0.0))
def lesson_weights(ev: Evidence) -> str:
    # Judged with numpy: the student bundle ships without the reference solution.
    want = expected_loss(LESSON_INPUTS)
    compare_loss(ev.value(LESSON), LESSON_INPUTS, want)
    return f"0.7 + 0.1 * 2.6 = {want:.4g}: both weight matrices are penalised."
