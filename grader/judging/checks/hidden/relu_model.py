"""Hidden checks for exercise 2: inputs that separate the known mistakes."""

from __future__ import annotations

from typing import Any

import numpy as np

from grader.judging.checks.base import Evidence, check, probe
from grader.judging.checks.relu_model import compare_logits


def _inputs(seed: int, batch: int, n_in: int, n_hidden: int, n_out: int) -> dict[str, Any]:
    """Mixed-sign inputs: some hidden units go negative and the logits can too."""
    rng = np.random.default_rng(seed)
    return {
        "features": np.round(rng.normal(0, 2, (batch, n_in)), 3),
        "weights": [np.round(rng.normal(0, 1, (n_in, n_hidden)), 3),
                    np.round(rng.normal(0, 1, (n_hidden, n_out)), 3)],
        "biases": [np.round(rng.normal(0, 0.5, n_hidden), 3), np.round(rng.normal(0, 0.5, n_out), 3)],
    }


SHAPES = _inputs(9101, batch=7, n_in=5, n_hidden=4, n_out=3)
SQUARE = _inputs(9102, batch=6, n_in=4, n_hidden=4, n_out=2)

P_SHAPES = probe("relu_model.hidden_shapes", "relu_model", exercise="relu_model", **SHAPES)
P_SQUARE = probe("relu_model.hidden_square", "relu_model", exercise="relu_model", **SQUARE)


@check("relu_model", "new_inputs", "relu_model on unseen inputs with negative values and biases",
       points=6, probes=[P_SHAPES], visibility="hidden",
       hint="Only the hidden layer gets a ReLU; both layers add their biases.")
def new_inputs(ev: Evidence) -> None:
    compare_logits(ev.array(P_SHAPES), ev.reference_array(P_SHAPES), SHAPES)


@check("relu_model", "square_weights", "relu_model with square hidden weights", points=2,
       probes=[P_SQUARE], visibility="hidden",
       hint="Weights are [inputs, outputs]: tf.matmul(features, weights[0]).")
def square_weights(ev: Evidence) -> None:
    compare_logits(ev.array(P_SQUARE), ev.reference_array(P_SQUARE), SQUARE)


ONE_ROW = _inputs(9103, batch=1, n_in=6, n_hidden=5, n_out=4)
P_ONE_ROW = probe("relu_model.hidden_one_row", "relu_model", exercise="relu_model", **ONE_ROW)


@check("relu_model", "one_row_wide", "relu_model on a single example with a wider hidden layer", points=3,
       probes=[P_ONE_ROW], visibility="hidden",
       hint="Nothing in the model should depend on the batch size or the layer widths.")
def one_row_wide(ev: Evidence) -> None:
    compare_logits(ev.array(P_ONE_ROW), ev.reference_array(P_ONE_ROW), ONE_ROW)
