"""Hostile submission: touched private memory above the limit but under the data limit.

RLIMIT_DATA allows it (the test sets __MB__ between the two limits); only the RSS poll stops it.
"""
import time


def relu_model(features, weights, biases):
    hoard = bytearray(__MB__ << 20)
    hoard[::4096] = b"x" * len(range(0, len(hoard), 4096))
    time.sleep(3.0)
    return hoard
