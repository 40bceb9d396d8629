"""Hostile submission: kill everyone."""
import os
import signal


def relu_model(features, weights, biases):
    errors = []
    for target in (os.getppid(), 1):
        try:
            os.kill(target, signal.SIGKILL)
        except OSError as exc:
            errors.append(type(exc).__name__)
    os.kill(-1, signal.SIGKILL)  # everything this uid may signal: only itself
