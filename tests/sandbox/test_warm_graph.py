"""The zygote's throw-away graph (tfsupport.warm_graph_building): forking after it stays safe,
and a worker's graph is as if nothing had been built before it."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

# In a fresh interpreter: build a graph whose shapes need constant evaluation, run it in a
# session, and report the values a seeded graph draws: "warm" warms up as the zygote does and
# does that in a forked child; "cold" does it in the interpreter itself, the reference (forking a
# process with TensorFlow's threads but without the warm-up is what the zygote avoids: it can hang).
CHILD = textwrap.dedent('''
    import json, os, sys
    from grader.sandbox.tfsupport import new_default_graph, tf1, warm_graph_building
    tf = tf1()
    if sys.argv[1] == "warm":
        warm_graph_building()
    left = len(tf.get_default_graph().get_operations())

    def work():
        new_default_graph()
        n = tf.constant(2) * tf.constant(3)
        shaped = tf.reshape(tf.ones([4, 6]), tf.stack([n, -1]))
        draw = tf.random_normal([3]) + tf.Variable(tf.truncated_normal([3]))
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            return {"shape": shaped.shape.as_list(), "draw": sess.run(draw).tolist(), "left": left}

    if sys.argv[1] == "cold":
        print(json.dumps(work()))
        sys.exit(0)
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.write(w, json.dumps(work()).encode())
        finally:
            os._exit(0)
    os.close(w)
    data = os.read(r, 1 << 16)
    os.waitpid(pid, 0)
    print(data.decode())
''')


def _child(mode: str) -> dict[str, object]:
    proc = subprocess.run([sys.executable, "-c", CHILD, mode], capture_output=True, text=True, timeout=240,
                          env={"TF_CPP_MIN_LOG_LEVEL": "3", "PATH": "/usr/bin:/bin"})
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.mark.slow
def test_fork_after_the_warm_graph_runs_and_draws_as_without_it() -> None:
    warm, cold = _child("warm"), _child("cold")
    assert warm["left"] == 0  # the throw-away graph is gone before any fork
    assert warm["shape"] == [6, 4]  # constant evaluation of shapes works in the child (no hang)
    assert warm["draw"] == cold["draw"]  # seeded graphs draw the same as without the warm-up
