"""Hostile submission: sys exit."""
import sys

sys.exit(0)


def relu_model(features, weights, biases):
    return None
