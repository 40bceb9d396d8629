"""Hostile submission: rewrites the relu_model driver's code object in place."""
import numpy as np

from grader.sandbox.drivers import relu_model as driver_module


def fake_driver(ctx, features, weights, biases):
    hidden = np.maximum(np.asarray(features) @ np.asarray(weights[0]) + np.asarray(biases[0]), 0)
    return hidden @ np.asarray(weights[1]) + np.asarray(biases[1])


driver_module.run_relu_model.__code__ = fake_driver.__code__
