"""Hidden checks for exercise 3: other widths and unseen inputs from the course seed, compared with the reference."""

from __future__ import annotations

from grader.judging.checks.base import Declare, Evidence
from grader.judging.oracles.mlp_mnist import EXERCISE, compare_logits, compare_parameters, hidden_inputs
from grader.judging.oracles.secret import course_seed

ex = Declare(EXERCISE)
INPUTS = hidden_inputs(course_seed())
P_SIZES = ex.probe("hidden_parameters", "mlp_mnist.parameters", sizes=INPUTS["sizes"])
P_WIDE = ex.probe("hidden_forward", "mlp_mnist.forward", **INPUTS["wide"])


@ex.check("other_sizes", "make_parameters follows its size arguments", points=2, probes=[P_SIZES],
          visibility="hidden", hint="Use n_input, n_hidden_layer and n_classes rather than fixed numbers.")
def other_sizes(ev: Evidence) -> None:
    p = ev.check.probes[0]
    ev.reference(p)  # the reference must agree that these sizes are valid
    compare_parameters(ev.value(p), tuple(p.args["sizes"]))


@ex.check("unseen_inputs", "multilayer_perceptron on unseen inputs and widths", points=3, probes=[P_WIDE],
          visibility="hidden", tolerance=(1e-4, 1e-4), hint="Only the hidden layer gets a ReLU; both layers add their biases.")
def unseen_inputs(ev: Evidence) -> None:
    p = ev.check.probes[0]
    compare_logits(ev.array(p), ev.reference_array(p), p.args)
