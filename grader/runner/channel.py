"""The worker channel, trusted side: frames off the pipe, and a Collector that
turns a worker's messages into observations without trusting any of them."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from typing import Any

from grader.model import ErrorInfo, FileLoad, Observation, Probe
from grader.safetext import truncation_marker
from grader.sandbox import wire

MAX_MESSAGE = 32 * 1024 * 1024
MAX_CHANNEL = 256 * 1024 * 1024  # bytes one worker may send in all; more is a flood, not results


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


def where(phase: str | None) -> str:
    """How a phase is named in messages: a probe id, or `loading <file>`."""
    if phase is None:
        return "the worker"
    if phase.startswith("load:"):
        return f"loading {phase[5:]}"
    return phase


class Collector:
    """Assembles worker messages into observations and load reports, trusting nothing in them."""

    def __init__(self, probes: Sequence[Probe], memory_mb: int | None = None,
                 files: Iterable[str] | None = None) -> None:
        self.wanted = {p.id for p in probes}
        # Load reports are kept only for files really submitted, once each, so a
        # worker forging endless "load" frames cannot grow this process's memory.
        self.files = set(files) if files is not None else None
        self.memory_mb = memory_mb
        self.observations: dict[str, Observation] = {}
        self.loads: list[FileLoad] = []
        self.current: str | None = None
        self.done = False
        self.problems: list[str] = []

    def _memory(self, err: ErrorInfo | None, phase: str) -> ErrorInfo | None:
        """A MemoryError in student code reads like the sandbox's own memory kill."""
        if err is not None and err.type == "MemoryError" and self.memory_mb:
            return ErrorInfo("MemoryError", f"exceeded the {self.memory_mb} MiB memory limit in {where(phase)}",
                             err.traceback, killed="memory")
        return err

    def feed(self, message: Any) -> None:
        if not isinstance(message, dict):
            return
        kind = message.get("kind")
        pid = message.get("probe")
        if kind == "start" and isinstance(pid, str):
            self.current = pid
        elif kind == "load" and isinstance(message.get("name"), str):
            name = message["name"]
            known = self.files is None or name in self.files
            if known and all(load.name != name for load in self.loads):  # a rerun loads files again
                self.loads.append(FileLoad(name, self._memory(_error(message.get("error")), f"load:{name}"),
                                           _text(message.get("output"))[-20000:]))
        elif kind == "observation" and pid in self.wanted and pid not in self.observations:
            self.observations[pid] = Observation(
                probe_id=pid, value=message.get("value"),
                error=self._memory(_error(message.get("error")), pid),
                output=_text(message.get("output"))[-20000:], duration=_number(message.get("duration")))
        elif kind == "done":
            self.done = True
            self.current = None

    def stopped(self, reason: str, message: str) -> str | None:
        """The worker was stopped: the phase it was in gets the blame.

        Returns the file name when it was stopped while loading that file, so
        a rerun can skip it.
        """
        phase = self.current
        self.current = None
        self.problems.append(message)
        if phase is None:
            return None
        if phase.startswith("load:"):
            name = phase[5:]
            if all(load.name != name for load in self.loads):
                self.loads.append(FileLoad(name, ErrorInfo(reason, message, killed=reason)))
            return name
        if phase in self.wanted and phase not in self.observations:
            self.observations[phase] = Observation(phase, error=ErrorInfo(reason, message, killed=reason))
        return None


def read_frames(buffer: bytearray) -> list[Any]:
    """Pop every complete frame off `buffer` as type-checked messages; a malformed one raises WireError."""
    return wire.pop_frames(buffer, MAX_MESSAGE)


def read_output(fd: int, cap: int, start: int = 0) -> tuple[str, int]:
    """A worker's fd-level output from byte `start` on (its start, with a note when it was
    cut), and where it ends now: the next task of the same worker reads from there."""
    size = os.fstat(fd).st_size
    data = os.pread(fd, min(cap, max(0, size - start)), start)
    text = data.decode("utf-8", errors="replace")
    if size - start > cap:
        text += "\n" + truncation_marker(size - start, "bytes")  # read as bytes: the total is counted in bytes
    return text, size
