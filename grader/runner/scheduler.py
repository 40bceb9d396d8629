"""The Linux sandbox's back-end: workers forked by the zygote, results on a pipe.

The scheduling policy (admission, groups, artifacts, retries, outcomes) is
grader.runner.backend's, shared with the portable runner; this module only starts,
watches and stops the zygote's workers. Each running worker's channel is read as
it streams; a worker that overstays its deadline, outgrows the memory limit or
starts too many processes is stopped, and the policy decides what runs next.

A submission is sealed when every worker it stopped is known to be gone: its
results received, its descriptors closed, and the zygote's word that it exited
(with everything it started: the zygote reports a worker's exit only after that).
Its hidden groups start only then: in a fresh worker, or in the worker that
finished the student's visible work, which keeps waiting on a fourth descriptor
after it reports done and is sent the hidden probes there (`hand_over`) once its
output so far has been cut (`cut`) and its results sealed.
"""

from __future__ import annotations

import os
import select
import time
from dataclasses import dataclass, field
from typing import Any, Protocol

from grader.runner.backend import Attempt, Ended, GroupScheduler, attempt_deadline
from grader.runner.channel import MAX_CHANNEL, read_frames, read_output, where
from grader.runner.groups import SubmissionRun, Task
from grader.runner.limits import POLL_INTERVAL, Limits, describe_status
from grader.runner.memory import SlotWatch
from grader.sandbox import wire


class Workers(Protocol):
    """What the scheduler needs from the zygote's client (the Runner)."""

    limits: Limits
    jobs: int
    as_root: bool
    uid_base: int
    watch: SlotWatch

    def spawn(self, job: dict[str, Any], slot: int) -> tuple[int, int, int, int]: ...
    def control(self) -> tuple[dict[int, int], dict[int, int]]: ...
    def control_fd(self) -> int: ...
    def stop(self, pid: int | None, slot: int) -> None: ...
    def oom_kills(self, slot: int) -> int: ...


@dataclass(kw_only=True)
class _SandboxAttempt(Attempt):
    token: int
    channel: int
    out_fd: int
    next_fd: int                        # where more probes go (write end; closing it ends the worker)
    out_from: int = 0                   # output before this byte was an earlier task's
    pid: int | None = None
    buffer: bytearray = field(default_factory=bytearray)
    eof: bool = False
    eof_at: float = 0.0
    status: int | None = None
    received: int = 0
    oom_before: int = 0


