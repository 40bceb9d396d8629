"""Hostile submission: leave a daemon behind (double fork, new session), marked __MARK__."""
import os
import sys


def _daemon():
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            os.closerange(0, 1 << 16)
            os.execv(sys.executable, [sys.executable, "-c", "import time; time.sleep(600)", "__MARK__"])
        os._exit(0)


_daemon()


def relu_model(features, weights, biases):
    raise RuntimeError("a daemon, not an answer")
