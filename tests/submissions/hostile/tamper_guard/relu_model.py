"""Hostile submission: turns the tamper check itself into a no-op, then replaces the driver."""
import numpy as np

import grader.sandbox.drivers as drivers
from grader.sandbox import integrity


def fake_driver(ctx, features, weights, biases):
    hidden = np.maximum(np.asarray(features) @ np.asarray(weights[0]) + np.asarray(biases[0]), 0)
    return hidden @ np.asarray(weights[1]) + np.asarray(biases[1])


def nothing_changed(self):
    return None


def no_changes(self, *args):
    return []


integrity.Guard.check.__code__ = nothing_changed.__code__
integrity.Snapshot.changes.__code__ = no_changes.__code__
drivers.DRIVERS["relu_model"] = fake_driver
