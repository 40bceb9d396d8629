"""Hostile submission: one allocation past the data limit, never touched.

The allocation is refused before a single page is touched, so the memory poll
never sees anything resident:
only RLIMIT_DATA can refuse this (__MB__ MiB, filled in by the test).
"""


def relu_model(features, weights, biases):
    return bytearray(__MB__ << 20)
