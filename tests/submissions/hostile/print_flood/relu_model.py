"""Hostile submission: print flood."""
import os
import sys


def relu_model(features, weights, biases):
    chunk = b"x" * (1 << 20)
    for _ in range(1024):  # 1 GiB through the file descriptor
        os.write(1, chunk)
