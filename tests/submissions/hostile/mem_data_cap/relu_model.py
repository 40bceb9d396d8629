"""Hostile submission: one private allocation larger than the data limit, never touched.

Untouched pages are not resident, so no memory poll sees them; RLIMIT_DATA refuses
the allocation (the size, __MB__ MiB, is set by the test from the zygote's data size).
"""
import numpy as np


def relu_model(features, weights, biases):
    return np.empty(__MB__ << 20, dtype=np.uint8)
