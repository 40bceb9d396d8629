"""Hidden check for exercise 5: other sizes from the course seed, and more variables created before the student's."""

from __future__ import annotations

from grader.judging.checks.base import Declare, Evidence
from grader.judging.oracles.named_variables import EXERCISE, hidden_inputs, judge_names, judge_restore, judge_shapes, observed
from grader.judging.oracles.secret import course_seed

ex = Declare(EXERCISE)
P_OTHER = ex.probe("hidden_other", "named_variables", folder="named_hidden", **hidden_inputs(course_seed()))


@ex.check("other_sizes", "named variables of other sizes restore after two other variables", points=2,
          probes=[P_OTHER], visibility="hidden", tolerance=(0.0, 1e-6),
          hint="Use n_inputs and n_outputs for the shapes; keep the names.")
def other_sizes(ev: Evidence) -> None:
    p = ev.check.probes[0]
    got = observed(ev, p)
    judge_shapes(got, p.args["n_inputs"], p.args["n_outputs"])
    judge_names(got)
    judge_restore(got)
