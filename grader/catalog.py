"""The exercise list: names students see, titles and order. Plain data, safe for workers to import."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Exercise:
    name: str        # module name students edit: exercises/<name>.py
    title: str
    order: int


EXERCISES: tuple[Exercise, ...] = (
    Exercise("parameter_count", "Counting parameters", 1),
    Exercise("relu_model", "A ReLU hidden layer", 2),
    Exercise("mlp_mnist", "A 2-layer network on MNIST", 3),
    Exercise("save_restore", "Save and restore a model", 4),
    Exercise("named_variables", "Named variables for finetuning", 5),
    Exercise("regularization", "L2 regularization", 6),
    Exercise("dropout", "Dropout with keep_prob", 7),
    Exercise("quiz", "The lesson's quizzes", 8),
)
EXERCISE_NAMES = tuple(e.name for e in EXERCISES)
