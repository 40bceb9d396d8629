"""Hostile submission: env secrets."""
import os


def relu_model(features, weights, biases):
    raise RuntimeError("ENV " + repr(sorted(os.environ)) + " " + os.environ.get("GRADER_TEST_SECRET", "none"))
