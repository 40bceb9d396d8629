"""Public checks for exercise 1: the lesson's networks and variables (maths in oracles/parameter_count.py)."""

from __future__ import annotations

from grader.judging.checks.base import Declare, Evidence
from grader.judging.oracles.parameter_count import (EXERCISE, LESSON_NETWORKS, LESSON_VARIABLES, OTHER_VARIABLES,
                                                    judge_parameters, judge_scalars)

ex = Declare(EXERCISE)
P_NETWORKS = {key: ex.probe(key, "count_parameters", layer_sizes=sizes) for key, (sizes, _) in LESSON_NETWORKS.items()}
P_VARIABLES = ex.probe("lesson_variables", "count_variables", shapes=LESSON_VARIABLES[0], others=OTHER_VARIABLES)


@ex.check("lesson_networks", "count_parameters on the lesson's two networks", points=4,
          probes=list(P_NETWORKS.values()), hint="A layer from N inputs to K outputs has N * K weights and K biases.")
def lesson_networks(ev: Evidence) -> str:
    judge_parameters(ev.value(P_NETWORKS["logistic"]), LESSON_NETWORKS["logistic"][0],
                     "the 28x28 -> 10 logistic classifier")
    judge_parameters(ev.value(P_NETWORKS["mlp"]), LESSON_NETWORKS["mlp"][0], "the 784 -> 256 -> 10 network")
    return "7850 for the logistic classifier and 203530 for the 784 -> 256 -> 10 network."


@ex.check("lesson_variables", "count_variables on the lesson network's variables", points=2,
          probes=[P_VARIABLES], hint="variable.get_shape().as_list() gives the dimensions; multiply them.")
def lesson_variables(ev: Evidence) -> str:
    judge_scalars(ev.value(P_VARIABLES), LESSON_VARIABLES[0], OTHER_VARIABLES)
    return "203530 scalars, the same as count_parameters([784, 256, 10])."
