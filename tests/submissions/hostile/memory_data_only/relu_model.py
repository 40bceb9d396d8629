"""Hostile submission: one allocation past the data limit, never touched.

Untouched pages are not resident, so the runner's memory poll never sees them:
only RLIMIT_DATA can refuse this (__MB__ MiB, filled in by the test).
"""


def relu_model(features, weights, biases):
    return bytearray(__MB__ << 20)
