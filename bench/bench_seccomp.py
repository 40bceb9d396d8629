"""Benchmark: what the workers' socket filter (grader.sandbox.seccomp) costs each worker.

    python bench/bench_seccomp.py [--forks 200] [--tensorflow]

Forks --forks children three ways and prints medians: a bare fork (fork, set no_new_privs,
exit, reaped), the same with the prepared program loaded (what a worker does), and with
libseccomp building and loading the filter in the child (what a worker would pay if the
zygote did not compile it once). Also the time of the load call alone in each child.
--tensorflow imports TensorFlow first, so the forked process is the size of the zygote.
Linux only; needs libseccomp.so.2.
"""

from __future__ import annotations

import argparse
import os
import statistics
import struct
import time

from grader.sandbox import seccomp
from grader.sandbox.syscalls import PR_SET_NO_NEW_PRIVS, prctl


def one(how: str) -> tuple[int, int]:
    """(ns from fork to reaped, ns of the load in the child)."""
    r, w = os.pipe()
    start = time.perf_counter_ns()
    pid = os.fork()
    if pid == 0:
        prctl(PR_SET_NO_NEW_PRIVS, 1)
        t0 = time.perf_counter_ns()
        if how == "prepared":
            seccomp.install()
        elif how == "libseccomp":
            seccomp.worker_filter().load()
        os.write(w, struct.pack("q", time.perf_counter_ns() - t0))
        os._exit(0)
    os.waitpid(pid, 0)
    total = time.perf_counter_ns() - start
    load = struct.unpack("q", os.read(r, 8))[0]
    os.close(r)
    os.close(w)
    return total, load


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--forks", type=int, default=200)
    parser.add_argument("--tensorflow", action="store_true")
    args = parser.parse_args()
    if args.tensorflow:
        import tensorflow  # noqa: F401
    seccomp.prepare()
    print(f"load average {os.getloadavg()[0]:.2f}; {args.forks} forks each, medians")
    for how in ("bare", "prepared", "libseccomp"):
        runs = [one(how) for _ in range(args.forks)]
        total = statistics.median(t for t, _ in runs) / 1e3
        load = statistics.median(x for _, x in runs) / 1e3
        print(f"  {how:<10} fork to reaped {total:8.1f} us   load in the child {load:7.1f} us")


if __name__ == "__main__":
    main()
