"""The run stage: execute a submission's probes in a worker process.

PROVISIONAL: forks straight from this process with no sandbox. The sandboxed
zygote version replaces `_spawn` while keeping `Runner`'s interface.
"""

from __future__ import annotations

import os
import select
import signal
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grader import wire
from grader.model import ErrorInfo, FileLoad, Observation, Probe, RunOutcome
from grader.worker import FRAME_HEADER, Channel

MAX_MESSAGE = 32 * 1024 * 1024


@dataclass(frozen=True)
class Limits:
    check_timeout: float | None = None   # overrides each probe's own timeout when set
    student_timeout: float = 600.0
    load_timeout: float = 30.0
    memory_mb: int = 2048


def _error(raw: Any) -> ErrorInfo | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        return ErrorInfo("WorkerError", "malformed error report")
    def s(key: str) -> str:
        v = raw.get(key, "")
        return v if isinstance(v, str) else ""
    missing = raw.get("missing")
    return ErrorInfo(type=s("type")[:200] or "Error", message=s("message")[:4000],
                     traceback=s("traceback")[:8000],
                     missing=missing if isinstance(missing, str) else None)


def _text(raw: Any) -> str:
    return raw if isinstance(raw, str) else ""


def _number(raw: Any) -> float:
    return float(raw) if isinstance(raw, (int, float)) and not isinstance(raw, bool) else 0.0


class Collector:
    """Assembles worker messages into a `RunOutcome`, trusting nothing in them."""

    def __init__(self, probes: Sequence[Probe]) -> None:
        self.wanted = {p.id for p in probes}
        self.observations: dict[str, Observation] = {}
        self.loads: list[FileLoad] = []
        self.current: str | None = None
        self.done = False
        self.problems: list[str] = []

    def feed(self, message: Any) -> None:
        if not isinstance(message, dict):
            return
        kind = message.get("kind")
        pid = message.get("probe")
        if kind == "start" and isinstance(pid, str):
            self.current = pid
        elif kind == "load" and isinstance(message.get("name"), str):
            self.loads.append(FileLoad(message["name"], _error(message.get("error")),
                                       _text(message.get("output"))[-20000:]))
        elif kind == "observation" and pid in self.wanted and pid not in self.observations:
            self.observations[pid] = Observation(
                probe_id=pid, value=message.get("value"), error=_error(message.get("error")),
                output=_text(message.get("output"))[-20000:], duration=_number(message.get("duration")))
        elif kind == "done":
            self.done = True
            self.current = None

    def stopped(self, reason: str, message: str) -> None:
        """The worker was stopped: the probe it was in gets the blame."""
        pid = self.current
        if pid is not None and pid in self.wanted and pid not in self.observations:
            self.observations[pid] = Observation(pid, error=ErrorInfo(reason, message, killed=reason))
        self.problems.append(message)


def read_frames(buffer: bytearray) -> list[Any]:
    """Pop every complete frame off `buffer`; malformed frames raise WireError."""
    out = []
    while len(buffer) >= FRAME_HEADER.size:
        (size,) = FRAME_HEADER.unpack_from(buffer)
        if size > MAX_MESSAGE:
            raise wire.WireError("message too large")
        if len(buffer) < FRAME_HEADER.size + size:
            break
        body = bytes(buffer[FRAME_HEADER.size:FRAME_HEADER.size + size])
        del buffer[:FRAME_HEADER.size + size]
        out.append(wire.decode(body))
    return out


class Runner:
    def __init__(self, limits: Limits | None = None, jobs: int = 1) -> None:
        self.limits = limits or Limits()
        self.jobs = jobs

    def __enter__(self) -> "Runner":
        from grader import drivers  # noqa: F401 - import TF and drivers before forking
        from grader.tfsupport import tf1

        tf1()  # pay TensorFlow's import once, not once per worker
        return self

    def __exit__(self, *exc: object) -> None:
        pass

    def run(self, files: dict[str, str], probes: Sequence[Probe]) -> RunOutcome:
        job = {"files": files, "probes": [
            {"id": p.id, "driver": p.driver, "args": p.args, "exercise": p.exercise} for p in probes]}
        timeouts = {p.id: (self.limits.check_timeout or p.timeout) for p in probes}
        collector = Collector(probes)
        started = time.monotonic()
        with tempfile.TemporaryDirectory(prefix="grader-job-") as tmp:
            read_fd, write_fd = os.pipe()
            pid = os.fork()
            if pid == 0:  # child
                os.close(read_fd)
                os.setsid()
                os.chdir(tmp)
                code = 0
                try:
                    from grader.worker import run_job
                    run_job(job, Channel(write_fd), Path(tmp))
                except BaseException:  # noqa: BLE001
                    code = 1
                os._exit(code)
            os.close(write_fd)
            buffer = bytearray()
            phase_started = time.monotonic()
            last = None
            try:
                while True:
                    limit = timeouts.get(collector.current or "", self.limits.load_timeout)
                    now = time.monotonic()
                    if collector.current != last:
                        last, phase_started = collector.current, now
                    deadline = min(phase_started + limit, started + self.limits.student_timeout)
                    ready, _, _ = select.select([read_fd], [], [], max(0.0, deadline - now))
                    if not ready:
                        where = (collector.current or "").removeprefix("load:")
                        collector.stopped("timeout", f"timed out after {limit:g} s in {where}")
                        break
                    chunk = os.read(read_fd, 1 << 16)
                    if not chunk:
                        break
                    buffer += chunk
                    for message in read_frames(buffer):
                        collector.feed(message)
            except wire.WireError as exc:
                collector.stopped("protocol", f"the worker sent malformed data ({exc})")
            finally:
                os.close(read_fd)
                try:
                    os.killpg(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                _, status = os.waitpid(pid, 0)
            if not collector.done and not collector.problems:
                collector.stopped("crash", f"the worker stopped unexpectedly (status {status})")
        return RunOutcome(collector.observations, tuple(collector.loads), tuple(collector.problems),
                          duration=time.monotonic() - started)
