"""Hidden checks for exercise 1: networks and variable shapes from the course seed, never shown to students."""

from __future__ import annotations

from grader.errors import ReferenceSolutionError
from grader.judging.checks.base import Declare, Evidence
from grader.judging.oracles.parameter_count import (EXERCISE, OTHER_VARIABLES, expected_parameters, expected_scalars, hidden_inputs,
                                                    judge_parameters, judge_scalars)
from grader.judging.oracles.secret import course_seed
from grader.model import Probe

ex = Declare(EXERCISE)
INPUTS = hidden_inputs(course_seed())
P_OTHER = [ex.probe(f"hidden_{i}", "count_parameters", layer_sizes=sizes) for i, sizes in enumerate(INPUTS["networks"])]
P_SHAPES = ex.probe("hidden_shapes", "count_variables", shapes=INPUTS["shapes"], others=OTHER_VARIABLES)


def _agree(ev: Evidence, p: Probe, want: int) -> None:
    """Guard against a stale formula here: the reference solution must agree with it."""
    ref = ev.reference(p)
    if ref != want:
        raise ReferenceSolutionError(f"{p.id}: the reference solution gives {ref!r}, the formula {want}")


@ex.check("other_networks", "count_parameters on networks of other depths and widths", points=3, probes=P_OTHER,
          visibility="hidden", hint="Loop over consecutive pairs of layer sizes; the network may have any number of layers.")
def other_networks(ev: Evidence) -> None:
    for p in ev.check.probes:
        sizes = p.args["layer_sizes"]
        _agree(ev, p, expected_parameters(sizes))
        judge_parameters(ev.value(p), sizes, f"the network {list(sizes)}")


@ex.check("other_variables", "count_variables on 3-D, 1-D and scalar variables", points=1, probes=[P_SHAPES],
          visibility="hidden", hint="A variable of shape [3, 4, 5] holds 60 numbers; a scalar variable (shape []) holds 1.")
def other_variables(ev: Evidence) -> None:
    p = ev.check.probes[0]
    _agree(ev, p, expected_scalars(p.args["shapes"]))
    judge_scalars(ev.value(p), p.args["shapes"], p.args.get("others", ()))
