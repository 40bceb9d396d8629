"""The lesson's quiz data (QUIZZES.md sections 2, 6 and 8), written once for the whole package."""

from __future__ import annotations

HIDDEN_LAYER_WEIGHTS: list[list[float]] = [
    [0.1, 0.2, 0.4], [0.4, 0.6, 0.6], [0.5, 0.9, 0.1], [0.8, 0.2, 0.8]]
OUT_WEIGHTS: list[list[float]] = [[0.1, 0.6], [0.2, 0.1], [0.7, 0.9]]
ZERO_BIASES: list[list[float]] = [[0.0] * len(OUT_WEIGHTS), [0.0] * len(OUT_WEIGHTS[0])]

RELU_FEATURES: list[list[float]] = [[1.0, 2.0, 3.0, 4.0], [-1.0, -2.0, -3.0, -4.0], [11.0, 12.0, 13.0, 14.0]]
DROPOUT_FEATURES: list[list[float]] = [[0.0, 2.0, 3.0, 4.0], [0.1, 0.2, 0.3, 0.4], [11.0, 12.0, 13.0, 14.0]]
DROPOUT_KEEP_PROB = 0.5


def network(features: list[list[float]]) -> dict[str, object]:
    """The quiz network's inputs in the exercises' (features, weights, biases) form."""
    return {"features": features, "weights": [HIDDEN_LAYER_WEIGHTS, OUT_WEIGHTS], "biases": ZERO_BIASES}