class SandboxScheduler(GroupScheduler[_SandboxAttempt]):
    """The shared policy over the zygote's worker slots (one `run_many` call)."""

    def __init__(self, workers: Workers, *, isolate_groups: bool = True) -> None:
        super().__init__(workers.limits, workers.jobs, isolate_groups=isolate_groups)
        self.w = workers
        self.by_token: dict[int, _SandboxAttempt] = {}
        self.exits: dict[int, int] = {}
        self.awaiting: dict[int, SubmissionRun] = {}   # stopped worker's pid (or -token) -> its submission
        self.last_poll = 0.0

    def sealed(self, sub: SubmissionRun) -> bool:
        return not sub.unsealed

    def waiting_on_exits(self) -> bool:
        return bool(self.awaiting)

    def launch(self, sub: SubmissionRun, task: Task, slot: int, job: dict[str, Any]) -> _SandboxAttempt:
        oom_before = self.w.oom_kills(slot)
        token, channel, out_fd, next_fd = self.w.spawn(job, slot)
        now = time.monotonic()
        a = _SandboxAttempt(sub=sub, task=task, slot=slot, started=now, ready_at=now, phase_started=now,
                            token=token, channel=channel, out_fd=out_fd, next_fd=next_fd, oom_before=oom_before)
        self.by_token[token] = a
        return a

    def end(self, a: _SandboxAttempt) -> str:
        """Kill whatever the attempt left running, collect its output, close its fds; until the
        zygote reports the worker gone, its submission is not sealed."""
        self.w.stop(a.pid, a.slot)
        os.close(a.channel)
        os.close(a.next_fd)
        text, _ = read_output(a.out_fd, self.limits.output_cap, a.out_from)
        os.close(a.out_fd)
        self.by_token.pop(a.token, None)
        if a.status is None:
            if a.pid is None:
                self._await(a.sub, -a.token)
            elif self.exits.pop(a.pid, None) is None:
                self._await(a.sub, a.pid)
        return text

    goes_on = True

    def cut(self, a: _SandboxAttempt) -> str:
        text, a.out_from = read_output(a.out_fd, self.limits.output_cap, a.out_from)
        return text

    def hand_over(self, a: _SandboxAttempt, job: dict[str, Any]) -> bool:
        """One framed message, written whole or not at all: the pipe is empty and made big
        enough first, and the write never blocks (a worker that forged its "done" while still
        busy must not stall the batch)."""
        import fcntl  # Linux only, like this back-end (the portable runner imports this module on Windows)

        body = wire.encode(job)
        frame = wire.FRAME_HEADER.pack(len(body)) + body
        try:
            if fcntl.fcntl(a.next_fd, fcntl.F_GETPIPE_SZ) < len(frame):
                fcntl.fcntl(a.next_fd, fcntl.F_SETPIPE_SZ, len(frame))
            os.set_blocking(a.next_fd, False)
            if os.write(a.next_fd, frame) == len(frame):
                a.buffer.clear()   # nothing the worker sent before belongs to the new task
                return True
        except OSError:
            pass
        return False

    # -- one pass of the loop ---------------------------------------------
    def wait(self) -> list[Ended[_SandboxAttempt]]:
        now = time.monotonic()
        wait = min([POLL_INTERVAL] + [max(0.0, attempt_deadline(self.limits, a)[0] - now)
                                      for a in self.active.values()])
        fds = [a.channel for a in self.active.values() if not a.eof]
        control = self.w.control_fd()
        ready, _, _ = select.select(fds + [control], [], [], wait)
        if control in ready:
            self._control()
        now = time.monotonic()
        finished = self._finished(ready, now)
        if now - self.last_poll >= POLL_INTERVAL and self.w.as_root:
            self.last_poll = now
            finished += self._limits_exceeded({a.slot for a, _, _ in finished})
        return finished

    def _control(self) -> None:
        spawned, exits = self.w.control()
        for token, pid in spawned.items():
            if token in self.by_token:
                self.by_token[token].pid = pid
            elif -token in self.awaiting:  # stopped before we learnt its pid
                sub = self.awaiting.pop(-token)
                sub.unsealed.discard(-token)
                self._await(sub, pid)
        self.exits.update(exits)
        for pid in [p for p in self.awaiting if p in self.exits]:
            self.exits.pop(pid)
            self.awaiting.pop(pid).unsealed.discard(pid)
        if len(self.exits) > 10000:  # grandchildren nobody waits for
            self.exits.clear()

    def _finished(self, ready: list[int], now: float) -> list[Ended[_SandboxAttempt]]:
        """(attempt, killed kind, message) for workers that are done, died or ran out of time."""
        finished: list[Ended[_SandboxAttempt]] = []
        for a in list(self.active.values()):
            if a.channel in ready:
                self._read(a)
            if a.pid is not None and a.status is None and a.pid in self.exits:
                a.status = self.exits.pop(a.pid)
            if a.task.collector.done:
                finished.append((a, None, ""))
            elif a.eof and (a.status is not None or now - a.eof_at > 2.0):
                kind, phrase = describe_status(a.status if a.status is not None else 0)
                if a.status is None:
                    kind, phrase = "crash", "stopped unexpectedly"
                blame = where(a.task.collector.current)
                if self.w.oom_kills(a.slot) > a.oom_before:  # the cgroup's memory.max
                    finished.append((a, "memory", f"exceeded the {self.limits.memory_mb} MiB memory limit in {blame}"))
                else:
                    finished.append((a, kind, f"the worker {phrase} in {blame}"))
            else:
                when, limit, scope = attempt_deadline(self.limits, a)
                if now >= when:
                    finished.append((a, "timeout", f"timed out after {limit:g} s in {scope}"))
        return finished

    def _limits_exceeded(self, busy: set[int]) -> list[Ended[_SandboxAttempt]]:
        lim, base = self.limits, self.w.uid_base
        usage, counts = self.w.watch.poll({base + s: s for s in self.active if s not in busy})
        out: list[Ended[_SandboxAttempt]] = []
        for slot, kb in usage.items():
            a = self.active[slot]
            if kb > lim.memory_mb * 1024:
                out.append((a, "memory", f"exceeded the {lim.memory_mb} MiB memory limit "
                                         f"in {where(a.task.collector.current)}"))
            elif counts[slot] > lim.max_processes:
                out.append((a, "crash", f"started more than {lim.max_processes} processes "
                                        f"in {where(a.task.collector.current)}"))
        return out

    # -- helpers -----------------------------------------------------------
    def _read(self, a: _SandboxAttempt) -> None:
        try:
            chunk = os.read(a.channel, 1 << 16)
        except OSError:
            chunk = b""
        if not chunk:
            a.eof, a.eof_at = True, time.monotonic()
            return
        a.buffer += chunk
        a.received += len(chunk)
        collector = a.task.collector
        try:
            if a.received > MAX_CHANNEL:
                raise wire.WireError(f"more than {MAX_CHANNEL >> 20} MiB of results")
            for message in read_frames(a.buffer):
                collector.feed(message)
        except wire.WireError as exc:
            collector.problems.append(f"the worker sent malformed data ({exc})")
            a.eof, a.eof_at, a.status = True, time.monotonic(), 0
            a.buffer.clear()
        a.noted()

    def _await(self, sub: SubmissionRun, key: int) -> None:
        sub.unsealed.add(key)
        self.awaiting[key] = sub
