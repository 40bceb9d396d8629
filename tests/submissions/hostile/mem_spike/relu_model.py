"""Hostile submission: memory far over the limit for a few milliseconds at a time.

Each spike is freed before a poll is likely to see it; the kernel's cgroup limit sees every page.
"""
import numpy as np


def relu_model(features, weights, biases):
    for _ in range(20):
        spike = np.ones(__MB__ << 20, dtype=np.uint8)
        del spike
    return np.zeros((int(features.shape[0]), 2))
