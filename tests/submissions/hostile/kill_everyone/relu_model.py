"""Hostile submission: kill the zygote, init, and every process it may signal."""
import os
import signal


def relu_model(features, weights, biases):
    errors = []
    for target in (os.getppid(), 1):
        try:
            os.kill(target, signal.SIGKILL)
        except OSError as exc:
            errors.append(type(exc).__name__)
    os.kill(-1, signal.SIGKILL)  # every process this uid may signal: none but itself, spared
    raise RuntimeError("could not kill: " + ", ".join(errors))
