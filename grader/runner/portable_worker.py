"""The portable runner's worker process: spawned with `python -c`, fed on stdin, framed results on stdout.

It imports only the worker side (grader.sandbox), as the zygote does: TensorFlow,
drivers and the MNIST sample first, then it says "ready", reads one job (a framed
message on stdin), drops to `nobody` when it was started as root on POSIX, and runs
the job with `grader.sandbox.worker.run_job`; once done it waits on stdin for more
probes (the hidden ones, sent once what the student sees is sealed) until stdin ends.
Its fd-level output goes to a temporary file the trusted side reads as each task ends.
"""

from __future__ import annotations

import os
import queue
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from typing import IO, Any

from grader.runner.channel import read_frames
from grader.safetext import truncation_marker
from grader.sandbox import wire

MAX_CHANNEL = 256 * 1024 * 1024  # bytes one worker may send in all, as in the sandbox
NOBODY = 65534

# The worker program. It imports only the worker side (grader.sandbox), like the zygote.
WORKER_SOURCE = r"""
import os, sys
if sys.platform.startswith("linux"):  # what the job starts ends with it (a PID namespace, or a keeper that kills)
    from grader.sandbox.confine import keep_job
    keep_job()
channel = os.dup(1)
os.dup2(2, 1)                     # student prints at fd level land in the output file
sys.stdout = sys.stderr
from grader.sandbox.zygote import preload
preload()
os.ftruncate(2, 0); os.lseek(2, 0, 0)   # TensorFlow's start-up chatter is not the student's output
import grader.sandbox.worker as worker
from grader.sandbox import wire
from pathlib import Path
os.write(channel, wire.FRAME_HEADER.pack(len(b := wire.encode({"kind": "ready"}))) + b)
job = worker.read_frame(0)
uid = int(os.environ.get("GRADER_PORTABLE_UID", "-1"))
if uid >= 0 and hasattr(os, "setuid"):
    os.setgroups([]); os.setgid(uid); os.setuid(uid)
try:
    worker.run_job(job, worker.Channel(channel), Path(os.getcwd()), more=lambda: worker.next_probes(0))
except BaseException as exc:
    sys.stderr.write(f"the worker stopped on {type(exc).__name__}\n")
    os._exit(71)
os._exit(0)
"""


class Worker:
    """One spawned worker process and the thread that reads its frames."""

    def __init__(self, env: dict[str, str], inbox: queue.Queue[tuple[Worker, Any]]) -> None:
        self.workdir = tempfile.mkdtemp(prefix="grader-portable-")
        self.out: IO[bytes] = tempfile.TemporaryFile()
        if env.get("GRADER_PORTABLE_UID") and hasattr(os, "chown"):
            os.chown(self.workdir, NOBODY, NOBODY)
        # Its own process group (POSIX): where there is no keeper (macOS), stop() kills the group.
        self.proc = subprocess.Popen([sys.executable, "-c", WORKER_SOURCE], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=self.out, cwd=self.workdir, env=env,
                                     start_new_session=hasattr(os, "killpg"))
        self.ready = threading.Event()
        self.ready_at = 0.0   # when TensorFlow was imported: the student's time starts then
        self.ended = threading.Event()   # its output channel closed: it exited (or is about to)
        self.out_from = 0                # output before this byte was an earlier task's
        self.inbox = inbox
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        buffer = bytearray()
        received = 0
        try:
            while chunk := self.proc.stdout.read1(1 << 16):  # type: ignore[attr-defined]
                received += len(chunk)
                if received > MAX_CHANNEL:
                    raise wire.WireError(f"more than {MAX_CHANNEL >> 20} MiB of results")
                buffer += chunk
                for message in read_frames(buffer):
                    if isinstance(message, dict) and message.get("kind") == "ready" and not self.ready.is_set():
                        self.ready_at = time.monotonic()
                        self.ready.set()
                    else:
                        self.inbox.put((self, message))
        except (wire.WireError, OSError, ValueError) as exc:
            self.inbox.put((self, {"kind": "malformed", "message": str(exc)}))
        self.ended.set()
        self.inbox.put((self, None))

    def send(self, job: dict[str, Any]) -> None:
        """Hand over a job (or more probes) without blocking: a worker still importing
        TensorFlow, or busy, reads it later."""
        body = wire.encode(job)
        data = wire.FRAME_HEADER.pack(len(body)) + body

        def write() -> None:
            assert self.proc.stdin is not None
            try:
                self.proc.stdin.write(data)
                self.proc.stdin.flush()
            except (OSError, ValueError):
                pass  # it died (or was stopped) first: its EOF tells the scheduler

        threading.Thread(target=write, daemon=True).start()

    def stop(self, cap: int) -> str:
        """Kill it and everything it started, and return the start of its output."""
        if sys.platform.startswith("linux"):
            # Its keeper is a subreaper when there is no PID namespace: all the job left is below it.
            from grader.sandbox.procs import children, kill_trees

            if self.proc.poll() is None:
                kill_trees(lambda: children(self.proc.pid), reap=False)
        elif hasattr(os, "killpg"):
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)  # best effort: a setsid escapes it
            except OSError:
                pass
        if self.proc.poll() is None:
            self.proc.kill()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
        text = self.output(cap)
        self.out.close()
        shutil.rmtree(self.workdir, ignore_errors=True)
        return text

    def output(self, cap: int) -> str:
        """What it printed at fd level since the last call (the start of it, with a note when cut)."""
        size = os.fstat(self.out.fileno()).st_size
        self.out.seek(self.out_from)
        data = self.out.read(min(cap + 1, max(0, size - self.out_from)))
        text = data[:cap].decode("utf-8", "replace")
        if size - self.out_from > cap:
            text += "\n" + truncation_marker(size - self.out_from, "bytes")
        self.out_from = size
        return text


def anon_kb(pid: int) -> int:
    """Anonymous resident memory of a process, on Linux; 0 where unknown."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("RssAnon:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0
