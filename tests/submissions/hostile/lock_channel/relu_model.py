"""Hostile submission: pass hidden inputs from the hidden-probe worker to the public one
through kernel state every worker shares: locks on stdlib files both may read.

Whichever worker runs a hidden probe (named relu_model.hidden_*: a worker of its own, or the
one that ran the public probes, going on) encodes a byte of that hidden input as shared flocks
on eight stdlib files and holds them; a public probe polls those files and prints what it saw,
where the student would read it.
"""
import fcntl
import glob
import os
import sys
import time

import numpy
import tensorflow.compat.v1 as tf

FILES = sorted(glob.glob(os.path.join(os.path.dirname(os.__file__), "*.py")))[:8]
_done = set()


def _current_probe():
    """The probe the worker is running now (its loop's `probe`), as the worker holds it."""
    frame = sys._getframe()
    while frame is not None:
        probe = frame.f_locals.get("probe")
        if isinstance(probe, dict) and isinstance(probe.get("id"), str):
            return probe
        frame = frame.f_back
    return {}


def _signal(value):
    held = []
    for bit, path in enumerate(FILES):
        if value >> bit & 1:
            fd = os.open(path, os.O_RDONLY)
            fcntl.flock(fd, fcntl.LOCK_SH)
            held.append(fd)
    time.sleep(3.0)
    for fd in held:
        os.close(fd)


def _listen():
    seen = 0
    end = time.time() + 3.0
    while time.time() < end:
        for bit, path in enumerate(FILES):
            fd = os.open(path, os.O_RDONLY)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                seen |= 1 << bit
            finally:
                os.close(fd)
        time.sleep(0.02)
    print("SAW", seen)


def relu_model(features, weights, biases):
    probe = _current_probe()
    hidden = "hidden" in str(probe.get("id"))
    if hidden and "sent" not in _done:
        _done.add("sent")
        first = float(abs(numpy.asarray(probe.get("args", {}).get("features", 0.5))).flat[0])
        value = int(first * 1000) % 255 + 1  # never 0: a leak always shows
        print("SENT", value)
        _signal(value)
    elif not hidden and "listened" not in _done:
        _done.add("listened")
        _listen()
    hidden_layer = tf.nn.relu(tf.add(tf.matmul(features, weights[0]), biases[0]))
    return tf.add(tf.matmul(hidden_layer, weights[1]), biases[1])
