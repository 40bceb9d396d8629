"""Hidden checks for exercise 6: more weights, negative values, another beta."""

from __future__ import annotations

from typing import Any

import numpy as np

from grader.judging.checks.base import Evidence, check, probe
from grader.judging.checks.regularization import compare_loss, expected_loss


def _inputs(seed: int, loss: float, beta: float, shapes: list[tuple[int, ...]]) -> dict[str, Any]:
    rng = np.random.default_rng(seed)
    return {"loss": loss, "beta": beta, "weights": [np.round(rng.normal(0, 1, s), 3) for s in shapes]}


THREE = _inputs(6101, loss=2.3, beta=0.05, shapes=[(5, 4), (4, 4), (4, 3)])
ONE = _inputs(6102, loss=1.25, beta=0.25, shapes=[(3, 2, 2)])

P_THREE = probe("regularization.hidden_three", "l2_regularized_loss", exercise="regularization", **THREE)
P_ONE = probe("regularization.hidden_one", "l2_regularized_loss", exercise="regularization", **ONE)


@check("regularization", "three_weights", "l2_regularized_loss over three weight matrices with negative values",
       points=4, probes=[P_THREE], visibility="hidden",
       hint="Sum 1/2 ||w||^2 over every tensor of the list, whatever its length.")
def three_weights(ev: Evidence) -> None:
    compare_loss(ev.value(P_THREE), THREE, float(ev.reference(P_THREE)))
    # Also against the formula, so a drifting reference cannot hide a wrong answer.
    compare_loss(ev.value(P_THREE), THREE, expected_loss(THREE))


@check("regularization", "one_weight", "l2_regularized_loss with a single 3-D weight and another beta",
       points=2, probes=[P_ONE], visibility="hidden",
       hint="beta is an argument: do not hard-code 0.01.")
def one_weight(ev: Evidence) -> None:
    compare_loss(ev.value(P_ONE), ONE, float(ev.reference(P_ONE)))
