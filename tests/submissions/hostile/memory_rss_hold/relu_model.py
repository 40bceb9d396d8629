"""Hostile submission: resident memory above the limit but within RLIMIT_DATA's margin.

__MB__ MiB (filled in by the test) in 32 MiB pieces, every page touched, then
held: no allocation fails, so only the runner's poll of resident memory can
stop it (otherwise the probe would run into its timeout).
"""
import time


def relu_model(features, weights, biases):
    hoard = []
    for _ in range(__MB__ // 32):
        block = bytearray(32 << 20)
        block[::4096] = b"x" * len(range(0, 32 << 20, 4096))
        hoard.append(block)
    time.sleep(60)
    return hoard
