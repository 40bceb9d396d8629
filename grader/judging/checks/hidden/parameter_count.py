"""Hidden checks for exercise 1: networks and variable shapes the student never saw."""

from __future__ import annotations

from grader.judging.checks.base import Evidence, check, probe
from grader.judging.checks.parameter_count import expected_parameters, expected_scalars, judge_parameters, judge_scalars
from grader.errors import ReferenceError_
from grader.model import Probe

NETWORKS = ([5, 3], [12, 7, 7, 3, 5], [784, 256, 256, 10])
SHAPES = [[3, 4, 5], [5], [], [2, 2], [1, 7]]

P_OTHER = [probe(f"parameter_count.hidden_{i}", "count_parameters", exercise="parameter_count",
                 layer_sizes=list(sizes)) for i, sizes in enumerate(NETWORKS)]
P_SHAPES = probe("parameter_count.hidden_shapes", "count_variables", exercise="parameter_count",
                 shapes=SHAPES)


def _agree(ev: Evidence, p: Probe, want: int) -> None:
    """Guard against a stale formula here: the reference solution must agree with it."""
    ref = ev.reference(p)
    if ref != want:
        raise ReferenceError_(f"{p.id}: the reference solution gives {ref!r}, the formula {want}")


@check("parameter_count", "other_networks", "count_parameters on networks of other depths and widths",
       points=3, probes=P_OTHER, visibility="hidden",
       hint="Loop over consecutive pairs of layer sizes; the network may have any number of layers.")
def other_networks(ev: Evidence) -> None:
    for p, sizes in zip(P_OTHER, NETWORKS):
        _agree(ev, p, expected_parameters(sizes))
        judge_parameters(ev.value(p), sizes, f"the network {list(sizes)}")


@check("parameter_count", "other_variables", "count_variables on 3-D, 1-D and scalar variables", points=1,
       probes=[P_SHAPES], visibility="hidden",
       hint="A variable of shape [3, 4, 5] holds 60 numbers; a scalar variable (shape []) holds 1.")
def other_variables(ev: Evidence) -> None:
    _agree(ev, P_SHAPES, expected_scalars(SHAPES))
    judge_scalars(ev.value(P_SHAPES), SHAPES)
