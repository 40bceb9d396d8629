"""Hostile submission: replaces the grader's driver table with a driver that answers itself.

No relu_model at all: the fake driver computes the right logits with numpy, so
a grader that dispatched through the live table would give full marks.
"""
import numpy as np

import grader.sandbox.drivers as drivers


def fake_driver(ctx, features, weights, biases):
    hidden = np.maximum(np.asarray(features) @ np.asarray(weights[0]) + np.asarray(biases[0]), 0)
    return hidden @ np.asarray(weights[1]) + np.asarray(biases[1])


drivers.DRIVERS["relu_model"] = fake_driver           # the table's contents
drivers.DRIVERS = {"relu_model": fake_driver}         # and the module's name for it
