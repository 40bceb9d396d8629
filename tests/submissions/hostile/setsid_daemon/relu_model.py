"""Hostile submission: leave a daemon behind (double fork, new session): `sleep __MARK__`.

It prints "DAEMON exec" once the daemon is about to run, so a test knows it really started.
"""
import os


def _daemon():
    r, w = os.pipe()  # close-on-exec: the daemon's exec closes its end
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            os.write(w, b"exec")
            try:
                os.execv("/bin/sleep", ["sleep", "__MARK__"])
            except OSError:
                os.write(w, b" failed")
            os._exit(0)
        os._exit(0)
    os.close(w)
    said = b""
    while chunk := os.read(r, 100):
        said += chunk
    os.close(r)
    print("DAEMON", said.decode())


_daemon()


def relu_model(features, weights, biases):
    raise RuntimeError("a daemon, not an answer")
