"""Hidden checks for exercise 3: other widths and unseen inputs, compared with the reference."""

from __future__ import annotations

from grader.judging.checks.base import Evidence, check, probe
from grader.judging.checks.mlp_mnist import EXERCISE, _forward_inputs, compare_logits, compare_parameters

OTHER_SIZES = (12, 7, 4)
P_SIZES = probe("mlp_mnist.hidden_parameters", "mlp_mnist.parameters", exercise=EXERCISE,
                sizes=list(OTHER_SIZES))
WIDE = _forward_inputs(3107, batch=9, n_in=13, n_hidden=11, n_out=5)
P_WIDE = probe("mlp_mnist.hidden_forward", "mlp_mnist.forward", exercise=EXERCISE, **WIDE)


@check(EXERCISE, "other_sizes", "make_parameters follows its size arguments", points=2, probes=[P_SIZES],
       visibility="hidden", hint="Use n_input, n_hidden_layer and n_classes rather than fixed numbers.")
def other_sizes(ev: Evidence) -> None:
    ev.reference(P_SIZES)  # the reference must agree that these sizes are valid
    compare_parameters(ev.value(P_SIZES), OTHER_SIZES)


@check(EXERCISE, "unseen_inputs", "multilayer_perceptron on unseen inputs and widths", points=3,
       probes=[P_WIDE], visibility="hidden",
       hint="Only the hidden layer gets a ReLU; both layers add their biases.")
def unseen_inputs(ev: Evidence) -> None:
    compare_logits(ev.array(P_WIDE), ev.reference_array(P_WIDE), WIDE)
