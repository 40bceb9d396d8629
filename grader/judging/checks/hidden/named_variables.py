"""Hidden check for exercise 5: other sizes, and more variables created before the student's."""

from __future__ import annotations

from grader.judging.checks.base import Evidence, check, probe
from grader.judging.checks.named_variables import EXERCISE, judge_names, judge_restore, judge_shapes, observed

P_OTHER = probe("named_variables.hidden_other", "named_variables", exercise=EXERCISE,
                n_inputs=4, n_outputs=5, decoys=2, folder="named_hidden")


@check(EXERCISE, "other_sizes", "named variables of other sizes restore after two other variables",
       points=2, probes=[P_OTHER], visibility="hidden",
       hint="Use n_inputs and n_outputs for the shapes; keep the names.")
def other_sizes(ev: Evidence) -> None:
    got = observed(ev, P_OTHER)
    judge_shapes(got, 4, 5)
    judge_names(got)
    judge_restore(got)
